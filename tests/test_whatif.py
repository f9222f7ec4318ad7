"""`wfm whatif`: SCENARIOS.toml parsing, scenarios applied to a workspace, the question search,
and two-scenario runs end to end (serial, process pool, Ray)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from wfm import synth
from wfm.cli.app import app
from wfm.errors import InputError
from wfm.roster import SolveSettings
from wfm.timegrid import interval_grid, local_days
from wfm.whatif import (
    COMPARISON_COLUMNS,
    AddAgents,
    ForecastAdjustment,
    Question,
    QueueChange,
    RayUnavailable,
    Scenario,
    answer_question,
    apply_scenario,
    hire_hours,
    load_scenarios,
    parse_scenarios,
    run_scenarios,
    slugify,
    solver_workers,
)
from wfm.workspace import AgentConfig, Workspace, load_workspace

ROOT = Path(__file__).resolve().parents[1]
WEEK = dt.date(2026, 11, 30)
FULL = """
[[scenario]]
name = "baseline"

[[scenario]]
name = "volume +20%"
volume = 1.20

[[scenario]]
name = "chatbot on chat-en"
[scenario.queues.chat-en]
deflection = 0.35
aht = 1.10
closed_days = ["Sun", "2026-12-03"]

[[scenario]]
name = "attrition and hiring"
remove_agents = 0.15
rules = "default"
sites_closed = [{site = "Madrid", weekdays = ["Sat"], dates = ["2026-12-08"]}]
[[scenario.add_agents]]
count = 10
timezone = "Asia/Manila"
skills = "phone-en|chat-en"
on_queue_from = "2026-12-03"
[[scenario.add_agents]]
count = 2
timezone = "Europe/Madrid"
skills = ["phone-es"]
site = "Madrid"

[[question]]
name = "hire in Manila"
timezone = "Asia/Manila"
skills = "phone-en|chat-en"
site = "Manila"
max_added = 12
target_intervals = 0.95
scenario = "volume +20%"
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth.make_world(tmp_path_factory.mktemp("whatif") / "ws", agents=30, weeks=5)


@pytest.fixture(scope="module")
def ws(world: Path) -> Workspace:
    return load_workspace(world)


def scenarios_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "SCENARIOS.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- parsing


def test_every_key_parses(tmp_path: Path, ws: Workspace) -> None:
    parsed = load_scenarios(scenarios_file(tmp_path, FULL), ws)
    assert [s.name for s in parsed.scenario] == ["baseline", "volume +20%", "chatbot on chat-en", "attrition and hiring"]
    assert [s.slug for s in parsed.scenario] == ["baseline", "volume-20", "chatbot-on-chat-en", "attrition-and-hiring"]
    baseline, volume, chatbot, hiring = parsed.scenario
    assert baseline == Scenario(name="baseline")
    assert volume.volume == 1.2
    assert chatbot.queues["chat-en"].deflection == 0.35 and chatbot.queues["chat-en"].aht == 1.1
    assert chatbot.queues["chat-en"].closed() == (frozenset({6}), frozenset({dt.date(2026, 12, 3)}))
    assert hiring.remove_agents == 0.15 and hiring.rules == "default"
    assert hiring.sites_closed[0].site == "Madrid" and hiring.sites_closed[0].weekday_numbers() == {5}
    assert hiring.sites_closed[0].dates == (dt.date(2026, 12, 8),)
    first, second = hiring.add_agents
    assert first == AddAgents(
        count=10, timezone="Asia/Manila", skills=("phone-en", "chat-en"), on_queue_from=dt.date(2026, 12, 3)
    )
    assert second.skills == ("phone-es",) and second.site == "Madrid" and second.on_queue_from is None
    (question,) = parsed.question
    assert question == Question(
        name="hire in Manila",
        timezone="Asia/Manila",
        skills=("phone-en", "chat-en"),
        site="Manila",
        max_added=12,
        target_intervals=0.95,
        scenario="volume +20%",
    )


