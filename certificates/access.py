"""Who may do what with certificates: every certificate page and command checks here.

A certificate belongs to the organisation its holder belonged to at issue (``holder_path``), so a
manager's scope is the one she had over the holder then, and later moves never hide or expose it.
"""

from __future__ import annotations

from typing import Any

from lms.permissions import allow, can, roles_of, scope

VIEW = "certificates.view"  # search and see certificates of one's scope
REVOKE = "certificates.revoke"  # revoke or correct one, with a reason
ISSUE = "certificates.issue"  # issue one by hand, with a reason
TEMPLATES = "certificates.template.edit"  # edit a course's template and issuance settings
DESK = "certificates.desk"  # check a list of numbers at once


def install() -> None:
    allow("admin", VIEW, REVOKE, ISSUE, TEMPLATES, DESK)
    allow("manager", VIEW, REVOKE, DESK)


def may(user: Any, action: str, certificate: Any) -> bool:
    """May ``user`` perform ``action`` on ``certificate`` (judged by its holder's organisation)?"""
    where = scope(user, action)
    if where.is_everything:
        return True
    path = certificate.holder_path
    return bool(path) and any(path.startswith(prefix) for prefix in where.paths)


def is_holder(user: Any, certificate: Any) -> bool:
    return getattr(user, "is_authenticated", False) and certificate.user_id == user.id


def may_search(user: Any) -> bool:
    where = scope(user, VIEW)
    return bool(where.paths) or where.is_everything


def may_issue(user: Any) -> bool:
    """Admins issue certificates by hand to learners of their scope."""
    where = scope(user, ISSUE)
    return bool(where.paths) or where.is_everything


def may_list_cohorts(user: Any) -> bool:
    """Trainers (of any cohort) and those who may view cohorts see the cohort certificates page."""
    from courses.cohorts import access as cohort_access

    if not getattr(user, "is_authenticated", False):
        return False
    return "trainer" in roles_of(user) or bool(scope(user, cohort_access.VIEW).paths)


def may_edit_templates(user: Any) -> bool:
    return can(user, TEMPLATES)


def may_use_desk(user: Any) -> bool:
    return can(user, DESK)
