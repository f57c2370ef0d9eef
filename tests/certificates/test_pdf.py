"""The certificate PDF: the font covers every letter we print, names come back out of the PDF intact,
the font is embedded, and the QR code leads to the verification page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.ttfonts import TTFontFile

from certificates import pdf, services
from certificates.pdf import TemplateProblem

UKRAINIAN = "АБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯ"
FINNISH = "ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖŠŽ"
SWEDISH = "ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ"
MARKS = "ʼ’'№"


@pytest.mark.parametrize("face", ["regular", "bold"])
def test_the_font_has_every_letter_of_the_ukrainian_finnish_and_swedish_alphabets(face):
    glyphs = TTFontFile(str(pdf.FONTS[face])).charToGlyph
    letters = UKRAINIAN + UKRAINIAN.lower() + FINNISH + FINNISH.lower() + SWEDISH + SWEDISH.lower() + MARKS
    missing = [char for char in letters if ord(char) not in glyphs]
    assert missing == []


def _spaces(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _text(body: bytes) -> str:
    return _spaces("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages))


def _fonts(body: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(body))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                names.add(str(font["/BaseFont"]))
    return names


@pytest.fixture
def sample(app: Any) -> dict[str, Any]:
    with app.test_request_context():
        return services.sample_values()


@pytest.mark.parametrize(
    ("name", "latin"),
    [
        ("Ґудзь Мар'яна Євгенівна", "Gudz Mariana Yevhenivna"),
        ("Їжакевич Юлія", "Yizhakevych Yuliia"),
        ("Päivi Åström", "Päivi Åström"),
    ],
)
def test_names_come_back_out_of_the_pdf_intact(app, sample, name, latin):
    with app.test_request_context():
        values = {**sample, "holder_name": name, "holder_name_latin": services.transliterate(name)}
        body = services.render_values(values, None)
    text = _text(body)
    assert body.startswith(b"%PDF")
    assert name in text
    assert latin in text
    assert values["number"] in text
    assert any("Roboto" in font for font in _fonts(body)), _fonts(body)


def test_the_page_is_a4_landscape(app, sample):
    with app.test_request_context():
        body = services.render_values(sample, None)
    page = PdfReader(io.BytesIO(body)).pages[0]
    assert len(PdfReader(io.BytesIO(body)).pages) == 1
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)


def test_the_default_shows_hours_competences_trainers_and_dates(app, sample):
    with app.test_request_context():
        body = services.render_values(sample, None)
        context = services.pdf_context(sample)
    text = _text(body)
    dates = (_spaces(context["issued_on"]), _spaces(context["expires_on"]))
    for expected in ("1.1 Перегляд і пошук даних", "Їжакевич Юлія, Päivi Åström", sample["issuer"], *dates):
        assert expected in text, expected
    assert str(sample["course_title"]) in text


def test_the_qr_code_decodes_to_the_verification_address(app, sample):
    import zxingcpp
    from PIL import Image

    with app.test_request_context():
        uri = services.pdf_context(sample)["qr"]
    import base64

    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    (found,) = zxingcpp.read_barcodes(image)
    assert found.text == app.config["LMS_BASE_URL"] + "/verify/" + sample["number"]


def test_the_qr_code_in_the_pdf_decodes_for_many_numbers(app, sample):
    """The QR uses one fixed mask (segno's scoring of all eight cost most of the context): the image
    the PDF embeds still decodes to each certificate's own address."""
    import zxingcpp
    from PIL import Image

    with app.test_request_context():
        for _ in range(12):
            values = {**sample, "number": services.numbers.new_number()}
            body = pdf.render(pdf.default_template(), services.pdf_context(values))
            images = [image for page in PdfReader(io.BytesIO(body)).pages for image in page.images]
            decoded = {
                found.text
                for image in images
                for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)).convert("L"))
            }
            assert decoded == {app.config["LMS_BASE_URL"] + "/verify/" + values["number"]}


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("{% if %}", "Expected an expression"),
        ("{{ holder.__class__.__mro__ }}", "unsafe"),
        ("{{ holder | nosuchfilter }}", "nosuchfilter"),
    ],
)
def test_a_bad_template_is_refused_with_the_error(app, sample, source, words):
    with app.test_request_context(), pytest.raises(TemplateProblem) as problem:
        pdf.render(source, services.pdf_context(sample))
    assert words.lower() in str(problem.value).lower()


def test_transliteration_follows_the_2010_table():
    assert services.transliterate("Згорани") == "Zghorany"
    assert services.transliterate("Їжакевич") == "Yizhakevych"
    assert services.transliterate("Марʼяна") == "Mariana"
    assert services.transliterate("Päivi Åström") == "Päivi Åström"
