"""The whole configuration: project-wide settings and every environment."""

from __future__ import annotations

from pydantic import model_validator

from genai_infra.config.access import CiConfig
from genai_infra.config.edge import DnsConfig
from genai_infra.config.environment import EnvironmentConfig
from genai_infra.config.fields import Frozen


class TagsConfig(Frozen):
    """The required tags of the specification's cost section (Environment is added per environment)."""

    project: str = "genai-demo"
    owner: str = "platform-team"
    cost_center: str = "engineering"
    managed_by: str = "cdk"


class ProjectConfig(Frozen):
    project: str = "genai-demo"
    tags: TagsConfig = TagsConfig()
    dns: DnsConfig = DnsConfig()
    ci: CiConfig = CiConfig()
    environments: dict[str, EnvironmentConfig]

    @model_validator(mode="after")
    def _names_match(self) -> ProjectConfig:
        for key, environment in self.environments.items():
            if key != environment.name:
                raise ValueError(f"environment key {key!r} does not match its name {environment.name!r}")
            if not (environment.domain == self.dns.zone_name or environment.domain.endswith("." + self.dns.zone_name)):
                raise ValueError(
                    f"domain {environment.domain} of {key} is not inside the hosted zone {self.dns.zone_name}"
                )
        qualifiers = [environment.bootstrap_qualifier for environment in self.environments.values()]
        for qualifier in sorted({q for q in qualifiers if qualifiers.count(q) > 1}):
            sharing = " and ".join(e.name for e in self.environments.values() if e.bootstrap_qualifier == qualifier)
            raise ValueError(
                f"{sharing} share the bootstrap qualifier {qualifier!r}; give each environment its own "
                "(decision S6), or one environment's deploy role reaches the other's bootstrap roles"
            )
        return self
