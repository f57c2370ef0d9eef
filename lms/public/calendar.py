"""A hub's public calendar (RFC 5545): the sessions anyone may come to, for calendar programs.

Each event keeps the UID its plugin gave it (the same as in the cohort's own feed) and its SEQUENCE, so
a program that subscribed replaces its copy when a session changes. Times are written in UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from flask import current_app, url_for

import lms
from lms.i18n import utcnow
from lms.orgs.models import Organisation
from lms.plugins import PublicSession

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def _location(hub: Organisation, session: PublicSession) -> str:
    parts = [str(hub.name), hub.address, hub.settlement, session.place]
    return ", ".join(part for part in parts if part)


def hub_calendar(hub: Organisation, sessions: Sequence[PublicSession], now: datetime | None = None) -> bytes:
    from icalendar import Calendar, Event  # imported by the first feed, not by every worker

    host = urlsplit(current_app.config["LMS_BASE_URL"]).hostname or "kaskad"
    page = urljoin(current_app.config["LMS_BASE_URL"], url_for("public.hub", code=hub.code))
    feed = Calendar.new(
        prodid=f"-//Kaskad//Kaskad {lms.__version__}//EN",
        name=str(hub.name),
        method="PUBLISH",
        url=page,
    )
    stamp = _utc(now or utcnow())
    for session in sessions:
        entry = Event.new(
            uid=session.uid if "@" in session.uid else f"{session.uid}@{host}",
            summary=session.title,
            start=_utc(session.starts_at),
            end=_utc(session.ends_at),
            stamp=stamp,
            sequence=session.sequence,
            location=_location(hub, session),
            description=session.course,
            url=page,
        )
        if session.updated_at is not None:
            entry.add("last-modified", _utc(session.updated_at))
        if hub.latitude is not None and hub.longitude is not None:
            entry.add("geo", (hub.latitude, hub.longitude))
        feed.add_component(entry)
    return bytes(feed.to_ical())
