"""The weekly job on small drawn worlds it has never seen, through the real CLI.

Seven worlds of 10–40 agents from `wfm.synth.draw_world`, picked so that together they have every
interval length, rules profile (default, flexible, a drawn rules.toml with 4–10 h shifts), both
DST plan weeks and an ordinary one, UTC and local-offset history, Sydney's clock, tight and
loose headcount, part-time-heavy teams, email deadlines from 4 to 72 h, chat concurrency 1–3
and Erlang A phone queues. Each is planned once with `python -m wfm plan` (5 s, 6 s at 40
agents) and checked with `python -m wfm check`. For every world:

- `wfm plan` exits 0;
- `wfm check` finds no hard violation (exit 0);
- wfm's roster is never behind the greedy roster of the same plan (summary.json "baseline"),
  against the forecast, as summary.json scores both. The exact rule (`behind_greedy`): with v
  the share of phone/chat intervals on target averaged over the phone/chat queues that have
  contacts, v(wfm) ≥ v(greedy) − 0.005; and with e the share answered within the deadline of
  the worst email queue, e(wfm) ≥ min(e(greedy), the lowest email target) − 0.005 (meeting
  the target is never behind). Paid hours do not enter: at equal service wfm may pay more.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from wfm.synth import draw_world

pytestmark = pytest.mark.slow

# (seed, agents): together they have every shape listed above (see tests/test_synth.py for the
# generator's own tests).
WORLDS = [(125, 40), (143, 40), (110, 24), (101, 10), (107, 24), (100, 10), (102, 10)]
TOLERANCE = 0.005


@dataclass
class Planned:
    world: Path
    plan: Path
    exit_code: int
    stderr: str
    check_code: int | None = None
    check_output: str = ""


_CACHE: dict[tuple[int, int], Planned] = {}


def _wfm(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wfm", *args], capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture
def planned(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Planned:
    """The world of this test's (seed, agents), planned and checked once for all three tests."""
    seed, agents = request.param
    if (seed, agents) not in _CACHE:
        folder = tmp_path_factory.mktemp(f"world-{seed}-{agents}")
        world = draw_world(seed, agents, out=folder / "world")
        plan = folder / "plan"
        limit = 6 if agents > 24 else 5
        done = _wfm("plan", str(world), "--out", str(plan), "--time-limit", str(limit), timeout=20 * limit + 120)
        result = Planned(world, plan, done.returncode, done.stderr)
        if done.returncode == 0:
            checked = _wfm("check", str(world), str(plan), timeout=300)
            result.check_code, result.check_output = checked.returncode, checked.stdout + checked.stderr
        _CACHE[(seed, agents)] = result
    return _CACHE[(seed, agents)]


def _why(result: Planned) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return lines[-1] if lines else "(no stderr)"


def _plan_ok(result: Planned) -> None:
    assert result.exit_code == 0, f"wfm plan exit {result.exit_code}: {_why(result)}"


def behind_greedy(summary: dict[str, Any]) -> str | None:
    """Why wfm's roster is behind the greedy one by the rule of this module, or None."""
    ours, greedy = summary["queues"], summary["baseline"]["queues"]
    busy = {name: q["channel"] for name, q in ours.items() if q["contacts"] > 0}
    voice = [name for name, channel in busy.items() if channel != "email"]
    email = [name for name, channel in busy.items() if channel == "email"]
    assert voice, "every drawn world has a phone or chat queue with contacts"
    ours_voice = sum(ours[name]["intervals_meeting_target"] for name in voice) / len(voice)
    greedy_voice = sum(greedy[name]["intervals_meeting_target"] for name in voice) / len(voice)
    if ours_voice < greedy_voice - TOLERANCE:
        return f"phone/chat intervals on target: wfm {ours_voice:.4f}, greedy {greedy_voice:.4f}"
    if email:
        ours_email = min(ours[name]["service_level"] for name in email)
        greedy_email = min(greedy[name]["service_level"] for name in email)
        target = min(ours[name]["target"] for name in email)
        if ours_email < min(greedy_email, target) - TOLERANCE:
            return f"worst email queue within its deadline: wfm {ours_email:.4f}, greedy {greedy_email:.4f}"
    return None


@pytest.mark.parametrize("planned", WORLDS, indirect=True, ids=[f"seed{s}-{a}agents" for s, a in WORLDS])
def test_plan_exits_0(planned: Planned) -> None:
    _plan_ok(planned)
    assert (planned.plan / "roster.csv").is_file()


@pytest.mark.parametrize("planned", WORLDS, indirect=True, ids=[f"seed{s}-{a}agents" for s, a in WORLDS])
def test_check_finds_no_hard_violation(planned: Planned) -> None:
    _plan_ok(planned)
    assert planned.check_code == 0, planned.check_output[-2000:]


@pytest.mark.parametrize("planned", WORLDS, indirect=True, ids=[f"seed{s}-{a}agents" for s, a in WORLDS])
def test_never_behind_greedy(planned: Planned) -> None:
    _plan_ok(planned)
    summary = json.loads((planned.plan / "summary.json").read_text(encoding="utf-8"))
    assert behind_greedy(summary) is None, behind_greedy(summary)
