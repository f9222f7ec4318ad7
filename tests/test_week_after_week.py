"""Week after week (FORMATS.md 0.2): requests.csv (leave hard, wishes judged) and `--previous`
(rest and runs of days across the boundary, spill-over in coverage), each planned end to end on
a tiny workspace or hand-made, and judged by the independent checker (`wfm check`)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import zoneinfo
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm.cli.app import app

WEEK = dt.date(2026, 11, 30)
NYC = zoneinfo.ZoneInfo("America/New_York")
AGENTS = ("A1", "A2", "A3", "A4")
HEADER = "agent_id,activity,start,end,start_local,end_local\n"
# 8 h: one break, lunch 3.5 h after the start (the profile below).
EIGHT = [("phone-en", 120), ("break", 15), ("phone-en", 75), ("lunch", 30), ("phone-en", 240)]
SOLVE = ["--time-limit", "4", "--seed", "0"]
RULES = (
    "[shifts]\nlengths_hours = [8]\nstart_step_minutes = 60\n"
    "[hours]\nmax_per_week = 40\nmax_per_day = 10\nmin_rest_between_shifts = 11\n"
    "max_consecutive_days = 5\nmin_days_off_per_week = 2\n"
    "[breaks]\nbreak_minutes = 15\nlunch_minutes = 30\nlunch_after_hours = [3, 5]\n"
    "[nights]\nmax_per_week = 2\n"
)


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def write_workspace(root: Path, requests: str | None = None, previous: str | None = None) -> Path:
    """One phone queue in New York, four agents there, three weeks of flat daytime history."""
    root.mkdir(parents=True, exist_ok=True)
    key = f'previous = "{previous}"\n' if previous else ""
    (root / "wfm.toml").write_text(
        f'[plan]\ninterval_minutes = 60\nrules = "rules.toml"\nweek = "{WEEK}"\n{key}\n'
        '[[queues]]\nname = "phone-en"\nchannel = "phone"\ntimezone = "America/New_York"\n'
    )
    (root / "rules.toml").write_text(RULES)
    (root / "agents.csv").write_text("agent_id,timezone,skills\n" + "".join(f"{a},America/New_York,phone-en\n" for a in AGENTS))
    lines = ["queue,interval_start,contacts,aht_seconds"]
    start = dt.datetime(2026, 11, 9, tzinfo=dt.UTC)
    for hour in range(21 * 24):
        stamp = start + dt.timedelta(hours=hour)
        contacts = 12 if 13 <= stamp.hour < 23 else 0
        lines.append(f"phone-en,{stamp:%Y-%m-%dT%H:%M:%SZ},{contacts},300")
    (root / "history.csv").write_text("\n".join(lines) + "\n")
    if requests is not None:
        (root / "requests.csv").write_text("agent_id,date,kind,from,to,weight\n" + requests)
    return root


def roster_text(shifts: list[tuple[str, str]]) -> str:
    """roster.csv text: an 8 h shift for (agent, UTC start) each."""
    lines = []
    for agent_id, text in sorted(shifts):
        start = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        for activity, minutes in EIGHT:
            end = start + dt.timedelta(minutes=minutes)
            utc = [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in (start, end)]
            local = [t.astimezone(NYC).isoformat() for t in (start, end)]
            lines.append(f"{agent_id},{activity},{utc[0]},{utc[1]},{local[0]},{local[1]}\n")
            start = end
    return HEADER + "".join(lines)


def write_plan_dir(root: Path, shifts: list[tuple[str, str]]) -> Path:
    root.mkdir(parents=True)
    (root / "roster.csv").write_text(roster_text(shifts))
    return root


# Last week: A1 worked Wednesday to Sunday (local), Sunday 15:00–23:00 New York (20:00Z–04:00Z):
# its last hours fall in this week, 11 h rest reach Monday 15:00Z, and five days in a row are the
# cap, so Monday (local) must stay free. New York's Sunday 19:00 is Monday 00:00Z: that Sunday is
# the first of A1's 7 local days of this week, worked already by last week's roster.
LAST_WEEK = [("A1", f"2026-11-{day}T14:00:00Z") for day in (25, 26, 27, 28)] + [("A1", "2026-11-29T20:00:00Z")]


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """One plan of the tiny workspace with leave, wishes and last week's plan (wfm.toml key)."""
    base = tmp_path_factory.mktemp("weeks")
    previous = write_plan_dir(base / "ws" / "last", LAST_WEEK)
    requests = "A2,2026-12-02,leave,,,\nA3,2026-12-03,leave,14:00,18:00,\nA4,2026-12-01,off,,,2\nA4,2026-12-05,on,09:00,10:00,\n"
    ws = write_workspace(base / "ws", requests, previous="last")
    out = base / "plan"
    result = run("plan", str(ws), "--out", str(out), *SOLVE)
    assert result.exit_code == 0, result.output
    return ws, out, previous


