"""Configuration: the only place environment differences live. Pure Python, no jsii."""

from genai_infra.config.environment import EnvironmentConfig, RegionConfig
from genai_infra.config.loader import ConfigError, load_config, select_environment, select_region
from genai_infra.config.project import ProjectConfig

__all__ = [
    "ConfigError",
    "EnvironmentConfig",
    "ProjectConfig",
    "RegionConfig",
    "load_config",
    "select_environment",
    "select_region",
]
