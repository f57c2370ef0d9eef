"""Questions as plain data, between the file formats, the bank and the grader.

``ParsedQuestion`` is what an import reads and an export writes; ``as_json`` gives the object that
``lms questions import --dry-run`` prints, one per question.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The question types, named as the dry-run output names them.
SINGLE = "single"  # one right answer among several (Moodle: multichoice, single)
MULTIPLE = "multiple"  # several may be right; partial and negative credit (Moodle: multichoice, multi)
TRUEFALSE = "truefalse"
SHORT = "short"  # typed answer compared with several accepted answers
NUMERICAL = "numerical"
MATCHING = "matching"
ESSAY = "essay"  # graded by a trainer
TYPES = (SINGLE, MULTIPLE, TRUEFALSE, SHORT, NUMERICAL, MATCHING, ESSAY)

# Text formats, as GIFT's [moodle] [html] [markdown] [plain] markers name them.
FORMATS = ("moodle", "html", "markdown", "plain")


@dataclass
class ParsedAnswer:
    """One answer. For matching, ``text`` is the subquestion and ``match`` the answer it pairs with;
    for numerical, ``text`` is the number as a decimal string and ``tolerance`` its tolerance."""

    text: str
    fraction: float = 0.0  # -1 … 1
    feedback: str = ""
    tolerance: float | None = None  # numerical only
    match: str | None = None  # matching only

    def as_json(self, question_type: str) -> dict[str, Any]:
        text = f"{self.text} -> {self.match}" if question_type == MATCHING else self.text
        return {
            "text": text,
            "fraction": self.fraction,
            "feedback": self.feedback,
            "tolerance": self.tolerance if question_type == NUMERICAL else None,
        }


@dataclass
class ParsedQuestion:
    name: str
    type: str
    text: str
    format: str = "moodle"
    category: str = ""  # "Top/Digital safety/Passwords", as $CATEGORY: gives it
    answers: list[ParsedAnswer] = field(default_factory=list)
    general_feedback: str = ""
    # From a comment line before the question, as Moodle reads them: // [id:…] [tag:…] [tag:…]
    idnumber: str = ""
    tags: list[str] = field(default_factory=list)
    line: int = 0  # where the question starts in its file (1-based), for messages

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "text": self.text,
            "format": self.format,
            "category": self.category,
            "answers": [answer.as_json(self.type) for answer in self.answers],
        }


class FormatError(ValueError):
    """A file that cannot be read; ``problems`` lists (line, message) for every bad question."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"line {line}: {message}" for line, message in problems))
