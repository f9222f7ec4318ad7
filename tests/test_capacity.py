"""`wfm capacity`: CAPACITY.toml parsing, weekly demand against `wfm requirements`, supply with
attrition, training and ramp, the hiring model on hand-checkable teams, and runs end to end."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm import synth
from wfm.capacity import CapacityConfig, check_capacity, load_capacity, parse_capacity, run_capacity, write_capacity
from wfm.capacity.config import DAYS_PER_MONTH
from wfm.capacity.demand import CAPACITY_COLUMNS, base_forecast, horizon_forecast, volume_levels
from wfm.capacity.hiring import HiringProblem, hiring_problem, short_by_site, solve_hiring
from wfm.capacity.plan import HIRING_COLUMNS, covered_weeks
from wfm.capacity.report import no_class_note
from wfm.capacity.supply import (
    STAFFING_COLUMNS,
    Group,
    Supply,
    build_supply,
    most_common_skills,
    pessimistic_hours,
    ramp_effectiveness,
    site_hours,
    weekly_leave_rate,
)
from wfm.cli.app import app
from wfm.errors import InputError
from wfm.pipeline import break_factor, plan_requirements
from wfm.requirements import compute_requirements
from wfm.workspace import Workspace, load_workspace

ROOT = Path(__file__).resolve().parents[1]
WEEK = dt.date(2026, 11, 30)
EXAMPLE = """
[horizon]
start = "2026-11-30"
weeks = 13

[volume]
growth_per_month = 0.02
factor = 1.0
[volume.queues.chat-en]
growth_per_month = 0.05
factor = 1.1
deflection = 0.2

[[peak]]
from = "2026-12-14"
to = "2026-12-21"
factor = 1.3

[attrition]
monthly = 0.06
[attrition.sites.Manila]
monthly = 0.08

[hiring]
training_weeks = 2
ramp_weeks = 4
ramp_aht_factor = 1.5
lead_weeks = 4
class_size_max = 25
sites = ["Manila", "US"]
skills = { Manila = "phone-en|chat-en" }
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Not the shipped sample: another seed and size, so nothing is tuned to it.
    return synth.make_world(tmp_path_factory.mktemp("capacity") / "ws", seed=11, agents=40, weeks=5)


@pytest.fixture(scope="module")
def ws(world: Path) -> Workspace:
    return load_workspace(world)


def toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "CAPACITY.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- CAPACITY.toml


def test_every_key_parses(tmp_path: Path, ws: Workspace) -> None:
    config = load_capacity(toml(tmp_path, EXAMPLE))
    assert config.horizon.start == WEEK
    assert config.horizon.weeks == 13
    assert config.volume.queues["chat-en"].deflection == 0.2
    assert config.peak[0].from_ == dt.date(2026, 12, 14)
    assert config.peak[0].last_day == dt.date(2026, 12, 27)  # a Monday `to` means its whole week
    assert config.attrition.monthly_at("Manila") == 0.08
    assert config.attrition.monthly_at("US") == 0.06
    assert config.hiring.skills == {"Manila": ("phone-en", "chat-en")}
    check_capacity(config, ws, WEEK)


