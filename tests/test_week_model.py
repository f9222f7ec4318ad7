"""The week model's relaxation and its column generation, checked against GLOP itself: reduced
costs against the simplex's own, and the priced-in relaxation against the LP over every
candidate shift at once."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pytest

from wfm.forecast import forecast_workspace
from wfm.requirements import compute_requirements
from wfm.roster.candidates import make_groups
from wfm.roster.demand import ServiceWeights, build_demand
from wfm.roster.greedy import counts_of, greedy_roster, prune_roster
from wfm.roster.relax import LinearRelaxation
from wfm.roster.week import _build, _relax, column_entries, neighbourhood, price_columns, reduced_cost
from wfm.synth import make_world
from wfm.workspace import load_workspace

pytestmark = pytest.mark.slow

WEEK = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def week_parts(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """A 24-agent world: its groups, demands, rules and the columns near its greedy roster."""
    ws = load_workspace(make_world(tmp_path_factory.mktemp("cg") / "ws", seed=3, agents=24, plan_week=WEEK))
    requirements = compute_requirements(forecast_workspace(ws, WEEK), ws.queues, ws.plan.interval_minutes, ws.rules)
    weights = ServiceWeights()
    groups = make_groups(ws.agents, ws.rules, WEEK)
    demands = build_demand(requirements, ws.queues, ws.rules, WEEK, ws.plan.interval_minutes, weights)
    start = prune_roster(greedy_roster(groups, demands, ws.rules, WEEK), groups, demands, ws.rules)
    counts = {k: v for k, v in counts_of(start, groups).items() if v > 0}
    columns = neighbourhood(groups, counts, ws.rules, 1)
    return groups, demands, ws.rules, weights, columns


def _copy(columns: dict[int, list[int]]) -> dict[int, list[int]]:
    return {g: list(ids) for g, ids in columns.items()}


@pytest.mark.parametrize("relaxation", [True, False])
def test_reduced_costs_match_the_simplex(week_parts: tuple, relaxation: bool) -> None:
    """Each column's reduced cost from its rows (`column_entries`) equals GLOP's, in the model
    the relaxation grows and in the rounding's model, where alike groups' counts are summed."""
    groups, demands, rules, weights, columns = week_parts
    model = _build(groups, _copy(columns), demands, rules, weights, relaxation=relaxation)
    model.cp.minimize(model.objective)
    relaxed = LinearRelaxation(model.cp).solve(60)
    assert relaxed is not None and relaxed.status == "OPTIMAL"
    assert len(model.x) > 300
    scale = max(1.0, float(np.abs(relaxed.reduced_costs).max()))
    for (g, i), var in model.x.items():
        ours = reduced_cost(*column_entries(groups[g], groups[g].shifts[i], model, rules, weights), relaxed.duals)
        assert ours == pytest.approx(relaxed.reduced_costs[var.index], abs=1e-9 * scale)


def test_priced_columns_enter_the_lp_with_the_reduced_cost_they_were_priced_at(week_parts: tuple) -> None:
    groups, demands, rules, weights, columns = week_parts
    columns = _copy(columns)
    model = _build(groups, columns, demands, rules, weights, relaxation=True)
    model.cp.minimize(model.objective)
    lp = LinearRelaxation(model.cp)
    first = lp.solve(60)
    assert first is not None
    added = price_columns(groups, columns, model, first.duals, rules, weights, per_group=3, most=200)
    assert sum(len(ids) for ids in added.values()) > 20
    positions = {}
    for g, ids in added.items():
        for i in ids:
            cost, entries = column_entries(groups[g], groups[g].shifts[i], model, rules, weights)
            assert reduced_cost(cost, entries, first.duals) < 0
            positions[g, i] = lp.add_column(cost, groups[g].size, entries)
    second = lp.solve(60)
    assert second is not None and second.status == "OPTIMAL"
    assert second.objective < first.objective - 1
    for (g, i), position in positions.items():
        ours = reduced_cost(*column_entries(groups[g], groups[g].shifts[i], model, rules, weights), second.duals)
        assert ours == pytest.approx(second.reduced_costs[position], abs=1e-6 * max(1.0, abs(ours)))


def test_column_generation_reaches_the_lp_over_every_candidate_shift(week_parts: tuple) -> None:
    """Priced to the end from the greedy neighbourhood, the relaxation has the value of the LP
    built over all of the groups' candidate shifts at once, with far fewer columns."""
    groups, demands, rules, weights, columns = week_parts
    far = time.perf_counter() + 3600
    start, _, _ = _relax(groups, _copy(columns), demands, rules, weights, 3600, far, 0, repeatable=False)
    priced, values, stats = _relax(
        groups, _copy(columns), demands, rules, weights, 3600, far, 100, repeatable=False, when_short=0
    )
    every = {g: list(range(len(groups[g].shifts))) for g in columns}
    full, _, full_stats = _relax(groups, every, demands, rules, weights, 3600, far, 0, repeatable=False)
    assert start is not None and priced is not None and full is not None
    assert stats.converged and stats.rounds > 0
    assert priced.objective < start.objective * 0.99
    assert priced.objective == pytest.approx(full.objective, rel=1e-7)
    assert stats.columns < full_stats.columns / 2
    assert values and all(v > 0 for v in values.values())


def test_a_work_limit_gives_the_same_relaxation_twice(week_parts: tuple) -> None:
    groups, demands, rules, weights, columns = week_parts
    far = time.perf_counter() + 3600
    runs = [
        _relax(groups, _copy(columns), demands, rules, weights, 20.0, far, 3, repeatable=True, when_short=0) for _ in range(2)
    ]
    (one, values_one, stats_one), (two, values_two, stats_two) = runs
    assert one is not None and two is not None and stats_one.rounds > 0
    assert one.objective == two.objective and values_one == values_two
    assert stats_one.rounds == stats_two.rounds and stats_one.priced == stats_two.priced
