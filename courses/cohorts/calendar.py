"""iCalendar (RFC 5545) of a cohort's sessions: the cohort's feed and one session's download.

Each session is one VEVENT whose UID (the session's ``uid`` at this site's host) never changes and
whose SEQUENCE goes up on every change, so a calendar program that subscribed to the feed, or imported
a download, replaces its copy. Times are written in the cohort's time zone with a VTIMEZONE covering
the sessions' years; a cancelled session stays in the feed with STATUS:CANCELLED.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from flask import current_app, url_for

import courses
from courses.cohorts.models import Cohort, CohortSession
from courses.cohorts.sessions import in_cohort_zone
from lms.i18n import utcnow

if TYPE_CHECKING:
    from icalendar import Event

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def _host() -> str:
    return urlsplit(current_app.config["LMS_BASE_URL"]).hostname or "kaskad"


def _location(session: CohortSession) -> str:
    venue = session.venue_organisation
    parts = [str(venue.name), venue.address, venue.settlement] if venue is not None else []
    parts.append(session.place)
    return ", ".join(part for part in parts if part)


def _description(session: CohortSession) -> str:
    lines = [str(session.cohort.course.title)]
    lines += [str(module.title) for module in session.modules]
    if session.webinar_url:
        lines.append(session.webinar_url)
    return "\n".join(lines)


def _summary(session: CohortSession) -> str:
    return session.topic or str(session.cohort.course.title)


def event(session: CohortSession, now: datetime | None = None) -> Event:
    """The session as a VEVENT."""
    from icalendar import Event  # imported by the first feed, not by every worker
    from icalendar.enums import STATUS

    cohort = session.cohort
    entry = Event.new(
        uid=f"{session.uid}@{_host()}",
        summary=_summary(session),
        start=in_cohort_zone(cohort, session.starts_at),
        end=in_cohort_zone(cohort, session.ends_at),
        stamp=_utc(now or utcnow()),
        created=_utc(session.created_at),
        last_modified=_utc(session.updated_at),
        sequence=session.sequence,
        status=STATUS.CANCELLED if session.is_cancelled else STATUS.CONFIRMED,
        location=_location(session) or None,
        description=_description(session),
        url=session.webinar_url or None,
    )
    venue = session.venue_organisation
    if venue is not None and venue.latitude is not None and venue.longitude is not None:
        entry.add("geo", (venue.latitude, venue.longitude))
    return entry


def calendar(cohort: Cohort, sessions: Sequence[CohortSession], now: datetime | None = None) -> bytes:
    """A VCALENDAR of ``sessions`` of ``cohort``, with the VTIMEZONE they need."""
    from icalendar import Calendar

    feed = Calendar.new(
        prodid=f"-//Kaskad//Kaskad courses {courses.__version__}//EN",
        name=str(cohort),
        description=str(cohort.course.title),
        method="PUBLISH",
        url=urljoin(
            current_app.config["LMS_BASE_URL"], url_for("courses_cohorts.sessions", cohort_id=cohort.id)
        ),
    )
    for session in sessions:
        feed.add_component(event(session, now))
    if sessions:
        years = [in_cohort_zone(cohort, session.starts_at).year for session in sessions]
        # Only the years of the sessions: a zone's whole history would be most of the file.
        feed.add_missing_timezones(first_date=date(min(years), 1, 1), last_date=date(max(years) + 1, 1, 1))
    return bytes(feed.to_ical())


def filename(session: CohortSession) -> str:
    """``session-2026-03-02-<id>.ics``: the day in the cohort's time zone."""
    day = in_cohort_zone(session.cohort, session.starts_at).date()
    return f"session-{day.isoformat()}-{session.id}.ics"
