"""Several weeks in one run (`wfm plan --weeks N`, FORMATS.md 0.2): N consecutive plan weeks,
each a plan folder `DIR/<Monday>/` continued from the one before, as `--previous` continues a
week (`wfm.continued`): rest and runs of days hold across each boundary and the spill-over of
each week's last shifts staffs the next.

Every week is planned and written into one staging folder beside DIR, the next week reading
the one before from there; only when all of them are written are the week folders moved into
DIR, so a failure in any week leaves DIR as it was. Each week's summary.json names the
previous week's folder where it ends up, so `wfm check` finds it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wfm.errors import InputError
from wfm.forecast import week_at
from wfm.outputs import staged_output
from wfm.pipeline import PlanResult, run_plan, write_plan
from wfm.workspace import Workspace

__all__ = ["MAX_WEEKS", "check_weeks", "plan_weeks", "published_week"]

MAX_WEEKS = 26
"""Planners publish 2–6 weeks ahead; half a year is the most a forecast from history can carry."""


def check_weeks(weeks: int) -> int:
    """`weeks` when it is a whole number of weeks from 1 to `MAX_WEEKS`, else an InputError."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise InputError(f"{{weeks}}: expected a whole number of weeks from 1 to {MAX_WEEKS}, got {weeks}", weeks="weeks")
    return weeks


def published_week(published: Path | None, week: dt.date, weeks: int = 1) -> Path | None:
    """The published plan of `week` in a folder of week folders (`--published` with `--weeks`):
    `published/<Monday>/` when it holds a roster.csv; with one week, `published` itself when it
    is a plan folder; None when there is none for that week."""
    if published is None:
        return None
    folder = Path(published) / week.isoformat()
    if (folder / "roster.csv").is_file():
        return folder
    return Path(published) if weeks == 1 and (Path(published) / "roster.csv").is_file() else None


def plan_weeks(
    ws: Workspace,
    week: dt.date | None,
    weeks: int,
    out_dir: Path,
    *,
    previous: Path | None = None,
    published: Path | None = None,
    on_week: Callable[[PlanResult, Path], None] | None = None,
    **options: Any,
) -> list[PlanResult]:
    """Plan `weeks` consecutive weeks from `week` (default `ws.plan_week()`), each with
    `run_plan(**options)` continued from the one before (the first from `previous`, default
    `[plan] previous`), and write each into `out_dir/<Monday>/` (`write_plan`). With
    `published`, a folder of week folders, each week found there is re-planned from it
    (`published_week`); a folder without any of the weeks is an InputError. `on_week(result,
    folder)` is called as each week is planned, with the folder it will end up in."""
    check_weeks(weeks)
    now = options.get("now")
    if now is not None and weeks > 1:
        raise InputError(
            "{now}: re-plans the week holding it; give it without {weeks}, or with {weeks=1}", now="now", weeks="weeks"
        )
    first = ws.plan_week(week) if now is None else week_at(ws, week, now)
    mondays = [first + dt.timedelta(days=7 * i) for i in range(weeks)]
    if published is not None and not any(published_week(published, monday, weeks) for monday in mondays):
        names = ", ".join(f"{monday}/" for monday in mondays[:2]) + (", ..." if weeks > 2 else "")
        raise InputError(
            f"{{published}} {published}: no plan folder for any of the weeks (with {{weeks}} it holds one folder a week,"
            f" {names}, as `wfm plan --weeks` writes them)",
            published="published plans",
            weeks="several weeks",
        )
    out_dir = Path(out_dir)
    results: list[PlanResult] = []
    with staged_output(out_dir) as stage:
        prior = previous
        for monday in mondays:
            result = run_plan(ws, monday, previous=prior, published=published_week(published, monday, weeks), **options)
            if results:
                _name_previous(result, out_dir / results[-1].week.isoformat())
            write_plan(result, ws, stage / monday.isoformat())
            if on_week is not None:
                on_week(result, out_dir / monday.isoformat())
            results.append(result)
            prior = stage / monday.isoformat()
    return results


def _name_previous(result: PlanResult, final: Path) -> None:
    """Let the week's summary name the previous week's folder where it ends up, not the staging
    folder it was read from."""
    summary = result.plan_summary
    if summary.previous is None:
        return
    named = summary.previous.model_copy(update={"plan_dir": str(final.resolve())})
    result.plan_summary = summary.model_copy(update={"previous": named})
