"""The demo's plan: the Zhytomyr region's plan of 2021–2025 (order No. 475 of 9 August 2021), its
actions as the decree gives them, imported from ``data/zhytomyr-2021-2025.csv`` through the plan
importer, like any decree's table. Executors are one per line or separated by semicolons, as the
importer reads them best; action 4 names the department «…цифрових технологій…», a slip of the
decree for the department every other action names, so the file names it as they do."""

from __future__ import annotations

from pathlib import Path

import click

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


def load_demo() -> None:
    """Import the Zhytomyr plan once (idempotent: nothing happens when it is there)."""
    owner = org_by_code(OWNER)
    if owner is None or services.by_code(CODE) is not None:
        return
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
