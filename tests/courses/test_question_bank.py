"""The question bank: categories from paths, GIFT imports that tag questions with a competence and a
level (all or nothing, updating by id number), `lms questions import --dry-run` printing exactly the
issue's JSON, errors by line on standard error, export round trips, and every bank page."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from courses.frameworks.models import Competence, Framework, ProficiencyLevel
from courses.questions import services
from courses.questions.formats.gift import parse_gift
from courses.questions.interchange import FormatError
from courses.questions.models import Answer, Question, QuestionCategory
from lms.imports.models import ImportUpload
from lms.testing import login, post

DATA = Path(__file__).parent / "data" / "questions"
BANK = DATA / "bank.gift"


@pytest.fixture
def framework(db):
    """A framework of two areas with a competence each, on an eight-level scale."""
    framework = Framework(idnumber="KASKAD-TEST", shortname={"uk": "Тестова рамка", "en": "Test framework"})
    framework.levels = [ProficiencyLevel(number=n, name={"uk": f"Рівень {n}"}) for n in range(1, 9)]
    for area_number, (area_name, idnumber, name) in enumerate(
        [("Інформація", "1.1", "Пошук даних"), ("Безпека", "4.2", "Захист даних")], start=1
    ):
        area = Competence(
            idnumber=idnumber.split(".")[0],
            shortname={"uk": area_name},
            path=f"/{area_number:04d}/",
            position=area_number,
        )
        child = Competence(
            idnumber=idnumber, shortname={"uk": name}, path=f"/{area_number:04d}/0001/", parent=area
        )
        framework.competences.extend([area, child])
    db.session.add(framework)
    db.session.commit()
    return framework


def competence(idnumber: str) -> Competence:
    from lms.extensions import db

    return db.session.scalar(select(Competence).where(Competence.idnumber == idnumber))


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def import_text(text: str, category: str | None = None):
    return services.import_questions(parse_gift(text), category)


def snapshot(db) -> list[dict]:
    """Every question of the bank as plain data (what an export would write), in a stable order."""
    db.session.expire_all()
    questions = db.session.scalars(
        select(Question)
        .join(QuestionCategory)
        .order_by(QuestionCategory.path, Question.idnumber, Question.name)
    ).all()
    return [
        {
            **services.to_parsed(question).as_json(),
            "idnumber": question.idnumber,
            "tags": services.tags_of(question),
            "general_feedback": question.general_feedback,
        }
        for question in questions
    ]


# --- categories ----------------------------------------------------------------------------------------


def test_category_for_path_creates_the_tree_once(db):
    passwords = services.category_for_path("Top/Safety/Passwords")
    again = services.category_for_path(" Top / Safety / Passwords ")
    assert again is passwords
    assert [passwords.path, passwords.parent.path, passwords.parent.parent.path] == [
        "Top/Safety/Passwords",
        "Top/Safety",
        "Top",
    ]
    assert passwords.parent.parent.parent is None
    assert count(db, QuestionCategory) == 3


def test_category_paths_keep_a_doubled_slash_and_drop_moodles_context():
    assert services.split_path("$course$/top/Безпека//Приватність/Паролі") == [
        "top",
        "Безпека/Приватність",
        "Паролі",
    ]
    assert services.normalise_path("Top//Safety/ x ") == "Top//Safety/x"
    assert services.normalise_path("") == ""


# --- import --------------------------------------------------------------------------------------------


def test_import_sets_competence_and_level_from_tags_and_keeps_other_tags(db, framework):
    done = import_text(BANK.read_text())
    db.session.commit()
    assert [result.created for result in done] == [True] * 7
    by_id = {question.idnumber: question for question in db.session.scalars(select(Question))}
    password = by_id["pw-01"]
    assert password.competence == competence("4.2")
    assert password.level == 3
    assert password.tags == ["passwords"]
    assert password.category.path == "Top/Safety"
    assert [(a.text, a.fraction, a.feedback) for a in password.answers] == [
        ("Kobzar!Sonce-2024", 1.0, "Long and mixed."),
        ("qwerty", 0.0, "Too common."),
        ("password123", 0.25, "Better, still weak."),
    ]
    assert by_id["num-01"].answers[1].tolerance == 1.0
    assert (by_id["match-01"].answers[0].text, by_id["match-01"].answers[0].match) == ("Пароль", "Секрет")
    assert by_id["match-01"].level is None and by_id["match-01"].competence == competence("1.1")
    essay = by_id[""]
    assert (essay.type, essay.competence, essay.level, essay.tags) == ("essay", None, None, ["reflection"])
    assert essay.format == "markdown"
    assert by_id["sa-01"].category.path == "Top/Safety/Words"


def test_a_file_without_categories_goes_to_the_category_given_or_top(db, framework):
    import_text("::A::Question one {T}\n", "Top/Imported")
    import_text("::B::Question two {F}\n")
    paths = dict(
        db.session.execute(select(Question.name, QuestionCategory.path).join(QuestionCategory)).all()
    )
    assert paths == {"A": "Top/Imported", "B": "Top"}


def test_unknown_competence_fails_the_whole_import_with_its_line(db, framework):
    text = (
        "// [tag:competence:KASKAD-TEST/4.2]\n::Good::Fine {T}\n\n"
        "// [tag:competence:KASKAD-TEST/9.9] [tag:level:2]\n::Bad::Unknown {T}\n\n"
        "// [tag:competence:NOPE/1.1]\n::Worse::Unknown framework {F}\n\n"
        "// [tag:competence:KASKAD-TEST/4.2] [tag:level:9]\n::High::Too high {F}\n\n"
        "// [tag:level:three]\n::Words::Level in words {F}\n"
    )
    with pytest.raises(FormatError) as raised:
        import_text(text)
    lines = [line for line, _ in raised.value.problems]
    assert lines == [5, 8, 11, 14]
    messages = " | ".join(message for _, message in raised.value.problems)
    assert "KASKAD-TEST/9.9" in messages and "NOPE/1.1" in messages
    assert "level 9 is not a level of the framework KASKAD-TEST (1–8)" in messages
    assert "'three' is not a whole number" in messages
    db.session.rollback()
    assert count(db, Question) == 0
    assert count(db, QuestionCategory) == 0


def test_one_competence_and_one_level_per_question(db, framework):
    text = (
        "// [tag:competence:KASKAD-TEST/4.2] [tag:competence:KASKAD-TEST/1.1] [tag:level:1] [tag:level:2]\n"
        "Q {T}\n"
    )
    with pytest.raises(FormatError) as raised:
        import_text(text)
    assert [line for line, _ in raised.value.problems] == [2, 2]


def test_an_id_number_twice_in_one_category_of_a_file_is_an_error(db):
    text = (
        "// [id:x]\n::A::One {T}\n\n// [id:x]\n::B::Two {T}\n\n"
        "$CATEGORY: Top/Other\n\n// [id:x]\n::C::Three {T}\n"
    )
    with pytest.raises(FormatError) as raised:
        import_text(text)
    assert raised.value.problems == [
        (5, "the id number 'x' is already used in this file (line 2) for a question of the same category")
    ]


def test_importing_an_id_number_again_updates_the_question(db, framework):
    import_text(BANK.read_text())
    db.session.commit()
    original = db.session.scalar(select(Question).where(Question.idnumber == "pw-01"))
    original_id = original.id
    changed = (
        "$CATEGORY: Top/Safety\n\n// [id:pw-01] [tag:competence:KASKAD-TEST/1.1] [tag:level:5]\n"
        "::Strongest password::Which one is strongest? {=Long-phrase-2024 ~1234}\n\n"
        "$CATEGORY: Top/Elsewhere\n\n// [id:pw-01]\n::Same id, other category::Another {T}\n"
    )
    done = import_text(changed)
    db.session.commit()
    assert [result.created for result in done] == [False, True]
    db.session.expire_all()
    updated = db.session.get(Question, original_id)
    assert (updated.name, updated.text, updated.level) == ("Strongest password", "Which one is strongest?", 5)
    assert updated.competence == competence("1.1")
    assert updated.tags == []
    assert [answer.text for answer in updated.answers] == ["Long-phrase-2024", "1234"]
    assert count(db, Question) == 8
    assert count(db, Answer) == sum(len(q.answers) for q in db.session.scalars(select(Question)))


# --- CLI -----------------------------------------------------------------------------------------------


def test_dry_run_prints_the_issues_json_and_writes_nothing(db, framework, runner):
    result = runner.invoke(args=["questions", "import", str(BANK), "--format", "gift", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    printed = json.loads(result.stdout)
    assert printed == json.loads((DATA / "bank.json").read_text())
    assert set(printed[0]) == {"name", "type", "text", "format", "category", "answers"}
    assert set(printed[0]["answers"][0]) == {"text", "fraction", "feedback", "tolerance"}
    assert "Київ" in result.stdout  # ensure_ascii=False
    assert result.stdout.startswith('[\n  {\n    "name": "Strong password"')  # indent 2
    assert count(db, Question) == 0 and count(db, QuestionCategory) == 0


def test_dry_run_uses_the_category_option_for_questions_without_one(db, runner, tmp_path):
    path = tmp_path / "plain.gift"
    path.write_text("Сонце — зоря? {T}\n", encoding="utf-8")
    result = runner.invoke(
        args=[
            "questions",
            "import",
            str(path),
            "--format",
            "gift",
            "--category",
            "Top/Астрономія",
            "--dry-run",
        ]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["category"] == "Top/Астрономія"


def test_malformed_question_goes_to_stderr_with_its_line_and_nothing_is_printed_or_imported(
    db, framework, runner, tmp_path
):
    path = tmp_path / "broken.gift"
    path.write_text(
        "::Fine::All good {T}\n\n::Broken::Numbers {#abc}\n\n::Also broken::Pairs {=a -> b =c}\n",
        encoding="utf-8",
    )
    for extra in ([], ["--dry-run"]):
        result = runner.invoke(args=["questions", "import", str(path), "--format", "gift", *extra])
        assert result.exit_code != 0
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert lines[0].startswith(f"{path}:3: ")
        assert lines[1].startswith(f"{path}:5: ")
        assert "Nothing was imported: 2 problems to fix." in lines[-1]
    assert count(db, Question) == 0


def test_unknown_competence_is_reported_by_the_cli_even_on_a_dry_run(db, framework, runner, tmp_path):
    path = tmp_path / "unknown.gift"
    path.write_text(
        "::Fine::Good {T}\n\n// [tag:competence:KASKAD-TEST/7.7]\n::Bad::Bad {T}\n", encoding="utf-8"
    )
    for extra in ([], ["--dry-run"]):
        result = runner.invoke(args=["questions", "import", str(path), "--format", "gift", *extra])
        assert result.exit_code == 1
        assert result.stdout == ""
        assert f"{path}:4: unknown competence 'KASKAD-TEST/7.7'" in result.stderr
    assert count(db, Question) == 0


def test_cli_import_says_what_it_created_and_updated(db, framework, runner):
    first = runner.invoke(args=["questions", "import", str(BANK), "--format", "gift"])
    assert first.exit_code == 0, first.output
    assert "Created “Strong password” (id number pw-01) in Top/Safety." in first.stdout
    assert first.stdout.splitlines()[-1] == "Imported 7 questions: 7 created, 0 updated."
    again = runner.invoke(args=["questions", "import", str(BANK), "--format", "GIFT"])
    assert again.exit_code == 0, again.output
    assert "Updated “Strong password” (id number pw-01) in Top/Safety." in again.stdout
    # The essay has no id number: importing it again adds it again, as Moodle does.
    assert again.stdout.splitlines()[-1] == "Imported 7 questions: 1 created, 6 updated."
    assert count(db, Question) == 8


def test_export_round_trip_gives_the_same_questions(db, framework, runner, tmp_path):
    assert runner.invoke(args=["questions", "import", str(BANK), "--format", "gift"]).exit_code == 0
    before = snapshot(db)
    exported = tmp_path / "top.gift"
    result = runner.invoke(args=["questions", "export", "Top", str(exported), "--format", "gift"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Exported 7 questions of Top to {exported}.\n"
    text = exported.read_text(encoding="utf-8")
    assert "[tag:competence:KASKAD-TEST/4.2] [tag:level:3] [tag:passwords]" in text
    assert "$CATEGORY: Top/Safety/Words" in text
    for question in db.session.scalars(select(Question)):
        db.session.delete(question)
    db.session.commit()
    assert runner.invoke(args=["questions", "import", str(exported), "--format", "gift"]).exit_code == 0
    assert snapshot(db) == before
    again = tmp_path / "again.gift"
    assert runner.invoke(args=["questions", "export", "Top", str(again), "--format", "gift"]).exit_code == 0
    assert again.read_text(encoding="utf-8") == text


def test_export_of_a_sub_category_holds_it_and_its_children_only(db, framework):
    import_text(BANK.read_text())
    import_text("::Other::Elsewhere {T}\n", "Top/Other")
    db.session.commit()
    words = services.export_questions("Top/Safety/Words", "gift")
    assert [question.name for question in parse_gift(words)] == [
        "Capital",
        "Independence",
        "Terms",
        "Reflection",
    ]
    safety = parse_gift(services.export_questions("Top/Safety", "gift"))
    assert len(safety) == 7 and "Other" not in [question.name for question in safety]


def test_export_of_an_unknown_category_fails(db, runner, tmp_path):
    result = runner.invoke(
        args=["questions", "export", "Top/Nowhere", str(tmp_path / "x.gift"), "--format", "gift"]
    )
    assert result.exit_code != 0
    assert "No question category has the path Top/Nowhere." in result.stderr
    assert not (tmp_path / "x.gift").exists()


def test_to_parsed_writes_competence_and_level_tags_first(db, framework):
    import_text(BANK.read_text())
    question = db.session.scalar(select(Question).where(Question.idnumber == "pw-01"))
    parsed = services.to_parsed(question)
    assert parsed.tags == ["competence:KASKAD-TEST/4.2", "level:3", "passwords"]
    assert (parsed.idnumber, parsed.category, parsed.type) == ("pw-01", "Top/Safety", "single")


AIKEN = """Що таке фішинг?
A. Вид спорту
B) Шахрайство, щоб виманити паролі
C. Антивірус
ANSWER: B

