"""CloudFormation stack events of the stacks being deployed, as they happen (boto3, no jsii).

`deploy` and `destroy` show their progress from CloudFormation itself (DescribeStackEvents in
the region of the running wave, with the credentials and profile the command checked), not
from the CDK CLI's text. A poller remembers the newest events a stack already had when the wave
started, so only what this run causes is reported, each event once and oldest first. A stack
that does not exist yet has no events; one that was deleted is followed by its stack id.
When the events cannot be read (no credentials, no permission, the API unreachable), the poller
raises EventsUnavailableError and the caller goes on without them: progress never fails a deployment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

STACK_TYPE = "AWS::CloudFormation::Stack"

# region -> a CloudFormation client (boto3's, from the checked session; a fake in tests)
ClientFactory = Callable[[str], Any]


class EventsUnavailableError(Exception):
    """The events of a stack could not be read; the message says why, in one sentence."""


@dataclass(frozen=True)
class StackEvent:
    event_id: str
    stack_name: str
    stack_id: str
    logical_id: str
    resource_type: str
    status: str
    reason: str
    timestamp: datetime

    @property
    def of_the_stack(self) -> bool:
        """An event of the stack itself (not of one of its resources)."""
        return self.resource_type == STACK_TYPE and self.logical_id == self.stack_name

    @property
    def text(self) -> str:
        return " ".join(part for part in (self.status, self.resource_type, self.logical_id, self.reason) if part)


def cloudformation_clients(session: Any) -> ClientFactory:
    """Clients of the caller's session (its profile), with short timeouts: progress must not hold a deployment up."""
    from botocore.config import Config

    config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=3, read_timeout=10)
    return lambda region: session.client("cloudformation", region_name=region, config=config)


def _event(raw: dict[str, Any]) -> StackEvent:
    return StackEvent(
        event_id=str(raw["EventId"]),
        stack_name=str(raw["StackName"]),
        stack_id=str(raw["StackId"]),
        logical_id=str(raw.get("LogicalResourceId", "")),
        resource_type=str(raw.get("ResourceType", "")),
        status=str(raw.get("ResourceStatus", "")),
        reason=" ".join(str(raw.get("ResourceStatusReason") or "").split()),
        timestamp=raw["Timestamp"],
    )


class StackEventPoller:
    """New events of some stacks of one region, oldest first, each reported once."""

    def __init__(self, client: Any, region: str, stack_names: Sequence[str]) -> None:
        self._client = client
        self._region = region
        self._names = tuple(stack_names)
        self._seen: set[str] = set()
        self._stack_ids: dict[str, str] = {}

    def start(self) -> None:
        """Take what each stack already had as seen (only its newest page: reading stops at the first seen event)."""
        for name in self._names:
            for event in self._newest_first(name):
                self._seen.add(event.event_id)
                self._stack_ids.setdefault(name, event.stack_id)

    def poll(self) -> list[StackEvent]:
        """The events of the stacks since the last call, oldest first (across the stacks by time)."""
        fresh: list[StackEvent] = []
        for name in self._names:
            new: list[StackEvent] = []
            for event in self._newest_first(name, every_page=True):
                if event.event_id in self._seen:
                    break
                new.append(event)
            if new:
                self._stack_ids[name] = new[0].stack_id
                self._seen.update(event.event_id for event in new)
                fresh.extend(reversed(new))
        return sorted(fresh, key=lambda event: event.timestamp)

    def _newest_first(self, name: str, every_page: bool = False) -> Iterator[StackEvent]:
        """DescribeStackEvents of the live stack of that name, else of the stack id seen last (a deleted stack)."""
        for stack in (name, self._stack_ids.get(name)):
            if stack is None:
                return
            token: str | None = None
            try:
                while True:
                    page = self._call(stack, token)
                    yield from (_event(raw) for raw in page.get("StackEvents", []))
                    token = page.get("NextToken")
                    if not token or not every_page:
                        return
            except _NoSuchStackError:
                continue

    def _call(self, stack: str, token: str | None) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            page: dict[str, Any] = self._client.describe_stack_events(
                StackName=stack, **({"NextToken": token} if token else {})
            )
        except ClientError as error:
            details = error.response.get("Error", {})
            if details.get("Code") == "ValidationError" and "does not exist" in str(details.get("Message", "")):
                raise _NoSuchStackError from None
            raise EventsUnavailableError(
                f"CloudFormation refused DescribeStackEvents in {self._region} ({details.get('Code', 'an error')})"
            ) from None
        except BotoCoreError as error:
            raise EventsUnavailableError(f"DescribeStackEvents in {self._region} failed ({error})") from None
        return page


class _NoSuchStackError(Exception):
    """The stack name or id has no stack (yet, or any more)."""
