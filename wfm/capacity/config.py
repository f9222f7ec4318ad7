"""CAPACITY.toml: the months-ahead plan's settings, validated on load (FORMATS.md "Months ahead").

    [horizon]      start (a Monday; default the Monday after the history), weeks (13–52)
    [volume]       growth_per_month (compounding), factor; [volume.queues.NAME] growth_per_month
                   (replaces the global one for that queue), factor (on top of the global one),
                   deflection (share of contacts that never reach an agent)
    [[peak]]       from, to (Mondays or dates), factor; optional queues = [...] (default every queue)
    [attrition]    monthly; [attrition.sites.SITE] monthly
    [hiring]       training_weeks, ramp_weeks, ramp_aht_factor, lead_weeks, class_size_max, sites,
                   plus: class_every_weeks (classes start on this cadence from the first week
                   after the lead time: 4 = monthly intakes, 1 = any week), skills (site → the
                   skill set its hires get), hours_per_week (a hire's paid hours; default the
                   rules profile's max_per_week), short_hour_cost (paid hours a short on-queue
                   hour costs in the objective), class_cost_hours (paid hours a class costs to
                   open: a trainer's time), time_limit_seconds

Parsing (`parse_capacity`) checks the file alone; `check_capacity` checks its names and dates
against the workspace (queues, sites, peaks inside the horizon). Either raises `InputError`
with one line naming CAPACITY.toml and the key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from wfm.errors import InputError, suggest
from wfm.rules import read_toml
from wfm.whatif.scenarios import known_keys
from wfm.workspace import WEEKDAYS, Workspace

SOURCE = "CAPACITY.toml"
DAYS_PER_MONTH = 365.25 / 12
MIN_WEEKS = 13
MAX_WEEKS = 52


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _monday(value: dt.date | None) -> dt.date | None:
    if value is not None and value.weekday() != 0:
        raise ValueError(f"expected a Monday (weeks start Monday 00:00 UTC), got {value} ({WEEKDAYS[value.weekday()]})")
    return value


def _skill_list(value: Any) -> Any:
    """`"a|b"` (as agents.csv writes skills) or a TOML list → a tuple of queue names."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split("|") if part.strip())
    return value


class Horizon(_Frozen):
    start: dt.date | None = None
    weeks: int = Field(26, ge=MIN_WEEKS, le=MAX_WEEKS)

    _start_monday = field_validator("start")(_monday)


class QueueVolume(_Frozen):
    """`[volume.queues.NAME]`."""

    growth_per_month: float | None = Field(None, ge=-0.5, le=1.0)
    factor: float = Field(1.0, ge=0, le=100)
    deflection: float = Field(0.0, ge=0, lt=1)


class Volume(_Frozen):
    growth_per_month: float = Field(0.0, ge=-0.5, le=1.0)
    factor: float = Field(1.0, ge=0, le=100)
    queues: dict[str, QueueVolume] = Field(default_factory=dict)


class Peak(_Frozen):
    """`[[peak]]`: a Monday means its whole week (through Sunday); another date means that day."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    from_: dt.date = Field(alias="from")
    to: dt.date
    factor: float = Field(gt=0, le=100)
    queues: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _ordered(self) -> Peak:
        if self.to < self.from_:
            raise ValueError(f"to: expected a date on or after from ({self.from_}), got {self.to}")
        return self

    @property
    def last_day(self) -> dt.date:
        """The last local date the peak covers (inclusive)."""
        return self.to + dt.timedelta(days=6) if self.to.weekday() == 0 else self.to


class SiteAttrition(_Frozen):
    monthly: float = Field(ge=0, lt=1)


class Attrition(_Frozen):
    monthly: float = Field(0.0, ge=0, lt=1)
    sites: dict[str, SiteAttrition] = Field(default_factory=dict)

    def monthly_at(self, site: str) -> float:
        one = self.sites.get(site)
        return one.monthly if one is not None else self.monthly


class Hiring(_Frozen):
    training_weeks: int = Field(2, ge=0, le=26)
    ramp_weeks: int = Field(4, ge=0, le=26)
    ramp_aht_factor: float = Field(1.5, ge=1, le=5)
    lead_weeks: int = Field(4, ge=0, le=MAX_WEEKS)
    class_size_max: int = Field(25, ge=1, le=1000)
    class_every_weeks: int = Field(4, ge=1, le=MAX_WEEKS)
    sites: tuple[str, ...] | None = None
    skills: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    hours_per_week: float | None = Field(None, gt=0, le=80)
    short_hour_cost: float = Field(3.0, gt=0, le=1000)
    class_cost_hours: float = Field(40.0, ge=0, le=100_000)
    time_limit_seconds: float = Field(30.0, gt=0, le=3600)

    @field_validator("skills", mode="before")
    @classmethod
    def _skills(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {site: _skill_list(skills) for site, skills in value.items()}
        return value

    @field_validator("skills")
    @classmethod
    def _skill_sets(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for site, skills in value.items():
            if not skills:
                raise ValueError(f"{site}: expected queue names (a list or 'a|b'), got none")
            if len(set(skills)) != len(skills):
                raise ValueError(f"{site}: a queue is listed twice, got {'|'.join(skills)!r}")
        return value


class CapacityConfig(_Frozen):
    """The whole of CAPACITY.toml."""

    horizon: Horizon = Horizon()
    volume: Volume = Volume()
    peak: tuple[Peak, ...] = ()
    attrition: Attrition = Attrition()
    hiring: Hiring = Hiring()

    def __hash__(self) -> int:  # dicts inside; hash by value
        return hash(self.model_dump_json())


def load_capacity(path: Path | str) -> CapacityConfig:
    """Read and validate CAPACITY.toml (the file alone; see `check_capacity` for the workspace)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such capacity file")
    return parse_capacity(read_toml(path), source=path.name)


