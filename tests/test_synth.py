"""Sample worlds (wfm.synth): they load, are deterministic, look like a global support center and
are sized so the weekly peak needs about agents / peak_ratio on-queue agents."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import tomllib
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm import erlang, synth
from wfm.forecast import forecast_workspace
from wfm.roster.candidates import Shift
from wfm.timegrid import interval_grid
from wfm.workspace import AgentConfig, Workspace, load_workspace

FILES = ("wfm.toml", "agents.csv", "history.csv", "special_days.csv")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return load_workspace(synth.make_world(tmp_path_factory.mktemp("synth") / "world"))


def test_world_has_the_queues_of_a_global_support_center(world: Workspace) -> None:
    queues = {q.name: q for q in world.queues}
    assert set(queues) == {"phone-en", "chat-en", "phone-es", "chat-es", "email-en", "email-es"}
    assert queues["phone-en"].timezone == queues["chat-en"].timezone == "America/New_York"
    assert queues["phone-es"].timezone == "Europe/Madrid" and queues["chat-es"].timezone == "America/Mexico_City"
    assert queues["chat-en"].concurrency == queues["chat-es"].concurrency == 2
    assert queues["phone-en"].patience_seconds is not None
    assert queues["email-en"].respond_within_hours == 24 and queues["email-es"].respond_within_hours == 72
    assert world.plan.interval_minutes == 15 and world.rules.name == "default"


def test_agents_have_sites_languages_windows_and_contracts(world: Workspace) -> None:
    agents = world.agents
    assert len(agents) == 80
    by_zone: dict[str, list[AgentConfig]] = {}
    for agent in agents:
        by_zone.setdefault(agent.timezone, []).append(agent)
    assert set(by_zone) == {"Asia/Manila", "America/Mexico_City", "Europe/Madrid", "America/Chicago"}

    def speaks(agent: object, language: str) -> bool:
        return any(skill.endswith(f"-{language}") for skill in agent.skills)  # type: ignore[attr-defined]

    assert not any(speaks(a, "es") for a in by_zone["Asia/Manila"])
    assert all(speaks(a, "es") for a in by_zone["America/Mexico_City"] + by_zone["Europe/Madrid"])
    assert any(speaks(a, "en") for a in by_zone["America/Mexico_City"])
    assert any(speaks(a, "en") for a in by_zone["Europe/Madrid"])
    assert any(speaks(a, "es") for a in by_zone["America/Chicago"])
    windows = [a.window_minutes() for a in agents]
    assert any(w is not None and w[1] > 1440 for w in windows)  # crossing local midnight
    # Follow the sun: Manila works its own day and evening (the US evening and night); only a few
    # Manila windows cross midnight, and those open in the afternoon.
    manila = [a.window_minutes() for a in by_zone["Asia/Manila"]]
    assert sum(w is not None and w[0] <= 10 * 60 and w[1] <= 22 * 60 for w in manila) >= 0.6 * len(manila)
    crossing = [w for w in manila if w is not None and w[1] > 1440]
    assert len(crossing) <= 0.15 * len(manila) and all(w[0] >= 12 * 60 for w in crossing)
    part_time = [a for a in agents if a.max_hours_week is not None]
    assert part_time and all(20 <= a.max_hours_week <= 30 and a.min_hours_week is not None for a in part_time)  # type: ignore[operator]
    assert any(a.weekdays_unavailable for a in agents) and any(a.dates_unavailable for a in agents)
    assert any(a.name for a in agents) and all(a.site for a in agents)


def test_history_has_dst_a_holiday_and_closed_hours(world: Workspace) -> None:
    history = world.history
    assert world.plan_week() == dt.date(2026, 11, 30)
    assert history["interval_start"].min() == pd.Timestamp("2026-09-28", tz="UTC")
    phone = history[history["queue"] == "phone-en"]
    local = phone["interval_start"].dt.tz_convert("America/New_York")
    daily = phone.groupby(local.dt.date)["contacts"].sum()
    assert daily[dt.date(2026, 11, 26)] < 0.5 * daily[dt.date(2026, 11, 19)]  # Thanksgiving
    assert dt.date(2026, 11, 26) in {d.date for d in world.special_days}
    # Customer-clock patterns follow DST: the busiest UTC hour moves one hour later after 1 Nov.
    utc_hour = phone["interval_start"].dt.hour
    october = phone[(local.dt.date >= dt.date(2026, 10, 5)) & (local.dt.date < dt.date(2026, 10, 24))]
    november = phone[local.dt.date >= dt.date(2026, 11, 2)]
    before = october.groupby(utc_hour)["contacts"].mean().to_numpy()
    after = november.groupby(utc_hour)["contacts"].mean().to_numpy()
    before, after = before / before.sum(), after / after.sum()
    misfit = {shift: float(((np.roll(before, shift) - after) ** 2).sum()) for shift in (-2, -1, 0, 1, 2)}
    assert min(misfit, key=misfit.__getitem__) == 1
    # phone-es is closed overnight and on Sundays in Madrid: no rows then, as in real exports.
    spain = history[history["queue"] == "phone-es"]["interval_start"].dt.tz_convert("Europe/Madrid")
    assert spain.dt.hour.between(8, 21).all() and (spain.dt.day_of_week != 6).all()
    handle = phone.groupby(local.dt.hour)["aht_seconds"].mean()
    assert handle.max() - handle.min() > 0.1 * handle.mean()  # AHT varies by time of day


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path) -> None:
    first = synth.make_world(tmp_path / "a", seed=3, agents=40, weeks=2)
    second = synth.make_world(tmp_path / "b", seed=3, agents=40, weeks=2)
    other = synth.make_world(tmp_path / "c", seed=4, agents=40, weeks=2)
    for name in FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "history.csv").read_bytes() != (other / "history.csv").read_bytes()
    assert (first / "agents.csv").read_bytes() != (other / "agents.csv").read_bytes()


@pytest.mark.parametrize("minutes", [30, 60])
def test_dst_plan_week_and_other_intervals(tmp_path: Path, minutes: int) -> None:
    monday = dt.date(2026, 10, 26)  # Europe changed on Sunday 25 Oct; the US changes on Sunday 1 Nov
    ws = load_workspace(synth.make_world(tmp_path / "w", plan_week=monday, interval_minutes=minutes, weeks=6))
    assert ws.plan_week() == monday
    forecast = forecast_workspace(ws)
    grid = interval_grid(monday, minutes).as_unit("ns")
    for queue in ws.queues:
        assert pd.DatetimeIndex(forecast.loc[forecast["queue"] == queue.name, "interval_start"]).equals(grid)


def _required(ws: Workspace, forecast: pd.DataFrame) -> pd.DataFrame:
    """On-queue agents per interval and queue (Erlang for phone and chat, email levelled)."""
    minutes = ws.plan.interval_minutes
    columns = {}
    for queue in ws.queues:
        rows = forecast[forecast["queue"] == queue.name]
        traffic = (rows["contacts"] * rows["aht_seconds"] / (minutes * 60)).to_numpy()
        if queue.channel == "email":
            window = int(queue.respond_within_hours * 60 / minutes)  # type: ignore[operator]
            level = np.convolve(np.concatenate([np.zeros(window - 1), traffic]), np.ones(window), mode="valid") / (window * 0.85)
            columns[queue.name] = np.ceil(level - 1e-9)
        else:
            columns[queue.name] = erlang.required_agents(
                traffic,
                rows["aht_seconds"].to_numpy(),
                0.8,
                float(queue.answer_seconds or 0),
                0.85,
                queue.concurrency,
                patience_seconds=queue.patience_seconds,
            )
    return pd.DataFrame(columns, index=interval_grid(ws.plan_week(), minutes))


# ----------------------------------------------------------------------------- what agents can work
# Worked out here from agents.csv and the profile's TOML alone (not with wfm.roster or wfm.synth):
# for each of an agent's 7 local days, the longest non-night and night shift that fits the window.

PROFILE = tomllib.loads((ROOT / "constraints" / "default.toml").read_text(encoding="utf-8"))
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass
class Days:
    """One agent's local days: best paid hours of a non-night and of a night shift (0 = none)."""

    day: list[float]
    night: list[float]
    shifts: int = 0  # legal shifts (start, length) in the week
    nights: int = 0  # of which night shifts
    full_days: int = 0  # days on which a non-night shift of every length fits


