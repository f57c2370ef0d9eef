"""Moodle's GIFT format: ``parse_gift`` reads a file into questions, ``dump_gift`` writes them back.

Reading follows Moodle's own importer (``qformat_gift::readquestion`` in
``question/format/gift/format.php``) step by step, so a file Moodle accepts gives the same questions
here, and the type is decided exactly as Moodle decides it:

- questions are separated by blank lines; lines starting with ``//`` are comments, and a comment in a
  question's block may carry ``[id:…]`` and ``[tag:…]`` (Moodle's id number and tags);
- ``$CATEGORY: path`` puts the questions after it in that category;
- ``::name::`` is the name, else the name is the start of the text (Moodle's ``shorten_text(…, 80)``);
- ``\\~ \\= \\# \\{ \\} \\:`` are literal characters, ``\\\\`` a backslash and ``\\n`` a new line;
- ``[moodle]``, ``[html]``, ``[markdown]`` or ``[plain]`` before a text gives its format;
- the first ``{…}`` holds the answers: empty is an essay, ``#…`` numerical, any ``~`` multiple choice
  (``single`` when some answer has ``=``, else ``multiple``), ``=`` with ``->`` matching,
  ``T``/``TRUE``/``F``/``FALSE`` true/false, anything else short answer; text after the block makes
  it a missing-word question, its text keeps ``_____`` where the block was;
- ``%50%`` weights, ``#`` per-answer feedback, ``####`` general feedback, ``a:tolerance`` and
  ``low..high`` numbers, ``~#…`` the feedback for any other number (an answer ``*``).

Where Moodle would quietly import something broken, this reader reports the question instead:
a block without answers (Moodle's "description", not a question here), more than one ``{…}``,
an unknown ``[format]``, a weight that is not a number from -100 to 100 or follows ``=`` in
a multiple-choice question, a bad number, a matching pair without ``->``, a short-answer or numerical
question no answer of which gives full marks, or a multiple-response question whose positive
weights do not add up to 100% (Moodle's question form refuses those too). Every bad question in the
file is reported, each with the line where its text starts, and then nothing is returned.

GIFT gives formats to answers and feedback one by one; here they share the question's format, so a
marker on an answer is read and dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from courses.questions.interchange import (
    ESSAY,
    FORMATS,
    MATCHING,
    MULTIPLE,
    NUMERICAL,
    SHORT,
    SINGLE,
    TRUEFALSE,
    FormatError,
    ParsedAnswer,
    ParsedQuestion,
)

BLANK = "_____"  # where a missing-word question's answer block was
CATEGORY = "$CATEGORY:"
DEFAULT_NAME = "Question"  # when the text gives no name either (Moodle: "Question name")
NAME_LENGTH = 80  # Moodle names an unnamed question with the first 80 characters of its text
ANY_NUMBER = "*"  # a numerical answer that matches any number: GIFT's "~#feedback"
TRUE_FALSE = ("T", "TRUE", "F", "FALSE")

# PHP's trim(): Python's own strip() would also take no-break spaces off Ukrainian text.
_WS = " \t\n\r\x00\x0b"
# Escaped characters become private-use characters while the question is taken apart, as Moodle
# turns them into placeholders, and come back at the end.
_ESCAPABLE = ":#={}~n\\"
_HIDDEN = {char: chr(0xF0000 + index) for index, char in enumerate(_ESCAPABLE)}
_REVEAL = str.maketrans({hidden: ("\n" if char == "n" else char) for char, hidden in _HIDDEN.items()})

_MARKER = re.compile(r"\[([A-Za-z]+)\]")
# Moodle reads "%50%" as a weight only when it is a number, and "%abc%" as text. Anything numeric
# between percent signs is taken for a weight here, so that "%5.0.0%" or "%150%" is reported.
_WEIGHT = re.compile(r"%([+\-\d.,\s]*\d[+\-\d.,\s]*)%")
_PERCENT = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
# Moodle's patterns: any characters but "]" and control characters, with "\]" for a "]".
_IDNUMBER = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])*)\]")
_HTML_TAG = re.compile(r"<[A-Za-z/!][^>]*>")


class _Problem(Exception):
    """What is wrong with one question; becomes a (line, message) of the FormatError."""


def parse_gift(text: str, category: str = "") -> list[ParsedQuestion]:
    """Read every question of a GIFT file; ``category`` is theirs until a ``$CATEGORY:`` line.

    Raises FormatError listing every malformed question with the line its text starts on."""
    questions: list[ParsedQuestion] = []
    problems: list[tuple[int, str]] = []
    current = category
    for block in _blocks(text):
        comments = "\n".join(line for _, line in block if line.startswith("//"))
        lines = [(number, line) for number, line in block if not line.startswith("//")]
        while lines and lines[0][1].startswith(CATEGORY):
            # Moodle wants $CATEGORY alone in its block; a question right under it is read too.
            current = _trim(lines[0][1][len(CATEGORY) :]) or category
            lines = lines[1:]
        if not lines:
            continue
        start = lines[0][0]
        try:
            question = _read_question("\n".join(line for _, line in lines), comments)
        except _Problem as problem:
            problems.append((start, str(problem)))
            continue
        question.category = current
        question.line = start
        questions.append(question)
    if problems:
        raise FormatError(problems)
    return questions


def default_question_name(text: str, text_format: str = "moodle") -> str:
    """The name Moodle gives a question without one: the start of its text, tags left out.

    Runs of spaces and new lines become one space, which Moodle keeps but every page shows as one;
    a plain text keeps what looks like tags, which are its text."""
    if text_format != "plain":
        text = _HTML_TAG.sub("", text)
    plain = " ".join(text.split())
    return _trim(_shorten(plain, NAME_LENGTH)) or DEFAULT_NAME


def _shorten(text: str, ideal: int, ending: str = "...") -> str:
    """Moodle's shorten_text() for plain text: cut after the last space or full stop that fits."""
    if len(text) <= ideal:
        return text
    left = ideal - len(ending)
    breakpos = left
    while breakpos > 0:
        char = text[breakpos] if breakpos < len(text) else ""
        # A character of three or more UTF-8 bytes (CJK, but also ’) may end a cut, as in Moodle.
        if char in (".", " ") or len(char.encode()) > 2:
            breakpos += 1
            break
        breakpos -= 1
    if breakpos == 0 or breakpos > left:
        breakpos = left
    return text[:breakpos] + ending


