#!/usr/bin/env python3
"""Forecast benchmark: week-ahead accuracy on two real call-centre data sets, and speed.

Accuracy protocol (the test of accuracy): contacts per 30 minutes; each of the last 8 weeks of
a data set is forecast from the weeks before it only; WAPE = Σ|forecast − actual| / Σ actual
over every scored interval of the 8 weeks. Intervals without data (lost days) are not scored.

- NA bank 2003 (benchmarks/data/na_bank_2003_5min.csv): weekdays 07:00–21:05, 5-minute counts,
  added up to 30 minutes by `wfm.history`; the eight weeks end with the final one (Mon 20 Oct –
  Fri 24 Oct 2003). Memorial Day, Independence Day and Labor Day are closed special days; the
  other missing weekdays (4 and 7 April, 14 October) are lost data (`fill_gaps="skip"`).
- Anonymous Bank 1999 (benchmarks/data/anonymous_bank_1999_6min.csv): 24 hours, 6-minute
  counts. The bank's week runs Sunday to Saturday; the final week (from Sun 26 Dec) is cut short
  on Friday 31 Dec, so the eight weeks are the complete ones before it. 11–12 January are
  missing (lost data).

wfm's weeks start on Monday, so both sets are relabelled one day later (Sunday → Monday);
weekday patterns are relative, and no model reads the calendar otherwise. The banks' clocks are
local times without offsets, so each set is one queue in the `UTC` zone. The files have no
handle times: every row gets aht_seconds = 300 to be valid history; only contacts are scored.

The reference baselines of the protocol (last week, 4-week mean, 6-week median) are reproduced
first to check the protocol, then wfm's models are scored the same way.

Speed: two years of 15-minute history for 10 queues (`wfm.synth` volume in ten customer clocks)
written as history.csv, loaded, and forecast with the default model, the way `wfm forecast`
does it.

Run: `.venv/bin/python benchmarks/bench_forecast.py` (`--accuracy` or `--speed` for one part).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wfm.forecast import MODELS, ContactModel, RecentWeeks, SeasonalNaive, backtest, forecast_workspace
from wfm.rules import RulesProfile
from wfm.workspace import PlanConfig, QueueConfig, SpecialDay, Workspace, WorkspaceConfig

DATA = Path(__file__).resolve().parent / "data"
SHIFT = pd.Timedelta(days=1)  # Sunday-to-Saturday bank weeks → wfm's Monday weeks
AHT_SECONDS = 300.0
WEEKS = 8

# The protocol's reference WAPE for the simple baselines (to check that this harness matches it).
REFERENCE = {
    "last week": {"NA bank 2003": 0.148, "Anonymous Bank 1999": 0.268},
    "4-week mean": {"NA bank 2003": 0.076, "Anonymous Bank 1999": 0.209},
    "6-week median": {"NA bank 2003": 0.069, "Anonymous Bank 1999": 0.211},
}
# The protocol's baselines as wfm models: last week counts a lost day as zero contacts.
BASELINES: dict[str, Callable[[], ContactModel]] = {
    "last week": lambda: SeasonalNaive(fallback="zero"),
    "4-week mean": lambda: RecentWeeks(weeks=4, statistic="mean"),
    "6-week median": lambda: RecentWeeks(weeks=6, statistic="median"),
}
WFM_MODELS = ("seasonal_naive", "recent_weeks", "median_profile", "holt_profile", "auto")


def _workspace(name: str, history: pd.DataFrame, special: tuple[SpecialDay, ...] = ()) -> Workspace:
    queue = QueueConfig(name=name, channel="phone", timezone="UTC")
    config = WorkspaceConfig(plan=PlanConfig(interval_minutes=30), queues=(queue,))
    return Workspace(root=DATA, config=config, rules=RulesProfile(), agents=(), history=history, special_days=special)


def _history(queue: str, local: pd.Series, calls: pd.Series) -> pd.DataFrame:
    starts = (pd.to_datetime(local) + SHIFT).dt.tz_localize("UTC").astype("datetime64[ns, UTC]")
    return pd.DataFrame({"queue": queue, "interval_start": starts, "contacts": calls.astype(float), "aht_seconds": AHT_SECONDS})


def na_bank() -> tuple[Workspace, dt.date]:
    """NA bank 2003 as a one-queue workspace, and the Monday of its last scored week."""
    raw = pd.read_csv(DATA / "na_bank_2003_5min.csv")
    history = _history("na-bank", raw["datetime"], raw["calls"])
    holidays = (dt.date(2003, 5, 26), dt.date(2003, 7, 4), dt.date(2003, 9, 1))
    special = tuple(SpecialDay(date=day + dt.timedelta(days=1), queue="*", factor=0.0) for day in holidays)
    # The last bank week runs Sun 19 Oct – Sat 25 Oct 2003 (data Mon–Fri): Monday 20 Oct once relabelled.
    return _workspace("na-bank", history, special), dt.date(2003, 10, 19) + dt.timedelta(days=1)


def anonymous_bank() -> tuple[Workspace, dt.date]:
    """Anonymous Bank 1999 as a one-queue workspace, and the Monday of its last scored week."""
    raw = pd.read_csv(DATA / "anonymous_bank_1999_6min.csv")
    history = _history("anonymous-bank", raw["date"] + " " + raw["interval_start"], raw["calls"])
    # The last complete bank week runs Sun 19 Dec – Sat 25 Dec 1999: Monday 20 Dec once relabelled.
    return _workspace("anonymous-bank", history), dt.date(1999, 12, 19) + dt.timedelta(days=1)


DATASETS: dict[str, Callable[[], tuple[Workspace, dt.date]]] = {
    "NA bank 2003": na_bank,
    "Anonymous Bank 1999": anonymous_bank,
}


def accuracy(models: dict[str, Callable[[], ContactModel]] | None = None) -> pd.DataFrame:
    """WAPE per model (rows) and data set (columns) under the protocol."""
    models = models or {**BASELINES, **{name: MODELS[name] for name in WFM_MODELS}}
    columns = {}
    for label, load in DATASETS.items():
        ws, last_week = load()
        scores = backtest(ws, weeks=WEEKS, models=models, last_week=last_week, fill_gaps="skip")
        columns[label] = scores.groupby("model", sort=False).apply(lambda g: g["abs_error"].sum() / g["contacts"].sum())
    return pd.DataFrame(columns)


SPEED_QUEUES = (
    # The sample world's six queues and four more customer clocks, southern-hemisphere DST included.
    ("phone-fr", "Europe/Paris"),
    ("chat-de", "Europe/Berlin"),
    ("phone-jp", "Asia/Tokyo"),
    ("phone-au", "Australia/Sydney"),
)


def speed_workspace(folder: Path, weeks: int = 104, seed: int = 11) -> Path:
    """A 10-queue workspace with `weeks` weeks of 15-minute history, written as planners keep it."""
    from wfm import synth

    queues = list(synth.QUEUES) + [
        replace(synth.QUEUES[index % 2], name=name, timezone=zone) for index, (name, zone) in enumerate(SPEED_QUEUES)
    ]
    plan_week = dt.date(2026, 11, 30)
    weekly = synth.calibrate_volume(queues, plan_week, 15, target_agents=400)
    end = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    history = synth.make_history(queues, weekly, end - dt.timedelta(weeks=weeks), end, 15, np.random.default_rng(seed))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "wfm.toml").write_text("[plan]\ninterval_minutes = 15\n\n" + "\n\n".join(q.toml() for q in queues) + "\n")
    (folder / "agents.csv").write_text("agent_id,timezone,skills\na1,UTC," + "|".join(q.name for q in queues) + "\n")
    history.assign(interval_start=history["interval_start"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")).to_csv(
        folder / "history.csv", index=False
    )
    return folder


def speed(weeks: int = 104) -> dict[str, float]:
    """Seconds to load and to forecast a plan week from `weeks` weeks of 15-minute history, 10 queues."""
    from wfm.workspace import load_workspace

    with tempfile.TemporaryDirectory() as folder:
        root = speed_workspace(Path(folder) / "speed", weeks)
        began = time.perf_counter()
        ws = load_workspace(root)
        loaded = time.perf_counter()
        forecast_workspace(ws, ws.plan_week())
        done = time.perf_counter()
        return {"rows": float(len(ws.history)), "load_seconds": loaded - began, "forecast_seconds": done - loaded}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--accuracy", action="store_true", help="only the accuracy table")
    parser.add_argument("--speed", action="store_true", help="only the speed run")
    args = parser.parse_args(argv)
    both = not (args.accuracy or args.speed)
    if args.accuracy or both:
        began = time.perf_counter()
        table = accuracy()
        print(f"Week-ahead WAPE, 30-minute intervals, last {WEEKS} weeks of each data set ({time.perf_counter() - began:.1f} s)")
        print(f"{'model':<22}" + "".join(f"{label:>22}" for label in table.columns))
        for model, row in table.iterrows():
            cells = ""
            for label, value in row.items():
                reference = REFERENCE.get(str(model), {}).get(str(label))
                note = f" (ref {reference:.1%})" if reference is not None else ""
                cells += f"{f'{value:.2%}{note}':>22}"
            print(f"{model:<22}{cells}")
        best = table.loc[list(BASELINES)].min()
        print("best baseline: " + ", ".join(f"{label} {value:.2%}" for label, value in best.items()))
        beats = bool((table.loc["auto"] < best).all())
        print(f"default (auto) beats the best baseline on both: {'yes' if beats else 'NO'}")
    if args.speed or both:
        timing = speed()
        print(
            f"speed: 10 queues × 104 weeks of 15-minute history ({timing['rows']:,.0f} rows): "
            f"loaded in {timing['load_seconds']:.1f} s, forecast (default model) in {timing['forecast_seconds']:.1f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