def _clock(text: str) -> dt.timedelta:
    hours, minutes = text.split(":")
    return dt.timedelta(hours=int(hours), minutes=int(minutes))


def _unavailable(days_unavailable: str) -> Callable[[dt.date], bool]:
    parts = [part for part in days_unavailable.split("|") if part]
    weekdays = {WEEKDAYS.index(part) for part in parts if part in WEEKDAYS}
    dates = {dt.date.fromisoformat(part) for part in parts if part not in WEEKDAYS}
    return lambda day: day.weekday() in weekdays or day in dates


@functools.cache
def _days(timezone: str, available_from: str, available_to: str, days_unavailable: str, week: dt.date) -> Days:
    zone = zoneinfo.ZoneInfo(timezone)
    origin = dt.datetime(week.year, week.month, week.day, tzinfo=dt.UTC)
    first = origin.astimezone(zone).date()
    off = _unavailable(days_unavailable)
    lunch = dt.timedelta(minutes=PROFILE["breaks"]["lunch_minutes"])
    night_hours = dt.timedelta(hours=6)  # FORMATS: a night shift touches local 00:00–06:00
    days = Days(day=[0.0] * 7, night=[0.0] * 7)
    fits: dict[int, set[float]] = {}
    start = origin
    while start < origin + dt.timedelta(days=7):
        local = start.astimezone(zone).replace(tzinfo=None)
        index = (local.date() - first).days
        start_step = dt.timedelta(minutes=PROFILE["shifts"]["start_step_minutes"])
        if 0 <= index < 7 and not off(local.date()):
            for hours in PROFILE["shifts"]["lengths_hours"]:
                length = dt.timedelta(hours=hours)
                end = (start + length).astimezone(zone).replace(tzinfo=None)
                if available_from:
                    opens, closes = _clock(available_from), _clock(available_to)
                    closes += dt.timedelta(days=1) if closes <= opens else dt.timedelta()
                    anchors = [dt.datetime.combine(local.date() - dt.timedelta(days=back), dt.time()) for back in (0, 1)]
                    if not any(anchor + opens <= local and end <= anchor + closes for anchor in anchors):
                        continue
                midnights = [dt.datetime.combine(local.date() + dt.timedelta(days=ahead), dt.time()) for ahead in (0, 1)]
                night = any(local < midnight + night_hours and end > midnight for midnight in midnights)
                paid = (length - (lunch if length > dt.timedelta(hours=6) else dt.timedelta())) / dt.timedelta(hours=1)
                best = days.night if night else days.day
                best[index] = max(best[index], paid)
                days.shifts += 1
                days.nights += night
                if not night:
                    fits.setdefault(index, set()).add(hours)
        start += start_step
    days.full_days = sum(found == set(PROFILE["shifts"]["lengths_hours"]) for found in fits.values())
    return days


