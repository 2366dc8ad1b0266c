"""Build the validated configuration from its layers, read and merged by pydantic-settings.

The layers, highest first (a layer sets only the keys it names; a higher one wins key by key):

    --set dotted.key=value        repeatable, the last one wins (cdk: -c set="a.b=1;c.d=2")
    GENAI_INFRA_A__B=value        environment variables, nested with __, read like `--set a.b=value`
    --config FILE.toml            (cdk: -c config=FILE.toml)
    ./genai-infra.toml            the conventional file, in the working directory, when there is one
    defaults.py                   the environment matrix

The layers are merged and validated once, as one model, so a value from any layer is checked
exactly like a default. Every problem becomes a `ConfigError` with one sentence that says what to fix.
"""

from __future__ import annotations

import difflib
import json
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    InitSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from genai_infra.config.defaults import DEFAULTS
from genai_infra.config.environment import EnvironmentConfig
from genai_infra.config.project import ProjectConfig

# Only variables that name a top-level setting (GENAI_INFRA_PROJECT, _TAGS__…, _DNS__…, _CI__…,
# _ENVIRONMENTS__…) are configuration; the tools' own GENAI_INFRA_CDK, _CHECKOV and _WORKERS are not.
ENV_PREFIX = "GENAI_INFRA_"
ENV_NESTING = "__"
# Found by convention in the working directory (where cdk.json is), like cdk.json itself.
CONVENTIONAL_FILE = Path("genai-infra.toml")


class ConfigError(ValueError):
    """A configuration the project refuses; the message is one sentence for the user."""


class ProjectSettings(BaseSettings, ProjectConfig):
    """ProjectConfig as pydantic-settings reads its variables and merges its layers."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_NESTING,
        # Keys in files and --set are exact; variable names are matched without case (EnvSettingsSource below).
        case_sensitive=True,
        frozen=True,
        extra="forbid",
        allow_inf_nan=False,
        validate_default=False,
    )


@dataclass(frozen=True)
class Layer:
    """One layer's settings, and what `config show` calls it."""

    source: str  # --set, env, --config, genai-infra.toml or default
    data: dict[str, Any]
    # Values read like --set (`1.36` is a number), with the text as written: a text setting takes the text.
    texts: dict[tuple[str, ...], str] = field(default_factory=dict)


def config_variables(environ: Mapping[str, str]) -> list[str]:
    """The names in `environ` that are configuration (a GENAI_INFRA_ prefix and a top-level setting)."""
    names = [f"{ENV_PREFIX}{name}".upper() for name in ProjectConfig.model_fields]
    return [key for key in environ if any(key.upper() == n or key.upper().startswith(n + ENV_NESTING) for n in names)]


def variable_name(keys: Sequence[str]) -> str:
    return ENV_PREFIX + ENV_NESTING.join(keys).upper()


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


def _nested(keys: Sequence[str], value: Any) -> dict[str, Any]:
    nested: dict[str, Any] = {keys[-1]: value}
    for key in reversed(keys[:-1]):
        nested = {key: nested}
    return nested


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
    return _nested(keys, value)


def _assignment_layer(assignment: str) -> Layer:
    path, _, raw = assignment.partition("=")
    keys = tuple(key for key in path.strip().split(".") if key)
    return Layer("--set", parse_assignment(assignment), {keys: raw.strip()})


def _read_like_set(data: Mapping[str, Any], path: tuple[str, ...], texts: dict[tuple[str, ...], str]) -> dict[str, Any]:
    """The variables' text values read as --set reads its values (pydantic-settings decoded lists already)."""
    read: dict[str, Any] = {}
    for key, value in data.items():
        where = (*path, key)
        if isinstance(value, Mapping):
            read[key] = _read_like_set(value, where, texts)
        elif isinstance(value, str):
            texts[where] = value
            try:
                read[key] = _parse_value(value)
            except ConfigError as error:
                raise ConfigError(f"environment variable {variable_name(where)}: {error}") from None
        else:
            read[key] = value
    return read


