"""Grading a response to a question, for every question type (see the API in the module's functions).

``question`` is anything with ``.type`` and ``.answers`` (a bank ``Question`` or an interchange
``ParsedQuestion``); each answer has ``.text .fraction .feedback .tolerance .match``. Answers are
referred to by their index in ``question.answers`` (the stored order, not a shuffled display order).
Responses are JSON values, stored as they are in an attempt:

- single: the chosen index, or None;
- multiple: the chosen indexes (chosen fractions summed, clamped to 0 … 1);
- truefalse: ``"true"``, ``"false"`` or None;
- short: the typed text (compared after :func:`normalise_short_answer`; ``*`` in an accepted answer
  matches any run of characters, ``\\*`` a star);
- numerical: the typed text (decimal comma, spaces as thousands separators); within an answer's
  tolerance it earns that answer's fraction;
- matching: ``{"<index of the subquestion>": "<chosen match text>"}``; right pairs / pairs;
- essay: the text, graded later by a trainer.

The best answer wins where several match; an unanswered question earns 0 (never less).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from courses.questions.interchange import ESSAY, MATCHING, MULTIPLE, NUMERICAL, SHORT, SINGLE, TRUEFALSE


@dataclass(frozen=True)
class Grade:
    fraction: float | None  # 0 … 1 of the question's marks; None while it needs a trainer (essay)
    needs_grading: bool  # essay: a trainer grades it from the queue
    feedback: tuple[str, ...]  # the non-empty feedback of what the learner chose or typed, in order


UNANSWERED = Grade(0.0, False, ())

# Apostrophe variants Ukrainian is typed with: ʼ (the standard's modifier letter), ’, ', `, ‘, ′.
_APOSTROPHES = str.maketrans({"\u02bc": "'", "\u2019": "'", "`": "'", "\u2018": "'", "\u2032": "'"})
# Cyrillic letters that look like Latin ones (after case folding), compared as the Latin letter, so
# "Кiїв" typed with a Latin i equals "Київ".
_LOOK_ALIKES = str.maketrans(
    {
        "а": "a",
        "в": "b",
        "с": "c",
        "е": "e",
        "н": "h",
        "і": "i",
        "ј": "j",
        "к": "k",
        "м": "m",
        "о": "o",
        "р": "p",
        "ѕ": "s",
        "т": "t",
        "х": "x",
        "у": "y",
    }
)
_SPACES = re.compile(r"\s+")
_STAR = "\x00"  # stands for an escaped ``\*`` while the wildcards are turned into a pattern


def normalise_short_answer(text: str) -> str:
    """``text`` as short answers are compared: NFKC, case-folded, spacing collapsed and trimmed,
    apostrophe variants made one, Cyrillic look-alike letters made Latin."""
    text = unicodedata.normalize("NFKC", text or "").casefold().translate(_APOSTROPHES)
    # Decomposed first, so that "ї" (і with a diaeresis) becomes "ï" just as a Latin "ï" stays one.
    text = unicodedata.normalize("NFD", text).translate(_LOOK_ALIKES)
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _clamp(value: float) -> float:
    """``value`` within 0 … 1; a total within 0.02 % of full marks is full marks, so that thirds
    written as 33.33 % or 33.33333 % add up to 1."""
    if abs(value - 1.0) <= 2e-4:
        return 1.0
    return min(1.0, max(0.0, round(value, 6)))


def _answer_pattern(answer: str) -> re.Pattern[str]:
    """An accepted short answer as a pattern: Moodle's ``*`` matches any run, ``\\*`` is a star."""
    text = normalise_short_answer(answer.replace("\\*", _STAR))
    parts = (r"\*".join(re.escape(piece) for piece in part.split(_STAR)) for part in text.split("*"))
    return re.compile(".*".join(parts), re.DOTALL)


def parse_number(text: Any) -> Decimal | None:
    """A number as typed: "3,5", "3.5", " 3.50 ", "1 000,5" and "−2" are numbers; "abc" is None."""
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int | float):
        text = repr(text)
    cleaned = re.sub(r"[\s\u00a0\u202f\u2009]", "", str(text)).replace("\u2212", "-")
    if "," in cleaned:
        if "." in cleaned or cleaned.count(",") > 1:
            return None  # "1,000.5" or "1,000,000": a thousands comma is not a decimal comma
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", cleaned):
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _index(response: Any, answers: Sequence[Any]) -> int | None:
    if isinstance(response, bool):
        return None
    if isinstance(response, str) and response.strip().isdigit():
        response = int(response)
    if isinstance(response, int) and 0 <= response < len(answers):
        return response
    return None


def _feedback(answers: Sequence[Any]) -> tuple[str, ...]:
    return tuple(answer.feedback for answer in answers if answer.feedback)


def _grade_single(answers: Sequence[Any], response: Any) -> Grade:
    index = _index(response, answers)
    if index is None:
        return UNANSWERED
    answer = answers[index]
    return Grade(_clamp(answer.fraction), False, _feedback([answer]))


