"""Every route × every role, with CSRF on, against status codes written out by hand.

The columns are the people of the ``world`` fixture; the ``@r2`` columns are "the same role in
another region", acting on r1's objects. Every URL parameter is filled with an object of region r1:
``/orgs/<id>`` is hub@r1, ``/people/<id>`` is learner@r1, ``<grant_id>`` is learner@r1's learner
grant over hub@r1, a target group ``<id>`` is a seeded group, ``<token>`` a valid link of learner@r1.

POSTs carry a valid CSRF token and an empty form, so a permitted user gets whatever the view does
with no input (200: the form again with its errors; 302: done, or sent back with a message; 400:
the grant form's errors), a logged-in user without the right gets 403, a visitor gets 401 (a GET
of a page that needs a login redirects to the login form instead: 302).

Each cell is its own test, so destructive POSTs (erase, deactivate, revoke) cannot affect other
cells: the database is restored after every test.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.accounts import services
from lms.accounts.models import TargetGroup, TokenPurpose
from lms.testing import login, post

ROLES = (
    "anonymous",
    "learner@r1",
    "trainer@r1",
    "manager@r1",
    "admin@r1",
    "admin@root",
    "learner@r2",
    "trainer@r2",
    "manager@r2",
    "admin@r2",
)

# Written by hand from what each role may do; never computed by calling can().
# fmt: off
MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    #                                                 anon   L1   T1   M1   A1 root   L2   T2   M2   A2
    ("GET",  "/"):                                    (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/healthz"):                             (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/favicon.ico"):                         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/locale"):                              (302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("GET",  "/login"):                               (200, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("POST", "/login"):                               (200, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("POST", "/logout"):                              (302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("GET",  "/password"):                            (302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/password"):                            (401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/password/reset"):                      (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # without SMTP (as here) a reset cannot be sent: the request goes back to the login page, saying so
    ("POST", "/password/reset"):                      (302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("GET",  "/password/reset/<token>"):              (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/password/reset/<token>"):              (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/invitation/<token>"):                  (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/invitation/<token>"):                  (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/profile"):                             (302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/profile/export"):                      (302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/profile/settings"):                    (302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/profile/settings"):                    (401, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    # people: a trainer's grant is over the training centre, so learner@r1 (at hub@r1) is outside it
    ("GET",  "/people"):                              (302, 403, 200, 200, 200, 200, 403, 200, 200, 200),
    ("GET",  "/people/new"):                          (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/people/new"):                          (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/people/invite"):                       (302, 403, 200, 403, 200, 200, 403, 200, 403, 200),
    ("POST", "/people/invite"):                       (401, 403, 200, 403, 200, 200, 403, 200, 403, 200),
    ("GET",  "/people/<id>"):                         (302, 200, 403, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  "/people/<id>/edit"):                    (302, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    ("POST", "/people/<id>/edit"):                    (401, 403, 403, 403, 302, 302, 403, 403, 403, 403),
    ("POST", "/people/<id>/roles"):                   (401, 403, 403, 403, 400, 400, 403, 403, 403, 403),
    ("POST", "/people/<id>/roles/<grant_id>/revoke"): (401, 403, 403, 403, 302, 302, 403, 403, 403, 403),
    ("POST", "/people/<id>/invitation"):              (401, 403, 403, 403, 302, 302, 403, 403, 403, 403),
    ("POST", "/people/<id>/deactivate"):              (401, 403, 403, 403, 302, 302, 403, 403, 403, 403),
    ("POST", "/people/<id>/activate"):                (401, 403, 403, 403, 302, 302, 403, 403, 403, 403),
    ("GET",  "/people/<id>/export"):                  (302, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    ("POST", "/people/<id>/erase"):                   (401, 403, 403, 403, 302, 302, 403, 403, 403, 403),
    ("GET",  "/people/import"):                       (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/people/import"):                       (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/people/import/confirm"):               (401, 403, 403, 403, 302, 302, 403, 403, 403, 302),
    ("GET",  "/people/import/template.csv"):          (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    # target groups belong to no region: only a national admin edits them
    ("GET",  "/target-groups"):                       (302, 403, 403, 403, 403, 200, 403, 403, 403, 403),
    ("GET",  "/target-groups/new"):                   (302, 403, 403, 403, 403, 200, 403, 403, 403, 403),
    ("POST", "/target-groups/new"):                   (401, 403, 403, 403, 403, 200, 403, 403, 403, 403),
    ("GET",  "/target-groups/<id>/edit"):             (302, 403, 403, 403, 403, 200, 403, 403, 403, 403),
    ("POST", "/target-groups/<id>/edit"):             (401, 403, 403, 403, 403, 302, 403, 403, 403, 403),
    # organisations: hub@r1 lies outside trainer@r1's training centre too
    ("GET",  "/orgs/"):                               (302, 403, 200, 200, 200, 200, 403, 200, 200, 200),
    ("GET",  "/orgs/<id>"):                           (302, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  "/orgs/new"):                            (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/orgs/new"):                            (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/orgs/<id>/edit"):                      (302, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    ("POST", "/orgs/<id>/edit"):                      (401, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    ("GET",  "/orgs/<id>/move"):                      (302, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    ("POST", "/orgs/<id>/move"):                      (401, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    ("GET",  "/orgs/import"):                         (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/orgs/import"):                         (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/orgs/import/confirm"):                 (401, 403, 403, 403, 302, 302, 403, 403, 403, 302),
    ("GET",  "/orgs/import/template.csv"):            (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/audit/"):                              (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    # monitoring: managers and admins, each within their region; <certificate_id> is an external
    # certificate recorded in r1, <preset> the quarterly report
    # the API answers to tokens only (a logged-in browser gets 401 too); its document is public;
    # tokens are one's own: <token_id> is learner@r1's token
    ("GET",  "/api/v1/indicators"):                   (401, 401, 401, 401, 401, 401, 401, 401, 401, 401),
    ("GET",  "/api/v1/certificates"):                 (401, 401, 401, 401, 401, 401, 401, 401, 401, 401),
    ("GET",  "/api/v1/openapi.json"):                 (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/profile/api-tokens"):                  (302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/profile/api-tokens"):                  (401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/profile/api-tokens/<token_id>/revoke"): (401, 302, 404, 404, 404, 404, 404, 404, 404, 404),
    ("GET",  "/monitoring/"):                         (302, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    ("GET",  "/monitoring/certificates"):             (302, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    ("GET",  "/monitoring/reports/<preset>"):         (302, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    # freezing signs off the report of one's own scope; <report_id> is r1's manager's frozen report
    ("POST", "/monitoring/reports/<preset>/freeze"):  (401, 403, 403, 302, 302, 302, 403, 403, 302, 302),
    ("GET",  "/monitoring/reports/frozen/<report_id>"): (302, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  "/monitoring/external"):                 (302, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    ("GET",  "/monitoring/external/new"):             (302, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    ("POST", "/monitoring/external/new"):             (401, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    ("POST", "/monitoring/external/<certificate_id>/delete"):
                                                      (401, 403, 403, 302, 302, 302, 403, 403, 403, 403),
    ("GET",  "/monitoring/external/import"):          (302, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    ("POST", "/monitoring/external/import"):          (401, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    ("POST", "/monitoring/external/import/confirm"):  (401, 403, 403, 302, 302, 302, 403, 403, 302, 302),
    ("GET",  "/monitoring/external/import/template.csv"): (302, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    # action plans: managers and admins over the owner (r1); <plan_id> is r1's plan whose action 1 tc@r1
    # executes, so trainer@r1 (granted over tc@r1) sees it with her own task only; <action_id> is that
    # action, <indicator_id> its indicator. Empty new forms get their errors (200); an edit form keeps the
    # stored values of fields missing from the POST, so it is saved (302); deletions are done (302); an
    # unknown import token is sent back to the upload form (302). The list needs a scope or a task
    ("GET",  "/plans/"):                              (302, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    ("GET",  "/plans/new"):                           (302, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    ("POST", "/plans/new"):                           (401, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    ("GET",  "/plans/<plan_id>"):                     (302, 403, 200, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  "/plans/<plan_id>/edit"):                (302, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    ("POST", "/plans/<plan_id>/edit"):                (401, 403, 403, 302, 302, 302, 403, 403, 403, 403),
    ("GET",  "/plans/<plan_id>/actions/new"):         (302, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    ("POST", "/plans/<plan_id>/actions/new"):         (401, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  "/plans/<plan_id>/actions/<action_id>/edit"):
                                                      (302, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    ("POST", "/plans/<plan_id>/actions/<action_id>/edit"):
                                                      (401, 403, 403, 302, 302, 302, 403, 403, 403, 403),
    ("POST", "/plans/<plan_id>/actions/<action_id>/delete"):
                                                      (401, 403, 403, 302, 302, 302, 403, 403, 403, 403),
    ("GET",  "/plans/<plan_id>/actions/<action_id>/indicators/new"):
                                                      (302, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    ("POST", "/plans/<plan_id>/actions/<action_id>/indicators/new"):
                                                      (401, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  "/plans/<plan_id>/indicators/<indicator_id>/edit"):
                                                      (302, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    ("POST", "/plans/<plan_id>/indicators/<indicator_id>/edit"):
                                                      (401, 403, 403, 302, 302, 302, 403, 403, 403, 403),
    ("POST", "/plans/<plan_id>/indicators/<indicator_id>/delete"):
                                                      (401, 403, 403, 302, 302, 302, 403, 403, 403, 403),
    ("GET",  "/plans/import"):                        (302, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    ("POST", "/plans/import"):                        (401, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    ("POST", "/plans/import/confirm"):                (401, 403, 403, 302, 302, 302, 403, 403, 302, 302),
    ("GET",  "/plans/import/template.csv"):           (302, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    # reporting rounds: the owner's pages and actions are plans.view/plans.edit over r1; <round_id> is an
    # open round of P-MATRIX whose deadline has not passed, <submission_id> tc@r1's submitted report in
    # it, <value_id> its value with an attached PDF, <executor_id> tc@r1: only those acting for it
    # (trainer@r1) open its report; a submitted report is shown again with the reason (200). An empty
    # reminder reminds the late (nobody: 302), an empty return asks for its comment (200)
    ("GET",  "/plans/<plan_id>/rounds"):              (302, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  "/plans/<plan_id>/rounds/new"):          (302, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    ("POST", "/plans/<plan_id>/rounds/new"):          (401, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  "/plans/<plan_id>/rounds/<round_id>"):   (302, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    ("POST", "/plans/<plan_id>/rounds/<round_id>/remind"):
                                                      (401, 403, 403, 302, 302, 302, 403, 403, 403, 403),
    ("POST", "/plans/<plan_id>/rounds/<round_id>/close"):
                                                      (401, 403, 403, 302, 302, 302, 403, 403, 403, 403),
    ("GET",  "/plans/<plan_id>/rounds/<round_id>/submissions/<submission_id>"):
                                                      (302, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    ("POST", "/plans/<plan_id>/rounds/<round_id>/submissions/<submission_id>/return"):
                                                      (401, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  "/plans/<plan_id>/rounds/<round_id>/report/<executor_id>"):
                                                      (302, 403, 200, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/plans/<plan_id>/rounds/<round_id>/report/<executor_id>"):
                                                      (401, 403, 200, 403, 403, 403, 403, 403, 403, 403),
    ("GET",  "/plans/<plan_id>/rounds/<round_id>/attachments/<value_id>"):
                                                      (302, 403, 200, 200, 200, 200, 403, 403, 403, 403),
    # execution report: <plan_code> is P-MATRIX, <version_id> a frozen version of its report. Its owner's
    # managers and admins see it whole, its executor (trainer@r1, for tc@r1) her own rows; those who edit
    # the owner freeze (an empty form has no period: sent back with a message, 302); only the owner's
    # people open a frozen version
    ("GET",  "/plans/<plan_code>/report"):            (302, 403, 200, 200, 200, 200, 403, 403, 403, 403),
    ("POST", "/plans/<plan_code>/report/freeze"):     (401, 403, 403, 302, 302, 302, 403, 403, 403, 403),
    ("GET",  "/plans/<plan_code>/report/versions/<version_id>"):
                                                      (302, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    # plugins
    ("GET",  "/courses/"):                            (302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # learning: <code> is a published open course nobody is enrolled in; a lesson sends those not
    # enrolled to the course page's Enrol button, authors (admins) preview it; only the enrolled complete
    ("GET",  "/courses/<code>"):                      (302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/courses/<code>/enrol"):                (401, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("GET",  "/courses/<code>/items/<key>"):          (302, 302, 302, 302, 200, 200, 302, 302, 302, 200),
    ("POST", "/courses/<code>/items/<key>/complete"): (401, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/courses/<code>/items/<key>/next"):     (401, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET",  "/courses/media/<media_id>/<filename>"):  (302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # authoring: admins anywhere (trainers only when COURSES_TRAINERS_AUTHOR is on, not here); <code> is
    # MATRIX-1 (published, so deleting it is refused: 200 with the error), <module_id> and <item_id> its
    # first module and item; an empty form gets its errors (200), a move or publish is done (302); a module
    # or item form keeps the stored text of fields missing from the POST, so it is saved (302)
    ("GET",  "/courses/author/"):                     (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/courses/author/new"):                  (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/author/new"):                  (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/courses/author/<code>"):               (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/courses/author/<code>/edit"):          (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/author/<code>/edit"):          (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/author/<code>/delete"):        (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/author/<code>/publish"):       (401, 403, 403, 403, 302, 302, 403, 403, 403, 302),
    ("POST", "/courses/author/<code>/unpublish"):     (401, 403, 403, 403, 302, 302, 403, 403, 403, 302),
    ("GET",  "/courses/author/<code>/modules/new"):   (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/author/<code>/modules/new"):   (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/courses/author/<code>/modules/<module_id>/edit"):
                                                      (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/author/<code>/modules/<module_id>/edit"):
                                                      (401, 403, 403, 403, 302, 302, 403, 403, 403, 302),
    ("POST", "/courses/author/<code>/modules/<module_id>/delete"):
                                                      (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/author/<code>/modules/<module_id>/move"):
                                                      (401, 403, 403, 403, 302, 302, 403, 403, 403, 302),
    ("GET",  "/courses/author/<code>/modules/<module_id>/items/new"):
                                                      (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/author/<code>/modules/<module_id>/items/new"):
                                                      (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/courses/author/<code>/items/<item_id>/edit"):
                                                      (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/author/<code>/items/<item_id>/edit"):
                                                      (401, 403, 403, 403, 302, 302, 403, 403, 403, 302),
    ("POST", "/courses/author/<code>/items/<item_id>/delete"):
                                                      (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/author/<code>/items/<item_id>/move"):
                                                      (401, 403, 403, 403, 302, 302, 403, 403, 403, 302),
    # question bank: authors (admins) only; <category_id> is Top/Matrix, <question_id> its single-choice
    # question; an empty POST gets the form's errors (200; a question needs two choices, a deletion the
    # ticked box, an upload a file; /new without a type shows the type choice), an unknown token is sent
    # back to the upload form (302)
    ("GET",  "/courses/questions/"):                  (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/courses/questions/categories/<category_id>"):
                                                      (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/courses/questions/categories/<category_id>/export"):
                                                      (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/courses/questions/import"):            (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/questions/import"):            (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/questions/import/confirm"):    (401, 403, 403, 403, 302, 302, 403, 403, 403, 302),
    ("GET",  "/courses/questions/new"):               (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/questions/new"):               (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/courses/questions/<question_id>"):     (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/courses/questions/<question_id>/edit"):
                                                      (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/questions/<question_id>/edit"):
                                                      (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/questions/<question_id>/delete"):
                                                      (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    # quizzes: <quiz_id> is MATRIX-Q's quiz, where learner@r1 (enrolled) has <attempt_id> in progress and an
    # earlier attempt whose essay (<response_id>) waits for grading; only she answers her attempt (an empty
    # page is saved: 302); grading and extra attempts need a trainer's or admin's grant over her (trainer@r1's
    # is over the training centre); quiz settings are for authors (admins), an empty POST gets its errors
    ("POST", "/courses/quizzes/<quiz_id>/start"):     (401, 302, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET",  "/courses/quizzes/attempts/<attempt_id>/<page>"):
                                                      (302, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/courses/quizzes/attempts/<attempt_id>/<page>"):
                                                      (401, 302, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET",  "/courses/quizzes/attempts/<attempt_id>/finish"):
                                                      (302, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/courses/quizzes/attempts/<attempt_id>/finish"):
                                                      (401, 302, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET",  "/courses/quizzes/attempts/<attempt_id>"):
                                                      (302, 302, 403, 403, 200, 200, 403, 403, 403, 403),
    ("GET",  "/competences/"):                        (302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/people/<id>/competences"):             (302, 200, 403, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  "/courses/quizzes/grading"):             (302, 403, 200, 403, 200, 200, 403, 200, 403, 200),
    ("GET",  "/courses/quizzes/grading/<response_id>"):
                                                      (302, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    ("POST", "/courses/quizzes/grading/<response_id>"):
                                                      (401, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    ("GET",  "/courses/quizzes/<quiz_id>/people/<person_id>"):
                                                      (302, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    ("POST", "/courses/quizzes/<quiz_id>/people/<person_id>/extra-attempt"):
                                                      (401, 403, 403, 403, 302, 302, 403, 403, 403, 403),
    ("GET",  "/courses/quizzes/items/<item_id>/settings"):
                                                      (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/quizzes/items/<item_id>/settings"):
                                                      (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    # competence frameworks and minimum profiles: admins only; <framework_id> is MATRIX-FW (one area),
    # <profile_id> MATRIX-PROFILE over it; an empty upload or new profile gets its errors (200), an unknown
    # import token is sent back to the upload form (302), an empty profile POST changes nothing and is saved
    ("GET",  "/courses/frameworks/"):                 (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/courses/frameworks/<framework_id>"):   (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/courses/frameworks/<framework_id>/export.csv"):
                                                      (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/courses/frameworks/import"):           (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/frameworks/import"):           (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/frameworks/import/confirm"):   (401, 403, 403, 403, 302, 302, 403, 403, 403, 302),
    ("GET",  "/courses/frameworks/profiles/"):        (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/courses/frameworks/profiles/new"):     (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/frameworks/profiles/new"):     (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/courses/frameworks/profiles/<profile_id>"):
                                                      (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/courses/frameworks/profiles/<profile_id>"):
                                                      (401, 403, 403, 403, 302, 302, 403, 403, 403, 302),
    # cohort sessions (part B): <cohort_id> is MATRIX-S's cohort at tc@r1, taught by trainer@r1, with
    # learner@r1 as a member; <session_id> its session of yesterday; <token> its calendar feed's. Learners
    # of the cohort see the sessions and download them; trainers of the cohort and admins of its region
    # schedule, mark and record; managers of the region view (the roster too). Empty POSTs get the form's
    # errors (200) or are done (cancel, reset: 302); the feed needs no login, its token is the key
    ("GET",  "/cohorts/<cohort_id>/sessions"):        (302, 200, 200, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  "/cohorts/<cohort_id>/sessions/new"):    (302, 403, 200, 403, 200, 200, 403, 403, 403, 403),
    ("POST", "/cohorts/<cohort_id>/sessions/new"):    (401, 403, 200, 403, 200, 200, 403, 403, 403, 403),
    ("GET",  "/cohorts/<cohort_id>/sessions/<session_id>/edit"):
                                                      (302, 403, 200, 403, 200, 200, 403, 403, 403, 403),
    ("POST", "/cohorts/<cohort_id>/sessions/<session_id>/edit"):
                                                      (401, 403, 200, 403, 200, 200, 403, 403, 403, 403),
    ("POST", "/cohorts/<cohort_id>/sessions/<session_id>/cancel"):
                                                      (401, 403, 302, 403, 302, 302, 403, 403, 403, 403),
    ("GET",  "/cohorts/<cohort_id>/sessions/<session_id>/attendance"):
                                                      (302, 403, 200, 403, 200, 200, 403, 403, 403, 403),
    ("POST", "/cohorts/<cohort_id>/sessions/<session_id>/attendance"):
                                                      (401, 403, 200, 403, 200, 200, 403, 403, 403, 403),
    ("GET",  "/cohorts/<cohort_id>/sessions/<session_id>/roster.pdf"):
                                                      (302, 403, 200, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  "/cohorts/<cohort_id>/sessions/<session_id>/offline"):
                                                      (302, 403, 200, 403, 200, 200, 403, 403, 403, 403),
    ("POST", "/cohorts/<cohort_id>/sessions/<session_id>/offline"):
                                                      (401, 403, 200, 403, 200, 200, 403, 403, 403, 403),
    ("GET",  "/cohorts/<cohort_id>/sessions/<session_id>.ics"):
                                                      (302, 200, 200, 200, 200, 200, 403, 403, 403, 403),
    ("POST", "/cohorts/<cohort_id>/calendar/reset"):  (401, 403, 302, 403, 302, 302, 403, 403, 403, 403),
    ("GET",  "/cohorts/calendar/<token>.ics"):        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # closing (part C): the trainers of the cohort, and admins and managers of its region; an empty POST
    # closes it (302)
    ("GET",  "/cohorts/<cohort_id>/close"):           (302, 403, 200, 200, 200, 200, 403, 403, 403, 403),
    ("POST", "/cohorts/<cohort_id>/close"):           (401, 403, 302, 302, 302, 302, 403, 403, 403, 403),
    # the gradebook and its exports (it only reads): those who may view the cohort (its trainers, admins
    # and managers of its region)
    ("GET",  "/cohorts/<cohort_id>/gradebook"):       (302, 403, 200, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  "/cohorts/<cohort_id>/gradebook.csv"):   (302, 403, 200, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  "/cohorts/<cohort_id>/gradebook.xlsx"):  (302, 403, 200, 200, 200, 200, 403, 403, 403, 403),
    # cohorts (part A): <cohort_id> is MATRIX-S's cohort as above, <member_id> learner@r1's membership of
    # it, <licence_id> a licence given by hand to trainer@r1. Everyone signed in has a cohort list (her own,
    # or her scope's) and may enrol with a key; trainers and admins open cohorts; the cohort's trainers and
    # admins of its region enrol, edit, withdraw and transfer; admins give and end licences in their scope.
    # Empty POSTs get the form's errors (200) or are sent back with a message (302)
    ("GET",  "/cohorts/"):                            (302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/cohorts/new"):                         (302, 403, 200, 403, 200, 200, 403, 200, 403, 200),
    ("POST", "/cohorts/new"):                         (401, 403, 200, 403, 200, 200, 403, 200, 403, 200),
    ("GET",  "/cohorts/join"):                        (302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/cohorts/join"):                        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/cohorts/import/template.csv"):         (302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/cohorts/<cohort_id>"):                 (302, 200, 200, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  "/cohorts/<cohort_id>/edit"):            (302, 403, 200, 403, 200, 200, 403, 403, 403, 403),
    ("POST", "/cohorts/<cohort_id>/edit"):            (401, 403, 200, 403, 200, 200, 403, 403, 403, 403),
    ("POST", "/cohorts/<cohort_id>/start"):           (401, 403, 302, 403, 302, 302, 403, 403, 403, 403),
    ("GET",  "/cohorts/<cohort_id>/enrol"):           (302, 403, 200, 403, 200, 200, 403, 403, 403, 403),
    ("POST", "/cohorts/<cohort_id>/enrol"):           (401, 403, 200, 403, 200, 200, 403, 403, 403, 403),
    ("POST", "/cohorts/<cohort_id>/invite"):          (401, 403, 200, 403, 200, 200, 403, 403, 403, 403),
    ("GET",  "/cohorts/<cohort_id>/import"):          (302, 403, 200, 403, 200, 200, 403, 403, 403, 403),
    ("POST", "/cohorts/<cohort_id>/import"):          (401, 403, 200, 403, 200, 200, 403, 403, 403, 403),
    ("POST", "/cohorts/<cohort_id>/import/confirm"):  (401, 403, 302, 403, 302, 302, 403, 403, 403, 403),
    ("POST", "/cohorts/<cohort_id>/members/<member_id>/withdraw"):
                                                      (401, 403, 302, 403, 302, 302, 403, 403, 403, 403),
    ("GET",  "/cohorts/<cohort_id>/members/<member_id>/transfer"):
                                                      (302, 403, 200, 403, 200, 200, 403, 403, 403, 403),
    ("POST", "/cohorts/<cohort_id>/members/<member_id>/transfer"):
                                                      (401, 403, 200, 403, 200, 200, 403, 403, 403, 403),
    ("GET",  "/cohorts/licences"):                    (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/cohorts/licences"):                    (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/cohorts/licences/<licence_id>/revoke"):
                                                      (401, 403, 403, 403, 302, 302, 403, 403, 403, 403),
    # lineage: the national view for managers and admins (their scope); a trainer's page (<trainer_id> is
    # trainer@r1, at tc@r1) for herself and for managers and admins whose scope holds her organisation
    ("GET",  "/cohorts/lineage"):                     (302, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    ("GET",  "/cohorts/lineage/levels/<level>"):      (302, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    ("GET",  "/cohorts/lineage/mine"):                (302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("GET",  "/cohorts/lineage/trainers/<trainer_id>"):
                                                      (302, 403, 200, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  "/cohorts/lineage/trainers/<trainer_id>/<what>"):
                                                      (302, 403, 200, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  "/certificates/"):                       (302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # the public face: open to anonymous visitors and everyone else; <code> is hub@r1's. Only a national
    # admin chooses the landing page's figures (an empty form publishes none: 302)
    ("GET",  "/hubs/"):                               (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/hubs/<code>"):                         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/hubs/<code>/sessions.ics"):            (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/open-data/"):                          (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/open-data/hubs.csv"):                  (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/open-data/hubs.geojson"):              (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/public-figures"):                      (302, 403, 403, 403, 403, 200, 403, 403, 403, 403),
    ("POST", "/public-figures"):                      (401, 403, 403, 403, 403, 302, 403, 403, 403, 403),
    # certificates: <number> is learner@r1's certificate of MATRIX-1 (issued by hand; she belongs to hub@r1):
    # she downloads it, and managers and admins whose scope held her; verification is public
    ("GET",  "/certificates/<number>/certificate.pdf"): (302, 200, 403, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  "/verify"):                              (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/verify/<number>"):                     (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/api/v1/certificates/<number>"):        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/certificates/<number>/credential.jwt"): (302, 200, 403, 200, 200, 200, 403, 403, 403, 403),
    ("GET",  "/.well-known/jwks.json"):               (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # managers and admins search and revoke within their scope (an empty reason gets the form again: 200)
    ("GET",  "/certificates/manage"):                 (302, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    ("GET",  "/certificates/<number>"):               (302, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    ("POST", "/certificates/<number>/revoke"):        (401, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    # correcting a name issues the certificate again: the same people as revoking (empty reason: 200)
    ("POST", "/certificates/<number>/reissue"):       (401, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    # an issue by hand: admins, to learners of their scope (an empty form gets its errors: 200)
    ("GET",  "/certificates/issue"):                  (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/certificates/issue"):                  (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    # a cohort's certificates as a ZIP: <cohort_id> is MATRIX-S's cohort, which trainer@r1 teaches
    # the verification desk: managers and admins (an empty form gets its errors: 200)
    ("GET",  "/certificates/desk"):                   (302, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    ("POST", "/certificates/desk"):                   (401, 403, 403, 200, 200, 200, 403, 403, 200, 200),
    # templates and issuance settings: admins (an empty form gets its errors: 200)
    ("GET",  "/certificates/templates"):              (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/certificates/templates/<code>"):       (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/certificates/templates/<code>"):       (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/certificates/cohorts"):                (302, 403, 200, 200, 200, 200, 403, 200, 200, 200),
    # re-rendering as a background job: admins, for their regions (an empty form gets its errors: 200);
    # <job_id> is a finished job over r1, so running it again only says so (302, nothing started)
    ("GET",  "/certificates/jobs"):                   (302, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("POST", "/certificates/jobs"):                   (401, 403, 403, 403, 200, 200, 403, 403, 403, 200),
    ("GET",  "/certificates/jobs/<job_id>"):          (302, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    ("POST", "/certificates/jobs/<job_id>/run"):      (401, 403, 403, 403, 302, 302, 403, 403, 403, 403),
    ("GET",  "/certificates/cohorts/<cohort_id>.zip"):  (302, 403, 200, 200, 200, 200, 403, 403, 403, 403),
}
# fmt: on


@pytest.fixture
def app_config(app_config, tmp_path_factory):
    """Media stored by a cell go to a folder of this run, not the instance folder."""
    return {**app_config, "COURSES_MEDIA_DIR": str(tmp_path_factory.getbasetemp() / "matrix-media")}


PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
SHORT_NAMES = {"user_id": "id", "organisation_id": "id", "group_id": "id"}


def _short(rule: str) -> str:
    """``/people/<int:user_id>/roles/<int:grant_id>/revoke`` → ``/people/<id>/roles/<grant_id>/revoke``."""
    return PARAMETER.sub(lambda match: f"<{SHORT_NAMES.get(match[1], match[1])}>", rule)


def _course(db):
    """A published course open to everyone, one module of one text item, nobody enrolled."""
    from courses.models import Course, Item, Module
    from courses.services import by_code

    course = by_code("MATRIX-1")
    if course is None:
        item = Item(key="intro", kind="text", title={"uk": "Вступ"}, body="Текст.", completion="next")
        module = Module(key="basics", title={"uk": "Модуль"}, items=[item])
        course = Course(code="MATRIX-1", title={"uk": "Курс"}, status="published", is_open=True)
        course.modules.append(module)
        db.session.add(course)
        db.session.commit()
    return course


def _question(db):
    """A single-choice question of the bank category Top/Matrix."""
    from courses.questions.interchange import ParsedAnswer, ParsedQuestion
    from courses.questions.models import Question
    from courses.questions.services import import_questions

    question = db.session.scalar(select(Question).where(Question.idnumber == "matrix-1"))
    if question is None:
        answers = [ParsedAnswer("Так", 1.0), ParsedAnswer("Ні", 0.0)]
        parsed = ParsedQuestion(
            "Питання", "single", "Так?", "markdown", "Top/Matrix", answers, idnumber="matrix-1"
        )
        (imported,) = import_questions([parsed])
        question = imported.question
        db.session.commit()
    return question


QUIZ_PARAMETERS = ("quiz_id", "item_id", "attempt_id", "page", "response_id", "person_id")


def _quiz(db, learner) -> dict[str, int]:
    """MATRIX-Q: a quiz of two questions (single choice, essay); learner@r1's essay attempt waits for
    grading and her second attempt is in progress."""
    from courses.frameworks.models import Competence, Framework
    from courses.models import Course, Item, Module
    from courses.questions.models import Answer, Question, QuestionCategory
    from courses.quizzes import services as quizzes
    from courses.quizzes.models import Quiz, QuizCompetence
    from courses.services import by_code, enrol

    course = by_code("MATRIX-Q")
    if course is None:
        competence = Competence(idnumber="1", shortname={"uk": "Пошук"}, path="/0001/")
        db.session.add(Framework(idnumber="MATRIX-QUIZ", shortname={"uk": "Рамка"}, competences=[competence]))
        category = QuestionCategory(name="MatrixQuiz", path="Top/MatrixQuiz")
        for kind, answers in (("single", [Answer(text="Так", fraction=1.0)]), ("essay", [])):
            question = Question(category=category, name=kind, type=kind, text="?", answers=answers, level=1)
            db.session.add(question)
            question.competence = competence
        item = Item(key="quiz", kind="quiz", title={"uk": "Тест"})
        module = Module(key="check", title={"uk": "Модуль"}, items=[item])
        course = Course(code="MATRIX-Q", title={"uk": "Курс"}, status="published", modules=[module])
        quiz = Quiz(item=item, competences=[QuizCompetence(competence=competence, level=1, count=2)])
        db.session.add_all([course, quiz])
        enrol(learner, course)
        first = quizzes.start_attempt(quiz, learner)
        quizzes.save_page(first, {slot.slot: "Текст." for slot in first.questions})
        quizzes.finish_attempt(first)
        quizzes.start_attempt(quiz, learner)
        db.session.commit()
    quiz = quizzes.quiz_of(course.items[0])
    first, second = quizzes.attempts_of(quiz, learner)
    essay = next(slot for slot in first.questions if slot.needs_grading)
    ids = {"quiz_id": quiz.id, "item_id": quiz.item_id, "attempt_id": second.id, "page": 1}
    return {**ids, "response_id": essay.id, "person_id": learner.id}


def _framework(db):
    """A competence framework of one area with two levels."""
    from courses.frameworks.models import Competence, Framework, ProficiencyLevel
    from courses.frameworks.services import by_idnumber

    framework = by_idnumber("MATRIX-FW")
    if framework is None:
        framework = Framework(idnumber="MATRIX-FW", shortname={"uk": "Рамка"})
        framework.levels = [ProficiencyLevel(number=number, name={"uk": str(number)}) for number in (1, 2)]
        framework.competences = [Competence(idnumber="1", shortname={"uk": "Сфера"}, path="/0000/")]
        db.session.add(framework)
        db.session.commit()
    return framework


def _profile(db):
    """A minimum profile over MATRIX-FW."""
    from courses.frameworks.models import MinimumProfile
    from courses.frameworks.services import profile_by_code

    profile = profile_by_code("MATRIX-PROFILE")
    if profile is None:
        profile = MinimumProfile(code="MATRIX-PROFILE", name={"uk": "Мінімум"}, framework=_framework(db))
        db.session.add(profile)
        db.session.commit()
    return profile


SESSION_PARAMETERS = ("cohort_id", "session_id", "token", "member_id", "licence_id")


def _cohort_sessions(db, world) -> dict[str, object]:
    """Part B's objects: MATRIX-S's cohort at tc@r1 (trainer@r1 teaches, learner@r1 learns) and its
    session of yesterday."""
    from datetime import timedelta

    from courses.cohorts.models import Cohort, CohortMember, CohortSession
    from courses.models import Course, Item, Module
    from courses.services import by_code, enrol
    from lms.i18n import utcnow

    course = by_code("MATRIX-S")
    if course is None:
        item = Item(key="intro", kind="text", title={"uk": "Вступ"}, body="Текст.", completion="button")
        module = Module(key="basics", title={"uk": "Модуль"}, items=[item])
        course = Course(code="MATRIX-S", title={"uk": "Курс"}, status="published", is_open=False)
        course.modules.append(module)
        learner = world.people["learner@r1"]
        cohort = Cohort(
            course=course,
            organisation=world.orgs["tc@r1"],
            starts_on=utcnow().date(),
            ends_on=utcnow().date() + timedelta(days=30),
            status="running",
        )
        cohort.trainers.append(world.people["trainer@r1"])
        cohort.members.append(CohortMember(user=learner, enrolment=enrol(learner, course)))
        start = utcnow() - timedelta(days=1)
        cohort.sessions.append(CohortSession(starts_at=start, ends_at=start + timedelta(hours=2)))
        db.session.add(cohort)
        db.session.commit()
    cohort = db.session.scalar(select(Cohort).where(Cohort.course_id == course.id))
    return {
        "cohort_id": cohort.id,
        "session_id": cohort.sessions[0].id,
        "token": cohort.calendar_token,
        "member_id": cohort.members[0].id,
        "licence_id": _licence(db, world, course),
    }


def _licence(db, world, course) -> int:
    """A licence given by hand to trainer@r1 (rows built directly: part A's objects)."""
    from courses.cohorts.models import LicenceGrant

    trainer = world.people["trainer@r1"]
    grant = db.session.scalar(select(LicenceGrant).where(LicenceGrant.user_id == trainer.id))
    if grant is None:
        grant = LicenceGrant(user_id=trainer.id, course_id=course.id, reason="Матриця")
        db.session.add(grant)
        db.session.commit()
    return grant.id


def _certificate(db, world):
    """learner@r1's certificate of MATRIX-1, issued by hand."""
    from certificates import services as certificates

    course = _course(db)
    learner = world.people["learner@r1"]
    certificate = certificates.current_certificate(learner, course)
    if certificate is None:
        certificate = certificates.issue_manually(
            learner, course, "Матриця", world.people["admin@root"]
        ).certificate
        db.session.commit()
    return certificate


def _render_job(db, world) -> int:
    """A finished re-rendering job over region r1."""
    from certificates.models import RenderJob

    job = RenderJob(status="done", region_path=world.orgs["r1"].path, region_name="r1")
    db.session.add(job)
    db.session.commit()
    return job.id


def _frozen_report(db, world):
    """The quarterly report frozen by r1's manager, over r1."""
    from lms.monitoring import frozen, reports
    from lms.monitoring.aggregates import Filters
    from lms.monitoring.periods import Period
    from lms.permissions import Scope

    filters = Filters(Scope((world.orgs["r1"].path,)), Period.quarter(2026, 3))
    report = frozen.freeze("quarterly", filters, reports.quarterly(filters), world.people["manager@r1"])
    db.session.commit()
    return report


def _external_certificate(db, world):
    """An external certificate recorded in region r1."""
    from datetime import date

    from lms.monitoring.external import create_external

    record = create_external(
        source="diia",
        reference="MATRIX-1",
        course_title="Курс",
        issued_on=date(2026, 7, 1),
        surname="Коваль",
        given_name="Олена",
        region=world.orgs["r1"],
    )
    db.session.commit()
    return record


PLAN_PARAMETERS = ("plan_id", "action_id", "indicator_id")


def _plan(db, world) -> dict[str, int]:
    """r1's plan P-MATRIX: action 1, executed by tc@r1, with one reported indicator."""
    from lms.plans import services as plans

    plan = plans.by_code("P-MATRIX")
    if plan is None:
        plan = plans.create_plan("P-MATRIX", "План", world.orgs["r1"], 2021, 2025)
        action = plans.add_action(plan, "1", "Захід", executors=[world.orgs["tc@r1"]])
        plans.add_indicator(action, "Кількість проведених курсів")
        db.session.commit()
    action = plan.actions[0]
    return {"plan_id": plan.id, "action_id": action.id, "indicator_id": action.indicators[0].id}


def _plan_report_version(db, world) -> int:
    """A frozen version of P-MATRIX's execution report for 2025-H2, signed off by r1's manager."""
    from lms.monitoring.periods import Period
    from lms.plans import report, services

    plan = services.by_code("P-MATRIX")
    version = report.freeze(plan, Period.half(2025, 2), world.people["manager@r1"])
    db.session.commit()
    return version.id


ROUND_PARAMETERS = ("round_id", "submission_id", "executor_id", "value_id")


def _round(db, world) -> dict[str, int]:
    """An open round of P-MATRIX (deadline ahead) with tc@r1's submitted report and its attached PDF."""
    from datetime import date, timedelta

    from lms.monitoring.periods import Period
    from lms.plans import rounds
    from lms.plans.models import Plan

    plan_id = _plan(db, world)["plan_id"]
    plan = db.session.get(Plan, plan_id)
    centre = world.orgs["tc@r1"]
    round_ = plan.rounds[0] if plan.rounds else None
    if round_ is None:
        round_ = rounds.open_round(plan, Period.half(2025, 2), date.today() + timedelta(days=30))
        submission = rounds.start_submission(round_, centre)
        attachment = rounds.store_attachment("звіт.pdf", b"%PDF-1.4\n")
        indicator = plan.actions[0].indicators[0]
        trainer = world.people["trainer@r1"]
        rounds.save_entries(submission, {indicator.id: rounds.Entry(value=3, attachment=attachment)}, trainer)
        rounds.submit(submission, trainer)
        db.session.commit()
    submission = round_.submissions[0]
    return {
        "round_id": round_.id,
        "submission_id": submission.id,
        "executor_id": centre.id,
        "value_id": submission.values[0].id,
    }


def _url(path: str, world, db) -> str:
    """The row's path with its parameters filled with region r1's objects."""
    learner = world.people["learner@r1"]

    def value(name: str) -> str:
        if name == "id" and path.startswith("/people/"):
            return str(learner.id)
        if name == "id" and path.startswith("/orgs/"):
            return str(world.orgs["hub@r1"].id)
        if name == "id" and path.startswith("/target-groups/"):
            return str(db.session.scalar(select(TargetGroup.id).order_by(TargetGroup.id).limit(1)))
        if name == "grant_id":
            (grant,) = learner.grants
            assert grant.organisation is world.orgs["hub@r1"]
            return str(grant.id)
        if name == "media_id":  # a file of an item of the open course (any learner may open it)
            from courses.media import store_bytes
            from courses.models import Item

            media = store_bytes(b"Notes.\n", "notes.txt", {"file"})
            module = _course(db).modules[0]
            if not any(item.media_id == media.id for item in module.items):
                module.items.append(Item(key="notes", kind="file", title={"uk": "Нотатки"}, media=media))
            db.session.commit()
            return str(media.id)
        if name == "trainer_id":
            return str(world.people["trainer@r1"].id)
        if name == "what":
            return "direct"
        if name == "level":
            return "1"
        if name == "plan_code":
            _plan(db, world)
            return "P-MATRIX"
        if name == "version_id" and path.startswith("/plans/"):
            _plan(db, world)
            return str(_plan_report_version(db, world))
        if path.startswith("/plans/") and name in ROUND_PARAMETERS:
            return str(_round(db, world)[name])
        if path.startswith("/plans/") and name in PLAN_PARAMETERS:
            return str(_plan(db, world)[name])
        if path.startswith("/cohorts/") and name in SESSION_PARAMETERS:
            return str(_cohort_sessions(db, world)[name])
        if path.startswith("/courses/quizzes/") and name in QUIZ_PARAMETERS:
            return str(_quiz(db, learner)[name])
        if name == "code" and path.startswith("/hubs/"):
            return world.orgs["hub@r1"].code
        if name == "cohort_id" and path.startswith("/certificates/"):
            return str(_cohort_sessions(db, world)["cohort_id"])
        if name == "number":
            return _certificate(db, world).number
        if name == "job_id":
            return str(_render_job(db, world))
        if name == "code":
            return _course(db).code
        if name == "key":
            return _course(db).items[0].key
        if name == "module_id":
            return str(_course(db).modules[0].id)
        if name == "item_id":
            return str(_course(db).items[0].id)
        if name == "question_id":
            return str(_question(db).id)
        if name == "category_id":
            return str(_question(db).category_id)
        if name == "framework_id":
            return str(_framework(db).id)
        if name == "profile_id":
            return str(_profile(db).id)
        if name == "filename":
            return "notes.txt"
        if name == "certificate_id":
            return str(_external_certificate(db, world).id)
        if name == "preset":
            return "quarterly"
        if name == "token_id":
            from lms.api.tokens import create_token

            row, _token = create_token(learner, "matrix")
            db.session.commit()
            return str(row.id)
        if name == "report_id":
            return str(_frozen_report(db, world).id)
        if name == "token":
            purpose = (
                TokenPurpose.INVITATION if path.startswith("/invitation/") else TokenPurpose.PASSWORD_RESET
            )
            token = services.issue_token(learner, purpose)
            db.session.commit()
            return token
        raise AssertionError(f"no value for <{name}> in {path}")

    return PARAMETER.sub(lambda match: value(match[1]), path)


CELLS = [
    pytest.param(method, path, role, code, id=f"{method} {path} as {role}")
    for (method, path), codes in MATRIX.items()
    for role, code in zip(ROLES, codes, strict=True)
]


@pytest.mark.parametrize(("method", "path", "role", "expected"), CELLS)
def test_route_answers_role_as_written(client, world, db, method, path, role, expected):
    url = _url(path, world, db)
    if role != "anonymous":
        login(client, world.people[role])
    response = client.get(url) if method == "GET" else post(client, url, {})
    assert response.status_code == expected, (
        f"{method} {url} as {role}: {response.status_code}, expected {expected}\n"
        + response.get_data(as_text=True)[:1500]
    )
    if response.status_code == 302 and role == "anonymous" and method == "GET":
        assert response.location.startswith("/login")
    if expected in (401, 403):  # a refused request changed nothing about learner@r1
        db.session.expire_all()
        learner = world.people["learner@r1"]
        assert learner.is_active_account and not learner.is_erased
        assert [grant.role for grant in learner.grants] == ["learner"]


def test_the_matrix_lists_every_route_of_the_app(app):
    routes = {
        (method, _short(rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - MATRIX.keys() == set(), "routes missing from the permission matrix"
    assert MATRIX.keys() - routes == set(), "the permission matrix lists routes the app does not have"


def test_a_post_without_csrf_token_is_refused_even_for_a_national_admin(client, world, db):
    learner = world.people["learner@r1"]
    login(client, world.people["admin@root"])
    response = client.post(f"/people/{learner.id}/deactivate", data={})
    assert response.status_code == 400
    db.session.expire_all()
    assert learner.is_active_account
