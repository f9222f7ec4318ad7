"""summary.json as a typed value: `PlanSummary`, built once by `wfm.pipeline` and read by attribute.

The report, the CLI and the what-if comparison read a plan's headline figures from here instead
of from raw dict keys. The file itself is the FORMATS.md promise, so a summary writes back
exactly the keys, values and key order it was built or read with (`as_json`): a plan's
summary.json is the same byte for byte whether it comes from the pipeline or from reading and
writing it again. Keys beyond the ones typed here are kept as they are (FORMATS.md welcomes
more).

The shape:

    {
      "week": "2026-11-30",                  # the plan week's Monday (UTC date)
      "queues": {
        "phone-en": {
          "service_level": 0.83,             # contact-weighted predicted SL over the week (null: no contacts)
          "target": 0.80,                    # the queue's service-level target
          "intervals_meeting_target": 0.91,  # share (0..1) of intervals with contacts whose SL >= target
          "contacts": 12450.0,               # optional: offered contacts in the week
          "channel": "phone",                # optional
          "timezone": "America/New_York",    # optional: the queue's clock; the heat map uses it
          "required_hours": 646.5,           # optional: on-queue hours required and scheduled
          "scheduled_hours": 666.2,
          "forecast_model": "..."            # optional; simulated_* keys when the plan was simulated
        }
      },
      "agents": {"A017": {"paid_hours": 38.5, "shifts": 5, "nights": 1, "weekend_days": 0}},
      "paid_hours": 1234.5,                  # sum over agents
      "headcount_used": 42,                  # agents with at least one shift
      "solver": {"status": "OPTIMAL", "objective": 123.0, "bound": 120.0,
                 "gap": 0.024,               # relative gap |objective - bound| / |objective|, a fraction
                 "seconds": 31.2, ...},      # and whatever else the roster reports
      "lower_bound_paid_hours": 1100.0,      # optional: no roster can pay fewer hours
      "plan": {"interval_minutes": 15, "rules": "default", "shrinkage": 0.0},
      "wfm_version": "0.2.0",
      "baseline": {...},                     # optional: the greedy roster scored the same way
      "simulation": {...},                   # optional: simulation.json of `wfm simulate` (FORMATS.md)
      "requests": {                          # optional: with a requests.csv, its rows of this week
        "leave": {"granted": 2, "denied": 0}, "off": {...}, "on": {...},
        "denied": [{"agent_id": "A017", "date": "2026-12-03", "kind": "off", "weight": 1.0, "row": 4}]
      },
      "previous": {                          # optional: planned after last week's plan folder
        "plan_dir": "/path/last-week", "agents_limited": 3, "spill_over_hours": 12.5,
        "skipped_agents": ["A099"], "notes": ["..."]
      },
      "changes": {                           # optional: a re-plan of the published week (--published)
        "kept": 310, "moved": 4, "added": 3, "removed": 5,   # shifts, as changes.csv lists them
        "kept_as_published": 298,            # kept shifts whose breaks, lunch and queues are unchanged too
        "plan_dir": "/path/published", "notes": ["..."]
      }
    }

Nights and weekend days follow FORMATS.md: a night shift overlaps the profile's local night
window (`[nights]`, default 00:00–06:00); a weekend day is a local Saturday or Sunday on which
a shift starts (the agent's "day").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from wfm.errors import InputError
from wfm.planfiles import describe_model_error

__all__ = [
    "AgentSummary",
    "BaselineQueue",
    "BaselineSummary",
    "ChangesSummary",
    "DeniedRequest",
    "Number",
    "PlanSettings",
    "PlanSummary",
    "PreviousSummary",
    "QueueSummary",
    "RequestCount",
    "RequestsSummary",
    "SimulatedQueue",
    "SimulationSummary",
    "SolverSummary",
    "parse_summary",
    "read_summary",
    "relative_gap",
]

Number = int | float
"""A JSON number kept as written: a whole number stays an int, so the file round-trips exactly."""


class _Summary(BaseModel):
    """A part of summary.json that serialises back to the keys it was given, in their order."""

    # extra="allow": FORMATS.md promises these keys and welcomes more.
    model_config = ConfigDict(frozen=True, extra="allow")
    _keys: tuple[str, ...] = PrivateAttr(default=())

    @model_validator(mode="wrap")
    @classmethod
    def _remember_keys(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        model = handler(data)
        if isinstance(data, Mapping) and isinstance(model, _Summary):
            model._keys = tuple(str(key) for key in data)
        return model

    @model_serializer(mode="wrap")
    def _in_given_order(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        dumped: dict[str, Any] = handler(self)
        if not self._keys:
            return dumped
        # Defaults the input did not give stay out: the file says what it said, nothing more.
        return {key: dumped[key] for key in self._keys if key in dumped}


class QueueSummary(_Summary):
    service_level: float | None
    target: float
    intervals_meeting_target: float | None
    contacts: Number | None = None
    channel: str | None = None
    timezone: str | None = None
    required_hours: Number | None = None
    scheduled_hours: Number | None = None
    forecast_model: str | None = None
    simulated_service_level: float | None = None
    simulated_service_level_ci: tuple[float, float] | None = None
    simulation_erlang_service_level: float | None = None
    disagrees_with_erlang: bool | None = None


class AgentSummary(_Summary):
    paid_hours: Number
    shifts: int
    nights: int
    weekend_days: int


class SolverSummary(_Summary):
    """The roster solver's figures; `wfm.roster.build_roster` reports more, kept as extras."""

    status: str
    objective: Number | None = None
    bound: Number | None = None
    gap: float | None = None
    seconds: Number | None = None
    seed: int | None = None
    repeatable: bool | None = None


