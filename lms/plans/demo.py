"""The demo's plan: the Zhytomyr region's plan of 2021–2025 (order No. 475 of 9 August 2021), its
actions as the decree gives them, imported from ``data/zhytomyr-2021-2025.csv`` through the plan
importer, like any decree's table. Executors are one per line or separated by semicolons, as the
importer reads them best; action 4 names the department «…цифрових технологій…», a slip of the
decree for the department every other action names, so the file names it as they do."""

from __future__ import annotations

from pathlib import Path

import click

from lms.orgs.models import Organisation
from lms.orgs.services import by_code as org_by_code
from lms.plans import services
from lms.plans.importer import PlanImporter
from lms.plans.models import IndicatorKind

DATA = Path(__file__).parent / "data"
CODE = "ZHY-2021-2025"
OWNER = "UA-18"
TITLE = "План заходів щодо розвитку цифрових компетентностей жителів Житомирської області на 2021-2025 роки"
# Action 1 collects "the number of certificates obtained by civil servants, local-government
# officials, education and medical workers": what Kaskad counts, so the demo counts it too.
COUNTED_GROUPS = ["civil_servants", "local_government_officials", "education_workers", "medical_workers"]
# The person who reports for the regional administration's department of digital development (a
# structural subdivision, the executor of actions 1, 2, 4…): her home organisation makes her act for it.
EXECUTOR_EMAIL = "executor.zhytomyr@kaskad.demo"
LOGINS = ((EXECUTOR_EMAIL, "executor of the Zhytomyr plan (digital development department)"),)


def load_demo() -> None:
    """Import the Zhytomyr plan once and add its executor's person (idempotent)."""
    owner = org_by_code(OWNER)
    if owner is None:
        return
    if services.by_code(CODE) is None:
        _import_plan(owner)
    _add_executor()


def _add_executor() -> None:
    """executor.zhytomyr@kaskad.demo, working at the department that executes the plan's action 1."""
    from lms.accounts.services import create_user, find_by_email
    from lms.demo.loader import DEMO_PASSWORD

    plan = services.by_code(CODE)
    if plan is None or not plan.actions or not plan.actions[0].executors or find_by_email(EXECUTOR_EMAIL):
        return
    department = plan.actions[0].executors[0]
    create_user(
        EXECUTOR_EMAIL, "Коваленко", "Оксана", "Петрівна", organisation=department, password=DEMO_PASSWORD
    )


def _import_plan(owner: Organisation) -> None:
    importer = PlanImporter(CODE, TITLE, owner, 2021, 2025)
    checked = importer.read((DATA / "zhytomyr-2021-2025.csv").read_bytes())
    if checked.errors:
        raise click.ClickException(f"zhytomyr-2021-2025.csv: {checked.errors[:5]}")
    plan = importer.apply(checked)
    services.add_indicator(
        plan.actions[0],
        "Кількість отриманих сертифікатів (державні службовці, посадові особи місцевого самоврядування, "
        "працівники освіти, медичні працівники)",
        IndicatorKind.COMPUTED.value,
        "certificates.all",
        {"target_groups": COUNTED_GROUPS, "region": "owner"},
    )  # the decree sets no targets, so none are made up here
