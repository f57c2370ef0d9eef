"""Account pages: log in and out, passwords, invitations, people, roles, target groups."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from lms import mail
from lms.accounts import services
from lms.accounts.forms import (
    ChangePasswordForm,
    GrantForm,
    InviteForm,
    LoginForm,
    PersonForm,
    ResetRequestForm,
    SetPasswordForm,
    SettingsForm,
    TargetGroupForm,
)
from lms.accounts.importer import PersonImporter
from lms.accounts.models import ROLE_LABELS, Job, Role, RoleGrant, TargetGroup, TokenPurpose, User
from lms.accounts.passwords import verify_password
from lms.extensions import db, limit, login_manager
from lms.i18n import casefold_email
from lms.imports.views import add_import_routes
from lms.pages import safe_next
from lms.permissions import GLOBAL, load_with_grants, require, scope

bp = Blueprint("accounts", __name__)

NO_RESET_WITHOUT_MAIL = _l(
    "This site cannot send e-mail, so it cannot send you a link to reset your password. "
    "Please ask your administrator for help."
)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        return load_with_grants(int(user_id))
    except ValueError:  # a session from another application with the same secret
        return None


def _account_and_address() -> str:
    """Login and reset attempts are counted per account and address together, so one class behind
    a library's single IP address cannot lock itself out, and one account cannot be guessed at."""
    return f"{request.remote_addr}|{casefold_email(request.form.get('email', ''))}"


def _login_limit() -> str:
    return str(current_app.config["LMS_LOGIN_LIMIT"])


