#!/usr/bin/env python3
"""What-if benchmark: four scenarios planned one after the other vs in a process pool.

A seeded sample world (`wfm.synth.make_world`, 60 agents by default) and four scenarios
(baseline, volume +20%, a chatbot on chat-en, attrition and hiring), each a full weekly job
with the same solver time limit. Modes, as `wfm whatif` runs them:

- serial: in this process, one after the other, `--workers` CP-SAT workers per solve;
- pool: a `ProcessPoolExecutor` with min(4, CPUs) processes, each solve with CPUs // processes
  workers (on 2 CPUs: two scenarios at a time, one worker each);
- serial-1 (with `--equal-work`): serial with the pool's workers per solve, so both modes do
  the same solves and the ratio is the parallel speed-up alone.

Time-limited solves run to their limit, so wall time is mostly `scenarios × limit / parallel
jobs`; the table also shows the mean solver objective (lower is better) and the lowest share of
intervals at target, since fewer workers per solve may find worse rosters in the same time.

Run: `.venv/bin/python benchmarks/bench_whatif.py [--agents 60] [--time-limit 20] [--repeats 3]`
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wfm import synth
from wfm.roster import SolveSettings
from wfm.whatif import AddAgents, QueueChange, Scenario, run_scenarios, solver_workers
from wfm.workspace import load_workspace

SCENARIOS = (
    Scenario(name="baseline"),
    Scenario(name="volume +20%", volume=1.2),
    Scenario(name="chatbot on chat-en", queues={"chat-en": QueueChange(deflection=0.35, aht=1.1)}),
    Scenario(
        name="attrition and hiring",
        remove_agents=0.15,
        add_agents=(
            AddAgents(count=6, timezone="Asia/Manila", skills=("phone-en", "chat-en"), on_queue_from=dt.date(2026, 12, 2)),
        ),
    ),
)


def run(root: Path, mode: str, time_limit: float, workers: int, seed: int) -> tuple[float, float, float]:
    """Wall seconds, mean objective and lowest share of intervals at target of one what-if run."""
    ws = load_workspace(root)
    settings = SolveSettings(time_limit=time_limit, workers=workers, seed=seed)
    started = time.perf_counter()
    results = run_scenarios(ws, SCENARIOS, settings, seed=seed, parallel=mode == "pool", compare_greedy=False)
    seconds = time.perf_counter() - started
    objectives = [float(r.roster.solver.get("objective") or 0.0) for _, r in results]
    shares = [
        q["intervals_meeting_target"]
        for _, r in results
        for q in r.summary["queues"].values()
        if q.get("intervals_meeting_target") is not None and q.get("channel") in ("phone", "chat")
    ]
    return seconds, statistics.mean(objectives), min(shares)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=60)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers per solve when serial")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--equal-work", action="store_true", help="also run serial with the pool's workers per solve")
    args = parser.parse_args()

    cpus = os.cpu_count() or 1
    processes = min(len(SCENARIOS), cpus)
    pool_workers = solver_workers(SolveSettings(workers=args.workers), processes, cpus)
    modes = [("serial", "serial", args.workers), ("pool", "pool", args.workers)]
    if args.equal_work:
        modes.insert(1, ("serial-1", "serial", pool_workers))
    with tempfile.TemporaryDirectory() as tmp:
        root = synth.make_world(Path(tmp) / "ws", agents=args.agents, weeks=5, seed=args.seed + 7)
        print(
            f"{len(SCENARIOS)} scenarios, {args.agents} agents, time limit {args.time_limit:g} s, {cpus} CPUs; "
            f"pool: {processes} processes × {pool_workers} worker(s); median of {args.repeats}"
        )
        rows = []
        for label, mode, workers in modes:
            runs = [run(root, mode, args.time_limit, workers, args.seed) for _ in range(args.repeats)]
            seconds = statistics.median(r[0] for r in runs)
            rows.append((label, workers if mode == "serial" else pool_workers, seconds, runs[0][1], runs[0][2]))
            print(f"  {label}: " + ", ".join(f"{r[0]:.1f} s" for r in runs), flush=True)
    serial = rows[0][2]
    print(f"\n{'mode':<10}{'workers/solve':>14}{'median s':>10}{'serial/this':>13}{'mean objective':>16}{'lowest share':>14}")
    for label, workers, seconds, objective, share in rows:
        print(f"{label:<10}{workers:>14}{seconds:>10.1f}{serial / seconds:>13.2f}{objective:>16,.0f}{share:>14.1%}")


if __name__ == "__main__":
    main()