def _grade_multiple(answers: Sequence[Any], response: Any) -> Grade:
    if not isinstance(response, list | tuple):
        return UNANSWERED
    chosen = sorted({index for item in response if (index := _index(item, answers)) is not None})
    if not chosen:
        return UNANSWERED
    picked = [answers[index] for index in chosen]
    return Grade(_clamp(sum(answer.fraction for answer in picked)), False, _feedback(picked))


def _grade_truefalse(answers: Sequence[Any], response: Any) -> Grade:
    if isinstance(response, bool):
        response = "true" if response else "false"
    if not isinstance(response, str) or response.strip().lower() not in ("true", "false"):
        return UNANSWERED
    chosen = response.strip().lower()
    answer = next((answer for answer in answers if answer.text.strip().lower() == chosen), None)
    if answer is None:
        return UNANSWERED
    return Grade(_clamp(answer.fraction), False, _feedback([answer]))


def _best(matching: list[Any]) -> Grade:
    if not matching:
        return UNANSWERED
    best = max(matching, key=lambda answer: answer.fraction)  # max keeps the first of equals
    return Grade(_clamp(best.fraction), False, _feedback([best]))


def _grade_short(answers: Sequence[Any], response: Any) -> Grade:
    if not isinstance(response, str) or not response.strip():
        return UNANSWERED
    typed = normalise_short_answer(response)
    return _best([answer for answer in answers if _answer_pattern(answer.text).fullmatch(typed)])


def _grade_numerical(answers: Sequence[Any], response: Any) -> Grade:
    if response is None or (isinstance(response, str) and not response.strip()):
        return UNANSWERED
    value = parse_number(response)
    if value is None:
        return UNANSWERED
    matching = []
    for answer in answers:
        if answer.text.strip() == "*":  # Moodle's "any other number", for its feedback
            matching.append(answer)
            continue
        expected = parse_number(answer.text)
        if expected is None:
            continue
        tolerance = abs(Decimal(repr(float(answer.tolerance or 0))))
        if abs(value - expected) <= tolerance:
            matching.append(answer)
    return _best(matching)


def _grade_matching(answers: Sequence[Any], response: Any) -> Grade:
    if not isinstance(response, dict) or not response:
        return UNANSWERED
    pairs = [(index, answer) for index, answer in enumerate(answers) if answer.text.strip()]
    if not pairs:
        return UNANSWERED
    right = []
    for index, answer in pairs:
        chosen = response.get(str(index), response.get(index))
        if isinstance(chosen, str) and chosen.strip() == (answer.match or "").strip():
            right.append(answer)
    return Grade(_clamp(len(right) / len(pairs)), False, _feedback(right))


def _grade_essay(response: Any) -> Grade:
    if not isinstance(response, str) or not response.strip():
        return UNANSWERED
    return Grade(None, True, ())


def grade(question: Any, response: Any) -> Grade:
    """How much of the question's marks ``response`` earns, with the feedback it gets."""
    answers = list(question.answers)
    if question.type == SINGLE:
        return _grade_single(answers, response)
    if question.type == MULTIPLE:
        return _grade_multiple(answers, response)
    if question.type == TRUEFALSE:
        return _grade_truefalse(answers, response)
    if question.type == SHORT:
        return _grade_short(answers, response)
    if question.type == NUMERICAL:
        return _grade_numerical(answers, response)
    if question.type == MATCHING:
        return _grade_matching(answers, response)
    if question.type == ESSAY:
        return _grade_essay(response)
    raise ValueError(f"unknown question type {question.type!r}")


def _literal(answer: str) -> str:
    """An accepted short answer with its wildcards dropped (``*`` may match nothing): a text it accepts."""
    return answer.replace("\\*", _STAR).replace("*", "").replace(_STAR, "*").strip()


def correct_response(question: Any) -> Any:
    """The response that earns full marks (for review pages); None for an essay."""
    answers = list(question.answers)
    if question.type == ESSAY or not answers:
        return None
    if question.type == MULTIPLE:
        return [index for index, answer in enumerate(answers) if answer.fraction > 0]
    if question.type == MATCHING:
        return {str(index): answer.match for index, answer in enumerate(answers) if answer.text.strip()}
    candidates = list(enumerate(answers))
    if question.type == SHORT:
        candidates = [(index, answer) for index, answer in candidates if _literal(answer.text)]
    elif question.type == NUMERICAL:
        candidates = [
            (index, answer) for index, answer in candidates if parse_number(answer.text) is not None
        ]
    if not candidates:
        return None
    index, best = max(candidates, key=lambda pair: pair[1].fraction)
    if question.type == SINGLE:
        return index
    if question.type == TRUEFALSE:
        return best.text.strip().lower()
    if question.type == SHORT:
        return _literal(best.text)
    return best.text.strip()  # numerical: the number as a decimal string