class BaselineQueue(_Summary):
    service_level: float | None = None
    intervals_meeting_target: float | None = None
    scheduled_hours: Number | None = None


class BaselineSummary(_Summary):
    """The greedy roster for the same requirements, scored like the plan."""

    method: str
    queues: dict[str, BaselineQueue]
    paid_hours: Number
    headcount_used: int
    seconds: Number | None = None


class SimulatedQueue(_Summary):
    service_level: float | None
    service_level_ci: tuple[float, float] | None = None
    asa_seconds: float | None = None
    abandon_rate: float | None = None
    erlang_service_level: float | None = None
    disagrees_with_erlang: bool | None = None


class SimulationSummary(_Summary):
    queues: dict[str, SimulatedQueue]
    runs: int | None = None
    seed: int | None = None


class PlanSettings(_Summary):
    interval_minutes: int
    rules: str
    shrinkage: float


class RequestCount(_Summary):
    granted: int
    denied: int


class DeniedRequest(_Summary):
    """A request of requests.csv the roster does not meet: a wish (leave never is)."""

    agent_id: str
    date: date
    kind: str
    hours: str | None = None
    weight: Number | None = None
    row: int | None = None


class RequestsSummary(_Summary):
    """requests.csv judged against the roster: granted and denied per kind, and the denied ones."""

    leave: RequestCount
    off: RequestCount
    on: RequestCount
    denied: list[DeniedRequest] = []


class PreviousSummary(_Summary):
    """Last week's plan this one continues: how many agents' first days the boundary rules
    limited, the on-queue hours its shifts spill into this week, who was skipped."""

    plan_dir: str
    agents_limited: int
    spill_over_hours: Number
    skipped_agents: list[str] = []
    notes: list[str] = []


class ChangesSummary(_Summary):
    """A re-plan of the week already published (`--published`): its shifts kept, moved, added
    and removed (changes.csv has each), the folder it was read from, and notes."""

    kept: int
    moved: int
    added: int
    removed: int
    kept_as_published: int | None = None  # of `kept`, those whose rows (breaks, lunch, queues) are unchanged too
    plan_dir: str | None = None
    notes: list[str] = []


class PlanSummary(_Summary):
    """summary.json: see the module docstring for the meaning of each key."""

    week: date
    queues: dict[str, QueueSummary]
    agents: dict[str, AgentSummary]
    paid_hours: Number
    headcount_used: int
    solver: SolverSummary
    lower_bound_paid_hours: Number | None = None
    plan: PlanSettings | None = None
    wfm_version: str | None = None
    baseline: BaselineSummary | None = None
    simulation: SimulationSummary | None = None
    requests: RequestsSummary | None = None
    previous: PreviousSummary | None = None
    changes: ChangesSummary | None = None

    def as_json(self) -> dict[str, Any]:
        """The summary.json content: plain JSON values, keys as given."""
        data: dict[str, Any] = json.loads(json.dumps(self.model_dump(), default=str))
        return data


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """How far the objective may still be from the best possible, as a fraction of the
    objective: (objective − bound) / |objective|, never below 0; None when either is unknown,
    0 when the objective is 0 (nothing left to gain)."""
    if objective is None or bound is None:
        return None
    if objective == 0:
        return 0.0
    return max(0.0, (objective - bound) / abs(objective))


def parse_summary(summary: Mapping[str, Any] | PlanSummary, where: str = "summary") -> PlanSummary:
    """A summary dict validated as a `PlanSummary`; an InputError names the first bad key."""
    if isinstance(summary, PlanSummary):
        return summary
    try:
        return PlanSummary.model_validate(summary)
    except ValidationError as exc:
        raise InputError(describe_model_error(exc, where) + " (see the summary shape in wfm.summary)") from None


def read_summary(path: Path) -> PlanSummary:
    """A plan folder's summary.json (the file's path) as a `PlanSummary`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: missing (write one with `wfm schedule` or `wfm plan`)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path.name}: not valid JSON ({exc})") from None
    if not isinstance(data, Mapping):
        raise InputError(f"{path.name}: expected a JSON object, got {type(data).__name__}")
    return parse_summary(data, where=path.name)
