"""Moodle's GIFT format: every construct of its documentation read as Moodle's importer reads it,
malformed questions reported with their line, and files written back that read to the same questions."""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from courses.questions.formats.gift import default_question_name, dump_gift, parse_gift
from courses.questions.interchange import (
    ESSAY,
    FORMATS,
    MATCHING,
    MULTIPLE,
    NUMERICAL,
    SHORT,
    SINGLE,
    TRUEFALSE,
    TYPES,
    FormatError,
    ParsedAnswer,
    ParsedQuestion,
)

DATA = Path(__file__).parent / "data" / "gift"


def one(text: str, category: str = "") -> ParsedQuestion:
    questions = parse_gift(text, category)
    assert len(questions) == 1
    return questions[0]


def answers(question: ParsedQuestion) -> list[tuple[str, float, str]]:
    return [(answer.text, answer.fraction, answer.feedback) for answer in question.answers]


def problems(text: str) -> list[tuple[int, str]]:
    with pytest.raises(FormatError) as caught:
        parse_gift(text)
    return caught.value.problems


def without_lines(questions: list[ParsedQuestion]) -> list[ParsedQuestion]:
    for question in questions:
        question.line = 0
    return questions


def assert_round_trip(questions: list[ParsedQuestion]) -> str:
    """parse(dump(q)) gives q back, and dumping that again gives the same bytes."""
    written = dump_gift(questions)
    back = parse_gift(written)
    assert without_lines(back) == without_lines(list(questions))
    assert dump_gift(back) == written
    return written


# Multiple choice: single and multiple, as Moodle decides


def test_multiple_choice_with_an_equals_answer_is_single_choice():
    question = one("Хто похований у гробниці Гранта?{~Грант ~Джефферсон =ніхто}")
    assert question.type == SINGLE
    assert question.text == "Хто похований у гробниці Гранта?"
    assert answers(question) == [("Грант", 0.0, ""), ("Джефферсон", 0.0, ""), ("ніхто", 1.0, "")]


def test_answers_with_tilde_and_none_with_equals_make_a_multiple_response_question():
    question = one("Хто похований? {~%-100%Ніхто ~%50%Грант ~%50%Дружина Гранта ~%-100%Батько Гранта}")
    assert question.type == MULTIPLE
    assert [answer.fraction for answer in question.answers] == [-1.0, 0.5, 0.5, -1.0]


def test_weights_may_have_decimals_and_feedback_follows_a_hash():
    question = one("Оберіть. {~%33.33333%а#так ~%33.33333%б ~%33.33334%в ~г#ні}")
    assert question.type == MULTIPLE
    assert answers(question) == [
        ("а", 0.3333333, "так"),
        ("б", 0.3333333, ""),
        ("в", 0.3333334, ""),
        ("г", 0.0, "ні"),
    ]


def test_partial_credit_in_a_single_choice_question():
    question = one("Складне питання.{~неправильна ~%50%половина балів =повний бал}")
    assert question.type == SINGLE
    assert [answer.fraction for answer in question.answers] == [0.0, 0.5, 1.0]


def test_percent_signs_around_words_are_text_as_in_moodle():
    question = one("Оберіть. {=%так% ~%п’ятдесят%ні ~%%}")
    assert answers(question) == [("%так%", 1.0, ""), ("%п’ятдесят%ні", 0.0, ""), ("%%", 0.0, "")]


def test_text_before_the_first_prefix_is_a_wrong_answer_as_in_moodle():
    question = one("Оберіть. {перша ~друга =третя}")
    assert answers(question) == [("перша", 0.0, ""), ("друга", 0.0, ""), ("третя", 1.0, "")]


# Missing word


def test_text_after_the_answers_makes_a_missing_word_question():
    question = one("Грант {~похований =упокоєний ~живе} у гробниці Гранта.")
    assert question.text == "Грант _____ у гробниці Гранта."
    assert question.name == "Грант _____ у гробниці Гранта."


def test_answers_before_the_closing_full_stop_leave_a_blank_too():
    assert one("Два плюс два дорівнює {=чотири =4}.").text == "Два плюс два дорівнює _____."


def test_answers_at_the_very_end_leave_no_blank():
    assert one("Два плюс два дорівнює? {=чотири =4}").text == "Два плюс два дорівнює?"


