"""The roster on worlds it has never seen: a seeded sweep of drawn workspaces through the real CLI.

    .venv/bin/python benchmarks/bench_worlds.py                   # 40 worlds, 10-1,200 agents
    .venv/bin/python benchmarks/bench_worlds.py --quick           # 8 worlds of 10-40 agents
    .venv/bin/python benchmarks/bench_worlds.py --sizes 10,15 --limit-scale 0.5 --json out.json
    .venv/bin/python benchmarks/bench_worlds.py --seeds 3,17 --keep /tmp/worlds

World i of the sweep is `wfm.synth.draw_world(seed=i, agents=SWEEP[i])`: its shape (interval,
queues, zones, rules, contracts, headcount, plan week, history) is drawn from the seed, and its
expected demand for the plan week is in WORLD/truth/truth.csv. For each world the script runs
`python -m wfm plan WORLD --out PLAN --time-limit T` (T by size: 60 s up to 100 agents, 120 s up
to 200, 180 s up to 400, 600 s above, times --limit-scale) and `python -m wfm check WORLD PLAN`,
each as its own process, and prints one row:

- exit: the plan's exit status (and the first line of its stderr, or its last traceback line,
  when not 0); viol: hard violations `wfm check` reports;
- true on-target wfm | greedy: phone/chat intervals on target against the TRUE demand (wfm's
  requirements stage run on truth.csv), averaged over phone/chat queues, for the written
  roster.csv and for `wfm.roster.greedy_baseline` built on the plan's own requirements.csv;
- fcst on-target wfm | greedy: the same against the forecast, as summary.json reports them;
- email wfm | greedy: the worst email queue's share answered within its deadline, true demand;
- paid/LB wfm | greedy: paid hours over the lower bound of the true demand
  (`wfm.pipeline.lower_bound_paid_hours`);
- s: wall-clock seconds of `wfm plan`.

Then min, median and max per size class. A crash of wfm (any exit status, a timeout) is recorded
and the sweep goes on. Worlds run one at a time: the machine is shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
from scoring import score_against, true_requirements, voice_on_target

from wfm.check import read_plan
from wfm.pipeline import plan_requirements, read_requirements, roster_requirements
from wfm.roster import greedy_baseline
from wfm.synth import draw_spec, draw_world
from wfm.workspace import Workspace, load_workspace

# Team size of world i: most are small, as most contact centres are.
SWEEP: tuple[int, ...] = (
    *(10, 15, 24, 40, 10, 15, 24, 40, 60, 80),
    *(10, 15, 24, 40, 60, 80, 120, 10, 15, 24),
    *(40, 60, 80, 120, 200, 380, 10, 15, 24, 40),
    *(60, 80, 120, 200, 380, 1200, 10, 15, 24, 1200),
)
QUICK: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6, 7)  # 10, 15, 24, 40 agents, twice
COLUMNS = (
    "seed",
    "agents",
    "shape",
    "exit",
    "viol",
    "true on-target wfm",
    "greedy",
    "fcst on-target wfm",
    "fcst greedy",
    "email wfm",
    "email greedy",
    "paid/LB wfm",
    "paid/LB greedy",
    "s",
)
NUMERIC = COLUMNS[5:]


def time_limit(agents: int, scale: float) -> float:
    base = 60.0 if agents <= 100 else 120.0 if agents <= 200 else 180.0 if agents <= 400 else 600.0
    return round(base * scale, 1)


def size_class(agents: int) -> str:
    for upper, label in ((15, "10-15"), (40, "24-40"), (100, "60-100"), (200, "120-200"), (400, "380")):
        if agents <= upper:
            return label
    return "1200"


def wfm_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "wfm", *args]


def failure_line(stderr: str) -> str:
    """What says why: a traceback's last line, else the first three non-empty lines (exit 3 names
    the clashing rules and agents after its first line)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if any(line.startswith("Traceback") for line in lines):
        return lines[-1]
    return " / ".join(lines[:3])


def run(command: list[str], timeout: float) -> tuple[int | str, str, str, float]:
    """(exit status or "timeout", stdout, stderr, seconds); never raises for the command's failure."""
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
        return "timeout", out, err, time.perf_counter() - started
    return done.returncode, done.stdout, done.stderr, time.perf_counter() - started


def hard_violations(status: int | str, stdout: str) -> int | str:
    """Hard violations from `wfm check`'s output: 0 when it passed, the count it prints when not."""
    if status == 0:
        return 0
    found = re.search(r"\((\d+) hard", stdout)
    if status == 1 and found:
        return int(found.group(1))
    return f"check exit {status}"


def forecast_figures(summary: dict[str, Any]) -> dict[str, float | None]:
    """summary.json's own phone/chat intervals on target (against the forecast), wfm and greedy."""
    queues = summary.get("queues", {})
    channels = {name: q["channel"] for name, q in queues.items() if q.get("contacts", 0) > 0}
    baseline = summary.get("baseline", {}).get("queues", {})
    return {"wfm": voice_on_target(queues), "greedy": voice_on_target(baseline, channels)}


def greedy_roster(ws: Workspace, plan: Path, week: dt.date) -> pd.DataFrame:
    """The greedy roster for the plan's requirements (requirements.csv, or the forecast when the
    plan wrote nothing)."""
    path = plan / "requirements.csv"
    requirements = read_requirements(path, ws) if path.is_file() else plan_requirements(ws, week)[2]
    return greedy_baseline(ws, roster_requirements(requirements, ws.plan.shrinkage), week).roster