def test_defaults() -> None:
    config = parse_capacity({})
    assert config.horizon.weeks == 26
    assert config.horizon.start is None
    assert config.hiring.lead_weeks == 4
    assert config.attrition.monthly == 0.0
    assert config.peak == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[horizn]\nweeks = 13", "CAPACITY.toml section horizn: unknown section (did you mean 'horizon'?)"),
        ("[hiring]\nlead_week = 2", "CAPACITY.toml key hiring.lead_week: unknown key (did you mean 'lead_weeks'?)"),
        (
            "[volume.queues.chat-en]\ndeflektion = 0.2",
            "key volume.queues.chat-en.deflektion: unknown key (did you mean 'deflection'?)",
        ),
        ("[attrition.sites.Manila]\nmontly = 0.1", "key attrition.sites.Manila.montly: unknown key (did you mean 'monthly'?)"),
        ('[[peak]]\nform = "2026-12-07"\nto = "2026-12-07"\nfactor = 2', "key peak[1].form: unknown key (did you mean 'from'?)"),
        (
            '[horizon]\nstart = "2026-12-01"',
            "key horizon.start: expected a Monday (weeks start Monday 00:00 UTC), got 2026-12-01 (Tue)",
        ),
        ("[attrition]\nmonthly = -0.1", "key attrition.monthly: Input should be greater than or equal to 0, got -0.1"),
        ("[volume]\ngrowth_per_month = -0.9", "key volume.growth_per_month: Input should be greater than or equal to -0.5"),
        ("[horizon]\nweeks = 60", "key horizon.weeks: Input should be less than or equal to 52, got 60"),
        ("[horizon]\nweeks = 12", "key horizon.weeks: Input should be greater than or equal to 13, got 12"),
        ('[[peak]]\nfrom = "2026-12-07"\nto = "2026-12-01"\nfactor = 2', "key peak[1].to: expected a date on or after from"),
        ('[peak]\nfrom = "2026-12-07"', "write [[peak]] (an array of tables, one per peak), not [peak]"),
        ('[hiring]\nskills = { Manila = "phone-en|phone-en" }', "key hiring.skills.Manila: a queue is listed twice"),
    ],
)
def test_parse_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        load_capacity(toml(tmp_path, text))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[peak]]\nfrom = "2027-06-07"\nto = "2027-06-07"\nfactor = 2', "key peak[1].from: expected a date inside the horizon"),
        ('[[peak]]\nfrom = "2027-02-22"\nto = "2027-03-01"\nfactor = 2', "key peak[1].to: the peak runs to 2027-03-07"),
        ("[volume.queues.chat-xx]\nfactor = 2", "key volume.queues.chat-xx: no queue named 'chat-xx' in wfm.toml"),
        ('[hiring]\nsites = ["Manilla"]', "key hiring.sites: no agent works at site 'Manilla' (did you mean 'Manila'?)"),
        ("[attrition.sites.Madird]\nmonthly = 0.1", "key attrition.sites.Madird: no agent works at site 'Madird'"),
        ('[hiring]\nskills = { US = ["phone-xx"] }', "key hiring.skills.US: no queue named 'phone-xx'"),
    ],
)
def test_errors_against_the_workspace(tmp_path: Path, ws: Workspace, text: str, message: str) -> None:
    config = load_capacity(toml(tmp_path, "[horizon]\nweeks = 13\n" + text))
    with pytest.raises(InputError) as caught:
        check_capacity(config, ws, WEEK)
    assert message in str(caught.value)


# ----------------------------------------------------------------------------- demand


def test_growth_compounds_per_month() -> None:
    config = parse_capacity({"volume": {"growth_per_month": 0.02, "factor": 1.5, "queues": {"b": {"deflection": 0.2}}}})
    levels = volume_levels(config, ["a", "b"], 14)
    assert levels[0, 0] == pytest.approx(1.5)
    assert levels[13, 0] == pytest.approx(1.5 * 1.02 ** (91 / DAYS_PER_MONTH))  # 13 weeks ≈ 2.99 months
    assert levels[13, 1] == pytest.approx(levels[13, 0] * 0.8)


def test_first_week_matches_wfm_requirements(ws: Workspace) -> None:
    config = parse_capacity({"horizon": {"weeks": 13}, "volume": {"growth_per_month": 0.03}})
    result = run_capacity(ws, config, runs=50)
    _, _, requirements = plan_requirements(ws, WEEK)
    hours = ws.plan.interval_minutes / 60
    expected = requirements.groupby("queue")["agents_with_shrinkage"].sum() * hours
    first = result.capacity[result.capacity["week"] == WEEK.isoformat()].set_index("queue")["required_hours"]
    for queue, value in expected.items():
        assert first[str(queue)] == pytest.approx(value, rel=0.03)
    assert first.sum() == pytest.approx(expected.sum(), rel=0.005)
    assert result.summary["first_week"]["required_hours"] == pytest.approx(expected.sum(), rel=0.005)
    # Growth makes later weeks need more.
    totals = result.demand.required_hours.sum(axis=1)
    assert totals[-1] > totals[1]


