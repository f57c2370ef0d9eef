"""Grading every question type: partial and negative credit, clamping, short answers compared the way
Ukrainian is typed (case, spacing, apostrophes, Latin/Cyrillic look-alikes, wildcards), numbers with a
decimal comma, tolerances and ranges, matching, essays for a trainer, and unanswered questions."""

from __future__ import annotations

import pytest

from courses.questions.grading import Grade, correct_response, grade, normalise_short_answer
from courses.questions.interchange import (
    ESSAY,
    MATCHING,
    MULTIPLE,
    NUMERICAL,
    SHORT,
    SINGLE,
    TRUEFALSE,
    ParsedAnswer,
    ParsedQuestion,
)


def question(kind: str, *answers: ParsedAnswer) -> ParsedQuestion:
    return ParsedQuestion(name="Q", type=kind, text="?", answers=list(answers))


A = ParsedAnswer

# --- single choice -------------------------------------------------------------------------------------

CAPITAL = question(
    SINGLE,
    A("Київ", 1.0, "Так, столиця."),
    A("Львів", 0.25, "Близько: велике місто заходу."),
    A("Харків", 0.0, ""),
    A("Одеса", -0.5, "Ні."),
)


def test_single_right_answer_earns_full_marks_and_its_feedback():
    assert grade(CAPITAL, 0) == Grade(1.0, False, ("Так, столиця.",))


def test_single_wrong_answer_with_partial_credit_earns_its_fraction():
    assert grade(CAPITAL, 1) == Grade(0.25, False, ("Близько: велике місто заходу.",))


def test_single_wrong_answer_earns_nothing_and_empty_feedback_is_left_out():
    assert grade(CAPITAL, 2) == Grade(0.0, False, ())


def test_single_negative_answer_is_clamped_to_zero_but_keeps_its_feedback():
    assert grade(CAPITAL, 3) == Grade(0.0, False, ("Ні.",))


@pytest.mark.parametrize("response", [None, 4, -1, True, "x", [0]])
def test_single_unanswered_or_invalid_choice_earns_zero(response):
    assert grade(CAPITAL, response) == Grade(0.0, False, ())


def test_single_choice_given_as_a_form_string_counts():
    assert grade(CAPITAL, "0").fraction == 1.0


# --- multiple response ---------------------------------------------------------------------------------

SAFE = question(
    MULTIPLE,
    A("Довгий пароль", 0.5, "Так."),
    A("Двофакторна автентифікація", 0.5, "Так!"),
    A("Пароль на папірці", -1.0, "Ні."),
    A("Той самий пароль скрізь", -0.5, ""),
)


def test_multiple_all_right_choices_earn_full_marks():
    assert grade(SAFE, [0, 1]) == Grade(1.0, False, ("Так.", "Так!"))


def test_multiple_some_right_choices_earn_partial_credit():
    assert grade(SAFE, [1]) == Grade(0.5, False, ("Так!",))


def test_multiple_wrong_choice_takes_credit_away():
    assert grade(SAFE, [0, 1, 3]).fraction == 0.5


def test_multiple_total_below_zero_is_clamped_to_zero():
    assert grade(SAFE, [0, 2]) == Grade(0.0, False, ("Так.", "Ні."))


def test_multiple_total_above_one_is_clamped_to_one():
    generous = question(MULTIPLE, A("a", 0.75), A("b", 0.75))
    assert grade(generous, [0, 1]).fraction == 1.0


def test_multiple_counts_each_choice_once_in_stored_order():
    assert grade(SAFE, [1, 0, 1, 0]) == Grade(1.0, False, ("Так.", "Так!"))


def test_multiple_thirds_add_up_to_full_marks():
    thirds = question(MULTIPLE, A("a", 0.3333333), A("b", 0.3333333), A("c", 0.3333333), A("d", -1))
    assert grade(thirds, [0, 1, 2]).fraction == 1.0
    assert (
        grade(question(MULTIPLE, A("a", 0.3333), A("b", 0.3333), A("c", 0.3334)), [0, 1, 2]).fraction == 1.0
    )


