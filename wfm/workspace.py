"""The planner's workspace: `wfm.toml`, `agents.csv`, `history.csv`, `special_days.csv`,
`requests.csv`.

Everything is read here, once, into frozen pydantic models (and one long-format frame for the
history); every later stage takes these values and never touches the files. Bad input raises
`InputError` with one line naming the file, the row (1-based line number in the file, the header
being row 1) or key, the column, what was found and what was expected.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from wfm.errors import InputError, suggest
from wfm.rules import RulesProfile, describe_validation_error, load_rules, read_toml

Channel = Literal["phone", "chat", "email"]
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DEFAULT_TARGETS: dict[str, tuple[float, float | None]] = {
    "phone": (0.80, 20.0),
    "chat": (0.80, 30.0),
    "email": (0.90, None),
}
EMAIL_DEFAULT_HOURS = 24.0


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_timezone(name: str) -> str:
    """Return `name` when it is an IANA zone; raise ValueError with the nearest name otherwise."""
    if name not in _zones():
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"expected an IANA time zone such as 'Europe/Madrid', got {name!r}{suggest(name, _zones())}"
            ) from None
    return name


class QueueConfig(_Frozen):
    """One queue of `wfm.toml`, with channel defaults applied (phone 80/20, chat 80/30, email 90% in 24 h)."""

    name: str = Field(min_length=1)
    channel: Channel
    timezone: str
    service_level: float = Field(0.0, gt=0, lt=1)
    answer_seconds: float | None = Field(None, gt=0)
    concurrency: int = Field(1, ge=1, le=10)
    patience_seconds: float | None = Field(None, gt=0)
    max_occupancy: float | None = Field(None, gt=0, le=1)
    respond_within_hours: float | None = Field(None, gt=0, le=24 * 14)

    @model_validator(mode="before")
    @classmethod
    def _channel_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("channel") in _DEFAULT_TARGETS:
            level, seconds = _DEFAULT_TARGETS[data["channel"]]
            data = dict(data)
            data.setdefault("service_level", level)
            if data["channel"] == "email":
                data.setdefault("respond_within_hours", EMAIL_DEFAULT_HOURS)
            else:
                data.setdefault("answer_seconds", seconds)
        return data

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_timezone(value)

    @model_validator(mode="after")
    def _channel_fields(self) -> QueueConfig:
        if self.channel == "email" and self.answer_seconds is not None:
            raise ValueError("answer_seconds: email queues take respond_within_hours (a deadline) instead")
        if self.channel != "email" and self.respond_within_hours is not None:
            raise ValueError("respond_within_hours: only email queues have a deadline; use answer_seconds")
        if self.concurrency > 1 and self.channel != "chat":
            raise ValueError(f"concurrency: only chat queues hold several contacts at once, got {self.concurrency}")
        return self

    @property
    def is_deferred(self) -> bool:
        """Email: work with a deadline, not an answer-time queue."""
        return self.channel == "email"

    def occupancy_cap(self, rules: RulesProfile) -> float:
        return self.max_occupancy if self.max_occupancy is not None else rules.service.max_occupancy


class PlanConfig(_Frozen):
    interval_minutes: Literal[15, 30, 60] = 15
    rules: str = "default"
    week: dt.date | None = None
    # Unplanned absence (sickness, lateness). Breaks and lunch are rostered explicitly, so this is
    # only what the roster cannot see; applied once, in wfm.requirements.
    shrinkage: float = Field(0.0, ge=0, lt=0.9)
    # Last week's plan folder (FORMATS.md 0.2 "Week after week"), relative to the workspace;
    # `--previous` on the command line wins over it.
    previous: str | None = Field(None, min_length=1)

    @field_validator("week")
    @classmethod
    def _monday(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and value.weekday() != 0:
            raise ValueError(
                f"expected a Monday (the plan week starts Monday 00:00 UTC), got {value} ({WEEKDAYS[value.weekday()]})"
            )
        return value


class WorkspaceConfig(_Frozen):
    """The whole of `wfm.toml`."""

    plan: PlanConfig = PlanConfig()
    queues: tuple[QueueConfig, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> WorkspaceConfig:
        seen: set[str] = set()
        for queue in self.queues:
            if queue.name in seen:
                raise ValueError(f"queue name {queue.name!r} appears twice; names must be unique")
            seen.add(queue.name)
        return self


class AgentConfig(_Frozen):
    """One row of agents.csv. Windows and days are in the agent's own clock."""

    agent_id: str = Field(min_length=1)
    timezone: str
    skills: tuple[str, ...] = Field(min_length=1)
    name: str | None = None
    site: str | None = None
    max_hours_week: float | None = Field(None, gt=0)
    min_hours_week: float | None = Field(None, ge=0)
    available_from: dt.time | None = None
    available_to: dt.time | None = None
    weekdays_unavailable: frozenset[int] = frozenset()  # 0 = Monday
    dates_unavailable: frozenset[dt.date] = frozenset()

    @model_validator(mode="after")
    def _consistent(self) -> AgentConfig:
        if (self.available_from is None) != (self.available_to is None):
            raise ValueError("available_from and available_to go together: give both or neither")
        if self.max_hours_week is not None and self.min_hours_week is not None and self.min_hours_week > self.max_hours_week:
            raise ValueError(f"min_hours_week {self.min_hours_week} is above max_hours_week {self.max_hours_week}")
        return self

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def window_minutes(self) -> tuple[int, int] | None:
        """Local availability window as minutes after local midnight; `end` may exceed 1440 (crosses midnight)."""
        if self.available_from is None or self.available_to is None:
            return None
        start = self.available_from.hour * 60 + self.available_from.minute
        end = self.available_to.hour * 60 + self.available_to.minute
        if end <= start:
            end += 1440
        return start, end

    def weekly_cap(self, rules: RulesProfile) -> float:
        """Paid-hours cap: the agent's own, never above the profile's."""
        cap = rules.hours.max_per_week
        return min(cap, self.max_hours_week) if self.max_hours_week is not None else cap

    def unavailable_on(self, local_date: dt.date) -> bool:
        return local_date.weekday() in self.weekdays_unavailable or local_date in self.dates_unavailable