def test_defaults() -> None:
    parsed = parse_scenarios({"question": [{"name": "q", "timezone": "UTC", "skills": "phone-en"}]})
    assert parsed.scenario == ()
    assert parsed.question[0].max_added == 50 and parsed.question[0].target_intervals == 0.98


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[scenario]]\nname = "busy"\nvolumen = 1.2\n',
            "SCENARIOS.toml [[scenario]] name='busy' key volumen: unknown key (did you mean 'volume'?)",
        ),
        (
            '[[scenario]]\nname = "bot"\n[scenario.queues.chat-en]\ndeflaction = 0.3\n',
            "SCENARIOS.toml [[scenario]] name='bot' key queues.chat-en.deflaction: unknown key (did you mean 'deflection'?)",
        ),
        (
            '[[scenario]]\nname = "hire"\n[[scenario.add_agents]]\ncount = 2\ntimezone = "UTC"\nskills = "phone-en"\n'
            'on_queue = "2026-12-07"\n',
            "SCENARIOS.toml [[scenario]] name='hire' key add_agents[1].on_queue: unknown key (did you mean 'on_queue_from'?)",
        ),
        (
            '[[scenario]]\nname = "sat"\nsites_closed = [{site = "Madrid", weekday = ["Sat"]}]\n',
            "SCENARIOS.toml [[scenario]] name='sat' key sites_closed[1].weekday: unknown key (did you mean 'weekdays'?)",
        ),
        (
            '[[question]]\nname = "how many"\ntimezone = "UTC"\nskills = "phone-en"\nmax_add = 3\n',
            "SCENARIOS.toml [[question]] name='how many' key max_add: unknown key (did you mean 'max_added'?)",
        ),
        ('[[scenarios]]\nname = "x"\n', "SCENARIOS.toml key scenarios: unknown key (did you mean 'scenario'?)"),
        ('[scenario]\nname = "x"\n', "SCENARIOS.toml: write [[scenario]] (an array of tables"),
        ("", "SCENARIOS.toml: no [[scenario]] or [[question]]"),
        ("[[scenario]]\nvolume = 2\n", "SCENARIOS.toml [[scenario]] number 1 key name: required key is missing"),
        (
            '[[scenario]]\nname = "x"\n[scenario.queues.chat-en]\ndeflection = 1.2\n',
            "SCENARIOS.toml [[scenario]] name='x' key queues.chat-en.deflection: Input should be less than 1, got 1.2",
        ),
        (
            '[[scenario]]\nname = "x"\nremove_agents = -0.1\n',
            "SCENARIOS.toml [[scenario]] name='x' key remove_agents: Input should be greater than or equal to 0, got -0.1",
        ),
        (
            '[[scenario]]\nname = "x"\n[[scenario.add_agents]]\ncount = 2\ntimezone = "Asia/Manilla"\nskills = "phone-en"\n',
            "key add_agents[1].timezone: expected an IANA time zone such as 'Europe/Madrid', got 'Asia/Manilla' "
            "(did you mean 'Asia/Manila'?)",
        ),
        (
            '[[scenario]]\nname = "x"\n[[scenario.add_agents]]\ncount = 0\ntimezone = "UTC"\nskills = "phone-en"\n',
            "key add_agents[1].count: Input should be greater than or equal to 1, got 0",
        ),
        (
            '[[scenario]]\nname = "x"\n[[scenario.add_agents]]\ncount = 1\ntimezone = "UTC"\nskills = "phone-en"\n'
            'on_queue_from = "next week"\n',
            "key add_agents[1].on_queue_from: Input should be a valid date",
        ),
        (
            '[[scenario]]\nname = "x"\n[scenario.queues.chat-en]\nclosed_days = ["Sunday", "someday"]\n',
            "key queues.chat-en.closed_days: closed_days: expected weekdays (Mon…Sun) or dates (YYYY-MM-DD), got 'someday'",
        ),
        (
            '[[scenario]]\nname = "x"\nsites_closed = [{site = "Madrid"}]\n',
            "key sites_closed[1]: site 'Madrid': give weekdays",
        ),
        ('[[scenario]]\nname = "a"\n[[scenario]]\nname = "a"\n', "name 'a' appears twice"),
        ('[[scenario]]\nname = "Busy +20%"\n[[scenario]]\nname = "busy 20"\n', "give the same plan folder 'busy-20'"),
        (
            '[[scenario]]\nname = "busy"\n[[question]]\nname = "q"\ntimezone = "UTC"\nskills = "phone-en"\nscenario = "bussy"\n',
            "[[question]] name='q' key scenario: no [[scenario]] named 'bussy' (did you mean 'busy'?)",
        ),
        (
            '[[question]]\nname = "q"\ntimezone = "UTC"\nskills = "phone-en|phone-en"\n',
            "key skills: a queue is listed twice, got 'phone-en|phone-en'",
        ),
        ('[[scenario]]\nname = "x"\nvolume = [1, 2]\n', "[[scenario]] name='x' key volume: Input should be a valid number"),
    ],
)
def test_parse_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        load_scenarios(scenarios_file(tmp_path, text))
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[scenario]]\nname = "bot"\n[scenario.queues.chat-eng]\naht = 1.1\n',
            "SCENARIOS.toml [[scenario]] name='bot' key queues.chat-eng: no queue named 'chat-eng' in wfm.toml "
            "(did you mean 'chat-en'?)",
        ),
        (
            '[[scenario]]\nname = "hire"\n[[scenario.add_agents]]\ncount = 2\ntimezone = "UTC"\nskills = "phone-en|chat-eng"\n',
            "SCENARIOS.toml [[scenario]] name='hire' add_agents[1] key skills: no queue named 'chat-eng' in wfm.toml "
            "(did you mean 'chat-en'?)",
        ),
        (
            '[[question]]\nname = "q"\ntimezone = "UTC"\nskills = "phone-fr"\n',
            "SCENARIOS.toml [[question]] name='q' key skills: no queue named 'phone-fr' in wfm.toml",
        ),
        (
            '[[scenario]]\nname = "sat"\nsites_closed = [{site = "Madird", weekdays = ["Sat"]}]\n',
            "SCENARIOS.toml [[scenario]] name='sat' key sites_closed: no agent works at site 'Madird' (did you mean 'Madrid'?)",
        ),
        (
            '[[scenario]]\nname = "strict"\nrules = "defualt"\n',
            "SCENARIOS.toml [[scenario]] name='strict' key rules: unknown profile 'defualt' (did you mean 'default'?)",
        ),
        (
            '[[scenario]]\nname = "strict"\nrules = "profiles/strict.toml"\n',
            "SCENARIOS.toml [[scenario]] name='strict' key rules: no profile file at",
        ),
    ],
)
def test_errors_against_the_workspace(tmp_path: Path, ws: Workspace, text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        load_scenarios(scenarios_file(tmp_path, text), ws)
    assert message in str(caught.value)


def test_rules_path_is_relative_to_the_scenarios_file(tmp_path: Path, ws: Workspace) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "short.toml").write_text("[hours]\nmax_per_week = 32\n", encoding="utf-8")
    parsed = load_scenarios(scenarios_file(tmp_path, '[[scenario]]\nname = "short"\nrules = "profiles/short.toml"\n'), ws)
    assert parsed.scenario[0].rules == str((tmp_path / "profiles" / "short.toml").resolve())
    applied, _ = apply_scenario(ws, parsed.scenario[0], week=WEEK)
    assert applied.rules.hours.max_per_week == 32 and ws.rules.hours.max_per_week == 40