@pytest.mark.parametrize("response", [None, [], [7], "0", 0])
def test_multiple_unanswered_earns_zero_never_negative(response):
    assert grade(SAFE, response) == Grade(0.0, False, ())


# --- true/false ----------------------------------------------------------------------------------------

TRUE_STATEMENT = question(TRUEFALSE, A("true", 1.0, "Правильно."), A("false", 0.0, "Подумайте ще."))


def test_truefalse_right_choice():
    assert grade(TRUE_STATEMENT, "true") == Grade(1.0, False, ("Правильно.",))


def test_truefalse_wrong_choice_gets_the_wrong_answers_feedback():
    assert grade(TRUE_STATEMENT, "false") == Grade(0.0, False, ("Подумайте ще.",))


def test_truefalse_false_statement():
    false_statement = question(TRUEFALSE, A("true", 0.0), A("false", 1.0))
    assert grade(false_statement, "false").fraction == 1.0
    assert grade(false_statement, "true").fraction == 0.0


@pytest.mark.parametrize("response", [None, "", "maybe", 1])
def test_truefalse_unanswered(response):
    assert grade(TRUE_STATEMENT, response) == Grade(0.0, False, ())


# --- short answer --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "accepted"),
    [
        ("КИЇВ", "Київ"),
        ("  київ  ", "Київ"),
        ("Кам'янець-Подільський", "Камʼянець-Подільський"),
        ("Кам’янець-Подільський", "Камʼянець-Подільський"),
        ("Кам`янець-Подільський", "Кам'янець-Подільський"),
        ("Кам‘янець-Подільський", "Кам’янець-Подільський"),
        ("Kиїв", "Київ"),  # Latin K
        ("Київ", "Kиїв"),
        ("Iрпiнь", "Ірпінь"),  # Latin I and i
        ("Kиïв", "Київ"),  # Latin K and Latin i with a diaeresis
        ("ПАРОЛЬ", "пapoль"),  # Latin a, p, o
        ("резервна   копія", "Резервна копія"),
        ("резервна\tкопія\n", "резервна копія"),
        ("ﬁle", "FILE"),  # NFKC: the ligature is two letters
        ("ТЕХНОЛОГІЯ", "технологія"),
        ("Ґанок", "ґанок"),
        ("Єдність", "єдність"),
    ],
)
def test_short_answer_variants_are_equal(typed, accepted):
    assert normalise_short_answer(typed) == normalise_short_answer(accepted)
    assert grade(question(SHORT, A(accepted, 1.0)), typed).fraction == 1.0


@pytest.mark.parametrize(("one", "other"), [("Київ", "Кийв"), ("ґанок", "ганок"), ("їжак", "іжак")])
def test_short_answer_different_letters_stay_different(one, other):
    assert normalise_short_answer(one) != normalise_short_answer(other)


def test_normalised_text_is_trimmed_and_collapsed():
    assert normalise_short_answer("  Резервна \u00a0 КОПІЯ ") == normalise_short_answer("резервна копія")
    assert " " not in normalise_short_answer(" x ")


SHORT_Q = question(
    SHORT,
    A("резервна копія", 1.0, "Так."),
    A("копія", 0.5, "Майже: яка саме?"),
    A("бекап*", 0.8, "Розмовне слово."),
    A("*", 0.0, "Ні, це резервна копія."),
)


def test_short_answer_best_fraction_wins():
    assert grade(SHORT_Q, "Резервна копія") == Grade(1.0, False, ("Так.",))
    assert grade(SHORT_Q, "КОПІЯ") == Grade(0.5, False, ("Майже: яка саме?",))


def test_short_answer_wildcard_matches_any_run_of_characters():
    assert grade(SHORT_Q, "бекап").fraction == 0.8
    assert grade(SHORT_Q, "Бекапи щотижня").fraction == 0.8
    middle = question(SHORT, A("Т*Шевченко", 1.0))
    assert grade(middle, "Тарас Григорович Шевченко").fraction == 1.0
    assert grade(middle, "Шевченко").fraction == 0.0


