"""Moodle's Aiken format: single-choice questions, each one line of text, its options and the answer.

::

    Що таке фішинг?
    A. Вид спорту
    B) Шахрайство, щоб виманити паролі
    ANSWER: B

As Moodle's documentation describes it: the question is one line; each option starts with a capital
letter, then ``.`` or ``)``, then a space; ``ANSWER:`` names the right option's letter. Blank lines
between questions are allowed. Moodle's importer (``qformat_aiken``) stores the text HTML-escaped as
HTML, which shows exactly the text written; here it is stored as it is, in the ``plain`` format, which
shows the same. The name is the start of the text, as in Moodle.

Stricter than Moodle, which would quietly import something else: the options must be labelled A, B,
C… in order, ``ANSWER:`` must name one of them, and a second line of question text is an error
(Moodle starts a new question there and drops the first).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from courses.questions.formats.gift import default_question_name
from courses.questions.interchange import SINGLE, FormatError, ParsedAnswer, ParsedQuestion

MAX_OPTIONS = 26  # A to Z

_WS = " \t\n\r\x00\x0b"  # PHP's trim()
_OPTION = re.compile(r"([A-Z])[.)](?:[ \t]+(.*))?")
_ANSWER = re.compile(r"ANSWER:(.*)")
_ANSWER_LETTER = re.compile(r"([A-Z])[.)]?")
_HTML_TAG = re.compile(r"<[A-Za-z/!][^>]*>")
# Tags that break a line: they become a space, the others (<b>, <i>, <a>…) nothing.
_HTML_BREAK = re.compile(r"<(?:br|/?(?:p|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|pre))\b[^>]*>", re.I)


@dataclass
class _Pending:
    """A question being read: its first line, text, options and the first problem found."""

    line: int
    text: str
    options: list[tuple[str, str]] = field(default_factory=list)
    problem: str = ""


def parse_aiken(text: str, category: str = "") -> list[ParsedQuestion]:
    """Read every question of an Aiken file, each into ``category``.

    Raises FormatError listing every malformed question with the line it starts on."""
    questions: list[ParsedQuestion] = []
    problems: list[tuple[int, str]] = []
    pending: _Pending | None = None
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, start=1):
        line = line.strip(_WS)
        if not line:
            continue
        option = _OPTION.fullmatch(line)
        answer = _ANSWER.match(line)
        if option:
            if pending is None:
                problems.append((number, "an option outside a question (the question's text comes first)"))
                continue
            _add_option(pending, option.group(1), (option.group(2) or "").strip(_WS), number)
        elif answer:
            if pending is None:
                problems.append((number, "ANSWER: outside a question (the question's text comes first)"))
                continue
            question = _finish(pending, answer.group(1).strip(_WS), category, problems)
            if question:
                questions.append(question)
            pending = None
        elif pending is not None and not pending.options:
            pending.problem = pending.problem or (
                f"the text goes on on line {number}: an Aiken question is one line, followed by its options"
            )
        else:
            if pending is not None:
                problems.append((pending.line, pending.problem or "no ANSWER: line after the options"))
            pending = _Pending(number, line)
    if pending is not None:
        problems.append((pending.line, pending.problem or "no ANSWER: line after the options"))
    if problems:
        raise FormatError(sorted(problems))
    return questions


def _add_option(pending: _Pending, letter: str, text: str, number: int) -> None:
    expected = chr(ord("A") + len(pending.options))
    if letter != expected:
        pending.problem = pending.problem or f"option {letter} on line {number} should be {expected}"
    elif not text:
        pending.problem = pending.problem or f"option {letter} on line {number} is empty"
    pending.options.append((letter, text))


def _finish(
    pending: _Pending, value: str, category: str, problems: list[tuple[int, str]]
) -> ParsedQuestion | None:
    """The question once its ANSWER: line is read, or None after noting what is wrong with it."""
    letters = [letter for letter, _ in pending.options]
    chosen = _ANSWER_LETTER.fullmatch(value)
    if pending.problem:
        problem = pending.problem
    elif len(pending.options) < 2:
        problem = "a question needs at least two options (A. … B. …)"
    elif not chosen:
        problem = f"ANSWER: {value} should be one capital letter, from A to {letters[-1]}"
    elif chosen.group(1) not in letters:
        problem = f"ANSWER: {chosen.group(1)} is not one of the options A to {letters[-1]}"
    else:
        answers = [
            ParsedAnswer(text, 1.0 if letter == chosen.group(1) else 0.0) for letter, text in pending.options
        ]
        return ParsedQuestion(
            name=default_question_name(pending.text, "plain"),
            type=SINGLE,
            text=pending.text,
            format="plain",
            category=category,
            answers=answers,
            line=pending.line,
        )
    problems.append((pending.line, problem))
    return None


def dump_aiken(questions: list[ParsedQuestion]) -> str:
    """The questions as an Aiken file. Aiken keeps no name, category, feedback or tags.

    Raises FormatError naming every question Aiken cannot hold (the line number is its place in
    the list): any type but single choice, partial credit, more than one right answer, a text of
    several lines, or fewer than 2 or more than 26 options."""
    blocks = []
    problems = []
    for position, question in enumerate(questions, start=1):
        problem = _cannot_write(question)
        if problem:
            problems.append((position, f'"{question.name}": {problem}'))
            continue
        lines = [_plain(question.text, question.format)]
        right = ""
        for index, answer in enumerate(question.answers):
            letter = chr(ord("A") + index)
            lines.append(f"{letter}) {_plain(answer.text, question.format)}")
            if answer.fraction == 1:
                right = letter
        lines.append(f"ANSWER: {right}")
        blocks.append("\n".join(lines))
    if problems:
        raise FormatError(problems)
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _plain(text: str, text_format: str) -> str:
    """The text as Aiken shows it: HTML becomes its plain text, as Moodle's export does."""
    if text_format == "html":
        text = " ".join(html.unescape(_HTML_TAG.sub("", _HTML_BREAK.sub(" ", text))).split())
    return text.strip(_WS)


def _cannot_write(question: ParsedQuestion) -> str:
    if question.type != SINGLE:
        return f"Aiken holds only single-choice questions, not {question.type}"
    if not 2 <= len(question.answers) <= MAX_OPTIONS:
        return f"Aiken holds 2 to {MAX_OPTIONS} options, this question has {len(question.answers)}"
    fractions = sorted(answer.fraction for answer in question.answers)
    if fractions[-1] != 1 or fractions[-2] != 0 or fractions[0] != 0:
        return "Aiken has exactly one right answer and no partial or negative credit"
    text = _plain(question.text, question.format)
    if not text:
        return "the question has no text"
    if "\n" in text or "\r" in text:
        return "the text has several lines; an Aiken question is one line"
    if _OPTION.fullmatch(text) or _ANSWER.match(text):
        return "the text would read as an option or an ANSWER: line"
    for letter, answer in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", question.answers, strict=False):
        option = _plain(answer.text, question.format)
        if not option:
            return f"option {letter} is empty"
        if "\n" in option or "\r" in option:
            return f"option {letter} has several lines"
    return ""