def test_slugify() -> None:
    assert slugify("Sábado cerrado en Madrid +20%") == "sabado-cerrado-en-madrid-20"
    assert slugify("+++") == "scenario"


# ----------------------------------------------------------------------------- applying


def forecast_frame(ws: Workspace) -> pd.DataFrame:
    grid = interval_grid(WEEK, ws.plan.interval_minutes)
    return pd.concat(
        [pd.DataFrame({"queue": q.name, "interval_start": grid, "contacts": 10.0, "aht_seconds": 300.0}) for q in ws.queues],
        ignore_index=True,
    )


def test_volume_scales_contacts_on_every_queue(ws: Workspace) -> None:
    forecast = forecast_frame(ws)
    _, adjust = apply_scenario(ws, Scenario(name="busy", volume=1.2), week=WEEK)
    out = adjust(forecast)
    assert np.allclose(out["contacts"], 12.0) and np.allclose(out["aht_seconds"], 300.0)
    assert forecast["contacts"].eq(10.0).all()  # the input is left alone
    assert list(out.columns) == list(forecast.columns) and len(out) == len(forecast)


def test_deflection_and_aht_change_one_queue(ws: Workspace) -> None:
    scenario = Scenario(name="bot", volume=2.0, queues={"chat-en": QueueChange(deflection=0.35, aht=1.1)})
    out = apply_scenario(ws, scenario, week=WEEK)[1](forecast_frame(ws))
    chat = out["queue"] == "chat-en"
    assert np.allclose(out.loc[chat, "contacts"], 10.0 * 2.0 * 0.65)
    assert np.allclose(out.loc[chat, "aht_seconds"], 330.0)
    assert np.allclose(out.loc[~chat, "contacts"], 20.0) and np.allclose(out.loc[~chat, "aht_seconds"], 300.0)


