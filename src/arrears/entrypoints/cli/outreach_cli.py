"""Outreach commands (outreach-v1): `arrears dispatch` sends a plan's due messages once, `arrears
worker` keeps sending outbox rows as their time comes, `arrears outreach bounces` reads the bounce
mailbox."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from arrears.domain.outreach import DispatchCounts

if TYPE_CHECKING:
    from arrears.bootstrap import Container
    from arrears.services.outreach.dispatch import Outreach
    from arrears.services.outreach.replies import Callbacks

out = Console()
err = Console(stderr=True)
CANNOT_RUN = 2
T = TypeVar("T")


def _instant(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        value = None
    if value is None or value.utcoffset() is None:
        err.print(f"--now: {text!r} is not an instant with an offset (e.g. 2026-11-30T10:00:00+08:00)",
                  style="red", markup=False, highlight=False)
        raise typer.Exit(CANNOT_RUN)
    return value


def _refuse(message: str) -> typer.Exit:
    err.print(message, style="red", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(CANNOT_RUN)


def _opened(make: Callable[[Container], T]) -> T:
    """What ``make`` builds on the configured database, or exit 2 when it cannot be opened."""
    from arrears.entrypoints.cli.container import open_container

    try:
        container = open_container()
        with container.engine.connect():
            pass
        return make(container)
    except typer.Exit:
        raise
    except Exception as error:  # the database, its keys or a channel's configuration: say which, exit 2
        raise _refuse(f"cannot run: {type(error).__name__}: {error}") from None


def _outreach() -> Outreach:
    """The dispatcher on the configured database, or exit 2 when it cannot be opened."""
    from arrears import bootstrap

    return _opened(bootstrap.outreach)


def _callbacks() -> Callbacks:
    """What comes back is recorded with: the configured database and its gate (exit 2 when it cannot be opened)."""
    from arrears import bootstrap

    return _opened(lambda container: bootstrap.outreach_callbacks(container.engine, container.cipher))


@contextmanager
def _progress(total: int, show: bool) -> Iterator[Callable[[int], None] | None]:
    if not show or not err.is_terminal or total == 0:
        yield None
        return
    columns = (TextColumn("发送 dispatch"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("dispatch", total=total)
        yield lambda n: bar.advance(task, n)


def _print(counts: DispatchCounts, as_json: bool) -> None:
    said: dict[str, Any] = counts.as_contract()
    if as_json:
        typer.echo(json.dumps(said, ensure_ascii=False))
        return
    for name, value in said.items():
        out.print(f"{name}: {value}", markup=False, highlight=False)
    if counts.rules:
        rules = ", ".join(f"{rule} {n}" for rule, n in sorted(counts.rules.items()))
        err.print(f"denied by rule: {rules}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("dispatch")
    def dispatch_command(
        plan: Annotated[Path, typer.Option("--plan", help="plan.csv (contact-plan-v1) / 联系计划")],
        now: Annotated[str | None, typer.Option(
            "--now", help="the dispatch instant, ISO 8601 with offset (default: the clock) / 发送时刻")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="the counts as one JSON object")] = False,
        concurrency: Annotated[int | None, typer.Option(
            "--concurrency", min=1, max=32, help="messages sent at once (default: ARREARS_OUTREACH_CONCURRENCY, 1)")]
        = None,
    ) -> None:
        """Send the plan's due SMS, e-mails and letters through the gate, at most once each. 发送计划中到期的消息。"""
        from arrears.services.outreach.dispatch import ChannelNotConfigured, Dispatch, dispatch, require_channels
        from arrears.services.outreach.plan_rows import PlanFileError, read_plan

        instant = _instant(now)
        try:
            messages = read_plan(plan)
        except PlanFileError as error:
            raise _refuse(str(error)) from None
        outreach = _outreach()
        if concurrency:
            outreach.concurrency = concurrency
        try:
            require_channels(outreach, {m.channel for m in messages})
            with _progress(len(messages), not as_json) as progress:
                counts = dispatch(Dispatch(tuple(messages), instant), outreach, progress)
        except ChannelNotConfigured as error:
            raise _refuse(str(error)) from None
        _print(counts, as_json)

    @app.command("worker")
    def worker_command(
        poll: Annotated[float, typer.Option("--poll", min=0.05, help="seconds between rounds / 轮询间隔（秒）")] = 5.0,
        once: Annotated[bool, typer.Option("--once", help="one round, then stop")] = False,
        now: Annotated[str | None, typer.Option(
            "--now", help="the instant of the first round, moving on with the clock (drills, tests)")] = None,
    ) -> None:
        """Send outbox messages as their time comes, until SIGTERM or Ctrl-C. 按时发送待发消息。"""
        from arrears.services.outreach.dispatch import DispatchDue, dispatch_due

        origin, outreach = _instant(now), _outreach()
        started = outreach.clock()
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        err.print(f"worker: polling every {poll:g}s (SIGTERM stops it after the current message)",
                  markup=False, highlight=False)
        while not stop.is_set():
            instant = origin + (outreach.clock() - started) if origin else None
            counts = dispatch_due(DispatchDue(instant), outreach, stop=stop.is_set)
            if any(counts.as_contract().values()):
                said = ", ".join(f"{k} {v}" for k, v in counts.as_contract().items() if v)
                out.print(f"{datetime.now().astimezone().isoformat(timespec='seconds')} {said}",
                          markup=False, highlight=False)
            if once:
                break
            stop.wait(poll)
        err.print("worker: stopped", markup=False, highlight=False)

    _register_outreach_group(app)


def _register_outreach_group(app: typer.Typer) -> None:
    """`arrears outreach ...`: what comes back of outreach that is read, not posted (the bounce mailbox)."""
    outreach_app = typer.Typer(help="What comes back of outreach: e-mail bounces. 退信。", no_args_is_help=True)
    app.add_typer(outreach_app, name="outreach")

    @outreach_app.command("bounces")
    def bounces_command(
        mbox: Annotated[Path | None, typer.Option("--mbox", help="the bounce mailbox, an mbox file / 退信邮箱")] = None,
        maildir: Annotated[Path | None, typer.Option("--maildir", help="the bounce mailbox, a Maildir folder")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="the counts as one JSON object")] = False,
    ) -> None:
        """Read the delivery status notifications of the bounce mailbox: a hard bounce makes the address
        invalid, soft ones after ARREARS_EMAIL_SOFT_BOUNCE_LIMIT; reading it again changes nothing. 读取退信。"""
        from arrears.adapters.outreach.bounces import MailboxError
        from arrears.services.outreach.bounces import ReadBounceMailbox, read_bounce_mailbox

        if (mbox is None) == (maildir is None):
            raise _refuse("give the bounce mailbox: --mbox FILE or --maildir FOLDER (one of them)")
        command = ReadBounceMailbox(mbox or maildir or Path(), maildir=maildir is not None)
        try:
            counts = read_bounce_mailbox(command, _callbacks())
        except MailboxError as error:
            raise _refuse(str(error)) from None
        if as_json:
            typer.echo(json.dumps(counts))
            return
        for name, value in counts.items():
            out.print(f"{name.replace('_', ' ')}: {value}", markup=False, highlight=False)
