"""The cascade's lineage: who trained whom, computed in SQL.

An **edge** is a completion: a member who completed a cohort names the cohort's trainers at that moment
(``courses_completion_trainer``, indexed by trainer; the member row by its key), so "the people she
trained" is one indexed join and "everyone below her" a recursive CTE over it (``WITH RECURSIVE``, the
same statement on SQLite and PostgreSQL). Depth is capped at :data:`MAX_DEPTH` and rows are joined by
``UNION``, so a cycle (two people who trained each other in different courses) ends.

For a trainer (:class:`Reach`): ``cohorts`` the cohorts she is a trainer of; ``direct`` the distinct
people who completed one of them (as she is named in their completion); ``indirect`` the distinct people,
not direct and not herself, who completed a cohort trained by anyone below her; ``trainers`` the direct
people who are trainers of at least one cohort themselves; ``hubs`` the distinct hubs that are the home
organisation of anyone she reached; ``regions`` the distinct regions of those home organisations;
``pass rate`` the completed share of the (not withdrawn) members of her cohorts.

The **national view** starts from the cascade's roots, the people who trained someone and were trained
by nobody, and puts everyone at the level of the shortest chain that reaches her (roots are level 1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CTE, Select, case, distinct, exists, func, literal, select

from courses.cohorts.models import CohortMember, MemberStatus, cohort_trainer, completion_trainer
from lms.accounts.models import User
from lms.extensions import db
from lms.orgs.models import Kind, Organisation
from lms.permissions import Scope

MAX_DEPTH = 12
WHAT = ("direct", "indirect", "trainers", "hubs", "regions")

_member = CohortMember.__table__.c
_edge = completion_trainer.c
_cohort_trainer = cohort_trainer.c


@dataclass(frozen=True)
class Reach:
    """What one trainer's part of the cascade counts (see the module's docstring)."""

    trainer_id: int
    cohorts: int = 0
    direct: int = 0
    indirect: int = 0
    trainers: int = 0
    hubs: int = 0
    regions: int = 0
    completed: int = 0  # members of her cohorts who completed
    members: int = 0  # members of her cohorts who did not withdraw

    @property
    def pass_rate(self) -> float | None:
        return self.completed / self.members if self.members else None


def _edges_from(trainer: Any) -> Any:
    """The edges leaving ``trainer`` (a column or a value): (learner) joined from the indexed tables."""
    return (
        select(_member.user_id)
        .select_from(completion_trainer.join(CohortMember.__table__, _member.id == _edge.member_id))
        .where(_edge.user_id == trainer, _member.status == MemberStatus.COMPLETED.value)
    )


def _reach(roots: Any) -> CTE:
    """``(root_id, person_id, depth)``: everyone below each root (``roots``: a select of user ids)."""
    joined = completion_trainer.join(CohortMember.__table__, _member.id == _edge.member_id)
    seed = (
        select(_edge.user_id.label("root_id"), _member.user_id.label("person_id"), literal(1).label("depth"))
        .select_from(joined)
        .where(_edge.user_id.in_(roots), _member.status == MemberStatus.COMPLETED.value)
    )
    reach = seed.cte("reach", recursive=True)
    step = (
        select(reach.c.root_id, _member.user_id, reach.c.depth + 1)
        .select_from(
            reach.join(completion_trainer, _edge.user_id == reach.c.person_id).join(
                CohortMember.__table__, _member.id == _edge.member_id
            )
        )
        .where(_member.status == MemberStatus.COMPLETED.value, reach.c.depth < MAX_DEPTH)
    )
    return reach.union(step)


def _reached(roots: Any) -> Any:
    """``(root_id, person_id, depth)`` with each person once per root, at her shortest depth."""
    reach = _reach(roots)
    return (
        select(reach.c.root_id, reach.c.person_id, func.min(reach.c.depth).label("depth"))
        .where(reach.c.person_id != reach.c.root_id)
        .group_by(reach.c.root_id, reach.c.person_id)
        .subquery("reached")
    )


def _ids(ids: Iterable[int]) -> Any:
    values = sorted(set(ids))
    return select(User.id).where(User.id.in_(values))


class _Homes:
    """A person's home organisation and the region it lies in, found by joining its parent and its
    parent's parent by key: a hub sits under a region or under a training centre of one, a training
    centre under a region (``lms.orgs.models.ALLOWED_PARENTS``), so the region is at most two levels
    up. (A join on path prefixes gives the same answer for any depth, at many times the cost.)"""

    def __init__(self) -> None:
        table = Organisation.__table__
        self.home, self.parent, self.grand = table.alias("home"), table.alias("parent"), table.alias("grand")
        region = Kind.REGION.value
        self.region_id = case(
            (self.home.c.kind == region, self.home.c.id),
            (self.parent.c.kind == region, self.parent.c.id),
            (self.grand.c.kind == region, self.grand.c.id),
        )

    def join(self, people: Any, user_id: Any) -> Any:
        """``people`` joined to its users' homes and their parents (outer joins: a person may have none)."""
        users = User.__table__
        return (
            people.join(users, users.c.id == user_id)
            .outerjoin(self.home, self.home.c.id == users.c.organisation_id)
            .outerjoin(self.parent, self.parent.c.id == self.home.c.parent_id)
            .outerjoin(self.grand, self.grand.c.id == self.parent.c.parent_id)
        )