def _variables_layer() -> Layer:
    # Variable names are matched without case (shells write them upper case), then lower-cased.
    source = EnvSettingsSource(ProjectSettings, case_sensitive=False)
    try:
        data = source()
    except SettingsError:
        raise ConfigError(
            f"environment variable {_undecodable(source)} is not valid JSON, which a list or table setting needs "
            '(such as ["t3.large"] or {"key": "value"}); fix or unset it.'
        ) from None
    texts: dict[tuple[str, ...], str] = {}
    return Layer("env", _read_like_set(data, (), texts), texts)


def _undecodable(source: EnvSettingsSource) -> str:
    """The variable pydantic-settings could not decode, found by reading the variables one at a time."""
    variables = dict(source.env_vars)
    for name, value in variables.items():
        source.env_vars = {name: value}
        try:
            source()
        except SettingsError:
            return name.upper()
    return f"{ENV_PREFIX}*"


def _file_layer(path: Path, source: str) -> Layer:
    if not path.exists():
        raise ConfigError(f"configuration file {path} does not exist; check the path.")
    if path.is_dir():
        raise ConfigError(f"configuration file {path} is a folder; name a TOML file in it.")
    try:
        data = TomlConfigSettingsSource(ProjectSettings, toml_file=path)()
    except UnicodeDecodeError:
        raise ConfigError(f"configuration file {path} is not text (UTF-8); name a TOML file.") from None
    except OSError as error:
        raise ConfigError(f"configuration file {path} cannot be read ({error.strerror or error}).") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"configuration file {path} is not valid TOML ({error}).") from None
    return Layer(source, data)


def read_layers(config_file: str | Path | None = None, overrides: Iterable[str] = ()) -> list[Layer]:
    """Every layer of the configuration, highest first."""
    layers = [_assignment_layer(assignment) for assignment in reversed(list(overrides))]
    layers.append(_variables_layer())
    if config_file:
        layers.append(_file_layer(Path(config_file), "--config"))
    if CONVENTIONAL_FILE.exists():
        layers.append(_file_layer(CONVENTIONAL_FILE, CONVENTIONAL_FILE.name))
    layers.append(Layer("default", DEFAULTS))
    return layers


def _validated(layers: Sequence[Layer]) -> ProjectConfig:
    sources = tuple(InitSettingsSource(ProjectSettings, init_kwargs=layer.data) for layer in layers)
    # pydantic-settings merges the layers (a higher one wins, key by key) and validates the result
    # with ProjectConfig's own validators; `_build_sources` hands it the layers this call read.
    settings = ProjectSettings(_build_sources=(sources, {}))
    # The same fields, already validated by the same validators: hand them over as the plain ProjectConfig.
    return ProjectConfig.model_construct(settings.model_fields_set, **dict(settings))


def load_config(config_file: str | Path | None = None, overrides: Iterable[str] = ()) -> ProjectConfig:
    """Defaults, genai-infra.toml, the --config file, GENAI_INFRA_* variables and --set, validated as one model."""
    layers = read_layers(config_file, overrides)
    try:
        return _validated(layers)
    except ValidationError as error:
        # `kubernetes_version=1.36` reads as a number; where the setting is text, the text was meant.
        retyped = _as_text(error, layers)
        if retyped is None:
            raise ConfigError(_describe(error, layers)) from None
        layers = retyped
    try:
        return _validated(layers)
    except ValidationError as error:
        raise ConfigError(_describe(error, layers)) from None


def _lookup(data: Mapping[str, Any], keys: Sequence[str]) -> tuple[bool, Any]:
    value: Any = data
    for key in keys:
        if not isinstance(value, Mapping) or key not in value:
            return False, None
        value = value[key]
    return True, value


