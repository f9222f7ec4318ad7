"""SCENARIOS.toml: what a scenario and a question are, read and checked against a workspace.

A scenario is a set of changes to the baseline workspace (FORMATS.md, "Scenarios"):

    [[scenario]]
    name = "attrition and hiring"    # unique; its plan folder is DIR/<slug of the name>/
    volume = 1.20                    # multiplies contacts on every queue
    remove_agents = 0.15             # share of today's agents gone, chosen with the seed
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

A question asks for the smallest hire that meets the targets (searched in `wfm.whatif.questions`):

    [[question]]
    name = "hire in Manila"
    timezone = "Asia/Manila"
    skills = "phone-en|chat-en"
    site = "Manila"                  # optional
    max_added = 40                   # search up to this many (default 50)
    target_intervals = 0.98          # every phone and chat queue: share of intervals at target
    scenario = "volume +20%"         # optional: start from this scenario instead of the baseline

Every error names the file, the scenario or question by name and the key, with a nearest-name hint.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from wfm.errors import InputError, suggest
from wfm.rules import load_rules, read_toml
from wfm.workspace import WEEKDAYS, Workspace, check_timezone


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
        return f"{where}: unknown key{suggest(str(loc[-1]), known_keys(model, loc[:-1]))}"
    if error["type"] == "missing":
        return f"{where}: required key is missing"
    value = error.get("input")
    if isinstance(value, dict | list) or error["type"] == "value_error":
        return f"{where}: {message}"
    return f"{where}: {message}, got {value!r}"


def known_keys(model: Any, loc: Sequence[Any]) -> list[str]:
    """The keys a nested table of `model` at `loc` accepts: walks models, tuples of models and
    dicts of models (capacity.toml's describer uses it too)."""
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
