"""`wfm publish`: a plan's shifts to a CalDAV server, one calendar per agent and the team's.

Thin on purpose: the events, the comparison and the server talk live in `wfm.publish`; this reads
the workspace and the plan, shows a progress bar over the calendars, prints the summary, and exits
4 (one line naming the server) when the server cannot be used or refuses a calendar.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from wfm.check import plan_week, read_plan
from wfm.cli.common import console, err_console, guarded, parse_week
from wfm.publish import PublishSummary, calendar_home, credentials_from_env, plain_http_warning, publish_plan, refused_error
from wfm.workspace import load_workspace


@guarded
def publish(
    workspace: Annotated[Path, typer.Argument(help="The workspace folder (wfm.toml, agents.csv) the plan was made from.")],
    plan_dir: Annotated[Path, typer.Argument(help="A plan folder written by `wfm schedule` or `wfm plan` (roster.csv).")],
    caldav: Annotated[
        str,
        typer.Option(
            "--caldav",
            metavar="URL",
            help="The calendar home on the server, e.g. https://cal.example.com/planner/ "
            "(login from WFM_CALDAV_USER and WFM_CALDAV_PASSWORD).",
        ),
    ],
    week: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="Monday the plan week starts (UTC date); default: from summary.json or the roster."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read the server, print what would change, write nothing.")] = False,
) -> None:
    """Publish a plan to a CalDAV server: a calendar per agent at URL/<agent_id>/ and the team's at URL/team/.

    Publishing again changes nothing; a re-plan of the same week updates, adds and removes only
    wfm's own events of that week. Events someone edited on the server are reported and left alone.
    Exit 4 when the server cannot be reached, refuses the login or refuses a calendar.
    """
    home = calendar_home(caldav)
    credentials = credentials_from_env(os.environ)
    ws = load_workspace(workspace, with_history=False)
    roster = read_plan(plan_dir)
    monday = plan_week(plan_dir, roster, parse_week(week))
    warning = plain_http_warning(home)
    if warning:
        err_console.print(f"warning: {warning}", markup=False)
    with Progress(
        TextColumn("publishing {task.fields[calendar]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        # Off when stderr is a file or a pipe: logs get the summary, not a bar's leftovers.
        disable=not err_console.is_terminal,
    ) as bar:
        task = bar.add_task("publish", total=None, calendar="")

        def advance(done: int, total: int, calendar: str) -> None:
            bar.update(task, completed=done, total=total, calendar=calendar)

        summary = publish_plan(home, roster, ws.agents, monday, credentials, dry_run=dry_run, progress=advance)
    _print_summary(summary)
    if summary.refused:
        raise refused_error(summary)


def _print_summary(summary: PublishSummary) -> None:
    if summary.dry_run:
        head = f"dry run, nothing written: week {summary.week} on {summary.server} would get"
    else:
        head = f"published week {summary.week} to {summary.server}:"
    _say(f"{head} {summary.counts_line()}")
    for line in summary.skipped:
        _say(f"skipped {line}")
    for line in summary.refused:
        _say(f"refused {line}")


def _say(line: str) -> None:
    console.print(line, markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("publish")(publish)