def _best_week(days: Days, cap: float, nights_allowed: int) -> float:
    """Most paid hours: one shift per day on at most 7 − min_days_off days, at most `nights_allowed` nights."""
    most_days = 7 - PROFILE["hours"]["min_days_off_per_week"]
    best = 0.0
    for choice in itertools.product((0, 1, 2), repeat=7):  # 0 off, 1 a non-night shift, 2 a night shift
        if sum(c > 0 for c in choice) > most_days or choice.count(2) > nights_allowed:
            continue
        hours = [(0.0, days.day[i], days.night[i])[c] for i, c in enumerate(choice)]
        if all(h > 0 for h, c in zip(hours, choice, strict=True) if c):
            best = max(best, sum(hours))
    return min(best, cap)


def _agents(root: Path, week: dt.date = dt.date(2026, 11, 30)) -> pd.DataFrame:
    """agents.csv with each agent's days and best legal week under the default profile."""
    frame = pd.read_csv(root / "agents.csv", dtype=str, keep_default_na=False)
    days = [
        _days(row["timezone"], row["available_from"], row["available_to"], row["days_unavailable"], week)
        for row in frame.to_dict("records")
    ]
    frame["days"] = pd.Series(days, index=frame.index, dtype=object)
    cap = PROFILE["hours"]["max_per_week"]
    frame["cap"] = [min(cap, float(value)) if value else cap for value in frame["max_hours_week"]]
    weeks: dict[tuple[int, float], float] = {}
    frame["best"] = [
        weeks.setdefault((id(days), cap), _best_week(days, cap, PROFILE["nights"]["max_per_week"]))
        for days, cap in zip(frame["days"], frame["cap"], strict=True)
    ]
    # Windows that run past local midnight (12:00–00:00 ends at midnight: no night shift fits in it).
    frame["crossing"] = [
        bool(a) and dt.timedelta() < _clock(b) < _clock(a)
        for a, b in zip(frame["available_from"], frame["available_to"], strict=True)
    ]
    return frame