def test_short_answer_catch_all_gives_its_feedback():
    assert grade(SHORT_Q, "флешка") == Grade(0.0, False, ("Ні, це резервна копія.",))


def test_short_answer_escaped_star_is_a_star():
    starred = question(SHORT, A("2\\*3", 1.0))
    assert grade(starred, "2*3").fraction == 1.0
    assert grade(starred, "2x3").fraction == 0.0


def test_short_answer_special_characters_are_literal():
    dotted = question(SHORT, A("a.b (c)?", 1.0))
    assert grade(dotted, "a.b (c)?").fraction == 1.0
    assert grade(dotted, "axb (c)").fraction == 0.0


def test_short_answer_no_match_earns_zero():
    assert grade(question(SHORT, A("Київ", 1.0)), "Львів") == Grade(0.0, False, ())


@pytest.mark.parametrize("response", [None, "", "   ", 5])
def test_short_answer_unanswered_earns_zero_even_with_a_catch_all(response):
    assert grade(SHORT_Q, response) == Grade(0.0, False, ())


# --- numerical -----------------------------------------------------------------------------------------

PI = question(
    NUMERICAL,
    A("3.14", 1.0, "Так.", tolerance=0.01),
    A("3", 0.5, "Грубо.", tolerance=0.2),
    A("*", 0.0, "Ні.", tolerance=None),
)


@pytest.mark.parametrize("typed", ["3.14", "3,14", " 3.140 ", "3.15", "3,13", "+3.14"])
def test_numerical_within_tolerance_with_a_point_or_a_comma(typed):
    assert grade(PI, typed) == Grade(1.0, False, ("Так.",))


def test_numerical_outside_tolerance_matches_a_wider_answer():
    assert grade(PI, "3.16") == Grade(0.5, False, ("Грубо.",))
    assert grade(PI, "2,8") == Grade(0.5, False, ("Грубо.",))


def test_numerical_tolerance_edge_is_inclusive_without_rounding_errors():
    edge = question(NUMERICAL, A("2.0", 1.0, tolerance=0.3))
    assert grade(edge, "2.3").fraction == 1.0
    assert grade(edge, "1.7").fraction == 1.0
    assert grade(edge, "2.3001").fraction == 0.0


def test_numerical_catch_all_for_any_other_number():
    assert grade(PI, "42") == Grade(0.0, False, ("Ні.",))


def test_numerical_exact_answer_without_tolerance():
    exact = question(NUMERICAL, A("1000", 1.0))
    assert grade(exact, "1000").fraction == 1.0
    assert grade(exact, "1 000").fraction == 1.0  # a thousands space is tolerated
    assert grade(exact, "1\u00a0000,0").fraction == 1.0
    assert grade(exact, "1e3").fraction == 1.0
    assert grade(exact, "1000.01").fraction == 0.0


def test_numerical_range_as_midpoint_and_half_width():
    # GIFT {#1..5} is stored as 3 with tolerance 2, as Moodle stores it.
    ranged = question(NUMERICAL, A("3", 1.0, tolerance=2.0))
    assert [grade(ranged, typed).fraction for typed in ("1", "5", "0,99", "5.01", "-3")] == [1, 1, 0, 0, 0]


def test_numerical_negative_numbers_and_unicode_minus():
    cold = question(NUMERICAL, A("-12.5", 1.0))
    assert grade(cold, "-12,5").fraction == 1.0
    assert grade(cold, "\u221212,5").fraction == 1.0
    assert grade(cold, "12,5").fraction == 0.0


def test_numerical_several_answers_partial_credit_best_wins():
    year = question(NUMERICAL, A("1991", 1.0, "Так."), A("1991", 0.5, "Двічі."), A("1990", 0.5, "Майже", 1))
    assert grade(year, "1991") == Grade(1.0, False, ("Так.",))
    assert grade(year, "1989") == Grade(0.5, False, ("Майже",))
    assert grade(year, "1992").fraction == 0.0


