"""`wfm erlang` through Typer's CliRunner against the real app, and once as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from wfm.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
C1 = ["erlang", "--contacts", "100", "--interval-minutes", "30", "--aht", "180"]


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def as_json(*args: str) -> dict[str, Any]:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_sizes_the_reference_case() -> None:
    data = as_json(*C1)
    assert data["agents"] == 14
    assert data["traffic_erlangs"] == pytest.approx(10.0)
    assert data["service_level"] == pytest.approx(0.8883500191794669, rel=1e-12)
    assert data["probability_wait"] == pytest.approx(0.1741319335950498, rel=1e-12)
    assert data["occupancy"] == pytest.approx(0.7142857142857143)
    assert data["asa_seconds"] == pytest.approx(7.8359, abs=1e-4)
    assert data["abandon_rate"] is None
    assert data["mode"] == "sized" and data["model"] == "erlang_c" and data["meets_target"] is True


def test_shrinkage_and_occupancy_cap() -> None:
    assert as_json(*C1, "--max-occupancy", "0.85", "--shrinkage", "0.3")["agents_with_shrinkage"] == 20
    capped = as_json(*C1, "--max-occupancy", "0.7", "--shrinkage", "0.3")
    assert (capped["agents"], capped["agents_with_shrinkage"]) == (15, 22)


def test_patience_sizes_and_evaluates_with_erlang_a() -> None:
    sized = as_json(*C1, "--patience", "300", "--max-occupancy", "0.85", "--shrinkage", "0.3")
    assert (sized["agents"], sized["agents_with_shrinkage"], sized["model"]) == (13, 19, "erlang_a")
    evaluated = as_json(*C1, "--patience", "300", "--agents", "14")
    assert evaluated["mode"] == "evaluated"
    assert round(evaluated["abandon_rate"], 6) == 0.013984
    assert round(evaluated["service_level"], 6) == 0.916792
    assert round(evaluated["asa_seconds"] / 60, 6) == 0.069919


def test_evaluating_too_few_agents() -> None:
    data = as_json(*C1, "--agents", "9")
    assert (data["service_level"], data["probability_wait"], data["occupancy"]) == (0.0, 1.0, 1.0)
    assert data["asa_seconds"] is None  # infinite: JSON has no infinity
    assert data["meets_target"] is False


def test_chat_concurrency() -> None:
    data = as_json(
        "erlang", "--contacts", "60", "--interval-minutes", "15", "--aht", "360", "--answer-seconds", "30", "--concurrency", "3"
    )
    assert data["servers"] == 3 * data["agents"]
    assert data["occupancy"] == pytest.approx(data["traffic_erlangs"] / data["servers"])


def test_zero_contacts() -> None:
    data = as_json("erlang", "--contacts", "0", "--interval-minutes", "15", "--aht", "300")
    assert (data["agents"], data["service_level"], data["asa_seconds"]) == (0, 1.0, 0.0)


def test_table_output() -> None:
    result = run(*C1, "--shrinkage", "0.3", "--max-occupancy", "0.85")
    assert result.exit_code == 0, result.output
    for text in ("Erlang C", "agents on queue", "14", "agents with 30% shrinkage", "20", "88.8%", "71.4%"):
        assert text in result.stdout
    patient = run(*C1, "--patience", "300", "--agents", "14")
    assert "Erlang A" in patient.stdout and "abandon rate" in patient.stdout and "1.4%" in patient.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--service-level", "1.5"], "--service-level: expected a fraction between 0 and 1, got 1.5"),
        (["--service-level", "0"], "--service-level: expected a fraction between 0 and 1, got 0"),
        (["--contacts", "-5"], "--contacts: expected a number of contacts ≥ 0, got -5"),
        (["--aht", "0"], "--aht: expected a positive number of seconds, got 0"),
        (["--interval-minutes", "-15"], "--interval-minutes: expected a positive number of minutes, got -15"),
        (["--answer-seconds", "-1"], "--answer-seconds: expected a number of seconds ≥ 0, got -1"),
        (["--concurrency", "0"], "--concurrency: expected a whole number ≥ 1, got 0"),
        (["--patience", "0"], "--patience: expected a positive number of seconds, got 0"),
        (["--max-occupancy", "1.2"], "--max-occupancy: expected a fraction above 0 and at most 1, got 1.2"),
        (["--shrinkage", "1"], "--shrinkage: expected a fraction from 0 up to (not including) 1, got 1"),
        (["--agents", "-1"], "--agents: expected a whole number of agents ≥ 0, got -1"),
        (["--contacts", "1e12"], "--contacts: 1e+12 contacts of 180 s in 30 min is"),
    ],
)
def test_bad_options_give_one_line_and_exit_2(args: list[str], message: str) -> None:
    base = dict(zip(C1[1::2], C1[2::2], strict=True))
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = run("erlang", *[part for item in base.items() for part in item])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {message}")
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_help_page() -> None:
    result = run("erlang", "--help")
    assert result.exit_code == 0
    assert "fewest on-queue agents" in result.stdout
    assert "--patience" in result.stdout


def test_runs_as_a_subprocess_from_the_checkout() -> None:
    completed = subprocess.run(
        [sys.executable, "cli.py", *C1, "--json"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["agents"] == 14
    bad = subprocess.run(
        [sys.executable, "-m", "wfm", *C1, "--service-level", "1.5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == "error: --service-level: expected a fraction between 0 and 1, got 1.5 (e.g. 0.8)"