@pytest.mark.parametrize("agents", [80, 350, 1200])
def test_every_agent_can_work_its_contract_with_hours_to_spare(tmp_path: Path, agents: int) -> None:
    frame = _agents(synth.make_world(tmp_path / "w", agents=agents, weeks=1))
    contracted = frame["min_hours_week"] != ""
    minimum = frame.loc[contracted, "min_hours_week"].astype(float)
    margin = frame.loc[contracted, "best"] - minimum
    assert (margin >= 8).all(), frame.loc[contracted][margin < 8][["agent_id", "min_hours_week", "best"]]
    free = frame[~contracted]
    assert (free["best"] >= np.minimum(30, free["cap"])).all(), free[free["best"] < 30][["agent_id", "best"]]
    # Windows that cross local midnight stay (the roster must handle them), but they are a minority
    # and leave a non-night shift of every length on the days the agent works.
    crossing = frame[frame["crossing"]]
    assert 0 < len(crossing) <= 0.2 * agents
    manila = frame[frame["timezone"] == "Asia/Manila"]
    assert manila["crossing"].sum() <= 0.15 * len(manila)
    for agent_id, days in zip(crossing["agent_id"], crossing["days"], strict=True):
        available = sum(1 for d, n in zip(days.day, days.night, strict=True) if d or n)
        assert days.full_days >= available - 1, agent_id  # the first or last day may be cut by the week's edge
    nights = sum(days.nights for days in crossing["days"]) / sum(days.shifts for days in crossing["days"])
    assert nights < 0.5, nights


Planned = Callable[[int], tuple[Workspace, pd.DataFrame, pd.DataFrame]]


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Planned:
    """A world of N agents (9 weeks of history), its agents' best weeks and its requirements per queue."""
    cache: dict[int, tuple[Workspace, pd.DataFrame, pd.DataFrame]] = {}

    def make(agents: int) -> tuple[Workspace, pd.DataFrame, pd.DataFrame]:
        if agents not in cache:
            root = synth.make_world(tmp_path_factory.mktemp("planned") / "w", agents=agents)
            ws = load_workspace(root)
            cache[agents] = (ws, _agents(root), _required(ws, forecast_workspace(ws)))
        return cache[agents]

    return make


@pytest.mark.parametrize("agents", [80, 350, 1200])
def test_peak_requirement_is_about_agents_over_peak_ratio(planned: Planned, agents: int) -> None:
    ws, frame, required = planned(agents)
    total = required.sum(axis=1)
    assert 0.8 * agents / 2.9 <= total.max() <= 1.1 * agents / 2.9
    # Against what the agents can really work (windows, days, nights cap), not their caps alone.
    share = total.sum() * ws.plan.interval_minutes / 60 / frame["best"].sum()
    assert 0.55 <= share <= 0.75, share