def test_any_type_can_be_a_missing_word_question():
    assert one("Сонце {T} сходить на сході.").text == "Сонце _____ сходить на сході."
    assert one("Грант народився {#1822} року.").type == NUMERICAL


# Short answer


def test_only_equals_answers_make_a_short_answer_question():
    question = one("Хто похований у гробниці Гранта?{=ніхто =ніхто не похований}")
    assert question.type == SHORT
    assert answers(question) == [("ніхто", 1.0, ""), ("ніхто не похований", 1.0, "")]


def test_short_answers_take_weights_and_feedback():
    question = one(
        "::Звідки Ісус::Ісус Христос походив з {=Назарета#Так! =%75%Назерета#З помилкою. "
        "=%25%Вифлеєма#Там народився.}."
    )
    assert question.type == SHORT
    assert answers(question) == [
        ("Назарета", 1.0, "Так!"),
        ("Назерета", 0.75, "З помилкою."),
        ("Вифлеєма", 0.25, "Там народився."),
    ]


def test_one_answer_may_go_without_the_equals_sign():
    question = one("Як називається всесвітня мережа? {інтернет}")
    assert question.type == SHORT
    assert answers(question) == [("інтернет", 1.0, "")]


def test_true_and_false_are_recognised_only_in_capitals_as_in_moodle():
    assert one("Київ — столиця України? {true}").type == SHORT


# True/false


@pytest.mark.parametrize(
    ("block", "true", "false"),
    [("{T}", 1.0, 0.0), ("{TRUE}", 1.0, 0.0), ("{F}", 0.0, 1.0), ("{FALSE}", 0.0, 1.0)],
)
def test_true_false_answers_are_true_and_false_with_their_fractions(block, true, false):
    question = one(f"Сонце сходить на сході.{block}")
    assert question.type == TRUEFALSE
    assert answers(question) == [("true", true, ""), ("false", false, "")]


def test_true_false_feedback_goes_on_the_wrong_choice_then_on_the_right_one():
    true = one("Київ — столиця.{TRUE#Ні, це столиця.#Так, правильно.}")
    assert answers(true) == [("true", 1.0, "Так, правильно."), ("false", 0.0, "Ні, це столиця.")]
    false = one("Грант похований у гробниці Гранта.{FALSE#Ні, там лежить Грант.#Так.}")
    assert answers(false) == [("true", 0.0, "Ні, там лежить Грант."), ("false", 1.0, "Так.")]


def test_true_false_with_only_feedback_for_a_wrong_choice():
    assert answers(one("Сонце сходить на заході.{F#Ні, на сході.}")) == [
        ("true", 0.0, "Ні, на сході."),
        ("false", 1.0, ""),
    ]


# Matching


def test_equals_with_arrows_make_a_matching_question():
    question = one("Зіставте країни зі столицями. {=Канада -> Оттава =Італія -> Рим =Японія -> Токіо}")
    assert question.type == MATCHING
    assert [answer.as_json(MATCHING)["text"] for answer in question.answers] == [
        "Канада -> Оттава",
        "Італія -> Рим",
        "Японія -> Токіо",
    ]
    assert (question.answers[0].text, question.answers[0].match) == ("Канада", "Оттава")


def test_two_pairs_are_enough_as_moodles_importer_checks():
    question = one("::Q4:: Which animal eats which food? { =cat -> cat food =dog -> dog food }")
    assert [(answer.text, answer.match) for answer in question.answers] == [
        ("cat", "cat food"),
        ("dog", "dog food"),
    ]


def test_a_pair_without_an_item_adds_a_wrong_match():
    question = one("Зіставте. {=Канада -> Оттава =Італія -> Рим = -> Харків}")
    assert [(answer.text, answer.match, answer.fraction) for answer in question.answers][-1] == (
        "",
        "Харків",
        0.0,
    )


def test_a_hash_in_a_matching_pair_is_text_as_moodle_has_no_feedback_there():
    question = one("Зіставте. {=C# -> мова =F# -> нота}")
    assert [(answer.text, answer.match) for answer in question.answers] == [("C#", "мова"), ("F#", "нота")]


# Numerical


def test_a_number_with_a_tolerance():
    question = one("Коли народився Улісс С. Грант?{#1822:5}")
    assert question.type == NUMERICAL
    assert question.answers == [ParsedAnswer("1822", 1.0, "", 5.0)]


