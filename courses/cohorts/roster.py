"""A session's printable roster: the session's details and one line per learner (Ukrainian
alphabetical order) with a column to sign, as an A4 PDF.

xhtml2pdf renders it with Roboto from the ``font-roboto`` package (Apache-2.0, installed as a
dependency, so ``pip install`` is the whole install). xhtml2pdf reads local files only under the
folders its resource policy names: the font's folder is named, or Cyrillic comes out as boxes without
any error. Nothing else is read and nothing is fetched.
"""

from __future__ import annotations

from flask import render_template

from courses.cohorts.models import CohortSession
from courses.cohorts.sessions import attendance_sheet, in_cohort_zone
from lms.pdf import FONTS, html_to_pdf


class RosterError(RuntimeError):
    """xhtml2pdf reported errors: the roster could not be made."""


def roster_html(session: CohortSession) -> str:
    """The roster as an HTML document for xhtml2pdf (in the current locale)."""
    cohort = session.cohort
    return render_template(
        "courses/cohorts/roster_pdf.html",
        session=session,
        cohort=cohort,
        rows=attendance_sheet(session),
        starts=in_cohort_zone(cohort, session.starts_at),
        ends=in_cohort_zone(cohort, session.ends_at),
        fonts={name: path.as_posix() for name, path in FONTS.items()},
    )


def roster_pdf(session: CohortSession) -> bytes:
    """The roster of ``session`` as PDF bytes."""
    pdf = html_to_pdf(roster_html(session))
    if pdf is None:
        raise RosterError(f"the roster of session {session.id} could not be made")
    return pdf


def filename(session: CohortSession) -> str:
    day = in_cohort_zone(session.cohort, session.starts_at).date()
    return f"roster-{day.isoformat()}-{session.id}.pdf"