def test_closed_days_follow_the_queues_clock(ws: Workspace) -> None:
    # phone-es customers are in Madrid (UTC+1 in winter): Thursday 3 Dec local is 2 Dec 23:00Z – 3 Dec 23:00Z.
    scenario = Scenario(name="closed", queues={"phone-es": QueueChange(closed_days=("Sun", "2026-12-03"))})
    out = apply_scenario(ws, scenario, week=WEEK)[1](forecast_frame(ws))
    phone = out[out["queue"] == "phone-es"].set_index("interval_start")["contacts"]
    local = phone.index.tz_convert("Europe/Madrid")
    closed = (local.day_of_week == 6) | (local.date == dt.date(2026, 12, 3))
    assert (phone[closed] == 0).all() and (phone[~closed] == 10.0).all()
    assert phone[pd.Timestamp("2026-12-02T22:45Z")] == 10.0 and phone[pd.Timestamp("2026-12-02T23:00Z")] == 0.0
    assert (out.loc[out["queue"] != "phone-es", "contacts"] == 10.0).all()


def test_forecast_adjustment_is_picklable() -> None:
    import pickle

    adjust = ForecastAdjustment(2.0, {"chat-en": QueueChange(aht=1.5)}, {"chat-en": "America/New_York"})
    assert pickle.loads(pickle.dumps(adjust)) == adjust


def test_remove_agents_takes_a_seeded_share(ws: Workspace) -> None:
    scenario = Scenario(name="attrition", remove_agents=0.2)
    ids = [a.agent_id for a in ws.agents]
    kept = {seed: [a.agent_id for a in apply_scenario(ws, scenario, seed, week=WEEK)[0].agents] for seed in (0, 0, 1)}
    assert len(kept[0]) == len(ids) - round(0.2 * len(ids)) == 24
    assert kept[0] == [i for i in ids if i in kept[0]]  # order kept
    again = [a.agent_id for a in apply_scenario(ws, scenario, 0, week=WEEK)[0].agents]
    assert again == kept[0]
    assert kept[1] != kept[0]
    assert len(ws.agents) == 30  # the workspace itself is unchanged


def test_remove_everyone_is_an_error(ws: Workspace) -> None:
    with pytest.raises(InputError, match=r"remove_agents: 0\.99 leaves nobody of 30 agents"):
        apply_scenario(ws, Scenario(name="gone", remove_agents=0.99), week=WEEK)