def test_a_range_becomes_its_midpoint_with_half_its_width_as_tolerance():
    question = one("Яке значення числа пі? {#3.141..3.142}")
    assert question.answers[0].as_json(NUMERICAL) == {
        "text": "3.1415",
        "fraction": 1.0,
        "feedback": "",
        "tolerance": 0.0005,
    }
    assert one("Число від 1 до 5? {#1..5}").answers == [ParsedAnswer("3", 1.0, "", 2.0)]


def test_a_number_without_a_tolerance_has_tolerance_zero():
    assert one("Температура замерзання за Фаренгейтом? {#32}").answers == [ParsedAnswer("32", 1.0, "", 0.0)]
    assert one("Скільки це? {#-40}").answers[0].text == "-40"


def test_several_numbers_with_partial_credit_and_multi_line_feedback():
    question = one(
        "Коли народився Грант? {#\n"
        "    =1822:0      # Правильно! Повний бал.\n"
        "    =%50%1822:2  # Він народився 1822 року.\n"
        "                   Половина балів за близьку відповідь.\n"
        "}"
    )
    assert question.answers == [
        ParsedAnswer("1822", 1.0, "Правильно! Повний бал.", 0.0),
        ParsedAnswer("1822", 0.5, "Він народився 1822 року.\nПоловина балів за близьку відповідь.", 2.0),
    ]


def test_feedback_for_any_other_number_as_moodle_exports_it():
    question = one("Скільки областей? {#=24:0#Так. ~#Ні, двадцять чотири.}")
    assert question.answers[-1] == ParsedAnswer("*", 0.0, "Ні, двадцять чотири.", 0.0)


def test_numbers_are_written_as_plain_decimals_and_a_decimal_comma_is_accepted():
    assert one("Пі? {#3,14:0,01}").answers == [ParsedAnswer("3.14", 1.0, "", 0.01)]
    assert one("Тисяча? {#1e3:1.50}").answers == [ParsedAnswer("1000", 1.0, "", 1.5)]
    assert one("Нуль? {#-0.0}").answers[0].text == "0"


# Essay and general feedback


def test_an_empty_block_is_an_essay():
    question = one("Напишіть коротку біографію Дага Гаммаршельда. {}")
    assert question.type == ESSAY
    assert question.answers == []


def test_general_feedback_follows_four_hashes():
    essay = one("Як ви? {####Сподіваємося, що добре.}")
    assert (essay.type, essay.general_feedback) == (ESSAY, "Сподіваємося, що добре.")
    choice = one("Скільки буде 2 + 2? {=4 =чотири ####Це додавання.}")
    assert (choice.type, choice.general_feedback) == (SHORT, "Це додавання.")
    assert answers(choice) == [("4", 1.0, ""), ("чотири", 1.0, "")]


# Names, comments, id numbers, tags and categories


def test_a_name_between_double_colons_with_escaped_colons():
    question = one("::Час\\: 10\\:30::О котрій перерва? {=10\\:30}")
    assert question.name == "Час: 10:30"
    assert answers(question) == [("10:30", 1.0, "")]


def test_without_a_name_moodle_names_the_question_with_the_start_of_its_text():
    assert one("Що таке фішинг? {T}").name == "Що таке фішинг?"
    long_text = "Бібліотекарка допомагає відвідувачеві " + "налаштувати двофакторну автентифікацію " * 3
    name = one(long_text + "{T}").name
    assert name == "Бібліотекарка допомагає відвідувачеві налаштувати двофакторну автентифікацію ..."
    assert len(name) <= 80
    assert default_question_name("<p>Що означає <b>HTTPS</b>?</p>") == "Що означає HTTPS?"


def test_comments_are_ignored_wherever_they_are():
    question = one("// Перший коментар\nЯка столиця? {\n// коментар серед відповідей\n=Київ\n~Львів\n}")
    assert answers(question) == [("Київ", 1.0, ""), ("Львів", 0.0, "")]


def test_two_slashes_inside_a_line_are_text():
    assert one("Адреса https://example.org безпечна? {T}").text == "Адреса https://example.org безпечна?"


def test_id_number_and_tags_come_from_a_comment_of_the_question():
    question = one("// [id:ds-001] [tag:паролі] [tag:безпека] [tag:з \\] дужкою]\n::Пароль:: Надійний? {F}")
    assert question.idnumber == "ds-001"
    assert question.tags == ["паролі", "безпека", "з ] дужкою"]