def parse_capacity(data: Mapping[str, Any], source: str = SOURCE) -> CapacityConfig:
    if isinstance(data.get("peak"), dict):
        raise InputError(f"{source}: write [[peak]] (an array of tables, one per peak), not [peak]")
    try:
        return CapacityConfig.model_validate(data)
    except ValidationError as exc:
        raise InputError(_describe(exc, source)) from None


def _describe(exc: ValidationError, source: str) -> str:
    """One line naming the key; an unknown key or section (reported before anything else, as a
    misspelt key often also leaves a required one missing) gets the nearest known name."""
    errors = exc.errors()
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = list(error["loc"])
    key = "".join(f"[{p + 1}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    if error["type"] == "extra_forbidden":
        what = "section" if len(loc) == 1 else "key"
        known = [name for name in known_keys(CapacityConfig, loc[:-1]) if name != "from_"]
        if loc[0] == "peak":
            known.append("from")
        return f"{source} {what} {key}: unknown {what}{suggest(str(loc[-1]), known)}"
    message = str(error["msg"]).removeprefix("Value error, ")
    field, _, rest = message.partition(": ")
    if error["type"] == "value_error" and rest and field.isidentifier():  # a model check naming its key
        key, message = f"{key}.{field}".lstrip("."), rest
    where = f"{source} key {key}" if key else source
    if error["type"] == "missing":
        return f"{where}: required key is missing"
    value = error.get("input")
    if isinstance(value, dict | list) or "got " in message:
        return f"{where}: {message}"
    return f"{where}: {message}, got {value!r}"


def default_start(ws: Workspace) -> dt.date:
    """The Monday after the last history day."""
    if ws.history.empty:
        raise InputError(f"history.csv: no rows, so no horizon start can be inferred (give [horizon] start in {SOURCE})")
    last = ws.history["interval_start"].max().date()
    return last + dt.timedelta(days=7 - last.weekday())


def site_of(agent_site: str | None, timezone: str) -> str:
    """An agent's site: agents.csv `site`, else the agent's time zone."""
    return agent_site or timezone


def check_capacity(config: CapacityConfig, ws: Workspace, start: dt.date, source: str = SOURCE) -> None:
    """Names and dates that must agree with the workspace: queues, sites, peaks inside the horizon."""
    queues = [queue.name for queue in ws.queues]
    sites = sorted({site_of(agent.site, agent.timezone) for agent in ws.agents})

    def queue_known(key: str, name: str) -> None:
        if name not in queues:
            raise InputError(f"{source} key {key}: no queue named {name!r} in wfm.toml{suggest(name, queues)}")

    def site_known(key: str, name: str) -> None:
        if name not in sites:
            raise InputError(f"{source} key {key}: no agent works at site {name!r}{suggest(name, sites)}")

    for name in config.volume.queues:
        queue_known(f"volume.queues.{name}", name)
    end = start + dt.timedelta(days=7 * config.horizon.weeks)
    for number, peak in enumerate(config.peak, start=1):
        for name in peak.queues:
            queue_known(f"peak[{number}].queues", name)
        if peak.from_ < start or peak.from_ >= end:
            raise InputError(
                f"{source} key peak[{number}].from: expected a date inside the horizon {start} to "
                f"{end - dt.timedelta(days=1)}, got {peak.from_}"
            )
        if peak.last_day >= end:
            raise InputError(
                f"{source} key peak[{number}].to: the peak runs to {peak.last_day}, past the horizon's last day "
                f"{end - dt.timedelta(days=1)}"
            )
    for name in config.attrition.sites:
        site_known(f"attrition.sites.{name}", name)
    for name in config.hiring.sites or ():
        site_known("hiring.sites", name)
    for site, skills in config.hiring.skills.items():
        site_known(f"hiring.skills.{site}", site)
        for skill in skills:
            queue_known(f"hiring.skills.{site}", skill)
