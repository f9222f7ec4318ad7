"""`wfm check`: re-judge a written plan against every rule, one line per violation.

Thin on purpose: reading, judging and wording live in `wfm.check`; this prints and picks the exit
code (0 clean or only soft violations, 1 a hard rule broken, 2 bad input).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from wfm.check import check_roster, find_shifts, plan_week, read_coverage, read_plan
from wfm.cli.common import console, guarded, parse_week
from wfm.errors import InputError
from wfm.workspace import Workspace, load_workspace


@guarded
def check(
    workspace: Annotated[Path, typer.Argument(help="The workspace folder (wfm.toml, agents.csv) the plan was made from.")],
    plan_dir: Annotated[Path, typer.Argument(help="A plan folder written by `wfm schedule` or `wfm plan` (roster.csv).")],
    week: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="Monday the plan week starts (UTC date, e.g. 2026-11-30); default: from summary.json or the roster.",
        ),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            metavar="PLAN_DIR",
            help="Last week's plan folder: min_rest and max_consecutive_days are judged across the boundary and its"
            " shifts past Monday 00:00 UTC count in coverage. Default: [plan] previous in wfm.toml, then the folder"
            " the plan's summary.json names.",
        ),
    ] = None,
) -> None:
    """Re-check a written plan against every rule of the workspace's profile, and approved leave
    in requests.csv (rule `leave`).

    One line per violation (rule, agent, when, how badly; soft rules marked), then a count.
    Exit 1 when a hard rule is broken. coverage.csv, when present, must match the roster (with
    last week's spill-over when the plan continues a previous one).
    """
    ws = load_workspace(workspace, with_history=False)
    roster = read_plan(plan_dir)
    coverage = read_coverage(plan_dir)
    plan_monday = plan_week(plan_dir, roster, parse_week(week))
    folder = _previous_folder(ws, plan_dir, previous)
    last_week = None
    if folder is not None:
        try:
            last_week = read_plan(folder)
        except InputError as exc:
            raise InputError(f"previous plan {folder}: {exc}") from None
    violations = check_roster(ws, roster, plan_monday, coverage, previous=last_week)
    shifts = find_shifts(roster, plan_monday)
    scope = f"{_count(len(shifts), 'shift')} of {_count(len({s.agent_id for s in shifts}), 'agent')}"
    for violation in violations:
        _say(violation.line())
    hard = sum(1 for violation in violations if not violation.soft)
    soft = len(violations) - hard
    if hard:
        _say(f"{_count(len(violations), 'violation')} ({hard} hard, {soft} soft) in {scope}, week of {plan_monday}")
        raise typer.Exit(1)
    if soft:
        _say(f"ok: {scope} pass every hard rule ({_count(soft, 'soft violation')} above)")
    else:
        _say(f"ok: {scope} pass every rule")


def _previous_folder(ws: Workspace, plan_dir: Path, given: Path | None) -> Path | None:
    """--previous, then `[plan] previous` (relative to the workspace), then summary.json's
    "previous"."plan_dir" when that folder still exists."""
    if given is not None:
        return given
    if ws.plan.previous is not None:
        return ws.root / ws.plan.previous
    summary = plan_dir / "summary.json"
    try:
        data = json.loads(summary.read_text(encoding="utf-8")) if summary.is_file() else {}
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None  # plan_week has already judged summary.json; nothing more to read here
    entry = data.get("previous") if isinstance(data, dict) else None
    named = entry.get("plan_dir") if isinstance(entry, dict) else None
    return Path(named) if isinstance(named, str) and Path(named).is_dir() else None


def _say(line: str) -> None:
    # soft_wrap: one violation stays one line however narrow the terminal (grep, CI logs).
    console.print(line, markup=False, soft_wrap=True)


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def register(app: typer.Typer) -> None:
    app.command("check")(check)