def test_a_comment_separated_by_a_blank_line_belongs_to_no_question():
    question = one("// [id:ds-001] [tag:паролі]\n\n::Пароль:: Надійний? {F}")
    assert (question.idnumber, question.tags) == ("", [])


def test_category_lines_apply_to_the_questions_after_them():
    questions = parse_gift(
        "Перше? {T}\n\n$CATEGORY: Top/Безпека\n\nДруге? {T}\n\nТретє? {T}\n\n"
        "$CATEGORY: tom/dick/harry\nЧетверте? {T}\n\n$CATEGORY:\n\nП’яте? {T}",
        category="Типова",
    )
    assert [question.category for question in questions] == [
        "Типова",
        "Top/Безпека",
        "Top/Безпека",
        "tom/dick/harry",
        "Типова",
    ]
    assert questions[3].line == 10


# Text formats


@pytest.mark.parametrize("text_format", ["moodle", "html", "markdown", "plain"])
def test_a_format_marker_gives_the_text_format(text_format):
    question = one(f"::Назва::[{text_format}]Текст **питання**. {{T}}")
    assert (question.format, question.text) == (text_format, "Текст **питання**.")


def test_the_format_is_moodle_by_default_and_answers_share_it():
    assert one("Питання? {T}").format == "moodle"
    question = one("[html]<p>Що?</p> {=[html]<b>так</b>#[html]<i>добре</i> ~ні ####[html]<p>загальний</p>}")
    assert answers(question) == [("<b>так</b>", 1.0, "<i>добре</i>"), ("ні", 0.0, "")]
    assert question.general_feedback == "<p>загальний</p>"


def test_a_markdown_link_at_the_start_is_text_not_a_marker():
    assert (
        one("[Реєстр](https://example.org) відкритий? {T}").text == "[Реєстр](https://example.org) відкритий?"
    )


# Escapes, lines and encodings


def test_every_escape():
    question = one("Символи \\~ \\= \\# \\{ \\} \\: і \\\\ та рядок\\nдругий. {=\\= 2 + 3#\\#так ~\\~ 4}")
    assert question.text == "Символи ~ = # { } : і \\ та рядок\nдругий."
    assert answers(question) == [("= 2 + 3", 1.0, "#так"), ("~ 4", 0.0, "")]


def test_an_escaped_backslash_before_n_is_a_backslash_and_an_n():
    assert one("Шлях C:\\\\new {T}").text == "Шлях C:\\new"


def test_other_backslashes_stay_as_written():
    assert one("Вираз \\d+ у регулярних виразах? {T}").text == "Вираз \\d+ у регулярних виразах?"


def test_questions_and_answers_may_span_lines():
    question = one(
        "::Багаторядкове::Прочитайте уривок.\nЧи безпечно вводити\nпароль без HTTPS? {\n"
        "    =Ні#Правильно: пароль\n        можна перехопити.\n    ~Так\n}"
    )
    assert question.text == "Прочитайте уривок.\nЧи безпечно вводити\nпароль без HTTPS?"
    assert answers(question) == [("Ні", 1.0, "Правильно: пароль\nможна перехопити."), ("Так", 0.0, "")]


def test_windows_line_endings_and_a_byte_order_mark():
    questions = parse_gift("\ufeff// коментар\r\n::Перше::Так? {T}\r\n\r\n::Друге::Ні? {F}\r\n")
    assert [(question.name, question.line) for question in questions] == [("Перше", 2), ("Друге", 4)]


def test_old_mac_line_endings():
    assert [question.name for question in parse_gift("::А::Так? {T}\r\r::Б::Ні? {F}")] == ["А", "Б"]


def test_each_question_knows_the_line_its_text_starts_on():
    questions = parse_gift(
        "// заголовок\n\n\n// коментар\n::А::Так? {T}\n\n\n\n$CATEGORY: X\n\n::Б::\nНі?\n{F}\n"
    )
    assert [question.line for question in questions] == [5, 11]