def test_add_agents_in_training_until_on_queue_from(ws: Workspace) -> None:
    scenario = Scenario(
        name="Hiring: Manila",
        add_agents=(
            AddAgents(count=3, timezone="Asia/Manila", skills=("phone-en", "chat-en"), on_queue_from=dt.date(2026, 12, 3)),
            AddAgents(count=1, timezone="Europe/Madrid", skills=("phone-es",), site="Madrid"),
        ),
    )
    applied, _ = apply_scenario(ws, scenario, week=WEEK)
    new = applied.agents[len(ws.agents) :]
    assert [a.agent_id for a in new] == [
        "NEW-hiring-manila-01",
        "NEW-hiring-manila-02",
        "NEW-hiring-manila-03",
        "NEW-hiring-manila-04",
    ]
    manila = new[0]
    assert manila.timezone == "Asia/Manila" and manila.skills == ("phone-en", "chat-en")
    assert manila.window_minutes() is None and manila.max_hours_week is None and manila.min_hours_week is None
    # Manila's days of the week start on Monday 30 Nov (08:00 local at 00:00Z): Mon, Tue, Wed in training.
    assert local_days("Asia/Manila", WEEK)[0] == dt.date(2026, 11, 30)
    assert manila.dates_unavailable == {dt.date(2026, 11, 30), dt.date(2026, 12, 1), dt.date(2026, 12, 2)}
    assert not manila.unavailable_on(dt.date(2026, 12, 3))
    assert new[3].site == "Madrid" and new[3].dates_unavailable == frozenset()


def test_sites_closed_and_rules(ws: Workspace) -> None:
    scenario = parse_scenarios(
        {
            "scenario": [
                {
                    "name": "Madrid Saturday",
                    "rules": "default",
                    "sites_closed": [{"site": "Madrid", "weekdays": ["Saturday"], "dates": ["2026-12-08"]}],
                    "add_agents": [{"count": 1, "timezone": "Europe/Madrid", "skills": "phone-es", "site": "Madrid"}],
                }
            ]
        }
    ).scenario[0]
    applied, _ = apply_scenario(ws, scenario, week=WEEK)
    for agent in applied.agents:
        if agent.site == "Madrid":
            assert 5 in agent.weekdays_unavailable and dt.date(2026, 12, 8) in agent.dates_unavailable
        else:
            before = next((a for a in ws.agents if a.agent_id == agent.agent_id), None)
            assert before is None or before == agent
    assert sum(a.site == "Madrid" for a in applied.agents) == sum(a.site == "Madrid" for a in ws.agents) + 1
    assert applied.rules.name == "default"


# ----------------------------------------------------------------------------- questions


class FakeRunner:
    """Stands in for `wfm.whatif.Runner`: a count meets the targets from `needed` hires on."""

    def __init__(self, ws: Workspace, needed: int, slots: int = 1, failing: tuple[str, ...] | None = None) -> None:
        self.ws = ws
        self.needed = needed
        self.slots = slots
        self.failing = failing or tuple(q.name for q in ws.queues)
        self.calls: list[list[int]] = []

    def run(self, scenarios: list[Scenario], *, announce: bool = True) -> list[Any]:
        counts = [sum(b.count for b in s.add_agents) for s in scenarios]
        self.calls.append(counts)
        return [self._result(c) for c in counts]

    def _result(self, count: int) -> Any:
        met = count >= self.needed
        short_hours = max(0, self.needed - count) * hire_hours(self.ws) * 0.6  # the estimate undershoots
        intervals = max(1, round(short_hours * 60 / self.ws.plan.interval_minutes))
        coverage = pd.DataFrame(
            {
                "queue": "phone-en",
                "required": [2.0] * intervals,
                "scheduled": [1.0] * intervals,
                "service_level": [0.5 if not met else 0.9] * intervals,
                "target": 0.8,
            }
        )
        queues = {
            q.name: SimpleNamespace(intervals_meeting_target=0.9 if q.name in self.failing and not met else 0.99)
            for q in self.ws.queues
        }
        return SimpleNamespace(plan_summary=SimpleNamespace(queues=queues), roster=SimpleNamespace(coverage=coverage))