def test_weeks_are_sized_by_erlang_not_scaled(ws: Workspace) -> None:
    base = base_forecast(ws, WEEK, 13, None, None)
    doubled = horizon_forecast(base, ws, parse_capacity({"volume": {"factor": 2.0}, "horizon": {"weeks": 13}}), WEEK, 13)
    plain = horizon_forecast(base, ws, parse_capacity({"horizon": {"weeks": 13}}), WEEK, 13)
    phone = [q for q in ws.queues if q.channel == "phone"]
    one = compute_requirements(plain[plain["queue"].isin([q.name for q in phone])], phone, 15, ws.rules)
    two = compute_requirements(doubled[doubled["queue"].isin([q.name for q in phone])], phone, 15, ws.rules)
    assert two["contacts"].sum() == pytest.approx(2 * one["contacts"].sum())
    # Economies of scale: twice the contacts need fewer than twice the agents, more than the same.
    assert one["agents"].sum() < two["agents"].sum() < 2 * one["agents"].sum()


def test_intraday_shape_follows_the_queues_clock(ws: Workspace) -> None:
    base = base_forecast(ws, WEEK, 20, None, None)
    frame = horizon_forecast(base, ws, parse_capacity({"horizon": {"weeks": 20}}), WEEK, 20)
    ny = next(q.name for q in ws.queues if q.timezone == "America/New_York" and q.channel == "phone")
    rows = frame[frame["queue"] == ny].set_index("interval_start")["contacts"]
    # Tuesday 09:00 in New York (Monday 2026-11-30 is a special day): 14:00 UTC in winter (EST),
    # 13:00 UTC after 2027-03-14 (EDT).
    winter = rows[pd.Timestamp("2026-12-01T14:00Z")]
    summer = rows[pd.Timestamp("2027-04-13T13:00Z")]  # week 19
    assert winter > 0
    assert summer == pytest.approx(winter)


def test_peaks_and_special_days_scale_their_local_dates(ws: Workspace) -> None:
    config = parse_capacity(
        {"horizon": {"weeks": 13}, "peak": [{"from": "2026-12-15", "to": "2026-12-15", "factor": 1.5, "queues": ["phone-es"]}]}
    )
    base = base_forecast(ws, WEEK, 13, None, None)
    peaked = horizon_forecast(base, ws, config, WEEK, 13)
    plain = horizon_forecast(base, ws, parse_capacity({"horizon": {"weeks": 13}}), WEEK, 13)
    local = peaked["interval_start"].dt.tz_convert("Europe/Madrid").dt.date
    phone_es = peaked["queue"] == "phone-es"
    ratio = peaked["contacts"] / plain["contacts"].where(plain["contacts"] > 0)
    on_peak = phone_es & (local == dt.date(2026, 12, 15)) & ratio.notna()  # a Tuesday: that day only
    assert on_peak.sum() > 0
    assert np.allclose(ratio[on_peak], 1.5)
    assert np.allclose(ratio[~on_peak & ratio.notna()], 1.0)
    # special_days.csv closes phone-es on 2026-12-08 (Madrid): no contacts that local day.
    closed = phone_es & (local == dt.date(2026, 12, 8))
    assert any(d.date == dt.date(2026, 12, 8) and d.queue == "phone-es" and d.factor == 0 for d in ws.special_days)
    assert closed.sum() == 96 and peaked.loc[closed, "contacts"].sum() == 0


# ----------------------------------------------------------------------------- supply


def test_weekly_leave_rate_compounds_to_the_monthly_share() -> None:
    q = weekly_leave_rate(0.06)
    assert (1 - q) ** (DAYS_PER_MONTH / 7) == pytest.approx(0.94)
    assert weekly_leave_rate(0.0) == 0.0


def test_ramp_training_then_linear_aht() -> None:
    weights = ramp_effectiveness(8, training_weeks=2, ramp_weeks=4, ramp_aht_factor=1.5)
    # AHT factor at each ramp week's midpoint: 1.4375, 1.3125, 1.1875, 1.0625; then 1.
    expected = [0, 0, 1 / 1.4375, 1 / 1.3125, 1 / 1.1875, 1 / 1.0625, 1, 1]
    assert weights == pytest.approx(expected)


def test_hires_take_the_sites_most_common_skills(ws: Workspace) -> None:
    assert most_common_skills([("a", "b"), ("b",), ("a", "b"), ("c",)]) == ("a", "b")
    assert most_common_skills([("b",), ("a",)]) == ("a",)  # a tie goes to the first in order
    supply = build_supply(ws, parse_capacity({"hiring": {"skills": {"US": "phone-en"}}}))
    manila = [a.skills for a in ws.agents if a.site == "Manila"]
    assert supply.hire_skills["Manila"] == most_common_skills(manila)
    assert manila.count(supply.hire_skills["Manila"]) == max(manila.count(skills) for skills in manila)
    assert supply.hire_skills["US"] == ("phone-en",)
    # On-queue hours: each agent's cap less the paid breaks of the most efficient shift.
    first = ws.agents[0]
    group = next(g for g in supply.groups if g.site == first.site and g.skills == first.skills)
    assert first.weekly_cap(ws.rules) / break_factor(ws.rules) in group.on_queue_hours