def test_ukrainian_apostrophes_are_kept():
    question = one("::Апострофи::Пам’ятка: обʼєкт, м'яч, пʼять? {=сім’я =сімʼя =сім'я}")
    assert question.text == "Пам’ятка: обʼєкт, м'яч, пʼять?"
    assert [answer.text for answer in question.answers] == ["сім’я", "сімʼя", "сім'я"]


def test_the_dry_run_object_of_a_question():
    assert one(
        "::Фішинг::[markdown]Що таке **фішинг**? {=Шахрайство#Так ~Риболовля}", "Top/Безпека"
    ).as_json() == {
        "name": "Фішинг",
        "type": "single",
        "text": "Що таке **фішинг**?",
        "format": "markdown",
        "category": "Top/Безпека",
        "answers": [
            {"text": "Шахрайство", "fraction": 1.0, "feedback": "Так", "tolerance": None},
            {"text": "Риболовля", "fraction": 0.0, "feedback": "", "tolerance": None},
        ],
    }


def test_an_empty_file_has_no_questions():
    assert parse_gift("") == []
    assert parse_gift("// лише коментар\n\n$CATEGORY: Top\n") == []


# Malformed questions


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("::Дужка:: Не закрито {\n=так\n~ні", "is not closed with }"),
        ("::Дужка:: Зайва } дужка", "without an opening {"),
        ("::Дужки:: Два блоки {=a} і {=b}", "more than one { … }"),
        ("::Дужки:: Навпаки } і {", "} comes before {"),
        ("::Опис:: Просто текст без відповідей.", "a description"),
        ("::Назва без кінця Текст {T}", "not closed with ::"),
        ("::Порожнє::{T}", "has no text"),
        ("Число? {#=abc:1}", "'abc' is not a number"),
        ("Число? {#5:abc}", "'abc' is not a number"),
        ("Число? {#5:-1}", "the tolerance -1 is negative"),
        ("Число? {#5..1}", "from the lower number to the higher"),
        ("Число? {#}", "at least one number"),
        ("Число? {#=%50%5}", "no number is worth 100%"),
        ("Число? {#=5 ~так#ні}", "only ~#feedback"),
        ("Зіставте. {=кіт -> корм =пес}", "pair 2 has no ->"),
        ("Зіставте. {=кіт -> корм}", "at least two pairs"),
        ("Зіставте. {=кіт -> =пес -> кістка}", "pair 1 has nothing after ->"),
        ("Оберіть. {~%150%так =ні}", "the weight 150% is outside"),
        ("Оберіть. {~%-101%так =ні}", "the weight -101% is outside"),
        ("Оберіть. {~%5.0.0%так =ні}", "is not a percentage"),
        ("Оберіть. {~%--50%так =ні}", "is not a percentage"),
        ("Оберіть. {=%50%так ~ні}", "a weight goes after ~"),
        ("Оберіть. {~%50%так ~%30%ні}", "add up to 80%"),
        ("Оберіть. {~так ~ні}", "add up to 0%"),
        ("Оберіть. {~так}", "two answers"),
        ("Оберіть. {=так ~ ~ні}", "answer 2 is empty"),
        ("Введіть. {=%50%так}", "no answer is worth 100%"),
        ("[HTML]<p>Текст</p> {T}", "unknown text format [HTML]"),
        ("Оберіть. {=[md]так ~ні}", "unknown text format [md]"),
    ],
)
def test_a_malformed_question_is_reported_with_its_line(text, message):
    reported = problems(f"::Добре::Так? {{T}}\n\n// коментар\n{text}\n\n::Теж добре::Ні? {{F}}")
    assert len(reported) == 1
    line, said = reported[0]
    assert line == 4
    assert message in said


def test_every_malformed_question_is_reported_and_none_returned():
    reported = problems((DATA / "broken.gift").read_text(encoding="utf-8"))
    assert [line for line, _ in reported] == [5, 9, 13, 19, 21, 23]


def test_a_bracketed_word_can_start_a_text_after_an_explicit_marker():
    assert one("[moodle][HTML] — мова розмітки? {T}").text == "[HTML] — мова розмітки?"


# The documentation's every construct, and Moodle's own export