def reach_counts(trainer_ids: Iterable[int]) -> dict[int, Reach]:
    """:class:`Reach` of each trainer, in three grouped queries whatever their number."""
    ids = sorted(set(trainer_ids))
    if not ids:
        return {}
    reached = _reached(_ids(ids))
    homes = _Homes()
    is_trainer = exists().where(_cohort_trainer.user_id == reached.c.person_id)
    counts = (
        select(
            reached.c.root_id,
            func.count(case((reached.c.depth == 1, 1))),
            func.count(case((reached.c.depth > 1, 1))),
            func.count(case(((reached.c.depth == 1) & is_trainer, 1))),
            func.count(distinct(case((homes.home.c.kind == Kind.HUB.value, homes.home.c.id)))),
            func.count(distinct(homes.region_id)),
        )
        .select_from(homes.join(reached, reached.c.person_id))
        .group_by(reached.c.root_id)
    )
    found = {
        root: (direct, indirect, trainers, hubs, regions)
        for root, direct, indirect, trainers, hubs, regions in db.session.execute(counts)
    }
    cohorts: dict[int, int] = dict(
        db.session.execute(
            select(_cohort_trainer.user_id, func.count(_cohort_trainer.cohort_id))
            .where(_cohort_trainer.user_id.in_(ids))
            .group_by(_cohort_trainer.user_id)
        ).all()
    )
    members = {
        trainer: (completed, total)
        for trainer, completed, total in db.session.execute(
            select(
                _cohort_trainer.user_id,
                func.count(case((_member.status == MemberStatus.COMPLETED.value, 1))),
                func.count(_member.id),
            )
            .select_from(
                cohort_trainer.join(CohortMember.__table__, _member.cohort_id == _cohort_trainer.cohort_id)
            )
            .where(_cohort_trainer.user_id.in_(ids), _member.status != MemberStatus.WITHDRAWN.value)
            .group_by(_cohort_trainer.user_id)
        )
    }
    result = {}
    for trainer_id in ids:
        direct, indirect, trainers, hubs, regions = found.get(trainer_id, (0, 0, 0, 0, 0))
        completed, total = members.get(trainer_id, (0, 0))
        result[trainer_id] = Reach(
            trainer_id,
            cohorts.get(trainer_id, 0),
            direct,
            indirect,
            trainers,
            hubs,
            regions,
            completed,
            total,
        )
    return result


def reach_of(trainer: User) -> Reach:
    return reach_counts([trainer.id])[trainer.id]


def children_query(trainer: User) -> Select[tuple[User]]:
    """The people she trained who trained at least one cohort themselves, in Ukrainian order."""
    return (
        select(User)
        .where(
            User.id.in_(_edges_from(trainer.id)),
            User.id != trainer.id,
            exists().where(_cohort_trainer.user_id == User.id),
        )
        .order_by(User.name_sort, User.id)
    )