# --- logging in and out --------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@limit(
    _login_limit, key_func=_account_and_address, methods=["POST"], deduct_when=lambda r: r.status_code != 302
)
@limit("300 per 10 minutes", methods=["POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            form.password.errors.append(_("The e-mail or password is not right."))
        else:
            login_user(user, remember=False)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout() -> Any:
    logout_user()
    flash(_("You have logged out."), "success")
    return redirect(url_for("pages.home"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data or ""):
            form.current_password.errors.append(_("The current password is not right."))
        else:
            services.set_password(current_user, form.password.data or "")
            db.session.commit()
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/password/reset", methods=["GET", "POST"])
@limit(_login_limit, key_func=_account_and_address, methods=["POST"])
@limit("300 per 10 minutes", methods=["POST"])
def reset_request() -> Any:
    form = ResetRequestForm()
    if not mail.is_configured():
        # Without e-mail no link can reach anyone: say that, and only that (no "sent").
        if request.method == "POST":
            flash(NO_RESET_WITHOUT_MAIL, "info")
            return redirect(url_for("accounts.login"))
        return render_template(
            "accounts/reset_request.html", form=None, no_reset_without_mail=NO_RESET_WITHOUT_MAIL
        )
    if form.validate_on_submit():
        user = services.find_by_email(form.email.data or "")
        link = None
        if user is not None and user.is_active:
            token = services.issue_token(user, TokenPurpose.PASSWORD_RESET)
            link = services.external_url("accounts.reset_password", token=token)
        db.session.commit()
        if user is not None and link:
            mail.send(
                user.email,
                _("Password reset for Kaskad"),
                _(
                    "To choose a new password, open this link within %(hours)d hours:\n\n%(link)s\n\n"
                    "If you did not ask for it, ignore this message.",
                    hours=current_app.config["LMS_RESET_HOURS"],
                    link=link,
                ),
            )
        # The same answer whether or not the address has an account; the link goes only by e-mail.
        flash(
            _("If this address has an account, a link to reset the password has been e-mailed to it."), "info"
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


def _token_page(purpose: TokenPurpose, token: str, template: str) -> Any:
    user = services.token_user(token, purpose)
    if user is None:
        return render_template("accounts/token_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        services.use_token(token, purpose, form.password.data or "")
        login_user(user, remember=False)
        db.session.commit()
        flash(_("Your password has been set. Welcome!"), "success")
        return redirect(url_for("pages.home"))
    return render_template(template, form=form, user=user)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limit("30 per 10 minutes", methods=["POST"])
def reset_password(token: str) -> Any:
    return _token_page(TokenPurpose.PASSWORD_RESET, token, "accounts/reset_password.html")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limit("30 per 10 minutes", methods=["POST"])
def accept_invitation(token: str) -> Any:
    return _token_page(TokenPurpose.INVITATION, token, "accounts/accept_invitation.html")


# --- own profile -----------------------------------------------------------------------------------


@bp.get("/profile")
@login_required
def profile() -> Any:
    return render_template("accounts/person.html", person=current_user, grant_form=None, is_own=True)


@bp.route("/profile/settings", methods=["GET", "POST"])
@login_required
def settings() -> Any:
    form = SettingsForm(locale=current_user.locale or "", timezone=current_user.timezone)
    if form.validate_on_submit():
        services.update_user(current_user, locale=form.locale.data or None, timezone=form.timezone.data)
        db.session.commit()
        flash(_("Your settings have been saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/settings.html", form=form)


@bp.get("/profile/export")
@login_required
def export_own() -> Any:
    return _export(current_user)


def _export(person: User) -> Any:
    response = jsonify(services.export_data(person))
    response.headers["Content-Disposition"] = f'attachment; filename="kaskad-person-{person.id}.json"'
    return response


# --- people ------------------------------------------------------------------------------------------


def _person(person_id: int, action: str) -> User:
    person = db.get_or_404(User, person_id)
    require(action, person)
    return person


def _fill_choices(form: PersonForm) -> None:
    form.job.choices = [("", _("Not set"))] + [(job.code, str(job.name)) for job in services.jobs()]
    form.target_groups.choices = [(group.code, str(group.name)) for group in services.target_groups()]


def _profile_fields(form: PersonForm) -> dict[str, Any]:
    job = db.session.scalar(select(Job).where(Job.code == form.job.data)) if form.job.data else None
    return {
        "email": form.email.data or "",
        "surname": form.surname.data or "",
        "given_name": form.given_name.data or "",
        "patronymic": form.patronymic.data or "",
        "organisation": form.organisation.organisation,
        "job": job,
        "locale": form.locale.data or None,
        "timezone": form.timezone.data or current_app.config["LMS_DEFAULT_TIMEZONE"],
    }


def _chosen_groups(form: PersonForm) -> list[TargetGroup]:
    codes = form.target_groups.data or []
    return list(db.session.scalars(select(TargetGroup).where(TargetGroup.code.in_(codes)))) if codes else []


@bp.get("/people")
@login_required
def users() -> Any:
    require("user.view")
    query = services.scoped_people(scope(current_user, "user.view"))
    search = request.args.get("q", "").strip()
    if search:
        query = query.where(*services.people_matching(search))
    page = db.paginate(query, per_page=current_app.config["LMS_PAGE_SIZE"], error_out=False)
    return render_template("accounts/people.html", page=page, search=search)


@bp.route("/people/new", methods=["GET", "POST"])
@login_required
def create_user() -> Any:
    require("user.create")
    form = PersonForm(organisation=request.args.get("org", ""))
    _fill_choices(form)
    if form.validate_on_submit():
        if not _may_place(form, "user.create"):
            form.organisation.errors.append(_("You may only add people to organisations in your scope."))
        else:
            person = services.create_user(target_groups=_chosen_groups(form), **_profile_fields(form))
            db.session.commit()
            flash(_("%(name)s has been added.", name=person.full_name), "success")
            return redirect(url_for("accounts.user", user_id=person.id))
    return render_template("accounts/person_form.html", form=form, title=_("Add a person"))


def _may_place(form: PersonForm, action: str) -> bool:
    organisation = form.organisation.organisation
    return organisation is not None and scope(current_user, action).contains(organisation)


@bp.route("/people/invite", methods=["GET", "POST"])
@login_required
def invite() -> Any:
    require("user.invite")
    form = InviteForm(organisation=request.args.get("org", ""))
    _fill_choices(form)
    may_grant_any = bool(scope(current_user, "role.grant").paths)
    if not may_grant_any:  # a trainer invites learners
        form.role.choices = [(Role.LEARNER.value, ROLE_LABELS[Role.LEARNER])]
    if form.validate_on_submit():
        if not _may_place(form, "user.invite"):
            form.organisation.errors.append(_("You may only invite people to organisations in your scope."))
        else:
            person = services.create_user(target_groups=_chosen_groups(form), **_profile_fields(form))
            organisation = form.organisation.organisation
            assert organisation is not None
            if form.role.data == Role.LEARNER or scope(current_user, "role.grant").contains(organisation):
                services.grant_role(person, form.role.data or Role.LEARNER, organisation, current_user)
            return _send_invitation(person)
    return render_template("accounts/person_form.html", form=form, title=_("Invite a person"))


def _send_invitation(person: User) -> Any:
    """Issue a one-time link, show it to the inviter, and e-mail it when SMTP is configured."""
    token = services.issue_token(person, TokenPurpose.INVITATION, created_by=current_user)
    link = services.external_url("accounts.accept_invitation", token=token)
    db.session.commit()
    # The message is written in the invitee's language when one was chosen for them.
    with force_locale(person.locale or get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]):
        sent = mail.send(
            person.email,
            _("You are invited to Kaskad"),
            _(
                "%(inviter)s has invited you to Kaskad. To choose your password, "
                "open this link within %(days)d days:\n\n%(link)s",
                inviter=current_user.full_name,
                days=current_app.config["LMS_INVITATION_DAYS"],
                link=link,
            ),
        )
    return render_template(
        "accounts/invited.html", person=person, link=link, sent=sent, mail_configured=mail.is_configured()
    )


@bp.post("/people/<int:user_id>/invitation")
@login_required
def reinvite(user_id: int) -> Any:
    """A new invitation for someone who has not set a password yet (the old link stops working)."""
    person = _person(user_id, "user.invite")
    if person.password_hash or not person.is_active or person.is_erased:
        flash(_("This person has already set a password: they can reset it from the login page."), "error")
        return redirect(url_for("accounts.user", user_id=person.id))
    return _send_invitation(person)


@bp.get("/people/<int:user_id>")
@login_required
def user(user_id: int) -> Any:
    person = _person(user_id, "user.view")
    grant_form = GrantForm() if scope(current_user, "role.grant").paths else None
    return render_template("accounts/person.html", person=person, grant_form=grant_form, is_own=False)


@bp.route("/people/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
def edit_user(user_id: int) -> Any:
    person = _person(user_id, "user.edit")
    if person.is_erased:
        abort(404)
    # No obj=person: its organisation, job and target groups are objects, and obj would win over these.
    form = PersonForm(
        email=person.email,
        surname=person.surname,
        given_name=person.given_name,
        patronymic=person.patronymic,
        organisation=person.organisation.code if person.organisation else "",
        job=person.job.code if person.job else "",
        target_groups=[group.code for group in person.target_groups],
        locale=person.locale or "",
        timezone=person.timezone,
    )
    form.editing_user_id = person.id
    _fill_choices(form)
    if form.validate_on_submit():
        if not _may_place(form, "user.edit"):
            form.organisation.errors.append(_("You may only move people to organisations in your scope."))
        else:
            services.update_user(person, target_groups=_chosen_groups(form), **_profile_fields(form))
            db.session.commit()
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("accounts.user", user_id=person.id))
    return render_template(
        "accounts/person_form.html", form=form, title=_("Edit %(name)s", name=person.full_name)
    )


@bp.post("/people/<int:user_id>/roles")
@login_required
def grant(user_id: int) -> Any:
    person = _person(user_id, "user.view")
    require("role.grant")
    form = GrantForm()
    if form.validate_on_submit():
        organisation = form.organisation.organisation
        if organisation is None or not scope(current_user, "role.grant").contains(organisation):
            flash(_("You may only grant roles over organisations in your scope."), "error")
        else:
            services.grant_role(person, form.role.data or "", organisation, current_user)
            db.session.commit()
            flash(_("The role has been granted."), "success")
            return redirect(url_for("accounts.user", user_id=person.id))
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")
    return render_template("accounts/person.html", person=person, grant_form=form, is_own=False), 400


@bp.post("/people/<int:user_id>/roles/<int:grant_id>/revoke")
@login_required
def revoke(user_id: int, grant_id: int) -> Any:
    person = _person(user_id, "user.view")
    role_grant = db.get_or_404(RoleGrant, grant_id)
    if role_grant.user_id != person.id:
        abort(404)
    require("role.grant", role_grant.organisation)
    services.revoke_role(role_grant)
    db.session.commit()
    flash(_("The role has been removed."), "success")
    return redirect(url_for("accounts.user", user_id=person.id))


@bp.post("/people/<int:user_id>/deactivate")
@login_required
def deactivate(user_id: int) -> Any:
    person = _person(user_id, "user.edit")
    if person.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
    else:
        services.deactivate(person)
        db.session.commit()
        flash(_("%(name)s can no longer log in.", name=person.full_name), "success")
    return redirect(url_for("accounts.user", user_id=person.id))


@bp.post("/people/<int:user_id>/activate")
@login_required
def activate(user_id: int) -> Any:
    person = _person(user_id, "user.edit")
    services.activate(person)
    db.session.commit()
    flash(_("%(name)s can log in again.", name=person.full_name), "success")
    return redirect(url_for("accounts.user", user_id=person.id))


@bp.get("/people/<int:user_id>/export")
@login_required
def export_user(user_id: int) -> Any:
    return _export(_person(user_id, "user.erase"))


@bp.post("/people/<int:user_id>/erase")
@login_required
def erase(user_id: int) -> Any:
    person = _person(user_id, "user.erase")
    if person.id == current_user.id:
        flash(_("You cannot erase your own account."), "error")
        return redirect(url_for("accounts.user", user_id=person.id))
    if request.form.get("confirm") != "erase":
        flash(_("Tick the box to confirm that this person's data should be erased."), "error")
        return redirect(url_for("accounts.user", user_id=person.id))
    services.erase(person)
    db.session.commit()
    flash(
        _("The person's data has been erased; their certificates still count, without their name."), "success"
    )
    return redirect(url_for("accounts.users"))


add_import_routes(
    bp, "/people", "people", PersonImporter, "user.create", _l("Import people"), "accounts.users"
)


# --- target groups ------------------------------------------------------------------------------------


@bp.get("/target-groups")
@login_required
def target_groups() -> Any:
    require("targetgroup.edit", GLOBAL)
    return render_template("accounts/target_groups.html", groups=services.target_groups(active_only=False))


@bp.route("/target-groups/new", methods=["GET", "POST"], defaults={"group_id": None})
@bp.route("/target-groups/<int:group_id>/edit", methods=["GET", "POST"])
@login_required
def edit_target_group(group_id: int | None) -> Any:
    require("targetgroup.edit", GLOBAL)
    group = db.get_or_404(TargetGroup, group_id) if group_id else None
    # No obj=group: its is_active is a bool, and obj would win over the "1"/"0" below.
    form = TargetGroupForm(
        code=group.code if group else None,
        **({f"name_{code}": text for code, text in group.name.items()} if group else {}),
        is_active="1" if group is None or group.is_active else "0",
    )
    if form.validate_on_submit():
        duplicate = db.session.scalar(select(TargetGroup).where(TargetGroup.code == form.code.data))
        if duplicate is not None and duplicate is not group:
            form.code.errors.append(_("Another target group has this code."))
        else:
            services.save_target_group(
                group,
                code=form.code.data or "",
                name={code: getattr(form, f"name_{code}").data or "" for code in ("uk", "en", "fi", "sv")},
                is_active=form.is_active.data == "1",
            )
            db.session.commit()
            flash(_("The target group has been saved."), "success")
            return redirect(url_for("accounts.target_groups"))
    return render_template("accounts/target_group_form.html", form=form, group=group)
