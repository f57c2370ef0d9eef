"""Lesson Markdown and uploaded file names are shown to every learner, so whatever an author (or an
imported package) puts in them must come out inert: no script, no event handler, no ``javascript:``
or ``data:`` address, no SVG, frame, style or form."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask import render_template_string
from markdown_it import MarkdownIt

from courses import markdown
from courses.markdown import render
from courses.media import media_url, store_bytes

XSS = [
    # script tags, in every spelling
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "Text\n\n<script>\nalert(1)\n</script>\n\nmore text",
    "<<script>script>alert(1)<</script>/script>",
    # event handlers
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    '<a onclick="alert(1)" href="#">click</a>',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<div onmouseover="alert(1)">hover</div>',
    '![x" onerror="alert(1)](https://example.org/a.png)',
    '[x](https://example.org/ "a" onclick="alert(1)")',
    # javascript: and other dangerous addresses, in links, images, references and autolinks
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](  javascript:alert(1)  )",
    "[x](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "![x](JAVASCRIPT:alert(1))",
    "[reference][1]\n\n[1]: javascript:alert(1)",
    "[reference][1]\n\n[1]: <javascript:alert(1)> 'title'",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    # SVG and MathML payloads
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    # frames, styles, forms, objects
    "<iframe src=javascript:alert(1)></iframe>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<style>body { background: url(javascript:alert(1)) }</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<button formaction="javascript:alert(1)">go</button>',
    '<input autofocus onfocus="alert(1)">',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    # comment and parser tricks
    "<!--><script>alert(1)</script>-->",
    "<!-- --!><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<![CDATA[<script>alert(1)</script>]]>",
    "<title><img src=x onerror=alert(1)></title>",
    '<textarea><img src=x onerror="alert(1)"></textarea>',
    "`<img src=x onerror=alert(1)>`",
    "```html\n<script>alert(1)</script>\n```",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
]

FORBIDDEN_TAGS = {
    "script", "svg", "math", "iframe", "frame", "frameset", "style", "form", "button", "input",
    "textarea", "select", "object", "embed", "applet", "base", "meta", "link", "noscript", "template",
    "details", "body", "title", "div",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "background", "poster", "xlink:href"}
SAFE_SCHEMES = {"http", "https", "mailto"}
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


class Tags(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag


def scheme(url: str) -> str:
    """The scheme a browser would see: tabs, new lines and leading spaces/controls are dropped."""
    url = re.sub(r"[\t\n\r]", "", url).lstrip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f ")
    match = SCHEME.match(url.lower())
    return match[1] if match else ""


def assert_inert(html: str) -> None:
    lowered = html.lower()
    for marker in ("<script", "<svg", "<iframe", "<style", "<form", "<math", "<object", "<embed"):
        assert marker not in lowered, html
    for tag, attributes in Tags(html).elements:
        assert tag not in FORBIDDEN_TAGS, html
        for name, value in attributes:
            assert not name.startswith("on"), html
            assert name not in {"style", "srcset", "srcdoc", "formaction", "xlink:href"}, html
            if name in URL_ATTRIBUTES:
                assert scheme(value or "") in SAFE_SCHEMES | {""}, html


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<p ONCLICK='alert(1)'>x</p>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" JaVa&#x09;ScRiPt:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
        "<svg/onload=alert(1)>",
        "<iframe srcdoc=x></iframe>",
    ],
)
def test_the_inertness_check_itself_catches_live_payloads(html):
    with pytest.raises(AssertionError):
        assert_inert(html)


@pytest.mark.parametrize("source", XSS)
def test_an_xss_payload_in_markdown_renders_inert(source):
    assert_inert(str(render(source)))


@pytest.mark.parametrize("source", XSS)
def test_the_sanitiser_holds_even_if_raw_html_were_allowed_in_markdown(monkeypatch, source):
    """Defence in depth: the Markdown parser escapes raw HTML, and nh3 would remove it anyway."""
    monkeypatch.setattr(markdown, "_PARSER", MarkdownIt("commonmark", {"html": True}).enable("table"))
    assert_inert(str(render(source)))


def test_the_whole_corpus_in_one_lesson_renders_inert():
    assert_inert(str(render("\n\n".join(XSS))))


def test_raw_html_is_shown_as_text_not_dropped():
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in render("<script>alert(1)</script>")


def test_ordinary_markdown_survives_the_sanitiser():
    html = str(
        render(
            '# Хаб\n\n**Цифрова** _освіта_ і [Дія](https://diia.gov.ua/ "портал"), '
            "[лист](mailto:hub@example.org).\n\n![Схема](https://example.org/a.png)\n\n"
            "1. один\n2. два\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> цитата\n\n`код`"
        )
    )
    assert "<h2>Хаб</h2>" in html  # the page title is the only h1
    assert "<strong>Цифрова</strong>" in html and "<em>освіта</em>" in html
    assert '<a href="https://diia.gov.ua/" title="портал" rel="noopener noreferrer nofollow">Дія</a>' in html
    assert 'href="mailto:hub@example.org"' in html
    assert '<img src="https://example.org/a.png" alt="Схема">' in html
    assert "<ol>" in html and "<table>" in html and "<blockquote>" in html and "<code>код</code>" in html


def test_render_returns_markup_that_jinja_does_not_escape_again(app):
    html = render_template_string("{{ body }}", body=render("**так**"))
    assert "<strong>так</strong>" in html


# --- file names -----------------------------------------------------------------------------------

HTML_NAME = "<img src=x onerror=alert(1)>.pdf"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(scope="session")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media-names")


@pytest.fixture
def app_config(app_config, media_root):
    return {**app_config, "COURSES_MEDIA_DIR": str(media_root)}


def test_a_file_name_with_html_is_kept_but_escaped_when_shown(app, db):
    media = store_bytes(PDF, HTML_NAME, {"file"})
    assert media.filename == HTML_NAME
    with app.test_request_context():
        html = render_template_string(
            '<a href="{{ url }}" download>{{ media.filename }}</a>', media=media, url=media_url(media)
        )
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in html
    assert_inert(html)
    assert [tag for tag, _attributes in Tags(html).elements] == ["a"]


def test_a_file_name_with_html_is_escaped_inside_a_translated_message(app):
    """Lesson pages put the name into a message (``_('Download “%(name)s”', name=…)``)."""
    with app.test_request_context():
        html = render_template_string("<p>{{ _('Download “%(name)s”', name=name) }}</p>", name=HTML_NAME)
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in html
    assert [tag for tag, _attributes in Tags(html).elements] == ["p"]


def test_the_address_of_a_file_with_html_in_its_name_is_percent_encoded(app, db):
    media = store_bytes(PDF, HTML_NAME, {"file"})
    with app.test_request_context():
        url = media_url(media)
    assert url.startswith(f"/courses/media/{media.id}/")
    assert not set("<>\"' ") & set(url)


def test_a_file_name_with_html_is_served_as_a_download_not_a_page(app, db, client, world, login_as):
    from courses.models import Course, Item, Module

    media = store_bytes(PDF, HTML_NAME, {"file"})
    item = Item(key="handout", kind="file", title={"uk": "Роздатка"}, media=media)
    course = Course(code="NAMES-1", title={"uk": "Курс"}, status="published", is_open=True)
    course.modules.append(Module(key="files", title={"uk": "Файли"}, items=[item]))
    db.session.add(course)  # a learner may fetch the files of an open course's items
    db.session.commit()
    with app.test_request_context():
        url = media_url(media)
    login_as(world.people["learner@r1"])
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