class SpecialDay(_Frozen):
    """A date in the queue's clock whose volume is scaled (`factor`) or closed (factor 0)."""

    date: dt.date
    queue: str  # a queue name or "*"
    factor: float = Field(ge=0)


RequestKind = Literal["leave", "off", "on"]
REQUEST_KINDS: tuple[str, ...] = RequestKind.__args__  # type: ignore[attr-defined]


class Request(_Frozen):
    """One row of requests.csv: approved leave (hard) or a wish (`off`, `on`) for one local date.

    `from_time`/`to_time` (the file's `from`, `to`) narrow it to local hours of that date: with
    `leave`/`off` only those hours, with `on` the wished start window. `row` is the line in
    requests.csv, so a report or an error can point at it.
    """

    agent_id: str
    date: dt.date
    kind: RequestKind
    from_time: dt.time | None = None
    to_time: dt.time | None = None
    weight: float = Field(1.0, ge=0)
    row: int = 0

    @property
    def hours(self) -> str:
        """`09:00–10:00`, or an empty text for the whole date."""
        if self.from_time is None and self.to_time is None:
            return ""
        start = self.from_time.strftime("%H:%M") if self.from_time else "00:00"
        end = self.to_time.strftime("%H:%M") if self.to_time else "24:00"
        return f"{start}–{end}"


class Workspace(BaseModel):
    """Everything a planner's workspace holds, validated."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    root: Path
    config: WorkspaceConfig
    rules: RulesProfile
    agents: tuple[AgentConfig, ...]
    history: pd.DataFrame  # queue, interval_start (UTC), contacts, aht_seconds
    special_days: tuple[SpecialDay, ...] = ()
    requests: tuple[Request, ...] = ()

    @property
    def plan(self) -> PlanConfig:
        return self.config.plan

    @property
    def queues(self) -> tuple[QueueConfig, ...]:
        return self.config.queues

    def queue(self, name: str) -> QueueConfig:
        for queue in self.config.queues:
            if queue.name == name:
                return queue
        raise InputError(f"unknown queue {name!r}{suggest(name, [q.name for q in self.config.queues])}")

    def plan_week(self, override: dt.date | None = None) -> dt.date:
        """Monday the plan week starts (UTC): `override`, then wfm.toml, then the Monday after the history."""
        week = override or self.plan.week
        if week is not None:
            if week.weekday() != 0:
                raise InputError(f"{{week}}: expected a Monday, got {week} ({WEEKDAYS[week.weekday()]})", week="plan week")
            return week
        if self.history.empty:
            raise InputError(
                "history.csv: no rows, so no plan week can be inferred (give [plan] week or {week})", week="a plan week"
            )
        last = self.history["interval_start"].max().date()
        return last + dt.timedelta(days=7 - last.weekday())


# ----------------------------------------------------------------------------- loading


def load_workspace(root: Path | str, *, with_history: bool = True) -> Workspace:
    """Read and validate a workspace folder."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: no such workspace folder (create one with `wfm init {root}`)")
    config = load_config(root / "wfm.toml")
    rules = load_rules(config.plan.rules, base_dir=root)
    queue_names = [q.name for q in config.queues]
    agents = read_agents(root / "agents.csv", queue_names)
    history = read_history(root / "history.csv", queue_names) if with_history else empty_history()
    special_path = root / "special_days.csv"
    special = read_special_days(special_path, queue_names) if special_path.exists() else ()
    requests_path = root / "requests.csv"
    requests = read_requests(requests_path, agents) if requests_path.exists() else ()
    return Workspace(
        root=root, config=config, rules=rules, agents=agents, history=history, special_days=special, requests=requests
    )