def people_query(trainer: User, what: str) -> Select[Any]:
    """Those behind one of her counts: people (direct, indirect, trainers) or organisations (hubs,
    regions), in alphabetical order."""
    reached = _reached(_ids([trainer.id]))
    if what in ("hubs", "regions"):
        homes = _Homes()
        column = homes.home.c.id if what == "hubs" else homes.region_id
        ids: Any = select(column).select_from(homes.join(reached, reached.c.person_id))
        if what == "hubs":
            ids = ids.where(homes.home.c.kind == Kind.HUB.value)
        return (
            select(Organisation)
            .where(Organisation.id.in_(ids))
            .order_by(Organisation.name_sort, Organisation.id)
        )
    if what == "direct":
        chosen = select(reached.c.person_id).where(reached.c.depth == 1)
    elif what == "indirect":
        chosen = select(reached.c.person_id).where(reached.c.depth > 1)
    elif what == "trainers":
        chosen = select(reached.c.person_id).where(
            reached.c.depth == 1, exists().where(_cohort_trainer.user_id == reached.c.person_id)
        )
    else:
        raise ValueError(f"unknown count {what!r}")
    return select(User).where(User.id.in_(chosen)).order_by(User.name_sort, User.id)


def tree(trainer: User) -> dict[str, Any]:
    """The JSON of ``lms lineage``: her counts and, for each person she trained who trained others,
    the same object (a person trained by two of them appears under both; a cycle stops)."""
    reached = _reached(_ids([trainer.id]))
    below = set(
        db.session.scalars(
            select(reached.c.person_id).where(exists().where(_cohort_trainer.user_id == reached.c.person_id))
        )
    )
    nodes = below | {trainer.id}
    counts = reach_counts(nodes)
    people = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(sorted(nodes))))}
    edges: dict[int, list[int]] = {}
    joined = completion_trainer.join(CohortMember.__table__, _member.id == _edge.member_id)
    for parent, child in db.session.execute(
        select(_edge.user_id, _member.user_id)
        .distinct()
        .select_from(joined)
        .where(
            _edge.user_id.in_(sorted(nodes)),
            _member.user_id.in_(sorted(below)),
            _member.status == MemberStatus.COMPLETED.value,
        )
    ):
        if parent != child:
            edges.setdefault(parent, []).append(child)

    def node(user_id: int, path: frozenset[int]) -> dict[str, Any]:
        reach = counts[user_id]
        kids = sorted(
            (child for child in edges.get(user_id, []) if child not in path),
            key=lambda child: (people[child].name_sort, people[child].email_casefold),
        )
        return {
            "trainer": people[user_id].email,
            "cohorts": reach.cohorts,
            "direct": reach.direct,
            "indirect": reach.indirect,
            "trainers": reach.trainers,
            "hubs": reach.hubs,
            "regions": reach.regions,
            "children": [node(child, path | {child}) for child in kids],
        }

    return node(trainer.id, frozenset({trainer.id}))


# --- the national view ---------------------------------------------------------------------------------


def _roots() -> Any:
    """People who trained someone and were trained by nobody."""
    joined = completion_trainer.join(CohortMember.__table__, _member.id == _edge.member_id)
    trained = (
        select(_member.user_id).select_from(joined).where(_member.status == MemberStatus.COMPLETED.value)
    )
    return (
        select(_edge.user_id)
        .select_from(joined)
        .where(_member.status == MemberStatus.COMPLETED.value, _edge.user_id.not_in(trained))
        .distinct()
    )


def _levels() -> Any:
    """``(person_id, level)``: everyone in the cascade at the level of her shortest chain from a root."""
    seed = select(User.id.label("person_id"), literal(1).label("level")).where(User.id.in_(_roots()))
    levels = seed.cte("levels", recursive=True)
    step = (
        select(_member.user_id, levels.c.level + 1)
        .select_from(
            levels.join(completion_trainer, _edge.user_id == levels.c.person_id).join(
                CohortMember.__table__, _member.id == _edge.member_id
            )
        )
        .where(_member.status == MemberStatus.COMPLETED.value, levels.c.level < MAX_DEPTH)
    )
    levels = levels.union(step)
    return select(levels.c.person_id, func.min(levels.c.level).label("level")).group_by(levels.c.person_id)


