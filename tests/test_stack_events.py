"""The deploy progress's CloudFormation events (genai_infra.stack_events) against moto's DescribeStackEvents."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from genai_infra.stack_events import EventsUnavailableError, StackEventPoller, cloudformation_clients

REGION = "ap-northeast-1"
NAME = "genai-demo-development-SecurityStack"


def template(stack: str, value: str = "1") -> str:
    """One SSM parameter per stack (moto's stack events are the stack's own; it has no resource events)."""
    parameter = {"Name": f"/genai-demo/progress-test/{stack}", "Type": "String", "Value": value}
    return json.dumps({"Resources": {"Marker": {"Type": "AWS::SSM::Parameter", "Properties": parameter}}})


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "moto-test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "moto-test-secret")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws(config={"core": {"mock_credentials": False}}):
        yield boto3.Session()


def seen(events: list[Any]) -> list[tuple[str, str, str, str]]:
    return [(e.stack_name, e.logical_id, e.status, e.reason) for e in events]


def test_the_events_of_a_stack_come_in_order_and_once(session: Any) -> None:
    cloudformation = session.client("cloudformation", region_name=REGION)
    poller = StackEventPoller(cloudformation_clients(session)(REGION), REGION, [NAME])
    poller.start()  # the stack does not exist yet: nothing to take as seen
    assert poller.poll() == []
    cloudformation.create_stack(StackName=NAME, TemplateBody=template(NAME))
    created = poller.poll()
    assert seen(created) == [
        (NAME, NAME, "CREATE_IN_PROGRESS", "User Initiated"),
        (NAME, NAME, "CREATE_COMPLETE", ""),
    ]
    assert created[0].text == f"CREATE_IN_PROGRESS AWS::CloudFormation::Stack {NAME} User Initiated"
    assert all(event.of_the_stack for event in created)
    assert poller.poll() == []  # each event once
    cloudformation.update_stack(StackName=NAME, TemplateBody=template(NAME, "2"))
    assert seen(poller.poll()) == [
        (NAME, NAME, "UPDATE_IN_PROGRESS", "User Initiated"),
        (NAME, NAME, "UPDATE_COMPLETE", ""),
    ]
    # A deleted stack has no name any more; the poller follows its stack id.
    cloudformation.delete_stack(StackName=NAME)
    assert seen(poller.poll()) == [
        (NAME, NAME, "DELETE_IN_PROGRESS", "User Initiated"),
        (NAME, NAME, "DELETE_COMPLETE", ""),
    ]
    assert poller.poll() == []


def test_only_what_happens_after_the_start_and_only_in_its_region(session: Any) -> None:
    tokyo = session.client("cloudformation", region_name=REGION)
    tokyo.create_stack(StackName=NAME, TemplateBody=template(NAME))  # an earlier deployment
    other = "genai-demo-development-NetworkStack"
    poller = StackEventPoller(cloudformation_clients(session)(REGION), REGION, [NAME, other])
    poller.start()
    virginia = session.client("cloudformation", region_name="us-east-1")
    virginia.create_stack(StackName=other, TemplateBody=template(other))
    assert poller.poll() == []  # the earlier events are not this run's; us-east-1 is another region
    tokyo.create_stack(StackName=other, TemplateBody=template(other))
    tokyo.update_stack(StackName=NAME, TemplateBody=template(NAME, "2"))
    assert [(stack, status) for stack, _, status, _ in seen(poller.poll())] == [
        (other, "CREATE_IN_PROGRESS"),
        (other, "CREATE_COMPLETE"),
        (NAME, "UPDATE_IN_PROGRESS"),
        (NAME, "UPDATE_COMPLETE"),
    ]


class Paged:
    """DescribeStackEvents in pages of two, newest first, counting the calls (moto answers in one page)."""

    def __init__(self, statuses: list[str]) -> None:
        self.events = [self.event(i, status) for i, status in enumerate(statuses)]
        self.calls = 0

    @staticmethod
    def event(number: int, status: str) -> dict[str, Any]:
        return {
            "EventId": f"event-{number}",
            "StackName": NAME,
            "StackId": f"{REGION}/{NAME}",
            "LogicalResourceId": "Aurora",
            "ResourceType": "AWS::RDS::DBCluster",
            "ResourceStatus": status,
            "Timestamp": datetime(2026, 1, 1, 10, 0, number, tzinfo=UTC),
        }

    def describe_stack_events(self, **request: str) -> dict[str, Any]:
        self.calls += 1
        newest_first = self.events[::-1]
        start = int(request.get("NextToken", "0"))
        page: dict[str, Any] = {"StackEvents": newest_first[start : start + 2]}
        if start + 2 < len(newest_first):
            page["NextToken"] = str(start + 2)
        return page


def test_pages_are_read_until_the_first_event_already_seen() -> None:
    client = Paged(["CREATE_IN_PROGRESS", "CREATE_COMPLETE", "UPDATE_IN_PROGRESS"])
    poller = StackEventPoller(client, REGION, [NAME])
    poller.start()
    assert client.calls == 1  # the newest page is enough to know where this run starts
    later = ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"]
    client.events += [client.event(number, status) for number, status in enumerate(later, start=3)]
    assert [e.status for e in poller.poll()] == later
    assert client.calls == 3  # two pages held the three new events; the second ended at a seen one
    assert poller.poll() == []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_without_credentials_or_an_endpoint_the_events_are_unavailable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in [key for key in os.environ if key.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    poller = StackEventPoller(cloudformation_clients(boto3.Session())(REGION), REGION, [NAME])
    with pytest.raises(EventsUnavailableError, match=rf"^DescribeStackEvents in {REGION} failed \(Unable to locate"):
        poller.start()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "unused-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "unused-secret")
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    poller = StackEventPoller(cloudformation_clients(boto3.Session())(REGION), REGION, [NAME])
    with pytest.raises(EventsUnavailableError, match=rf"^DescribeStackEvents in {REGION} failed \(Could not connect"):
        poller.start()