def load_config(path: Path) -> WorkspaceConfig:
    if not path.is_file():
        raise InputError(f"{path}: missing (every workspace has a wfm.toml; `wfm init DIR` writes one)")
    data = read_toml(path)
    try:
        return WorkspaceConfig.model_validate(data)
    except ValidationError as exc:
        raise InputError(_toml_error(exc, data, path.name)) from None


def _toml_error(exc: ValidationError, data: Mapping[str, Any], source: str) -> str:
    """Name queues by their `name` rather than their index where possible."""
    error = exc.errors()[0]
    loc = list(error["loc"])
    if len(loc) >= 2 and loc[0] == "queues" and isinstance(loc[1], int):
        queues = data.get("queues", [])
        if isinstance(queues, list) and loc[1] < len(queues) and isinstance(queues[loc[1]], dict):
            name = queues[loc[1]].get("name")
            if name:
                prefix = f"{source} [[queues]] name={name!r}"
                rest = loc[2:]
                sub = describe_validation_error(exc, "", WorkspaceConfig)
                # describe_validation_error names the full loc; rebuild it with the queue name.
                detail = sub.split(": ", 1)[1] if ": " in sub else sub
                field = f" key {'.'.join(map(str, rest))}" if rest else ""
                if error["type"] == "extra_forbidden":
                    detail = f"unknown key{suggest(str(rest[-1]), QueueConfig.model_fields)}"
                return f"{prefix}{field}: {detail}"
    return describe_validation_error(exc, source, WorkspaceConfig)


AGENT_COLUMNS = (
    "agent_id",
    "timezone",
    "skills",
    "name",
    "site",
    "max_hours_week",
    "min_hours_week",
    "available_from",
    "available_to",
    "days_unavailable",
)
_REQUIRED_AGENT_COLUMNS = ("agent_id", "timezone", "skills")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def read_csv_strings(path: Path) -> pd.DataFrame:
    """A CSV as stripped strings, every failure as one InputError line naming the file."""
    if not path.is_file():
        raise InputError(f"{path}: missing")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path.name}: empty file (expected a header row)") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{path.name}: not a readable CSV ({str(exc).strip()})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.apply(lambda col: col.str.strip()) if len(frame.columns) else frame


def _check_columns(frame: pd.DataFrame, source: str, known: tuple[str, ...], required: tuple[str, ...]) -> None:
    for column in frame.columns:
        if column not in known:
            raise InputError(f"{source} header, column {column!r}: unknown column{suggest(column, known)}")
    for column in required:
        if column not in frame.columns:
            raise InputError(f"{source} header: required column {column!r} is missing")


def read_agents(path: Path, queue_names: list[str]) -> tuple[AgentConfig, ...]:
    frame = read_csv_strings(path)
    _check_columns(frame, path.name, AGENT_COLUMNS, _REQUIRED_AGENT_COLUMNS)
    agents: list[AgentConfig] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(frame.to_dict("records")):
        row = index + 2
        agent = _parse_agent({str(k): str(v) for k, v in raw.items()}, path.name, row, queue_names)
        if agent.agent_id in seen:
            raise InputError(
                f"{path.name} row {row}, column agent_id: duplicate id {agent.agent_id!r} (first at row {seen[agent.agent_id]})"
            )
        seen[agent.agent_id] = row
        agents.append(agent)
    if not agents:
        raise InputError(f"{path.name}: no agents (expected one row per person)")
    return tuple(agents)


