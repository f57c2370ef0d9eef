"""Re-rendering many certificates as a background job: in the local process pool, on RQ with the
real Redis, killed midway and run again, and the pages that start it and show its progress."""

from __future__ import annotations

import hashlib
import os

import pytest
from sqlalchemy import select, update

from certificates import pdf, rerender, services
from certificates.models import Certificate, JobStatus, RenderJob
from lms import jobs
from lms.testing import login, post

# A database of its own (the tests empty it); LMS_TEST_REDIS_URL points elsewhere.
REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


class Killed(BaseException):
    """What a worker killed midway looks like to the code after it: nothing more runs."""


@pytest.fixture
def issued(app, db, make, make_course, world):
    """Six certificates of one course, in r1 (four) and r2 (two), issued with the default template."""
    course = make_course("RERENDER")
    people = [make.user(world.orgs["hub@r1"], ("learner",), email=f"r1-{n}@example.org") for n in range(4)]
    people += [make.user(world.orgs["r2"], ("learner",), email=f"r2-{n}@example.org") for n in range(2)]
    make.commit()
    for person in people:
        services.issue_manually(person, course, "Папір", world.people["admin@root"])
    db.session.commit()
    return course


def _change_template(db, course):
    html = pdf.default_template().replace("</body>", "<p>Перевидано за новим зразком</p></body>")
    services.save_settings(course, html, issue_on="completion", valid_months=None, issuer="", actor=None)
    db.session.commit()
    return services.template_version(course)


def _certificates(db):
    db.session.expire_all()
    return list(db.session.scalars(select(Certificate).order_by(Certificate.id)))


def _whole(certificate):
    return hashlib.sha256(certificate.pdf).hexdigest() == certificate.pdf_sha256


def test_a_new_certificate_records_its_template_version_and_a_job_skips_it(app, db, issued):
    version = services.template_version(issued)
    assert {certificate.rendered_with for certificate in _certificates(db)} == {version}
    job = rerender.create(None, None, issued)
    rerender.run_job(job.id)
    db.session.expire_all()
    job = db.session.get(RenderJob, job.id)
    assert (job.status, job.total, job.done, job.rendered) == (JobStatus.DONE, 6, 6, 0)


def test_the_local_process_pool_re_renders_a_region(app, db, issued, world):
    before = {certificate.id: certificate.pdf_sha256 for certificate in _certificates(db)}
    version = _change_template(db, issued)
    job = rerender.start(world.people["admin@r1"], world.orgs["r1"], None)
    assert job.total == 4
    jobs.wait(job.handle, timeout=300)
    db.session.expire_all()
    job = db.session.get(RenderJob, job.id)
    assert (job.status, job.done, job.rendered, job.errors) == (JobStatus.DONE, 4, 4, 0)
    assert job.started_by_id == world.people["admin@r1"].id
    for certificate in _certificates(db):
        assert _whole(certificate)
        in_r1 = certificate.holder_path.startswith(world.orgs["r1"].path)
        assert (certificate.rendered_with == version) is in_r1
        assert (certificate.pdf_sha256 != before[certificate.id]) is in_r1


def test_a_job_killed_midway_leaves_no_half_certificate_and_a_rerun_completes(app, db, issued, monkeypatch):
    version = _change_template(db, issued)
    job = rerender.create(None, None, None)
    real = pdf.render
    calls = []

    def dying(source, context):
        calls.append(context["number"])
        if len(calls) == 3:
            raise Killed
        return real(source, context)

    monkeypatch.setattr(pdf, "render", dying)
    with pytest.raises(Killed):
        rerender.run_job(job.id)
    db.session.rollback()  # what the database does with a dead worker's open transaction
    certificates = _certificates(db)
    assert all(_whole(certificate) for certificate in certificates)
    assert sum(certificate.rendered_with == version for certificate in certificates) == 2
    job = db.session.get(RenderJob, job.id)
    assert (job.status, job.done) == (JobStatus.RUNNING, 2)

    calls.clear()
    monkeypatch.setattr(pdf, "render", lambda source, context: calls.append(1) or real(source, context))
    rerender.run_job(job.id)
    assert len(calls) == 4  # the two already re-rendered are skipped
    certificates = _certificates(db)
    assert all(_whole(certificate) and certificate.rendered_with == version for certificate in certificates)
    job = db.session.get(RenderJob, job.id)
    assert (job.status, job.total, job.done, job.rendered, job.errors) == (JobStatus.DONE, 6, 6, 4, 0)