def _supply(headcount: int, monthly: float = 0.0, *, training: int = 0, ramp: int = 0, factor: float = 1.0) -> Supply:
    return Supply(
        groups=(Group("A", ("q",), headcount, (37.5,) * headcount),),
        sites=("A",),
        weekly_leave={"A": weekly_leave_rate(monthly)},
        hire_skills={"A": ("q",)},
        hire_sites=("A",),
        hire_paid_hours=40.0,
        hire_on_queue_hours=37.5,
        training_weeks=training,
        ramp_weeks=ramp,
        ramp_aht_factor=factor,
    )


def _hiring(weeks: int = 13, **hiring: float) -> CapacityConfig:
    return parse_capacity({"horizon": {"weeks": weeks}, "hiring": {"lead_weeks": 0, **hiring}})


def test_pessimistic_band_lies_below_the_expected_hours() -> None:
    supply = _supply(100, 0.06)
    classes = np.zeros((1, 26), dtype=np.int64)
    expected = site_hours(supply, classes)[0]
    low, total = pessimistic_hours(supply, classes, runs=500, seed=3)
    middle, _ = pessimistic_hours(supply, classes, runs=500, seed=3, quantile=0.5)
    assert low[0, 0] == expected[0] == 3750.0  # nobody has left yet in the first week
    assert np.all(low[0, 1:] < expected[1:])
    assert total == pytest.approx(low[0])
    assert middle[0, -1] == pytest.approx(expected[-1], rel=0.03)
    none, _ = pessimistic_hours(_supply(100), classes, runs=50)
    assert none[0] == pytest.approx(np.full(26, 3750.0))


# ----------------------------------------------------------------------------- hiring


def _required(weeks: int, hours: float) -> np.ndarray:
    return np.full((weeks, 1), hours)


def test_an_overstaffed_team_without_attrition_hires_nobody() -> None:
    supply = _supply(10)
    problem = hiring_problem(supply, _required(13, 300.0), ["q"], _hiring())
    plan = solve_hiring(problem)
    assert plan.status == "OPTIMAL"
    assert plan.sizes.sum() == 0
    assert plan.short.sum() == pytest.approx(0.0)


def test_a_team_short_by_five_people_hires_five() -> None:
    # 10 agents give 375 on-queue hours a week; 562.5 are required: five agents' worth short.
    supply = _supply(10)
    plan = solve_hiring(hiring_problem(supply, _required(13, 562.5), ["q"], _hiring()))
    assert plan.sizes[0, 0] == 5 and plan.sizes.sum() == 5
    assert plan.short.sum() == pytest.approx(0.0, abs=1e-6)
    # With a lead time the class starts when allowed and the weeks before stay short.
    late = solve_hiring(hiring_problem(supply, _required(13, 562.5), ["q"], _hiring(lead_weeks=3)))
    assert late.sizes[0, 3] == 5 and late.sizes.sum() == 5
    assert late.short[:3].sum() == pytest.approx(3 * 187.5)
    assert late.short[3:].sum() == pytest.approx(0.0, abs=1e-6)


def test_training_and_ramp_delay_what_a_class_gives() -> None:
    supply = _supply(10, training=2, ramp=2, factor=1.5)
    plan = solve_hiring(hiring_problem(supply, _required(13, 450.0), ["q"], _hiring()))
    assert plan.sizes.sum() == 2  # 75 h short: two agents once ramped
    start = int(np.flatnonzero(plan.sizes[0])[0])
    assert start == 0
    # In training (weeks 0–1) the class gives nothing; ramping weeks at 1/1.375 and 1/1.125.
    assert plan.short[0, 0] == pytest.approx(75.0)
    assert plan.short[2, 0] == pytest.approx(75.0 - 2 * 37.5 / 1.375)
    assert plan.short[4:].sum() == pytest.approx(0.0, abs=1e-6)