@pytest.mark.parametrize(("needed", "slots"), [(0, 1), (1, 1), (7, 1), (7, 2), (23, 2), (40, 1)])
def test_question_finds_the_smallest_count(ws: Workspace, needed: int, slots: int) -> None:
    question = Question(name="q", timezone="Asia/Manila", skills=("phone-en",), max_added=40)
    runner = FakeRunner(ws, needed, slots)
    answer = answer_question(runner, question)  # type: ignore[arg-type]
    assert answer.reached and answer.added == needed
    probed = sorted(p.added for p in answer.probes)
    assert needed in probed and (needed == 0 or needed - 1 in probed)
    assert all(len(call) <= slots for call in runner.calls)
    assert len(answer.probes) <= 10
    assert answer.label == f"q: +{needed}"
    assert sum(b.count for b in answer.scenario.add_agents) == needed


def test_question_not_reached(ws: Workspace) -> None:
    question = Question(name="q", timezone="UTC", skills=("phone-en",), max_added=5)
    answer = answer_question(FakeRunner(ws, 9), question)  # type: ignore[arg-type]
    assert not answer.reached and answer.added == 5
    assert answer.label == "q: +5 (target not reached)"
    assert answer.as_json()["probes"][-1]["added"] == 5


def test_question_stops_when_no_hire_can_help(ws: Workspace) -> None:
    agents = (
        AgentConfig(agent_id="a", timezone="UTC", skills=("phone-en", "email-en")),
        AgentConfig(agent_id="b", timezone="UTC", skills=("chat-es", "phone-es")),
    )
    runner = FakeRunner(ws.model_copy(update={"agents": agents}), 99, failing=("chat-es",))
    question = Question(name="q", timezone="UTC", skills=("phone-en",), max_added=20)
    answer = answer_question(runner, question)  # type: ignore[arg-type]
    assert not answer.reached and runner.calls == [[0]]
    assert answer.reason == (
        "no hire of these can help: chat-es 90.0% of intervals at target (not among the hires' skills, nor shared with them)"
    )
    # An agent with both chat-es and phone-en could be freed by the hires: the search goes on.
    bridge = AgentConfig(agent_id="c", timezone="UTC", skills=("phone-en", "chat-es"))
    runner = FakeRunner(ws.model_copy(update={"agents": (*agents, bridge)}), 99, failing=("chat-es",))
    answer = answer_question(runner, question)  # type: ignore[arg-type]
    assert not answer.reached and answer.added == 20 and len(runner.calls) > 1
    assert answer.reason == "with +20: chat-es 90.0% of intervals at target (not among the hires' skills)"
    assert answer.as_json()["reason"] == answer.reason


def test_question_on_top_of_a_scenario(ws: Workspace) -> None:
    base = Scenario(name="busy", volume=1.3, add_agents=(AddAgents(count=2, timezone="UTC", skills=("chat-en",)),))
    question = Question(name="q", timezone="UTC", skills=("phone-en",), max_added=10, scenario="busy")
    runner = FakeRunner(ws, 6)  # counts the base's two as well
    answer = answer_question(runner, question, base)  # type: ignore[arg-type]
    assert answer.added == 4 and answer.scenario.volume == 1.3 and answer.scenario.name == "q"


def test_solver_workers_share_the_cpus() -> None:
    settings = SolveSettings(workers=2)
    assert solver_workers(settings, processes=2, cpus=2) == 1
    assert solver_workers(settings, processes=1, cpus=2) == 2
    assert solver_workers(settings, processes=4, cpus=2) == 1
    assert solver_workers(SolveSettings(workers=8), processes=2, cpus=16) == 8


# ----------------------------------------------------------------------------- running