def _available(frame: pd.DataFrame, grid: pd.DatetimeIndex) -> np.ndarray:
    """agents × intervals: inside the agent's window on a day it works (a shift that started the
    day before counts for the small hours of a window crossing midnight)."""
    out = np.zeros((len(frame), len(grid)), dtype=bool)
    for number, row in enumerate(frame.to_dict("records")):
        local = grid.tz_convert(row["timezone"])
        minute = np.asarray(local.hour * 60 + local.minute)
        today = np.asarray(local.date)
        off = _unavailable(row["days_unavailable"])
        works_today = ~np.asarray([off(day) for day in today])
        if not row["available_from"]:
            out[number] = works_today
            continue
        opens = _clock(row["available_from"]) // dt.timedelta(minutes=1)
        closes = _clock(row["available_to"]) // dt.timedelta(minutes=1)
        if closes > opens:
            out[number] = works_today & (minute >= opens) & (minute < closes)
        else:
            works_yesterday = ~np.asarray([off(day - dt.timedelta(days=1)) for day in today])
            out[number] = (works_today & (minute >= opens)) | (works_yesterday & (minute < closes))
    return out


@pytest.mark.parametrize("agents", [80, 350])
def test_every_queue_has_agents_to_spare_at_every_hour(planned: Planned, agents: int) -> None:
    ws, frame, required = planned(agents)
    grid = pd.DatetimeIndex(required.index)
    available = _available(frame, grid)
    skills = [set(text.split("|")) for text in frame["skills"]]
    everyone = np.ones(len(frame), dtype=bool)

    def spare(queues: list[str], who: np.ndarray = everyone, when: np.ndarray | None = None) -> float:
        """Least ratio of agents available (skilled for any of `queues`) to agents required (summed)."""
        when = np.ones(len(grid), dtype=bool) if when is None else when
        skilled = np.asarray([bool(s & set(queues)) for s in skills]) & who
        count = available[skilled].sum(axis=0)[when]
        need = required[queues].sum(axis=1).to_numpy()[when]
        return float((count[need > 0] / need[need > 0]).min())

    for queue in ws.queues:
        assert spare([queue.name]) >= 2, queue.name
    for language in ("en", "es"):
        assert spare([q.name for q in ws.queues if q.name.endswith(f"-{language}")]) >= 1.75, language
    assert spare([q.name for q in ws.queues]) >= 1.75
    # The round-the-clock English queues through the New York night: Manila's day covers them alone.
    manila = (frame["timezone"] == "Asia/Manila").to_numpy()
    night = np.asarray(grid.tz_convert("America/New_York").hour < 6)
    for name in ("phone-en", "chat-en", "email-en"):
        assert spare([name], manila, night) >= 2, name


def test_a_large_world_has_every_agent(tmp_path: Path) -> None:
    root = synth.make_world(tmp_path / "big", agents=1200, weeks=9)
    assert len(pd.read_csv(root / "agents.csv")) == 1200


def test_bad_arguments_are_input_errors(tmp_path: Path) -> None:
    from wfm.errors import InputError

    with pytest.raises(InputError, match="plan_week must be a Monday"):
        synth.make_world(tmp_path / "w", plan_week=dt.date(2026, 12, 1))
    with pytest.raises(InputError, match="interval_minutes must be 15, 30 or 60"):
        synth.make_world(tmp_path / "w", interval_minutes=20)


# ----------------------------------------------------------------------------- drawn worlds (draw_world)

# (seed, agents) of the drawn worlds written here: sizes up to 120 keep the module fast.
DRAWN = [(0, None), (3, 40), (11, 24), (23, 120), (42, 15), (57, 60)]


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int, int | None], Path]:
    cache: dict[tuple[int, int | None], Path] = {}

    def make(seed: int, agents: int | None) -> Path:
        if (seed, agents) not in cache:
            cache[(seed, agents)] = synth.draw_world(seed, agents, out=tmp_path_factory.mktemp("drawn") / "world")
        return cache[(seed, agents)]

    return make


