#!/usr/bin/env python3
"""Every benchmark in one go (`make bench`): staffing speed, forecast accuracy and speed,
simulation speed, roster quality on generated worlds, what-if parallelism, months-ahead capacity
(the sample, and with the full run a 1,200-agent world), and the weekly job on the sample
workspace against the greedy yardstick.

Each `bench_*.py` runs as its own process (so one benchmark's memory and threads do not colour
the next) and its output is shown and kept in `benchmarks/results/NAME.txt`. The `plan` part
runs `wfm.pipeline.run_plan` on the sample workspace (`forecasts/global-support`, 80 agents)
and prints per queue the optimised roster's contact-weighted service level and share of
intervals on target next to the greedy roster's, then paid hours against the greedy roster's
and the lower bound (`wfm.pipeline.lower_bound_paid_hours`), the solver's status and gap, and
the wall-clock seconds; `benchmarks/results/plan.json` keeps those figures.

    .venv/bin/python benchmarks/run_all.py [--quick] [--time-limit S]
        [--only staffing,forecast,simulate,roster,whatif,capacity,plan]

Timings on a shared 2-core machine vary by ±20 %; compare runs on the same machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
SCRIPTS = {
    "staffing": ("bench_staffing.py", ["--repeats", "5"], ["--repeats", "1"]),
    "forecast": ("bench_forecast.py", [], ["--accuracy"]),
    "simulate": ("bench_simulate.py", ["--repeats", "3"], ["--repeats", "1"]),
    "roster": ("bench_roster.py", [], ["120", "30"]),  # agents, time limit (default 350 agents, 120 s)
    "whatif": ("bench_whatif.py", [], ["--repeats", "1", "--time-limit", "10"]),
    "capacity": ("bench_capacity.py", [], ["--only", "sample"]),
}
NAMES = (*SCRIPTS, "plan")


def run_script(name: str, quick: bool) -> bool:
    script, full, short = SCRIPTS[name]
    command = [sys.executable, str(HERE / script), *(short if quick else full)]
    print(f"\n== {name}: {' '.join(command[1:])}", flush=True)
    began = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    text = done.stdout + (f"\n[stderr]\n{done.stderr}" if done.returncode else "")
    print(text.rstrip())
    print(f"({time.perf_counter() - began:.1f} s, exit {done.returncode})")
    (RESULTS / f"{name}.txt").write_text(text, encoding="utf-8")
    return done.returncode == 0


def plan_case(label: str, workspace: Path, time_limit: float) -> dict[str, Any]:
    from wfm.pipeline import run_plan
    from wfm.roster import SolveSettings
    from wfm.workspace import load_workspace

    ws = load_workspace(workspace)
    began = time.perf_counter()
    result = run_plan(ws, settings=SolveSettings(time_limit=time_limit), compare_greedy=True)
    seconds = time.perf_counter() - began
    summary = result.summary
    baseline = summary["baseline"]
    print(f"\n{label}: {len(ws.agents)} agents, week of {result.week}, time limit {time_limit:g} s")
    print(f"{'queue':<10} {'SL':>7} {'greedy':>7} {'target':>7} {'on target':>10} {'greedy':>7}")
    for name, queue in summary["queues"].items():
        greedy = baseline["queues"][name]
        print(
            f"{name:<10} {_pct(queue['service_level']):>7} {_pct(greedy['service_level']):>7} {_pct(queue['target']):>7} "
            f"{_pct(queue['intervals_meeting_target']):>10} {_pct(greedy['intervals_meeting_target']):>7}"
        )
    solver = summary["solver"]
    print(
        f"paid hours {summary['paid_hours']:,.1f} (greedy {baseline['paid_hours']:,.1f}, lower bound "
        f"{summary['lower_bound_paid_hours']:,.1f}); solver {solver['status']}, gap {_pct(solver.get('gap'))}; "
        f"{seconds:.1f} s for the whole job"
    )
    return {
        "label": label,
        "agents": len(ws.agents),
        "week": summary["week"],
        "time_limit": time_limit,
        "seconds": round(seconds, 1),
        "queues": summary["queues"],
        "baseline": baseline,
        "paid_hours": summary["paid_hours"],
        "lower_bound_paid_hours": summary["lower_bound_paid_hours"],
        "solver": solver,
    }


def run_plan_case(quick: bool, time_limit: float | None) -> bool:
    from wfm import paths

    print("\n== plan: the weekly job on the sample workspace against the greedy roster", flush=True)
    limit = time_limit or (20.0 if quick else 60.0)
    case = plan_case("sample workspace (forecasts/global-support)", paths.sample_workspace(), limit)
    (RESULTS / "plan.json").write_text(json.dumps(case, indent=2, default=str) + "\n", encoding="utf-8")
    return True


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller worlds, shorter solves")
    parser.add_argument("--only", default=",".join(NAMES), help=f"comma-separated subset of {', '.join(NAMES)}")
    parser.add_argument("--time-limit", type=float, default=None, help="solver seconds of the plan part (default 60, quick 20)")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in NAMES]
    if unknown:
        parser.error(f"--only: unknown benchmark {unknown[0]!r} (known: {', '.join(NAMES)})")
    RESULTS.mkdir(exist_ok=True)
    sys.path.insert(0, str(ROOT))
    began = time.perf_counter()
    failed = [
        name
        for name in chosen
        if not (run_plan_case(args.quick, args.time_limit) if name == "plan" else run_script(name, args.quick))
    ]
    print(f"\nall benchmarks: {time.perf_counter() - began:.0f} s; results in {RESULTS}")
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
