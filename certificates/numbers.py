"""Certificate numbers: ``KSK-7Q4M-X9TA-3``, random (never sequential), with a check character.

The alphabet has 31 characters (digits and Latin capitals without 0/O and 1/I/L, which people
confuse). 31 is prime, so a weighted sum modulo 31 with distinct non-zero weights catches every
single-character change (the sum moves by ``w·d`` with ``w, d`` non-zero modulo a prime) and every
swap of two characters, neighbours included (it moves by ``(wᵢ − wⱼ)·d`` with distinct weights). The
check character is the one that brings the weighted sum of the whole number to zero (ISO 7064's pure
systems work the same way). The prefix is part of the sum, so a changed prefix is caught too.

Input is forgiving: case, spaces, missing or extra hyphens, and Cyrillic letters that look like Latin
ones (a Ukrainian keyboard types А В Е К М Н О Р С Т Х) are normalised before the check.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MODULUS = len(ALPHABET)  # 31, a prime
VALUE = {char: index for index, char in enumerate(ALPHABET)}
PREFIX = "KSK"
BODY_LENGTH = 8  # 31⁸ ≈ 8.5·10¹¹ numbers
LENGTH = len(PREFIX) + BODY_LENGTH + 1

# Cyrillic capitals (after upper-casing) that look like Latin ones, and the Latin letter meant.
LOOK_ALIKES = str.maketrans(
    {
        "А": "A",
        "В": "B",
        "Е": "E",
        "К": "K",
        "М": "M",
        "Н": "H",
        "О": "O",
        "Р": "P",
        "С": "C",
        "Т": "T",
        "Х": "X",
    }
)
SEPARATORS = str.maketrans("", "", " -‐‑‒–—_.\t\u00a0")


class Problem(enum.StrEnum):
    EMPTY = "empty"
    MISTYPED = "mistyped"  # wrong length, a character outside the alphabet, or the check fails


def _weight(position: int) -> int:
    # Positions 0…10 of the prefix and body get weights 2…12; the check character has weight 1.
    return position + 2


def check_character(payload: str) -> str:
    """The character that makes ``payload + character`` a valid number (``payload`` canonical)."""
    total = sum(_weight(position) * VALUE[char] for position, char in enumerate(payload))
    return ALPHABET[(-total) % MODULUS]


def is_consistent(canonical: str) -> bool:
    """Does the weighted sum of ``canonical`` (prefix, body and check, no hyphens) come to zero?"""
    if any(char not in VALUE for char in canonical):
        return False
    payload, check = canonical[:-1], canonical[-1]
    return check_character(payload) == check


def new_number() -> str:
    """A fresh random number, formatted."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return format_number(PREFIX + body + check_character(PREFIX + body))


def format_number(canonical: str) -> str:
    """``KSK7Q4MX9TA3`` → ``KSK-7Q4M-X9TA-3``."""
    body = canonical[len(PREFIX) : -1]
    return f"{canonical[: len(PREFIX)]}-{body[:4]}-{body[4:]}-{canonical[-1]}"


@dataclass(frozen=True)
class Parsed:
    number: str | None  # formatted, when the input is a well-formed number
    problem: Problem | None


def parse(text: str) -> Parsed:
    """Normalise what someone typed and check it: a formatted number, or what is wrong with it."""
    canonical = text.upper().translate(LOOK_ALIKES).translate(SEPARATORS)
    if not canonical:
        return Parsed(None, Problem.EMPTY)
    if len(canonical) == LENGTH - len(PREFIX):  # typed without the prefix
        canonical = PREFIX + canonical
    if len(canonical) != LENGTH or not is_consistent(canonical):
        return Parsed(None, Problem.MISTYPED)
    return Parsed(format_number(canonical), None)
