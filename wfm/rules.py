"""Labor-rule profiles: the `constraints/*.toml` files a planner edits, validated on load.

A profile holds the parameters of every roster rule and says which rules are soft. A rule has
one name everywhere (TOML key, solver constraint, checker, report line):

    shift_length, start_grid, availability, days_unavailable, max_hours_week, min_hours_week,
    max_hours_day, min_rest, max_consecutive_days, min_days_off, max_nights, breaks, lunch, skills,
    min_block, max_switches

Every rule is hard unless the `[soft]` table gives it a weight, e.g. `max_nights = 8`: then each
unit of violation (a night over the cap, an hour under the contracted minimum, a day over the
consecutive run, a day off missing, a queue block under the minimum, a queue switch over the
maximum) costs that weight, in paid-hour equivalents, in the roster
objective instead of being forbidden: `max_nights = 8` means an extra night is accepted only
where it saves service worth more than eight paid hours. Weight 0 is not allowed: leave the
rule out of `[soft]` to keep it hard.

`[blocks]` (FORMATS.md 0.2, "Queue blocks") is optional: without it there are no block rules. A
block is a maximal run of one agent's on-queue time on one queue within a shift; a break or lunch
inside it does not end it (the block resumes on the same queue after it), and its length is the
on-queue time it holds. `min_block`: every block lasts at least `min_minutes`, except the one
block of a shift with less on-queue time than that. `max_switches`: at most that many queue
changes per shift. The roster keeps both even when `[soft]` weighs them (the weight is what the
checker's soft line means; the queue choice never trades a block for service).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from wfm import paths
from wfm.errors import InputError, suggest

RuleName = Literal[
    "shift_length",
    "start_grid",
    "availability",
    "days_unavailable",
    "max_hours_week",
    "min_hours_week",
    "max_hours_day",
    "min_rest",
    "max_consecutive_days",
    "min_days_off",
    "max_nights",
    "breaks",
    "lunch",
    "skills",
    "min_block",
    "max_switches",
]
RULE_NAMES: tuple[str, ...] = RuleName.__args__  # type: ignore[attr-defined]
# Rules whose violation can be measured in units and traded against service.
SOFTENABLE: tuple[str, ...] = (
    "min_hours_week",
    "max_consecutive_days",
    "min_days_off",
    "max_nights",
    "min_block",
    "max_switches",
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Shifts(_Frozen):
    lengths_hours: tuple[float, ...] = Field((8.0, 9.0, 10.0), min_length=1)
    start_step_minutes: int = Field(30, gt=0, le=240)

    @model_validator(mode="after")
    def _lengths_positive(self) -> Shifts:
        for length in self.lengths_hours:
            if not 1 <= length <= 16:
                raise ValueError(f"lengths_hours: each length must be 1–16 h, got {length}")
            if round(length * 60) % 15:
                raise ValueError(f"lengths_hours: lengths must be whole quarter hours, got {length}")
        if 1440 % self.start_step_minutes or self.start_step_minutes % 15:
            raise ValueError(f"start_step_minutes: must be a multiple of 15 dividing a day, got {self.start_step_minutes}")
        return self


class Hours(_Frozen):
    max_per_week: float = Field(40.0, gt=0, le=80)
    max_per_day: float = Field(10.0, gt=0, le=16)
    min_rest_between_shifts: float = Field(11.0, ge=0, le=24)
    max_consecutive_days: int = Field(5, ge=1, le=7)
    min_days_off_per_week: int = Field(2, ge=0, le=6)


class Breaks(_Frozen):
    break_minutes: int = Field(15, ge=0, le=60)
    lunch_minutes: int = Field(30, ge=0, le=120)
    lunch_after_hours: tuple[float, float] = (3.0, 5.0)
    # Shifts longer than this many hours get a lunch (FORMATS: "in shifts longer than 6 h").
    lunch_if_longer_than_hours: float = Field(6.0, ge=0)
    # One paid break for each full block of this many paid hours.
    break_every_paid_hours: float = Field(4.0, gt=0)

    @model_validator(mode="after")
    def _window(self) -> Breaks:
        low, high = self.lunch_after_hours
        if not 0 < low <= high:
            raise ValueError(f"lunch_after_hours: expected [earliest, latest] with 0 < earliest ≤ latest, got {[low, high]}")
        for minutes, key in ((self.break_minutes, "break_minutes"), (self.lunch_minutes, "lunch_minutes")):
            if minutes % 15:
                raise ValueError(f"{key}: must be a multiple of 15 minutes, got {minutes}")
        return self


class Nights(_Frozen):
    max_per_week: int = Field(2, ge=0, le=7)
    # A night shift overlaps this local window for some positive time.
    window_start_hour: float = Field(0.0, ge=0, lt=24)
    window_end_hour: float = Field(6.0, gt=0, le=24)


class Blocks(_Frozen):
    """Queue blocks: `min_minutes` per block (rule min_block), `max_switches` per shift (rule max_switches)."""

    min_minutes: int = Field(60, ge=15, le=480)
    max_switches: int = Field(2, ge=0, le=40)

    @model_validator(mode="after")
    def _quarter_hours(self) -> Blocks:
        if self.min_minutes % 15:
            raise ValueError(f"min_minutes: must be a multiple of 15 minutes, got {self.min_minutes}")
        return self

    @property
    def min_slots(self) -> int:
        """`min_minutes` in 15-minute slots."""
        return self.min_minutes // 15


class Service(_Frozen):
    max_occupancy: float = Field(0.85, gt=0, le=1)


class RulesProfile(_Frozen):
    """A validated rules profile; `name` is the profile name or the file it came from."""

    name: str = "default"
    shifts: Shifts = Shifts()
    hours: Hours = Hours()
    breaks: Breaks = Breaks()
    nights: Nights = Nights()
    service: Service = Service()
    blocks: Blocks | None = None
    soft: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _soft_known(self) -> RulesProfile:
        for rule, weight in self.soft.items():
            if rule not in SOFTENABLE:
                hint = suggest(rule, SOFTENABLE)
                raise ValueError(f"soft.{rule}: not a rule that can be soft{hint}")
            if weight <= 0:
                raise ValueError(f"soft.{rule}: weight must be > 0 (leave the rule out to keep it hard), got {weight}")
        return self

    def __hash__(self) -> int:  # `soft` is a dict; hash the whole profile by value (for caches)
        return hash(self.model_dump_json())

    def is_soft(self, rule: str) -> bool:
        return rule in self.soft

    def paid_hours(self, length_hours: float) -> float:
        """Paid time of a shift: its length minus the unpaid lunch it carries."""
        return length_hours - self.lunch_minutes_for(length_hours) / 60

    def lunch_minutes_for(self, length_hours: float) -> int:
        return self.breaks.lunch_minutes if length_hours > self.breaks.lunch_if_longer_than_hours else 0

    def breaks_for(self, length_hours: float) -> int:
        """Number of paid breaks: one for each full `break_every_paid_hours` of paid time."""
        if self.breaks.break_minutes == 0:
            return 0
        return int(self.paid_hours(length_hours) // self.breaks.break_every_paid_hours + 1e-9)


def profile_names() -> list[str]:
    return sorted(p.stem for p in paths.constraints_dir().glob("*.toml"))


def resolve_profile_path(rules: str, base_dir: Path | None = None) -> Path:
    """A profile name in constraints/ or a TOML path (relative to the workspace)."""
    if rules.endswith(".toml") or "/" in rules or "\\" in rules:
        path = Path(rules)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        if not path.is_file():
            raise InputError(f"wfm.toml [plan] rules: no profile file at {path}")
        return path
    path = paths.constraints_dir() / f"{rules}.toml"
    if not path.is_file():
        raise InputError(f"wfm.toml [plan] rules: unknown profile '{rules}'{suggest(rules, profile_names())}")
    return path


def load_rules(rules: str = "default", base_dir: Path | None = None) -> RulesProfile:
    path = resolve_profile_path(rules, base_dir)
    return parse_rules(read_toml(path), source=path.name, name=rules)


def parse_rules(data: dict[str, Any], source: str, name: str = "custom") -> RulesProfile:
    try:
        return RulesProfile.model_validate({"name": name, **data})
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc, source, RulesProfile)) from None


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path.name}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


def describe_validation_error(exc: ValidationError, source: str, model: type[BaseModel]) -> str:
    """One line for the first problem pydantic found, with a nearest-name hint for unknown keys."""
    error = exc.errors()[0]
    loc = [str(part) for part in error["loc"]]
    where = f"{source} key {'.'.join(loc)}" if loc else source
    if error["type"] == "extra_forbidden":
        known = _known_keys(model, loc[:-1])
        return f"{where}: unknown key{suggest(loc[-1], known)}"
    message = str(error["msg"]).removeprefix("Value error, ")
    value = error.get("input")
    if error["type"] == "missing":
        return f"{where}: required key is missing"
    if isinstance(value, dict | list) or "got " in message:  # our validators already name the value
        return f"{where}: {message}"
    return f"{where}: {message}, got {value!r}"


def _known_keys(model: type[BaseModel], loc: list[str]) -> list[str]:
    current: Any = model
    for part in loc:
        if part.isdigit():
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        annotation = field.annotation
        inner = getattr(annotation, "__args__", None)
        current = inner[0] if inner else annotation
    return list(getattr(current, "model_fields", {}).keys())