TWO = """
[[scenario]]
name = "baseline"

[[scenario]]
name = "busy and short"
volume = 1.15
remove_agents = 0.1
[scenario.queues.chat-en]
deflection = 0.3
[[scenario.add_agents]]
count = 2
timezone = "Asia/Manila"
skills = "phone-en|chat-en"
on_queue_from = "2026-12-02"
"""
TIME_LIMIT = "5"


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def check_whatif_folder(out: Path, ws: Workspace) -> pd.DataFrame:
    comparison = pd.read_csv(out / "comparison.csv")
    assert list(comparison.columns) == list(COMPARISON_COLUMNS)
    queues = [q.name for q in ws.queues]
    assert list(comparison["scenario"]) == ["baseline"] * len(queues) + ["busy and short"] * len(queues)
    assert sorted(comparison["queue"].unique()) == sorted(queues)
    for folder in ("baseline", "busy-and-short"):
        for name in ("roster.csv", "coverage.csv", "summary.json", "report.html", "forecast.csv", "requirements.csv"):
            assert (out / folder / name).is_file(), (folder, name)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "busy and short" in html and "Scenarios side by side" in html
    # Whole-scenario figures repeat on each queue row.
    for _, rows in comparison.groupby("scenario"):
        assert rows["paid_hours"].nunique() == 1 and rows["agents_scheduled"].nunique() == 1
    base = comparison[comparison["scenario"] == "baseline"].set_index("queue")
    busy = comparison[comparison["scenario"] == "busy and short"].set_index("queue")
    assert busy.loc["phone-en", "contacts"] == pytest.approx(1.15 * base.loc["phone-en", "contacts"], rel=1e-6)
    assert busy.loc["chat-en", "contacts"] == pytest.approx(1.15 * 0.7 * base.loc["chat-en", "contacts"], rel=1e-6)
    roster = pd.read_csv(out / "busy-and-short" / "roster.csv")
    new = roster[roster["agent_id"].str.startswith("NEW-busy-and-short-")]
    if len(new):  # in training until 2 Dec (Manila): no shift starts before
        assert (pd.to_datetime(new["start"], utc=True) >= pd.Timestamp("2026-12-01T16:00Z")).all()
    return comparison


