"""Answering a question of a quiz attempt through its real form, right or wrong, the way a learner would:
ticking radios and checkboxes, typing into text inputs, choosing in the selects of a matching question.

The attempt page sends a choice as its place on the page, never as its stored index, so the place of a
stored answer is found from the attempt's ``answer_order`` (read from the database by the test)."""

from __future__ import annotations

from typing import Any

from courses.questions import interchange
from courses.questions.grading import correct_response
from courses.quizzes.models import AttemptQuestion

WRONG_TEXT = "невідомо"  # "unknown": accepted by no short answer
WRONG_NUMBER = "-987654,3"  # a number no shipped question accepts (text is refused, not marked wrong)


def place(slot: AttemptQuestion, index: int) -> int:
    """Where the stored answer ``index`` is shown on the page (0 is the first choice)."""
    assert slot.answer_order is not None
    return slot.answer_order.index(index)


def tick(page: Any, slot: AttemptQuestion, indexes: list[int]) -> None:
    """Check the radio or checkboxes of these stored answers."""
    for index in indexes:
        page.check(f"#q{slot.slot}-{place(slot, index)}")


def as_typed(number: str) -> str:
    """A number as a Ukrainian learner types it: with a decimal comma ("3.5" → "3,5")."""
    return number.replace(".", ",")


def answer(page: Any, slot: AttemptQuestion, right: bool) -> None:
    """Fill in the question in ``slot`` on the attempt page: for full marks, or for none."""
    question = slot.question
    assert question is not None
    name = f"q{slot.slot}"
    kind = question.type
    fractions = [choice.fraction for choice in question.answers]
    if kind == interchange.SINGLE:
        wrong = next(index for index, fraction in enumerate(fractions) if fraction <= 0)
        tick(page, slot, [correct_response(question) if right else wrong])
    elif kind == interchange.MULTIPLE:
        tick(page, slot, [index for index, fraction in enumerate(fractions) if (fraction > 0) == right])
    elif kind == interchange.TRUEFALSE:
        truth = correct_response(question) == "true"
        page.check(f"#{name}-{'true' if truth == right else 'false'}")
    elif kind == interchange.SHORT:
        page.fill(f"#{name}", correct_response(question) if right else WRONG_TEXT)
    elif kind == interchange.NUMERICAL:
        page.fill(f"#{name}", as_typed(correct_response(question)) if right else WRONG_NUMBER)
    elif kind == interchange.MATCHING:
        rows = slot.answer_order or []
        matches = [question.answers[row].match for row in rows]
        shifted = matches[1:] + matches[:1]  # each row given the next row's match
        for row, match in zip(rows, matches if right else shifted, strict=True):
            page.select_option(f"#{name}-{row}", value=match)
    else:
        raise AssertionError(f"question {question.idnumber}: no way to answer a {kind} question here")
