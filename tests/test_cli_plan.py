"""`wfm plan`, `schedule`, `requirements`, `demo` and `init` through Typer's CliRunner against the
real app, and as subprocesses (`python cli.py ...` from a checkout, `python -m wfm ...`)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm import synth
from wfm.cli.app import app
from wfm.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[1]
SOLVE = ["--time-limit", "5"]


def run(*args: str, columns: int = 160) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)})


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth.make_world(tmp_path_factory.mktemp("cli-plan") / "ws", agents=30, weeks=4)


def _subprocess(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "160"}  # tables as wide as under CliRunner
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def plan_dir(world: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python cli.py plan ...` from the checkout: the plan the other tests read."""
    out = tmp_path_factory.mktemp("plans") / "plan"
    done = _subprocess("cli.py", "plan", str(world), "--out", str(out), *SOLVE, "--seed", "1")
    assert done.returncode == 0, done.stderr
    (out / "stdout.txt").write_text(done.stdout, encoding="utf-8")
    return out


def test_cli_py_plan_writes_the_weekly_job(plan_dir: Path) -> None:
    output = (plan_dir / "stdout.txt").read_text(encoding="utf-8")
    assert "Plan, week of 2026-11-30" in output
    for label in ("phone-en", "email-es", "service level", "intervals on target", "greedy SL", "paid hours", "gap"):
        assert label in output, label
    assert f"report: {plan_dir / 'report.html'}" in output
    for name in ("forecast.csv", "requirements.csv", "roster.csv", "coverage.csv", "summary.json", "report.html"):
        assert (plan_dir / name).is_file(), name
    assert (plan_dir / "calendars" / "team.ics").is_file()
    summary = json.loads((plan_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["week"] == "2026-11-30" and summary["solver"]["seed"] == 1 and "baseline" in summary


def test_python_m_wfm_schedule_from_a_requirements_file(plan_dir: Path, world: Path, tmp_path: Path) -> None:
    out = tmp_path / "roster"
    done = _subprocess(
        "-m", "wfm", "schedule", str(world), "--requirements", str(plan_dir / "requirements.csv"), "--out", str(out), *SOLVE
    )
    assert done.returncode == 0, done.stderr
    assert "Roster, week of 2026-11-30" in done.stdout
    names = sorted(p.name for p in out.iterdir())
    assert names == ["coverage.csv", "forecast.csv", "requirements.csv", "roster.csv", "summary.json"]
    given = pd.read_csv(plan_dir / "requirements.csv")
    used = pd.read_csv(out / "requirements.csv")
    assert given["agents"].tolist() == used["agents"].tolist()


def test_check_passes_on_the_written_plan(plan_dir: Path, world: Path) -> None:
    result = run("check", str(world), str(plan_dir))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok:")


def test_requirements_from_history_and_from_a_forecast(plan_dir: Path, world: Path, tmp_path: Path) -> None:
    result = run("requirements", str(world), "--out", str(tmp_path / "a"))
    assert result.exit_code == 0, result.output
    assert "Requirements, week of 2026-11-30" in result.output and "agent-hours" in result.output
    frame = pd.read_csv(tmp_path / "a" / "requirements.csv")
    assert list(frame.columns)[:5] == ["queue", "interval_start", "contacts", "aht_seconds", "agents"]
    assert len(frame) == 6 * 7 * 96

    result = run("requirements", str(world), "--forecast", str(plan_dir / "forecast.csv"), "--out", str(tmp_path / "b"))
    assert result.exit_code == 0, result.output
    again = pd.read_csv(tmp_path / "b" / "requirements.csv")
    assert again["interval_start"].tolist() == frame["interval_start"].tolist()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--time-limit", "0"], "error: --time-limit: expected a number of seconds > 0, got 0"),
        (["--seed", "-1"], "error: --seed: expected a whole number from 0 to 2147483647, got -1"),
        (["--simulate", "1"], "error: --simulate: expected 0 (no simulation) or 2 to 10000 runs, got 1"),
        (["--week", "2026-12-01"], "error: --week: expected a Monday, got 2026-12-01 (Tue)"),
        (["--week", "next"], "error: --week: expected a date like 2026-11-30, got 'next'"),
        (["--model", "holt"], "error: --model: unknown model 'holt'"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(world: Path, tmp_path: Path, args: list[str], message: str) -> None:
    result = run("plan", str(world), "--out", str(tmp_path / "out"), *args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), result.output
    assert not (tmp_path / "out").exists()


def test_schedule_takes_one_given_stage(world: Path, plan_dir: Path, tmp_path: Path) -> None:
    given = ["--forecast", str(plan_dir / "forecast.csv"), "--requirements", str(plan_dir / "requirements.csv")]
    result = run("schedule", str(world), *given, "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.output.strip() == "error: --forecast, --requirements: give one of them, not both"


def _infeasible(world: Path, target: Path) -> Path:
    """A copy of `world` whose first agent may work 22:00–02:00 only but is contracted for 30 h."""
    target.mkdir()
    for name in ("wfm.toml", "history.csv", "special_days.csv"):
        (target / name).write_bytes((world / name).read_bytes())
    with (world / "agents.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0].update(available_from="22:00", available_to="02:00", min_hours_week="30", max_hours_week="")
    with (target / "agents.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target


def test_infeasible_rules_exit_3_naming_agent_and_rule(world: Path, plan_dir: Path, tmp_path: Path) -> None:
    ws = _infeasible(world, tmp_path / "ws")
    agent = load_workspace(ws).agents[0].agent_id
    before = (plan_dir / "roster.csv").read_bytes()
    result = run("plan", str(ws), "--out", str(plan_dir), *SOLVE)
    assert result.exit_code == 3, result.output
    assert result.output.startswith("error: the hard rules cannot all hold")
    assert agent in result.output and "22:00–02:00" in result.output
    assert "min_hours_week" in result.output and "shift_length" in result.output
    assert (plan_dir / "roster.csv").read_bytes() == before  # the previous plan stays


def test_a_bad_workspace_leaves_the_previous_plan_untouched(world: Path, plan_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in ("wfm.toml", "agents.csv", "special_days.csv"):
        (bad / name).write_bytes((world / name).read_bytes())
    (bad / "history.csv").write_text("queue,interval_start,contacts,aht_seconds\nphone-en,2026-11-02T00:00:00Z,-2,300\n")
    before = {p.name: p.read_bytes() for p in plan_dir.iterdir() if p.is_file()}
    result = run("plan", str(bad), "--out", str(plan_dir), *SOLVE)
    assert result.exit_code == 2
    assert result.output.strip() == "error: history.csv row 2, column contacts: expected a number ≥ 0, got '-2'"
    assert {p.name: p.read_bytes() for p in plan_dir.iterdir() if p.is_file()} == before


def test_init_then_plan_through_cli_runner(tmp_path: Path) -> None:
    team = tmp_path / "team"
    result = run("init", str(team))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in team.iterdir()) == ["README.md", "agents.csv", "history.csv", "special_days.csv", "wfm.toml"]
    toml = (team / "wfm.toml").read_text(encoding="utf-8")
    for key in (
        "interval_minutes",
        "rules",
        "# week",
        "name",
        "channel",
        "timezone",
        "service_level",
        "answer_seconds",
        "concurrency",
        "patience_seconds",
        "# max_occupancy",
        "respond_within_hours",
    ):
        assert key in toml, key
    load_workspace(team)

    again = run("init", str(team))
    assert again.exit_code == 2
    assert again.output.startswith(f"error: {team}: not empty") and len(again.output.strip().splitlines()) == 1

    out = tmp_path / "team-plan"
    planned = run("plan", str(team), "--out", str(out), *SOLVE)
    assert planned.exit_code == 0, planned.output
    assert f"report: {out / 'report.html'}" in planned.output and "greedy SL" in planned.output
    assert (out / "report.html").is_file() and (out / "calendars" / "team.ics").is_file()


def test_init_into_an_empty_folder_and_not_onto_a_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("init", str(empty)).exit_code == 0
    assert (empty / "wfm.toml").is_file()
    afile = tmp_path / "file"
    afile.write_text("x")
    result = run("init", str(afile))
    assert result.exit_code == 2 and "is not a folder" in result.output


def test_demo_plans_the_sample(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = run("demo", "--out", str(out), "--time-limit", "10")
    assert result.exit_code == 0, result.output
    assert "planning the sample workspace" in result.output
    assert f"report: {out / 'report.html'}" in result.output
    assert (out / "report.html").is_file() and (out / "calendars" / "team.ics").is_file()


@pytest.mark.parametrize(
    ("command", "first_line"),
    [
        ("plan", "The weekly job: forecast, staffing, roster, calendars and report for the plan week."),
        ("schedule", "Build the roster for the plan week"),
        ("requirements", "Size staff for every queue and interval of the plan week"),
        ("demo", "Plan the shipped sample workspace"),
        ("init", "Write a starter workspace"),
    ],
)
def test_help_comes_from_the_docstring(command: str, first_line: str) -> None:
    result = run(command, "--help", columns=200)
    assert result.exit_code == 0
    assert first_line in result.output
    assert "Example: wfm" in result.output


# ----------------------------------------------------------------------------- more subprocesses


def test_python_m_wfm_init_requirements_and_exit_3(world: Path, tmp_path: Path) -> None:
    team = tmp_path / "team"
    done = _subprocess("-m", "wfm", "init", str(team))
    assert done.returncode == 0, done.stderr
    done = _subprocess("-m", "wfm", "requirements", str(team), "--out", str(tmp_path / "req"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "req" / "requirements.csv").is_file()

    ws = _infeasible(world, tmp_path / "infeasible")
    done = _subprocess("-m", "wfm", "plan", str(ws), "--out", str(tmp_path / "out"), *SOLVE)
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith("error: the hard rules cannot all hold") and "min_hours_week" in done.stderr
    assert done.stdout == "" and not (tmp_path / "out").exists()


@pytest.mark.slow
def test_the_wheel_carries_the_sample_and_the_profiles(tmp_path: Path) -> None:
    import zipfile

    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if (
        done.returncode != 0
        and "hatchling" in done.stdout + done.stderr
        and "No matching distribution" in done.stdout + done.stderr
    ):
        pytest.skip("no network to fetch the build backend (hatchling)")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (wheel,) = tmp_path.glob("wfm-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "wfm/_data/constraints/default.toml",
        "wfm/_data/constraints/flexible.toml",
        "wfm/_data/forecasts/global-support/wfm.toml",
        "wfm/_data/forecasts/global-support/agents.csv",
        "wfm/_data/forecasts/global-support/history.csv",
        "wfm/pipeline.py",
        "wfm/cli/plan.py",
    ):
        assert name in names, name

    # Unpacked away from the checkout, the package finds its own copy of the sample.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "from wfm import paths; from wfm.workspace import load_workspace; print(load_workspace(paths.sample_workspace()).root)"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {probe}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(site / "wfm" / "_data" / "forecasts" / "global-support")


@pytest.mark.slow
@pytest.mark.parametrize("after_seconds", [4.0, 9.0])
def test_ctrl_c_keeps_the_best_roster_and_says_so(world: Path, tmp_path: Path, after_seconds: float) -> None:
    """Ctrl-C at any stage of the solve (the first press lands in preparation or the relaxation
    on most machines, the second later): the command still writes a legal plan, and its
    summary says it was interrupted and is not repeatable."""
    import signal
    import time

    out = tmp_path / "plan"
    env = {**os.environ, "COLUMNS": "160"}
    process = subprocess.Popen(
        [sys.executable, "-m", "wfm", "schedule", str(world), "--out", str(out), "--time-limit", "120"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(after_seconds)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)  # a guard against a hang, not a speed test
    if process.returncode == 130:  # pressed before the roster stage: nothing written, one line
        assert stderr.strip().splitlines()[-1] == "interrupted"
        assert not out.exists()
        return
    assert process.returncode == 0, stderr
    solver = json.loads((out / "summary.json").read_text(encoding="utf-8"))["solver"]
    assert solver["interrupted"] is True
    assert solver["repeatable"] is False
    assert solver["seconds"] < 120
    checked = _subprocess("-m", "wfm", "check", str(world), str(out))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_plan_simulate_prints_the_simulated_level_beside_erlang(world: Path, tmp_path: Path) -> None:
    out = tmp_path / "simulated"
    result = run("plan", str(world), "--out", str(out), *SOLVE, "--simulate", "3", columns=200)
    assert result.exit_code == 0, result.output
    simulated = json.loads((out / "simulation.json").read_text(encoding="utf-8"))
    assert simulated["runs"] == 3
    table = result.output[result.output.index("Simulated week of 2026-11-30: 3 runs, seed 0") :]
    for name, queue in simulated["queues"].items():
        row = next(line for line in table.splitlines() if f" {name} " in line)
        assert f"{queue['service_level']:.1%}" in row, row
        assert f"{queue['erlang_service_level']:.1%}" in row, row