def _trim(text: str) -> str:
    return text.strip(_WS)


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    """The file's blank-line separated blocks, each a list of (line number, trimmed line)."""
    blocks: list[list[tuple[int, str]]] = []
    block: list[tuple[int, str]] = []
    for number, line in enumerate(_newlines(text.removeprefix("\ufeff")).split("\n"), start=1):
        line = _trim(line)
        if line:
            block.append((number, line))
        elif block:
            blocks.append(block)
            block = []
    if block:
        blocks.append(block)
    return blocks


def _hide_escapes(text: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and text[index + 1 : index + 2] in _HIDDEN:
            out.append(_HIDDEN[text[index + 1]])
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _reveal(text: str) -> str:
    return text.translate(_REVEAL)


def _with_format(text: str, default: str) -> tuple[str, str]:
    """Moodle's parse_text_with_format(): (format, text) from a text that may start with a marker."""
    text = text.lstrip(_WS)
    marker = _MARKER.match(text)
    if marker:
        name = marker.group(1)
        if name in FORMATS:
            return name, _trim(_reveal(text[marker.end() :]))
        # "[x](…)", "[x][ref]" and "[x]: …" are Markdown links, not markers.
        if text[marker.end() : marker.end() + 1] not in ("(", "[", ":"):
            raise _Problem(
                f"unknown text format [{name}]: use [moodle], [html], [markdown] or [plain] "
                f"(to begin a text with [{name}], put [moodle] before it)"
            )
    return default, _trim(_reveal(text))


def _read_question(raw: str, comments: str) -> ParsedQuestion:
    """One question from its block (comments taken out), as qformat_gift::readquestion reads it."""
    text = _hide_escapes(raw)
    name = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            raise _Problem("the name opened with :: is not closed with ::")
        name = " ".join(_reveal(text[2:end]).split())
        text = _trim(text[end + 2 :])

    opening, closing = text.count("{"), text.count("}")
    if not opening and not closing:
        raise _Problem("no answer block { … }: a text without answers (a description) is not a question")
    if not closing:
        raise _Problem("the answer block opened with { is not closed with }")
    if not opening:
        raise _Problem("} without an opening {; write \\} for a brace in the text")
    if opening > 1 or closing > 1:
        raise _Problem("more than one { … }; a question has one answer block (write \\{ and \\} for braces)")
    start, end = text.index("{"), text.index("}")
    if end < start:
        raise _Problem("} comes before {")
    body = _trim(text[start + 1 : end])
    # Text after the block makes a missing-word question: a blank where the answers were.
    question_text = text[:start] + ("" if text.endswith("}") else BLANK) + text[end + 1 :]

    general_feedback = ""
    separator = body.rfind("####")
    if separator >= 0:
        general_feedback = body[separator + 4 :]
        body = _trim(body[:separator])

    text_format, question_text = _with_format(question_text, "moodle")
    if not question_text:
        raise _Problem("the question has no text")
    _, general_feedback = _with_format(general_feedback, text_format)
    idnumber, tags = _idnumber_and_tags(comments)
    question_type = _question_type(body)
    answers = _READERS[question_type](body, text_format)
    if question_type == MULTIPLE:
        total = sum(answer.fraction for answer in answers if answer.fraction > 0)
        if round(total, 2) != 1:  # Moodle's own check, in hundredths
            raise _Problem(
                f"the positive weights add up to {round(total * 100, 2):g}%; in a multiple-response question "
                "(answers with ~ and none with =) they must add up to 100%"
            )
    return ParsedQuestion(
        name=name or default_question_name(question_text, text_format),
        type=question_type,
        text=question_text,
        format=text_format,
        answers=answers,
        general_feedback=general_feedback,
        idnumber=idnumber,
        tags=tags,
    )


def _question_type(body: str) -> str:
    """The type, decided from the answer block exactly as Moodle decides it."""
    if not body:
        return ESSAY
    if body.startswith("#"):
        return NUMERICAL
    if "~" in body:
        return SINGLE if "=" in body else MULTIPLE
    if "=" in body and "->" in body:
        return MATCHING
    check = body
    if body.find("#") > 0:
        check = _trim(body[: body.find("#")])
    return TRUEFALSE if check in TRUE_FALSE else SHORT


def _idnumber_and_tags(comments: str) -> tuple[str, list[str]]:
    """Moodle's extract_idnumber_and_tags_from_comment(): the first [id:…] and every [tag:…]."""
    found = _IDNUMBER.search(comments)
    idnumber = _trim(found.group(1)).replace("\\]", "]") if found else ""
    tags = [_trim(raw).replace("\\]", "]") for raw in _TAG.findall(comments)]
    return idnumber, [tag for tag in tags if tag]


def _pieces(body: str, separator: str) -> list[str]:
    """The answers of a block split on their prefix; text before the first prefix is an answer too."""
    pieces = body.split(separator)
    if not _trim(pieces[0]):
        pieces.pop(0)
    return [_trim(piece) for piece in pieces]


def _weight(piece: str, number: int, default: float) -> tuple[float, str]:
    """A leading %weight% as a fraction, and the rest of the answer."""
    found = _WEIGHT.match(piece)
    if not found:
        return default, piece
    raw = _trim(_reveal(found.group(1)))
    if not _PERCENT.fullmatch(raw):
        raise _Problem(f"answer {number}: the weight %{raw}% is not a percentage")
    value = Decimal(raw.replace(",", "."))
    if not -100 <= value <= 100:
        raise _Problem(f"answer {number}: the weight {raw}% is outside -100%…100%")
    return float(value / 100), piece[found.end() :]


def _answer(piece: str, text_format: str) -> tuple[str, str]:
    """Moodle's commentparser(): an answer's text and, after the first #, its feedback."""
    text, hash_sign, feedback = piece.partition("#")
    return _with_format(text, text_format)[1], _with_format(feedback, text_format)[1] if hash_sign else ""


def _read_choices(body: str, text_format: str) -> list[ParsedAnswer]:
    answers = []
    pieces = _pieces(body.replace("=", "~="), "~")
    if len(pieces) < 2:
        raise _Problem("a multiple-choice question needs at least two answers")
    for number, piece in enumerate(pieces, start=1):
        if piece.startswith("="):
            piece = piece[1:]
            if _WEIGHT.match(_trim(piece)):
                raise _Problem(
                    f"answer {number}: a weight goes after ~ (~%50%…); = marks an answer worth 100%"
                )
            fraction = 1.0
        else:
            fraction, piece = _weight(piece, number, 0.0)
        text, feedback = _answer(piece, text_format)
        if not text:
            raise _Problem(f"answer {number} is empty")
        answers.append(ParsedAnswer(text, fraction, feedback))
    return answers


def _read_short(body: str, text_format: str) -> list[ParsedAnswer]:
    answers = []
    for number, piece in enumerate(_pieces(body, "="), start=1):
        fraction, piece = _weight(piece, number, 1.0)
        text, feedback = _answer(piece, text_format)
        if not text:
            raise _Problem(f"answer {number} is empty")
        answers.append(ParsedAnswer(text, fraction, feedback))
    if not answers:
        raise _Problem("a short-answer question needs at least one answer")
    if max(answer.fraction for answer in answers) != 1:
        raise _Problem("no answer is worth 100% (=answer, or =%100%answer)")
    return answers


def _read_truefalse(body: str, text_format: str) -> list[ParsedAnswer]:
    # {T#feedback for a wrong choice#feedback for the right one}
    bits = body.split("#", 2)
    wrong = _with_format(bits[1], text_format)[1] if len(bits) > 1 else ""
    right = _with_format(bits[2], text_format)[1] if len(bits) > 2 else ""
    if _trim(bits[0]) in ("T", "TRUE"):
        return [ParsedAnswer("true", 1.0, right), ParsedAnswer("false", 0.0, wrong)]
    return [ParsedAnswer("true", 0.0, wrong), ParsedAnswer("false", 1.0, right)]


def _read_matching(body: str, text_format: str) -> list[ParsedAnswer]:
    answers = []
    pieces = _pieces(body, "=")
    for number, piece in enumerate(pieces, start=1):
        if "->" not in piece:
            raise _Problem(f"pair {number} has no -> between the item and its match")
        item, _, match = piece.partition("->")
        item = _with_format(item, text_format)[1]
        match = _trim(_reveal(match))
        if not match:
            raise _Problem(f"pair {number} has nothing after ->")
        # A pair without an item only adds a wrong choice to every list.
        answers.append(ParsedAnswer(item, 1.0 if item else 0.0, match=match))
    if sum(1 for answer in answers if answer.text) < 2:
        raise _Problem("a matching question needs at least two pairs (=item -> match)")
    return answers


def _read_numerical(body: str, text_format: str) -> list[ParsedAnswer]:
    body = body[1:]
    other = None
    if "~" in body:
        # Moodle writes the feedback for any other number last, as ~#feedback.
        body, other = body[: body.index("~")], body[body.index("~") + 1 :]
    answers = []
    for number, piece in enumerate(_pieces(body, "="), start=1):
        fraction, piece = _weight(piece, number, 1.0)
        value, feedback = _answer(piece, text_format)
        text, tolerance = _number(value, number)
        answers.append(ParsedAnswer(text, fraction, feedback, tolerance))
    if not answers:
        raise _Problem("a numerical question needs at least one number")
    if max(answer.fraction for answer in answers) != 1:
        raise _Problem("no number is worth 100% (=number, or =%100%number)")
    if other is not None:
        before, _, feedback = other.partition("#")
        if "~" in other or _trim(before):
            raise _Problem("after the numbers, only ~#feedback (for any other number) may follow")
        answers.append(ParsedAnswer(ANY_NUMBER, 0.0, _with_format(feedback, text_format)[1], 0.0))
    return answers


def _decimal(text: str, number: int) -> Decimal:
    text = _trim(text)
    if not _NUMBER.fullmatch(text):
        raise _Problem(f"answer {number}: {text!r} is not a number" if text else f"answer {number} is empty")
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only numbers
        raise _Problem(f"answer {number}: {text!r} is not a number") from error


def _number(text: str, number: int) -> tuple[str, float]:
    """A numerical answer as (decimal string, tolerance): "a:t", "low..high" or a number."""
    if text.find("..") > 0:
        low, high = (_decimal(part, number) for part in text.split("..", 1))
        if low > high:
            raise _Problem(f"answer {number}: the range {text} must go from the lower number to the higher")
        value = (low + high) / 2
        tolerance = high - value
    elif text.find(":") > 0:
        raw_value, raw_tolerance = text.split(":", 1)
        value, tolerance = _decimal(raw_value, number), _decimal(raw_tolerance, number)
        if tolerance < 0:
            raise _Problem(f"answer {number}: the tolerance {_trim(raw_tolerance)} is negative")
    else:
        value, tolerance = _decimal(text, number), Decimal(0)
    return _decimal_text(value), float(tolerance)


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


_READERS: dict[str, Callable[[str, str], list[ParsedAnswer]]] = {
    ESSAY: lambda body, text_format: [],
    NUMERICAL: _read_numerical,
    SINGLE: _read_choices,
    MULTIPLE: _read_choices,
    MATCHING: _read_matching,
    TRUEFALSE: _read_truefalse,
    SHORT: _read_short,
}


# Writing


def dump_gift(questions: list[ParsedQuestion]) -> str:
    """The questions as a GIFT file that ``parse_gift`` reads back to the same questions.

    Every field is written: ``$CATEGORY:`` when the category changes, a ``// [id:…] [tag:…]`` line,
    the name, format, weights, feedback, tolerances and general feedback. Raises FormatError
    naming every question GIFT cannot hold (the line number is its place in the list)."""
    blocks: list[str] = []
    problems: list[tuple[int, str]] = []
    category = ""
    for position, question in enumerate(questions, start=1):
        try:
            block = _write_question(question)
        except _Problem as problem:
            problems.append((position, f'"{question.name}": {problem}'))
            continue
        if _trim(question.category) != category:
            category = _trim(question.category)
            blocks.append(f"{CATEGORY} {category}".rstrip())
        blocks.append(block)
    if problems:
        raise FormatError(problems)
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _percent(fraction: float) -> str:
    """A fraction as the percentage that reads back to exactly the same float."""
    return _decimal_text(Decimal(repr(fraction)) * 100)


def _escape(text: str, colon: bool = False) -> str:
    """Moodle's repchar(): GIFT's special characters escaped, new lines as \\n."""
    text = _newlines(text).replace("\\", "\\\\")
    for char in "~=#{}" + (":" if colon else ""):
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _escape_text(text: str, text_format: str) -> str:
    """A text where a format marker may stand: a marker goes first when the text looks like one."""
    text = _trim(_newlines(text))
    return (f"[{text_format}]" if _MARKER.match(text) else "") + _escape(text)


def _write_question(question: ParsedQuestion) -> str:
    if question.type not in _WRITERS:
        raise _Problem(f"unknown question type {question.type!r}")
    if question.format not in FORMATS:
        raise _Problem(f"unknown text format {question.format!r}")
    if "\n" in _newlines(question.category):
        raise _Problem("the category has several lines")
    if not _trim(question.text):
        raise _Problem("the question has no text")
    lines = []
    bits = []
    if _trim(question.idnumber):
        bits.append(f"[id:{_trim(question.idnumber).replace(']', chr(92) + ']')}]")
    bits.extend(f"[tag:{_trim(tag).replace(']', chr(92) + ']')}]" for tag in question.tags if _trim(tag))
    if bits:
        if any(_IDNUMBER.fullmatch(bit) is None and _TAG.fullmatch(bit) is None for bit in bits):
            raise _Problem("the id number or a tag has a character GIFT cannot hold (a new line, < > or `)")
        lines.append("// " + " ".join(bits))

    name = " ".join(question.name.split())
    head = f"::{_escape(name, colon=True)}:: " if name else ""
    text = _trim(_newlines(question.text))
    marker = question.format != "moodle" or _MARKER.match(text)
    text = (f"[{question.format}]" if marker else "") + _escape(text)
    block = _WRITERS[question.type](question)
    blank = text.find(BLANK)
    if blank >= 0 and text[blank + len(BLANK) :]:
        # A missing-word question: its answers go back where the blank is.
        text = text[:blank] + block + text[blank + len(BLANK) :]
    else:
        text = f"{text} {block}"
    lines.append(head + text)
    written = "\n".join(lines)

    try:
        back = parse_gift(written)
    except FormatError as error:
        raise _Problem(f"cannot be written in GIFT ({error.problems[0][1]})") from error
    if len(back) != 1:
        raise _Problem("cannot be written in GIFT: it would not read back as one question")
    difference = _difference(question, back[0])
    if difference:
        raise _Problem(f"cannot be written in GIFT: its {difference} would read back differently")
    return written


def _general_feedback(question: ParsedQuestion, indent: str) -> str:
    if not _trim(question.general_feedback):
        return ""
    feedback = "####" + _escape_text(question.general_feedback, question.format)
    return f"{indent}{feedback}\n" if indent else feedback


def _feedback(answer: ParsedAnswer, question: ParsedQuestion) -> str:
    return "#" + _escape_text(answer.feedback, question.format) if _trim(answer.feedback) else ""


def _answer_lines(question: ParsedQuestion, lines: list[str]) -> str:
    return "{\n" + "".join(f"\t{line}\n" for line in lines) + _general_feedback(question, "\t") + "}"


def _weighted(prefix: str, answer: ParsedAnswer, question: ParsedQuestion, default: float) -> str:
    """An answer after its prefix; the weight is written when it is not the default, or when the
    text itself starts like a weight."""
    plain = answer.fraction == default and not answer.text.lstrip(_WS).startswith("%")
    weight = "" if plain else f"%{_percent(answer.fraction)}%"
    return prefix + weight + _escape_text(answer.text, question.format) + _feedback(answer, question)


def _write_essay(question: ParsedQuestion) -> str:
    if question.answers:
        raise _Problem("an essay question has no answers")
    return "{" + _general_feedback(question, "") + "}"


def _write_truefalse(question: ParsedQuestion) -> str:
    by_text = {answer.text: answer for answer in question.answers}
    if len(question.answers) != 2 or set(by_text) != {"true", "false"}:
        raise _Problem('a true/false question has the answers "true" and "false"')
    true, false = by_text["true"], by_text["false"]
    if {true.fraction, false.fraction} != {0.0, 1.0}:
        raise _Problem("one of true and false is worth 100% and the other 0%")
    right, wrong = (true, false) if true.fraction == 1 else (false, true)
    written = "{" + ("TRUE" if true.fraction == 1 else "FALSE")
    if _trim(wrong.feedback) or _trim(right.feedback):
        written += "#" + _escape_text(wrong.feedback, question.format)
    if _trim(right.feedback):
        written += "#" + _escape_text(right.feedback, question.format)
    return written + _general_feedback(question, "") + "}"


def _write_single(question: ParsedQuestion) -> str:
    if not any(answer.fraction == 1 for answer in question.answers):
        raise _Problem("a single-choice question needs an answer worth 100%")
    lines = []
    for answer in question.answers:
        if answer.fraction == 1 and not _WEIGHT.match(_trim(answer.text)):
            lines.append("=" + _escape_text(answer.text, question.format) + _feedback(answer, question))
        else:
            lines.append(_weighted("~", answer, question, 0.0))
    if not any(line.startswith("~") for line in lines):
        # Without a ~ GIFT reads a short answer: the last right answer gets an explicit weight.
        lines[-1] = _weighted("~", question.answers[-1], question, 0.0)
    return _answer_lines(question, lines)


def _write_multiple(question: ParsedQuestion) -> str:
    return _answer_lines(question, [_weighted("~", answer, question, 0.0) for answer in question.answers])


def _write_short(question: ParsedQuestion) -> str:
    if any("->" in answer.text or "->" in answer.feedback for answer in question.answers):
        raise _Problem("GIFT reads a short answer containing -> as a matching question")
    return _answer_lines(question, [_weighted("=", answer, question, 1.0) for answer in question.answers])


def _write_numerical(question: ParsedQuestion) -> str:
    lines = []
    for answer in question.answers:
        if answer.text == ANY_NUMBER:
            lines.append("~" + _feedback(answer, question))
            continue
        try:
            value = _decimal_text(Decimal(answer.text.replace(",", ".")))
        except InvalidOperation as error:
            raise _Problem(f"{answer.text!r} is not a number") from error
        tolerance = _decimal_text(Decimal(repr(float(answer.tolerance or 0))))
        weight = "" if answer.fraction == 1 else f"%{_percent(answer.fraction)}%"
        lines.append(f"={weight}{value}:{tolerance}" + _feedback(answer, question))
    return "{#\n" + _answer_lines(question, lines)[2:]


def _write_matching(question: ParsedQuestion) -> str:
    lines = []
    for answer in question.answers:
        if "->" in answer.text:
            raise _Problem("a matching item cannot contain -> in GIFT")
        if answer.feedback:
            raise _Problem("matching pairs have no feedback in GIFT")
        item = _escape_text(answer.text, question.format)
        lines.append(f"={item} -> {_escape(answer.match or '')}")
    return _answer_lines(question, lines)


_WRITERS: dict[str, Callable[[ParsedQuestion], str]] = {
    ESSAY: _write_essay,
    TRUEFALSE: _write_truefalse,
    SINGLE: _write_single,
    MULTIPLE: _write_multiple,
    SHORT: _write_short,
    NUMERICAL: _write_numerical,
    MATCHING: _write_matching,
}


def _same_text(written: str, read: str) -> bool:
    return _trim(_newlines(written)) == read


def _difference(question: ParsedQuestion, back: ParsedQuestion) -> str:
    """The first field the written question reads back differently, or ""."""
    if question.name and " ".join(question.name.split()) != back.name:
        return "name"
    for field in ("type", "format"):
        if getattr(question, field) != getattr(back, field):
            return field
    if _trim(question.idnumber) != back.idnumber:
        return "id number"
    if not _same_text(question.text, back.text):
        return "text"
    if not _same_text(question.general_feedback, back.general_feedback):
        return "general feedback"
    if [_trim(tag) for tag in question.tags if _trim(tag)] != back.tags:
        return "tags"
    if len(question.answers) != len(back.answers):
        return "number of answers"
    for number, (answer, read) in enumerate(zip(question.answers, back.answers, strict=True), start=1):
        if question.type == NUMERICAL and answer.text != ANY_NUMBER:
            value = Decimal(answer.text.replace(",", "."))
            if read.text == ANY_NUMBER or value != Decimal(read.text):
                return f"answer {number}"
            if float(answer.tolerance or 0) != read.tolerance:
                return f"answer {number}"
        elif not _same_text(answer.text, read.text):
            return f"answer {number}"
        if question.type == MATCHING:
            if not _same_text(answer.match or "", read.match or ""):
                return f"answer {number}"
        elif answer.fraction != read.fraction:
            return f"weight of answer {number}"
        if not _same_text(answer.feedback, read.feedback):
            return f"feedback of answer {number}"
    return ""
