"""A re-plan of a week already given to people (`--published`, FORMATS.md 0.2) and several weeks
in one run (`wfm plan --weeks N`), end to end through the command line on a tiny workspace
(one New York phone queue, eight agents), each result judged by the independent checker."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.test_week_after_week import HEADER, NYC, WEEK, roster_text, run, write_workspace
from wfm.planfiles import read_roster, roster_shifts
from wfm.published import changes_frame
from wfm.workspace import load_workspace

SOLVE = ["--time-limit", "5", "--seed", "0"]
AGENTS = [f"A{i}" for i in range(1, 9)]


def make_workspace(root: Path, agents: list[str] = AGENTS, requests: str | None = None) -> Path:
    ws = write_workspace(root, requests)
    (ws / "agents.csv").write_text("agent_id,timezone,skills\n" + "".join(f"{a},America/New_York,phone-en\n" for a in agents))
    return ws


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The tiny workspace and the roster published for its week."""
    base = tmp_path_factory.mktemp("published")
    ws = make_workspace(base / "ws")
    out = base / "published"
    result = run("schedule", str(ws), "--out", str(out), *SOLVE)
    assert result.exit_code == 0, result.output
    return ws, out


def _changes(plan: Path) -> pd.DataFrame:
    return pd.read_csv(plan / "changes.csv", keep_default_na=False)


def _check(ws: Path, plan: Path, *extra: str) -> None:
    result = run("check", str(ws), str(plan), *extra)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: "), result.output


def test_nothing_changed_keeps_every_shift_as_published(published: tuple[Path, Path], tmp_path: Path) -> None:
    ws, before = published
    out = tmp_path / "again"
    result = run("schedule", str(ws), "--out", str(out), "--published", str(before), *SOLVE)
    assert result.exit_code == 0, result.output
    shifts = sum(len(mine) for mine in roster_shifts(read_roster(before / "roster.csv")).values())
    assert shifts > 20
    assert f"published shifts: kept {shifts}, moved 0, added 0, removed 0" in result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["changes"] == {
        "kept": shifts,
        "moved": 0,
        "added": 0,
        "removed": 0,
        "kept_as_published": shifts,
        "plan_dir": str(before.resolve()),
        "notes": [],
    }
    changes = _changes(out)
    assert list(changes.columns[:6]) == ["agent_id", "change", "old_start", "old_end", "new_start", "new_end"]
    assert (changes["change"] == "kept").all() and len(changes) == shifts
    assert (changes["old_start"] == changes["new_start"]).all() and (changes["old_end"] == changes["new_end"]).all()
    # Breaks, lunch and queues too: the roster and its coverage are the published ones, byte for byte.
    assert (out / "roster.csv").read_text() == (before / "roster.csv").read_text()
    assert (out / "coverage.csv").read_text() == (before / "coverage.csv").read_text()
    _check(ws, out)


def test_an_agent_who_left_loses_their_shifts_and_a_new_one_stands_in(published: tuple[Path, Path], tmp_path: Path) -> None:
    _, before = published
    ws = make_workspace(tmp_path / "ws", [*AGENTS[1:], "A9"])  # A1 left, A9 joined
    out = tmp_path / "replan"
    result = run("plan", str(ws), "--out", str(out), "--published", str(before), *SOLVE)
    assert result.exit_code == 0, result.output
    changes = _changes(out)
    old = roster_shifts(read_roster(before / "roster.csv"))
    gone = changes[changes["agent_id"] == "A1"]
    assert len(gone) == len(old["A1"]) > 0
    assert (gone["change"] == "removed").all() and (gone["reason"] == "no longer in agents.csv").all()
    others = changes[changes["agent_id"].isin(AGENTS[1:])]
    assert len(others) == sum(len(old[a]) for a in AGENTS[1:])
    assert (others["change"] == "kept").mean() >= 0.85
    stand_in = changes[changes["agent_id"] == "A9"]
    assert len(stand_in) >= 2 and (stand_in["change"] == "added").all()
    # A9 works (some of) A1's hours: an added shift starts where a removed one did.
    assert set(stand_in["new_start"]) & set(gone["old_start"])
    summary = json.loads((out / "summary.json").read_text())
    counts = {kind: int((changes["change"] == kind).sum()) for kind in ("kept", "moved", "added", "removed")}
    assert {kind: summary["changes"][kind] for kind in counts} == counts
    assert "Changes from the published plan" in (out / "report.html").read_text()
    assert (out / "calendars" / "A9.ics").is_file()
    _check(ws, out)


def test_leave_after_publishing_takes_that_shift_and_the_checker_agrees(published: tuple[Path, Path], tmp_path: Path) -> None:
    _, before = published
    old = roster_shifts(read_roster(before / "roster.csv"))
    day = old["A2"][1].local_start_date(NYC)
    ws = make_workspace(tmp_path / "ws", requests=f"A2,{day},leave,,,\n")
    out = tmp_path / "replan"
    result = run("schedule", str(ws), "--out", str(out), "--published", str(before), *SOLVE)
    assert result.exit_code == 0, result.output
    changes = _changes(out)
    mine = changes[(changes["agent_id"] == "A2") & (changes["old_start"] == f"{old['A2'][1].start:%Y-%m-%dT%H:%M:%SZ}")]
    assert mine["change"].tolist() == ["removed"]
    assert mine["reason"].iloc[0].startswith("leave")
    assert (changes["change"] == "kept").sum() >= len(changes) * 0.85
    summary = json.loads((out / "summary.json").read_text())
    assert summary["requests"]["leave"] == {"granted": 1, "denied": 0}
    _check(ws, out)