def test_drawn_shapes_cover_the_family() -> None:
    specs = [synth.draw_spec(seed) for seed in range(80)]
    assert {spec.interval_minutes for spec in specs} == {15, 30, 60}
    assert min(len(spec.queues) for spec in specs) == 2 and max(len(spec.queues) for spec in specs) >= 7
    assert {q.timezone for spec in specs for q in spec.queues} == {market.timezone for market in synth.MARKETS}
    assert {zone for spec in specs for zone in spec.zones} == {zone.timezone for zone in synth.ZONES}
    assert min(len(spec.zones) for spec in specs) == 2 and max(len(spec.zones) for spec in specs) == 6
    assert {10, 1200} <= {spec.agents for spec in specs}
    assert sum(spec.agents <= 40 for spec in specs) > len(specs) / 2  # most teams are small
    assert {spec.rules for spec in specs} == {"default", "flexible", "rules.toml"}
    assert any(spec.rules_toml and "lengths_hours = [4, 6, 8, 9, 10]" in spec.rules_toml for spec in specs)
    assert any(spec.part_time_share >= 1 / 3 for spec in specs) and any(spec.part_time_share < 0.2 for spec in specs)
    tight = [spec.headcount_ratio for spec in specs if spec.headcount_ratio < 1.2]
    loose = [spec.headcount_ratio for spec in specs if spec.headcount_ratio >= 1.2]
    assert tight and loose and min(tight) >= 1.0 and max(tight) <= 1.1 and min(loose) >= 1.3 and max(loose) <= 1.6
    assert {dt.date(2026, 10, 26), dt.date(2026, 11, 2), dt.date(2026, 11, 16)} <= {spec.plan_week for spec in specs}
    assert {spec.history_weeks for spec in specs} == set(range(6, 11))
    assert {spec.history_clock for spec in specs} == {"utc", "local"}
    chats = {q.concurrency for spec in specs for q in spec.queues if q.channel == "chat"}
    emails = {q.respond_within_hours for spec in specs for q in spec.queues if q.channel == "email"}
    assert chats == {1, 2, 3} and min(emails) == 4 and max(emails) == 72  # type: ignore[type-var]
    assert any(q.patience_seconds for spec in specs for q in spec.queues)
    assert any(q.open_hours is None and q.channel != "email" for spec in specs for q in spec.queues)
    for spec in specs:
        assert spec.queues[0].channel == "phone"
        assert len({q.name for q in spec.queues}) == len(spec.queues)
        assert sum(spec.zone_shares) == pytest.approx(1.0) and min(spec.zone_shares) > 0


@pytest.mark.parametrize(("seed", "agents"), DRAWN)
def test_a_drawn_world_is_a_valid_workspace_with_its_truth(
    drawn: Callable[[int, int | None], Path], seed: int, agents: int | None
) -> None:
    root = drawn(seed, agents)
    spec = synth.draw_spec(seed, agents)
    ws = load_workspace(root)
    assert len(ws.agents) == spec.agents and ws.plan.interval_minutes == spec.interval_minutes
    assert ws.plan_week() == spec.plan_week  # history ends the Sunday before
    assert ws.rules.name == spec.rules or (root / spec.rules).is_file()
    forecast = forecast_workspace(ws)  # the history passes wfm's checks: no gaps, on the grid
    grid = interval_grid(spec.plan_week, spec.interval_minutes).as_unit("ns")
    truth = pd.read_csv(root / "truth" / "truth.csv")
    assert list(truth.columns) == ["queue", "interval_start", "contacts", "aht_seconds"]
    assert truth["interval_start"].str.endswith("Z").all()
    truth["interval_start"] = pd.to_datetime(truth["interval_start"], utc=True)
    for queue in ws.queues:
        rows = truth[truth["queue"] == queue.name]
        assert pd.DatetimeIndex(rows["interval_start"]).as_unit("ns").equals(grid), queue.name
        assert pd.DatetimeIndex(forecast.loc[forecast["queue"] == queue.name, "interval_start"]).equals(grid)
        assert (rows["contacts"] >= 0).all() and (rows["aht_seconds"] > 0).all()
        assert rows["contacts"].sum() > 0, queue.name
    # History was drawn around the truth: the last three weeks average near the plan week's volume
    # (a slow trend, and day-level noise, between them).
    history = ws.history
    recent = history[history["interval_start"] >= history["interval_start"].max() - pd.Timedelta(days=21)]
    ratio = truth["contacts"].sum() / (recent["contacts"].sum() / 3)
    assert 0.8 < ratio < 1.25, ratio
    raw = pd.read_csv(root / "history.csv", dtype=str)
    if spec.history_clock == "utc":
        assert raw["interval_start"].str.endswith("Z").all()
    else:
        for drawn_queue in spec.queues:
            stamps = raw.loc[raw["queue"] == drawn_queue.name, "interval_start"].iloc[::50]
            offsets = [pd.Timestamp(text).utcoffset() for text in stamps]
            local = [pd.Timestamp(text).tz_convert(drawn_queue.timezone).utcoffset() for text in stamps]
            assert offsets == local, drawn_queue.name
    shape = json_file(root / "truth" / "shape.json")
    assert shape["tags"] == spec.tags() and shape["seed"] == seed and shape["agents"] == spec.agents


