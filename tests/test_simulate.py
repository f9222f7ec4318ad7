"""The contact-by-contact simulation: it must reproduce Erlang where Erlang is exact, and follow
the roster (breaks, rows, queue switches, concurrency, skills) where Erlang cannot look."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm import paths, synth
from wfm.cli.app import app
from wfm.errors import InputError
from wfm.pipeline import run_plan, write_plan
from wfm.roster import SolveSettings
from wfm.simulate import INTERVAL_COLUMNS, Routing, simulate_plan
from wfm.simulate.dispatch import _Contacts, _draw_contacts, _place
from wfm.simulate.inputs import _prepare_demand, _prepare_staffing, _Staffing
from wfm.simulate.summary import _t_quantile
from wfm.workspace import AgentConfig, QueueConfig, load_workspace

WEEK = dt.date(2026, 11, 30)
MONDAY = pd.Timestamp("2026-11-30T00:00Z")


def constant_plan(
    n_agents: int,
    contacts: float,
    aht_seconds: float,
    *,
    days: int = 7,
    queue: QueueConfig | None = None,
) -> tuple[list[QueueConfig], list[AgentConfig], pd.DataFrame, pd.DataFrame]:
    """One queue, `n_agents` on it around the clock, `contacts` per 15 minutes for `days` days."""
    queue = queue or QueueConfig(name="q", channel="phone", timezone="UTC")
    agents = [AgentConfig(agent_id=f"a{i}", timezone="UTC", skills=(queue.name,)) for i in range(n_agents)]
    end = MONDAY + pd.Timedelta(days=days)
    roster = pd.DataFrame({"agent_id": [a.agent_id for a in agents], "activity": queue.name, "start": MONDAY, "end": end})
    grid = pd.date_range(MONDAY, periods=days * 96, freq="15min")
    columns = {"queue": queue.name, "interval_start": grid, "contacts": float(contacts), "aht_seconds": aht_seconds}
    forecast = pd.DataFrame(columns)
    return [queue], agents, roster, forecast


def standard_error(ci: tuple[float, float] | None, runs: int) -> float:
    assert ci is not None
    return (ci[1] - ci[0]) / 2 / _t_quantile(0.975, runs - 1)


def erlang_a_service_level(servers: int, traffic: float, aht: float, patience: float, target: float) -> float:
    """Exact M/M/n+M share of arrivals answered within `target`, computed here independently of wfm.erlang.

    Stationary law of the birth–death chain (PASTA gives what an arrival finds); then, for a
    contact with m ahead, P(served by t) from the backward equations of the absorbing chain
    "m ahead → m−1 at rate nμ + mθ (service or abandonment ahead), gone at rate θ", by RK4.
    """
    mu, theta, lam = 1 / aht, 1 / patience, traffic / aht
    top = servers + 400
    death = np.minimum(np.arange(1, top + 1), servers) * mu + np.maximum(np.arange(1, top + 1) - servers, 0) * theta
    log_p = np.concatenate(([0.0], np.cumsum(np.log(lam / death))))
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    ahead = np.arange(top + 1 - servers)
    rate = servers * mu + ahead * theta

    def derivative(u: np.ndarray) -> np.ndarray:
        previous = np.concatenate(([1.0], u[:-1]))  # from 0 ahead, the next event serves the contact
        return rate * (previous - u) - theta * u

    u = np.zeros(ahead.size)
    steps = 4000
    h = target / steps
    for _ in range(steps):
        k1 = derivative(u)
        k2 = derivative(u + h / 2 * k1)
        k3 = derivative(u + h / 2 * k2)
        k4 = derivative(u + h * k3)
        u = u + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return float(p[:servers].sum() + (p[servers:] * u).sum())


# ----------------------------------------------------------------------------- against Erlang


def test_reproduces_erlang_c_with_constant_staffing() -> None:
    # 100 calls per 30 minutes at 180 s = 10 Erlangs; 14 agents; 80/20 → 0.88835 (erlang_reference.md C1).
    queues, agents, roster, forecast = constant_plan(14, 50, 180.0)
    result = simulate_plan(queues, agents, roster, forecast, WEEK, 15, runs=8, seed=3)
    summary = result.queues["q"]
    assert summary.erlang_service_level == pytest.approx(0.8883500192, abs=1e-6)
    assert summary.service_level is not None
    se = standard_error(summary.service_level_ci, 8)
    assert 0 < se < 0.01
    assert abs(summary.service_level - 0.8883500192) < 4 * se
    assert summary.asa_seconds == pytest.approx(7.84, rel=0.15)
    assert summary.abandon_rate == 0.0
    assert summary.offered == pytest.approx(50 * 96 * 7, rel=0.01)
    assert summary.disagrees_with_erlang is False


def test_the_flag_says_when_erlang_misses_what_the_simulation_sees() -> None:
    # Erlang C assumes exponential handle times; handle times varying less (CV 0.3) wait much less.
    queues, agents, roster, forecast = constant_plan(14, 50, 180.0)
    result = simulate_plan(queues, agents, roster, forecast, WEEK, 15, runs=8, seed=3, handle_time="lognormal", aht_cv=0.3)
    summary = result.queues["q"]
    assert summary.service_level is not None and summary.service_level_ci is not None
    assert summary.service_level > 0.8883500192 + 0.01  # 90.8% in these runs
    assert summary.service_level_ci[0] > summary.erlang_service_level
    assert summary.disagrees_with_erlang is True
    written = result.summary_json()["queues"]
    assert isinstance(written, dict) and written["q"]["disagrees_with_erlang"] is True


def test_reproduces_erlang_a_with_patience() -> None:
    exact = erlang_a_service_level(14, 10.0, 180.0, 300.0, 20.0)
    assert exact == pytest.approx(0.916792, abs=2e-6)  # erlang_reference.md A1
    queue = QueueConfig(name="q", channel="phone", timezone="UTC", patience_seconds=300)
    queues, agents, roster, forecast = constant_plan(14, 50, 180.0, queue=queue)
    result = simulate_plan(queues, agents, roster, forecast, WEEK, 15, runs=8, seed=5)
    summary = result.queues["q"]
    assert summary.erlang_service_level == pytest.approx(exact, abs=1e-5)
    assert summary.service_level is not None
    assert abs(summary.service_level - exact) < 4 * standard_error(summary.service_level_ci, 8)
    assert summary.abandon_rate == pytest.approx(0.013984, rel=0.2)
    # ASA as wfm.erlang counts it: over all arrivals, abandoners until they hang up (0.069919 min).
    assert summary.asa_seconds == pytest.approx(0.069919 * 60, rel=0.2)


def test_chat_with_concurrency_two_behaves_like_twice_the_servers() -> None:
    chat = QueueConfig(name="q", channel="chat", timezone="UTC", concurrency=2, answer_seconds=20)
    phone = QueueConfig(name="q", channel="phone", timezone="UTC", answer_seconds=20)
    as_chat = simulate_plan(*constant_plan(7, 50, 180.0, days=1, queue=chat), WEEK, 15, runs=4, seed=11)
    as_phone = simulate_plan(*constant_plan(14, 50, 180.0, days=1, queue=phone), WEEK, 15, runs=4, seed=11)
    # Same draws and k slots per agent = k servers: every wait is the same, so every figure is.
    pd.testing.assert_frame_equal(as_chat.intervals, as_phone.intervals)
    assert as_chat.queues["q"].service_level == as_phone.queues["q"].service_level
    assert as_chat.queues["q"].erlang_service_level == pytest.approx(as_phone.queues["q"].erlang_service_level, abs=1e-12)


# ----------------------------------------------------------------------------- following the roster


def with_lunch(roster: pd.DataFrame, *, overlay: bool) -> pd.DataFrame:
    """Every agent at lunch 12:00–13:00 on Monday: rows split around it, or laid over the queue row."""
    noon, one = MONDAY + pd.Timedelta(hours=12), MONDAY + pd.Timedelta(hours=13)
    rows: list[dict[str, object]] = []
    for record in roster.to_dict("records"):
        row = {str(key): value for key, value in record.items()}
        lunch = {"agent_id": row["agent_id"], "activity": "lunch", "start": noon, "end": one}
        if overlay:
            rows += [row, lunch]
        else:
            rows += [{**row, "end": noon}, lunch, {**row, "start": one}]
    return pd.DataFrame(rows)


def test_breaks_remove_capacity() -> None:
    queues, agents, roster, forecast = constant_plan(14, 50, 180.0, days=1)
    plain = simulate_plan(queues, agents, roster, forecast, WEEK, 15, runs=4, seed=2).intervals
    split = simulate_plan(queues, agents, with_lunch(roster, overlay=False), forecast, WEEK, 15, runs=4, seed=2).intervals
    overlay = simulate_plan(queues, agents, with_lunch(roster, overlay=True), forecast, WEEK, 15, runs=4, seed=2).intervals
    pd.testing.assert_frame_equal(split, overlay)
    starts = split["interval_start"]
    lunch = (starts >= MONDAY + pd.Timedelta(hours=12)) & (starts < MONDAY + pd.Timedelta(hours=12.75))
    # Nobody answers at lunch: calls of 12:00–12:45 wait until 13:00, far past 20 s.
    assert (split.loc[lunch, "answered_within_target"] == 0).all()
    assert (split.loc[lunch, "asa_seconds"] > 15 * 60).all()
    assert (plain.loc[lunch, "service_level"] > 0.6).all()
    early = split["interval_start"] < MONDAY + pd.Timedelta(hours=11)
    pd.testing.assert_frame_equal(split[early], plain[early])


def tiny_staffing(
    rows: list[tuple[str, str, float, float]], queues: list[QueueConfig], agents: list[AgentConfig], routing: Routing = "roster"
) -> _Staffing:
    roster = pd.DataFrame(
        [(a, act, MONDAY + pd.Timedelta(seconds=s), MONDAY + pd.Timedelta(seconds=e)) for a, act, s, e in rows],
        columns=["agent_id", "activity", "start", "end"],
    )
    return _prepare_staffing(roster, tuple(queues), agents, WEEK, routing)


def one_run(arrivals: list[tuple[float, int, float]], patience: list[float] | None = None) -> _Contacts:
    """Hand-made contacts for one run (padded to two runs): (arrival seconds, queue index, handle seconds),
    patience in seconds per contact (default: they wait as long as it takes)."""
    n = len(arrivals)
    column = np.array(arrivals, dtype=float)
    return _Contacts(
        arrival=np.stack([column[:, 0], np.full(n, 1e15)], axis=1),
        queue=np.stack([column[:, 1].astype(np.intp), np.zeros(n, dtype=np.intp)], axis=1),
        handle=np.stack([column[:, 2], np.zeros(n)], axis=1),
        patience=np.stack([np.array(patience or [np.inf] * n, dtype=float), np.full(n, np.inf)], axis=1),
        row=np.stack([np.zeros(n, dtype=np.intp), np.full(n, -1, dtype=np.intp)], axis=1),
    )


def test_a_contact_running_past_its_row_is_finished_and_delays_the_next_row() -> None:
    queues = [QueueConfig(name="A", channel="phone", timezone="UTC"), QueueConfig(name="B", channel="phone", timezone="UTC")]
    agents = [AgentConfig(agent_id="ana", timezone="UTC", skills=("A", "B"))]
    staffing = tiny_staffing([("ana", "A", 0, 900), ("ana", "B", 900, 1800)], queues, agents)
    contacts = one_run([(800, 0, 300), (850, 1, 10), (1000, 0, 10)])
    starts = _place(contacts, staffing, tuple(queues))[:, 0]
    # The A call of 08:00 runs to 1100 although the A row ends at 900; the B contact waits for it;
    # the late A contact finds nobody on A any more.
    assert starts.tolist() == [800.0, 1100.0, np.inf]


def test_longest_idle_agent_takes_the_contact() -> None:
    queues = [QueueConfig(name="A", channel="phone", timezone="UTC")]
    agents = [AgentConfig(agent_id=name, timezone="UTC", skills=("A",)) for name in ("early", "late")]
    # `early` is idle from 0 and leaves at 250; `late` is idle from 100 and stays.
    staffing = tiny_staffing([("late", "A", 100, 5000), ("early", "A", 0, 250)], queues, agents)
    contacts = one_run([(200, 0, 1000), (300, 0, 10)])
    starts = _place(contacts, staffing, tuple(queues))[:, 0]
    # The first call went to `early` (idle longer), so `late` is free for the second at once.
    assert starts.tolist() == [200.0, 300.0]


def test_an_idle_agent_is_not_held_for_a_contact_of_its_later_row() -> None:
    queues = [QueueConfig(name="A", channel="phone", timezone="UTC"), QueueConfig(name="B", channel="phone", timezone="UTC")]
    agents = [AgentConfig(agent_id="ana", timezone="UTC", skills=("A", "B"))]
    staffing = tiny_staffing([("ana", "A", 0, 1000), ("ana", "B", 1000, 2000)], queues, agents)
    contacts = one_run([(100, 1, 50), (200, 0, 100), (400, 0, 100)])
    starts = _place(contacts, staffing, tuple(queues))[:, 0]
    # The B contact waits for the B row at 1000; until then ana answers A as it comes.
    assert starts.tolist() == [1000.0, 200.0, 400.0]


def test_chat_slots_refill_and_a_row_change_waits_for_every_conversation() -> None:
    chat = QueueConfig(name="C", channel="chat", timezone="UTC", concurrency=2)
    queues = [chat, QueueConfig(name="P", channel="phone", timezone="UTC")]
    agents = [AgentConfig(agent_id="ana", timezone="UTC", skills=("C", "P"))]
    staffing = tiny_staffing([("ana", "C", 0, 600), ("ana", "P", 600, 1200)], queues, agents)
    contacts = one_run([(100, 0, 700), (150, 0, 100), (200, 0, 30), (610, 1, 10), (650, 0, 10)])
    starts = _place(contacts, staffing, tuple(queues))[:, 0]
    # Two chats at once; the third takes the slot freed at 250. The call waits for the chat that
    # runs to 800; the chat of 650 comes after the chat row and finds nobody.
    assert starts.tolist() == [100.0, 150.0, 250.0, 800.0, np.inf]


def test_patience_counts_from_arrival() -> None:
    queues = [QueueConfig(name="A", channel="phone", timezone="UTC", patience_seconds=60)]
    agents = [AgentConfig(agent_id="ana", timezone="UTC", skills=("A",))]
    staffing = tiny_staffing([("ana", "A", 0, 1000)], queues, agents)
    contacts = one_run([(10, 0, 100), (20, 0, 10), (30, 0, 10)], patience=[np.inf, 50, 200])
    starts = _place(contacts, staffing, tuple(queues))[:, 0]
    # ana is busy until 110: the second caller hung up at 70, the third (patient until 230) is served.
    assert starts.tolist() == [10.0, np.inf, 110.0]


@pytest.mark.parametrize(("routing", "expected"), [("skills", [10.0, 120.0, 110.0]), ("roster", [10.0, np.inf, 110.0])])
def test_a_freed_agent_takes_phone_before_an_older_email(routing: Routing, expected: list[float]) -> None:
    queues = [QueueConfig(name="P", channel="phone", timezone="UTC"), QueueConfig(name="E", channel="email", timezone="UTC")]
    agents = [AgentConfig(agent_id="ana", timezone="UTC", skills=("P", "E"))]
    staffing = tiny_staffing([("ana", "P", 0, 1000)], queues, agents, routing)
    contacts = one_run([(10, 0, 100), (20, 1, 50), (30, 0, 10)])
    assert _place(contacts, staffing, tuple(queues))[:, 0].tolist() == expected


@pytest.mark.parametrize(
    ("handle", "expected"), [(250.0, [400.0, 750.0, 760.0]), (150.0, [400.0, 650.0, 660.0]), (50.0, [400.0, 450.0, 600.0])]
)
def test_a_contact_in_hand_is_finished_before_the_break_which_is_then_taken_in_full(handle: float, expected: list[float]) -> None:
    queues = [QueueConfig(name="A", channel="phone", timezone="UTC")]
    agents = [AgentConfig(agent_id="ana", timezone="UTC", skills=("A",))]
    staffing = tiny_staffing([("ana", "A", 0, 500), ("ana", "break", 500, 600), ("ana", "A", 600, 1000)], queues, agents)
    contacts = one_run([(400, 0, handle), (450, 0, 10), (550, 0, 10)])
    # The 100 s break starts when the call in hand ends: a call to 650 (through the whole break) puts
    # it at 650-750, one to 550 at 550-650, and the callers who waited are served after it. A call
    # done before the break (450) leaves the break where the roster has it.
    assert _place(contacts, staffing, tuple(queues))[:, 0].tolist() == expected


def test_a_break_waits_for_every_conversation_in_hand() -> None:
    chat = QueueConfig(name="C", channel="chat", timezone="UTC", concurrency=2)
    agents = [AgentConfig(agent_id="ana", timezone="UTC", skills=("C",))]
    staffing = tiny_staffing([("ana", "C", 0, 500), ("ana", "lunch", 500, 800), ("ana", "C", 800, 2000)], [chat], agents)
    contacts = one_run([(300, 0, 250), (400, 0, 300), (520, 0, 10)])
    # The second conversation ends at 700, so the 300 s lunch runs 700-1000; a chat slot that frees
    # at 550 takes nothing new meanwhile.
    assert _place(contacts, staffing, (chat,))[:, 0].tolist() == [300.0, 400.0, 1000.0]


def test_an_overrun_past_the_shift_end_does_not_delay_the_next_shift() -> None:
    queues = [QueueConfig(name="A", channel="phone", timezone="UTC")]
    agents = [AgentConfig(agent_id="ana", timezone="UTC", skills=("A",))]
    staffing = tiny_staffing([("ana", "A", 0, 500), ("ana", "A", 2000, 3000)], queues, agents)
    contacts = one_run([(400, 0, 250), (1000, 0, 10)])
    # Only breaks and lunches are owed in full: the call of 400 runs to 650, the next shift starts at 2000.
    assert _place(contacts, staffing, tuple(queues))[:, 0].tolist() == [400.0, 2000.0]


def rotating_breaks_plan(n_agents: int, contacts: float, aht_seconds: float, days: int) -> tuple[
        list[QueueConfig], list[AgentConfig], pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """One queue; each agent takes a 15-minute break every n_agents quarter hours, in turn, so that
    exactly n_agents - 1 are on the queue at any moment and Erlang C holds."""
    queues, agents, _, forecast = constant_plan(n_agents, contacts, aht_seconds, days=days)
    rows: list[tuple[str, str, pd.Timestamp, pd.Timestamp]] = []
    quarter = pd.Timedelta(minutes=15)
    for i, agent in enumerate(agents):
        begin = MONDAY
        for slot in range(i, days * 96, n_agents):
            rest = MONDAY + slot * quarter
            if rest > begin:
                rows.append((agent.agent_id, "q", begin, rest))
            rows.append((agent.agent_id, "break", rest, rest + quarter))
            begin = rest + quarter
        if begin < MONDAY + pd.Timedelta(days=days):
            rows.append((agent.agent_id, "q", begin, MONDAY + pd.Timedelta(days=days)))
    return queues, agents, pd.DataFrame(rows, columns=["agent_id", "activity", "start", "end"]), forecast


def test_breaks_add_no_capacity_beyond_the_roster() -> None:
    # 8 agents, one always on a break: 7 on the queue, 12.6 calls per 15 minutes at 400 s (5.6 Erlangs).
    plan = rotating_breaks_plan(8, 12.6, 400.0, days=3)
    result = simulate_plan(*plan, WEEK, 15, runs=40, seed=1)
    summary = result.queues["q"]
    assert summary.erlang_service_level == pytest.approx(0.5469, abs=1e-4)  # Erlang C, 7 servers
    assert summary.service_level is not None and summary.erlang_service_level is not None
    se = standard_error(summary.service_level_ci, 40)
    assert se < 0.008
    # A break cut short by the call in hand (the agent back at the rostered end) gave 63.2% here:
    # a call at every break start worked outside the roster, +8.5 points. Taken in full, the
    # simulation sits within its own noise of Erlang (a week of 100 runs: +0.7 ± 0.6 points).
    assert abs(summary.service_level - summary.erlang_service_level) < 3 * se


def email_hours_plan() -> tuple[list[QueueConfig], list[AgentConfig], pd.DataFrame, pd.DataFrame]:
    """Twelve agents on phone all week; agents 0–5 each do one email hour a day, 12:00–18:00 UTC in
    turn; email arrives round the clock (2 an hour, 5 minutes each: 4 hours of work a day for 6)."""
    phone = QueueConfig(name="phone", channel="phone", timezone="UTC", answer_seconds=20)
    email = QueueConfig(name="email", channel="email", timezone="UTC", respond_within_hours=24)
    agents = [AgentConfig(agent_id=f"a{i:02d}", timezone="UTC", skills=("phone", "email")) for i in range(12)]
    rows: list[tuple[str, str, pd.Timestamp, pd.Timestamp]] = []
    for i, agent in enumerate(agents):
        if i >= 6:
            rows.append((agent.agent_id, "phone", MONDAY, MONDAY + pd.Timedelta(days=7)))
            continue
        for day in range(7):
            midnight = MONDAY + pd.Timedelta(days=day)
            begin, end = midnight + pd.Timedelta(hours=12 + i), midnight + pd.Timedelta(hours=13 + i)
            rows += [
                (agent.agent_id, "phone", midnight, begin),
                (agent.agent_id, "email", begin, end),
                (agent.agent_id, "phone", end, midnight + pd.Timedelta(days=1)),
            ]
    roster = pd.DataFrame(rows, columns=["agent_id", "activity", "start", "end"])
    grid = pd.date_range(MONDAY, periods=7 * 96, freq="15min")
    forecast = pd.concat(
        [
            pd.DataFrame({"queue": "phone", "interval_start": grid, "contacts": 41.0, "aht_seconds": 180.0}),
            pd.DataFrame({"queue": "email", "interval_start": grid, "contacts": 0.5, "aht_seconds": 300.0}),
        ],
        ignore_index=True,
    )
    return [phone, email], agents, roster, forecast


def test_a_few_email_hours_do_not_lock_agents_out_of_phone() -> None:
    result = simulate_plan(*email_hours_plan(), WEEK, 15, runs=10, seed=1)
    phone, email = result.queues["phone"], result.queues["email"]
    assert phone.erlang_service_level == pytest.approx(0.87, abs=0.01)
    assert phone.service_level is not None and email.service_level is not None
    assert email.erlang_service_level is not None
    # Placing contacts in arrival order booked agents for their next email hour: 61% against 87%.
    assert abs(phone.service_level - phone.erlang_service_level) < 0.02
    assert abs(email.service_level - email.erlang_service_level) < 0.02


def test_skills_routing_lets_agents_serve_every_skilled_queue() -> None:
    queues = [QueueConfig(name="A", channel="phone", timezone="UTC"), QueueConfig(name="B", channel="phone", timezone="UTC")]
    agents = [AgentConfig(agent_id=f"a{i}", timezone="UTC", skills=("A", "B")) for i in range(4)]
    roster = pd.DataFrame(
        {"agent_id": [a.agent_id for a in agents], "activity": "A", "start": MONDAY, "end": MONDAY + pd.Timedelta(days=1)}
    )
    grid = pd.date_range(MONDAY, periods=96, freq="15min")
    forecast = pd.concat(
        [pd.DataFrame({"queue": name, "interval_start": grid, "contacts": 4.0, "aht_seconds": 120.0}) for name in ("A", "B")],
        ignore_index=True,
    )
    by_roster = simulate_plan(queues, agents, roster, forecast, WEEK, 15, runs=3, seed=1)
    by_skills = simulate_plan(queues, agents, roster, forecast, WEEK, 15, runs=3, seed=1, routing="skills")
    assert by_roster.queues["B"].service_level == 0.0  # nobody is rostered on B
    assert by_roster.queues["B"].erlang_service_level == 0.0
    assert by_skills.queues["B"].service_level is not None and by_skills.queues["B"].service_level > 0.9
    # Erlang's prediction follows the roster's own assignment whatever the routing.
    assert by_skills.queues["B"].erlang_service_level == 0.0


def test_email_is_answered_within_the_deadline() -> None:
    email = QueueConfig(name="mail", channel="email", timezone="UTC", respond_within_hours=4)
    agents = [AgentConfig(agent_id=f"e{i}", timezone="UTC", skills=("mail",)) for i in range(3)]
    roster = pd.DataFrame(
        {
            "agent_id": [a.agent_id for a in agents],
            "activity": "mail",
            "start": MONDAY + pd.Timedelta(hours=9),
            "end": MONDAY + pd.Timedelta(hours=17),
        }
    )
    grid = pd.date_range(MONDAY, periods=96, freq="15min")
    forecast = pd.DataFrame({"queue": "mail", "interval_start": grid, "contacts": 1.0, "aht_seconds": 300.0})
    result = simulate_plan([email], agents, roster, forecast, WEEK, 15, runs=6, seed=4)
    frame = result.intervals
    hour = frame["interval_start"].dt.hour
    # The night's 36 emails take the 3 agents an hour from 09:00: those from 07:00 on are answered
    # within 4 h, those before 04:00 cannot be.
    assert (frame.loc[(hour >= 7) & (hour < 16), "service_level"] == 1.0).all()
    assert (frame.loc[hour < 4, "answered_within_target"] == 0).all()
    assert (frame["abandoned"] == 0).all()
    summary = result.queues["mail"]
    # The fluid prediction: emails from ~05:37 to 17:00 on time, 45.5 of 96.
    assert summary.erlang_service_level == pytest.approx(46 / 96, abs=0.01)
    assert summary.service_level is not None and summary.erlang_service_level is not None
    assert abs(summary.service_level - summary.erlang_service_level) < 4 * standard_error(summary.service_level_ci, 6) + 0.02


def test_same_seed_same_output_and_another_seed_differs() -> None:
    queue = QueueConfig(name="q", channel="phone", timezone="UTC", patience_seconds=60)
    plan = constant_plan(5, 20, 200.0, days=1, queue=queue)
    first = simulate_plan(*plan, WEEK, 15, runs=3, seed=9, overdispersion=0.2, handle_time="lognormal", aht_cv=0.7)
    again = simulate_plan(*plan, WEEK, 15, runs=3, seed=9, overdispersion=0.2, handle_time="lognormal", aht_cv=0.7)
    other = simulate_plan(*plan, WEEK, 15, runs=3, seed=10, overdispersion=0.2, handle_time="lognormal", aht_cv=0.7)
    pd.testing.assert_frame_equal(first.intervals, again.intervals)
    assert first.summary_json() == again.summary_json()
    assert not first.intervals.equals(other.intervals)
    assert list(first.intervals.columns) == list(INTERVAL_COLUMNS)


def test_overdispersion_and_lognormal_handle_times_are_drawn_as_asked() -> None:
    queues, _, _, forecast = constant_plan(1, 10, 300.0)
    demand = _prepare_demand(forecast, tuple(queues), WEEK, 15)
    poisson = _draw_contacts(demand, tuple(queues), 200, 0, 0.0, "exponential", 1.0)
    noisy = _draw_contacts(demand, tuple(queues), 200, 0, 0.3, "lognormal", 0.5)
    totals = [(c.row >= 0).sum(axis=0) for c in (poisson, noisy)]
    # 6,720 a week: Poisson sd ≈ 82; a gamma day factor with CV 0.3 on 960 a day adds ≈ 760.
    assert totals[0].std() == pytest.approx(82, rel=0.25)
    assert totals[1].std() == pytest.approx(np.sqrt(6720 + 0.09 * 7 * 960**2), rel=0.25)
    handle = noisy.handle[noisy.row >= 0]
    assert handle.mean() == pytest.approx(300, rel=0.01)
    assert handle.std() / handle.mean() == pytest.approx(0.5, rel=0.05)


# ----------------------------------------------------------------------------- input errors


Change = Callable[[pd.DataFrame, pd.DataFrame], tuple[pd.DataFrame, pd.DataFrame]]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r, f: (r.assign(activity="phone-en"), f), "roster.csv row 2, column activity"),
        (lambda r, f: (r.assign(agent_id="zed"), f), "roster.csv row 2, column agent_id: 'zed' is not in agents.csv"),
        (lambda r, f: (r.assign(end=r["start"]), f), "roster.csv row 2, column end"),
        (lambda r, f: (r, f.assign(interval_start=f["interval_start"] + pd.Timedelta(minutes=5))), "column interval_start"),
        (lambda r, f: (r, f.assign(queue="chat")), "forecast.csv row 2, column queue: no queue named 'chat'"),
        (lambda r, f: (r, f.assign(aht_seconds=0.0)), "forecast.csv row 2, column aht_seconds"),
    ],
)
def test_bad_plans_name_the_file_row_and_column(change: Change, message: str) -> None:
    queues, agents, roster, forecast = constant_plan(2, 1, 60.0, days=1)
    roster, forecast = change(roster, forecast)
    with pytest.raises(InputError, match=message):
        simulate_plan(queues, agents, roster, forecast, WEEK, 15, runs=2)


def test_a_cv_for_exponential_handle_times_is_refused() -> None:
    with pytest.raises(InputError, match="aht_cv"):
        simulate_plan(*constant_plan(2, 1, 60.0, days=1), WEEK, 15, runs=2, aht_cv=0.5)


def test_student_t_quantiles() -> None:
    # Tabulated 97.5% points.
    for dof, value in ((1, 12.7062), (2, 4.3027), (4, 2.7764), (7, 2.3646), (9, 2.2622), (29, 2.0452)):
        assert _t_quantile(0.975, dof) == pytest.approx(value, abs=2e-3)


# ----------------------------------------------------------------------------- whole plans


def assert_close_to_erlang(queues: dict[str, Any], channels: dict[str, str]) -> None:
    """Roster routing on a solved plan: phone within 3 points of Erlang, chat within 5; each queue's
    flag says whether Erlang lies outside the simulated interval."""
    for name, figures in queues.items():
        simulated, erlang = figures["simulated_service_level"], figures["simulation_erlang_service_level"]
        low, high = figures["simulated_service_level_ci"]
        assert figures["disagrees_with_erlang"] is (not low <= erlang <= high), name
        tolerance = {"phone": 0.03, "chat": 0.05}.get(channels[name])
        if tolerance is not None:
            assert abs(simulated - erlang) < tolerance, (name, simulated, erlang)


@pytest.mark.slow
def test_the_sample_plan_simulates_close_to_erlang(tmp_path: Path) -> None:
    ws = load_workspace(paths.sample_workspace())
    result = run_plan(ws, settings=SolveSettings(time_limit=30), simulate_runs=20, compare_greedy=False)
    write_plan(result, ws, tmp_path / "plan", calendars=False)
    summary = json.loads((tmp_path / "plan" / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["queues"]) == {q.name for q in ws.queues}
    assert_close_to_erlang(summary["queues"], {q.name: q.channel for q in ws.queues})
    # The report shows Erlang beside the simulation and names every queue where they disagree.
    page = (tmp_path / "plan" / "report.html").read_text(encoding="utf-8")
    assert "Erlang for the simulated plan" in page
    flagged = sorted(name for name, figures in summary["queues"].items() if figures["disagrees_with_erlang"])
    listed = re.findall(r"<li>([\w-]+): simulated [\d.]+%, Erlang [\d.]+% \([+-][\d.]+ points\)", page)
    assert listed == flagged


@pytest.mark.slow
def test_a_plan_of_an_unseen_world_simulates_close_to_erlang(tmp_path: Path) -> None:
    ws = load_workspace(synth.make_world(tmp_path / "ws", seed=23, agents=40, weeks=5))
    result = run_plan(ws, settings=SolveSettings(time_limit=10), simulate_runs=10, compare_greedy=False)
    assert_close_to_erlang(result.summary["queues"], {q.name: q.channel for q in ws.queues})


# ----------------------------------------------------------------------------- command line


def write_workspace(root: Path) -> tuple[Path, Path]:
    workspace = root / "ws"
    workspace.mkdir()
    (workspace / "wfm.toml").write_text(
        '[plan]\ninterval_minutes = 15\n\n[[queues]]\nname = "phone-en"\nchannel = "phone"\ntimezone = "UTC"\n'
        "patience_seconds = 120\n\n"
        '[[queues]]\nname = "chat-en"\nchannel = "chat"\ntimezone = "UTC"\nconcurrency = 2\n',
        encoding="utf-8",
    )
    (workspace / "agents.csv").write_text(
        "agent_id,timezone,skills\nana,UTC,phone-en|chat-en\nbo,UTC,phone-en\ncy,UTC,chat-en\n", encoding="utf-8"
    )
    plan = root / "plan"
    plan.mkdir()
    rows = ["agent_id,activity,start,end,start_local,end_local"]
    for agent, first, second in (("ana", "phone-en", "chat-en"), ("bo", "phone-en", "phone-en"), ("cy", "chat-en", "chat-en")):
        for activity, start, end in ((first, "09:00", "11:00"), ("break", "11:00", "11:15"), (second, "11:15", "13:00")):
            rows.append(
                f"{agent},{activity},2026-11-30T{start}:00Z,2026-11-30T{end}:00Z,"
                f"2026-11-30T{start}:00+00:00,2026-11-30T{end}:00+00:00"
            )
    (plan / "roster.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    lines = ["queue,interval_start,contacts,aht_seconds"]
    for queue, contacts, aht in (("phone-en", 6, 240), ("chat-en", 4, 420)):
        for minute in range(9 * 60, 13 * 60, 15):
            lines.append(f"{queue},2026-11-30T{minute // 60:02d}:{minute % 60:02d}:00Z,{contacts},{aht}")
    (plan / "forecast.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return workspace, plan


def test_cli_writes_simulation_files(tmp_path: Path) -> None:
    workspace, plan = write_workspace(tmp_path)
    out = tmp_path / "out"
    runner = CliRunner()
    args = ["simulate", str(workspace), str(plan), "--runs", "5", "--seed", "3", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "phone-en" in result.output and "Erlang" in result.output
    frame = pd.read_csv(out / "simulation.csv")
    assert list(frame.columns) == list(INTERVAL_COLUMNS)
    assert frame["interval_start"].iloc[0].endswith("Z")
    data = json.loads((out / "simulation.json").read_text(encoding="utf-8"))
    assert data["runs"] == 5 and data["seed"] == 3
    assert set(data["queues"]) == {"phone-en", "chat-en"}
    for figures in data["queues"].values():
        assert {"service_level", "service_level_ci", "asa_seconds", "abandon_rate", "erlang_service_level"} <= set(figures)
        low, high = figures["service_level_ci"]
        assert 0 <= low <= figures["service_level"] <= high <= 1
        assert figures["disagrees_with_erlang"] is (not low <= figures["erlang_service_level"] <= high)
    if any(figures["disagrees_with_erlang"] for figures in data["queues"].values()):
        assert "Erlang lies outside the simulated 95% interval" in result.output
    first_csv = (out / "simulation.csv").read_bytes()
    assert runner.invoke(app, args).exit_code == 0
    assert (out / "simulation.csv").read_bytes() == first_csv  # deterministic for a seed


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"runs": 1}, r"^runs: expected at least 2 \(the interval needs a spread across runs\), got 1$"),
        ({"seed": -1}, r"^seed: expected a whole number ≥ 0, got -1$"),
        ({"overdispersion": 7.0}, r"^overdispersion: expected a coefficient of variation in \[0, 5\], got 7\.0$"),
        ({"handle_time": "gamma"}, r"^handle_time: expected exponential or lognormal, got 'gamma'$"),
        ({"routing": "any"}, r"^routing: expected roster or skills, got 'any'$"),
    ],
)
def test_bad_options_name_the_parameter(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        simulate_plan(*constant_plan(2, 1, 60.0, days=1), WEEK, 15, **{"runs": 2, **options})


def test_cli_names_the_flag_of_a_bad_option(tmp_path: Path) -> None:
    workspace, plan = write_workspace(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["simulate", str(workspace), str(plan), "--overdispersion", "7", "--out", str(out)])
    assert result.exit_code == 2
    assert result.output == "error: --overdispersion: expected a coefficient of variation in [0, 5], got 7.0\n"
    assert not out.exists()


def test_cli_names_a_missing_plan_file_and_keeps_earlier_output(tmp_path: Path) -> None:
    workspace, plan = write_workspace(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "simulation.json").write_text("{}", encoding="utf-8")
    (plan / "forecast.csv").unlink()
    result = CliRunner().invoke(app, ["simulate", str(workspace), str(plan), "--out", str(out)])
    assert result.exit_code == 2
    assert "forecast.csv: missing" in result.output
    assert (out / "simulation.json").read_text(encoding="utf-8") == "{}"
    (plan / "roster.csv").unlink()
    result = CliRunner().invoke(app, ["simulate", str(workspace), str(plan), "--out", str(out)])
    assert result.exit_code == 2 and "roster.csv: missing" in result.output


def test_cli_runs_as_a_subprocess(tmp_path: Path) -> None:
    workspace, plan = write_workspace(tmp_path)
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "wfm",
        "simulate",
        str(workspace),
        str(plan),
        "--runs",
        "3",
        "--routing",
        "skills",
        "--handle-time",
        "lognormal",
        "--aht-cv",
        "0.8",
        "--overdispersion",
        "0.1",
        "--out",
        str(out),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "simulation.json").read_text(encoding="utf-8"))["routing"] == "skills"