def test_every_construct_of_the_documentation_reads():
    questions = parse_gift((DATA / "every-construct.gift").read_text(encoding="utf-8"))
    assert set(Counter(question.type for question in questions)) == set(TYPES)
    assert len(questions) == 54
    assert {question.format for question in questions} == {"moodle", "html", "markdown", "plain"}
    by_name = {question.name: question for question in questions}
    assert by_name["Керівні символи GIFT"].answers[-1].text == "\\"
    assert by_name["Менеджер паролів"].category == "$course$/top/Типово для Цифрової грамотності"
    assert by_name["Менеджер паролів"].tags == ["паролі", "безпека", "з ] дужкою"]


def test_a_file_as_moodle_exports_it():
    questions = parse_gift((DATA / "moodle-export.gift").read_text(encoding="utf-8"))
    assert [question.type for question in questions] == [
        SINGLE,
        TRUEFALSE,
        NUMERICAL,
        SHORT,
        MATCHING,
        MULTIPLE,
        ESSAY,
    ]
    assert {question.category for question in questions} == {
        "$course$/top/Default for Цифрова грамотність/Безпека"
    }
    phishing = questions[0]
    assert (phishing.idnumber, phishing.tags, phishing.format) == ("phish-1", ["безпека", "пошта"], "html")
    assert phishing.general_feedback == "<p>Фішинг — це соціальна інженерія.</p>"
    assert questions[3].answers[0] == ParsedAnswer("вимагач", 1.0, "")
    assert questions[2].answers[-1].text == "*"


# Writing


def test_every_construct_survives_a_round_trip():
    questions = parse_gift((DATA / "every-construct.gift").read_text(encoding="utf-8"))
    assert_round_trip(questions)


def test_moodles_export_survives_a_round_trip():
    assert_round_trip(parse_gift((DATA / "moodle-export.gift").read_text(encoding="utf-8")))


def test_what_is_written():
    questions = parse_gift(
        "$CATEGORY: Top/Безпека\n\n// [id:q1] [tag:паролі]\n"
        "::Фішинг: що це?::[markdown]Що таке **фішинг**? {=Шахрайство#Так! ~%-50%Риболовля ####Загальний}\n\n"
        "Сонце {T#Ні#Так} сходить на сході.\n\n"
        "$CATEGORY: Top/Числа\n\nПі? {#3.141..3.142}"
    )
    assert dump_gift(questions) == (
        "$CATEGORY: Top/Безпека\n\n"
        "// [id:q1] [tag:паролі]\n"
        "::Фішинг\\: що це?:: [markdown]Що таке **фішинг**? {\n"
        "\t=Шахрайство#Так!\n"
        "\t~%-50%Риболовля\n"
        "\t####Загальний\n"
        "}\n\n"
        "::Сонце _____ сходить на сході.:: Сонце {TRUE#Ні#Так} сходить на сході.\n\n"
        "$CATEGORY: Top/Числа\n\n"
        "::Пі?:: Пі? {#\n"
        "\t=3.1415:0.0005\n"
        "}\n"
    )


def test_special_characters_are_escaped_when_written():
    question = ParsedQuestion(
        name="Символи: ~ = # { }",
        type=SHORT,
        text="Що таке {x} = #1 ~ \\n?\nДругий рядок.",
        answers=[ParsedAnswer("a = b # c ~ d {e} \\", 1.0, "відгук # з = символами")],
    )
    written = assert_round_trip([question])
    assert written.startswith(
        "::Символи\\: \\~ \\= \\# \\{ \\}:: Що таке \\{x\\} \\= \\#1 \\~ \\\\n?\\nДругий рядок. {"
    )


def test_a_text_that_starts_like_a_marker_gets_an_explicit_one():
    question = ParsedQuestion(
        name="Дужки",
        type=SINGLE,
        text="[HTML] — мова розмітки?",
        answers=[ParsedAnswer("[a] так", 1.0, "[b] відгук"), ParsedAnswer("[html]", 0.0)],
        general_feedback="[c] загальний",
    )
    written = assert_round_trip([question])
    assert ":: [moodle][HTML] — мова розмітки?" in written
    assert "=[moodle][a] так#[moodle][b] відгук" in written


def test_an_answer_that_starts_like_a_weight_gets_an_explicit_weight():
    question = ParsedQuestion(
        name="Відсотки",
        type=MULTIPLE,
        text="Яка частка?",
        answers=[ParsedAnswer("%50% половина", 1.0), ParsedAnswer("%10% десята", 0.0)],
    )
    assert "~%0%%10% десята" in assert_round_trip([question])
    short = ParsedQuestion(name="Відсоток", type=SHORT, text="Скільки?", answers=[ParsedAnswer("%5%", 1.0)])
    assert "=%100%%5%" in assert_round_trip([short])