def test_no_site_to_hire_at_leaves_the_shortfall() -> None:
    supply = dataclasses.replace(_supply(10), hire_sites=())
    plan = solve_hiring(hiring_problem(supply, _required(13, 400.0), ["q"], _hiring()))
    assert plan.status == "OPTIMAL" and plan.sizes.sum() == 0
    assert plan.short[:, 0] == pytest.approx(np.full(13, 25.0))


def test_classes_never_exceed_the_maximum_size() -> None:
    supply = _supply(10)
    plan = solve_hiring(hiring_problem(supply, _required(13, 375.0 + 10 * 37.5), ["q"], _hiring(class_size_max=4)))
    assert plan.sizes.max() <= 4
    assert plan.sizes.sum() == 10


def test_more_attrition_more_hires() -> None:
    hires = []
    for monthly in (0.03, 0.06, 0.12):
        supply = _supply(40, monthly, training=2, ramp=4, factor=1.5)
        plan = solve_hiring(hiring_problem(supply, _required(26, 1500.0), ["q"], _hiring(26, lead_weeks=2)))
        hires.append(int(plan.sizes.sum()))
    assert 0 < hires[0] < hires[1] < hires[2]


def test_skills_decide_where_to_hire() -> None:
    # Site A serves q1 only and has spare hours; site B serves q2 and is 3 agents short.
    supply = Supply(
        groups=(Group("A", ("q1",), 10, (37.5,) * 10), Group("B", ("q2",), 4, (37.5,) * 4)),
        sites=("A", "B"),
        weekly_leave={"A": 0.0, "B": 0.0},
        hire_skills={"A": ("q1",), "B": ("q2",)},
        hire_sites=("A", "B"),
        hire_paid_hours=40.0,
        hire_on_queue_hours=37.5,
        training_weeks=0,
        ramp_weeks=0,
        ramp_aht_factor=1.0,
    )
    required = np.tile([100.0, 7 * 37.5], (13, 1))
    problem = hiring_problem(supply, required, ["q1", "q2"], _hiring())
    plan = solve_hiring(problem)
    assert plan.sizes[0].sum() == 0 and plan.sizes[1].sum() == 3
    # Without hiring at B, A's spare hours cannot cover q2: the shortfall stays, all of it B's.
    only_a = solve_hiring(hiring_problem(dataclasses.replace(supply, hire_sites=("A",)), required, ["q1", "q2"], _hiring()))
    assert only_a.sizes.sum() == 0
    assert only_a.short[:, 1] == pytest.approx(np.full(13, 3 * 37.5))
    by_site = short_by_site(only_a, hiring_problem(supply, required, ["q1", "q2"], _hiring()), 2)
    assert by_site[0].sum() == pytest.approx(0.0) and by_site[1].sum() == pytest.approx(13 * 3 * 37.5)


def test_covered_weeks_counts_weeks_within_three_percent() -> None:
    required = np.array([[100.0], [100.0], [100.0], [100.0]])
    short = np.array([[50.0], [3.0], [3.1], [0.0]])
    assert covered_weeks(required, short, 1) == pytest.approx(2 / 3)


def test_problem_arrays_respect_lead_and_training() -> None:
    supply = _supply(5, training=2)
    problem: HiringProblem = hiring_problem(supply, _required(13, 100.0), ["q"], _hiring(lead_weeks=4, class_every_weeks=1))
    allowed = np.flatnonzero(problem.allowed[0])
    assert allowed[0] == 4 and allowed[-1] == 10  # a class starting in week 11 would still be in training at the end
    assert problem.hire_cost[0, 10] == pytest.approx(3 * 40.0)
    monthly = hiring_problem(supply, _required(13, 100.0), ["q"], _hiring(lead_weeks=3))
    assert np.flatnonzero(monthly.allowed[0]).tolist() == [3, 7]  # every 4 weeks from the lead; 11 + 2 ≥ 13


# ----------------------------------------------------------------------------- end to end


