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

Real exports (the second protocol): each bank as a planner's workspace would hold it, in its
customers' clock (NA bank `America/New_York`, Anonymous Bank `Asia/Jerusalem`), history.csv as a
local-clock export converted to UTC: a row for every interval of the bank's open grid, 0 where
the source has no day (NA bank's holidays and lost days, Anonymous Bank's 11–12 January), and
the autumn hour that the local clock repeats left out (it cannot be told which pass it was), so
the history misses two hours at Israel's 1999 DST change. No flags. Scored as `wfm forecast
--backtest` scores them (`wfm.forecast.backtest`): the last 4 weeks, week-ahead, 30-minute WAPE;
the 80% prediction interval's coverage of busy intervals (forecast ≥ 10 contacts); and the
`--now` re-forecast at local 10:00 and noon of every day of those weeks, its WAPE on the rest
of the day (to local midnight) divided by the week-ahead forecast's on the same intervals.

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
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wfm.forecast import (
    INTRADAY_TIMES,
    MODELS,
    ContactModel,
    RecentWeeks,
    SeasonalNaive,
    backtest,
    forecast_workspace,
    pooled_coverage,
    pooled_intraday,
)
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
        scores = backtest(ws, weeks=WEEKS, models=models, last_week=last_week, fill_gaps="skip", intraday_at=())
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


# ----------------------------------------------------------------------------- real exports

EXPORT_WEEKS = 4


def _local_export(queue: str, zone: str, local: np.ndarray, calls: np.ndarray) -> pd.DataFrame:
    """Local clock stamps → history rows in UTC; stamps the clock skips or repeats are dropped."""
    stamps = pd.DatetimeIndex(local).tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    keep = np.asarray(~stamps.isna())
    return pd.DataFrame(
        {
            "queue": queue,
            "interval_start": stamps[keep].tz_convert("UTC").astype("datetime64[ns, UTC]"),
            "contacts": np.asarray(calls, dtype=float)[keep],
            "aht_seconds": AHT_SECONDS,
        }
    )


def _zoned_workspace(name: str, zone: str, history: pd.DataFrame) -> Workspace:
    queue = QueueConfig(name=name, channel="phone", timezone=zone)
    config = WorkspaceConfig(plan=PlanConfig(interval_minutes=30), queues=(queue,))
    return Workspace(root=DATA, config=config, rules=RulesProfile(), agents=(), history=history)


def na_bank_export() -> tuple[Workspace, dt.date]:
    """NA bank 2003 in New York's clock, every weekday 07:00–21:05 (0 on its six missing days)."""
    raw = pd.read_csv(DATA / "na_bank_2003_5min.csv")
    local = pd.to_datetime(raw["datetime"])
    days = pd.bdate_range(local.min().normalize(), local.max().normalize())
    times = pd.timedelta_range("07:00:00", "21:00:00", freq="5min")
    grid = (days.to_numpy()[:, None] + times.to_numpy()[None, :]).ravel()
    calls = pd.Series(raw["calls"].to_numpy(dtype=float), index=local).reindex(grid, fill_value=0.0)
    history = _local_export("na-bank", "America/New_York", grid, calls.to_numpy())
    return _zoned_workspace("na-bank", "America/New_York", history), dt.date(2003, 10, 20)


def anonymous_bank_export() -> tuple[Workspace, dt.date]:
    """Anonymous Bank 1999 in Israel's clock, 24 hours a day (0 on 11–12 January)."""
    raw = pd.read_csv(DATA / "anonymous_bank_1999_6min.csv")
    local = pd.to_datetime(raw["date"] + " " + raw["interval_start"])
    grid = pd.date_range("1999-01-01", "1999-12-31 23:54", freq="6min").to_numpy()
    calls = pd.Series(raw["calls"].to_numpy(dtype=float), index=local).reindex(grid, fill_value=0.0)
    history = _local_export("anonymous-bank", "Asia/Jerusalem", grid, calls.to_numpy())
    # The last Monday week the year covers completely.
    return _zoned_workspace("anonymous-bank", "Asia/Jerusalem", history), dt.date(1999, 12, 20)


EXPORTS: dict[str, Callable[[], tuple[Workspace, dt.date]]] = {
    "NA bank 2003": na_bank_export,
    "Anonymous Bank 1999": anonymous_bank_export,
}


def export_accuracy(weeks: int = EXPORT_WEEKS) -> pd.DataFrame:
    """Week-ahead WAPE of the 6-week median and wfm's default on the real exports, no flags."""
    columns = {}
    for label, load in EXPORTS.items():
        ws, last_week = load()
        scores = backtest(ws, weeks=weeks, models=["median_6w", "auto"], last_week=last_week, intraday_at=())
        columns[label] = scores.set_index("model")["wape"]
    table = pd.DataFrame(columns)
    table.loc["auto ÷ 6-week median"] = table.loc["auto"] / table.loc["median_6w"]
    return table


def held_out(label: str, weeks: int = EXPORT_WEEKS, times: Sequence[dt.time] = INTRADAY_TIMES) -> dict[str, float]:
    """One export's held-out weeks as `wfm forecast --backtest` scores them (`backtest`, the
    default model): interval coverage of busy intervals and the `--now` re-forecast at each
    local time of `times`, its WAPE on the rest of the day beside the week-ahead forecast's on
    the same intervals. Keys per time: `*_HHMM` (e.g. vs_week_ahead_1200)."""
    ws, last_week = EXPORTS[label]()
    scores = backtest(ws, weeks=weeks, models=["auto"], last_week=last_week, intraday_at=times)
    coverage = pooled_coverage(scores)
    out = {"coverage": float("nan") if coverage is None else coverage, "busy_intervals": float(scores["busy_intervals"].sum())}
    for at in times:
        pooled = pooled_intraday(scores, at)
        if pooled is None:
            continue
        key = at.strftime("%H%M")
        out |= {
            f"afternoon_wape_week_ahead_{key}": pooled["week_ahead_wape"],
            f"afternoon_wape_{key}": pooled["wape"],
            f"vs_week_ahead_{key}": pooled["ratio"],
            f"days_{key}": pooled["days"],
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--accuracy", action="store_true", help="only the accuracy table")
    parser.add_argument("--speed", action="store_true", help="only the speed run")
    parser.add_argument("--exports", action="store_true", help="only the real exports (WAPE, intervals, intraday)")
    args = parser.parse_args(argv)
    both = not (args.accuracy or args.speed or args.exports)
    if args.exports or both:
        began = time.perf_counter()
        table = export_accuracy()
        print(f"Real exports, no flags: week-ahead WAPE, last {EXPORT_WEEKS} weeks ({time.perf_counter() - began:.1f} s)")
        print(f"{'model':<24}" + "".join(f"{label:>22}" for label in table.columns))
        for model, row in table.iterrows():
            print(f"{model:<24}" + "".join(f"{value:>22.3f}" for value in row))
        print(f"{'':<24}" + "".join(f"{label:>22}" for label in EXPORTS))
        figures = {label: held_out(label) for label in EXPORTS}
        rows = [("coverage", "p10–p90 holds (busy)"), ("busy_intervals", "busy intervals")]
        for at in INTRADAY_TIMES:
            key, clock = at.strftime("%H%M"), at.strftime("%H:%M")
            rows += [
                (f"afternoon_wape_week_ahead_{key}", f"after {clock}, week-ahead"),
                (f"afternoon_wape_{key}", f"after {clock}, re-forecast"),
                (f"vs_week_ahead_{key}", f"{clock} ÷ week-ahead"),
                (f"days_{key}", f"{clock}, days"),
            ]
        for key, text in rows:
            print(f"{text:<24}" + "".join(f"{figures[label].get(key, float('nan')):>22.3f}" for label in EXPORTS))
        print(f"({time.perf_counter() - began:.1f} s in all)")
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