def _parse_agent(raw: dict[str, str], source: str, row: int, queue_names: list[str]) -> AgentConfig:
    def fail(column: str, message: str) -> InputError:
        return InputError(f"{source} row {row}, column {column}: {message}")

    values: dict[str, Any] = {}
    for column in _REQUIRED_AGENT_COLUMNS:
        if not raw.get(column):
            raise fail(column, "required, got an empty cell")
    values["agent_id"] = raw["agent_id"]
    try:
        values["timezone"] = check_timezone(raw["timezone"])
    except ValueError as exc:
        raise fail("timezone", str(exc)) from None
    skills = tuple(s.strip() for s in raw["skills"].split("|") if s.strip())
    for skill in skills:
        if skill not in queue_names:
            raise fail("skills", f"no queue named {skill!r} in wfm.toml{suggest(skill, queue_names)}")
    if len(set(skills)) != len(skills):
        raise fail("skills", f"a queue is listed twice, got {raw['skills']!r}")
    values["skills"] = skills
    for column in ("name", "site"):
        if raw.get(column):
            values[column] = raw[column]
    for column in ("max_hours_week", "min_hours_week"):
        text = raw.get(column, "")
        if text:
            try:
                number = float(text)
            except ValueError:
                raise fail(column, f"expected a number of hours, got {text!r}") from None
            if not 0 <= number <= 168 or (column == "max_hours_week" and number == 0):
                raise fail(column, f"expected hours in (0, 168], got {text!r}")
            values[column] = number
    for column in ("available_from", "available_to"):
        text = raw.get(column, "")
        if text:
            match = _TIME.match(text)
            if not match:
                raise fail(column, f"expected local time HH:MM, got {text!r}")
            values[column] = dt.time(int(match.group(1)), int(match.group(2)))
    weekdays: set[int] = set()
    dates: set[dt.date] = set()
    for part in filter(None, (p.strip() for p in raw.get("days_unavailable", "").split("|"))):
        if part.title()[:3] in WEEKDAYS and len(part) in (3, 6, 7, 8, 9):
            weekdays.add(WEEKDAYS.index(part.title()[:3]))
            continue
        try:
            dates.add(dt.date.fromisoformat(part))
        except ValueError:
            raise fail(
                "days_unavailable", f"expected weekdays (Mon…Sun) or dates (YYYY-MM-DD) separated by |, got {part!r}"
            ) from None
    values["weekdays_unavailable"] = frozenset(weekdays)
    values["dates_unavailable"] = frozenset(dates)
    try:
        return AgentConfig.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        column = str(error["loc"][0]) if error["loc"] else "agent_id"
        raise fail(column, str(error["msg"]).removeprefix("Value error, ")) from None


HISTORY_COLUMNS = ("queue", "interval_start", "contacts", "aht_seconds")
_OFFSET = r"(?:Z|[+-]\d\d:?\d\d)$"


def empty_history() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "queue": pd.Series(dtype=str),
            "interval_start": pd.Series(dtype="datetime64[ns, UTC]"),
            "contacts": pd.Series(dtype=float),
            "aht_seconds": pd.Series(dtype=float),
        }
    )


def read_history(path: Path, queue_names: list[str]) -> pd.DataFrame:
    """history.csv → long frame (queue, interval_start UTC, contacts, aht_seconds), checked cell by cell.

    Semantic checks over the series (duplicates, grid, gaps) belong to the forecast stage.
    """
    frame = read_csv_strings(path)
    source = path.name
    _check_columns(frame, source, HISTORY_COLUMNS, HISTORY_COLUMNS)
    if frame.empty:
        return empty_history()

    def first_bad(mask: pd.Series, column: str, expected: str) -> None:
        if mask.any():
            index = int(mask.to_numpy().nonzero()[0][0])
            raise InputError(f"{source} row {index + 2}, column {column}: expected {expected}, got {frame[column].iloc[index]!r}")

    first_bad(~frame["queue"].isin(queue_names), "queue", f"a queue of wfm.toml ({', '.join(queue_names)})")
    stamps = frame["interval_start"]
    first_bad(~stamps.str.contains(_OFFSET, regex=True), "interval_start", "an ISO-8601 time with offset or Z")
    parsed = pd.to_datetime(stamps, utc=True, format="ISO8601", errors="coerce")
    first_bad(parsed.isna(), "interval_start", "an ISO-8601 time with offset or Z")
    contacts = pd.to_numeric(frame["contacts"], errors="coerce")
    first_bad(contacts.isna() | (contacts < 0) | ~contacts.apply(_finite), "contacts", "a number ≥ 0")
    aht_text = frame["aht_seconds"]
    aht = pd.to_numeric(aht_text.where(aht_text != "", "nan"), errors="coerce")
    first_bad((contacts > 0) & ~(aht > 0), "aht_seconds", "a handle time in seconds > 0 where contacts > 0")
    first_bad(aht_text.ne("") & aht.isna(), "aht_seconds", "a number of seconds")
    return pd.DataFrame(
        {
            "queue": frame["queue"].astype(str),
            "interval_start": parsed.astype("datetime64[ns, UTC]"),
            "contacts": contacts.astype(float),
            "aht_seconds": aht.astype(float),
        }
    )


