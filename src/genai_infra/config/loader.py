"""Build the validated configuration from the defaults, an optional TOML file and key=value pairs.

Overrides are merged into the defaults before validation, so an override is checked exactly like
a default. Every problem becomes a `ConfigError` with one sentence that says what to fix.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from genai_infra.config.defaults import DEFAULTS
from genai_infra.config.environment import EnvironmentConfig
from genai_infra.config.project import ProjectConfig


class ConfigError(ValueError):
    """A configuration the project refuses; the message is one sentence for the user."""


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def _not_finite(text: str) -> float:
    raise ConfigError(f"{text} is not a finite number; give a number such as 900 or 0.5.")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 overflows to infinity
        _not_finite(text)
    return value


def _parse_value(text: str) -> Any:
    """`3` -> 3, `true` -> True, `["t3.large"]` -> list; anything else stays a string. NaN and Infinity are refused."""
    if text.strip().lower().lstrip("+-") in ("nan", "inf", "infinity"):
        _not_finite(text)
    try:
        return json.loads(text, parse_constant=_not_finite, parse_float=_finite)
    except json.JSONDecodeError:
        return text


def parse_assignment(assignment: str) -> dict[str, Any]:
    """Turn `environments.production.budget.monthly_limit_usd=900` into a nested mapping."""
    path, sep, raw = assignment.partition("=")
    keys = [key for key in path.strip().split(".") if key]
    if not sep or not keys:
        raise ConfigError(f"override {assignment!r} is not of the form dotted.key=value.")
    try:
        value = _parse_value(raw.strip())
    except ConfigError as error:
        raise ConfigError(f"override {assignment!r}: {error}") from None
    nested: dict[str, Any] = {keys[-1]: value}
    for key in reversed(keys[:-1]):
        nested = {key: nested}
    return nested


def _known_keys(model: type[BaseModel] = ProjectConfig, found: set[str] | None = None) -> set[str]:
    """Every setting name of the configuration models, for "did you mean" on a misspelt key."""
    found = set() if found is None else found
    for name, field in model.model_fields.items():
        found.add(name)
        for part in get_args(field.annotation) or (field.annotation,):
            for inner in get_args(part) or (part,):
                if isinstance(inner, type) and issubclass(inner, BaseModel) and inner.__name__ not in found:
                    found.add(inner.__name__)
                    _known_keys(inner, found)
    return found


def _one(problem: Mapping[str, Any]) -> str:
    where = ".".join(str(part) for part in problem["loc"])
    message = str(problem["msg"]).removeprefix("Value error, ")
    if problem["type"] == "extra_forbidden":
        message = "is not a known setting; check its spelling against genai_infra/config/model.py"
        close = difflib.get_close_matches(str(problem["loc"][-1]), sorted(_known_keys()), n=1)
        if close:
            message += f" (did you mean {close[0]!r}?)"
    return f"{where or 'top level'}: {message}".rstrip(".")


def _describe(error: ValidationError) -> str:
    """Every problem at once, so one run shows all there is to fix."""
    problems = [_one(problem) for problem in error.errors()]
    if len(problems) == 1:
        return f"invalid configuration at {problems[0]}."
    return f"invalid configuration at {problems[0]}; and {len(problems) - 1} more: " + "; ".join(problems[1:]) + "."


def load_config(config_file: str | Path | None = None, overrides: Iterable[str] = ()) -> ProjectConfig:
    """Defaults, then the TOML file, then each `key=value` override, validated as one model."""
    data = copy.deepcopy(DEFAULTS)
    if config_file:
        path = Path(config_file)
        try:
            _merge(data, tomllib.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise ConfigError(f"configuration file {path} does not exist; check the path.") from None
        except IsADirectoryError:
            raise ConfigError(f"configuration file {path} is a folder; name a TOML file in it.") from None
        except UnicodeDecodeError:
            raise ConfigError(f"configuration file {path} is not text (UTF-8); name a TOML file.") from None
        except OSError as error:
            raise ConfigError(f"configuration file {path} cannot be read ({error.strerror or error}).") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"configuration file {path} is not valid TOML ({error}).") from None
    assignments = list(overrides)
    for assignment in assignments:
        _merge(data, parse_assignment(assignment))
    try:
        return ProjectConfig.model_validate(data)
    except ValidationError as error:
        # `kubernetes_version=1.36` reads as a number; where the setting is text, the text was meant.
        texts = _as_text(error, assignments)
        if not texts:
            raise ConfigError(_describe(error)) from None
        for keys, raw in texts:
            _merge(data, _nested(keys, raw))
    try:
        return ProjectConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_describe(error)) from None


def _nested(keys: list[str], value: Any) -> dict[str, Any]:
    nested: dict[str, Any] = {keys[-1]: value}
    for key in reversed(keys[:-1]):
        nested = {key: nested}
    return nested


def _as_text(error: ValidationError, assignments: list[str]) -> list[tuple[list[str], str]]:
    """The overrides a string setting refused as a number or boolean, with their text as written."""
    found = []
    for problem in error.errors():
        if problem["type"] != "string_type":
            continue
        location = [str(part) for part in problem["loc"]]
        for assignment in assignments:
            path, _, raw = assignment.partition("=")
            if [key for key in path.strip().split(".") if key] == location:
                found.append((location, raw.strip()))
    return found


def select_environment(config: ProjectConfig, name: str | None) -> EnvironmentConfig:
    known = ", ".join(config.environments)
    if not name:
        raise ConfigError(f"no environment given; pass one of {known} (for cdk: -c environment=NAME).")
    if name not in config.environments:
        raise ConfigError(f"unknown environment {name!r}; use one of {known}.")
    return config.environments[name]


def select_region(environment: EnvironmentConfig, region: str | None) -> str:
    """The requested region of the environment, or its primary region when none is given."""
    if not region:
        return environment.primary_region
    if region not in environment.target_regions:
        raise ConfigError(
            f"region {region} is not a region of {environment.name}; use one of "
            f"{', '.join(environment.target_regions)}."
        )
    return region
