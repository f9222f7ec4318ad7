"""`wfm init DIR`: a starter workspace that plans right away and explains itself.

The people and the history come from `wfm.synth.make_world` (a small follow-the-sun support
center with a few weeks of plausible history ending the Sunday before the coming plan week);
wfm.toml is then rewritten with every key commented as FORMATS.md describes it, and a README.md
in the folder explains the CSV files (CSV has no comments). Nothing is written into a folder
that already holds files.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from wfm.errors import InputError
from wfm.outputs import staged_output
from wfm.synth import make_world
from wfm.workspace import QueueConfig, load_config, load_workspace

STARTER_AGENTS = 24
STARTER_WEEKS = 6

_HEADER = """\
# wfm workspace: the queues to plan and how. Written by `wfm init`; edit freely.
# Beside it: agents.csv (the people), history.csv (past contacts per interval) and
# special_days.csv (holidays, promotions); README.md in this folder explains their columns.
#
#   wfm plan {folder} --out plan     # forecast, staffing, roster, calendars, report.html
#
# Times in the CSV files are ISO-8601 with an offset or Z; all planning happens in UTC.

[plan]
interval_minutes = {interval_minutes}          # 15, 30 or 60
rules = "{rules}"              # a profile in constraints/ ("default", "flexible"), or a TOML path relative to this folder
# week = "{week}"          # Monday the plan week starts (UTC date); --week overrides;
                               # default: the Monday after the last history day ({week} here)
# shrinkage = 0.1              # unplanned absence (sickness, lateness) the roster cannot see; default 0
"""

# key → comment, in the order FORMATS.md lists them.
_QUEUE_KEYS: dict[str, str] = {
    "name": "unique; used by agents.csv and history.csv",
    "channel": "phone | chat | email",
    "timezone": "where the customers are: daily patterns follow this clock",
    "service_level": "share of contacts answered within answer_seconds",
    "answer_seconds": "the answer-time target, seconds (phone default 80% in 20 s, chat 80% in 30 s)",
    "concurrency": "chat: conversations one agent holds at once (default 1)",
    "patience_seconds": "mean patience: Erlang A (abandonment) instead of Erlang C",
    "max_occupancy": "overrides the rules profile",
    "respond_within_hours": "email: a deadline instead of answer_seconds",
}
_EXAMPLES: dict[str, str] = {
    "concurrency": "2",
    "patience_seconds": "90",
    "max_occupancy": "0.85",
    "respond_within_hours": "24",
    "answer_seconds": "20",
}
_EMAIL_SERVICE_COMMENT = "share of emails answered within respond_within_hours"

_README = """\
# A wfm workspace

Written by `wfm init`. Plan the coming week with

    wfm plan {folder} --out plan

and open `plan/report.html`. Replace the sample data with your own, file by file; `wfm plan`
names the file, row and column of anything it cannot use.

## wfm.toml
Queues and planning settings; every key is explained in the file.

## agents.csv
One row per person (the sample has {agents}, in Manila, Mexico City, Madrid and the US).

| column | required | meaning |
|---|---|---|
| agent_id | yes | unique text |
| timezone | yes | IANA zone, e.g. `Asia/Manila` |
| skills | yes | queue names separated by `\\|` |
| name | no | display name |
| site | no | a label for reports |
| max_hours_week | no | paid-hours cap for this person (never above the rules profile's) |
| min_hours_week | no | contracted minimum paid hours |
| available_from, available_to | no | local `HH:MM`; every shift lies inside; `to` < `from` means the window crosses midnight |
| days_unavailable | no | local weekdays (`Sat\\|Sun`) and/or dates (`2026-12-03`) with no work |

## history.csv
Past contacts per queue and interval ({weeks} weeks in the sample, up to {week}).

| column | meaning |
|---|---|
| queue | a queue name from wfm.toml |
| interval_start | start of the interval, with offset or `Z` |
| contacts | offered contacts in the interval (≥ 0) |
| aht_seconds | average handle time of those contacts (> 0 where contacts > 0) |

Intervals a queue is closed may be left out. Export at least two weeks, better eight or more.

## special_days.csv (optional)
`date, queue, factor`: a date in the queue's clock, a queue name or `*` for all, and a factor
that scales the forecast (`0.35`) or `closed`.
"""


def next_monday(today: dt.date | None = None) -> dt.date:
    """The Monday after `today` (UTC today by default): the starter's plan week."""
    today = today or dt.datetime.now(dt.UTC).date()
    return today + dt.timedelta(days=7 - today.weekday())


def write_starter(
    directory: Path,
    *,
    agents: int = STARTER_AGENTS,
    weeks: int = STARTER_WEEKS,
    plan_week: dt.date | None = None,
    seed: int = 7,
) -> Path:
    """Write a starter workspace into `directory` (created; it must not hold any file yet).

    The plan week defaults to the coming Monday, so the history ends last Sunday.
    """
    directory = Path(directory)
    if directory.exists():
        if not directory.is_dir():
            raise InputError(f"{directory}: exists and is not a folder (wfm init writes a new workspace folder)")
        entries = sorted(p.name for p in directory.iterdir())
        if entries:
            shown = ", ".join(entries[:3]) + (", …" if len(entries) > 3 else "")
            raise InputError(f"{directory}: not empty, got {shown} (wfm init never overwrites; pick a new or empty folder)")
    week = plan_week or next_monday()
    with staged_output(directory) as stage:
        make_world(stage, seed=seed, agents=agents, weeks=weeks, plan_week=week)
        config = load_config(stage / "wfm.toml")
        text = _HEADER.format(
            folder=directory.name or str(directory),
            interval_minutes=config.plan.interval_minutes,
            rules=config.plan.rules,
            week=week.isoformat(),
        )
        text += "\n" + "\n\n".join(queue_toml(queue, examples=index == 0) for index, queue in enumerate(config.queues)) + "\n"
        (stage / "wfm.toml").write_text(text, encoding="utf-8")
        (stage / "README.md").write_text(
            _README.format(folder=directory.name or str(directory), agents=agents, weeks=weeks, week=week - dt.timedelta(days=1)),
            encoding="utf-8",
        )
        load_workspace(stage)  # what we hand over must load
    return directory


def queue_toml(queue: QueueConfig, *, examples: bool = False) -> str:
    """One `[[queues]]` table with a comment on every key; with `examples`, the keys this
    queue leaves out appear commented out, as FORMATS.md shows them."""
    lines = ["[[queues]]"]
    values = queue.model_dump(exclude_defaults=False)
    for key, comment in _QUEUE_KEYS.items():
        value = values.get(key)
        present = value is not None and not (key == "concurrency" and value == 1)
        if key == "service_level" and queue.is_deferred:
            comment = _EMAIL_SERVICE_COMMENT
        if present:
            lines.append(_keyed(f"{key} = {_toml_value(key, value)}", comment))
        elif examples and _applies(key, queue):
            lines.append(_keyed(f"# {key} = {_EXAMPLES.get(key, '')}", comment))
    return "\n".join(lines)


def _applies(key: str, queue: QueueConfig) -> bool:
    if key == "respond_within_hours":
        return True
    if key == "answer_seconds":
        return not queue.is_deferred
    return key in _EXAMPLES


def _keyed(assignment: str, comment: str) -> str:
    return f"{assignment:<30} # {comment}" if len(assignment) < 30 else f"{assignment}  # {comment}"


def _toml_value(key: str, value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if key == "service_level" and isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