def test_run_it_again_stops_a_worker_still_on_the_earlier_run(app, db, client, issued, world, monkeypatch):
    """Two runs never work through one job at once: the worker of the run that "Run it again"
    replaced stops at its next certificate; the new run does the rest."""
    version = _change_template(db, issued)
    job = rerender.create(None, None, None)
    real = pdf.render
    calls = []

    def restarted_meanwhile(source, context):
        calls.append(context["number"])
        if len(calls) == 2:  # while the first run is busy, someone starts the job again
            db.session.execute(update(RenderJob).where(RenderJob.id == job.id).values(run=RenderJob.run + 1))
        return real(source, context)

    monkeypatch.setattr(pdf, "render", restarted_meanwhile)
    rerender.run_job(job.id)
    assert len(calls) == 2  # it stopped after the certificate it was making
    monkeypatch.setattr(pdf, "render", real)
    rerender.run_job(job.id, 0)  # a late worker of the first run does nothing
    job = db.session.get(RenderJob, job.id)
    assert (job.run, job.done) == (1, 2)
    rerender.run_job(job.id, 1)
    db.session.expire_all()
    job = db.session.get(RenderJob, job.id)
    assert (job.status, job.done, job.rendered) == (JobStatus.DONE, 6, 4)
    assert all(certificate.rendered_with == version for certificate in _certificates(db))


def test_a_certificate_that_fails_to_render_is_counted_and_the_job_goes_on(app, db, issued, monkeypatch):
    _change_template(db, issued)
    first = _certificates(db)[0].number
    real = pdf.render

    def failing(source, context):
        if context["number"] == first:
            raise pdf.RenderError("broken")
        return real(source, context)

    monkeypatch.setattr(pdf, "render", failing)
    job = rerender.create(None, None, None)
    rerender.run_job(job.id)
    db.session.expire_all()
    job = db.session.get(RenderJob, job.id)
    assert (job.status, job.done, job.rendered, job.errors) == (JobStatus.FAILED, 6, 5, 1)
    assert "broken" in job.last_error


@pytest.fixture
def redis_queue():
    """The real Redis at 127.0.0.1:6379 (database 13, emptied): skipped without it, but failing where
    the services are required (``LMS_REQUIRE_BROWSER=1``, as in CI, which starts Redis)."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except RedisDown:
        if os.environ.get("LMS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Redis is not answering at {REDIS_URL}, and the queue tests are required")
        pytest.skip(f"Redis is not answering at {REDIS_URL}")
    connection.flushdb()
    yield connection
    connection.flushdb()


@pytest.fixture
def app_config(app_config, request):
    if "redis_queue" in request.fixturenames:
        return {**app_config, "LMS_QUEUE_URL": REDIS_URL}
    return app_config


def test_on_rq_a_job_started_on_the_page_is_run_by_lms_jobs_worker(
    app, db, client, runner, issued, world, redis_queue
):
    version = _change_template(db, issued)
    login(client, world.people["admin@root"])
    page = client.get("/certificates/jobs", query_string={"course": "RERENDER"}).get_data(as_text=True)
    assert '<option selected value="RERENDER">' in page
    assert "/certificates/jobs?course=RERENDER" in client.get("/certificates/templates/RERENDER").get_data(
        as_text=True
    )
    response = post(client, "/certificates/jobs", {"region": "*", "course": "RERENDER"})
    assert response.status_code == 302
    job = db.session.scalars(select(RenderJob)).one()
    assert response.headers["Location"].endswith(f"/certificates/jobs/{job.id}")
    assert job.status == JobStatus.QUEUED and job.total == 6
    assert jobs.queue(REDIS_URL).count == 1
    waiting = client.get(f"/certificates/jobs/{job.id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh"' in waiting and "Чекає на виконавця" in waiting

    result = runner.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert jobs.queue(REDIS_URL).count == 0
    db.session.expire_all()
    job = db.session.get(RenderJob, job.id)
    assert (job.status, job.done, job.rendered) == (JobStatus.DONE, 6, 6)
    assert all(certificate.rendered_with == version for certificate in _certificates(db))
    done = client.get(f"/certificates/jobs/{job.id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh"' not in done and "Готово" in done


def test_the_jobs_page_offers_only_the_admins_own_regions(app, db, client, issued, world):
    login(client, world.people["admin@r1"])
    page = client.get("/certificates/jobs").get_data(as_text=True)
    assert f'value="{world.orgs["r1"].id}"' in page
    assert f'value="{world.orgs["r2"].id}"' not in page and 'value="*"' not in page
    for region in (str(world.orgs["r2"].id), "*", ""):
        response = post(client, "/certificates/jobs", {"region": region, "course": ""})
        assert response.status_code == 200
        assert "Оберіть, які сертифікати перевипустити." in response.get_data(as_text=True)
    assert db.session.scalars(select(RenderJob)).first() is None
    other = rerender.create(world.people["admin@r2"], world.orgs["r2"], None)
    assert client.get(f"/certificates/jobs/{other.id}").status_code == 403
    manager = app.test_client()
    login(manager, world.people["manager@r1"])
    assert manager.get("/certificates/jobs").status_code == 403