def test_fractions_of_any_precision_read_back_exactly():
    question = ParsedQuestion(
        name="Третини",
        type=MULTIPLE,
        text="Оберіть три.",
        answers=[ParsedAnswer(text, 1 / 3) for text in "абв"] + [ParsedAnswer("г", -1 / 3)],
    )
    back = parse_gift(assert_round_trip([question]))[0]
    assert [answer.fraction for answer in back.answers] == [1 / 3, 1 / 3, 1 / 3, -1 / 3]


def test_a_single_choice_question_whose_answers_are_all_right_stays_single_choice():
    question = ParsedQuestion(
        name="Усі",
        type=SINGLE,
        text="Оберіть будь-яку.",
        answers=[ParsedAnswer("а", 1.0), ParsedAnswer("б", 1.0)],
    )
    assert "~%100%б" in assert_round_trip([question])


def test_the_category_is_written_only_when_it_changes():
    questions = [
        ParsedQuestion(name=f"П{number}", type=ESSAY, text="Текст.", category=category)
        for number, category in enumerate(["", "А", "А", "Б", ""])
    ]
    written = assert_round_trip(questions)
    assert [line for line in written.splitlines() if line.startswith("$")] == [
        "$CATEGORY: А",
        "$CATEGORY: Б",
        "$CATEGORY:",
    ]


def test_numbers_tolerances_and_other_number_feedback_are_written():
    question = ParsedQuestion(
        name="Число",
        type=NUMERICAL,
        text="Скільки?",
        answers=[
            ParsedAnswer("2,50", 1.0, "так", 0.00001),
            ParsedAnswer("3", 0.5, "", None),
            ParsedAnswer("*", 0.0, "ні", None),
        ],
    )
    written = dump_gift([question])
    assert "\t=2.5:0.00001#так\n\t=%50%3:0\n\t~#ні\n" in written
    back = parse_gift(written)[0]
    assert [(answer.text, answer.tolerance) for answer in back.answers] == [
        ("2.5", 1e-05),
        ("3", 0.0),
        ("*", 0.0),
    ]


def test_what_gift_cannot_hold_is_refused_naming_each_question():
    questions = [
        ParsedQuestion(name="Добре", type=ESSAY, text="Текст."),
        ParsedQuestion(
            name="Стрілка",
            type=MATCHING,
            text="Зіставте.",
            answers=[ParsedAnswer("a -> b", 1.0, match="c"), ParsedAnswer("d", 1.0, match="e")],
        ),
        ParsedQuestion(name="Коротка", type=SHORT, text="Що?", answers=[ParsedAnswer("a->b", 1.0)]),
        ParsedQuestion(
            name="Правда",
            type=TRUEFALSE,
            text="Так?",
            answers=[ParsedAnswer("true", 0.5), ParsedAnswer("false", 0.5)],
        ),
        ParsedQuestion(name="Без тексту", type=ESSAY, text=" "),
        ParsedQuestion(
            name="Один", type=SINGLE, text="Що?", answers=[ParsedAnswer("а", 0.5), ParsedAnswer("б")]
        ),
        ParsedQuestion(name="Невідомий", type="cloze", text="Що?"),
    ]
    with pytest.raises(FormatError) as caught:
        dump_gift(questions)
    assert [line for line, _ in caught.value.problems] == [2, 3, 4, 5, 6, 7]
    assert all(f'"{questions[line - 1].name}"' in message for line, message in caught.value.problems)