def _shifts(plan: Path) -> pd.DataFrame:
    frame = pd.read_csv(plan / "roster.csv")
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["end"] = pd.to_datetime(frame["end"], utc=True)
    return frame


def test_leave_is_honoured_and_the_checker_agrees(planned: tuple[Path, Path, Path]) -> None:
    ws, out, _ = planned
    roster = _shifts(out)
    day = {agent: {t.astimezone(NYC).date() for t in rows["start"]} for agent, rows in roster.groupby("agent_id")}
    assert dt.date(2026, 12, 2) not in day.get("A2", set())
    # Leave for some hours takes the whole local date (the roster knows whole dates only).
    assert dt.date(2026, 12, 3) not in day.get("A3", set())
    summary = json.loads((out / "summary.json").read_text())
    assert summary["requests"]["leave"] == {"granted": 2, "denied": 0}
    assert sum(summary["requests"]["off"].values()) == 1 and sum(summary["requests"]["on"].values()) == 1
    denied = {(d["agent_id"], d["date"], d["kind"]) for d in summary["requests"]["denied"]}
    assert len(denied) == summary["requests"]["off"]["denied"] + summary["requests"]["on"]["denied"]
    assert "Requests" in (out / "report.html").read_text()
    result = run("check", str(ws), str(out))
    assert result.exit_code == 0, result.output
    assert "leave" not in result.output


