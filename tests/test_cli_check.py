"""`wfm check WORKSPACE PLAN_DIR` through Typer's CliRunner, and `read_plan` on malformed files."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from wfm.check import plan_week, read_plan
from wfm.cli.check import register
from wfm.errors import InputError

HEADER = "agent_id,activity,start,end,start_local,end_local\n"
NYC = zoneinfo.ZoneInfo("America/New_York")
EIGHT = [("phone-en", 120), ("break", 15), ("phone-en", 75), ("lunch", 30), ("phone-en", 240)]


def app() -> typer.Typer:
    # A callback keeps `check` a sub-command, as in the real `wfm` app.
    application = typer.Typer()
    application.callback()(lambda: None)
    register(application)
    return application


def write_workspace(root: Path, agent_line: str = "NYC-01,America/New_York,phone-en") -> Path:
    root.mkdir()
    (root / "wfm.toml").write_text(
        '[plan]\nrules = "rules.toml"\n\n[[queues]]\nname = "phone-en"\nchannel = "phone"\ntimezone = "America/New_York"\n'
    )
    (root / "rules.toml").write_text(
        "[shifts]\nlengths_hours = [8, 9, 10]\nstart_step_minutes = 30\n"
        "[hours]\nmax_per_week = 40\nmax_per_day = 10\nmin_rest_between_shifts = 11\n"
        "max_consecutive_days = 5\nmin_days_off_per_week = 2\n"
        "[breaks]\nbreak_minutes = 15\nlunch_minutes = 30\nlunch_after_hours = [3, 5]\n"
        "[nights]\nmax_per_week = 2\n"
        "[soft]\nmin_hours_week = 10\n"
    )
    (root / "agents.csv").write_text(f"agent_id,timezone,skills,min_hours_week\n{agent_line}\n")
    (root / "history.csv").write_text("queue,interval_start,contacts,aht_seconds\nphone-en,2026-11-23T14:00:00Z,10,300\n")
    return root


def roster_lines(starts: list[str], agent_id: str = "NYC-01") -> str:
    """roster.csv text: an 8 h shift (one break, lunch after 3.5 h) at each UTC start."""
    lines = []
    for text in starts:
        start = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        for activity, minutes in EIGHT:
            end = start + dt.timedelta(minutes=minutes)
            utc = [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in (start, end)]
            local = [t.astimezone(NYC).isoformat() for t in (start, end)]
            lines.append(f"{agent_id},{activity},{utc[0]},{utc[1]},{local[0]},{local[1]}\n")
            start = end
    return HEADER + "".join(lines)


def write_plan(root: Path, text: str, summary: dict[str, object] | None = None) -> Path:
    root.mkdir()
    (root / "roster.csv").write_text(text)
    if summary is not None:
        (root / "summary.json").write_text(json.dumps(summary))
    return root


MON_TO_FRI = [f"2026-{d}T14:00:00Z" for d in ("11-30", "12-01", "12-02", "12-03", "12-04")]


def test_clean_plan_exits_0(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws")
    plan = write_plan(tmp_path / "plan", roster_lines(MON_TO_FRI))
    result = CliRunner().invoke(app(), ["check", str(ws), str(plan)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ok: 5 shifts of 1 agent pass every rule"


def test_broken_rules_exit_1_with_one_line_each(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws")
    # Tuesday's shift starts 9.5 h after Monday's ends (22:00Z → 07:30Z) and is a night.
    starts = [
        "2026-11-30T14:00:00Z",
        "2026-12-01T07:30:00Z",
        "2026-12-02T14:00:00Z",
        "2026-12-03T14:00:00Z",
        "2026-12-04T14:00:00Z",
    ]
    plan = write_plan(tmp_path / "plan", roster_lines(starts), {"week": "2026-11-30"})
    result = CliRunner().invoke(app(), ["check", str(ws), str(plan)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "min_rest  NYC-01  2026-12-01T07:30Z  9.5 h rest, rule needs 11 h"
    assert lines[-1] == "1 violation (1 hard, 0 soft) in 5 shifts of 1 agent, week of 2026-11-30"


def test_only_soft_violations_exit_0_and_are_marked(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws", "NYC-01,America/New_York,phone-en,40")
    plan = write_plan(tmp_path / "plan", roster_lines(MON_TO_FRI))
    result = CliRunner().invoke(app(), ["check", str(ws), str(plan), "--week", "2026-11-30"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "min_hours_week  NYC-01  2026-11-30  37.5 paid hours, contract needs 40 h  (soft)"
    assert lines[-1] == "ok: 5 shifts of 1 agent pass every hard rule (1 soft violation above)"


def test_week_from_the_option_overrides_the_roster(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws")
    plan = write_plan(tmp_path / "plan", roster_lines(MON_TO_FRI))
    result = CliRunner().invoke(app(), ["check", str(ws), str(plan), "--week", "2026-12-07"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 6  # long lines are never wrapped
    assert lines[0] == (
        "format  NYC-01  2026-11-30T14:00Z  row 2: the shift (5 rows) starts outside the plan week "
        "[2026-12-07T00:00Z, 2026-12-14T00:00Z)"
    )


def test_malformed_roster_exits_2_with_one_line(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws")
    text = roster_lines(MON_TO_FRI[:1]).replace("2026-11-30T16:00:00Z", "2026-11-30T16:00:00", 1)
    plan = write_plan(tmp_path / "plan", text)
    result = CliRunner().invoke(app(), ["check", str(ws), str(plan)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: roster.csv row 2, column end: expected a UTC time ending in Z such as 2026-11-30T09:00:00Z, "
        "got '2026-11-30T16:00:00'"
    ]


def test_a_week_that_is_not_a_monday_exits_2(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws")
    plan = write_plan(tmp_path / "plan", roster_lines(MON_TO_FRI))
    result = CliRunner().invoke(app(), ["check", str(ws), str(plan), "--week", "2026-12-01"])
    assert result.exit_code == 2
    assert "expected a Monday" in result.output


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("2026-11-30T14:00:00Z", "30/11/2026 14:00", "row 2, column start: expected a UTC time ending in Z"),
        (
            "2026-11-30T09:00:00-05:00",
            "2026-11-30T09:00:00",
            "row 2, column start_local: expected a local time with the agent's offset",
        ),
        (
            "2026-11-30T09:00:00-05:00",
            "2026-11-30T10:00:00-05:00",
            "row 2, column start_local: expected the same instant as start",
        ),
        ("NYC-01,phone-en", ",phone-en", "row 2, column agent_id: required, got an empty cell"),
    ],
)
def test_read_plan_names_file_row_and_column(tmp_path: Path, old: str, new: str, message: str) -> None:
    plan = write_plan(tmp_path / "plan", roster_lines(MON_TO_FRI[:1]).replace(old, new, 1))
    with pytest.raises(InputError, match=f"^roster.csv {message}"):
        read_plan(plan)


def test_read_plan_missing_column_and_missing_file(tmp_path: Path) -> None:
    plan = write_plan(tmp_path / "plan", "agent_id,activity,start,end,start_local\n")
    with pytest.raises(InputError, match=r"roster\.csv header: required column 'end_local' is missing"):
        read_plan(plan)
    with pytest.raises(InputError, match="no such plan folder"):
        read_plan(tmp_path / "nowhere")


def test_read_plan_keeps_rows_and_utc_times(tmp_path: Path) -> None:
    frame = read_plan(write_plan(tmp_path / "plan", roster_lines(MON_TO_FRI[:1])))
    assert list(frame.columns) == ["agent_id", "activity", "start", "end", "start_local", "end_local", "row"]
    assert frame["row"].tolist() == [2, 3, 4, 5, 6]
    assert frame["start"].iloc[0] == dt.datetime(2026, 11, 30, 14, tzinfo=dt.UTC)


def test_plan_week_from_summary_then_roster(tmp_path: Path) -> None:
    text = roster_lines(["2026-12-02T14:00:00Z"])
    with_summary = write_plan(tmp_path / "a", text, {"week": "2026-11-23"})
    without = write_plan(tmp_path / "b", text)
    assert plan_week(with_summary, read_plan(with_summary)) == dt.date(2026, 11, 23)
    assert plan_week(without, read_plan(without)) == dt.date(2026, 11, 30)
    assert plan_week(without, read_plan(without), dt.date(2026, 12, 7)) == dt.date(2026, 12, 7)


def test_an_empty_roster_with_a_week_passes(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws")
    plan = write_plan(tmp_path / "plan", HEADER)
    result = CliRunner().invoke(app(), ["check", str(ws), str(plan), "--week", "2026-11-30"])
    assert (result.exit_code, result.output.strip()) == (0, "ok: 0 shifts of 0 agents pass every rule")
    result = CliRunner().invoke(app(), ["check", str(ws), str(plan)])
    assert result.exit_code == 2
    assert "no plan week can be inferred" in result.output
