"""What-if: SCENARIOS.toml, scenarios applied to a workspace, the weekly job once per scenario.

A scenario is a set of changes to the baseline workspace (FORMATS.md, "Scenarios"):

    [[scenario]]
    name = "attrition and hiring"    # unique; its plan folder is DIR/<slug of the name>/
    volume = 1.20                    # multiplies contacts on every queue
    remove_agents = 0.15             # share of today's agents gone, chosen with --seed
    rules = "strict"                 # another rules profile (a name in constraints/ or a TOML path
                                     # relative to SCENARIOS.toml)
    sites_closed = [{site = "Madrid", weekdays = ["Sat"], dates = ["2026-12-08"]}]
                                     # agents of agents.csv `site` (and added agents with that
                                     # site) do not work those local days
    [scenario.queues.chat-en]        # per-queue changes
    deflection = 0.35                # share of contacts that never reach an agent
    aht = 1.10                       # multiplies handle time (the harder contacts remain)
    closed_days = ["Sun", "2026-12-08"]  # local days (queue's clock) with no contacts at all
    [[scenario.add_agents]]
    count = 10
    timezone = "Asia/Manila"
    skills = "phone-en|chat-en"
    site = "Manila"                  # optional
    on_queue_from = "2026-12-07"     # in training before this date: not on queue (days unavailable)

Added agents are named `NEW-<slug>-01`, `NEW-<slug>-02`, … (numbered across the scenario's
`add_agents` blocks), with no availability window and the profile's default contract (no
minimum, the profile's weekly cap).

A question asks for the smallest hire that meets the targets:

    [[question]]
    name = "hire in Manila"
    timezone = "Asia/Manila"
    skills = "phone-en|chat-en"
    site = "Manila"                  # optional
    max_added = 40                   # search up to this many (default 50)
    target_intervals = 0.98          # every phone and chat queue: share of intervals at target
    scenario = "volume +20%"         # optional: start from this scenario instead of the baseline

The answer is searched with full weekly jobs (`answer_question`): the current staff first, then an
estimate from the hours missing on the failing intervals, more until the target holds, then a
bisection between the largest failing and the smallest passing count (several counts at once
when processes are free). It assumes more agents never make the plan worse; the plan written
for the answer is a real run that meets the target.

Where the jobs run (`Runner`, `run_scenarios`): one process per scenario, at most one per CPU
(a `ProcessPoolExecutor`; each worker gets the workspace *folder* and the scenario, loads the
workspace from `ws.root` and builds its CP-SAT models there, so an in-memory change to `ws`
does not reach it); in this process with `parallel=False`; or Ray tasks on an existing cluster
with `ray_address` (`num_cpus` = CP-SAT workers per task; the workspace is applied here and
shipped, so the cluster need not see the planner's files, but its workers need wfm). A run
is deterministic for a seed and a number of CP-SAT workers per solve: `settings.workers` when
serial or on Ray, and `cpu_count // processes` (at most `settings.workers`) in the pool, so on 2
cores two parallel scenarios solve with one worker each, as `--serial --workers 1` would.

comparison.csv has one row per scenario and queue; `agents_scheduled` (agents with at least one
shift) and `paid_hours` are whole-scenario figures, repeated on each of its queue rows.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import logging
import math
import multiprocessing
import os
import re
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from wfm.errors import InfeasibleError, InputError, WfmError, suggest
from wfm.roster import SolveSettings
from wfm.rules import load_rules, read_toml
from wfm.timegrid import local_days
from wfm.workspace import WEEKDAYS, AgentConfig, Workspace, check_timezone, load_workspace

if TYPE_CHECKING:
    from wfm.pipeline import PlanResult

COMPARISON_COLUMNS = (
    "scenario",
    "queue",
    "contacts",
    "service_level",
    "intervals_meeting_target",
    "required_hours",
    "scheduled_hours",
    "agents_scheduled",
    "paid_hours",
)
ANSWER_CHANNELS = ("phone", "chat")
Progress = Callable[[str], None]


# ----------------------------------------------------------------------------- SCENARIOS.toml


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _parse_days(values: Sequence[Any], key: str) -> tuple[frozenset[int], frozenset[dt.date]]:
    """Weekday names (`Sat`, `Saturday`) and ISO dates → (weekday numbers, dates)."""
    weekdays: set[int] = set()
    dates: set[dt.date] = set()
    for value in values:
        if isinstance(value, dt.date):
            dates.add(value)
            continue
        text = str(value).strip()
        if text.title()[:3] in WEEKDAYS and len(text) in (3, 6, 7, 8, 9):
            weekdays.add(WEEKDAYS.index(text.title()[:3]))
            continue
        try:
            dates.add(dt.date.fromisoformat(text))
        except ValueError:
            raise ValueError(f"{key}: expected weekdays (Mon…Sun) or dates (YYYY-MM-DD), got {value!r}") from None
    return frozenset(weekdays), frozenset(dates)


def _skills(value: Any) -> Any:
    """`"a|b"` (as agents.csv writes it) or a TOML list → a tuple of queue names."""
    if isinstance(value, str):
        parts = tuple(p.strip() for p in value.split("|") if p.strip())
        if not parts:
            raise ValueError(f"expected queue names separated by |, got {value!r}")
        return parts
    return value


def _unique_skills(skills: tuple[str, ...]) -> tuple[str, ...]:
    if len(set(skills)) != len(skills):
        raise ValueError(f"a queue is listed twice, got {'|'.join(skills)!r}")
    return skills


class QueueChange(_Frozen):
    """`[scenario.queues.NAME]`: what changes on one queue."""

    deflection: float = Field(0.0, ge=0, lt=1)
    aht: float = Field(1.0, gt=0, le=10)
    closed_days: tuple[str | dt.date, ...] = ()

    @field_validator("closed_days")
    @classmethod
    def _days(cls, value: tuple[str | dt.date, ...]) -> tuple[str | dt.date, ...]:
        _parse_days(value, "closed_days")
        return value

    def closed(self) -> tuple[frozenset[int], frozenset[dt.date]]:
        return _parse_days(self.closed_days, "closed_days")


class AddAgents(_Frozen):
    """`[[scenario.add_agents]]`: new people with the profile's default contract."""

    count: int = Field(ge=1, le=10_000)
    timezone: str
    skills: tuple[str, ...] = Field(min_length=1)
    site: str | None = None
    on_queue_from: dt.date | None = None

    _skill_list = field_validator("skills", mode="before")(_skills)
    _skill_unique = field_validator("skills")(_unique_skills)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_timezone(value)