def json_file(path: Path) -> dict[str, object]:
    import json

    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_same_seed_same_drawn_world_other_seed_other_world(tmp_path: Path) -> None:
    first = synth.draw_world(5, 15, out=tmp_path / "a")
    second = synth.draw_world(5, 15, out=tmp_path / "b")
    other = synth.draw_world(6, 15, out=tmp_path / "c")
    names = sorted(path.relative_to(first).as_posix() for path in first.rglob("*") if path.is_file())
    assert "truth/truth.csv" in names and "truth/shape.json" in names
    assert names == sorted(path.relative_to(second).as_posix() for path in second.rglob("*") if path.is_file())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "agents.csv").read_bytes() != (other / "agents.csv").read_bytes()
    assert (first / "truth" / "truth.csv").read_bytes() != (other / "truth" / "truth.csv").read_bytes()
    assert synth.draw_spec(5, 15) == synth.draw_spec(5, 15)


def _legal_week_minutes(shifts: Sequence[Shift], cap: int, ws: Workspace) -> int:
    """Most paid minutes (at most `cap`) of a week of these shifts that keeps every hard rule
    that spans days: one shift a day, rest between shifts, days off, nights. Consecutive days
    cannot bind here (asserted by the caller): 7 − min_days_off ≤ max_consecutive_days."""
    rules = ws.rules
    rest = round(rules.hours.min_rest_between_shifts * 60)
    most_days = 7 - rules.hours.min_days_off_per_week
    most_nights = most_days if rules.is_soft("max_nights") else rules.nights.max_per_week
    # (days worked, nights, paid minutes so far) → the earliest end of the last shift
    states: dict[tuple[int, int, int], int] = {(0, 0, 0): -(10**9)}
    for day in sorted({shift.day for shift in shifts}):
        today = [shift for shift in shifts if shift.day == day]
        following = dict(states)
        for (used, nights, paid), end in states.items():
            if used == most_days:
                continue
            for shift in today:
                if (shift.night and nights == most_nights) or shift.start < end + rest or paid + shift.paid > cap:
                    continue
                key = (used + 1, nights + shift.night, paid + shift.paid)
                following[key] = min(following.get(key, shift.end), shift.end)
        states = following
    return max(paid for _, _, paid in states)


@pytest.mark.parametrize(("seed", "agents"), DRAWN)
def test_every_drawn_contract_has_a_legal_week(drawn: Callable[[int, int | None], Path], seed: int, agents: int | None) -> None:
    from wfm.roster.candidates import make_groups

    ws = load_workspace(drawn(seed, agents), with_history=False)
    assert 7 - ws.rules.hours.min_days_off_per_week <= ws.rules.hours.max_consecutive_days
    week = synth.draw_spec(seed, agents).plan_week
    groups = make_groups(ws.agents, ws.rules, week)
    contracted = [group for group in groups if group.min_minutes]
    assert contracted
    for group in contracted:
        assert group.min_minutes <= group.cap_minutes
        most = _legal_week_minutes(group.shifts, group.cap_minutes, ws)
        assert most >= group.min_minutes, (group.label, most / 60, group.min_minutes / 60)


