"""How long `wfm simulate` takes on a realistic week: 100 agents, 50,000 contacts, 30 runs.

The plan is synthetic but shaped like a real one: three queues (phone, chat with concurrency 2,
email), 8-hour shifts on four start times with a break, a lunch and a second break, some agents
switching from phone to chat mid-shift, and demand following a daytime profile. Prints a table of
median wall-clock and CPU seconds over a few repeats and the time per replication, for roster and
skills routing.

    .venv/bin/python benchmarks/bench_simulate.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time

import numpy as np
import pandas as pd

from wfm.simulate import simulate_plan
from wfm.workspace import AgentConfig, QueueConfig

WEEK = dt.date(2026, 11, 30)
INTERVAL_MINUTES = 15


def synthetic_plan(n_agents: int = 100, contacts: float = 50_000.0, seed: int = 7) -> tuple[
        list[QueueConfig], list[AgentConfig], pd.DataFrame, pd.DataFrame]:
    """Queues, agents, roster and forecast of a week with about `contacts` contacts."""
    rng = np.random.default_rng(seed)
    queues = [
        QueueConfig(name="phone", channel="phone", timezone="UTC", patience_seconds=120),
        QueueConfig(name="chat", channel="chat", timezone="UTC", concurrency=2, patience_seconds=300),
        QueueConfig(name="email", channel="email", timezone="UTC"),
    ]
    share = {"phone": 0.55, "chat": 0.3, "email": 0.15}
    aht = {"phone": 180.0, "chat": 360.0, "email": 240.0}
    origin = pd.Timestamp(WEEK, tz="UTC")
    grid = pd.date_range(origin, periods=7 * 24 * 60 // INTERVAL_MINUTES, freq=f"{INTERVAL_MINUTES}min")
    hours = grid.hour + grid.minute / 60
    # Open 06:00–22:00 with a midday peak; weekends at 60%.
    profile = np.where((hours >= 6) & (hours < 22), 0.3 + np.sin(np.pi * (hours - 6) / 16), 0.0)
    profile = profile * np.where(grid.day_of_week >= 5, 0.6, 1.0)
    profile = profile / profile.sum()
    forecast = pd.concat(
        [
            pd.DataFrame({"queue": name, "interval_start": grid, "contacts": contacts * part * profile, "aht_seconds": aht[name]})
            for name, part in share.items()
        ],
        ignore_index=True,
    )

    agents: list[AgentConfig] = []
    rows: list[tuple[str, str, pd.Timestamp, pd.Timestamp]] = []
    for i in range(n_agents):
        home = "phone" if i < 60 else "chat" if i < 85 else "email"
        agent_id = f"agent{i:03d}"
        skills = ("phone", "chat") if home != "email" else ("email", "phone")
        agents.append(AgentConfig(agent_id=agent_id, timezone="UTC", skills=skills))
        start_hour = (6, 9, 11, 14)[i % 4]
        days = sorted(rng.choice(7, size=5, replace=False))
        for day in days:
            begin = origin + pd.Timedelta(days=int(day), hours=start_hour)
            minute = lambda m, begin=begin: begin + pd.Timedelta(minutes=m)  # noqa: E731
            # Phone agents starting at 11:00 do their second half on chat: a mid-shift switch.
            second = "chat" if home == "phone" and start_hour == 11 else home
            rows += [
                (agent_id, home, minute(0), minute(120)),
                (agent_id, "break", minute(120), minute(135)),
                (agent_id, home, minute(135), minute(240)),
                (agent_id, "lunch", minute(240), minute(270)),
                (agent_id, second, minute(270), minute(375)),
                (agent_id, "break", minute(375), minute(390)),
                (agent_id, second, minute(390), minute(480)),
            ]
    roster = pd.DataFrame(rows, columns=["agent_id", "activity", "start", "end"])
    return queues, agents, roster, forecast


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    queues, agents, roster, forecast = synthetic_plan()
    # CPU seconds next to wall-clock: on a shared 2-core machine other work inflates the wall clock,
    # and the load average says by how much.
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; target: 30 runs in under 10 s")
    header = f"{'agents':>6} {'contacts':>9} {'runs':>4} {'routing':>7} {'median s':>9} {'cpu s':>6} {'s/replication':>13}"
    print(f"{header}  simulated SL (phone/chat/email)")
    for runs, routing in ((30, "roster"), (30, "skills"), (10, "roster")):
        wall: list[float] = []
        cpu: list[float] = []
        for _ in range(args.repeats):
            begin, begin_cpu = time.perf_counter(), time.process_time()
            result = simulate_plan(queues, agents, roster, forecast, WEEK, INTERVAL_MINUTES, runs=runs, seed=1, routing=routing)
            wall.append(time.perf_counter() - begin)
            cpu.append(time.process_time() - begin_cpu)
        median = statistics.median(wall)
        levels = "/".join(f"{result.queues[q.name].service_level:.3f}" for q in queues)
        row = (f"{len(agents):>6} {forecast['contacts'].sum():>9,.0f} {runs:>4} {routing:>7} {median:>9.2f} "
               f"{statistics.median(cpu):>6.2f} {median / runs:>13.3f}")
        print(f"{row}  {levels}")


if __name__ == "__main__":
    main()