def test_with_now_the_past_stays_and_nothing_is_added_before_it(published: tuple[Path, Path], tmp_path: Path) -> None:
    _, before = published
    ws = make_workspace(tmp_path / "ws", [*AGENTS[1:], "A9"])
    now = "2026-12-02T12:00:00Z"
    out = tmp_path / "replan"
    result = run("schedule", str(ws), "--out", str(out), "--published", str(before), "--now", now, *SOLVE)
    assert result.exit_code == 0, result.output
    old, new = (read_roster(plan / "roster.csv") for plan in (before, out))
    cut = pd.Timestamp(now)
    past = old[(old["agent_id"] != "A1") & (old["start"] < cut)].reset_index(drop=True)
    assert len(past) > 20
    assert new[new["start"] < cut].reset_index(drop=True).equals(past)  # every row before now, as published
    added = _changes(out).query("change == 'added'")
    assert len(added) >= 1 and (pd.to_datetime(added["new_start"], utc=True) >= cut).all()
    _check(ws, out)


def test_a_published_plan_of_another_week_is_one_line_and_exit_2(published: tuple[Path, Path], tmp_path: Path) -> None:
    ws, _ = published
    other = tmp_path / "other"
    other.mkdir()
    (other / "roster.csv").write_text(roster_text([("A1", "2026-12-08T14:00:00Z")]))
    out = tmp_path / "plan"
    result = run("schedule", str(ws), "--out", str(out), "--published", str(other), *SOLVE)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert lines == [
        "error: other/roster.csv row 2, column start: expected a shift of the plan week 2026-11-30 to 2026-12-06, got"
        " 2026-12-08T14:00Z (published: give the plan of this same week)"
    ]
    assert not out.exists()
    (other / "roster.csv").write_text(HEADER + "A1,phone-en,2026-12-01T14:00:00Z,soon,x,y\n")
    result = run("schedule", str(ws), "--out", str(out), "--published", str(other), *SOLVE)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: published other/roster.csv row 2, column end: expected an ISO-8601"), result.output
    (other / "roster.csv").write_text(HEADER)
    result = run("schedule", str(ws), "--out", str(out), "--published", str(other), *SOLVE)
    assert result.exit_code == 2, result.output
    assert result.output.strip() == "error: other/roster.csv: no shifts, so nothing to keep (plan the week without --published)"
    assert not out.exists()


def test_two_weeks_each_continued_from_the_one_before(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    out = tmp_path / "weeks"
    result = run("plan", str(ws), "--out", str(out), "--weeks", "2", *SOLVE)
    assert result.exit_code == 0, result.output
    first, second = out / str(WEEK), out / str(WEEK + dt.timedelta(days=7))
    assert sorted(p.name for p in out.iterdir()) == [first.name, second.name]
    for folder in (first, second):
        assert {"roster.csv", "coverage.csv", "summary.json", "report.html"} <= {p.name for p in folder.iterdir()}
    summary = json.loads((second / "summary.json").read_text())
    assert summary["week"] == second.name
    assert summary["previous"]["plan_dir"] == str(first.resolve())
    assert "previous" not in json.loads((first / "summary.json").read_text())
    _check(ws, first)
    _check(ws, second, "--previous", str(first))
    _check(ws, second)  # the folder its summary.json names


@pytest.mark.parametrize("weeks", ["0", "-1"])
def test_a_bad_number_of_weeks_is_one_line_and_exit_2(tmp_path: Path, weeks: str) -> None:
    ws = make_workspace(tmp_path / "ws")
    out = tmp_path / "weeks"
    result = run("plan", str(ws), "--out", str(out), "--weeks", weeks, *SOLVE)
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [f"error: --weeks: expected a whole number of weeks from 1 to 26, got {weeks}"]
    assert not out.exists()


def test_changes_pair_a_shift_at_other_hours_on_the_same_local_date(tmp_path: Path) -> None:
    ws = load_workspace(make_workspace(tmp_path / "ws"), with_history=False)
    old = roster_shifts(pd.read_csv(io.StringIO(roster_text([("A1", "2026-12-01T14:00:00Z"), ("A2", "2026-12-02T14:00:00Z")]))))
    new_text = roster_text([("A1", "2026-12-01T16:00:00Z"), ("A2", "2026-12-03T14:00:00Z"), ("A3", "2026-12-02T14:00:00Z")])
    new = pd.read_csv(io.StringIO(new_text))
    changes = changes_frame(old, new, ws, WEEK)
    assert changes[["agent_id", "change", "old_start", "new_start"]].values.tolist() == [
        ["A1", "moved", "2026-12-01T14:00:00Z", "2026-12-01T16:00:00Z"],
        ["A2", "removed", "2026-12-02T14:00:00Z", ""],
        ["A2", "added", "", "2026-12-03T14:00:00Z"],
        ["A3", "added", "", "2026-12-02T14:00:00Z"],
    ]


def test_a_folder_without_the_weeks_is_refused_with_weeks(published: tuple[Path, Path], tmp_path: Path) -> None:
    ws, before = published
    folder = tmp_path / "published"
    shutil.copytree(before, folder)
    out = tmp_path / "weeks"
    result = run("plan", str(ws), "--out", str(out), "--weeks", "2", "--published", str(folder), *SOLVE)
    assert result.exit_code == 2, result.output
    assert "no plan folder for any of the weeks" in result.output and "2026-11-30/" in result.output
    assert not out.exists()
