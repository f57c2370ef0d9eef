"""Moodle's Aiken format: one-line single-choice questions, their options and ``ANSWER:``; malformed
questions reported with their line, and files written back that read to the same questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from courses.questions.formats.aiken import dump_aiken, parse_aiken
from courses.questions.interchange import (
    MULTIPLE,
    SINGLE,
    TRUEFALSE,
    FormatError,
    ParsedAnswer,
    ParsedQuestion,
)

DATA = Path(__file__).parent / "data" / "aiken"

DOCS_EXAMPLE = """What is the correct answer to this question?
A. Is it this one?
B. Maybe this answer?
C. Possibly this one?
D. Must be this one!
ANSWER: D

Which LMS has the most quiz import formats?
A) Moodle
B) ATutor
C) Claroline
D) Blackboard
E) WebCT
F) Ilias
ANSWER: A
"""


def problems(text: str) -> list[tuple[int, str]]:
    with pytest.raises(FormatError) as caught:
        parse_aiken(text)
    return caught.value.problems


def choice(name: str, text: str, options: list[str], right: int, **fields) -> ParsedQuestion:
    answers = [ParsedAnswer(option, 1.0 if index == right else 0.0) for index, option in enumerate(options)]
    return ParsedQuestion(name=name, type=SINGLE, text=text, answers=answers, **fields)


def test_the_documentations_example_reads_with_both_option_styles():
    first, second = parse_aiken(DOCS_EXAMPLE)
    assert (first.type, first.text, first.line) == (SINGLE, "What is the correct answer to this question?", 1)
    assert [(answer.text, answer.fraction) for answer in first.answers] == [
        ("Is it this one?", 0.0),
        ("Maybe this answer?", 0.0),
        ("Possibly this one?", 0.0),
        ("Must be this one!", 1.0),
    ]
    assert [answer.fraction for answer in second.answers] == [1.0, 0, 0, 0, 0, 0]
    assert second.line == 8


def test_a_question_is_plain_text_in_the_given_category_named_by_its_text():
    question = parse_aiken(
        "Що означає <b> у HTML?\nA. Жирний шрифт\nB. Курсив\nANSWER: A\n", category="Top/Безпека"
    )[0]
    assert question.as_json() == {
        "name": "Що означає <b> у HTML?",
        "type": "single",
        "text": "Що означає <b> у HTML?",
        "format": "plain",
        "category": "Top/Безпека",
        "answers": [
            {"text": "Жирний шрифт", "fraction": 1.0, "feedback": "", "tolerance": None},
            {"text": "Курсив", "fraction": 0.0, "feedback": "", "tolerance": None},
        ],
    }


def test_a_long_question_is_named_by_its_first_80_characters():
    text = "Бібліотекарка допомагає відвідувачеві " + "налаштувати двофакторну автентифікацію " * 3
    question = parse_aiken(f"{text}\nA. Так\nB. Ні\nANSWER: B")[0]
    assert question.name == "Бібліотекарка допомагає відвідувачеві налаштувати двофакторну автентифікацію ..."
    assert question.text == text.strip()


def test_questions_may_follow_one_another_without_blank_lines():
    questions = parse_aiken((DATA / "digcomp.txt").read_text(encoding="utf-8"))
    assert len(questions) == 4
    assert [question.line for question in questions] == [1, 8, 14, 19]
    assert questions[1].answers[0].text == "Адреса починається з https://"


def test_ukrainian_apostrophes_are_kept():
    question = parse_aiken("Що таке пам’ятка?\nA. Об'єкт\nB. Обʼєкт\nANSWER: B")[0]
    assert [answer.text for answer in question.answers] == ["Об'єкт", "Обʼєкт"]
    assert question.text == "Що таке пам’ятка?"


def test_windows_line_endings_a_byte_order_mark_and_indentation():
    questions = parse_aiken(
        "\ufeffПерше?\r\n  A. Так\r\n\tB. Ні\r\nANSWER: A\r\n\r\nДруге?\rA) а\rB) б\rANSWER: B\r"
    )
    assert [(question.text, question.line) for question in questions] == [("Перше?", 1), ("Друге?", 6)]
    assert [answer.text for answer in questions[0].answers] == ["Так", "Ні"]


def test_the_answer_letter_may_be_followed_by_its_bracket():
    assert parse_aiken("Так?\nA) Так\nB) Ні\nANSWER: A)")[0].answers[0].fraction == 1.0
    assert parse_aiken("Так?\nA. Так\nB. Ні\nANSWER:B")[0].answers[1].fraction == 1.0


def test_an_empty_file_has_no_questions():
    assert parse_aiken("") == []
    assert parse_aiken("\n\n  \n") == []


# Malformed questions


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Питання?\nA. Так\nB. Ні\n", 1, "no ANSWER: line"),
        ("Питання?\nA. Так\nB. Ні\n\nНаступне?\nA. а\nB. б\nANSWER: A", 1, "no ANSWER: line"),
        ("Питання,\nщо продовжується?\nA. Так\nB. Ні\nANSWER: A", 1, "the text goes on on line 7"),
        ("Питання?\nA. Так\nB. Ні\nANSWER: C", 1, "ANSWER: C is not one of the options A to B"),
        ("Питання?\nA. Так\nB. Ні\nANSWER: b", 1, "should be one capital letter"),
        ("Питання?\nA. Так\nB. Ні\nANSWER: A B", 1, "should be one capital letter"),
        ("Питання?\nA. Так\nB. Ні\nANSWER:", 1, "should be one capital letter"),
        ("Питання?\nA. Так\nC. Ні\nANSWER: A", 1, "option C on line 8 should be B"),
        ("Питання?\nA. Так\nANSWER: A", 1, "at least two options"),
        ("Питання?\nANSWER: A", 1, "at least two options"),
        ("Питання?\nA. Так\nB.\nANSWER: A", 1, "option B on line 8 is empty"),
        ("A. Так\nB. Ні\nANSWER: A", 1, "an option outside a question"),
        ("ANSWER: A", 1, "ANSWER: outside a question"),
    ],
)
def test_a_malformed_question_is_reported_with_its_line(text, line, message):
    reported = problems(f"Добре?\nA. Так\nB. Ні\nANSWER: A\n\n{text}")
    assert reported[0][0] == line + 5
    assert message in reported[0][1]


def test_every_malformed_question_is_reported_and_none_returned():
    reported = problems((DATA / "broken.txt").read_text(encoding="utf-8"))
    assert [line for line, _ in reported] == [1, 5, 16]


# Writing


def test_what_is_written():
    questions = [
        choice("Фішинг", "Що таке фішинг?", ["Риболовля", "Шахрайство"], 1, category="Top"),
        choice("HTTPS", "Що шифрує HTTPS?", ["Зʼєднання", "Диск", "Пам’ять"], 0),
    ]
    assert dump_aiken(questions) == (
        "Що таке фішинг?\nA) Риболовля\nB) Шахрайство\nANSWER: B\n\n"
        "Що шифрує HTTPS?\nA) Зʼєднання\nB) Диск\nC) Пам’ять\nANSWER: A\n"
    )


def test_a_file_survives_a_round_trip():
    text = (DATA / "digcomp.txt").read_text(encoding="utf-8")
    questions = parse_aiken(text, category="Top/Безпека")
    written = dump_aiken(questions)
    back = parse_aiken(written, category="Top/Безпека")
    for question in questions + back:
        question.line = 0
    assert back == questions
    assert dump_aiken(back) == written


def test_html_is_written_as_its_plain_text():
    question = choice("HTML", "<p>Що означає &laquo;<b>HTTPS</b>&raquo;?</p>", ["<i>Шифрування</i>", "Ні"], 0)
    question.format = "html"
    assert dump_aiken([question]).splitlines()[:2] == ["Що означає «HTTPS»?", "A) Шифрування"]


def test_feedback_names_and_tags_are_left_out_as_aiken_has_no_place_for_them():
    question = choice("Назва", "Питання?", ["Так", "Ні"], 0, general_feedback="Загальний", tags=["мітка"])
    question.answers[0].feedback = "Відгук"
    assert dump_aiken([question]) == "Питання?\nA) Так\nB) Ні\nANSWER: A\n"


def test_what_aiken_cannot_hold_is_refused_naming_each_question():
    partial = choice("Частково", "Оберіть.", ["а", "б", "в"], 0)
    partial.answers[1].fraction = 0.5
    two_right = choice("Дві правильні", "Оберіть.", ["а", "б"], 0)
    two_right.answers[1].fraction = 1.0
    questions = [
        choice("Добре", "Питання?", ["Так", "Ні"], 0),
        ParsedQuestion(name="Кілька", type=MULTIPLE, text="Оберіть.", answers=[ParsedAnswer("а", 0.5)]),
        ParsedQuestion(name="Правда", type=TRUEFALSE, text="Так?", answers=[ParsedAnswer("true", 1.0)]),
        partial,
        two_right,
        choice("Рядки", "Перший рядок\nдругий рядок?", ["а", "б"], 0),
        choice("Один", "Оберіть.", ["а"], 0),
        choice("Забагато", "Оберіть.", [str(number) for number in range(27)], 0),
        choice("Як варіант", "A. Схоже на варіант", ["а", "б"], 0),
        choice("Відповідь", "ANSWER: A", ["а", "б"], 0),
        choice("Порожній", "Оберіть.", ["а", " "], 0),
        choice("Варіант у рядки", "Оберіть.", ["а\nб", "в"], 0),
        choice("Без тексту", "  ", ["а", "б"], 0),
    ]
    with pytest.raises(FormatError) as caught:
        dump_aiken(questions)
    assert [line for line, _ in caught.value.problems] == list(range(2, 14))
    assert all(f'"{questions[line - 1].name}"' in message for line, message in caught.value.problems)
    messages = dict(caught.value.problems)
    assert "only single-choice questions, not multiple" in messages[2]
    assert "no partial or negative credit" in messages[4]
    assert "one line" in messages[6]


def test_an_empty_list_writes_an_empty_file():
    assert dump_aiken([]) == ""
