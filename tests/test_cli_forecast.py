"""`wfm forecast` through Typer's CliRunner against the real app, and once as a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm import synth
from wfm.cli.app import app
from wfm.cli.common import in_options
from wfm.forecast import INTRADAY_TIMES, intraday_columns, pooled_intraday

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, columns: int = 80) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)})


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth.make_world(tmp_path_factory.mktemp("cli") / "ws", agents=40, weeks=5)


def test_writes_forecast_csv(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("forecast", str(workspace), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "week of 2026-11-30" in result.output and f"wrote {out / 'forecast.csv'}" in result.output
    frame = pd.read_csv(out / "forecast.csv")
    assert list(frame.columns) == ["queue", "interval_start", "contacts", "aht_seconds", "contacts_p10", "contacts_p90"]
    assert (frame["contacts_p10"] <= frame["contacts_p90"]).all()
    busy = frame["contacts"] >= 10
    assert ((frame["contacts_p10"] < frame["contacts"]) & (frame["contacts"] < frame["contacts_p90"]))[busy].all()
    assert len(frame) == 6 * 7 * 96
    assert frame["interval_start"].str.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$").all()
    assert frame["interval_start"].iloc[0] == "2026-11-30T00:00:00Z"
    assert (frame["contacts"] >= 0).all() and (frame["aht_seconds"] > 0).all()
    assert [p.name for p in out.iterdir()] == ["forecast.csv"]


def test_week_model_and_backtest(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ("--week", "2026-11-23", "--model", "median_profile", "--backtest", "--backtest-weeks", "2")
    result = run("forecast", str(workspace), "--out", str(out), *args, columns=200)
    assert result.exit_code == 0, result.output
    assert "WAPE over the 2 weeks before 2026-11-23" in result.output
    for label in ("seasonal naive", "median profile", "holt profile", "auto", "all queues", "phone-en", "email-es"):
        assert label in result.output
    assert "median_profile " in result.output  # the forced model forecast every queue
    # This small world never forecasts 10 contacts in a quarter hour, so the interval has nothing to be judged on.
    assert "80% prediction interval: no busy intervals (forecast ≥ 10 contacts) to judge it on" in result.output
    frame = pd.read_csv(out / "forecast.csv")
    assert frame["interval_start"].iloc[0] == "2026-11-23T00:00:00Z"
    # The figures printed are backtest.csv's: per model and queue, the re-forecast at 10:00 and noon for the forced model.
    scores = pd.read_csv(out / "backtest.csv")
    intraday = [column for at in INTRADAY_TIMES for column in intraday_columns(at)]
    assert list(scores.columns) == [
        "model",
        "queue",
        "weeks",
        "contacts",
        "abs_error",
        "wape",
        "busy_intervals",
        "coverage",
        *intraday,
    ]
    assert len(scores) == 7 * 6 and set(scores.loc[scores["now_1200_days"] > 0, "model"]) == {"median_profile"}
    rated = scores[scores["model"] == "median_profile"]
    assert (rated["now_1200_days"] == 14).all() and (rated["now_1000_days"] == 14).all()
    for at in INTRADAY_TIMES:
        pooled = pooled_intraday(scores, at)
        assert pooled is not None and 0.5 < pooled["ratio"] < 1.5
        line = f"Re-forecast at {at:%H:%M} (queue's clock, median_profile), the rest of 84 queue-days: WAPE {pooled['wape']:.1%}"
        assert f"{line} against the week-ahead's {pooled['week_ahead_wape']:.1%} ({pooled['ratio']:.3f} ×)" in result.output
    assert f"phone-en {rated['now_1200_ratio'].iloc[0]:.3f} ×" in result.output
    assert f"wrote {out / 'backtest.csv'}" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "holt_profil"], "error: --model: unknown model 'holt_profil' (did you mean 'holt_profile'?)"),
        (["--week", "2026-12-01"], "error: --week: expected a Monday, got 2026-12-01 (Tue)"),
        (["--week", "soon"], "error: --week: expected a date like 2026-11-30, got 'soon'"),
        (["--fill-gaps", "mean"], "error: --fill-gaps: expected one of zero, skip, got 'mean'"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(workspace: Path, tmp_path: Path, args: list[str], message: str) -> None:
    result = run("forecast", str(workspace), "--out", str(tmp_path / "out"), *args)
    assert result.exit_code == 2
    assert result.output.strip() == message
    assert not (tmp_path / "out").exists()


def test_a_setting_is_named_by_its_option_only_where_the_command_has_one() -> None:
    from wfm.cli.common import error_line
    from wfm.cli.forecast import forecast
    from wfm.cli.plan import init
    from wfm.errors import InputError

    error = InputError("{out} team: exists and is not a folder", out="output folder")
    assert str(error) == "output folder team: exists and is not a folder"
    assert error_line(error, forecast) == "--out team: exists and is not a folder"
    assert error_line(error, init) == "output folder team: exists and is not a folder"


def test_a_note_names_the_option_as_errors_do(tmp_path: Path) -> None:
    """History without zero rows reads its one gap as no contacts; the note says how to read it
    as lost data in the library's words, the command line in its option's."""
    from tests.test_week_after_week import write_workspace
    from wfm.cli.forecast import forecast
    from wfm.cli.plan import demo
    from wfm.errors import Note
    from wfm.forecast import forecast_queues
    from wfm.workspace import load_workspace

    ws = write_workspace(tmp_path / "ws")
    lines = (ws / "history.csv").read_text().splitlines()
    lines = [line for line in lines if not line.endswith(",0,300") and not line.startswith("phone-en,2026-11-24T15:00")]
    (ws / "history.csv").write_text("\n".join(lines) + "\n")
    (note,) = forecast_queues(load_workspace(ws), None)[0].notes
    assert isinstance(note, Note) and 'pass fill_gaps="skip" if the data was lost' in note
    assert "pass --fill-gaps skip if" in in_options(note, forecast) and 'pass fill_gaps="skip"' in in_options(note, demo)
    result = run("forecast", str(ws), "--out", str(tmp_path / "out"), columns=300)
    assert result.exit_code == 0, result.output
    assert f"note: {note.worded({'fill_gaps': '--fill-gaps'})}\n" in result.output


def _copy(workspace: Path, target: Path) -> Path:
    target.mkdir()
    for name in ("wfm.toml", "agents.csv", "history.csv", "special_days.csv"):
        (target / name).write_bytes((workspace / name).read_bytes())
    return target


def test_gap_fails_cleanly_then_fill_gaps_repairs(workspace: Path, tmp_path: Path) -> None:
    ws = _copy(workspace, tmp_path / "ws")
    lines = (ws / "history.csv").read_text().splitlines()
    dropped = next(i for i, line in enumerate(lines) if line.startswith("phone-en,2026-11-24T15:00:00Z"))
    del lines[dropped]
    (ws / "history.csv").write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "forecast.csv").write_text("previous\n")
    result = run("forecast", str(ws), "--out", str(out))
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith(
        "error: history.csv, queue 'phone-en': no row for 2026-11-24T15:00:00Z (Tue 10:00 in America/New_York)"
    )
    assert "--fill-gaps zero" in result.output
    assert (out / "forecast.csv").read_text() == "previous\n"  # nothing half-written, the old file intact
    repaired = run("forecast", str(ws), "--out", str(out), "--fill-gaps", "zero")
    assert repaired.exit_code == 0, repaired.output
    assert (out / "forecast.csv").read_text().startswith("queue,interval_start,contacts,aht_seconds,contacts_p10,contacts_p90\n")


def test_off_grid_row_names_file_row_and_column(workspace: Path, tmp_path: Path) -> None:
    ws = _copy(workspace, tmp_path / "ws")
    lines = (ws / "history.csv").read_text().splitlines()
    lines[1233] = (
        lines[1233]
        .replace(":15:00Z", ":07:00Z")
        .replace(":45:00Z", ":37:00Z")
        .replace(":00:00Z", ":07:00Z")
        .replace(":30:00Z", ":22:00Z")
    )
    (ws / "history.csv").write_text("\n".join(lines) + "\n")
    stamp = lines[1233].split(",")[1]
    result = run("forecast", str(ws), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.output.startswith(f"error: history.csv row 1234, column interval_start: {stamp} is off the 15-minute grid")


def test_runs_as_a_subprocess(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "forecast", str(workspace), "--out", str(out), "--model", "seasonal_naive"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "forecast.csv").is_file()
    bad = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "forecast", str(tmp_path / "missing"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error: ") and bad.stderr.count("\n") == 1


def test_now_picks_the_week_holding_it_and_says_how_today_went(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("forecast", str(workspace), "--now", "2026-12-02T12:00:00+01:00", "--out", str(out), columns=200)
    assert result.exit_code == 0, result.output
    assert "week of 2026-11-30" in result.output
    # The history stops before the plan week, so nothing was counted today: every queue keeps its forecast.
    assert "today so far 0 contacts" in result.output and "× 1.000" in result.output
    frame = pd.read_csv(out / "forecast.csv")
    assert frame["interval_start"].iloc[0] == "2026-11-30T00:00:00Z" and len(frame) == 6 * 7 * 96


@pytest.mark.parametrize(
    ("now", "message"),
    [
        ("2026-12-02T12:00", "--now: expected an ISO-8601 time with offset or Z"),
        ("noon", "--now: expected an ISO-8601 time with offset or Z"),
        ("2026-12-09T12:00:00Z", "--now: expected a time inside the plan week 2026-11-30T00:00:00Z to 2026-12-07T00:00:00Z"),
    ],
)
def test_bad_now_is_one_line_and_exit_2(workspace: Path, tmp_path: Path, now: str, message: str) -> None:
    out = tmp_path / "out"
    result = run("forecast", str(workspace), "--week", "2026-11-30", "--now", now, "--out", str(out), columns=300)
    assert result.exit_code == 2, result.output
    assert result.output.strip().startswith(f"error: {message}") and result.output.strip().count("\n") == 0
    assert not out.exists()


def test_schedule_takes_now_and_plans_the_week_holding_it(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = run("schedule", str(workspace), "--now", "2026-12-02T12:00:00Z", "--time-limit", "5", "--out", str(out), columns=200)
    assert result.exit_code == 0, result.output
    assert "week of 2026-11-30" in result.output
    forecast = pd.read_csv(out / "forecast.csv")
    assert list(forecast.columns)[-2:] == ["contacts_p10", "contacts_p90"]
    assert forecast["interval_start"].iloc[0] == "2026-11-30T00:00:00Z"
    bad = run("schedule", str(workspace), "--now", "tomorrow", "--out", str(tmp_path / "bad"))
    assert bad.exit_code == 2 and bad.output.startswith("error: --now: expected an ISO-8601 time")
