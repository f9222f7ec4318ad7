"""What queue blocks cost in service: drawn worlds planned with and without `[blocks]`.

    .venv/bin/python benchmarks/bench_blocks.py --sweep                 # 7 multi-skilled worlds x 4
    .venv/bin/python benchmarks/bench_blocks.py --sweep --seeds 2,21 --minutes none,60 --time-limit 20
    .venv/bin/python benchmarks/bench_blocks.py --sweep --keep /tmp/blocks --json blocks.json

Each world is `wfm.synth.draw_world(seed, agents=bench_worlds.SWEEP[seed])` (the world of that
number in bench_worlds.py). The default seeds are worlds of 24-200 agents whose agents mostly hold
more than one queue (mean skills per agent 1.9-3.5), where the queue choice matters. Each world is
planned once per variant of its own rules profile (the shipped or drawn one, everything else as
drawn): `none` (the profile without `[blocks]`) and `30`, `60`, `90` (`[blocks] min_minutes` of
that many minutes; `max_switches` as the profile has it, 2 where it has no `[blocks]`). Every plan
runs `python -m wfm plan WORLD --out PLAN --time-limit T` with the same T (and the solver's own
fixed seed), then `python -m wfm check WORLD PLAN`, each its own process, one at a time.

Per world and variant:

- viol: hard violations `wfm check` reports (must be 0);
- on-target: phone/chat intervals on target against the world's TRUE demand (wfm's requirements
  stage run on truth/truth.csv), mean over phone/chat queues; fcst: the same against the forecast
  (summary.json); greedy: `wfm.roster.greedy_baseline` on the plan's requirements, true demand
  (no block rules: the yardstick of bench_worlds.py);
- SL: contact-weighted service level over all phone/chat contacts, true demand;
- email: the worst email queue's share answered within its deadline, true demand;
- paid h: paid hours of roster.csv;
- sw mean / max: queue switches per shift (`wfm.planfiles.Shift.switches`, breaks and lunch
  inside a block do not end it);
- s: wall-clock seconds of `wfm plan`.

Then the median of each figure per variant, and per blocked variant the median over worlds of
its difference to `none` in points (on-target, SL, email) and in percent (paid hours).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from bench_worlds import SWEEP, failure_line, forecast_figures, greedy_roster, hard_violations, run, wfm_command
from scoring import email_in_time, paid_hours, true_requirements, voice_on_target

from wfm.check import read_plan
from wfm.planfiles import roster_shifts
from wfm.roster.coverage import coverage_frame, coverage_summary
from wfm.rules import resolve_profile_path
from wfm.synth import draw_spec, draw_world
from wfm.workspace import Workspace, load_workspace

SEEDS: tuple[int, ...] = (2, 7, 14, 21, 9, 16, 33)  # 24, 40, 60, 60, 80, 120, 200 agents
VARIANTS: tuple[str, ...] = ("none", "30", "60", "90")
COLUMNS = (
    "seed",
    "agents",
    "blocks",
    "exit",
    "viol",
    "on-target",
    "fcst",
    "greedy",
    "SL",
    "email",
    "paid h",
    "sw mean",
    "sw max",
    "s",
)
POINTS = ("on-target", "SL", "email")


def profile_text(world: Path, rules: str) -> str:
    """The world's rules profile as TOML text (a shipped profile by name or the drawn rules.toml)."""
    return resolve_profile_path(rules, base_dir=world).read_text(encoding="utf-8")


def without_blocks(text: str) -> str:
    """`text` without its `[blocks]` table (and without soft weights for the block rules)."""
    text = re.sub(r"(?ms)^\[blocks\][^\n]*\n.*?(?=^\[|\Z)", "", text)
    return re.sub(r"(?m)^(min_block|max_switches)\s*=.*\n", "", text)


def max_switches(text: str) -> int:
    import tomllib

    return int(tomllib.loads(text).get("blocks", {}).get("max_switches", 2))


