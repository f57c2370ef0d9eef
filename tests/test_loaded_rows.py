"""``lms.extensions.loaded``: an ORM object made from a plain row behaves as one a query loaded."""

from __future__ import annotations

from sqlalchemy import inspect, select

from lms.accounts.models import User
from lms.extensions import loaded, table_columns
from lms.testing import statements


def row_of(db, user_id: int):
    return db.session.execute(select(*table_columns(User)).where(User.__table__.c.id == user_id)).one()


def test_an_object_from_a_row_is_persistent_clean_and_loads_its_relationships(app, db, world):
    trainer_id = world.people["trainer@r1"].id
    organisation = world.orgs["tc@r1"].code
    db.session.commit()
    db.session.expunge_all()
    row = row_of(db, trainer_id)
    with statements(app) as ran:
        person = loaded(User, row)
        assert (person.id, person.email, person.given_name) == (trainer_id, "trainer.r1@example.org", "Олена")
        assert person.is_active and person.created_at is not None
    assert ran == []  # nothing read again, nothing expired
    assert db.session.get(User, trainer_id) is person  # the session's own
    assert not db.session.dirty and not db.session.new
    assert person.organisation.code == organisation  # relationships load lazily
    assert {grant.role for grant in person.grants} == {"trainer"}
    person.given_name = "Ірина"
    db.session.commit()  # a change is an UPDATE, not an INSERT
    db.session.expunge_all()
    assert db.session.get(User, trainer_id).given_name == "Ірина"


def test_the_session_object_is_kept_with_what_expired_filled_in(app, db, world):
    learner = world.people["learner@r1"]
    learner_id = learner.id
    db.session.commit()  # everything of hers expires
    row = row_of(db, learner_id)
    assert "email" in inspect(learner).unloaded
    with statements(app) as ran:
        assert loaded(User, row) is learner
        assert learner.email == "learner.r1@example.org"
    assert ran == []
    learner.given_name = "Changed here"  # not yet flushed: a query would not overwrite it either
    assert loaded(User, row) is learner and learner.given_name == "Changed here"
    db.session.rollback()