def test_cli_writes_the_capacity_folder(tmp_path: Path, world: Path) -> None:
    settings = toml(tmp_path, "[horizon]\nweeks = 13\n[attrition]\nmonthly = 0.08\n[hiring]\nlead_weeks = 2\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["capacity", str(world), str(settings), "--out", str(out), "--runs", "50"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["capacity.csv", "hiring.csv", "report.html", "staffing.csv", "summary.json"]
    capacity = pd.read_csv(out / "capacity.csv")
    staffing = pd.read_csv(out / "staffing.csv")
    hiring = pd.read_csv(out / "hiring.csv")
    summary = json.loads((out / "summary.json").read_text())
    assert tuple(capacity.columns) == CAPACITY_COLUMNS
    assert tuple(staffing.columns) == STAFFING_COLUMNS
    assert tuple(hiring.columns) == HIRING_COLUMNS
    assert len(capacity) == 13 * 6 and len(staffing) == 13 * 4
    assert summary["hires"] == int(hiring["size"].sum()) == int(staffing["hires_starting"].sum())
    assert (pd.to_datetime(hiring["class_start"]) >= pd.Timestamp("2026-12-14")).all()  # the lead time
    assert (staffing["available_hours_p10"] <= staffing["available_hours"] + 1e-6).all()
    assert staffing["short_hours"].sum() == pytest.approx(capacity["short_hours"].sum(), rel=0.01, abs=1.0)
    page = (out / "report.html").read_text()
    assert "Content-Security-Policy" in page and 'id="chart-capacity-hours"' in page and "<script src=" not in page
    assert summary["hires"] > 0 and f"Classes to open ({summary['hires']} hires)" in result.output
    assert "No class" not in result.output and "No class" not in page


def test_overstaffed_world_without_attrition_hires_nobody(tmp_path: Path, world: Path) -> None:
    settings = toml(tmp_path, "[horizon]\nweeks = 13\n[volume]\nfactor = 0.5\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["capacity", str(world), str(settings), "--out", str(out), "--runs", "20"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["hires"] == 0 and summary["short_hours"] == pytest.approx(0.0, abs=0.5)
    assert pd.read_csv(out / "hiring.csv").empty
    # One line instead of an empty table, the same in the command's output and the report.
    line = "No class is needed: the staff covers every week of the horizon."
    assert line in result.output and "Classes to open" not in result.output
    assert f'<p class="note">{line}</p>' in (out / "report.html").read_text()


def test_short_hours_no_class_can_reach_are_named_in_the_one_line(tmp_path: Path, world: Path) -> None:
    # Heavy attrition, and a lead that leaves no class time to finish training within the horizon.
    settings = toml(tmp_path, "[horizon]\nweeks = 13\n[attrition]\nmonthly = 0.3\n[hiring]\nlead_weeks = 12\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["capacity", str(world), str(settings), "--out", str(out), "--runs", "20"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["hires"] == 0 and summary["short_hours"] > 100
    line = no_class_note(summary["short_hours"])
    short = f"{summary['short_hours']:,.0f}"
    assert line == f"No class to open: none would cover enough of the {short} short hours to be worth its paid hours."
    assert line in result.output and "Classes to open" not in result.output
    assert f'<p class="note">{line}</p>' in (out / "report.html").read_text()


def test_bad_capacity_file_exits_2_and_writes_nothing(tmp_path: Path, world: Path) -> None:
    settings = toml(tmp_path, "[horizn]\nweeks = 13\n")
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-m", "wfm", "capacity", str(world), str(settings), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 2
    assert run.stderr.strip() == "error: CAPACITY.toml section horizn: unknown section (did you mean 'horizon'?)"
    assert not out.exists()


@pytest.mark.slow
@pytest.mark.timeout(900)  # a first run may install Chromium; later runs take seconds
def test_report_renders_in_headless_chromium(tmp_path: Path, ws: Workspace) -> None:
    from browser import chromium_or_skip

    chromium = chromium_or_skip(tmp_path)
    config = parse_capacity({"horizon": {"weeks": 13}, "attrition": {"monthly": 0.1}, "hiring": {"lead_weeks": 2}})
    result = run_capacity(ws, config, runs=50)
    assert result.summary["hires"] > 0  # so the classes chart and table have something to draw
    write_capacity(result, tmp_path / "out")
    report = tmp_path / "out" / "report.html"
    dom = chromium.dump_dom(report)
    errors = re.search(r'data-script-errors="(\d+)"', dom)
    assert errors and errors.group(1) == "0", dom[:2000]
    charts = report.read_text().count('class="plotly-graph-div"')
    assert charts == 3
    assert dom.count("js-plotly-plot") >= charts
    assert dom.count('class="main-svg"') >= charts