@pytest.mark.parametrize(("seed", "agents"), DRAWN)
def test_drawn_agents_can_cover_every_hour_of_work(
    drawn: Callable[[int, int | None], Path], seed: int, agents: int | None
) -> None:
    root = drawn(seed, agents)
    spec = synth.draw_spec(seed, agents)
    frame = pd.read_csv(root / "agents.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(root / "truth" / "truth.csv", parse_dates=["interval_start"])
    hours = interval_grid(spec.plan_week, 60)
    for queue in spec.queues:
        busy = truth[(truth["queue"] == queue.name) & (truth["contacts"] > 0)]
        busy_hours = set(busy["interval_start"].dt.floor("h"))
        skilled = frame[frame["skills"].str.split("|").map(lambda skills, name=queue.name: name in skills)]
        assert len(skilled) >= 1, queue.name
        covered = np.zeros(len(hours), dtype=bool)
        for row in skilled.to_dict("records"):
            local = hours.tz_convert(row["timezone"])
            minute = np.asarray(local.hour * 60 + local.minute)
            if not row["available_from"]:
                covered[:] = True
                break
            opens, closes = (_clock(row[key]) // dt.timedelta(minutes=1) for key in ("available_from", "available_to"))
            covered |= (minute >= opens) & (minute < closes) if closes > opens else (minute >= opens) | (minute < closes)
        missing = [hour for hour, ok in zip(hours, covered, strict=True) if hour in busy_hours and not ok]
        assert not missing, (queue.name, missing[:3])


def test_drawn_teams_have_the_promised_people(drawn: Callable[[int, int | None], Path]) -> None:
    frames = {key: pd.read_csv(drawn(*key) / "agents.csv", dtype=str, keep_default_na=False) for key in DRAWN}
    every = pd.concat(frames.values(), ignore_index=True)
    skills = every["skills"].str.split("|")
    assert (skills.map(len) == 1).any()  # single-skill agents
    assert skills.map(lambda names: len({name.split("-")[1] for name in names}) > 1).any()  # bilingual agents
    crossing = (every["available_from"] != "") & (every["available_to"] < every["available_from"])
    assert crossing.any() and (every["available_from"] == "").any()
    assert every["days_unavailable"].str.contains(r"\d{4}-\d{2}-\d{2}").any()
    assert every["days_unavailable"].str.contains("Mon|Tue|Wed|Thu|Fri|Sat|Sun").any()
    for key, frame in frames.items():
        spec = synth.draw_spec(*key)
        caps = pd.to_numeric(frame["max_hours_week"])
        minimums = pd.to_numeric(frame["min_hours_week"])
        part_time = caps.between(20, 30) & minimums.between(16, 24)
        if spec.part_time_share >= 1 / 3:  # a part-time-heavy team: a third or more
            assert part_time.sum() >= len(frame) / 3 - 1, (key, part_time.sum())
        assert (minimums.dropna() <= caps.reindex(minimums.dropna().index).fillna(40)).all()


@pytest.mark.parametrize(("seed", "agents"), DRAWN)
def test_drawn_headcount_is_tight_or_loose_as_drawn(
    drawn: Callable[[int, int | None], Path], seed: int, agents: int | None
) -> None:
    from wfm.pipeline import lower_bound_paid_hours
    from wfm.pipeline import read_forecast as read_truth
    from wfm.requirements import compute_requirements

    root = drawn(seed, agents)
    spec = synth.draw_spec(seed, agents)
    ws = load_workspace(root, with_history=False)
    requirements = compute_requirements(read_truth(root / "truth" / "truth.csv"), ws.queues, ws.plan.interval_minutes, ws.rules)
    bound = lower_bound_paid_hours(ws, requirements)
    capacity = float(json_file(root / "truth" / "shape.json")["best_week_hours"])  # type: ignore[arg-type]
    # wfm's bound from the truth (handle time by time of day, Erlang on it) against the
    # generator's calibration (one handle time per queue): within 15%.
    assert 0.85 * spec.headcount_ratio <= capacity / bound <= 1.15 * spec.headcount_ratio, capacity / bound
