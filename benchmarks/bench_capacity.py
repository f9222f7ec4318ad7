#!/usr/bin/env python3
"""Capacity benchmark: `wfm capacity` (`wfm.capacity.run_capacity`) on the shipped sample and on
a large seeded world, stage by stage.

- sample: forecasts/global-support (80 agents, 4 sites), 26 weeks;
- large: a `wfm.synth.make_world` world of `--agents` agents (default 1,200) whose four sites are
  split into eight (each synth site's agents alternate between `<site> A` and `<site> B`), 52 weeks.

Both with growth 2% a month, 6% monthly attrition, training 2 weeks, ramp 4 weeks at 1.5,
lead 4 weeks, monthly classes of up to 25, and a 500-run pessimistic band. The table shows
seconds per stage (demand: forecast + Erlang of every interval of the horizon; hiring: the SCIP
model), the solver status, hires and classes, and the share of weeks after the lead whose short
hours are at most 3% of required.

Run: `.venv/bin/python benchmarks/bench_capacity.py [--agents 1200] [--only sample,large]`
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd

from wfm import synth
from wfm.capacity import parse_capacity, run_capacity, write_capacity
from wfm.workspace import Workspace, load_workspace

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {
    "volume": {"growth_per_month": 0.02},
    "attrition": {"monthly": 0.06},
    "hiring": {"training_weeks": 2, "ramp_weeks": 4, "ramp_aht_factor": 1.5, "lead_weeks": 4, "class_size_max": 25},
}


def eight_sites(root: Path) -> None:
    """Split each of the world's sites in two, alternating agents, so the world has eight."""
    path = root / "agents.csv"
    agents = pd.read_csv(path, dtype=str, keep_default_na=False)
    order = agents.groupby("site").cumcount()
    agents["site"] = agents["site"] + order.map(lambda i: " A" if i % 2 == 0 else " B")
    agents.to_csv(path, index=False)


def run(name: str, ws: Workspace, weeks: int, out: Path) -> dict[str, object]:
    stages: dict[str, float] = {}
    current = [""]
    since = [time.perf_counter()]

    def progress(stage: str) -> None:
        now = time.perf_counter()
        if current[0]:
            stages[current[0]] = now - since[0]
        current[0], since[0] = stage, now

    started = time.perf_counter()
    result = run_capacity(ws, parse_capacity({"horizon": {"weeks": weeks}, **SETTINGS}), progress=progress)
    progress("write")
    write_capacity(result, out)
    progress("")
    summary = result.summary
    return {
        "world": name,
        "agents": len(ws.agents),
        "sites": len(result.supply.sites),
        "weeks": weeks,
        **{f"{stage} s": round(seconds, 2) for stage, seconds in stages.items()},
        "total s": round(time.perf_counter() - started, 2),
        "status": summary["solver"]["status"],
        "hires": summary["hires"],
        "classes": len(summary["classes"]),
        "weeks covered": summary["weeks_covered_after_lead"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=1200)
    parser.add_argument("--only", default="sample,large")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        if "sample" in args.only:
            rows.append(run("sample", load_workspace(ROOT / "forecasts" / "global-support"), 26, Path(tmp) / "sample"))
        if "large" in args.only:
            world = synth.make_world(Path(tmp) / "large-ws", seed=5, agents=args.agents, weeks=5)
            eight_sites(world)
            rows.append(run("large", load_workspace(world), 52, Path(tmp) / "large"))
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
