"""What the completion rule's verdicts say in words (pages, exports and commands share them)."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _

from courses.cohorts.completion import ATTENDANCE, ITEMS, QUIZZES, Standing


def missing(standing: Standing) -> list[str]:
    """One sentence per part of the rule a member does not meet yet, in the current locale."""
    sentences = []
    for part in standing.missing:
        if part == ITEMS:
            sentences.append(
                _(
                    "Required items: %(done)s of %(total)s done.",
                    done=format_decimal(standing.items_done),
                    total=format_decimal(standing.items_required),
                )
            )
        elif part == QUIZZES:
            titles = ", ".join(f"«{item.title}»" for item in standing.quizzes_missing)
            sentences.append(_("Quiz not passed yet: %(titles)s.", titles=titles))
        elif part == ATTENDANCE:
            sentences.append(
                _(
                    "Attendance: %(attended)s of %(sessions)s sessions, at least %(needed)s needed.",
                    attended=format_decimal(standing.attended),
                    sessions=format_decimal(standing.sessions),
                    needed=format_decimal(standing.sessions_needed),
                )
            )
    return sentences
