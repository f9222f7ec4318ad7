"""How fast wfm sizes staffing: vectorised `required_agents` over a year of cells vs a per-cell loop.

A synthetic year of 15-minute intervals for 10 queues (350,400 cells) with a daytime profile,
quiet nights and AHT between 3 and 10 minutes, sized for 80 % in 20 s with an 85 % occupancy cap.
The baseline is a straightforward per-cell Python loop (Erlang B recursion from zero servers, then
one server at a time until the target holds); it is checked to agree with the vectorised answer.
Also times Erlang C at 10,000 and 20,000 Erlangs, Erlang A sizing, the optimiser's service curves
and the whole requirements step. Prints medians of wall-clock seconds over the repeats.

    .venv/bin/python benchmarks/bench_staffing.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd

from wfm import erlang
from wfm.requirements import compute_requirements
from wfm.rules import load_rules
from wfm.workspace import QueueConfig

QUEUES = 10
INTERVALS = 365 * 96
TARGET, ANSWER, CAP = 0.8, 20.0, 0.85
LOOP_BUDGET_SECONDS = 60.0


def synthetic_year(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(traffic in Erlangs, AHT seconds) for 10 queues × a year of 15-minute intervals."""
    rng = np.random.default_rng(seed)
    hours = (np.arange(INTERVALS) % 96) / 4
    daytime = np.clip(np.sin((hours - 6) / 12 * np.pi), 0, None)
    contacts = np.concatenate([rng.poisson(daytime * rng.uniform(20, 120)) for _ in range(QUEUES)]).astype(float)
    aht = rng.uniform(180, 600, contacts.size)
    return contacts * aht / 900.0, aht


def loop_required(traffic: float, aht: float) -> int:
    """The per-cell baseline: plain Python floats, no numpy."""
    if traffic == 0:
        return 0
    n = max(math.floor(traffic) + 1, math.ceil(traffic / CAP * (1 - 1e-12)))
    b = 1.0
    for k in range(1, n + 1):
        b = traffic * b / (k + traffic * b)
    while True:
        c = n * b / (n - traffic * (1 - b))
        if 1 - c * math.exp(-(n - traffic) * ANSWER / aht) >= TARGET - 1e-12:
            return n
        n += 1
        b = traffic * b / (n + traffic * b)


def median_seconds(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def requirements_frame(traffic: np.ndarray, aht: np.ndarray) -> tuple[pd.DataFrame, list[QueueConfig]]:
    grid = pd.date_range("2026-01-05", periods=INTERVALS, freq="15min", tz="UTC")
    names = [f"q{i}" for i in range(QUEUES)]
    queues = [
        QueueConfig(name=name, channel="chat" if i == 2 else "email" if i == 3 else "phone", timezone="UTC")
        for i, name in enumerate(names)
    ]
    frame = pd.DataFrame(
        {
            "queue": np.repeat(names, INTERVALS),
            "interval_start": np.tile(grid, QUEUES),
            "contacts": traffic * 900.0 / aht,
            "aht_seconds": aht,
        }
    )
    return frame, queues


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    repeats = args.repeats

    traffic, aht = synthetic_year()
    cells = traffic.size
    rows: list[tuple[str, int, float]] = []

    vectorised = median_seconds(lambda: erlang.required_agents(traffic, aht, TARGET, ANSWER, CAP), repeats)
    rows.append(("required_agents, vectorised (Erlang C)", cells, vectorised))
    answer = erlang.required_agents(traffic, aht, TARGET, ANSWER, CAP)

    # Time the loop on a sample first; run it on every cell when that fits the budget.
    sample = np.random.default_rng(2).choice(cells, 20_000, replace=False)
    sample_seconds = median_seconds(lambda: [loop_required(traffic[i], aht[i]) for i in sample], repeats)
    estimate = sample_seconds * cells / sample.size
    if estimate * repeats <= LOOP_BUDGET_SECONDS:
        looped = median_seconds(lambda: [loop_required(t, h) for t, h in zip(traffic, aht, strict=True)], repeats)
        loop_label = "required_agents, per-cell Python loop (all cells)"
    else:
        looped = estimate
        loop_label = f"required_agents, per-cell Python loop (scaled from {sample.size:,} cells)"
    rows.append((loop_label, cells, looped))
    agree = all(loop_required(traffic[i], aht[i]) == answer[i] for i in sample)

    rows.append(
        (
            "required_agents, vectorised (Erlang A, patience 120 s)",
            cells,
            median_seconds(lambda: erlang.required_agents(traffic, aht, TARGET, ANSWER, CAP, patience_seconds=120), repeats),
        )
    )
    for big in (10_000.0, 20_000.0):
        servers = math.floor(big + math.sqrt(big))
        rows.append(
            (f"erlang_c(n = ⌊A + √A⌋, A = {big:,.0f})", 1, median_seconds(partial(erlang.erlang_c, servers, big), repeats))
        )
        sizing = partial(erlang.required_agents, big, 180.0, TARGET, ANSWER)
        rows.append((f"required_agents(A = {big:,.0f}), no cap", 1, median_seconds(sizing, repeats)))

    week = slice(0, 5 * 672)
    week_contacts, week_aht = traffic[week] * 900.0 / aht[week], aht[week]
    for label, patience in (("Erlang C", None), ("Erlang A", 120.0)):
        curve = partial(erlang.service_curve, week_contacts, week_aht, 15, ANSWER, patience_seconds=patience, n_max=300)
        rows.append((f"service_curve, week × 5 queues × n ≤ 300 ({label})", 5 * 672 * 301, median_seconds(curve, repeats)))
    frame, queues = requirements_frame(traffic, aht)
    rules = load_rules("default")
    rows.append(
        (
            "compute_requirements (8 phone/chat + 2 email queues)",
            cells,
            median_seconds(lambda: compute_requirements(frame, queues, 15, rules, 0.3), repeats),
        )
    )

    width = max(len(label) for label, _, _ in rows)
    print(f"median of {repeats} runs (wall clock)")
    print(f"{'what':<{width}}  {'cells':>10}  {'seconds':>10}  {'µs per cell':>12}")
    for label, count, seconds in rows:
        print(f"{label:<{width}}  {count:>10,}  {seconds:>10.4f}  {seconds / count * 1e6:>12.3f}")
    print(f"speed-up of the vectorised search over the loop: {looped / vectorised:,.0f}×")
    print(f"loop and vectorised answers agree on {sample.size:,} sampled cells: {'yes' if agree else 'NO'}")


if __name__ == "__main__":
    main()
