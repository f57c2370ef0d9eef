"""What the completion rule's verdicts say in words (pages, exports and commands share them)."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _

from courses.cohorts.completion import ATTENDANCE, ITEMS, QUIZZES, Standing


def count(value: int) -> str:
    """A count in the current locale's digits: below 1,000 it is its digits (Babel's formatting costs
    a lot per call, and lists call it for every row)."""
    return str(value) if 0 <= value < 1000 else format_decimal(value)


def missing(standing: Standing) -> list[str]:
    """One sentence per part of the rule a member does not meet yet, in the current locale."""
    sentences = []
    for part in standing.missing:
        if part == ITEMS:
            sentences.append(
                _(
                    "Required items: %(done)s of %(total)s done.",
                    done=count(standing.items_done),
                    total=count(standing.items_required),
                )
            )
        elif part == QUIZZES:
            titles = ", ".join(f"«{item.title}»" for item in standing.quizzes_missing)
            sentences.append(_("Quiz not passed yet: %(titles)s.", titles=titles))
        elif part == ATTENDANCE:
            sentences.append(
                _(
                    "Attendance: %(attended)s of %(sessions)s sessions, at least %(needed)s needed.",
                    attended=count(standing.attended),
                    sessions=count(standing.sessions),
                    needed=count(standing.sessions_needed),
                )
            )
    return sentences


class Numbers:
    """Numbers for one page in the current locale, worked out once instead of once per cell: counts,
    decimals (at most two places) and shares as percentages."""

    def __init__(self) -> None:
        from babel.numbers import get_decimal_symbol
        from flask_babel import format_percent, get_locale

        self.comma = get_decimal_symbol(get_locale() or "uk")
        self.percent_pattern = format_percent(0.5).replace("50", "{}", 1)

    def count(self, value: int) -> str:
        return count(value)

    def decimal(self, value: float) -> str:
        if not 0 <= value < 1000:
            return str(format_decimal(value, "0.##"))
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", self.comma)

    def percent(self, share: float) -> str:
        return self.percent_pattern.format(count(round(share * 100)))