Який пароль надійніший?
A) 123456
B) Kobzar!Sonce-2024
ANSWER: B
"""


def test_aiken_dry_run_and_import_into_the_category_given(db, runner, tmp_path):
    path = tmp_path / "quiz.txt"
    path.write_text(AIKEN, encoding="utf-8")
    args = ["questions", "import", str(path), "--format", "aiken", "--category", "Top/Aiken"]
    result = runner.invoke(args=[*args, "--dry-run"])
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout)[0]
    assert first == {
        "name": "Що таке фішинг?",
        "type": "single",
        "text": "Що таке фішинг?",
        "format": "plain",
        "category": "Top/Aiken",
        "answers": [
            {"text": "Вид спорту", "fraction": 0.0, "feedback": "", "tolerance": None},
            {"text": "Шахрайство, щоб виманити паролі", "fraction": 1.0, "feedback": "", "tolerance": None},
            {"text": "Антивірус", "fraction": 0.0, "feedback": "", "tolerance": None},
        ],
    }
    assert count(db, Question) == 0
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "Imported 2 questions: 2 created, 0 updated."
    exported = tmp_path / "back.txt"
    result = runner.invoke(args=["questions", "export", "Top/Aiken", str(exported), "--format", "aiken"])
    assert result.exit_code == 0, result.output
    again = services.parse_file(exported.read_text(encoding="utf-8"), "aiken", "Top/Aiken")
    assert [question.as_json() for question in again] == json.loads(
        runner.invoke(args=[*args, "--dry-run"]).stdout
    )


def test_aiken_export_leaves_out_what_aiken_cannot_hold(db, framework, runner, tmp_path):
    import_text(BANK.read_text())
    db.session.commit()
    target = tmp_path / "bank.txt"
    result = runner.invoke(args=["questions", "export", "Top", str(target), "--format", "aiken"])
    assert result.exit_code == 1
    assert result.stderr.count("Left out") == 7
    assert "Top has no question that AIKEN can hold." in result.stderr
    assert not target.exists()
    services.import_questions(services.parse_file(AIKEN, "aiken", "Top/Safety"))
    db.session.commit()
    result = runner.invoke(args=["questions", "export", "Top", str(target), "--format", "aiken"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Exported 2 questions of Top to {target}.\n"
    assert 'Left out "Two factors": Aiken holds only single-choice questions, not multiple' in result.stderr
    assert target.read_text(encoding="utf-8").count("ANSWER: B") == 2


# --- pages ---------------------------------------------------------------------------------------------


@pytest.fixture
def bank(db, framework):
    import_text(BANK.read_text())
    db.session.commit()
    return {question.idnumber: question for question in db.session.scalars(select(Question))}


@pytest.fixture
def admin(client, world):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # the messages checked below are English
    login(client, world.people["admin@r1"])
    return world.people["admin@r1"]


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def category_id(db, path: str) -> int:
    return db.session.scalar(select(QuestionCategory.id).where(QuestionCategory.path == path))


def test_bank_pages_are_for_authors_only(client, world, bank):
    login(client, world.people["trainer@r1"])
    assert client.get("/courses/questions/").status_code == 403
    assert client.get(f"/courses/questions/{bank['pw-01'].id}").status_code == 403


def test_tree_shows_categories_with_counts_by_competence_and_level(client, admin, bank, db):
    html = page(client, "/courses/questions/")
    assert "<h1>Question bank</h1>" in html
    assert f'href="/courses/questions/categories/{category_id(db, "Top/Safety/Words")}"' in html
    # Top has no question of its own but seven below it; Words four of its own.
    table = html[html.index('id="counts-heading"') :]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", table, re.S)
    cells = [re.findall(r"<td>([^<]*)</td>", row) for row in rows]
    assert len(rows) == 3  # 1.1, 4.2, no competence
    assert "1.1" in rows[0] and "4.2" in rows[1]
    # Columns: levels 2, 3, 4, then "no level", then the total.
    assert cells == [["1", "0", "1", "1", "3"], ["1", "2", "0", "0", "3"], ["0", "0", "0", "1", "1"]]


def test_category_page_lists_and_filters_its_questions(client, admin, bank, db):
    words = category_id(db, "Top/Safety/Words")
    html = page(client, f"/courses/questions/categories/{words}")
    for name in ("Capital", "Independence", "Terms", "Reflection"):
        assert f">{name}</a>" in html
    assert "Strong password" not in html  # a question of the parent category
    one_one = competence("1.1").id
    filtered = page(client, f"/courses/questions/categories/{words}?competence={one_one}&level=4")
    assert ">Independence</a>" in filtered and ">Capital</a>" not in filtered
    untagged = page(client, f"/courses/questions/categories/{words}?competence=none")
    assert ">Reflection</a>" in untagged and ">Terms</a>" not in untagged
    no_level = page(client, f"/courses/questions/categories/{words}?level=none")
    assert ">Terms</a>" in no_level and ">Reflection</a>" in no_level and ">Capital</a>" not in no_level


def test_category_page_is_paginated(client, admin, db, app):
    app.config["LMS_PAGE_SIZE"] = 2
    import_text("\n\n".join(f"::Q{n}::Question {n} {{T}}" for n in range(5)), "Top/Many")
    db.session.commit()
    many = category_id(db, "Top/Many")
    first = page(client, f"/courses/questions/categories/{many}")
    assert ">Q0</a>" in first and ">Q2</a>" not in first
    assert 'rel="next"' in first
    third = page(client, f"/courses/questions/categories/{many}?page=3")
    assert ">Q4</a>" in third and ">Q0</a>" not in third


def test_question_page_renders_the_stem_answers_and_feedback(client, admin, bank, db):
    html = page(client, f"/courses/questions/{bank['pw-01'].id}")
    assert "Which password is the strongest?" in html
    assert "Kobzar!Sonce-2024" in html and "Too common." in html
    assert "25%" in html and "100%" in html
    assert "passwords" in html
    essay = page(client, f"/courses/questions/{bank[''].id}")
    assert "<strong>one</strong>" in essay


def test_question_stems_are_sanitised_in_every_format(client, admin, db):
    text = (
        '::Html::[html]<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:x">l</a></p> {T}\n\n'
        "::Md::[markdown]<script>alert(2)</script> ![map](https://example.org/map.png) {T}\n\n"
        "::Plain::[plain]<b>not bold</b> {T}\n"
    )
    import_text(text)
    db.session.commit()
    ids = dict(db.session.execute(select(Question.name, Question.id)).all())
    html = page(client, f"/courses/questions/{ids['Html']}")
    assert "<script>" not in html.split("<main", 1)[1] and "onclick" not in html and "javascript:" not in html
    markdown = page(client, f"/courses/questions/{ids['Md']}")
    assert "<script>alert(2)" not in markdown and "&lt;script&gt;alert(2)&lt;/script&gt;" in markdown
    assert '<img src="https://example.org/map.png" alt="map">' in markdown
    plain = page(client, f"/courses/questions/{ids['Plain']}")
    assert "&lt;b&gt;not bold&lt;/b&gt;" in plain


def test_download_a_category_as_gift_and_aiken(client, admin, bank, db):
    safety = category_id(db, "Top/Safety")
    response = client.get(f"/courses/questions/categories/{safety}/export?format=gift")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="Top-Safety.gift.txt"'
    assert len(parse_gift(response.get_data(as_text=True))) == 7
    assert client.get(f"/courses/questions/categories/{safety}/export?format=pdf").status_code == 404
    # Nothing in the bank is single choice without partial credit: no Aiken file, a message instead.
    response = client.get(f"/courses/questions/categories/{safety}/export?format=aiken")
    assert response.status_code == 302
    assert "No question of this category can be written as AIKEN." in page(client, response.location)
    services.import_questions(services.parse_file(AIKEN, "aiken", "Top/Safety"))
    db.session.commit()
    response = client.get(f"/courses/questions/categories/{safety}/export?format=aiken")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("ANSWER: B") == 2


def _form_data(html: str) -> dict[str, str]:
    """The values a browser would post from the page's question form (text inputs, selects, areas)."""
    form = html[html.index('<form method="post" action="/courses/questions/') :]
    form = form[: form.index("</form>")]
    data = {name: value for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)}
    for name, value in re.findall(r'<input[^>]*value="([^"]*)"[^>]*name="([^"]+)"', form):
        data.setdefault(value, name)
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = body.removeprefix("\n").replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"')
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        options = [
            (attributes, re.search(r'value="([^"]*)"', attributes))
            for attributes in re.findall(r"<option([^>]*)>", body)
        ]
        chosen = [value.group(1) for attributes, value in options if "selected" in attributes and value]
        data[name] = chosen[0] if chosen else options[0][1].group(1)
    data.pop("csrf_token", None)
    return {name: value.replace("&#39;", "'").replace("&amp;", "&") for name, value in data.items()}


