"""The progress of `deploy` and `destroy`: wave by wave, each stack's state and last CloudFormation event.

The events come from CloudFormation (genai_infra.stack_events: DescribeStackEvents in the wave's
region, with the command's session), polled while the CDK CLI runs. On a terminal a table of the
running wave is redrawn as they come; on a log (CI, a pipe) each event is one line. The CDK CLI's
own output is kept for what it alone knows: its verdict per stack and, when a wave fails, the
failing stack and its last error lines. When the events cannot be read, that is said once and the
run goes on without them.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rich.live import Live
from rich.table import Table

from genai_infra.cli import common
from genai_infra.cli.cdk_process import run_cdk
from genai_infra.deployment import Wave, cloudformation_name
from genai_infra.stack_events import ClientFactory, EventsUnavailableError, StackEvent, StackEventPoller

ERROR_MARKERS = ("FAILED", "ROLLBACK", "❌", "Error", "error:")
POLL_SECONDS = 2.0  # DescribeStackEvents per stack of the wave; CloudFormation takes minutes per stack
EVENT_WIDTH = 110  # of the last event in the table
STATE_STYLE = {"waiting": "dim", "running": "yellow", "done": "green", "failed": "red"}


@dataclass
class StackProgress:
    state: str = "waiting"
    event: str = ""


@dataclass
class StepOutcome:
    returncode: int
    lines: list[str] = field(default_factory=list)
    stacks: dict[str, StackProgress] = field(default_factory=dict)

    def failed_stack(self, wave: Wave) -> str:
        """The stack to name in the failure: one reported failed, else the first that did not finish."""
        for state in ("failed", "running", "waiting"):
            for stack in wave.stacks:
                if self.stacks[stack].state == state:
                    return stack
        return wave.stacks[0]

    def error_lines(self, limit: int = 12) -> list[str]:
        marked = [line for line in self.lines if any(marker in line for marker in ERROR_MARKERS)]
        return (marked or self.lines)[-limit:]


class EventFeed:
    """The CloudFormation events of each wave of one run, until they cannot be read (then said once)."""

    def __init__(self, clients: ClientFactory | None, note: Callable[[str], None]) -> None:
        self._clients = clients
        self._note = note

    def watch(self, wave: Wave) -> StackEventPoller | None:
        """A poller of the wave's stacks, their earlier events already taken as seen; None without events."""
        if self._clients is None:
            return None
        names = [cloudformation_name(wave, stack) for stack in wave.stacks]
        poller = StackEventPoller(self._clients(wave.region), wave.region, names)
        try:
            poller.start()
        except EventsUnavailableError as error:
            self._unavailable(str(error))
            return None
        return poller

    def read(self, poller: StackEventPoller | None) -> list[StackEvent]:
        if poller is None or self._clients is None:
            return []
        try:
            return poller.poll()
        except EventsUnavailableError as error:
            self._unavailable(str(error))
            return []

    def _unavailable(self, reason: str) -> None:
        self._clients = None
        self._note(
            f"[yellow]note:[/] no CloudFormation events for the progress from here on: {reason}; "
            "the run goes on, and the CDK CLI's exit status and error lines decide."
        )


def _apply(entry: StackProgress, event: StackEvent) -> None:
    """A stack's state follows the last event of the stack itself; its resources' events only start it."""
    entry.event = event.text[:EVENT_WIDTH]
    if event.of_the_stack:
        if "FAILED" in event.status or "ROLLBACK" in event.status:
            entry.state = "failed"
        elif event.status.endswith("_COMPLETE"):
            entry.state = "done"
        else:
            entry.state = "running"
    elif entry.state == "waiting":
        entry.state = "running"


def _stack_of(line: str, wave: Wave) -> str | None:
    for stack in wave.stacks:
        if cloudformation_name(wave, stack) in line or re.search(rf"(^|\s){re.escape(stack)}(\s|:|$)", line):
            return stack
    return None


def _verdict(line: str, wave: Wave, progress: dict[str, StackProgress], done_marker: str) -> bool:
    """The CDK CLI's own result for a stack (❌ failed; ✅ or the done marker, e.g. no changes); True if one."""
    failed, done = "❌" in line, "✅" in line or done_marker in line
    stack = _stack_of(line, wave) if failed or done else None
    if stack is None:
        return False
    progress[stack].state = "failed" if failed else "done"
    return True


