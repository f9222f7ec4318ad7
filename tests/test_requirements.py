"""wfm.requirements: forecast → on-queue agents per queue and interval, shrinkage, email levels."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from wfm import erlang
from wfm.errors import InputError
from wfm.requirements import (
    REQUIREMENT_COLUMNS,
    apply_shrinkage,
    compute_requirements,
    email_level_agents,
)
from wfm.rules import RulesProfile, load_rules
from wfm.workspace import QueueConfig

START = pd.Timestamp("2026-11-30", tz="UTC")


@pytest.fixture(scope="module")
def rules() -> RulesProfile:
    return load_rules("default")  # service.max_occupancy = 0.85


def queue(name: str, channel: str = "phone", **settings: Any) -> QueueConfig:
    return QueueConfig(name=name, channel=channel, timezone="UTC", **settings)


def forecast(
    name: str, contacts: list[float], aht: float | list[float], minutes: int = 30, start: pd.Timestamp = START
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "queue": name,
            "interval_start": pd.date_range(start, periods=len(contacts), freq=f"{minutes}min"),
            "contacts": np.asarray(contacts, dtype=float),
            "aht_seconds": np.broadcast_to(np.asarray(aht, dtype=float), (len(contacts),)),
        }
    )


# ---------------------------------------------------------------------------------------------
# Shrinkage


def test_apply_shrinkage_reference_values() -> None:
    # erlang_reference.md: C1 14 → 20, C2 15 → 22, A2 13 → 19 at 30 % shrinkage.
    assert apply_shrinkage([14, 15, 13, 0], 0.3).tolist() == [20, 22, 19, 0]
    assert apply_shrinkage(7, 0.0).tolist() == 7
    assert apply_shrinkage([10], 0.5).tolist() == [20]  # exact: no spurious extra agent


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5, float("nan")])
def test_apply_shrinkage_rejects_bad_fractions(bad: float) -> None:
    with pytest.raises(InputError, match="shrinkage: expected a fraction from 0 up to"):
        apply_shrinkage(10, bad)


# ---------------------------------------------------------------------------------------------
# Phone and chat


def test_phone_reference_case(rules: RulesProfile) -> None:
    out = compute_requirements(forecast("phone", [100.0], 180.0), [queue("phone")], 30, rules, shrinkage=0.3)
    assert list(out.columns) == list(REQUIREMENT_COLUMNS)
    row = out.iloc[0]
    assert (row["agents"], row["agents_with_shrinkage"]) == (14, 20)
    assert row["traffic_erlangs"] == pytest.approx(10.0)
    assert math.isnan(row["workload_erlangs"]) and math.isnan(row["deadline_hours"])
    assert out["agents"].dtype == np.int64


def test_queue_occupancy_cap_overrides_the_profile(rules: RulesProfile) -> None:
    out = compute_requirements(forecast("phone", [100.0], 180.0), [queue("phone", max_occupancy=0.7)], 30, rules, 0.3)
    assert (out["agents"].tolist()[0], out["agents_with_shrinkage"].tolist()[0]) == (15, 22)


def test_profile_cap_decides_for_big_queues(rules: RulesProfile) -> None:
    # RESEARCH.md: 500 Erlangs need 513 agents at 80/20 alone (97.5 % occupancy, AHT 5 min);
    # the profile's 85 % cap needs 589.
    contacts = 500 * 15 * 60 / 300
    out = compute_requirements(forecast("phone", [contacts], 300.0, minutes=15), [queue("phone")], 15, rules)
    assert out["agents"].tolist()[0] == math.ceil(500 / 0.85)
    assert int(erlang.required_agents(500.0, 300, 0.8, 20)) == 513


def test_patience_uses_erlang_a(rules: RulesProfile) -> None:
    out = compute_requirements(forecast("phone", [100.0], 180.0), [queue("phone", patience_seconds=300)], 30, rules, 0.3)
    assert (out["agents"].tolist()[0], out["agents_with_shrinkage"].tolist()[0]) == (13, 19)


def test_chat_concurrency_and_defaults(rules: RulesProfile) -> None:
    chats = [0.0, 40.0, 120.0]
    out = compute_requirements(forecast("chat", chats, 420.0, minutes=15), [queue("chat", "chat", concurrency=2)], 15, rules)
    traffic = erlang.traffic_erlangs(chats, 420.0, 15)
    servers = erlang.required_agents(traffic, 420.0, 0.8, 30, 0.85)  # chat default: 80 % in 30 s
    assert out["agents"].tolist() == [math.ceil(s / 2) for s in servers]
    assert out["agents"].iat[0] == 0


def test_rows_without_contacts_need_nobody_and_may_lack_aht(rules: RulesProfile) -> None:
    frame = forecast("phone", [0.0, 0.0, 12.0], [np.nan, 0.0, 200.0])
    out = compute_requirements(frame, [queue("phone")], 30, rules)
    assert out["agents"].tolist()[:2] == [0, 0]
    assert out["agents"].tolist()[2] > 0


def test_output_is_sorted_and_keeps_every_row(rules: RulesProfile) -> None:
    frames = pd.concat([forecast("b", [5.0, 6.0], 200.0), forecast("a", [7.0, 8.0], 200.0)]).iloc[::-1]
    out = compute_requirements(frames, [queue("a"), queue("b")], 30, rules)
    assert out["queue"].tolist() == ["a", "a", "b", "b"]
    assert out["interval_start"].is_monotonic_increasing is False  # sorted within each queue
    assert out.groupby("queue")["interval_start"].apply(lambda s: s.is_monotonic_increasing).all()
    assert str(out["interval_start"].dt.tz) == "UTC"


# ---------------------------------------------------------------------------------------------
# Email


def clears_every_email(workload: np.ndarray, agents: np.ndarray, window: int, cap: float) -> bool:
    """Process work first come, first served at agents × cap per interval; all on time?"""
    backlog: list[list[float]] = []  # [arrival interval, remaining work]
    for t, (arriving, staff) in enumerate(zip(workload, agents, strict=True)):
        backlog.append([t, float(arriving)])
        capacity = float(staff) * cap
        while backlog and capacity > 1e-12:
            done = min(capacity, backlog[0][1])
            backlog[0][1] -= done
            capacity -= done
            if backlog[0][1] <= 1e-9:
                backlog.pop(0)
        if any(arrival <= t - window + 1 and left > 1e-9 for arrival, left in backlog):
            return False  # something due by the end of interval t is still open
    return True


def test_email_level_agents_clear_every_deadline() -> None:
    rng = np.random.default_rng(2)
    workload = rng.gamma(0.6, 3.0, 400) * (rng.random(400) < 0.5)
    for window, cap in [(1, 1.0), (4, 0.85), (16, 0.9), (96, 1.0)]:
        agents = email_level_agents(workload, window, cap)
        assert clears_every_email(workload, agents, window, cap)


def test_email_level_agents_level_a_peak() -> None:
    workload = np.zeros(12)
    workload[2] = 8.0  # 8 agent-intervals of mail arrive at once, due within 4 intervals
    assert email_level_agents(workload, 4).tolist() == [0, 0, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0]
    assert email_level_agents(np.full(10, 3.0), 5, 0.75).tolist() == [1, 2, 3, 4] + [4] * 6


def test_email_rows(rules: RulesProfile) -> None:
    # 24 h deadline on 60-min intervals: constant 30 emails/h of 6 min = 3 Erlangs of work.
    q = queue("mail", "email")
    out = compute_requirements(forecast("mail", [30.0] * 48, 360.0, minutes=60), [q], 60, rules, shrinkage=0.2)
    assert out["deadline_hours"].unique().tolist() == [24.0]
    np.testing.assert_allclose(out["workload_erlangs"], 3.0)
    assert out["channel"].unique().tolist() == ["email"]
    # Ramp-up over the first day (no earlier work is assumed), then 3 / 0.85 → 4 agents.
    assert out["agents"].iat[0] == 1
    assert (out["agents"].iloc[23:] == math.ceil(3.0 / 0.85)).all()
    assert (out["agents_with_shrinkage"].iloc[23:] == 5).all()


def test_email_window_follows_time_not_rows(rules: RulesProfile) -> None:
    q = queue("mail", "email", respond_within_hours=2)
    frame = forecast("mail", [40.0] * 8, 360.0, minutes=30).drop(index=[3, 4])  # two missing intervals
    out = compute_requirements(frame, [q], 30, rules)
    work = 40 * 360 / 1800  # 8 Erlangs per interval, a 4-interval window
    expected = [math.ceil(work * k / 4 / 0.85) for k in (1, 2, 3, 2, 2, 3)]
    assert out["agents"].tolist() == expected


def test_email_off_grid_is_an_input_error(rules: RulesProfile) -> None:
    frame = forecast("mail", [10.0, 10.0], 300.0, minutes=15)
    frame["interval_start"] = pd.DatetimeIndex([START, START + pd.Timedelta(minutes=20)])
    with pytest.raises(InputError, match="off the 15-minute grid"):
        compute_requirements(frame, [queue("mail", "email")], 15, rules)


# ---------------------------------------------------------------------------------------------
# Bad input


def test_unknown_queue_suggests_the_nearest(rules: RulesProfile) -> None:
    with pytest.raises(InputError, match=r"forecast: queue 'phnoe' is not in wfm.toml \(did you mean 'phone'\?\)"):
        compute_requirements(forecast("phnoe", [1.0], 180.0), [queue("phone")], 30, rules)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns=["aht_seconds"]), "forecast: missing column 'aht_seconds'"),
        (lambda f: f.assign(contacts=[-1.0, 2.0]), r"forecast row 1 \(queue 'phone' at 2026-11-30T00:00:00\+00:00\): contacts"),
        (lambda f: f.assign(contacts=[1.0, np.nan]), "forecast row 2 .*contacts must be a number ≥ 0, got nan"),
        (lambda f: f.assign(contacts=["1", "many"]), "forecast row 2 .*contacts must be a number ≥ 0, got 'many'"),
        (lambda f: f.assign(aht_seconds=[0.0, 180.0]), "aht_seconds must be positive where contacts > 0, got 0.0"),
        (lambda f: f.assign(interval_start=f["interval_start"].dt.tz_localize(None)), "interval_start must be UTC timestamps"),
        (lambda f: pd.concat([f, f.iloc[[0]]]), "appears twice"),
    ],
)
def test_bad_forecast_rows(rules: RulesProfile, change: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        compute_requirements(change(forecast("phone", [1.0, 2.0], 180.0)), [queue("phone")], 30, rules)


def test_other_time_zones_are_converted(rules: RulesProfile) -> None:
    frame = forecast("phone", [10.0], 180.0)
    frame["interval_start"] = frame["interval_start"].dt.tz_convert("America/New_York")
    out = compute_requirements(frame, [queue("phone")], 30, rules)
    assert out["interval_start"].iat[0] == START


# ---------------------------------------------------------------------------------------------
# Scale


def test_a_year_for_ten_queues_is_fast(rules: RulesProfile) -> None:
    grid = pd.date_range("2026-01-05", periods=365 * 96, freq="15min", tz="UTC")
    hours = grid.hour.to_numpy() + grid.minute.to_numpy() / 60
    rng = np.random.default_rng(0)
    specs: list[tuple[str, dict[str, Any]]] = [
        ("phone", {}),
        ("phone", {"patience_seconds": 180}),
        ("chat", {"concurrency": 2}),
        ("email", {}),
        ("phone", {"max_occupancy": 0.9}),
        ("phone", {"service_level": 0.9, "answer_seconds": 15}),
        ("chat", {}),
        ("email", {"respond_within_hours": 4}),
        ("phone", {}),
        ("phone", {}),
    ]
    queues = [queue(f"q{i}", channel, **settings) for i, (channel, settings) in enumerate(specs)]
    frames = []
    for q in queues:
        rate = np.clip(np.sin((hours - 6) / 12 * np.pi), 0, None) * 80
        frames.append(
            pd.DataFrame(
                {
                    "queue": q.name,
                    "interval_start": grid,
                    "contacts": rng.poisson(rate).astype(float),
                    "aht_seconds": rng.uniform(180, 600, grid.size),
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    assert len(frame) == 350_400
    out = compute_requirements(frame, queues, 15, rules, shrinkage=0.25)  # speed: benchmarks/bench_staffing.py
    assert len(out) == len(frame)
    assert (out["agents"] >= 0).all() and (out["agents_with_shrinkage"] >= out["agents"]).all()