def one_world(seed: int, agents: int, folder: Path, scale: float) -> dict[str, Any]:
    row: dict[str, Any] = {"seed": seed, "agents": agents}
    world = folder / f"world-{seed}"
    plan = folder / f"plan-{seed}"
    try:
        draw_world(seed, agents, out=world)
    except Exception as exc:  # the generator's own failure is a finding too
        row |= {"shape": "", "exit": "draw failed", "error": f"{type(exc).__name__}: {exc}"}
        return row
    spec = draw_spec(seed, agents)
    row["shape"] = " ".join(spec.tags())
    limit = time_limit(agents, scale)
    status, _, stderr, seconds = run(
        wfm_command("plan", str(world), "--out", str(plan), "--time-limit", f"{limit:g}"), timeout=3 * limit + 300
    )
    row |= {"exit": status, "s": round(seconds, 1), "limit": limit}
    if status != 0:
        row["error"] = failure_line(stderr)
    try:
        ws = load_workspace(world)
        week = spec.plan_week
        truth = true_requirements(ws, world)
        greedy = score_against(greedy_roster(ws, plan, week), truth, ws, week)
        row |= {"true greedy": greedy["on_target"], "email greedy": greedy["email"], "paid/LB greedy": greedy["paid_over_bound"]}
        if status == 0:
            checked, out, err, _ = run(wfm_command("check", str(world), str(plan)), timeout=600)
            row["viol"] = hard_violations(checked, out + err)
            ours = score_against(read_plan(plan), truth, ws, week)
            summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
            forecast = forecast_figures(summary)
            row |= {
                "true wfm": ours["on_target"],
                "email wfm": ours["email"],
                "paid/LB wfm": ours["paid_over_bound"],
                "fcst wfm": forecast["wfm"],
                "fcst greedy": forecast["greedy"],
                "chosen": summary.get("solver", {}).get("chosen"),
            }
    except Exception as exc:  # scoring must not end the sweep either
        row["score_error"] = f"{type(exc).__name__}: {exc}"
    return row


def table_row(row: dict[str, Any]) -> dict[str, Any]:
    def shown(value: Any) -> Any:
        return "" if value is None else round(value, 3) if isinstance(value, float) else value

    return {
        "seed": row["seed"],
        "agents": row["agents"],
        "shape": row.get("shape", ""),
        "exit": row.get("exit", ""),
        "viol": row.get("viol", ""),
        "true on-target wfm": shown(row.get("true wfm")),
        "greedy": shown(row.get("true greedy")),
        "fcst on-target wfm": shown(row.get("fcst wfm")),
        "fcst greedy": shown(row.get("fcst greedy")),
        "email wfm": shown(row.get("email wfm")),
        "email greedy": shown(row.get("email greedy")),
        "paid/LB wfm": shown(row.get("paid/LB wfm")),
        "paid/LB greedy": shown(row.get("paid/LB greedy")),
        "s": shown(row.get("s")),
    }


def size_summary(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """min / median / max of each figure per size class, with how many worlds ran and crashed."""
    out = []
    table = [table_row(row) for row in rows]
    for label in dict.fromkeys(size_class(row["agents"]) for row in sorted(rows, key=lambda r: r["agents"])):
        members = [t for t, r in zip(table, rows, strict=True) if size_class(r["agents"]) == label]
        crashed = sum(1 for t in members if t["exit"] != 0)
        violated = sum(1 for t in members if isinstance(t["viol"], int) and t["viol"] > 0)
        for statistic, pick in (("min", min), ("median", statistics.median), ("max", max)):
            line: dict[str, Any] = {"size": label, "worlds": len(members), "crashed": crashed, "violating": violated}
            line["stat"] = statistic
            for column in NUMERIC:
                values = [t[column] for t in members if isinstance(t[column], int | float) and not isinstance(t[column], bool)]
                line[column] = round(float(pick(values)), 3) if values else ""
            out.append(line)
    return pd.DataFrame(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 small worlds (10-40 agents)")
    parser.add_argument("--seeds", help="comma-separated seeds (worlds of the sweep; their size from the sweep)")
    parser.add_argument("--sizes", help="comma-separated team sizes to keep (others are skipped)")
    parser.add_argument("--limit-scale", type=float, default=1.0, help="multiply every time limit")
    parser.add_argument("--json", type=Path, help="save every world's figures and the size summary here")
    parser.add_argument("--keep", type=Path, help="write worlds and plans here instead of a temporary folder")
    args = parser.parse_args(argv)

    seeds = [int(part) for part in args.seeds.split(",")] if args.seeds else list(QUICK if args.quick else range(len(SWEEP)))
    sizes = {int(part) for part in args.sizes.split(",")} if args.sizes else None
    worlds = [(seed, SWEEP[seed % len(SWEEP)]) for seed in seeds]
    worlds = [(seed, agents) for seed, agents in worlds if sizes is None or agents in sizes]
    print(f"{len(worlds)} worlds, time limit x{args.limit_scale:g}", flush=True)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        for seed, agents in worlds:
            row = one_world(seed, agents, folder, args.limit_scale)
            rows.append(row)
            shown = table_row(row)
            notes = " | ".join(str(row[key]) for key in ("error", "score_error") if row.get(key))
            print(" ".join(f"{key}={shown[key]}" for key in COLUMNS) + (f" | {notes}" if notes else ""), flush=True)
    table = pd.DataFrame([table_row(row) for row in rows], columns=list(COLUMNS))
    print()
    print(table.to_string(index=False))
    failures = [row for row in rows if row.get("error") or row.get("score_error")]
    for row in failures:
        why = row.get("error") or row.get("score_error")
        print(f"seed {row['seed']} ({row['agents']} agents): exit {row.get('exit')}: {why}")
    summary = size_summary(rows)
    print()
    print(summary.to_string(index=False))
    if args.json:
        saved = {"worlds": rows, "sizes": summary.to_dict(orient="records")}
        args.json.write_text(json.dumps(saved, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