def test_edit_form_saves_a_question_with_its_answers(client, admin, bank, db):
    question = bank["pw-01"]
    data = _form_data(page(client, f"/courses/questions/{question.id}/edit"))
    assert data["answers-0-text"] == "Kobzar!Sonce-2024" and data["answers-2-fraction"] == "25"
    assert data["competence"] == str(competence("4.2").id) and data["level"] == "3"
    data.update(
        {
            "name": "Найнадійніший пароль",
            "text": "Який пароль **найнадійніший**?",
            "format": "markdown",
            "general_feedback": "Довгий і різний.",
            "level": "4",
            "answers-1-fraction": "-33,5",
            "answers-3-text": "Parol",
            "answers-3-fraction": "10",
            "answers-3-feedback": "Ні.",
        }
    )
    response = post(client, f"/courses/questions/{question.id}/edit", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert (question.name, question.level, question.format) == ("Найнадійніший пароль", 4, "markdown")
    assert [(a.text, a.fraction, a.feedback) for a in question.answers] == [
        ("Kobzar!Sonce-2024", 1.0, "Long and mixed."),
        ("qwerty", -0.335, "Too common."),
        ("password123", 0.25, "Better, still weak."),
        ("Parol", 0.1, "Ні."),
    ]
    assert question.idnumber == "pw-01" and question.tags == ["passwords"]
    shown = page(client, f"/courses/questions/{question.id}")
    assert "<strong>найнадійніший</strong>" in shown and "Довгий і різний." in shown


def test_edit_form_keeps_typed_values_and_checks_the_rules_of_the_type(client, admin, bank, db):
    question = bank["pw-02"]  # multiple response
    data = _form_data(page(client, f"/courses/questions/{question.id}/edit"))
    data.update({"name": "Змінена назва", "answers-1-fraction": "20", "answers-2-fraction": "abc"})
    response = post(client, f"/courses/questions/{question.id}/edit", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="Змінена назва"' in html and 'value="abc"' in html
    assert 'aria-invalid="true"' in html
    data["answers-2-fraction"] = "-100"
    html = post(client, f"/courses/questions/{question.id}/edit", data).get_data(as_text=True)
    assert "The positive marks must add up to 100%; they add up to 70%." in html
    db.session.expire_all()
    assert db.session.get(Question, question.id).name == "Two factors"


@pytest.mark.parametrize(
    ("kind", "rows", "problem"),
    [
        ("single", [("Так", "50"), ("Ні", "0")], "One of the choices must be worth 100%."),
        ("single", [("Так", "100")], "Give at least two choices."),
        ("short", [("Київ", "50")], "One of the accepted answers must be worth 100%."),
        ("numerical", [("три", "100")], "Give a number, such as 3,5, or * for any other number."),
        ("matching", [("Пароль", "")], "Give the answer this subquestion matches."),
    ],
)
def test_new_question_rules_per_type(client, admin, db, kind, rows, problem):
    data = {"type": kind, "category": "Top/Нові", "name": "Нове", "text": "Питання?", "format": "markdown"}
    for index, (text, fraction) in enumerate(rows):
        data[f"answers-{index}-text"] = text
        data[f"answers-{index}-{'match' if kind == 'matching' else 'fraction'}"] = fraction
    response = post(client, f"/courses/questions/new?type={kind}", data)
    assert response.status_code == 200
    assert problem in response.get_data(as_text=True).replace("&#39;", "'")
    assert count(db, Question) == 0


def test_new_question_form_starts_with_the_type(client, admin, db):
    chooser = page(client, "/courses/questions/new")
    assert '<select id="type" name="type"' in chooser
    form = page(client, "/courses/questions/new?type=truefalse")
    assert re.search(r'<input id="answers-0-text" name="answers-0-text" type="hidden" value="true">', form)
    data = _form_data(form)
    data.update({"category": "Top/Нові", "name": "Земля кругла", "text": "Земля кругла?"})
    data.update({"answers-0-fraction": "0", "answers-1-fraction": "100", "answers-1-feedback": "Так!"})
    response = post(client, "/courses/questions/new?type=truefalse", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    question = db.session.scalar(select(Question))
    assert (question.type, question.category.path) == ("truefalse", "Top/Нові")
    assert [(a.text, a.fraction, a.feedback) for a in question.answers] == [
        ("true", 0.0, ""),
        ("false", 1.0, "Так!"),
    ]


def test_new_numerical_and_matching_questions(client, admin, db, framework):
    data = {
        "type": "numerical",
        "category": "Top",
        "name": "Рік",
        "text": "Рік незалежності?",
        "format": "plain",
        "competence": str(competence("1.1").id),
        "level": "2",
        "answers-0-text": "1991",
        "answers-0-fraction": "100",
        "answers-1-text": "1990,5",
        "answers-1-fraction": "50",
        "answers-1-tolerance": "1,5",
    }
    assert post(client, "/courses/questions/new?type=numerical", data).status_code == 302
    data = {
        "type": "matching",
        "category": "Top",
        "name": "Пари",
        "text": "З’єднайте.",
        "format": "markdown",
        "answers-0-text": "Пароль",
        "answers-0-match": "Секрет",
        "answers-1-text": "Фішинг",
        "answers-1-match": "Пастка",
        "answers-2-match": "Зайва відповідь",
    }
    assert post(client, "/courses/questions/new?type=matching", data).status_code == 302
    numerical, matching = db.session.scalars(select(Question).order_by(Question.id)).all()
    assert [(a.text, a.fraction, a.tolerance) for a in numerical.answers] == [
        ("1991", 1.0, 0.0),
        ("1990.5", 0.5, 1.5),
    ]
    assert (numerical.competence, numerical.level) == (competence("1.1"), 2)
    assert [(a.text, a.match) for a in matching.answers] == [
        ("Пароль", "Секрет"),
        ("Фішинг", "Пастка"),
        ("", "Зайва відповідь"),
    ]
    # Both can be written as GIFT and read back the same.
    assert len(parse_gift(services.export_questions("Top", "gift"))) == 2


def test_level_must_belong_to_the_competences_framework(client, admin, db, framework):
    # Another framework goes to level 8, so 8 is offered; this competence's framework stops at 7.
    other = Framework(idnumber="OTHER", shortname={"uk": "Інша"})
    other.levels = [ProficiencyLevel(number=n, name={"uk": str(n)}) for n in range(1, 9)]
    db.session.add(other)
    db.session.delete(framework.levels[-1])
    db.session.commit()
    data = {
        "type": "essay",
        "category": "Top",
        "name": "Есе",
        "text": "Опишіть.",
        "format": "markdown",
        "competence": str(competence("4.2").id),
        "level": "8",
    }
    html = post(client, "/courses/questions/new?type=essay", data).get_data(as_text=True)
    assert "The framework of this competence has levels 1 to 7." in html
    data["level"] = "7"
    assert post(client, "/courses/questions/new?type=essay", data).status_code == 302


def test_add_more_rows_keeps_what_was_typed(client, admin, db):
    data = _form_data(page(client, "/courses/questions/new?type=single"))
    assert "answers-3-text" in data and "answers-4-text" not in data  # four rows to start with
    data.update({"name": "Name kept", "text": "T", "answers-0-text": "Перша"})
    html = post(client, "/courses/questions/new?type=single", {**data, "more_rows": "1"}).get_data(
        as_text=True
    )
    assert 'value="Name kept"' in html and 'value="Перша"' in html
    assert 'name="answers-6-text"' in html and 'name="answers-7-text"' not in html
    assert count(db, Question) == 0


def test_moving_a_question_to_a_category_with_its_id_number_is_refused(client, admin, bank, db):
    import_text("// [id:pw-01]\n::Twin::Same id number elsewhere {T}\n", "Top/Other")
    db.session.commit()
    question = bank["pw-01"]
    data = _form_data(page(client, f"/courses/questions/{question.id}/edit"))
    html = post(client, f"/courses/questions/{question.id}/edit", {**data, "category": "Top/Other"}).get_data(
        as_text=True
    )
    assert "Another question of that category has the id number pw-01." in html
    assert (
        post(client, f"/courses/questions/{question.id}/edit", {**data, "category": "Top/New"}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Question, question.id).category.path == "Top/New"


def test_confirm_checks_the_file_again(client, admin, db, framework):
    text = "// [tag:competence:KASKAD-TEST/4.2]\n::Q::Tagged {T}\n"
    html = _upload(client, text.encode()).get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    db.session.delete(competence("4.2"))  # the competence went away between preview and confirm
    db.session.commit()
    response = post(
        client, "/courses/questions/import/confirm", {"token": token, "format": "gift", "category": ""}
    )
    assert response.status_code == 200
    assert "unknown competence &#39;KASKAD-TEST/4.2&#39;" in response.get_data(as_text=True)
    assert count(db, Question) == 0 and count(db, ImportUpload) == 0


def test_delete_a_question_needs_the_box_ticked(client, admin, bank, db):
    question_id = bank["pw-01"].id
    assert post(client, f"/courses/questions/{question_id}/delete", {}).status_code == 200
    assert db.session.get(Question, question_id) is not None
    response = post(client, f"/courses/questions/{question_id}/delete", {"confirm": "y"})
    assert response.status_code == 302
    assert response.location == f"/courses/questions/categories/{category_id(db, 'Top/Safety')}"
    db.session.expire_all()
    assert db.session.get(Question, question_id) is None
    assert count(db, Answer) == sum(len(q.answers) for q in db.session.scalars(select(Question)))


def _upload(client, content: bytes, fmt: str = "gift", category: str = ""):
    return post(
        client,
        "/courses/questions/import",
        {"file": (io.BytesIO(content), "bank.txt"), "format": fmt, "category": category},
        content_type="multipart/form-data",
    )


def test_upload_previews_then_imports_on_confirm(client, admin, db, framework):
    response = _upload(client, BANK.read_bytes())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Strong password" in html and "KASKAD-TEST" in html
    assert count(db, Question) == 0
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    response = post(
        client, "/courses/questions/import/confirm", {"token": token, "format": "gift", "category": ""}
    )
    assert response.status_code == 302
    assert count(db, Question) == 7
    assert count(db, ImportUpload) == 0
    # The same file again: every question with an id number is an update.
    html = _upload(client, BANK.read_bytes()).get_data(as_text=True)
    assert html.count("<td>Update</td>") == 6


def test_upload_with_errors_lists_every_line_and_keeps_the_format(client, admin, db, framework):
    broken = (
        "::Fine::Good {T}\n\n::Bad::Broken {#abc}\n\n// [tag:competence:KASKAD-TEST/7.7]\n::Unknown::x {T}\n"
    )
    html = _upload(client, broken.encode(), "gift").get_data(as_text=True)
    assert re.search(r"<td>3</td><td>[^<]+</td>", html)
    assert 'name="token"' not in html
    aiken = _upload(client, b"Question without answers\n", "aiken").get_data(as_text=True)
    assert '<option selected value="aiken">' in aiken
    assert "<td>1</td>" in aiken
    assert count(db, Question) == 0
    unknown = _upload(client, b"// [tag:competence:KASKAD-TEST/7.7]\n::Unknown::x {T}\n")
    assert "<td>2</td><td>unknown competence &#39;KASKAD-TEST/7.7&#39;" in unknown.get_data(as_text=True)


def test_confirm_of_an_unknown_upload_goes_back_to_the_form(client, admin):
    response = post(client, "/courses/questions/import/confirm", {"token": "nope", "format": "gift"})
    assert response.status_code == 302
    assert response.location == "/courses/questions/import"


def test_an_upload_larger_than_the_limit_is_refused_and_nothing_kept(app, client, admin, db, framework):
    app.config["LMS_MAX_UPLOAD_MB"] = 1
    big = BANK.read_bytes() + b"\n// padding\n" * (1024 * 1024 // 12 + 1)

    response = post(
        client,
        "/courses/questions/import",
        {"file": (io.BytesIO(big), "bank.gift"), "format": "gift", "category": ""},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 200
    assert "The file is larger than 1 MB." in response.get_data(as_text=True)
    assert count(db, Question) == 0