@pytest.mark.parametrize("typed", ["abc", "3,14,15", "1,000.5", "3..4", "nan", "inf", "1e", ",", "-"])
def test_numerical_not_a_number_earns_zero(typed):
    assert grade(question(NUMERICAL, A("3", 1.0, tolerance=1000)), typed) == Grade(0.0, False, ())


@pytest.mark.parametrize("response", [None, "", "  "])
def test_numerical_unanswered_earns_zero_even_with_a_catch_all(response):
    assert grade(PI, response) == Grade(0.0, False, ())


# --- matching ------------------------------------------------------------------------------------------

PAIRS = question(
    MATCHING,
    A("Пароль", 0.0, "", match="Секрет для входу"),
    A("Фішинг", 0.0, "", match="Лист-пастка"),
    A("Бекап", 0.0, "", match="Резервна копія"),
    A("Скарбничка", 0.0, "", match="Резервна копія"),
    A("", 0.0, "", match="Вірус"),  # a distractor: an answer no subquestion pairs with
)


def test_matching_all_pairs_right():
    response = {"0": "Секрет для входу", "1": "Лист-пастка", "2": "Резервна копія", "3": "Резервна копія"}
    assert grade(PAIRS, response).fraction == 1.0


def test_matching_partial_credit_is_right_pairs_over_pairs():
    response = {"0": "Секрет для входу", "1": "Вірус", "2": "Резервна копія"}
    assert grade(PAIRS, response).fraction == 0.5


def test_matching_wrong_pairs_earn_zero():
    assert grade(PAIRS, {"0": "Вірус", "1": "Секрет для входу"}).fraction == 0.0


@pytest.mark.parametrize("response", [None, {}, [], "x"])
def test_matching_unanswered(response):
    assert grade(PAIRS, response) == Grade(0.0, False, ())


# --- essay ---------------------------------------------------------------------------------------------

ESSAY_Q = question(ESSAY)


def test_essay_with_text_waits_for_a_trainer():
    assert grade(ESSAY_Q, "Я б навчила бібліотекарок…") == Grade(None, True, ())


@pytest.mark.parametrize("response", [None, "", " \n "])
def test_empty_essay_earns_zero_and_needs_no_grading(response):
    assert grade(ESSAY_Q, response) == Grade(0.0, False, ())


def test_unknown_type_is_an_error():
    with pytest.raises(ValueError, match="unknown question type"):
        grade(question("cloze"), "x")


# --- correct responses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind_question", "expected"),
    [
        (CAPITAL, 0),
        (SAFE, [0, 1]),
        (TRUE_STATEMENT, "true"),
        (SHORT_Q, "резервна копія"),
        (PI, "3.14"),
        (PAIRS, {"0": "Секрет для входу", "1": "Лист-пастка", "2": "Резервна копія", "3": "Резервна копія"}),
    ],
)
def test_correct_response_earns_full_marks(kind_question, expected):
    assert correct_response(kind_question) == expected
    assert grade(kind_question, expected).fraction == 1.0


def test_correct_short_response_of_a_wildcard_answer_drops_the_stars():
    wild = question(SHORT, A("*", 0.0), A("Шевч*нко", 1.0), A("2\\*3", 0.5))
    assert correct_response(wild) == "Шевчнко"
    assert grade(wild, correct_response(wild)).fraction == 1.0


def test_correct_response_of_an_essay_is_none():
    assert correct_response(ESSAY_Q) is None


def test_bank_questions_are_graded_like_parsed_ones(db):
    from courses.questions.models import Answer, Question, QuestionCategory

    category = QuestionCategory(name="Top", path="Top")
    stored = Question(category=category, name="Q", type=MULTIPLE, text="?")
    stored.answers = [
        Answer(position=0, text="a", fraction=0.5, feedback="A"),
        Answer(position=1, text="b", fraction=0.5),
        Answer(position=2, text="c", fraction=-1),
    ]
    db.session.add(stored)
    db.session.flush()
    db.session.expire(stored)
    assert grade(stored, [0, 1]) == Grade(1.0, False, ("A",))
    assert grade(stored, [0, 2]).fraction == 0.0
    assert correct_response(stored) == [0, 1]
