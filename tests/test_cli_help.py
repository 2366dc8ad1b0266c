"""Help and habits: -h, --version, completion, commands grouped in workflow order, an example in each
command's help, and README's command table naming only options the commands have."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from genai_infra.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
COMMANDS = [info.name for info in main.app.registered_commands]
WIDE = {"COLUMNS": "300", "TERM": "dumb"}


def help_of(*args: str) -> str:
    result = CliRunner().invoke(main.app, [*args, "-h"], env=WIDE)
    assert result.exit_code == 0, result.output
    return result.output


def test_version_and_completion() -> None:
    result = CliRunner().invoke(main.app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"genai-infra {version('genai-demo-infra')}\n"
    top = help_of()
    assert "--install-completion" in top
    assert "--show-completion" in top


def test_commands_are_grouped_offline_first_in_workflow_order() -> None:
    top = help_of()
    offline, aws = top.split(main.OFFLINE, 1)[1].split(main.NEEDS_AWS, 1)
    listed = [re.findall(r"^│ ([\w-]+) ", part, re.MULTILINE) for part in (offline, aws)]
    # Command groups (cost, with its diff and refresh-prices; config) follow the plain commands.
    assert listed == [
        ["list", "synth", "check", "checkov", "plan", "recovery", "manifests", "diagram", "cost", "config"],
        ["bootstrap", "deploy-role", "diff", "deploy", "validate", "failover", "destroy"],
    ]


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_an_example_and_no_bare_types(command: str) -> None:
    text = help_of(command)
    assert f"Example: genai-infra {command}" in text
    # Choices and names instead of <str>/<bool> (Typer's own --help flag aside).
    options = [line for line in text.splitlines() if "--" in line and "--help" not in line]
    assert not [line for line in options if "<bool>" in line], command


def test_format_choices_are_shown() -> None:
    assert "[table|json|sarif|junit]" in help_of("check")
    assert "[never|any-change|broadening]" in help_of("deploy")


def test_readme_names_only_options_the_commands_have() -> None:
    rows = [line for line in README.splitlines() if line.startswith("| `genai-infra ")]
    groups = [info.name for info in main.app.registered_groups]
    assert {row.split("`")[1].split()[1] for row in rows} == {*COMMANDS, *groups}
    for row in rows:
        usage = row.split("`")[1]
        # A group named with a sub-command (`config show`), or used as a command itself (`cost --env`).
        words = usage.split()
        command = words[1:3] if words[1] in groups and not words[2].startswith("-") else words[1:2]
        text = help_of(*command)
        for option in set(re.findall(r"--[a-z][a-z-]+", usage)):
            assert option in text, f"README names {option} for {command}"