def test_a_shift_moved_into_leave_is_a_leave_violation(planned: tuple[Path, Path, Path], tmp_path: Path) -> None:
    ws, out, _ = planned
    rows = list(csv.DictReader((out / "roster.csv").open()))
    on_wednesday = [r for r in rows if dt.datetime.fromisoformat(r["start_local"]).date() == dt.date(2026, 12, 2)]
    moved = on_wednesday[0]["agent_id"]
    assert moved != "A2"
    for row in rows:
        if row["agent_id"] == moved and dt.datetime.fromisoformat(row["start_local"]).date() == dt.date(2026, 12, 2):
            row["agent_id"] = "A2"
    rows.sort(key=lambda r: (r["agent_id"], r["start"]))
    edited = tmp_path / "edited"
    edited.mkdir()
    with (edited / "roster.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = run("check", str(ws), str(edited), "--week", str(WEEK))
    assert result.exit_code == 1, result.output
    assert any(line.startswith("leave  A2  2026-12-02") for line in result.output.splitlines()), result.output


def test_a_plan_with_previous_holds_the_boundary_rules(planned: tuple[Path, Path, Path]) -> None:
    ws, out, previous = planned
    roster = _shifts(out)
    a1 = roster[roster["agent_id"] == "A1"]
    assert dt.date(2026, 11, 30) not in {t.astimezone(NYC).date() for t in a1["start"]}
    result = run("check", str(ws), str(out), "--previous", str(previous))
    assert result.exit_code == 0, result.output
    for rule in ("min_rest", "max_consecutive_days", "leave", "format"):
        assert rule not in result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["previous"]["agents_limited"] == 1
    assert summary["previous"]["spill_over_hours"] == 4.0


def test_spill_over_counts_in_coverage_but_not_in_the_roster(planned: tuple[Path, Path, Path]) -> None:
    _, out, _ = planned
    roster = _shifts(out)
    assert roster["start"].min() >= pd.Timestamp("2026-11-30T00:00:00Z")
    coverage = pd.read_csv(out / "coverage.csv")
    monday = coverage[coverage["interval_start"].isin([f"2026-11-30T0{h}:00:00Z" for h in range(4)])]
    # A1's Sunday shift (break 22:00Z, lunch 23:30Z) is on the queue all of Monday 00:00–04:00Z;
    # no shift of this week is there (the history has no contacts before 13:00Z).
    assert monday["scheduled"].round(4).tolist() == [1.0, 1.0, 1.0, 1.0]
    assert not ((roster["start"] < pd.Timestamp("2026-11-30T04:00:00Z")) & (roster["activity"] == "phone-en")).any()
    assert "A1" in json.loads((out / "summary.json").read_text())["agents"]


def _boundary_case(tmp_path: Path, this_week: list[tuple[str, str]], last_week: list[tuple[str, str]] = LAST_WEEK) -> Any:
    ws = write_workspace(tmp_path / "ws")
    previous = write_plan_dir(tmp_path / "last", last_week)
    plan = write_plan_dir(tmp_path / "plan", this_week)
    return run("check", str(ws), str(plan), "--week", str(WEEK), "--previous", str(previous))


def test_check_previous_finds_too_little_rest_across_the_boundary(tmp_path: Path) -> None:
    # Monday 14:00Z is 10 h after Sunday's shift ended at 04:00Z (only that Sunday worked last week).
    result = _boundary_case(tmp_path, [("A1", "2026-11-30T14:00:00Z")], LAST_WEEK[-1:])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        "min_rest  A1  2026-11-30T14:00Z  10 h rest, rule needs 11 h (across the week boundary: last week's "
        "shift ended 2026-11-30T04:00Z)"
    )
    assert len(lines) == 2


def test_check_previous_finds_a_run_of_days_across_the_boundary(tmp_path: Path) -> None:
    # Rest is kept (Monday 16:00Z), but Monday is the sixth day in a row.
    result = _boundary_case(tmp_path, [("A1", "2026-11-30T16:00:00Z"), ("A1", "2026-12-01T16:00:00Z")])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        "max_consecutive_days  A1  2026-11-25  7 consecutive days from Wed 2026-11-25 (4 of them before this week), rule allows 5"
    )
    assert len(lines) == 2


def test_without_previous_the_same_week_passes(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws")
    plan = write_plan_dir(tmp_path / "plan", [("A1", "2026-11-30T14:00:00Z"), ("A1", "2026-12-01T16:00:00Z")])
    result = run("check", str(ws), str(plan), "--week", str(WEEK))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("B9,2026-12-02,leave,,,", "requests.csv row 2, column agent_id: expected an agent of agents.csv, got 'B9'"),
        ("A1,2026-13-02,leave,,,", "requests.csv row 2, column date: expected a local date YYYY-MM-DD, got '2026-13-02'"),
        ("A1,2026-12-02,holiday,,,", "requests.csv row 2, column kind: expected leave, off or on, got 'holiday'"),
        ("A1,2026-12-02,leave,9am,,", "requests.csv row 2, column from: expected local time HH:MM, got '9am'"),
        ("A1,2026-12-02,off,,,lots", "requests.csv row 2, column weight: expected a number ≥ 0"),
    ],
)
def test_bad_requests_are_one_line_and_exit_2(tmp_path: Path, line: str, message: str) -> None:
    ws = write_workspace(tmp_path / "ws", line + "\n")
    out = tmp_path / "plan"
    result = run("plan", str(ws), "--out", str(out), *SOLVE)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {message}"), result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: root, "no such plan folder"),
        (lambda root: write_plan_dir(root, [("Z9", "2026-11-27T14:00:00Z")]), "column agent_id: no agent in common"),
        (
            lambda root: write_plan_dir(root, [("A1", "2026-12-01T14:00:00Z")]),
            "last/roster.csv row 2, column end: expected a time by 2026-11-30T08:00Z",
        ),
        (lambda root: write_plan_dir(root, [("A1", "2026-11-16T14:00:00Z")]), "column start: expected shifts in the week"),
        (
            lambda root: write_plan_dir(root, [("A1", "2026-11-30T00:00:00Z")]),
            "last/roster.csv row 2, column start: expected every shift to start before this plan week's start",
        ),
    ],
)
def test_a_bad_previous_plan_is_one_line_and_exit_2(tmp_path: Path, make: Any, message: str) -> None:
    ws = write_workspace(tmp_path / "ws")
    make(tmp_path / "last")
    out = write_plan_dir(tmp_path / "plan", [("A1", "2026-11-30T14:00:00Z")])
    before = (out / "roster.csv").read_text()
    result = run("schedule", str(ws), "--out", str(out), "--previous", str(tmp_path / "last"), *SOLVE)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.output
    assert (out / "roster.csv").read_text() == before