@pytest.mark.slow
def test_two_scenarios_serial_through_the_cli(world: Path, ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["whatif", str(world), str(scenarios_file(tmp_path, TWO)), "--out", str(out), "--time-limit", TIME_LIMIT]
    result = run_cli(*args, "--serial", "--no-calendars")
    assert result.exit_code == 0, result.output
    assert "What-if, week of 2026-11-30 (serial, 2 solver worker(s) per job" in result.output
    assert "busy and short" in result.output and f"wrote {out / 'comparison.csv'}" in result.output
    check_whatif_folder(out, ws)
    assert not (out / "baseline" / "calendars").exists()


@pytest.mark.slow
def test_two_scenarios_in_parallel_as_a_subprocess(world: Path, ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["whatif", str(world), str(scenarios_file(tmp_path, TWO)), "--out", str(out), "--time-limit", TIME_LIMIT]
    done = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stderr
    pool_workers = solver_workers(SolveSettings(workers=2), processes=2)  # 1 on 2 CPUs
    assert f"(pool, {pool_workers} solver worker(s) per job" in done.stdout
    assert "baseline: planned" in done.stderr and "busy and short: planned" in done.stderr
    check_whatif_folder(out, ws)
    assert (out / "busy-and-short" / "calendars" / "team.ics").is_file()


@pytest.mark.slow
def test_a_question_through_the_cli(world: Path, tmp_path: Path) -> None:
    text = '[[question]]\nname = "hire in Manila"\ntimezone = "Asia/Manila"\nskills = "phone-en|chat-en"\nmax_added = 3\n'
    text += "target_intervals = 0.05\n"  # met at once: this checks the plumbing, the search is tested above
    out = tmp_path / "out"
    result = run_cli("whatif", str(world), str(scenarios_file(tmp_path, text)), "--out", str(out), "--time-limit", TIME_LIMIT)
    assert result.exit_code == 0, result.output
    assert "hire in Manila: 0 more phone-en|chat-en agents in Asia/Manila meet ≥ 5% of intervals" in result.output
    comparison = pd.read_csv(out / "comparison.csv")
    assert set(comparison["scenario"]) == {"hire in Manila: +0"}
    assert (out / "hire-in-manila" / "summary.json").is_file()
    import json

    answers = json.loads((out / "questions.json").read_text(encoding="utf-8"))
    assert answers["questions"][0]["added"] == 0 and answers["questions"][0]["reached"] is True


def test_cli_input_errors(world: Path, tmp_path: Path) -> None:
    path = scenarios_file(tmp_path, '[[scenario]]\nname = "x"\nvolum = 2\n')
    out = tmp_path / "out"
    result = run_cli("whatif", str(world), str(path), "--out", str(out))
    assert result.exit_code == 2
    assert "error: SCENARIOS.toml [[scenario]] name='x' key volum: unknown key (did you mean 'volume'?)" in result.output
    assert not out.exists()
    good = scenarios_file(tmp_path, '[[scenario]]\nname = "x"\n')
    result = run_cli("whatif", str(world), str(good), "--out", str(out), "--serial", "--ray", "auto")
    assert result.exit_code == 2 and "--serial and --ray: choose one" in result.output
    result = run_cli("whatif", str(world), str(tmp_path / "nope.toml"), "--out", str(out))
    assert result.exit_code == 2 and "nope.toml: no such scenarios file" in result.output
    result = run_cli("whatif", str(world), str(good), "--out", str(out), "--model", "holt_profil")
    assert result.exit_code == 2 and "--model: unknown model 'holt_profil' (did you mean 'holt_profile'?)" in result.output
    result = run_cli("whatif", str(world), str(good), "--out", str(out), "--week", "2026-12-01")
    assert result.exit_code == 2 and "--week: expected a Monday, got 2026-12-01 (Tue)" in result.output
    assert not out.exists()


def test_a_worker_error_comes_back_named(ws: Workspace) -> None:
    bad = [Scenario(name=name, queues={"chat-fr": QueueChange(aht=1.2)}) for name in ("a", "b")]
    with pytest.raises(InputError, match=r"scenario '[ab]': no queue named 'chat-fr' in wfm\.toml"):
        run_scenarios(ws, bad, SolveSettings(time_limit=5), WEEK, parallel=True)


def test_ray_missing_names_the_extra(world: Path, ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails as if not installed
    with pytest.raises(RayUnavailable, match=r"^ray_address 'auto': Ray is not installed \(install wfm\[ray\]"):
        run_scenarios(ws, [Scenario(name="a"), Scenario(name="b")], ray_address="auto")
    out = tmp_path / "out"
    result = run_cli("whatif", str(world), str(scenarios_file(tmp_path, TWO)), "--out", str(out), "--ray", "auto")
    assert result.exit_code == 2
    assert "error: --ray auto: Ray is not installed (install wfm[ray], e.g. pip install 'wfm[ray]')\n" in result.output
    assert not out.exists()


@pytest.mark.slow
def test_two_scenarios_on_a_local_ray(ws: Workspace) -> None:
    ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'wfm[ray]'); nothing is installed by the tests")
    settings = SolveSettings(time_limit=float(TIME_LIMIT), workers=1)
    scenarios = [Scenario(name="baseline"), Scenario(name="busy", volume=1.2)]
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        results = run_scenarios(ws, scenarios, settings, WEEK, seed=0, ray_address="auto")
        assert ray.is_initialized()  # a Ray the caller started stays up
    finally:
        ray.shutdown()
    assert [name for name, _ in results] == ["baseline", "busy"]
    base, busy = (r.forecast.groupby("queue")["contacts"].sum() for _, r in results)
    assert np.allclose(busy, 1.2 * base)
    assert all(len(r.roster.roster) and r.summary["headcount_used"] > 0 for _, r in results)
