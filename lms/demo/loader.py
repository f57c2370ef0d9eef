"""Demonstration data: the national body, 27 regions, their training centres and hubs, and people
at every level with every role. Deterministic and idempotent: loading twice changes nothing."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from lms.accounts.models import Job, Role, TargetGroup, User
from lms.accounts.passwords import hash_password
from lms.accounts.services import create_user, find_by_email, grant_role
from lms.extensions import db
from lms.imports.services import check_file
from lms.orgs.importer import OrganisationImporter
from lms.orgs.models import Kind, Organisation
from lms.orgs.services import by_code, create_organisation
from lms.permissions import Scope

DATA = Path(__file__).parent / "data"
DEMO_PASSWORD = "kaskad-demo-2026"  # noqa: S105 (published demo password)
DOMAIN = "kaskad.demo"
OCCUPIED = {"UA-43", "UA-40"}

NATIONAL = (
    (
        "UA",
        "Міністерство цифрової трансформації України",
        "Ministry of Digital Transformation of Ukraine",
        None,
    ),
    ("UA-ULA", "Українська бібліотечна асоціація", "Ukrainian Library Association", "UA"),
    (
        "UA-DEH",
        "Офіс національної програми «Хаби цифрової освіти»",
        "Digital Education Hubs Programme Office",
        "UA",
    ),
)

# (e-mail local part, surname, given name, patronymic, organisation, roles, job, target groups, what for)
PEOPLE = (
    ("admin", "Адміністраторка", "Ганна", "Ігорівна", "UA", ("admin",), None, (), "admin, whole country"),
    (
        "manager",
        "Ґудзь",
        "Євген",
        "Олексійович",
        "UA",
        ("manager",),
        "manager",
        ("civil_servants",),
        "manager, whole country",
    ),
    (
        "trainer",
        "Мельничук",
        "Ірина",
        "Василівна",
        "UA-DEH",
        ("trainer",),
        "national_trainer",
        ("civil_servants",),
        "national trainer",
    ),
    (
        "admin.zhytomyr",
        "Олійник",
        "Тарас",
        "Миколайович",
        "UA-18",
        ("admin",),
        "manager",
        ("local_government_officials",),
        "admin, Zhytomyr region",
    ),
    (
        "manager.zhytomyr",
        "Дʼяченко",
        "Олеся",
        "Петрівна",
        "UA-18",
        ("manager",),
        "manager",
        ("local_government_officials",),
        "manager, Zhytomyr region",
    ),
    (
        "trainer.zhytomyr",
        "Кравець",
        "Їжак",
        "Іванович",
        "TC-18",
        ("trainer", "learner"),
        "regional_trainer",
        ("librarians",),
        "regional trainer (also a learner), Zhytomyr",
    ),
    (
        "coordinator.zhytomyr",
        "Костюк",
        "Марʼяна",
        "Богданівна",
        "HUB-18-001",
        ("learner",),
        "hub_coordinator",
        ("librarians",),
        "hub coordinator, Zhytomyr region",
    ),
    (
        "manager.lviv",
        "Шевчук",
        "Ярослав",
        "Андрійович",
        "UA-46",
        ("manager",),
        "manager",
        ("civil_servants",),
        "manager, Lviv region",
    ),
    (
        "trainer.lviv",
        "Гнатюк",
        "Соломія",
        "Романівна",
        "TC-46",
        ("trainer", "learner"),
        "regional_trainer",
        ("librarians",),
        "regional trainer (also a learner), Lviv",
    ),
    (
        "coordinator.lviv",
        "Павлів",
        "Остап",
        "Ігорович",
        "HUB-46-001",
        ("learner",),
        "hub_coordinator",
        ("librarians",),
        "hub coordinator, Lviv region",
    ),
)

SURNAMES = (
    "Бондар",
    "Ґалаґан",
    "Єременко",
    "Іваненко",
    "Їжакевич",
    "Коваленко",
    "Литвин",
    "Мороз",
    "Нечипорук",
    "Осадчий",
    "Петренко",
    "Руденко",
    "Савчук",
    "Ткаченко",
    "Федорук",
    "Харченко",
    "Цимбал",
    "Шаповал",
    "Юрченко",
    "Яковенко",
    "Дʼяків",
    "Пʼятничук",
    "Вʼюн",
    "Гуменюк",
)
GIVEN = (
    ("Оксана", "Іванівна"),
    ("Людмила", "Петрівна"),
    ("Наталія", "Степанівна"),
    ("Галина", "Ігорівна"),
    ("Тетяна", "Євгенівна"),
    ("Світлана", "Олегівна"),
    ("Марія", "Йосипівна"),
    ("Ірина", "Ґеннадіївна"),
    ("Андрій", "Васильович"),
    ("Олег", "Юрійович"),
    ("Юлія", "Вʼячеславівна"),
    ("Ольга", "Миколаївна"),
)


def _import(path: Path) -> None:
    importer = OrganisationImporter(where=Scope((), is_everything=True))
    plan = check_file(importer, path.read_bytes())
    if plan.errors:
        raise click.ClickException(f"{path.name}: {plan.errors[:5]}")
    importer.apply(plan)


def load_organisations() -> None:
    for code, name_uk, name_en, parent_code in NATIONAL:
        if by_code(code) is None:
            parent = by_code(parent_code) if parent_code else None
            create_organisation(code, Kind.NATIONAL.value, {"uk": name_uk, "en": name_en}, parent)
    if by_code("HUB-18-001") is None:
        _import(DATA / "regions.csv")
        _import(DATA / "hubs.csv")
        for code in OCCUPIED:
            region = by_code(code)
            if region is not None:
                region.is_occupied = True
    db.session.flush()


def _person(
    email: str,
    surname: str,
    given: str,
    patronymic: str,
    org_code: str,
    job_code: str | None,
    groups: tuple[str, ...],
    password_hash: str,
) -> User:
    existing = find_by_email(email)
    if existing is not None:
        return existing
    organisation = by_code(org_code)
    job = db.session.scalar(select(Job).where(Job.code == job_code)) if job_code else None
    target_groups = list(db.session.scalars(select(TargetGroup).where(TargetGroup.code.in_(groups))))
    user = create_user(
        email, surname, given, patronymic, organisation=organisation, job=job, target_groups=target_groups
    )
    user.password_hash = password_hash
    return user


def _role_scope(role: str, organisation: Organisation) -> Organisation:
    """A regional trainer works at the training centre but trains the hubs of the whole region."""
    if role == Role.TRAINER and organisation.kind == Kind.TRAINING_CENTRE and organisation.parent:
        return organisation.parent
    return organisation


def load_core_demo() -> None:
    """Create the demo organisations and people."""
    load_organisations()
    password_hash = hash_password(DEMO_PASSWORD)
    for local, surname, given, patronymic, org_code, roles, job, groups, _what in PEOPLE:
        email = f"{local}@{DOMAIN}"
        user = _person(email, surname, given, patronymic, org_code, job, groups, password_hash)
        organisation = by_code(org_code)
        assert organisation is not None
        for role in roles:
            grant_role(user, role, _role_scope(role, organisation))
    # A coordinator for every hub and a trainer for every training centre, so lists have real sizes.
    centres_and_hubs = db.session.scalars(
        select(Organisation)
        .where(Organisation.kind.in_([Kind.HUB.value, Kind.TRAINING_CENTRE.value]))
        .order_by(Organisation.code)
    ).all()
    for index, organisation in enumerate(centres_and_hubs):
        # Every pairing of surname and given name differs, so the lists look like real people.
        surname = SURNAMES[index % len(SURNAMES)]
        given, patronymic = GIVEN[(index + index // len(SURNAMES)) % len(GIVEN)]
        is_hub = organisation.kind == Kind.HUB
        email = f"{'coordinator' if is_hub else 'trainer'}.{organisation.code.lower()}@{DOMAIN}"
        user = _person(
            email,
            surname,
            given,
            patronymic,
            organisation.code,
            "hub_coordinator" if is_hub else "regional_trainer",
            ("librarians",),
            password_hash,
        )
        role = Role.LEARNER if is_hub else Role.TRAINER
        grant_role(user, role, _role_scope(role, organisation))
    db.session.flush()


def print_logins() -> None:
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for local, *_rest, what in PEOPLE:
        click.echo(f"  {local + '@' + DOMAIN:38} {what}")
    from lms.plans.demo import LOGINS as PLAN_LOGINS

    for email, what in PLAN_LOGINS:
        click.echo(f"  {email:38} {what}")
