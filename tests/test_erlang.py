"""wfm.erlang: published reference values, independent high-precision references, properties.

Reference cases come from /work/shared/data/erlang_reference.md (C1–C4, A1, A2, C-rejected).
High-precision Erlang C values are recomputed here with `decimal` (50 digits) by the plain
Erlang B recursion, and Erlang A values by uniformisation of the birth–death chain: both are
independent of the log-space and series code they check.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm import erlang
from wfm.erlang.interval import staff_interval
from wfm.errors import InputError

# ---------------------------------------------------------------------------------------------
# Independent references


def decimal_erlang(servers: int, traffic: str) -> tuple[Decimal, Decimal]:
    """(Erlang B, Erlang C) at 50 digits: 1/B(n) = 1 + n/A · 1/B(n−1), exact rational steps."""
    with localcontext() as ctx:
        ctx.prec = 50
        a = Decimal(traffic)
        inverse = Decimal(1)
        for k in range(1, servers + 1):
            inverse = 1 + inverse * k / a
        b = 1 / inverse
        c = servers * b / (servers - a * (1 - b)) if servers > a else Decimal(1)
        return b, c


def chain_erlang_a(
    n: int, traffic: float, aht: float, patience: float, answer: float, extra: int = 150
) -> tuple[float, float, float]:
    """(P(wait), P(abandon), service level) of M/M/n+M by brute force.

    Stationary law of the truncated birth–death chain; the chance that a customer who finds m
    ahead is answered within `answer` by uniformisation of the pure-death chain it then sees
    (ahead count falls at n·μ + i·θ, the customer itself leaves at θ).
    """
    mu, theta = 1.0 / aht, 1.0 / patience
    lam = traffic * mu
    size = n + extra
    log_w = np.zeros(size + 1)
    for j in range(1, size + 1):
        log_w[j] = log_w[j - 1] + math.log(lam / (min(j, n) * mu + max(j - n, 0) * theta))
    pi = np.exp(log_w - log_w.max())
    pi /= pi.sum()
    assert pi[-1] < 1e-16, "truncate later"
    p_wait = float(pi[n:].sum())
    p_abandon = float(theta * (np.arange(extra + 1) * pi[n:]).sum() / lam)

    ahead = np.arange(extra + 1)
    out = n * mu + ahead * theta
    rate = float(out.max() + theta)
    v = np.zeros(extra + 1)  # P(answered after j jumps | i ahead)
    within = np.zeros(extra + 1)
    mean = rate * answer
    j = 0
    while True:
        log_p = -mean + j * math.log(mean) - math.lgamma(j + 1.0) if mean > 0 else (0.0 if j == 0 else -np.inf)
        within += math.exp(log_p) * v
        if j > mean + 12.0 * math.sqrt(mean) + 30:
            break
        shifted = np.concatenate(([1.0], v[:-1]))  # one ahead fewer; from 0 ahead: answered
        v = out / rate * shifted + (1.0 - (out + theta) / rate) * v
        j += 1
    service = float(pi[:n].sum() + (pi[n:] * within).sum())
    return p_wait, p_abandon, service


# ---------------------------------------------------------------------------------------------
# erlang_reference.md: accepted Erlang C cases


def test_c1_call_centre_helper_example() -> None:
    # 100 calls / 30 min, AHT 180 s: 10 Erlangs; 80 % in 20 s, max occupancy 85 %.
    traffic = float(erlang.traffic_erlangs(100, 180, 30))
    assert traffic == pytest.approx(10.0, rel=1e-15)
    assert int(erlang.required_agents(traffic, 180, 0.8, 20, 0.85)) == 14
    m = erlang.erlang_c_metrics(14, traffic, 180, 20)
    assert float(m.probability_wait) == pytest.approx(0.1741319335950498, rel=1e-12)
    assert float(m.service_level) == pytest.approx(0.8883500191794669, rel=1e-12)
    assert float(m.occupancy) == pytest.approx(0.7142857142857143, rel=1e-15)
    # The pyworkforce test's asa = 0.33 min is 19.8 s.
    assert round(float(erlang.erlang_c_metrics(14, traffic, 180, 19.8).service_level), 3) == 0.888


def test_c1_neighbouring_staffing_levels() -> None:
    m = erlang.erlang_c_metrics(np.arange(11, 16), 10.0, 180, 20)
    np.testing.assert_allclose(m.probability_wait, [0.6821, 0.4494, 0.2853, 0.1741, 0.1020], atol=5e-5)
    np.testing.assert_allclose(m.service_level, [0.3896, 0.6402, 0.7956, 0.8884, 0.9415], atol=5e-5)
    np.testing.assert_allclose(m.asa_seconds, [122.8, 40.4, 17.1, 7.84, 3.67], atol=0.05)


def test_c2_occupancy_cap_decides() -> None:
    assert int(erlang.required_agents(10.0, 180, 0.8, 20, 0.7)) == 15
    m = erlang.erlang_c_metrics(15, 10.0, 180, 19.8)
    assert round(float(m.service_level), 3) == 0.941
    assert float(m.service_level) == pytest.approx(0.941127, abs=5e-7)
    assert round(float(m.occupancy), 3) == 0.667
    assert round(float(m.probability_wait), 3) == 0.102
    assert float(m.probability_wait) == pytest.approx(0.102042, abs=5e-7)


def test_c3_stimulus_swpp_project() -> None:
    assert int(erlang.required_agents(25 * 752 / 900, 752, 0.9, 20)) == 28
    sl = float(erlang.erlang_c_metrics(37, 35 * 752 / 900, 752, 20).service_level)
    assert 0.9042 < sl < 0.9043
    levels = erlang.erlang_c_metrics([27, 28], 25 * 752 / 900, 752, 20).service_level
    np.testing.assert_allclose(levels, [0.8776, 0.9195], atol=5e-5)


def test_c4_exciting_algorithms_consistent_values() -> None:
    assert float(erlang.traffic_erlangs(200, 180, 60)) == pytest.approx(10.0)
    assert round(float(erlang.erlang_c_metrics(23, 20.0, 180, 0).occupancy), 3) == 0.870
    assert int(erlang.required_agents(10.0, 180, 0.8, 60)) == 13
    # NumberOfAgentsForAsa: the fewest agents with ASA ≤ 120 s is 12.
    asa = erlang.erlang_c_metrics([11, 12], 10.0, 180, 0).asa_seconds
    assert asa[0] > 120 >= asa[1]


# ---------------------------------------------------------------------------------------------
# erlang_reference.md: values that must NOT be reproduced


def test_rejected_exciting_algorithms_values_are_not_reproduced() -> None:
    c = float(erlang.erlang_c(25, 20.0))
    assert c == pytest.approx(0.209103, abs=5e-7)
    assert abs(c - 0.261) > 0.04  # their off-by-one Erlang B gives 0.261379

    b = float(erlang.erlang_b(200, 180.0))
    assert b == pytest.approx(0.010325, abs=5e-7)
    assert abs(b - 0.011592) > 1e-3 and abs(b - 0.012) > 1e-3
    # 0.011592 is Erlang B with one server fewer: the loop that stops one step short.
    assert float(erlang.erlang_b(199, 180.0)) == pytest.approx(0.011592, abs=5e-7)

    asa = float(erlang.erlang_c_metrics(25, float(erlang.traffic_erlangs(200, 180, 30)), 180, 0).asa_seconds)
    assert asa == pytest.approx(7.528, abs=5e-4)
    assert abs(asa - 9.410) > 1.0

    sl = float(erlang.erlang_c_metrics(25, 10.0, 180, 60).service_level)
    assert sl == pytest.approx(0.99999967, abs=5e-9)
    assert abs(sl - 0.9999992) > 4e-7


def test_rejected_neoprimate_table_is_not_reproduced() -> None:
    pw = erlang.erlang_c(np.array([3, 4, 5, 6]), 2.5)
    np.testing.assert_allclose(pw, [0.702, 0.320, 0.130, 0.047], atol=5e-4)
    for mine, theirs in zip(pw[[0, 1, 3]], [0.60, 0.27, 0.06], strict=True):
        assert abs(mine - theirs) > 0.01


# ---------------------------------------------------------------------------------------------
# erlang_reference.md: Erlang A


def test_a1_erlang_a_regression_values() -> None:
    m = erlang.erlang_a_metrics(14, 10.0, 180, 20, 300)
    assert round(float(m.probability_wait), 5) == 0.14526
    assert m.abandon_rate is not None
    assert round(float(m.abandon_rate), 6) == 0.013984
    assert round(float(m.occupancy), 6) == 0.704297
    assert round(float(m.asa_seconds) / 60, 6) == 0.069919
    assert round(float(m.service_level), 6) == 0.916792


def test_a2_erlang_a_sizing() -> None:
    agents = int(erlang.required_agents(10.0, 180, 0.8, 20, 0.85, patience_seconds=300))
    assert agents == 13
    m = erlang.erlang_a_metrics(13, 10.0, 180, 20, 300)
    assert m.abandon_rate is not None
    assert round(float(m.service_level), 3) == 0.858
    assert round(float(m.occupancy), 3) == 0.750
    assert round(float(m.abandon_rate), 3) == 0.025
    assert round(float(m.probability_wait), 3) == 0.226
    assert round(float(m.asa_seconds) / 60, 3) == 0.125
    assert float(erlang.erlang_a_metrics(12, 10.0, 180, 20, 300).service_level) == pytest.approx(0.7723, abs=5e-5)


@pytest.mark.parametrize(
    ("n", "traffic", "aht", "patience", "answer"),
    [
        (14, 10.0, 180.0, 300.0, 20.0),  # A1
        (8, 10.0, 180.0, 60.0, 30.0),  # overloaded: fewer servers than Erlangs
        (20, 10.0, 180.0, 30.0, 600.0),  # answer target far beyond patience
        (5, 12.0, 300.0, 200.0, 120.0),
        (30, 28.0, 240.0, 1000.0, 15.0),
        (3, 0.4, 600.0, 20.0, 0.0),  # answered at once only
    ],
)
def test_erlang_a_matches_brute_force_chain(n: int, traffic: float, aht: float, patience: float, answer: float) -> None:
    p_wait, p_abandon, service = chain_erlang_a(n, traffic, aht, patience, answer)
    m = erlang.erlang_a_metrics(n, traffic, aht, answer, patience)
    assert m.abandon_rate is not None
    assert float(m.probability_wait) == pytest.approx(p_wait, rel=1e-10)
    assert float(m.abandon_rate) == pytest.approx(p_abandon, rel=1e-10)
    assert float(m.service_level) == pytest.approx(service, rel=1e-9, abs=1e-12)
    assert float(m.asa_seconds) == pytest.approx(p_abandon * patience, rel=1e-10)


def test_erlang_a_long_targets_and_large_queues_stay_exact() -> None:
    # The chance of answer within t keeps rising with t and tends to 1 − P(abandon): nothing
    # underflows into a spurious 0 or a NaN at long targets.
    t = np.array([0.0, 20.0, 600.0, 3600.0, 86_400.0])
    m = erlang.erlang_a_metrics(14, 10.0, 180, t, 300)
    assert m.abandon_rate is not None
    assert np.all(np.diff(m.service_level) >= 0) and m.service_level[1] > m.service_level[0]
    assert float(m.service_level[-1]) == pytest.approx(1.0 - float(m.abandon_rate[-1]), abs=1e-12)
    # Large n and traffic, patient and impatient callers.
    for patience in (30.0, 300.0, 3000.0):
        big = erlang.erlang_a_metrics(np.array([4900, 5000, 5050, 5200])[None, :], 5000.0, 240, [[20.0], [3600.0]], patience)
        for value in (big.service_level, big.probability_wait, big.asa_seconds, big.occupancy):
            assert np.all(np.isfinite(value))
        assert np.all((big.service_level >= 0) & (big.service_level <= 1))
        assert np.all(np.diff(big.service_level[0]) >= -1e-12)


# ---------------------------------------------------------------------------------------------
# High precision


@pytest.mark.parametrize("traffic", [1000, 5000, 10000, 20000])
def test_erlang_c_matches_decimal_reference(traffic: int) -> None:
    root = math.sqrt(traffic)
    servers = [traffic + 1, traffic + int(root), traffic + int(3 * root), traffic + int(9 * root), traffic + int(15 * root)]
    for n in servers:
        b_ref, c_ref = decimal_erlang(n, str(traffic))
        assert float(erlang.erlang_c(n, traffic)) == pytest.approx(float(c_ref), rel=1e-9)
        assert float(erlang.erlang_b(n, traffic)) == pytest.approx(float(b_ref), rel=1e-9)


@pytest.mark.parametrize(("n", "traffic"), [(5000, "10000"), (9000, "10000"), (19000, "20000"), (950, "1000.5"), (1, "5")])
def test_erlang_b_overloaded_matches_decimal_reference(n: int, traffic: str) -> None:
    b_ref, _ = decimal_erlang(n, traffic)
    assert float(erlang.erlang_b(n, float(traffic))) == pytest.approx(float(b_ref), rel=1e-9)


def test_fractional_traffic_matches_decimal_reference() -> None:
    for n, traffic in [(3, "0.37"), (12, "7.25"), (60, "41.6"), (230, "210.125")]:
        _, c_ref = decimal_erlang(n, traffic)
        assert float(erlang.erlang_c(n, float(traffic))) == pytest.approx(float(c_ref), rel=1e-12)


# ---------------------------------------------------------------------------------------------
# Edges: zero and huge traffic, shapes, errors


def test_zero_traffic() -> None:
    m = erlang.queue_metrics([0, 1, 5], 0.0, 180, 20)
    np.testing.assert_array_equal(m.service_level, 1.0)
    np.testing.assert_array_equal(m.probability_wait, 0.0)
    np.testing.assert_array_equal(m.asa_seconds, 0.0)
    np.testing.assert_array_equal(m.occupancy, 0.0)
    assert int(erlang.required_agents(0.0, 180, 0.8, 20, 0.85)) == 0
    assert int(erlang.required_agents(0.0, 180, 0.8, 20, patience_seconds=60)) == 0
    # No contacts: the AHT is irrelevant and may be missing.
    assert float(erlang.traffic_erlangs(0, np.nan, 15)) == 0.0


def test_understaffed_erlang_c() -> None:
    m = erlang.queue_metrics([0, 5, 10], 10.0, 180, 20)
    np.testing.assert_array_equal(m.probability_wait, 1.0)
    np.testing.assert_array_equal(m.service_level, 0.0)
    assert np.all(np.isinf(m.asa_seconds))
    np.testing.assert_array_equal(m.occupancy, 1.0)


@pytest.mark.parametrize("traffic", [10_000.0, 20_000.0])
def test_huge_traffic_is_finite(traffic: float) -> None:
    """Speed at 10,000–20,000 Erlangs is measured in benchmarks/bench_staffing.py."""
    n = int(erlang.required_agents(traffic, 180, 0.8, 20, 0.85))
    assert n == math.ceil(traffic / 0.85)  # big queues: the occupancy cap decides
    uncapped = int(erlang.required_agents(traffic, 180, 0.8, 20))
    assert traffic < uncapped < traffic + 2 * math.sqrt(traffic)
    servers = np.arange(int(traffic) - 200, int(traffic) + 2000, 50)
    m = erlang.erlang_c_metrics(servers, traffic, 180, 20)
    for values in (m.probability_wait, m.service_level, m.asa_seconds, m.occupancy):
        assert not np.any(np.isnan(values))
    assert np.all(np.isfinite(m.service_level))
    curve = erlang.service_curve([traffic * 900 / 180], 180, 15, 20, n_max=int(traffic) + 600)
    assert not np.isnan(curve).any()
    assert curve[0, -1] > 0.99


def test_broadcasting() -> None:
    servers = np.arange(10, 20)[:, None]
    traffic = np.array([5.0, 8.0, 9.5])[None, :]
    c = erlang.erlang_c(servers, traffic)
    assert c.shape == (10, 3)
    for i in range(10):
        for j in range(3):
            assert c[i, j] == pytest.approx(float(erlang.erlang_c(int(servers[i, 0]), float(traffic[0, j]))), rel=1e-14)
    m = erlang.queue_metrics(servers, traffic, np.array([180.0, 240.0, 300.0]), 20, patience_seconds=120)
    assert m.service_level.shape == (10, 3)
    assert m.abandon_rate is not None and m.abandon_rate.shape == (10, 3)
    assert erlang.required_agents(np.array([[1.0, 2.0], [3.0, 4.0]]), 180, 0.8, 20).shape == (2, 2)


def test_required_agents_with_mixed_patience() -> None:
    traffic = np.array([10.0, 10.0, 10.0])
    agents = erlang.required_agents(traffic, 180, 0.8, 20, 0.85, patience_seconds=[np.nan, 300.0, np.nan])
    assert agents.tolist() == [14, 13, 14]


def test_chat_concurrency_counts_servers() -> None:
    # 60 chats of 6 min in 15 min = 24 conversation-Erlangs; an agent holds 3 at once.
    traffic = float(erlang.traffic_erlangs(60, 360, 15))
    servers = int(erlang.required_agents(traffic, 360, 0.8, 30))
    agents = int(erlang.required_agents(traffic, 360, 0.8, 30, concurrency=3))
    assert agents == math.ceil(servers / 3)
    single = erlang.queue_metrics(agents * 3, traffic, 360, 30)
    chat = erlang.queue_metrics(agents, traffic, 360, 30, concurrency=3)
    assert float(chat.service_level) == float(single.service_level)
    assert float(chat.occupancy) == pytest.approx(traffic / (3 * agents))
    staffing = erlang.evaluate(agents, 60, 360, 15, 30, concurrency=3)
    assert staffing.servers == 3 * agents
    assert staffing.occupancy == pytest.approx(traffic / (3 * agents))


def test_evaluate_is_a_frozen_record() -> None:
    s = erlang.evaluate(14, 100, 180, 30, 20)
    assert (s.agents, s.traffic_erlangs) == (14, 10.0)
    assert s.abandon_rate is None
    assert s.service_level == pytest.approx(0.8883500191794669, rel=1e-12)
    with pytest.raises(AttributeError):
        s.agents = 15  # type: ignore[misc]
    a = erlang.evaluate(14, 100, 180, 30, 20, patience_seconds=300)
    assert a.abandon_rate == pytest.approx(0.013984, abs=5e-7)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: erlang.erlang_c(-1, 5.0), "erlang_c: servers must be a whole number ≥ 0, got -1.0"),
        (lambda: erlang.erlang_c(2.5, 5.0), "erlang_c: servers must be a whole number ≥ 0, got 2.5"),
        (lambda: erlang.erlang_c(3, -5.0), "erlang_c: traffic_erlangs must be a number ≥ 0, got -5.0"),
        (lambda: erlang.erlang_c(3, np.nan), "erlang_c: traffic_erlangs must be a number ≥ 0, got nan"),
        (lambda: erlang.required_agents(5.0, 180, 1.5, 20), "required_agents: service_level must be a fraction"),
        (lambda: erlang.required_agents(5.0, 180, 0.8, 20, 0.0), "required_agents: max_occupancy must be a fraction"),
        (lambda: erlang.required_agents(5.0, 0.0, 0.8, 20), "required_agents: aht_seconds must be positive"),
        (lambda: erlang.required_agents(5.0, 180, 0.8, 20, concurrency=0), "concurrency must be a whole number ≥ 1"),
        (lambda: erlang.required_agents(5.0, 180, 0.8, -1), "answer_seconds must be a number ≥ 0, got -1"),
        (lambda: erlang.required_agents(5e6, 180, 0.8, 20), "traffic_erlangs must be at most 1,000,000"),
        (lambda: erlang.queue_metrics(3, 2.0, 180, 20, patience_seconds=0), "patience_seconds must be positive"),
        (lambda: erlang.traffic_erlangs(10, 0, 15), "traffic_erlangs: aht_seconds must be positive where contacts > 0"),
        (lambda: erlang.service_curve([[1.0]], 180, 15, 20), "service_curve: contacts must be one value per interval"),
    ],
)
def test_bad_input_raises_input_error(call: object, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        call()  # type: ignore[operator]


# ---------------------------------------------------------------------------------------------
# required_agents is the exact minimum


def _meets(
    agents: np.ndarray, traffic: np.ndarray, aht: float, target: float, answer: float, cap: float, **kw: object
) -> np.ndarray:
    m = erlang.queue_metrics(agents, traffic, aht, answer, **kw)  # type: ignore[arg-type]
    return (m.service_level >= target - 1e-12) & (m.occupancy <= cap + 1e-12) & (agents > 0)


@pytest.mark.parametrize("patience", [None, 45.0, 400.0])
@pytest.mark.parametrize("concurrency", [1, 2])
def test_required_agents_is_the_smallest_that_meets_the_target(patience: float | None, concurrency: int) -> None:
    rng = np.random.default_rng(5)
    traffic = np.concatenate([rng.uniform(0.01, 3, 40), rng.uniform(3, 80, 80), rng.uniform(80, 600, 20)])
    kw = {"concurrency": concurrency, "patience_seconds": patience}
    for target, answer, cap in [(0.8, 20.0, 0.85), (0.95, 10.0, 1.0), (0.5, 120.0, 0.9), (0.8, 0.0, 1.0)]:
        agents = erlang.required_agents(traffic, 240, target, answer, cap, **kw)  # type: ignore[arg-type]
        assert _meets(agents, traffic, 240, target, answer, cap, **kw).all()
        assert not _meets(agents - 1, traffic, 240, target, answer, cap, **kw).any()


def test_required_agents_agrees_with_a_plain_search() -> None:
    rng = np.random.default_rng(11)
    traffic = rng.uniform(0.1, 120, 300)
    aht = rng.uniform(60, 900, 300)
    vectorised = erlang.required_agents(traffic, aht, 0.8, 20, 0.85)
    for a, h, n in zip(traffic, aht, vectorised, strict=True):
        plain = max(1, math.ceil(a / 0.85 - 1e-9))
        while not (
            plain > a and float(erlang.erlang_c_metrics(plain, a, h, 20).service_level) >= 0.8 and a / plain <= 0.85 + 1e-12
        ):
            plain += 1
        assert plain == n


@pytest.mark.parametrize("traffic", [5e-324, 1e-310, 1e-300])
def test_erlang_a_with_vanishing_traffic_needs_one_agent(traffic: float) -> None:
    # With patience much shorter than AHT, r = traffic·patience/AHT underflows to 0 for
    # subnormal traffic; the search once looped forever on the NaN that made.
    agents = erlang.required_agents([0.0, traffic], 3600.0, 0.99, 0.0, 0.5, 1, patience_seconds=5.0)
    assert agents.tolist() == [0, 1]
    m = erlang.erlang_a_metrics(1, traffic, 3600.0, 0.0, 5.0)
    assert float(m.service_level) == 1.0
    assert float(m.abandon_rate) <= traffic
    assert float(m.occupancy) == pytest.approx(traffic, rel=1e-3)


# ---------------------------------------------------------------------------------------------
# Properties

traffic_st = st.floats(min_value=0.0, max_value=800.0, allow_nan=False)
aht_st = st.floats(min_value=5.0, max_value=3600.0, allow_nan=False)
answer_st = st.floats(min_value=0.0, max_value=600.0, allow_nan=False)
patience_st = st.none() | st.floats(min_value=5.0, max_value=5000.0, allow_nan=False)
quick = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@quick
@given(traffic=traffic_st, aht=aht_st, answer=answer_st, patience=patience_st)
def test_more_agents_never_lower_the_service_level(traffic: float, aht: float, answer: float, patience: float | None) -> None:
    start = max(0, int(traffic) - 15)
    agents = np.arange(start, int(traffic + 4 * math.sqrt(traffic)) + 20)
    m = erlang.queue_metrics(agents, traffic, aht, answer, patience_seconds=patience)
    assert not np.isnan(m.service_level).any()
    # Heavily overloaded Erlang A is good to ~1e-12 absolute (see wfm.erlang), hence 1e-10.
    assert np.all(np.diff(m.service_level) >= -1e-10)
    assert np.all((m.service_level >= 0) & (m.service_level <= 1))
    assert np.all(np.diff(m.probability_wait) <= 1e-12)


@quick
@given(
    traffic=st.lists(st.floats(min_value=0.0, max_value=400.0, allow_nan=False), min_size=2, max_size=30),
    aht=aht_st,
    target=st.floats(min_value=0.05, max_value=0.99),
    answer=answer_st,
    cap=st.floats(min_value=0.5, max_value=1.0),
    patience=patience_st,
    concurrency=st.integers(min_value=1, max_value=3),
)
def test_required_agents_never_decrease_as_traffic_grows(
    traffic: list[float], aht: float, target: float, answer: float, cap: float, patience: float | None, concurrency: int
) -> None:
    ordered = np.sort(np.asarray(traffic))
    agents = erlang.required_agents(ordered, aht, target, answer, cap, concurrency, patience_seconds=patience)
    assert np.all(np.diff(agents) >= 0)
    assert np.all((agents == 0) == (ordered == 0))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    traffic=st.floats(min_value=0.1, max_value=100.0),
    aht=aht_st,
    answer=answer_st,
    extra=st.integers(min_value=1, max_value=40),
)
def test_erlang_a_with_huge_patience_is_erlang_c(traffic: float, aht: float, answer: float, extra: int) -> None:
    # The gap is physical: it closes like AHT/patience and widens as n nears A (1e-5 at one
    # server above A with patience 1e7·AHT, where queues are long). From one server above A,
    # a patience of 1e9 AHTs leaves well under 1e-6.
    n = math.floor(traffic) + 1 + extra
    c = erlang.erlang_c_metrics(n, traffic, aht, answer)
    a = erlang.erlang_a_metrics(n, traffic, aht, answer, aht * 1e9)
    assert float(a.probability_wait) == pytest.approx(float(c.probability_wait), abs=1e-6)
    assert float(a.service_level) == pytest.approx(float(c.service_level), abs=1e-6)
    assert float(a.asa_seconds) == pytest.approx(float(c.asa_seconds), rel=1e-4, abs=1e-9)


# ---------------------------------------------------------------------------------------------
# Curves for the roster optimiser


@pytest.mark.parametrize(("concurrency", "patience"), [(1, None), (2, None), (1, 90.0), (3, 240.0)])
def test_service_and_asa_curves_match_pointwise_evaluation(concurrency: int, patience: float | None) -> None:
    contacts = np.array([0.0, 3.0, 40.0, 120.0, 400.0])
    aht = np.array([np.nan, 200.0, 300.0, 240.0, 180.0])
    curve = erlang.service_curve(contacts, aht, 15, 20, concurrency, patience, n_max=120)
    asa = erlang.asa_curve(contacts, aht, 15, concurrency, patience, n_max=120)
    assert curve.shape == asa.shape == (5, 121)
    np.testing.assert_array_equal(curve[0], 1.0)
    np.testing.assert_array_equal(asa[0], 0.0)
    traffic = erlang.traffic_erlangs(contacts[1:], aht[1:], 15)[:, None]
    agents = np.arange(121)[None, :]
    m = erlang.queue_metrics(agents, traffic, aht[1:, None], 20, concurrency, patience)
    np.testing.assert_allclose(curve[1:], m.service_level, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(asa[1:], m.asa_seconds, rtol=1e-12, atol=1e-15)


def test_service_curve_is_monotone_and_reaches_one() -> None:
    """Speed is measured in benchmarks/bench_staffing.py, not here."""
    rng = np.random.default_rng(3)
    contacts = rng.poisson(60, 672 * 5).astype(float)  # a week of 15-min intervals, 5 queues
    aht = rng.uniform(180, 600, contacts.size)
    curve = erlang.service_curve(contacts, aht, 15, 20, n_max=300)
    assert curve.shape == (contacts.size, 301)
    assert np.all(np.diff(curve, axis=1) >= -1e-12)
    full = erlang.service_curve(contacts, aht, 15, 20, patience_seconds=120)
    assert np.all(full[:, -1] == 1.0)


def test_one_interval_sized_and_evaluated_with_its_verdict() -> None:
    sized = staff_interval(100, 30, 180, shrinkage=0.3)
    assert sized.sized and sized.staffing.agents == 14 and sized.meets_target
    assert sized.agents_with_shrinkage == 20  # ⌈14 / 0.7⌉
    assert sized.as_json()["mode"] == "sized" and sized.as_json()["model"] == "erlang_c"
    short = staff_interval(100, 30, 180, agents=8)
    assert not short.sized and not short.meets_target
    assert math.isinf(short.staffing.asa_seconds) and short.as_json()["asa_seconds"] is None  # JSON has no infinity
    capped = staff_interval(300, 15, 240, patience_seconds=60, max_occupancy=0.85)
    assert capped.model == "erlang_a" and capped.staffing.occupancy <= 0.85 and capped.meets_target
    over_cap = staff_interval(300, 15, 240, patience_seconds=60, max_occupancy=0.85, agents=capped.staffing.agents - 1)
    assert over_cap.staffing.service_level >= 0.8 and not over_cap.meets_target  # the cap, not the level, fails it
    assert list(sized.as_json()) == [
        "mode", "model", "agents", "agents_with_shrinkage", "servers", "traffic_erlangs", "service_level",
        "service_level_target", "answer_seconds", "asa_seconds", "occupancy", "max_occupancy", "probability_wait",
        "abandon_rate", "meets_target",
    ]  # fmt: skip