def _as_text(error: ValidationError, layers: list[Layer]) -> list[Layer] | None:
    """The layers with the text as written where a text setting refused a value read as a number or boolean."""
    changed = False
    layers = list(layers)
    for problem in error.errors():
        if problem["type"] != "string_type":
            continue
        keys = tuple(str(part) for part in problem["loc"])
        for index, layer in enumerate(layers):
            if _lookup(layer.data, keys)[0]:  # the highest layer that sets the key gave the value
                if keys in layer.texts:
                    layers[index] = Layer(layer.source, _replaced(layer.data, keys, layer.texts[keys]), layer.texts)
                    changed = True
                break
    return layers if changed else None


def _replaced(data: Mapping[str, Any], keys: Sequence[str], value: Any) -> dict[str, Any]:
    """A copy of `data` with the value at `keys` replaced (the layer itself is never changed)."""
    copy = dict(data)
    copy[keys[0]] = _replaced(data[keys[0]], keys[1:], value) if len(keys) > 1 else value
    return copy


def _known_keys(model: type[BaseModel] = ProjectConfig, found: set[str] | None = None) -> set[str]:
    """Every setting name of the configuration models, for "did you mean" on a misspelt key."""
    found = set() if found is None else found
    for name, info in model.model_fields.items():
        found.add(name)
        for part in get_args(info.annotation) or (info.annotation,):
            for inner in get_args(part) or (part,):
                if isinstance(inner, type) and issubclass(inner, BaseModel) and inner.__name__ not in found:
                    found.add(inner.__name__)
                    _known_keys(inner, found)
    return found


def _implicit_source(keys: Sequence[str], layers: Sequence[Layer]) -> str | None:
    """The variable or conventional file that set `keys`, which the command line does not show."""
    setting = [layer for layer in layers if _lookup(layer.data, keys)[0]]
    if not setting or setting[0].source not in ("env", CONVENTIONAL_FILE.name):
        return None
    if len(setting) > 1 and isinstance(_lookup(setting[0].data, keys)[1], Mapping):
        return None  # a table several layers fill in; no one layer is to blame
    return variable_name(keys) if setting[0].source == "env" else CONVENTIONAL_FILE.name


def _one(problem: Mapping[str, Any], layers: Sequence[Layer]) -> str:
    keys = [str(part) for part in problem["loc"]]
    where = ".".join(keys)
    message = str(problem["msg"]).removeprefix("Value error, ")
    if problem["type"] == "extra_forbidden":
        message = "is not a known setting; check its spelling against genai-infra config schema"
        close = difflib.get_close_matches(keys[-1], sorted(_known_keys()), n=1)
        if close:
            message += f" (did you mean {close[0]!r}?)"
    source = _implicit_source(keys, layers) if keys else None
    if source:
        where += f" (set by {source})"
    return f"{where or 'top level'}: {message}".rstrip(".")


def _unknown_environments(errors: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[Mapping[str, Any]]]:
    """An `environments.<name>` that is none of the known environments, given only some settings, is
    most often a misspelt name: one sentence for it, instead of every field a new environment lacks."""
    known = list(DEFAULTS["environments"])
    missing: dict[str, list[str]] = {}
    rest: list[Mapping[str, Any]] = []
    for problem in errors:
        loc = problem["loc"]
        if problem["type"] == "missing" and len(loc) == 3 and loc[0] == "environments" and loc[1] not in known:
            missing.setdefault(str(loc[1]), []).append(str(loc[2]))
        else:
            rest.append(problem)
    sentences = []
    for name, fields in missing.items():
        close = difflib.get_close_matches(name, known, n=1)
        guess = f"; did you mean {close[0]!r}?" if close else "."
        sentences.append(
            f"environments.{name}: not one of the environments ({', '.join(known)}){guess} "
            f"A new environment also needs {', '.join(fields)}"
        )
    return sentences, rest


def _describe(error: ValidationError, layers: Sequence[Layer]) -> str:
    """Every problem at once, so one run shows all there is to fix."""
    unknown, rest = _unknown_environments(error.errors())
    problems = unknown + [_one(problem, layers) for problem in rest]
    if len(problems) == 1:
        return f"invalid configuration at {problems[0]}."
    return f"invalid configuration at {problems[0]}; and {len(problems) - 1} more: " + "; ".join(problems[1:]) + "."


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
