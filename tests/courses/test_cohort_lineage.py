"""The cascade's lineage on a known tree: counts per trainer, the JSON of ``lms lineage``, the levels of
the national view (whole and within a region's scope), the people behind each count, a cycle that
ends, and the pages. Run on SQLite and on PostgreSQL (``LMS_TEST_DATABASE_URL``): the same numbers."""

from __future__ import annotations

import json

import pytest

from courses.cohorts import completion, lineage
from lms.extensions import db as database
from lms.permissions import Scope, scope
from lms.plugins import registry
from lms.testing import login

EN = {"Accept-Language": "en"}
LAYOUT = (("basics", True, [("welcome", "text", "next", True)]),)


class Tree:
    """N1 trains C1 (TOT): R1, R2 and X complete, Y does not, W withdrew. N2 trains C2: R3 completes.
    R1 trains D1 (H1, H2 complete, H3 does not) and D3 (H5); R2 trains D2 (H4); H1 trains E1 (P1)."""

    def __init__(self, world, make, make_course, make_cohort):
        self.world, self.make, self.make_cohort = world, make, make_cohort
        orgs = world.orgs
        orgs["hub2@r1"] = make.org("hub", orgs["r1"], code="HUB-18-002")
        self.tot, self.deh = make_course("TOT-T", layout=LAYOUT), make_course("DEH-T", layout=LAYOUT)
        homes = {
            "n1": "root", "n2": "root", "r1": "tc@r1", "r2": "tc@r2", "r3": "tc@r1", "x": "hub@r1",
            "y": "hub@r1", "w": "hub@r1", "h1": "hub@r1", "h2": "hub2@r1", "h3": "hub@r1", "h4": "hub@r2",
            "h5": "hub@r1", "p1": "hub@r2",
        }  # fmt: skip
        names = {"n1": "Андрієнко", "n2": "Бойко", "r1": "Гнатюк", "r2": "Ґудзь", "h1": "Дяченко"}
        self.p = {
            key: make.user(
                orgs[home],
                ("trainer",) if key[0] in "nrh" else ("learner",),
                email=f"{key}@cascade.test",
                surname=names.get(key, f"Особа-{key}"),
                password="",
            )
            for key, home in homes.items()
        }
        make.commit()
        p = self.p
        self.c1 = self.cohort(self.tot, "tc@r1", [p["n1"]], done=["r1", "r2", "x"], open_=["y"], gone=["w"])
        self.c2 = self.cohort(self.tot, "tc@r1", [p["n2"]], done=["r3"])
        self.d1 = self.cohort(self.deh, "tc@r1", [p["r1"]], done=["h1", "h2"], open_=["h3"])
        self.d2 = self.cohort(self.deh, "tc@r2", [p["r2"]], done=["h4"])
        self.d3 = self.cohort(self.deh, "tc@r1", [p["r1"]], done=["h5"])
        self.e1 = self.cohort(self.deh, "hub@r1", [p["h1"]], done=["p1"])

    def cohort(self, course, org, trainers, done=(), open_=(), gone=()):
        people = [self.p[key] for key in (*done, *open_, *gone)]
        cohort = self.make_cohort(course, self.world.orgs[org], trainers=trainers, learners=people)
        for member in cohort.members:
            key = member.user.email.split("@")[0]
            if key in done:
                completion.record_completion(member)
            elif key in gone:
                member.status = "withdrawn"
        database.session.commit()
        return cohort


@pytest.fixture
def tree(world, make, make_course, make_cohort):
    return Tree(world, make, make_course, make_cohort)


def counts(tree, key):
    reach = lineage.reach_of(tree.p[key])
    return (reach.cohorts, reach.direct, reach.indirect, reach.trainers, reach.hubs, reach.regions)


def test_counts_per_trainer_on_a_known_tree(db, tree):
    assert counts(tree, "n1") == (1, 3, 5, 2, 3, 2)
    assert counts(tree, "n2") == (1, 1, 0, 0, 0, 1)  # R3's home is a training centre, not a hub
    assert counts(tree, "r1") == (2, 3, 1, 1, 3, 2)
    assert counts(tree, "r2") == (1, 1, 0, 0, 1, 1)
    assert counts(tree, "h1") == (1, 1, 0, 0, 1, 1)
    assert counts(tree, "x") == (0, 0, 0, 0, 0, 0)
    reach = lineage.reach_of(tree.p["n1"])
    assert (reach.completed, reach.members, reach.pass_rate) == (3, 4, 0.75)  # W withdrew: not counted
    assert lineage.reach_of(tree.p["r1"]).pass_rate == 0.75  # D1 2 of 3, D3 1 of 1


def test_the_command_prints_the_tree_as_json(db, tree, runner):
    result = runner.invoke(args=["lineage", "n1@cascade.test", "--format", "json"])
    assert result.exit_code == 0, result.output
    leaf = {"direct": 0, "indirect": 0, "trainers": 0, "children": []}
    assert json.loads(result.output) == {
        "trainer": "n1@cascade.test",
        "cohorts": 1,
        "direct": 3,
        "indirect": 5,
        "trainers": 2,
        "hubs": 3,
        "regions": 2,
        "children": [
            {
                "trainer": "r1@cascade.test",
                "cohorts": 2,
                "direct": 3,
                "indirect": 1,
                "trainers": 1,
                "hubs": 3,
                "regions": 2,
                "children": [
                    {"trainer": "h1@cascade.test", "cohorts": 1, "direct": 1, "indirect": 0, "trainers": 0,
                     "hubs": 1, "regions": 1, "children": []},
                ],
            },
            {"trainer": "r2@cascade.test", "cohorts": 1, "hubs": 1, "regions": 1, **leaf, "direct": 1},
        ],
    }  # fmt: skip
    unknown = runner.invoke(args=["lineage", "nobody@cascade.test"])
    assert unknown.exit_code != 0 and "Nobody has the e-mail address" in unknown.output


