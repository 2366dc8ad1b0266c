"""Off-hours schedules read from the templates: how many nodes each node group runs through a week.

The CostOptimizationStack scales node groups with EventBridge Scheduler calls to
eks:UpdateNodegroupConfig. The estimate follows those calls, not a usage-file guess: a group
that goes to zero at night (staging's Spot group) costs nothing at night.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from genai_infra.cost.catalog import CostError

UPDATE_NODEGROUP_TARGET = "arn:aws:scheduler:::aws-sdk:eks:updateNodegroupConfig"
WEEK_HOURS = 168
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")  # EventBridge numbers them 1-7 from Sunday


@dataclass(frozen=True)
class ScaleEvent:
    cron: str
    desired: int


def _days(field: str, cron: str) -> list[int]:
    """Days of the week (0 = Sunday) of a day-of-week field: *, ?, names, numbers 1-7, ranges, lists."""
    if field in ("*", "?"):
        return list(range(7))

    def day(token: str) -> int:
        if token.upper() in _DAYS:
            return _DAYS.index(token.upper())
        if token.isdigit() and 1 <= int(token) <= 7:
            return int(token) - 1
        raise CostError(f"the schedule {cron} has a day-of-week the estimator cannot read ({token}).")

    days: list[int] = []
    for part in field.split(","):
        if "-" in part:
            first, last = (day(token) for token in part.split("-", 1))
            days += list(range(first, last + 1))
        else:
            days.append(day(part))
    return days


def _week_minutes(cron: str) -> list[int]:
    """Minutes of the week (0 = Sunday 00:00) at which a weekly cron expression fires."""
    fields = cron.removeprefix("cron(").removesuffix(")").split()
    if len(fields) != 6 or not fields[0].isdigit() or not all(p.isdigit() for p in fields[1].split(",")):
        raise CostError(f"the schedule {cron} is not a fixed-time weekly cron the estimator can read.")
    if fields[2] not in ("?", "*") or fields[3] != "*":
        raise CostError(f"the schedule {cron} depends on the day of the month; the estimator reads weekly crons only.")
    minute = int(fields[0])
    return sorted(
        day * 1440 + int(hour) * 60 + minute for day in _days(fields[4], cron) for hour in fields[1].split(",")
    )


def weekly_node_hours(events: list[ScaleEvent]) -> float:
    """Node-hours a week: between two calls the group runs the desired size the earlier one set."""
    fired = sorted((at, event.desired) for event in events for at in _week_minutes(event.cron))
    if not fired:
        return 0.0
    total = 0.0
    for index, (at, desired) in enumerate(fired):
        following = fired[index + 1][0] if index + 1 < len(fired) else fired[0][0] + WEEK_HOURS * 60
        total += desired * (following - at) / 60
    return total


def weekly_hours(scale_down: str, scale_up: str) -> float:
    """Hours a week between each scale-down and the next scale-up (the off-hours)."""
    return WEEK_HOURS - weekly_node_hours([ScaleEvent(scale_down, 0), ScaleEvent(scale_up, 1)])


def node_schedules(templates: Mapping[str, Mapping[str, Any]]) -> dict[str, list[ScaleEvent]]:
    """{node group name: its scale events} from the Scheduler schedules of one region's templates."""
    found: dict[str, list[ScaleEvent]] = {}
    for template in templates.values():
        for body in template.get("Resources", {}).values():
            if body.get("Type") != "AWS::Scheduler::Schedule":
                continue
            props = body.get("Properties", {})
            target = props.get("Target", {})
            if target.get("Arn") != UPDATE_NODEGROUP_TARGET or not isinstance(target.get("Input"), str):
                continue
            request = json.loads(target["Input"])
            cron = props.get("ScheduleExpression")
            if not isinstance(cron, str):
                raise CostError(f"the off-hours schedule of {request.get('nodegroupName')} has no literal expression.")
            found.setdefault(str(request["nodegroupName"]), []).append(
                ScaleEvent(cron, int(request["scalingConfig"]["desiredSize"]))
            )
    return found