@dataclass(frozen=True)
class Level:
    """One level of the cascade within a viewer's scope."""

    number: int
    people: int
    trainers: int  # of them, those who train at least one cohort
    hubs: int
    regions: int
    completed: int  # members of cohorts trained at this level who completed
    members: int  # members of those cohorts who did not withdraw

    @property
    def pass_rate(self) -> float | None:
        return self.completed / self.members if self.members else None


def _in_scope(scope: Scope, home: Any) -> Any:
    """People whose home organisation lies in ``scope`` (everyone, with or without one, for a scope
    over the whole tree)."""
    return scope.filter(home.c.path) if not scope.is_everything else literal(True)


def levels(scope: Scope) -> list[Level]:
    """The cascade's levels with their counts, counting only people whose home organisation is in
    ``scope``: one statement, the levels' CTE computed once for both of its aggregates."""
    placed = _levels().cte("placed")
    homes = _Homes()
    users, home = User.__table__, homes.home
    is_trainer = exists().where(_cohort_trainer.user_id == placed.c.person_id)
    people = (
        select(
            placed.c.level.label("level"),
            func.count(placed.c.person_id).label("people"),
            func.count(case((is_trainer, 1))).label("trainers"),
            func.count(distinct(case((home.c.kind == Kind.HUB.value, home.c.id)))).label("hubs"),
            func.count(distinct(homes.region_id)).label("regions"),
        )
        .select_from(homes.join(placed, placed.c.person_id))
        .where(_in_scope(scope, home))
        .group_by(placed.c.level)
        .subquery("people")
    )
    # Pass rates: the members of the cohorts each level's people (in scope) train; each cohort once per
    # level, however many of its trainers are there.
    trainer_home = Organisation.__table__.alias("trainer_home")
    cohorts = (
        select(placed.c.level, _cohort_trainer.cohort_id)
        .select_from(
            placed.join(users, users.c.id == placed.c.person_id)
            .outerjoin(trainer_home, trainer_home.c.id == users.c.organisation_id)
            .join(cohort_trainer, _cohort_trainer.user_id == placed.c.person_id)
        )
        .where(_in_scope(scope, trainer_home))
        .distinct()
        .subquery("level_cohorts")
    )
    sizes = (
        select(
            _member.cohort_id,
            func.count(case((_member.status == MemberStatus.COMPLETED.value, 1))).label("completed"),
            func.count(_member.id).label("members"),
        )
        .where(_member.status != MemberStatus.WITHDRAWN.value)
        .group_by(_member.cohort_id)
        .subquery("sizes")
    )
    rates = (
        select(
            cohorts.c.level.label("level"),
            func.sum(sizes.c.completed).label("completed"),
            func.sum(sizes.c.members).label("members"),
        )
        .select_from(cohorts.join(sizes, sizes.c.cohort_id == cohorts.c.cohort_id))
        .group_by(cohorts.c.level)
        .subquery("rates")
    )
    rows = db.session.execute(
        select(
            people.c.level,
            people.c.people,
            people.c.trainers,
            people.c.hubs,
            people.c.regions,
            func.coalesce(rates.c.completed, 0),
            func.coalesce(rates.c.members, 0),
        )
        .select_from(people.outerjoin(rates, rates.c.level == people.c.level))
        .order_by(people.c.level)
    )
    return [Level(*row) for row in rows]


def level_query(scope: Scope, level: int, trainers_only: bool = False) -> Select[tuple[User]]:
    """The people at one level of the cascade whose home organisation is in ``scope`` (level 1, the
    roots, without walking the cascade)."""
    if level == 1:
        query = select(User).where(User.id.in_(_roots()))
    else:
        placed = _levels().subquery("placed")
        query = select(User).join(placed, placed.c.person_id == User.id).where(placed.c.level == level)
    query = query.outerjoin(Organisation, Organisation.id == User.organisation_id).order_by(
        User.name_sort, User.id
    )
    if not scope.is_everything:
        query = query.where(scope.filter(Organisation.path))
    if trainers_only:
        query = query.where(exists().where(_cohort_trainer.user_id == User.id))
    return query


def counts_for(people: Sequence[User]) -> dict[int, Reach]:
    return reach_counts(person.id for person in people)