def variant_world(world: Path, rules: str, variant: str, folder: Path) -> Path:
    """A copy of `world` whose wfm.toml points at its profile with the variant's `[blocks]`."""
    out = folder / f"{world.name}-blocks-{variant}"
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(world, out, ignore=shutil.ignore_patterns("truth"))
    text = profile_text(world, rules)
    profile = without_blocks(text)
    if variant != "none":
        profile = profile.rstrip("\n") + f"\n\n[blocks]\nmin_minutes = {int(variant)}\nmax_switches = {max_switches(text)}\n"
    (out / "rules-bench.toml").write_text(profile, encoding="utf-8")
    config = (out / "wfm.toml").read_text(encoding="utf-8")
    config, count = re.subn(r"(?m)^rules\s*=.*$", 'rules = "rules-bench.toml"', config)
    if count != 1:
        raise RuntimeError(f"{out / 'wfm.toml'}: expected one rules line, found {count}")
    (out / "wfm.toml").write_text(config, encoding="utf-8")
    return out


def service(roster: pd.DataFrame, truth: pd.DataFrame, ws: Workspace, week: Any) -> dict[str, float | None]:
    """Phone/chat intervals on target, contact-weighted phone/chat service level and worst email
    queue in time, against `truth`."""
    coverage = coverage_frame(roster, truth, ws.queues, week, ws.plan.interval_minutes, occupancy=ws.rules.service.max_occupancy)
    summary = coverage_summary(coverage)
    voice = [q for q in summary.values() if q["channel"] in ("phone", "chat") and q["contacts"] > 0]
    contacts = sum(q["contacts"] for q in voice)
    level = sum(q["service_level"] * q["contacts"] for q in voice) / contacts if contacts else None
    return {"on-target": voice_on_target(summary), "SL": level, "email": email_in_time(summary)}


def switches(roster: pd.DataFrame) -> tuple[float | None, int | None]:
    counts = [shift.switches for shifts in roster_shifts(roster).values() for shift in shifts]
    return (float(np.mean(counts)), int(max(counts))) if counts else (None, None)


def one_plan(world: Path, seed: int, agents: int, variant: str, truth: pd.DataFrame, limit: float) -> dict[str, Any]:
    row: dict[str, Any] = {"seed": seed, "agents": agents, "blocks": variant}
    plan = world.parent / f"plan-{seed}-blocks-{variant}"
    status, _, stderr, seconds = run(
        wfm_command("plan", str(world), "--out", str(plan), "--time-limit", f"{limit:g}"), timeout=3 * limit + 300
    )
    row |= {"exit": status, "s": round(seconds, 1), "plan": str(plan)}
    if status != 0:
        row["error"] = failure_line(stderr)
        return row
    try:
        ws = load_workspace(world)
        checked, out, err, _ = run(wfm_command("check", str(world), str(plan)), timeout=600)
        row["viol"] = hard_violations(checked, out + err)
        roster = read_plan(plan)
        summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
        row |= service(roster, truth, ws, draw_spec(seed, agents).plan_week)
        row["fcst"] = forecast_figures(summary)["wfm"]
        row["paid h"] = round(paid_hours(roster), 1)
        row["sw mean"], row["sw max"] = switches(roster)
        row["chosen"] = summary.get("solver", {}).get("chosen")
    except Exception as exc:  # scoring must not end the sweep
        row["score_error"] = f"{type(exc).__name__}: {exc}"
    return row


def one_world(seed: int, folder: Path, variants: list[str], limit: float) -> list[dict[str, Any]]:
    agents = SWEEP[seed % len(SWEEP)]
    spec = draw_spec(seed, agents)
    world = draw_world(seed, agents, out=folder / f"world-{seed}")
    skills = pd.read_csv(world / "agents.csv")["skills"].str.split("|").map(len)
    print(
        f"world {seed}: {agents} agents, {' '.join(spec.tags())}, rules {spec.rules}, "
        f"{skills.mean():.2f} skills per agent ({(skills > 1).mean():.0%} multi-skilled)",
        flush=True,
    )
    ws = load_workspace(world)
    truth = true_requirements(ws, world)
    rows = []
    greedy = None
    for variant in variants:
        row = one_plan(variant_world(world, spec.rules, variant, folder), seed, agents, variant, truth, limit)
        if greedy is None and row.get("exit") == 0:
            try:
                greedy = service(greedy_roster(ws, Path(row["plan"]), spec.plan_week), truth, ws, spec.plan_week)["on-target"]
            except Exception as exc:
                row["score_error"] = f"greedy: {type(exc).__name__}: {exc}"
        row["greedy"] = greedy
        rows.append(row)
        print("  " + line(row), flush=True)
    for row in rows:
        row["greedy"] = greedy
    return rows