def random_questions(seed: int, count: int) -> list[ParsedQuestion]:
    """Questions of every type whose texts are thick with GIFT's special characters."""
    rng = random.Random(seed)  # fixed: the same questions every run
    alphabet = [
        *"~=#{}:\\n%[]-_ ʼ’'абвҐЄІЇ5\n\t",
        "[html]",
        "[x]",
        "####",
        "_____",
        "//",
        "::",
        "..",
        "*",
        "%50%",
    ]

    def text() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))).strip() or "х"

    def maybe() -> str:
        return text() if rng.random() < 0.4 else ""

    questions = []
    for number in range(count):
        kind = TYPES[number % len(TYPES)]
        options = [ParsedAnswer(text(), 0.0, maybe()) for _ in range(rng.randint(2, 4))]
        if kind == SINGLE:
            options[0].fraction = 1.0
        elif kind == MULTIPLE:
            options[0].fraction, options[1].fraction = 0.75, 0.25
        elif kind == SHORT:
            options = [ParsedAnswer(text(), fraction, maybe()) for fraction in (1.0, 0.5)]
        elif kind == TRUEFALSE:
            right = rng.random() < 0.5
            options = [
                ParsedAnswer("true", float(right), maybe()),
                ParsedAnswer("false", float(not right), maybe()),
            ]
        elif kind == MATCHING:
            options = [ParsedAnswer(text(), 1.0, match=text()) for _ in range(3)]
        elif kind == NUMERICAL:
            options = [
                ParsedAnswer(str(rng.uniform(-1e4, 1e4)), 1.0, maybe(), rng.random()),
                ParsedAnswer(str(rng.randint(-99, 99)), rng.choice([0.5, 1 / 3, -0.1]), maybe(), 0.0),
                ParsedAnswer("*", 0.0, maybe(), 0.0),
            ]
        else:
            options = []
        questions.append(
            ParsedQuestion(
                name=text() if rng.random() < 0.5 else f"Питання {number}",
                type=kind,
                text=text(),
                format=rng.choice(FORMATS),
                category=rng.choice(["", "Top/Безпека", "Top/Числа"]),
                answers=options,
                general_feedback=maybe(),
                idnumber=rng.choice(["", "ds-1", "id з ] дужкою"]),
                tags=rng.choice([[], ["паролі"], ["з ] дужкою", "ще"]]),
            )
        )
    return questions


def test_random_texts_with_special_characters_survive_a_round_trip():
    written = []
    for question in random_questions(seed=4, count=700):
        try:
            dump_gift([question])
        except FormatError as error:
            # Only what GIFT itself cannot say is refused: "->" where it would make a matching
            # question, or a right answer of a single choice that starts like a weight.
            assert "->" in error.problems[0][1] or "type would read back" in error.problems[0][1]
            continue
        question.name = " ".join(question.name.split())  # names are one line
        written.append(question)
    assert len(written) > 600
    back = parse_gift(dump_gift(written))
    assert dump_gift(back) == dump_gift(written)
    for question, read in zip(written, back, strict=True):
        fields = ("name", "type", "text", "format", "category", "general_feedback", "idnumber", "tags")
        assert [getattr(read, field) for field in fields] == [getattr(question, field) for field in fields]
        for answer, answer_read in zip(question.answers, read.answers, strict=True):
            assert (answer_read.feedback, answer_read.fraction) == (
                answer.feedback,
                1.0 if question.type == MATCHING else answer.fraction,
            )
            if question.type == NUMERICAL:
                assert Decimal(answer_read.text if answer.text != "*" else 0) == Decimal(
                    answer.text if answer.text != "*" else 0
                )
                assert answer_read.tolerance == answer.tolerance
            else:
                assert (answer_read.text, answer_read.match) == (answer.text, answer.match)


def test_untidy_fields_are_written_tidily_and_then_never_change():
    question = ParsedQuestion(
        name="  Назва\nу два рядки ",
        type=SINGLE,
        text="  Текст?\r\nДругий рядок.  ",
        answers=[ParsedAnswer(" так ", 1.0, "  "), ParsedAnswer("ні", 0.0, " відгук ")],
        general_feedback="   ",
        idnumber=" id-1 ",
        tags=[" мітка ", "  "],
    )
    written = dump_gift([question])
    back = parse_gift(written)[0]
    assert (back.name, back.text, back.idnumber, back.tags) == (
        "Назва у два рядки",
        "Текст?\nДругий рядок.",
        "id-1",
        ["мітка"],
    )
    assert answers(back) == [("так", 1.0, ""), ("ні", 0.0, "відгук")]
    assert dump_gift([back]) == written


def test_a_plain_text_keeps_what_looks_like_tags_in_its_name():
    assert one("[plain]Що робить <b> у HTML? {=жирний}").name == "Що робить <b> у HTML?"
    assert one("[html]Що робить <b>це</b>? {=жирний}").name == "Що робить це?"


def test_an_empty_list_writes_an_empty_file():
    assert dump_gift([]) == ""
