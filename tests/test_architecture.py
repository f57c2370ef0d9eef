"""The shape of the code: the core never depends on a plugin, ``courses`` never on ``certificates``;
tables are named for the package that owns them; core signals document what they send."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from blinker import NamedSignal

import lms
from lms import signals

ROOT = Path(lms.__file__).resolve().parent.parent
PACKAGES = ("lms", "courses", "certificates")
# package -> packages it must never import
FORBIDDEN = {"lms": {"courses", "certificates"}, "courses": {"certificates"}, "certificates": set()}
PREFIXES = {"lms": "lms_", "courses": "courses_", "certificates": "certificates_"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in ``source``, relative imports resolved."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level > len(package):
                    raise AssertionError(f"{module}:{node.lineno}: relative import beyond the top level")
                prefix = ".".join(package[: len(package) - node.level + 1])
            else:
                prefix = ""
            target = ".".join(part for part in (prefix, node.module or "") if part)
            if node.module:
                yield node.lineno, target
            for alias in node.names:  # "from x import y" may import the module x.y
                yield node.lineno, ".".join(part for part in (target, alias.name) if part)


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


# --- the checker itself -----------------------------------------------------------------------------


def test_the_import_reader_resolves_every_form_of_import():
    source = (
        "import courses\n"
        "import certificates.plugin as p\n"
        "from courses.views import bp\n"
        "from . import models\n"
        "from .. import certificates\n"
        "from ..courses import plugin\n"
        "def later():\n"
        "    import courses.plugin\n"
    )

    found = {name for _line, name in imported_modules(source, "lms.orgs.services")}

    assert {"courses", "certificates.plugin", "courses.views", "courses.plugin"} <= found
    # Relative imports resolve inside the package: they can never reach another top-level package.
    assert {"lms.orgs.models", "lms.certificates", "lms.courses.plugin"} <= found
    with pytest.raises(AssertionError, match="beyond the top level"):
        list(imported_modules("from .. import courses\n", "lms.pages"))
    top = {
        name
        for _line, name in imported_modules("from . import views\nfrom .plugin import X\n", "courses", True)
    }
    assert {"courses.views", "courses.plugin"} <= top


def test_every_package_has_python_files_and_imports_are_found():
    for package in PACKAGES:
        files = python_files(package)
        assert files, package
    names = {
        name
        for path in python_files("lms")
        for _line, name in imported_modules(path.read_text(), module_name(path))
    }
    assert "lms.extensions" in names and "flask" in names


# --- boundaries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("package", PACKAGES)
def test_packages_never_import_what_they_must_not_depend_on(package):
    problems = []
    for path in python_files(package):
        source = path.read_text(encoding="utf-8")
        is_package = path.name == "__init__.py"
        for line, name in imported_modules(source, module_name(path), is_package):
            if name.split(".")[0] in FORBIDDEN[package]:
                problems.append(f"{path.relative_to(ROOT)}:{line}: imports {name}")
    assert problems == []


@pytest.mark.parametrize("package", ["lms"])
def test_the_core_does_not_name_plugins_in_dynamic_imports(package):
    pattern = re.compile(r"""(import_module|__import__)\(\s*["'](courses|certificates)\b""")
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files(package)
        if pattern.search(path.read_text("utf-8"))
    ]
    assert offenders == []


# --- tables -------------------------------------------------------------------------------------------


def test_every_table_is_prefixed_by_its_package(app, db):
    tables = db.metadata.tables
    assert tables, "no tables registered"
    owners = {}
    for mapper in db.Model.registry.mappers:
        package = mapper.class_.__module__.split(".")[0]
        for table in mapper.tables:
            owners[table.name] = package
            assert package in PREFIXES, f"{mapper.class_.__name__} lives outside lms/courses/certificates"
            assert table.name.startswith(PREFIXES[package]), (
                f"{table.name} belongs to {mapper.class_.__module__} but is not prefixed {PREFIXES[package]}"
            )
    for name in tables:  # association tables too
        assert name.startswith(tuple(PREFIXES.values())), name
    assert owners.get("lms_organisation") == "lms"


def test_every_core_table_is_built_by_the_core_migrations(app, db):
    from sqlalchemy import inspect

    present = set(inspect(db.engine).get_table_names())
    assert {name for name in db.metadata.tables if name.startswith("lms_")} <= present


# --- signals ------------------------------------------------------------------------------------------


CORE_SIGNALS = {name: value for name, value in vars(signals).items() if isinstance(value, NamedSignal)}
KWARGS = re.compile(r"Kwargs:\s*(.+)", re.S)


def documented_kwargs(doc: str) -> set[str]:
    match = KWARGS.search(doc)
    assert match, doc
    text = re.sub(r"\([^)]*\)", "", match.group(1))  # drop explanations in brackets
    return {word for word in re.findall(r"[a-z_]+", text)}


@functools.cache
def sent_kwargs() -> dict[str, list[set[str]]]:
    """signal attribute -> the keyword sets of each ``signals.<name>.send(...)`` in the code."""
    sent: dict[str, list[set[str]]] = {}
    for package in PACKAGES:
        for path in python_files(package):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "send"
                    and isinstance(node.func.value, ast.Attribute)
                    and node.func.value.attr in CORE_SIGNALS
                ):
                    sent.setdefault(node.func.value.attr, []).append(
                        {kw.arg for kw in node.keywords if kw.arg}
                    )
    return sent


def test_there_are_core_signals():
    assert {"user_created", "role_granted", "organisation_created", "organisation_moved"} <= set(CORE_SIGNALS)


@pytest.mark.parametrize("name", sorted(CORE_SIGNALS))
def test_each_core_signal_has_a_docstring_naming_its_kwargs(name):
    signal = CORE_SIGNALS[name]
    doc = signal.__doc__ or ""

    assert "Kwargs:" in doc, f"{name} has no 'Kwargs:' in its docstring"
    assert signal.name.startswith("lms."), signal.name
    kwargs = documented_kwargs(doc)
    assert kwargs, name
    for keywords in sent_kwargs().get(name, []):
        assert keywords == kwargs, f"{name} is sent with {sorted(keywords)} but documents {sorted(kwargs)}"