def test_the_people_behind_each_count(db, tree):
    def emails(key, what):
        rows = db.session.scalars(lineage.people_query(tree.p[key], what)).all()
        return sorted(getattr(row, "email", None) or row.code for row in rows)

    assert emails("n1", "direct") == ["r1@cascade.test", "r2@cascade.test", "x@cascade.test"]
    assert emails("n1", "indirect") == [f"{key}@cascade.test" for key in ("h1", "h2", "h4", "h5", "p1")]
    assert emails("n1", "trainers") == ["r1@cascade.test", "r2@cascade.test"]
    assert emails("n1", "hubs") == ["HUB-18-001", "HUB-18-002", "HUB-46-001"]
    assert emails("n1", "regions") == ["UA-18", "UA-46"]
    children = db.session.scalars(lineage.children_query(tree.p["n1"])).all()
    assert [person.email for person in children] == ["r1@cascade.test", "r2@cascade.test"]


def test_the_levels_of_the_national_view_whole_and_within_a_region(app, db, tree, world):
    whole = lineage.levels(Scope((), is_everything=True))
    assert [
        (
            level.number,
            level.people,
            level.trainers,
            level.hubs,
            level.regions,
            level.completed,
            level.members,
        )
        for level in whole
    ] == [(1, 2, 2, 0, 0, 4, 5), (2, 4, 2, 1, 2, 4, 5), (3, 4, 1, 3, 2, 1, 1), (4, 1, 0, 1, 1, 0, 0)]
    with app.test_request_context():
        region = lineage.levels(scope(world.people["manager@r1"], "courses.cohort.view"))
    assert [(level.number, level.people, level.trainers) for level in region] == [(2, 3, 1), (3, 3, 1)]
    people = db.session.scalars(lineage.level_query(Scope((), True), 2, trainers_only=True)).all()
    assert [person.email for person in people] == ["r1@cascade.test", "r2@cascade.test"]


def test_a_cycle_ends(db, tree, runner):
    """P1 trains a cohort N1 completes: N1 is no longer a root, and the walk still ends."""
    tree.cohort(tree.deh, "hub@r2", [tree.p["p1"]], done=["n1"])
    assert counts(tree, "n1")[:3] == (1, 3, 5)  # she is not counted as reaching herself
    assert counts(tree, "p1")[1:3] == (1, 7)  # N1, and through her R1, R2, X, H1, H2, H4, H5
    result = runner.invoke(args=["lineage", "n1@cascade.test"])
    assert result.exit_code == 0
    assert "children" in json.loads(result.output)
    roots = [level for level in lineage.levels(Scope((), True)) if level.number == 1]
    assert roots[0].people == 1  # only N2 is trained by nobody now


def test_the_pages_show_the_levels_the_trainer_and_the_people_with_links(client, db, tree, world):
    login(client, world.people["admin@root"])
    page = client.get("/cohorts/lineage", headers=EN).get_data(as_text=True)
    assert "Levels of the cascade" in page and "Trainers of level 1" in page
    assert f'href="/cohorts/lineage/trainers/{tree.p["n1"].id}"' in page
    assert f'href="/cohorts/lineage/trainers/{tree.p["n1"].id}/indirect">5</a>' in page
    assert 'href="/cohorts/lineage/levels/2?trainers=1">2</a>' in page
    trainer = client.get(f"/cohorts/lineage/trainers/{tree.p['r1'].id}", headers=EN).get_data(as_text=True)
    assert "Trainers among the people trained (1)" in trainer and "Дяченко" in trainer
    assert "75%" in trainer
    people = client.get(f"/cohorts/lineage/trainers/{tree.p['n1'].id}/hubs", headers=EN)
    assert "3 organisations" in people.get_data(as_text=True)
    level = client.get("/cohorts/lineage/levels/3", headers=EN).get_data(as_text=True)
    assert "4 people" in level
    assert client.get(f"/cohorts/lineage/trainers/{tree.p['n1'].id}/nonsense").status_code == 404


def test_who_sees_which_lineage(client, db, tree, world):
    login(client, world.people["manager@r1"])
    assert client.get("/cohorts/lineage").status_code == 200
    assert client.get(f"/cohorts/lineage/trainers/{tree.p['r1'].id}").status_code == 200
    assert client.get(f"/cohorts/lineage/trainers/{tree.p['r2'].id}").status_code == 403  # region r2
    assert client.get(f"/cohorts/lineage/trainers/{tree.p['n1'].id}").status_code == 403  # national
    client2 = client.application.test_client()
    login(client2, world.people["trainer@r1"])
    assert client2.get("/cohorts/lineage").status_code == 403
    mine = client2.get("/cohorts/lineage/mine")
    assert mine.status_code == 302 and mine.location.endswith(f"/trainers/{world.people['trainer@r1'].id}")
    assert client2.get(mine.location).status_code == 200
    assert client2.get(f"/cohorts/lineage/trainers/{tree.p['r1'].id}").status_code == 403


def test_the_cascade_reach_indicator_counts_everyone_below_the_roots_in_scope(app, db, tree, world):
    reach = registry().indicators["cascade.reach"]
    assert reach.for_scope(Scope((), is_everything=True)) == 4 + 4 + 1  # levels 2, 3 and 4
    with app.test_request_context():
        assert reach.for_scope(scope(world.people["manager@r1"], "courses.cohort.view")) == 3 + 3