def _finite(value: float) -> bool:
    return value == value and value not in (float("inf"), float("-inf"))


SPECIAL_COLUMNS = ("date", "queue", "factor")


def read_special_days(path: Path, queue_names: list[str]) -> tuple[SpecialDay, ...]:
    frame = read_csv_strings(path)
    source = path.name
    _check_columns(frame, source, SPECIAL_COLUMNS, SPECIAL_COLUMNS)
    days: list[SpecialDay] = []
    for index, raw in enumerate(frame.to_dict("records")):
        row = index + 2
        try:
            date = dt.date.fromisoformat(raw["date"])
        except ValueError:
            raise InputError(f"{source} row {row}, column date: expected YYYY-MM-DD, got {raw['date']!r}") from None
        queue = raw["queue"]
        if queue != "*" and queue not in queue_names:
            raise InputError(
                f"{source} row {row}, column queue: expected a queue of wfm.toml or *, got {queue!r}{suggest(queue, queue_names)}"
            )
        text = raw["factor"].lower()
        if text == "closed":
            factor = 0.0
        else:
            try:
                factor = float(text)
            except ValueError:
                raise InputError(
                    f"{source} row {row}, column factor: expected a number ≥ 0 or 'closed', got {raw['factor']!r}"
                ) from None
            if not 0 <= factor <= 100:
                raise InputError(f"{source} row {row}, column factor: expected a number ≥ 0 or 'closed', got {raw['factor']!r}")
        days.append(SpecialDay(date=date, queue=queue, factor=factor))
    return tuple(days)


REQUEST_COLUMNS = ("agent_id", "date", "kind", "from", "to", "weight")
_REQUIRED_REQUEST_COLUMNS = ("agent_id", "date", "kind")


def read_requests(path: Path, agents: tuple[AgentConfig, ...]) -> tuple[Request, ...]:
    """requests.csv → one `Request` per row, checked cell by cell against agents.csv."""
    frame = read_csv_strings(path)
    source = path.name
    _check_columns(frame, source, REQUEST_COLUMNS, _REQUIRED_REQUEST_COLUMNS)
    known = [agent.agent_id for agent in agents]
    ids = set(known)
    requests: list[Request] = []
    for index, raw in enumerate(frame.to_dict("records")):
        row = index + 2

        def fail(column: str, message: str, row: int = row) -> InputError:
            return InputError(f"{source} row {row}, column {column}: {message}")

        cells = {str(key): str(value) for key, value in raw.items()}
        for column in _REQUIRED_REQUEST_COLUMNS:
            if not cells.get(column):
                raise fail(column, "required, got an empty cell")
        agent_id = cells["agent_id"]
        if agent_id not in ids:
            raise fail("agent_id", f"expected an agent of agents.csv, got {agent_id!r}{suggest(agent_id, known)}")
        try:
            date = dt.date.fromisoformat(cells["date"])
        except ValueError:
            raise fail("date", f"expected a local date YYYY-MM-DD, got {cells['date']!r}") from None
        kind = cells["kind"].lower()
        if kind not in REQUEST_KINDS:
            raise fail("kind", f"expected leave, off or on, got {cells['kind']!r}{suggest(kind, REQUEST_KINDS)}")
        times: dict[str, dt.time | None] = {}
        for column in ("from", "to"):
            text = cells.get(column, "")
            match = _TIME.match(text) if text else None
            if text and not match:
                raise fail(column, f"expected local time HH:MM, got {text!r}")
            times[column] = dt.time(int(match.group(1)), int(match.group(2))) if match else None
        start, end = times["from"], times["to"]
        if start is not None and end is not None and end <= start:
            raise fail(
                "to",
                f"expected a time after from {start:%H:%M} on the same local date, got {cells['to']!r}"
                " (hours past midnight go in a row for the next date)",
            )
        weight = 1.0
        text = cells.get("weight", "")
        if text:
            try:
                weight = float(text)
            except ValueError:
                raise fail("weight", f"expected a number ≥ 0 (paid-hour equivalents), got {text!r}") from None
            if not (_finite(weight) and weight >= 0):
                raise fail("weight", f"expected a number ≥ 0 (paid-hour equivalents), got {text!r}")
        requests.append(Request(agent_id=agent_id, date=date, kind=kind, from_time=start, to_time=end, weight=weight, row=row))
    return tuple(requests)