def test_a_broken_previous_roster_names_row_and_column(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws")
    last = tmp_path / "last"
    last.mkdir()
    (last / "roster.csv").write_text(HEADER + "A1,phone-en,yesterday,2026-11-27T16:00:00Z,x,y\n")
    result = run("schedule", str(ws), "--out", str(tmp_path / "plan"), "--previous", str(last), *SOLVE)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: previous roster.csv row 2, column start: expected an ISO-8601 UTC time")
    assert not (tmp_path / "plan").exists()


def test_leave_against_a_contracted_minimum_exits_3_naming_agent_dates_and_rule(tmp_path: Path) -> None:
    # Leave Monday to Thursday (local): with the Sunday before (a late shift could reach into
    # Monday) five of A1's days are gone, and two 7.5 h days cannot make 30 contracted hours.
    leave = "".join(f"A1,{day},leave,,,\n" for day in ("2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"))
    ws = write_workspace(tmp_path / "ws", leave)
    (ws / "agents.csv").write_text(
        "agent_id,timezone,skills,min_hours_week\nA1,America/New_York,phone-en,30\nA2,America/New_York,phone-en,\n"
    )
    out = tmp_path / "plan"
    result = run("schedule", str(ws), "--out", str(out), *SOLVE)
    assert result.exit_code == 3, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "error: the hard rules cannot all hold"
    assert any(line.startswith("  - min_hours_week: A1 contracted for 30 paid hours") for line in lines)
    assert "  - leave: A1 cannot start a shift on 2026-11-29, 2026-11-30, 2026-12-01, 2026-12-02, 2026-12-03" in result.output
    assert not out.exists()


def test_schedule_with_the_previous_option_and_check_reading_it_from_the_summary(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws")
    previous = write_plan_dir(tmp_path / "last", LAST_WEEK)
    out = tmp_path / "plan"
    result = run("schedule", str(ws), "--out", str(out), "--previous", str(previous), *SOLVE)
    assert result.exit_code == 0, result.output
    assert "previous week: 1 agents' first days limited by rest or runs, 4.0 on-queue hours spill over" in result.output
    assert json.loads((out / "summary.json").read_text())["previous"]["plan_dir"] == str(previous.resolve())
    # No --previous and no [plan] previous: the checker takes the folder summary.json names, so
    # coverage.csv (which counts the spill-over) matches and the boundary is judged.
    result = run("check", str(ws), str(out))
    assert result.exit_code == 0, result.output
    (out / "summary.json").write_text(json.dumps({"week": str(WEEK)}))
    result = run("check", str(ws), str(out))
    assert result.exit_code == 1 and "format  -  2026-11-30T00:00Z  coverage.csv: scheduled differs" in result.output
