"""The layering rules a newcomer relies on: no import circle in the CLI, no arrow up from constructs to stacks."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "genai_infra"


def imported_modules(path: Path) -> set[str]:
    """Every genai_infra module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("genai_infra")}


CLI_MODULES = sorted(p for p in (PACKAGE / "cli").glob("*.py") if p.name not in ("__init__.py", "main.py"))


@pytest.mark.parametrize("path", CLI_MODULES, ids=lambda p: p.name)
def test_no_command_module_imports_the_application(path: Path) -> None:
    assert "genai_infra.cli.main" not in imported_modules(path)


def test_main_only_assembles_the_application() -> None:
    source = (PACKAGE / "cli" / "main.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    functions = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    # The entry point, its Ctrl-C handler and the top-level --version option; no command.
    assert sorted(functions) == ["_on_interrupt", "_options", "_version", "main"]
    from genai_infra.cli import main

    callbacks = [info.callback for info in main.app.registered_commands]
    assert callbacks
    assert all(callback is not None and callback.__module__ != main.__name__ for callback in callbacks)


def test_the_shared_cli_module_imports_no_command() -> None:
    commands = {f"genai_infra.cli.{p.stem}" for p in CLI_MODULES if p.stem not in ("common", "options")}
    assert not imported_modules(PACKAGE / "cli" / "common.py") & commands


@pytest.mark.parametrize("path", sorted((PACKAGE / "constructs").rglob("*.py")), ids=lambda p: p.name)
def test_constructs_import_nothing_from_stacks(path: Path) -> None:
    assert not {name for name in imported_modules(path) if name.startswith("genai_infra.stacks")}


CONFIG_AREAS = ("network", "compute", "workload", "data", "platform", "edge", "cost", "access", "stack_set")


@pytest.mark.parametrize("area", CONFIG_AREAS)
def test_a_configuration_area_imports_no_other_area(area: str) -> None:
    """Areas stand side by side on the shared field types; only environment.py and project.py join them."""
    above = {f"genai_infra.config.{name}" for name in (*CONFIG_AREAS, "environment", "project", "model", "loader")}
    assert not imported_modules(PACKAGE / "config" / f"{area}.py") & above
