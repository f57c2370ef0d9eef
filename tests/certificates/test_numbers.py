"""Certificate numbers: random, well formed, and every typo of one character or one swap is caught."""

from __future__ import annotations

import random

import pytest

from certificates import numbers
from certificates.numbers import ALPHABET, Problem, parse


def _canonical(number: str) -> str:
    return number.replace("-", "")


def test_new_numbers_are_well_formed_and_different():
    made = {numbers.new_number() for _ in range(2000)}
    assert len(made) == 2000
    for number in list(made)[:50]:
        assert len(number) == len("KSK-7Q4M-X9TA-3")
        assert number.startswith("KSK-")
        assert not set(_canonical(number)) & set("01OIL")
        assert parse(number).number == number


def test_the_alphabet_leaves_out_the_confusable_characters():
    assert len(ALPHABET) == 31
    assert not set(ALPHABET) & set("0O1IL")


@pytest.fixture(scope="module")
def sample() -> list[str]:
    random.seed(9)
    return [numbers.new_number() for _ in range(200)]


def test_every_single_character_change_is_caught(sample):
    for number in sample:
        canonical = _canonical(number)
        for position in range(len(canonical)):
            for char in ALPHABET:
                if char == canonical[position]:
                    continue
                changed = canonical[:position] + char + canonical[position + 1 :]
                assert parse(changed).problem is Problem.MISTYPED, (number, changed)


def test_every_swap_of_neighbours_is_caught(sample):
    for number in sample:
        canonical = _canonical(number)
        for position in range(len(canonical) - 1):
            first, second = canonical[position], canonical[position + 1]
            if first == second:
                continue
            swapped = canonical[:position] + second + first + canonical[position + 2 :]
            assert parse(swapped).problem is Problem.MISTYPED, (number, swapped)


def test_input_is_forgiving(sample):
    number = sample[0]
    body = _canonical(number)
    assert parse(number.lower()).number == number
    assert parse(f"  {body[:5]} {body[5:]} ").number == number
    assert parse(body).number == number  # no hyphens
    assert parse("--" + number.replace("-", "--") + "-").number == number  # extra hyphens
    assert parse(body[3:]).number == number  # without the prefix


def test_cyrillic_look_alikes_are_read_as_latin():
    cyrillic = str.maketrans("ABEKMHOPCTX", "АВЕКМНОРСТХ")
    for number in (numbers.new_number() for _ in range(300)):
        typed = number.translate(cyrillic)
        if typed != number:
            assert parse(typed).number == number
            assert parse(typed.lower()).number == number


def test_empty_and_wrong_lengths():
    assert parse("  ").problem is Problem.EMPTY
    assert parse("KSK-1234").problem is Problem.MISTYPED
    assert parse("KSK-7Q4M-X9TA-33").problem is Problem.MISTYPED
    assert parse("KSK-OOOO-OOOO-O").problem is Problem.MISTYPED  # outside the alphabet