def run_step(
    command: Sequence[str],
    wave: Wave,
    on_change: Callable[[StepOutcome], None],
    on_prompt: Callable[[str, StepOutcome], None],
    done_marker: str,
    stdin: int | None = None,
    on_event: Callable[[str, str], None] | None = None,
    feed: EventFeed | None = None,
) -> StepOutcome:
    """Run one cdk call of a wave, its stacks' CloudFormation events polled meanwhile."""
    outcome = StepOutcome(0, stacks={stack: StackProgress() for stack in wave.stacks})
    stacks = {cloudformation_name(wave, stack): stack for stack in wave.stacks}
    poller = feed.watch(wave) if feed is not None else None

    def events() -> None:
        for event in feed.read(poller) if feed is not None else []:
            stack = stacks.get(event.stack_name)
            if stack is not None:
                _apply(outcome.stacks[stack], event)
                if on_event is not None:
                    on_event(stack, event.text)
        on_change(outcome)

    def line(text: str) -> None:
        outcome.lines.append(text)
        if _verdict(text, wave, outcome.stacks, done_marker):
            on_change(outcome)

    outcome.returncode = run_cdk(command, line, lambda text: on_prompt(text, outcome), events, POLL_SECONDS, stdin)
    events()  # cdk waits for its stacks to settle, so their last events are in by now
    if outcome.returncode == 0:
        for entry in outcome.stacks.values():
            entry.state = "done"
    on_change(outcome)
    return outcome


def progress_view(index: int, total: int, wave: Wave, outcome: StepOutcome, verb: str) -> Table:
    table = Table(
        "phase", "region", "stack", "state", "last CloudFormation event", title=f"{verb} wave {index}/{total}"
    )
    for stack in wave.stacks:
        entry = outcome.stacks[stack]
        state = f"[{STATE_STYLE.get(entry.state, '')}]{entry.state}[/]"
        table.add_row(str(wave.phase), wave.region, stack, state, entry.event)
    return table


@dataclass(frozen=True)
class Failure:
    wave: Wave
    stack: str
    outcome: StepOutcome


def run_waves(
    steps: Sequence[tuple[Wave, list[str]]], verb: str, done_marker: str, clients: ClientFactory | None = None
) -> Failure | None:
    """Run the steps in order (a live view on a terminal, one line per event otherwise); stop at the first failure.

    clients: CloudFormation clients by region for the events; None shows the progress without them.
    """
    feed = EventFeed(clients, lambda text: common.errors.print(text, highlight=False))
    for index, (wave, command) in enumerate(steps, start=1):
        started = time.monotonic()
        if not sys.stdout.isatty():
            result = _run_plain(command, wave, verb, done_marker, feed)
        else:
            result = _run_live(index, len(steps), wave, command, verb, done_marker, feed)
        seconds = time.monotonic() - started
        if result.returncode != 0:
            common.errors.print(common.keep_whole(progress_view(index, len(steps), wave, result, verb)))
            return Failure(wave, result.failed_stack(wave), result)
        common.errors.print(f"[green]✓[/] {verb} {wave.label} ({seconds:.0f} s)", highlight=False)
    return None


def _show_prompt(text: str, current: StepOutcome) -> None:
    """What cdk asks about (the security changes), then the question, for the operator to answer."""
    common.errors.print("\n".join(current.lines[-40:]), highlight=False, markup=False)
    common.errors.print(text, end="", highlight=False, markup=False)


def _run_plain(command: Sequence[str], wave: Wave, verb: str, done_marker: str, feed: EventFeed) -> StepOutcome:
    """Stdout is a log (CI, a pipe): one line per CloudFormation stack event, no live redrawing."""

    def event(stack: str, text: str) -> None:
        sys.stdout.write(f"{verb} phase {wave.phase} {wave.region} {stack}: {text}\n")
        sys.stdout.flush()

    return run_step(command, wave, lambda _: None, _show_prompt, done_marker, on_event=event, feed=feed)


def _run_live(
    index: int, total: int, wave: Wave, command: Sequence[str], verb: str, done_marker: str, feed: EventFeed
) -> StepOutcome:
    """A terminal: a table of the wave's stacks, redrawn as events come."""
    initial = StepOutcome(0, stacks={stack: StackProgress() for stack in wave.stacks})
    with Live(
        progress_view(index, total, wave, initial, verb),
        console=common.errors,
        refresh_per_second=4,
        transient=True,
    ) as live:

        def prompt(text: str, current: StepOutcome) -> None:
            live.stop()
            _show_prompt(text, current)
            live.start()

        def changed(current: StepOutcome) -> None:
            live.update(progress_view(index, total, wave, current, verb))

        return run_step(command, wave, changed, prompt, done_marker, feed=feed)


def report_failure(failure: Failure, verb: str) -> None:
    wave = failure.wave
    common.errors.print(
        f"[red]error:[/red] {verb} failed in phase {wave.phase}, {wave.region}, stack {failure.stack} "
        f"({cloudformation_name(wave, failure.stack)}), cdk exit code {failure.outcome.returncode}.",
        highlight=False,
    )
    common.errors.print("last error lines:", highlight=False)
    for line in failure.outcome.error_lines():
        common.errors.print(f"  {line}", highlight=False, markup=False)