class SiteClosure(_Frozen):
    """One entry of `sites_closed`: the site's agents do not work these local days."""

    site: str = Field(min_length=1)
    weekdays: tuple[str, ...] = ()
    dates: tuple[dt.date, ...] = ()

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        _, dates = _parse_days(value, "weekdays")
        if dates:
            raise ValueError(f"weekdays: expected names Mon…Sun (put dates under `dates`), got {sorted(map(str, dates))}")
        return value

    @model_validator(mode="after")
    def _some_day(self) -> SiteClosure:
        if not self.weekdays and not self.dates:
            raise ValueError(f'site {self.site!r}: give weekdays (e.g. ["Sat"]) and/or dates to close')
        return self

    def weekday_numbers(self) -> frozenset[int]:
        return _parse_days(self.weekdays, "weekdays")[0]


class Scenario(_Frozen):
    """One `[[scenario]]`: changes to the baseline workspace (an empty one is the baseline)."""

    name: str = Field(min_length=1)
    volume: float = Field(1.0, gt=0, le=100)
    queues: dict[str, QueueChange] = Field(default_factory=dict)
    remove_agents: float = Field(0.0, ge=0, lt=1)
    add_agents: tuple[AddAgents, ...] = ()
    rules: str | None = Field(None, min_length=1)
    sites_closed: tuple[SiteClosure, ...] = ()

    def __hash__(self) -> int:  # `queues` is a dict; hash by value
        return hash(self.model_dump_json())

    @property
    def slug(self) -> str:
        return slugify(self.name)


class Question(_Frozen):
    """One `[[question]]`: the fewest added agents (this zone, these skills) meeting the targets."""

    name: str = Field(min_length=1)
    timezone: str
    skills: tuple[str, ...] = Field(min_length=1)
    site: str | None = None
    max_added: int = Field(50, ge=1, le=10_000)
    target_intervals: float = Field(0.98, gt=0, le=1)
    scenario: str | None = None

    _skill_list = field_validator("skills", mode="before")(_skills)
    _skill_unique = field_validator("skills")(_unique_skills)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_timezone(value)

    @property
    def slug(self) -> str:
        return slugify(self.name)

    def hire(self, count: int) -> AddAgents:
        return AddAgents(count=count, timezone=self.timezone, skills=self.skills, site=self.site)


class ScenarioFile(_Frozen):
    """The whole of SCENARIOS.toml."""

    scenario: tuple[Scenario, ...] = ()
    question: tuple[Question, ...] = ()

    @model_validator(mode="after")
    def _names(self) -> ScenarioFile:
        if not self.scenario and not self.question:
            raise ValueError('no [[scenario]] or [[question]] (start with [[scenario]] name = "baseline")')
        seen: dict[str, str] = {}
        items: list[Scenario | Question] = [*self.scenario, *self.question]
        for item in items:
            if item.name in seen:
                raise ValueError(f"name {item.name!r} appears twice; scenario and question names must be unique")
            if item.slug in seen.values():
                other = next(n for n, s in seen.items() if s == item.slug)
                raise ValueError(f"names {other!r} and {item.name!r} give the same plan folder {item.slug!r}; rename one of them")
            seen[item.name] = item.slug
        known = [s.name for s in self.scenario]
        for question in self.question:
            if question.scenario is not None and question.scenario not in known:
                raise ValueError(
                    f"[[question]] name={question.name!r} key scenario: no [[scenario]] named {question.scenario!r}"
                    f"{suggest(question.scenario, known)}"
                )
        return self