def shown(value: Any, digits: int = 3) -> Any:
    return "" if value is None else round(value, digits) if isinstance(value, float) else value


def table_row(row: dict[str, Any]) -> dict[str, Any]:
    return {column: shown(row.get(column), 2 if column == "sw mean" else 3) for column in COLUMNS}


def line(row: dict[str, Any]) -> str:
    shown_row = table_row(row)
    notes = " | ".join(str(row[key]) for key in ("error", "score_error") if row.get(key))
    return " ".join(f"{key}={shown_row[key]}" for key in COLUMNS if key not in ("seed", "agents")) + (
        f" | {notes}" if notes else ""
    )


def numbers(rows: list[dict[str, Any]], column: str) -> list[float]:
    return [float(r[column]) for r in rows if isinstance(r.get(column), int | float) and not isinstance(r.get(column), bool)]


def medians(rows: list[dict[str, Any]], variants: list[str]) -> pd.DataFrame:
    """Per variant: the median of each figure, and the median per-world difference to `none`."""
    base = {r["seed"]: r for r in rows if r["blocks"] == "none" and r.get("exit") == 0}
    out = []
    for variant in variants:
        members = [r for r in rows if r["blocks"] == variant]
        line_: dict[str, Any] = {"blocks": variant, "worlds": len(members), "ok": sum(r.get("exit") == 0 for r in members)}
        line_["viol"] = sum(v for v in (r.get("viol") for r in members) if isinstance(v, int))
        for column in ("on-target", "SL", "email", "paid h", "sw mean", "sw max", "s"):
            values = numbers(members, column)
            line_[column] = round(statistics.median(values), 3) if values else ""
        if variant != "none":
            for column in POINTS:
                deltas = [
                    100 * (r[column] - base[r["seed"]][column])
                    for r in members
                    if r["seed"] in base and isinstance(r.get(column), float) and isinstance(base[r["seed"]].get(column), float)
                ]
                line_[f"d {column} pts"] = round(statistics.median(deltas), 1) if deltas else ""
            deltas = [
                100 * (r["paid h"] / base[r["seed"]]["paid h"] - 1)
                for r in members
                if r["seed"] in base and r.get("paid h") and base[r["seed"]].get("paid h")
            ]
            line_["d paid %"] = round(statistics.median(deltas), 1) if deltas else ""
        out.append(line_)
    return pd.DataFrame(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="plan every world once per block variant (the benchmark)")
    parser.add_argument("--seeds", help=f"comma-separated world seeds (default {','.join(map(str, SEEDS))})")
    parser.add_argument(
        "--minutes", default=",".join(VARIANTS), help="variants: none and/or min_minutes values (default none,30,60,90)"
    )
    parser.add_argument("--time-limit", type=float, default=40.0, help="wfm plan --time-limit for every plan (default 40 s)")
    parser.add_argument("--json", type=Path, help="save every plan's figures and the medians here")
    parser.add_argument("--keep", type=Path, help="write worlds and plans here instead of a temporary folder")
    args = parser.parse_args(argv)
    if not args.sweep:
        parser.error("nothing to do: pass --sweep")
    seeds = [int(part) for part in args.seeds.split(",")] if args.seeds else list(SEEDS)
    variants = [part.strip() for part in args.minutes.split(",")]
    print(f"{len(seeds)} worlds x {len(variants)} variants ({', '.join(variants)}), time limit {args.time_limit:g} s", flush=True)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        for seed in seeds:
            rows += one_world(seed, folder, variants, args.time_limit)
    print()
    print(pd.DataFrame([table_row(r) for r in rows], columns=list(COLUMNS)).to_string(index=False))
    for row in rows:
        if row.get("error") or row.get("score_error"):
            print(
                f"seed {row['seed']} blocks {row['blocks']}: exit {row.get('exit')}: {row.get('error') or row.get('score_error')}"
            )
    summary = medians(rows, variants)
    print()
    print(summary.to_string(index=False))
    if args.json:
        saved = {"time_limit": args.time_limit, "plans": rows, "medians": summary.to_dict(orient="records")}
        args.json.write_text(json.dumps(saved, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