def slugify(name: str) -> str:
    """A folder name for a scenario: ASCII, lower case, words joined by `-` ("Sábado +20%" → "sabado-20")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "scenario"


def load_scenarios(path: Path | str, ws: Workspace | None = None) -> ScenarioFile:
    """Read and validate SCENARIOS.toml; with `ws`, also check queue, skill and site names.

    A `rules` path is made absolute (relative to the file's folder), so workers find it.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such scenarios file")
    data = read_toml(path)
    parsed = parse_scenarios(data, source=path.name)
    scenarios = []
    for scenario in parsed.scenario:
        if scenario.rules is not None and _is_path(scenario.rules):
            rules_path = Path(scenario.rules)
            if not rules_path.is_absolute():
                rules_path = (path.parent / rules_path).resolve()
            scenario = scenario.model_copy(update={"rules": str(rules_path)})
        scenarios.append(scenario)
    parsed = parsed.model_copy(update={"scenario": tuple(scenarios)})
    if ws is not None:
        check_scenarios(parsed, ws, source=path.name)
    return parsed


def parse_scenarios(data: Mapping[str, Any], source: str = "SCENARIOS.toml") -> ScenarioFile:
    if isinstance(data.get("scenario"), dict) or isinstance(data.get("question"), dict):
        table = "scenario" if isinstance(data.get("scenario"), dict) else "question"
        raise InputError(f"{source}: write [[{table}]] (an array of tables, one per {table}), not [{table}]")
    try:
        return ScenarioFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(_describe(exc, data, source)) from None


def _describe(exc: ValidationError, data: Mapping[str, Any], source: str) -> str:
    """One line: the file, the scenario by name, the key, what is wrong, a nearest-name hint."""
    error = exc.errors()[0]
    loc = list(error["loc"])
    where = source
    model: Any = ScenarioFile
    if len(loc) >= 2 and loc[0] in ("scenario", "question") and isinstance(loc[1], int):
        table, index = str(loc[0]), loc[1]
        items = data.get(table, [])
        name = items[index].get("name") if isinstance(items, list) and isinstance(items[index], dict) else None
        where += f" [[{table}]] name={name!r}" if name else f" [[{table}]] number {index + 1}"
        model = Scenario if table == "scenario" else Question
        loc = loc[2:]
    key = "".join(f"[{p + 1}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    if key:
        where += f" key {key}"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown key{suggest(str(loc[-1]), _known_keys(model, loc[:-1]))}"
    if error["type"] == "missing":
        return f"{where}: required key is missing"
    value = error.get("input")
    if isinstance(value, dict | list) or error["type"] == "value_error":
        return f"{where}: {message}"
    return f"{where}: {message}, got {value!r}"


def _known_keys(model: Any, loc: Sequence[Any]) -> list[str]:
    """The keys a nested table accepts: walks models, tuples of models and dicts of models."""
    current = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", {})
        if part in fields:
            current = _inner_model(fields[part].annotation)
        # otherwise a dict key (a queue name): stay on the dict's value model
    return list(getattr(current, "model_fields", {}))


def _inner_model(annotation: Any) -> Any:
    for arg in getattr(annotation, "__args__", ()) or ():
        inner = _inner_model(arg)
        if hasattr(inner, "model_fields"):
            return inner
    return annotation


def _is_path(rules: str) -> bool:
    return rules.endswith(".toml") or "/" in rules or "\\" in rules


def check_scenarios(file: ScenarioFile, ws: Workspace, source: str = "SCENARIOS.toml") -> None:
    """Names that must exist in the workspace: queues, skills, sites; rules profiles load."""
    queue_names = [q.name for q in ws.queues]
    sites = sorted({a.site for a in ws.agents if a.site})

    def check_skills(where: str, skills: Sequence[str]) -> None:
        for skill in skills:
            if skill not in queue_names:
                raise InputError(f"{where} key skills: no queue named {skill!r} in wfm.toml{suggest(skill, queue_names)}")

    for scenario in file.scenario:
        where = f"{source} [[scenario]] name={scenario.name!r}"
        for queue in scenario.queues:
            if queue not in queue_names:
                raise InputError(f"{where} key queues.{queue}: no queue named {queue!r} in wfm.toml{suggest(queue, queue_names)}")
        for number, block in enumerate(scenario.add_agents, start=1):
            check_skills(f"{where} add_agents[{number}]", block.skills)
        added_sites = {b.site for b in scenario.add_agents if b.site}
        for closure in scenario.sites_closed:
            known = sorted(set(sites) | added_sites)
            if closure.site not in known:
                hint = suggest(closure.site, known) if known else " (agents.csv has no site column)"
                raise InputError(f"{where} key sites_closed: no agent works at site {closure.site!r}{hint}")
        if scenario.rules is not None:
            try:
                load_rules(scenario.rules, base_dir=ws.root)
            except InputError as exc:
                raise InputError(f"{where} key rules: {str(exc).removeprefix('wfm.toml [plan] rules: ')}") from None
    for question in file.question:
        check_skills(f"{source} [[question]] name={question.name!r}", question.skills)


# ----------------------------------------------------------------------------- applying


@dataclass(frozen=True)
class ForecastAdjustment:
    """The forecast side of a scenario: volume, deflection, AHT and closed days per queue.

    A picklable callable: `run_plan(..., adjust_forecast=ForecastAdjustment(...))`.
    """

    volume: float = 1.0
    queues: Mapping[str, QueueChange] = field(default_factory=dict)
    timezones: Mapping[str, str] = field(default_factory=dict)  # queue → customers' clock, for closed_days

    def __call__(self, forecast: pd.DataFrame) -> pd.DataFrame:
        out = forecast.copy()
        contacts = out["contacts"].to_numpy(dtype=float) * self.volume
        aht = out["aht_seconds"].to_numpy(dtype=float).copy()
        for name, change in self.queues.items():
            rows = (out["queue"] == name).to_numpy()
            if not rows.any():
                continue
            contacts[rows] *= 1.0 - change.deflection
            aht[rows] *= change.aht
            weekdays, dates = change.closed()
            if weekdays or dates:
                local = pd.to_datetime(out.loc[rows, "interval_start"], utc=True).dt.tz_convert(self.timezones.get(name, "UTC"))
                closed = local.dt.day_of_week.isin(sorted(weekdays)).to_numpy() | local.dt.date.isin(dates).to_numpy()
                index = np.flatnonzero(rows)[closed]
                contacts[index] = 0.0
        out["contacts"] = contacts
        out["aht_seconds"] = aht
        return out


def apply_scenario(
    ws: Workspace, scenario: Scenario, seed: int = 0, *, week: dt.date | None = None
) -> tuple[Workspace, ForecastAdjustment]:
    """The workspace as the scenario has it, and the change to apply to its forecast.

    In order: the rules profile; `remove_agents` (a seeded draw among agents.csv, the same for
    every scenario with the same share and seed); `add_agents` (unavailable on their local days of
    the plan week before `on_queue_from`); `sites_closed`, for old and new agents alike.
    """
    monday = ws.plan_week(week)
    where = f"scenario {scenario.name!r}"
    queue_names = [q.name for q in ws.queues]
    for queue in scenario.queues:
        if queue not in queue_names:
            raise InputError(f"{where}: no queue named {queue!r} in wfm.toml{suggest(queue, queue_names)}")

    rules = ws.rules
    if scenario.rules is not None:
        try:
            rules = load_rules(scenario.rules, base_dir=ws.root)
        except InputError as exc:
            raise InputError(f"{where} rules: {str(exc).removeprefix('wfm.toml [plan] rules: ')}") from None

    agents = list(ws.agents)
    if scenario.remove_agents > 0:
        gone = round(scenario.remove_agents * len(agents))
        if gone >= len(agents):
            raise InputError(f"{where} remove_agents: {scenario.remove_agents:g} leaves nobody of {len(agents)} agents")
        drop = set(np.random.default_rng(seed).permutation(len(agents))[:gone].tolist())
        agents = [agent for index, agent in enumerate(agents) if index not in drop]

    taken = {agent.agent_id for agent in ws.agents}
    number = 0
    total = sum(block.count for block in scenario.add_agents)
    width = max(2, len(str(total)))
    for block in scenario.add_agents:
        for skill in block.skills:
            if skill not in queue_names:
                raise InputError(f"{where} add_agents skills: no queue named {skill!r} in wfm.toml{suggest(skill, queue_names)}")
        training = frozenset(d for d in local_days(block.timezone, monday) if block.on_queue_from and d < block.on_queue_from)
        for _ in range(block.count):
            number += 1
            agent_id = f"NEW-{scenario.slug}-{number:0{width}d}"
            while agent_id in taken:
                agent_id += "x"
            taken.add(agent_id)
            agents.append(
                AgentConfig(
                    agent_id=agent_id,
                    timezone=block.timezone,
                    skills=block.skills,
                    name=f"New hire {number} ({scenario.name})",
                    site=block.site,
                    dates_unavailable=training,
                )
            )

    for closure in scenario.sites_closed:
        weekdays, dates = closure.weekday_numbers(), frozenset(closure.dates)
        matched = False
        for index, agent in enumerate(agents):
            if agent.site == closure.site:
                matched = True
                agents[index] = agent.model_copy(
                    update={
                        "weekdays_unavailable": agent.weekdays_unavailable | weekdays,
                        "dates_unavailable": agent.dates_unavailable | dates,
                    }
                )
        if not matched:
            known = sorted({a.site for a in agents if a.site})
            raise InputError(f"{where} sites_closed: no agent works at site {closure.site!r}{suggest(closure.site, known)}")

    applied = ws.model_copy(update={"agents": tuple(agents), "rules": rules})
    adjustment = ForecastAdjustment(
        volume=scenario.volume,
        queues=dict(scenario.queues),
        timezones={q.name: q.timezone for q in ws.queues},
    )
    return applied, adjustment


# ----------------------------------------------------------------------------- running


@dataclass(frozen=True)
class JobOptions:
    """What every weekly job of a what-if run shares."""

    week: dt.date
    seed: int = 0
    settings: SolveSettings = field(default_factory=SolveSettings)
    forecast_model: str | None = None
    fill_gaps: str | None = None
    compare_greedy: bool = True


def _plan(ws: Workspace, adjust: ForecastAdjustment, options: JobOptions) -> PlanResult:
    from wfm.pipeline import run_plan

    return run_plan(
        ws,
        options.week,
        settings=options.settings,
        forecast_model=options.forecast_model,
        fill_gaps=options.fill_gaps,
        adjust_forecast=adjust,
        seed=options.seed,
        compare_greedy=options.compare_greedy,
    )


def _run_scenario(ws: Workspace, scenario: Scenario, options: JobOptions) -> PlanResult:
    applied, adjust = apply_scenario(ws, scenario, options.seed, week=options.week)
    try:
        return _plan(applied, adjust, options)
    except WfmError as exc:
        raise _named(exc, scenario.name) from None


def _run_in_process(root: str, scenario: Scenario, options: JobOptions) -> PlanResult:
    """Process-pool worker: load the workspace here, apply, build and solve here."""
    return _run_scenario(load_workspace(root), scenario, options)


def _run_applied(ws: Workspace, adjust: ForecastAdjustment, options: JobOptions, name: str) -> PlanResult:
    """Ray worker: the workspace comes applied (a cluster need not see the planner's files)."""
    try:
        return _plan(ws, adjust, options)
    except WfmError as exc:
        raise _named(exc, name) from None


def _named(exc: WfmError, name: str) -> WfmError:
    message = f"scenario {name!r}: {exc}"
    if str(exc).startswith(f"scenario {name!r}"):
        return exc
    if isinstance(exc, InfeasibleError):
        return InfeasibleError(message, exc.reasons)
    named = type(exc)(message)
    return named


def solver_workers(settings: SolveSettings, processes: int, cpus: int | None = None) -> int:
    """CP-SAT workers per solve when `processes` solves share the machine (at least 1)."""
    cpus = cpus or os.cpu_count() or 1
    return max(1, min(settings.workers, cpus // max(1, processes)))


class Runner:
    """Runs weekly jobs serially, in a process pool or as Ray tasks; results in submission order."""

    def __init__(
        self,
        ws: Workspace,
        options: JobOptions,
        *,
        parallel: bool = True,
        ray_address: str | None = None,
        processes: int | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.ws = ws
        self.progress = progress
        self.ray_address = ray_address
        self.mode = "ray" if ray_address else "pool" if parallel else "serial"
        cpus = os.cpu_count() or 1
        if self.mode == "pool":
            self.slots = max(1, min(processes or cpus, cpus))
            workers = solver_workers(options.settings, self.slots, cpus)
        elif self.mode == "ray":
            workers = options.settings.workers
            self.slots = max(1, processes or 1)
        else:
            self.slots = 1
            workers = options.settings.workers
        self.options = dataclasses.replace(options, settings=dataclasses.replace(options.settings, workers=workers))
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._ray: Any = None
        self._ray_started = False

    @property
    def workers_per_solve(self) -> int:
        return self.options.settings.workers

    def __enter__(self) -> Runner:
        if self.mode == "pool" and self.slots > 1:
            self._pool = concurrent.futures.ProcessPoolExecutor(max_workers=self.slots, mp_context=_context())
        elif self.mode == "ray":
            self._ray, self._ray_started = _start_ray(self.ray_address or "auto")
            cpus = float(self._ray.cluster_resources().get("CPU", 1))
            self.slots = max(1, int(cpus // self.workers_per_solve))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._ray is not None:
            if self._ray_started:  # leave a Ray the caller connected to connected
                self._ray.shutdown()
            self._ray = None

    def run(self, scenarios: Sequence[Scenario], *, announce: bool = True) -> list[PlanResult]:
        """Each scenario's weekly job; a failure in any raises (named) once the others stop.
        With `announce`, `progress` hears of each finished scenario."""
        started = time.perf_counter()
        total = len(scenarios)

        def done(index: int) -> None:
            if self.progress and announce:
                self.progress(f"{scenarios[index].name}: planned ({time.perf_counter() - started:.0f} s)")

        if self.mode == "ray":
            return self._run_ray(scenarios, done)
        if self._pool is None or total == 1:
            results = []
            for index, scenario in enumerate(scenarios):
                results.append(_run_scenario(self.ws, scenario, self.options))
                done(index)
            return results
        root = str(Path(self.ws.root).resolve())
        futures = {self._pool.submit(_run_in_process, root, s, self.options): i for i, s in enumerate(scenarios)}
        out: dict[int, PlanResult] = {}
        try:
            for future in concurrent.futures.as_completed(futures):
                out[futures[future]] = future.result()
                done(futures[future])
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        return [out[i] for i in range(total)]

    def _run_ray(self, scenarios: Sequence[Scenario], done: Callable[[int], None]) -> list[PlanResult]:
        ray = self._ray
        task = ray.remote(_run_applied).options(num_cpus=self.workers_per_solve, max_retries=0)
        refs = []
        for scenario in scenarios:
            applied, adjust = apply_scenario(self.ws, scenario, self.options.seed, week=self.options.week)
            refs.append(task.remote(applied, adjust, self.options, scenario.name))
        index_of = {ref: i for i, ref in enumerate(refs)}
        pending = list(refs)
        out: dict[int, PlanResult] = {}
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            try:
                out[index_of[ready[0]]] = ray.get(ready[0])
            except Exception as exc:
                for ref in pending:
                    ray.cancel(ref, force=True)
                cause = getattr(exc, "cause", None)
                if isinstance(cause, WfmError):
                    raise cause from None
                raise
            done(index_of[ready[0]])
        return [out[i] for i in range(len(scenarios))]


def _context() -> multiprocessing.context.BaseContext:
    """forkserver where there is one (no fork of a threaded parent; wfm imported once), else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["wfm.whatif", "wfm.pipeline"])
        return context
    return multiprocessing.get_context("spawn")


def _start_ray(address: str) -> tuple[Any, bool]:
    """The `ray` module, connected to `address` unless already connected; and whether we connected."""
    try:
        import ray
    except ImportError:
        raise InputError(f"--ray {address}: Ray is not installed (install wfm[ray], e.g. pip install 'wfm[ray]')") from None
    if ray.is_initialized():
        return ray, False
    # A new local instance ("local") starts without a dashboard; a cluster keeps its own settings.
    extra: dict[str, Any] = {"include_dashboard": False} if address == "local" else {}
    try:
        ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING, **extra)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"--ray {address}: cannot connect to a Ray cluster there ({first})") from None
    return ray, True


def run_scenarios(
    ws: Workspace,
    scenarios: Sequence[Scenario],
    settings: SolveSettings | None = None,
    week: dt.date | None = None,
    seed: int = 0,
    parallel: bool = True,
    ray_address: str | None = None,
    *,
    forecast_model: str | None = None,
    fill_gaps: str | None = None,
    compare_greedy: bool = True,
    progress: Progress | None = None,
) -> list[tuple[str, PlanResult]]:
    """The weekly job once per scenario, in order: one process each (at most one per CPU) by
    default, in this process with `parallel=False`, as Ray tasks with `ray_address`."""
    if not scenarios:
        return []
    options = JobOptions(ws.plan_week(week), seed, settings or SolveSettings(), forecast_model, fill_gaps, compare_greedy)
    processes = min(len(scenarios), os.cpu_count() or 1)
    with Runner(ws, options, parallel=parallel, ray_address=ray_address, processes=processes, progress=progress) as runner:
        results = runner.run(scenarios)
    return [(s.name, r) for s, r in zip(scenarios, results, strict=True)]


# ----------------------------------------------------------------------------- questions


@dataclass
class Probe:
    """One weekly job of a question's search: `added` agents and whether the targets held."""

    added: int
    met: bool
    shares: dict[str, float | None]  # phone/chat queue → share of intervals at target
    missing_hours: float  # agent-hours short on the intervals below target


@dataclass
class Answer:
    question: Question
    added: int  # the answer (max_added when not reached)
    reached: bool
    result: PlanResult
    scenario: Scenario  # the question as a scenario: its base plus the hire
    probes: list[Probe]
    reason: str = ""  # why the target was not reached: the queues still below it

    @property
    def label(self) -> str:
        """Its scenario name in comparison.csv and the report."""
        if self.reached:
            return f"{self.question.name}: +{self.added}"
        return f"{self.question.name}: +{self.added} (target not reached)"

    def as_json(self) -> dict[str, Any]:
        q = self.question
        return {
            "question": q.name,
            "label": self.label,
            "added": self.added,
            "reached": self.reached,
            "timezone": q.timezone,
            "skills": "|".join(q.skills),
            "site": q.site,
            "scenario": q.scenario,
            "target_intervals": q.target_intervals,
            "max_added": q.max_added,
            "reason": self.reason or None,
            "plan_folder": q.slug,
            "probes": [dataclasses.asdict(p) for p in sorted(self.probes, key=lambda p: p.added)],
        }


def question_scenario(question: Question, count: int, base: Scenario | None = None) -> Scenario:
    """The question with `count` hires as a scenario (on top of `base`, if any)."""
    extra = (question.hire(count),) if count else ()
    if base is None:
        return Scenario(name=question.name, add_agents=extra)
    return base.model_copy(update={"name": question.name, "add_agents": (*base.add_agents, *extra)})


def _shortfall(question: Question, probe: Probe, bridged: set[str]) -> tuple[str, bool]:
    """The queues below target at `probe`, worded for the planner, and whether hires cannot
    reach any of them: not among their skills, and no agent has both that queue and one of them."""
    below = {q: s for q, s in probe.shares.items() if s is not None and s < question.target_intervals - 1e-9}
    parts = []
    for queue, share in sorted(below.items(), key=lambda item: item[1]):
        how = (
            ""
            if queue in question.skills
            else " (not among the hires' skills" + ("" if queue in bridged else ", nor shared with them") + ")"
        )
        parts.append(f"{queue} {share:.1%} of intervals at target{how}")
    hopeless = bool(below) and any(q not in question.skills and q not in bridged for q in below)
    return "; ".join(parts), hopeless


def targets_met(result: PlanResult, ws: Workspace, target_intervals: float) -> tuple[bool, dict[str, float | None]]:
    """Every phone and chat queue with contacts has at least `target_intervals` of intervals at target."""
    shares: dict[str, float | None] = {}
    for queue in ws.queues:
        if queue.channel not in ANSWER_CHANNELS:
            continue
        figures = result.summary.get("queues", {}).get(queue.name, {})
        share = figures.get("intervals_meeting_target")
        shares[queue.name] = None if share is None else float(share)
    met = all(share is None or share >= target_intervals - 1e-9 for share in shares.values())
    return met, shares


def missing_hours(result: PlanResult, ws: Workspace, interval_minutes: int) -> float:
    """Agent-hours short on phone/chat intervals below their target (required − scheduled)."""
    cov = result.roster.coverage
    channels = {q.name for q in ws.queues if q.channel in ANSWER_CHANNELS}
    rows = cov[cov["queue"].isin(channels)]
    if "target" in rows.columns:
        rows = rows[rows["service_level"].fillna(1.0) < rows["target"]]
    short = (rows["required"] - rows["scheduled"]).clip(lower=0).sum()
    return float(short) * interval_minutes / 60


def hire_hours(ws: Workspace) -> float:
    """On-queue hours one added agent can give in a week: the weekly cap less paid breaks."""
    rules = ws.rules
    length = max(rules.shifts.lengths_hours)
    paid = rules.paid_hours(length)
    on_queue = paid - rules.breaks_for(length) * rules.breaks.break_minutes / 60
    return rules.hours.max_per_week * on_queue / paid


def answer_question(
    runner: Runner,
    question: Question,
    base: Scenario | None = None,
    *,
    progress: Progress | None = None,
) -> Answer:
    """The fewest hires meeting every phone/chat queue's `target_intervals`, by weekly jobs.

    Probe 0 (no hire); then estimates from the hours short (`missing_hours` / `hire_hours`,
    at least one and half again as many as the last failing count), with larger guesses beside
    it while processes are free, until a count passes or `max_added` fails; then bisect between
    the largest failing and the smallest passing count, `runner.slots` counts at a time.
    """
    ws = runner.ws
    interval = ws.plan.interval_minutes
    probes: dict[int, Probe] = {}
    results: dict[int, PlanResult] = {}

    def probe(counts: Sequence[int]) -> None:
        todo = sorted(set(counts) - set(probes))
        if not todo:
            return
        planned = runner.run([question_scenario(question, c, base) for c in todo], announce=False)
        for count, result in zip(todo, planned, strict=True):
            met, shares = targets_met(result, ws, question.target_intervals)
            probes[count] = Probe(count, met, shares, round(missing_hours(result, ws, interval), 1))
            results[count] = result
            if progress:
                known = {q: s for q, s in shares.items() if s is not None}
                worst = min(known, key=lambda q: known[q], default=None)
                lowest = "–" if worst is None else f"{worst} {known[worst]:.1%}"
                verdict = "meets" if met else "misses"
                progress(f"{question.name}: +{count} agents {verdict} the target (lowest share of intervals at target: {lowest})")

    per_hire = max(1.0, hire_hours(ws))
    most = question.max_added
    # Queues an agent shares with the hires: hires can free such agents for their other queues.
    people = [a.skills for a in ws.agents] + [b.skills for b in (base.add_agents if base else ())]
    bridged = {q for skills in people if set(skills) & set(question.skills) for q in skills}
    low, high = -1, None  # largest failing, smallest passing count
    counts = [0]
    while True:
        probe(counts)
        passed = [c for c in counts if probes[c].met]
        if passed:
            high = min(passed)
            low = max([low, *(c for c in counts if c < high and not probes[c].met)])
            break
        low = max(counts)
        reason, hopeless = _shortfall(question, probes[low], bridged)
        if hopeless:
            scenario = question_scenario(question, low, base)
            return Answer(
                question, low, False, results[low], scenario, list(probes.values()), f"no hire of these can help: {reason}"
            )
        if low >= most:
            break
        # The estimate undershoots (hires cannot all work where the gaps are): grow by half at least,
        # and use free processes to try larger counts at the same time.
        count = min(most, max(low + max(1, math.ceil(probes[low].missing_hours / per_hire)), math.ceil(low * 1.5)))
        counts = [count]
        while len(counts) < runner.slots and counts[-1] < most:
            counts.append(min(most, max(counts[-1] + 1, math.ceil(counts[-1] * 1.5))))

    if high is None:
        added = question.max_added
        reason = _shortfall(question, probes[added], bridged)[0]
        scenario = question_scenario(question, added, base)
        return Answer(question, added, False, results[added], scenario, list(probes.values()), f"with +{added}: {reason}")
    while high - low > 1:
        gap = high - low
        points = min(runner.slots, gap - 1)
        counts = sorted({low + round(gap * (i + 1) / (points + 1)) for i in range(points)} - {low, high})
        probe(counts)
        for c in counts:
            if probes[c].met:
                high = min(high, c)
            else:
                low = max(low, c)
        # More agents never hurt (by assumption): a fail above a pass is solver noise; trust the pass.
        low = min(low, high - 1)
    return Answer(question, high, True, results[high], question_scenario(question, high, base), list(probes.values()))


# ----------------------------------------------------------------------------- comparison


def comparison_rows(name: str, result: PlanResult, interval_minutes: int) -> pd.DataFrame:
    """comparison.csv rows of one scenario: one per queue, whole-scenario figures repeated."""
    cov = result.roster.coverage
    hours = interval_minutes / 60
    queues = result.summary.get("queues", {})
    rows = []
    for queue, part in cov.groupby("queue", sort=False):
        figures = queues.get(queue, {})
        # Sums from coverage, unrounded (summary.json rounds them to a tenth).
        rows.append(
            {
                "scenario": name,
                "queue": queue,
                "contacts": float(part["contacts"].sum()) if "contacts" in part else figures.get("contacts"),
                "service_level": figures.get("service_level"),
                "intervals_meeting_target": figures.get("intervals_meeting_target"),
                "required_hours": float(part["required"].sum()) * hours,
                "scheduled_hours": float(part["scheduled"].sum()) * hours,
                "agents_scheduled": int(result.summary.get("headcount_used", 0)),
                "paid_hours": float(result.summary.get("paid_hours", 0.0)),
            }
        )
    return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))


def comparison_frame(results: Sequence[tuple[str, PlanResult]], interval_minutes: int) -> pd.DataFrame:
    frames = [comparison_rows(name, result, interval_minutes) for name, result in results]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(COMPARISON_COLUMNS))


@dataclass
class WhatifResult:
    """Everything `wfm whatif` writes: scenario runs in file order, then the answers."""

    week: dt.date
    scenarios: list[tuple[Scenario, PlanResult]]
    answers: list[Answer]
    workers_per_solve: int
    mode: str
    seconds: float

    @property
    def runs(self) -> list[tuple[str, str, Scenario, PlanResult]]:
        """(label, plan folder, scenario, result) for every column of the comparison."""
        out = [(s.name, s.slug, s, r) for s, r in self.scenarios]
        out += [(a.label, a.question.slug, a.scenario, a.result) for a in self.answers]
        return out

    def comparison(self, interval_minutes: int) -> pd.DataFrame:
        return comparison_frame([(label, result) for label, _, _, result in self.runs], interval_minutes)


def run_whatif(
    ws: Workspace,
    file: ScenarioFile,
    settings: SolveSettings | None = None,
    week: dt.date | None = None,
    seed: int = 0,
    parallel: bool = True,
    ray_address: str | None = None,
    *,
    forecast_model: str | None = None,
    fill_gaps: str | None = None,
    progress: Progress | None = None,
) -> WhatifResult:
    """Every scenario (side by side) and every question (searched) of a SCENARIOS.toml."""
    started = time.perf_counter()
    check_scenarios(file, ws)
    options = JobOptions(ws.plan_week(week), seed, settings or SolveSettings(), forecast_model, fill_gaps)
    cpus = os.cpu_count() or 1
    processes = min(max(len(file.scenario), 2 if file.question else 1), cpus)
    by_name = {s.name: s for s in file.scenario}
    with Runner(ws, options, parallel=parallel, ray_address=ray_address, processes=processes, progress=progress) as runner:
        results = runner.run(file.scenario)
        # Probes only need the service figures: skip the greedy yardstick there.
        runner.options = dataclasses.replace(runner.options, compare_greedy=False)
        answers = [
            answer_question(runner, q, by_name.get(q.scenario) if q.scenario else None, progress=progress) for q in file.question
        ]
        workers, mode = runner.workers_per_solve, runner.mode
    return WhatifResult(
        week=options.week,
        scenarios=list(zip(file.scenario, results, strict=True)),
        answers=answers,
        workers_per_solve=workers,
        mode=mode,
        seconds=round(time.perf_counter() - started, 1),
    )


def write_whatif(result: WhatifResult, ws: Workspace, out_dir: Path, *, seed: int = 0, calendars: bool = True) -> pd.DataFrame:
    """DIR/comparison.csv, DIR/report.html, DIR/questions.json (with questions) and one plan
    folder per scenario and question, all staged: nothing is half-written. Returns the comparison."""
    from wfm.exports import build_comparison_report
    from wfm.outputs import staged_output, write_json
    from wfm.pipeline import write_plan

    comparison = result.comparison(ws.plan.interval_minutes)
    report = build_comparison_report([(label, run.summary) for label, _, _, run in result.runs], comparison)
    with staged_output(out_dir) as stage:
        for _, slug, scenario, run in result.runs:
            applied, _ = apply_scenario(ws, scenario, seed, week=result.week)
            write_plan(run, applied, stage / slug, calendars=calendars, report=True)
        comparison.to_csv(stage / "comparison.csv", index=False, float_format="%.6g")
        (stage / "report.html").write_text(report, encoding="utf-8")
        if result.answers:
            write_json({"week": str(result.week), "questions": [a.as_json() for a in result.answers]}, stage / "questions.json")
    return comparison
