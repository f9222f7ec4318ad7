"""Calendar exports: `calendars/AGENT_ID.ics` per agent and `calendars/team.ics` (RFC 5545).

This module owns the calendars and the agent view every export shares (`AgentLike`,
`AgentInfo`, `agent_infos`): who works in which clock, under which display name and paid-hours
cap. Shifts come from `wfm.planfiles` (`Shift`, `roster_shifts`, re-exported here), so the
calendars, the report and summary.json read a roster the same way.

Calendar choices and why:

- One VEVENT per shift, written in the agent's own zone (TZID plus a VTIMEZONE limited to the
  plan week, so clients that ignore IANA names, like Outlook, still place it right). When a
  wall time is ambiguous (the repeated hour of a DST fall-back) or does not exist, a TZID time
  cannot say which instant is meant, so that event's DTSTART and DTEND are written in UTC.
- UIDs come from agent_id and the shift's start instant: re-importing an updated plan replaces
  the events that kept their start instead of duplicating them. Team events use a different
  UID prefix, so importing both an agent's file and the team file never merges the two.
- SEQUENCE counts minutes since 2020-01-01 UTC at export time: later exports must carry a
  higher SEQUENCE for Outlook and Apple Calendar to accept them as updates, and wfm keeps no
  state between runs to count revisions with.
- DESCRIPTION tells the shift in the agent's local clock as its queue blocks (a run on one
  queue; a break or lunch inside it does not end it), one line with the blocks joined by " · ",
  the number of queue switches, then each block with the breaks and lunch inside it indented
  under it, because that is how a person reads their day.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import pandas as pd

from wfm import __version__
from wfm.errors import InputError
from wfm.planfiles import OFF_QUEUE, Activity, QueueBlock, Shift, roster_shifts

PRODID = f"-//wfm//wfm {__version__}//EN"
TEAM_FILE = "team.ics"

_SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")
# Names Windows refuses whatever the extension; "team" is taken by the team calendar.
_RESERVED_STEMS = frozenset(
    {"con", "prn", "aux", "nul", "team"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


# --------------------------------------------------------------------------- agents


class AgentLike(Protocol):
    """What the exports need from an agent; `wfm.workspace.AgentConfig` satisfies it."""

    @property
    def agent_id(self) -> str: ...

    @property
    def timezone(self) -> str: ...

    @property
    def name(self) -> str | None: ...

    @property
    def max_hours_week(self) -> float | None: ...


@dataclass(frozen=True)
class AgentInfo:
    """An agent as the exports see it: id, IANA zone, display name, paid-hours cap."""

    agent_id: str
    timezone: str
    name: str | None = None
    max_hours_week: float | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def label(self) -> str:
        """`Name (id)` when a display name exists, else the id: unique because ids are."""
        return f"{self.name} ({self.agent_id})" if self.name else self.agent_id


AgentTuple = tuple[str, str | None, float | None]
Agents = Mapping[str, AgentLike | AgentTuple] | Iterable[AgentLike]
"""Agents as callers hold them: a mapping agent_id → (timezone, name, max_hours_week) or
agent_id → AgentLike, or a sequence of AgentLike (e.g. the workspace's AgentConfig list)."""


def agent_infos(agents: Agents) -> dict[str, AgentInfo]:
    """Normalise any accepted agents shape to agent_id → AgentInfo, checking every zone."""
    infos: dict[str, AgentInfo] = {}
    if isinstance(agents, Mapping):
        for key, value in agents.items():
            if isinstance(value, tuple | list):
                if len(value) != 3:
                    raise InputError(f"agents: agent {key!r}: expected (timezone, name, max_hours_week), got {value!r}")
                info = _normalised(str(key), value[0], value[1], value[2])
            else:
                info = _info_from(value)
                if info.agent_id != str(key):
                    raise InputError(f"agents: key {key!r} holds agent {info.agent_id!r} (the mapping must be keyed by agent_id)")
            infos[info.agent_id] = _checked(info)
    else:
        for agent in agents:
            info = _checked(_info_from(agent))
            if info.agent_id in infos:
                raise InputError(f"agents: agent_id {info.agent_id!r} appears twice (ids must be unique)")
            infos[info.agent_id] = info
    return infos


def _info_from(agent: AgentLike) -> AgentInfo:
    if isinstance(agent, AgentInfo):
        return agent
    return _normalised(str(agent.agent_id), agent.timezone, agent.name, agent.max_hours_week)


def _normalised(agent_id: str, timezone: object, name: object, cap: object) -> AgentInfo:
    # Agents often come from a CSV frame, where a blank name or cap arrives as NaN, not None.
    blank_name = name is None or (isinstance(name, float) and math.isnan(name)) or str(name).strip() == ""
    bad_cap = InputError(f"agents: agent {agent_id!r}, max_hours_week: expected hours, got {cap!r}")
    cap_hours: float | None = None
    if cap is not None:
        if not isinstance(cap, int | float | str):
            raise bad_cap
        try:
            cap_hours = float(cap)
        except ValueError as exc:
            raise bad_cap from exc
        if math.isnan(cap_hours):
            cap_hours = None
    return AgentInfo(agent_id, str(timezone), None if blank_name else str(name), cap_hours)


def _checked(info: AgentInfo) -> AgentInfo:
    try:
        ZoneInfo(info.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(
            f"agents: agent {info.agent_id!r}, timezone: expected an IANA zone, got {info.timezone!r} (e.g. 'Europe/Madrid')"
        ) from exc
    return info


# --------------------------------------------------------------------------- plan week and clocks


def plan_week_start(plan_week: date | str) -> date:
    """The plan week's Monday as a date; accepts a date, a datetime or an ISO date string."""
    if isinstance(plan_week, datetime):
        day = plan_week.date()
    elif isinstance(plan_week, date):
        day = plan_week
    else:
        try:
            day = date.fromisoformat(str(plan_week))
        except ValueError as exc:
            raise InputError(f"plan week: expected a date like 2026-11-30, got {plan_week!r}") from exc
    if day.weekday() != 0:
        raise InputError(f"plan week: expected a Monday, got {day.isoformat()} ({day:%A})")
    return day


def wall_time_is_exact(instant: datetime, zone: tzinfo) -> bool:
    """True when the local wall time of `instant` names that instant and no other.

    False in the repeated hour of a fall-back (two instants share the wall time) and for
    wall times a spring-forward skips; a TZID time in iCalendar cannot carry `fold`.
    """
    wall = instant.astimezone(zone).replace(tzinfo=None)
    return wall.replace(tzinfo=zone, fold=0).utcoffset() == wall.replace(tzinfo=zone, fold=1).utcoffset()


# --------------------------------------------------------------------------- calendars


def agent_calendar(
    agent: AgentLike,
    roster_rows: pd.DataFrame,
    plan_week: date | str,
    *,
    stamp: datetime | None = None,
) -> icalendar.Calendar:
    """One agent's week: a VEVENT per shift in the agent's zone, with that zone's VTIMEZONE.

    `roster_rows` are that agent's roster rows; rows of another agent are an error (they
    would silently put someone else's shifts in this person's calendar).
    """
    info = _checked(_info_from(agent))
    by_agent = roster_shifts(roster_rows)
    others = sorted(set(by_agent) - {info.agent_id})
    if others:
        raise InputError(
            f"agent calendar {info.agent_id!r}: roster rows of other agents {others[:3]} (pass only this agent's rows)"
        )
    return _agent_calendar(info, by_agent.get(info.agent_id, []), plan_week_start(plan_week), _stamp(stamp))


def team_calendar(
    roster: pd.DataFrame,
    agents: Agents,
    plan_week: date | str,
    *,
    stamp: datetime | None = None,
) -> icalendar.Calendar:
    """Every shift of the week, each in its agent's zone; SUMMARY starts with the agent's name."""
    infos = agent_infos(agents)
    shifts = known_agent_shifts(roster, infos)
    return _team_calendar(infos, shifts, plan_week_start(plan_week), _stamp(stamp))


@dataclass(frozen=True)
class CalendarFiles:
    """What `write_calendars` wrote: the team file and agent_id → that agent's file."""

    team: Path
    agents: dict[str, Path]


def write_calendars(
    directory: str | os.PathLike[str],
    roster: pd.DataFrame,
    agents: Agents,
    plan_week: date | str,
    *,
    stamp: datetime | None = None,
) -> CalendarFiles:
    """Write `DIRECTORY/calendars/` with one file per agent (shifts or not) and `team.ics`.

    Every calendar is built before anything touches the disk, then the folder is written
    beside the old one and swapped in: a failure leaves a previous plan's calendars intact,
    and calendars of agents no longer in the plan do not linger.
    """
    infos = agent_infos(agents)
    week = plan_week_start(plan_week)
    stamp_utc = _stamp(stamp)
    shifts = known_agent_shifts(roster, infos)
    names = calendar_file_names(infos)

    files = {TEAM_FILE: _team_calendar(infos, shifts, week, stamp_utc).to_ical()}
    for agent_id, info in infos.items():
        calendar = _agent_calendar(info, shifts.get(agent_id, []), week, stamp_utc)
        files[names[agent_id]] = calendar.to_ical()

    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    target = root / "calendars"
    staging = root / f".calendars.tmp-{uuid.uuid4().hex[:12]}"
    staging.mkdir()
    try:
        for file_name, content in files.items():
            (staging / file_name).write_bytes(content)
        if target.exists():
            retired = root / f".calendars.old-{uuid.uuid4().hex[:12]}"
            target.rename(retired)
            try:
                staging.rename(target)
            except BaseException:
                retired.rename(target)
                raise
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return CalendarFiles(team=target / TEAM_FILE, agents={agent_id: target / names[agent_id] for agent_id in infos})


def calendar_file_names(agent_ids: Iterable[str]) -> dict[str, str]:
    """agent_id → a file name safe on Linux, macOS and Windows, unique ignoring case.

    Plain ids (ASCII letters, digits, `._-`, not a reserved name) keep their own name, so
    planners find `A017.ics`; any other id, or ids that clash ignoring case, get a readable
    part plus a hash of the id so two ids never share a file.
    """
    ids = list(dict.fromkeys(agent_ids))
    stems = {agent_id: _plain_stem(agent_id) or _hashed_stem(agent_id) for agent_id in ids}
    by_folded: dict[str, list[str]] = {}
    for agent_id, stem in stems.items():
        by_folded.setdefault(stem.casefold(), []).append(agent_id)
    for clashing in by_folded.values():
        if len(clashing) > 1:
            for agent_id in clashing:
                stems[agent_id] = _hashed_stem(agent_id)
    if len({stem.casefold() for stem in stems.values()}) != len(stems):
        raise InputError("calendars: two agent ids map to the same file name (rename one of them)")
    return {agent_id: f"{stem}.ics" for agent_id, stem in stems.items()}


def _plain_stem(agent_id: str) -> str | None:
    if not _SAFE_NAME.fullmatch(agent_id) or agent_id.endswith("."):
        return None
    if agent_id.split(".")[0].casefold() in _RESERVED_STEMS:
        return None
    return agent_id


def _hashed_stem(agent_id: str) -> str:
    readable = _UNSAFE_RUN.sub("_", agent_id).strip("._-")[:40] or "agent"
    digest = hashlib.sha256(agent_id.encode("utf-8")).hexdigest()[:10]
    return f"{readable}-{digest}"


def known_agent_shifts(roster: pd.DataFrame, infos: Mapping[str, AgentInfo]) -> dict[str, list[Shift]]:
    """The roster's shifts by agent, each agent one of `infos` (else an InputError)."""
    shifts = roster_shifts(roster)
    unknown = sorted(set(shifts) - set(infos))
    if unknown:
        raise InputError(
            f"roster: agent(s) {', '.join(map(repr, unknown[:5]))} not among the agents "
            "(every roster agent_id must appear in agents.csv)"
        )
    return shifts


def _stamp(stamp: datetime | None) -> datetime:
    if stamp is None:
        return datetime.now(UTC).replace(microsecond=0)
    if stamp.tzinfo is None:
        raise InputError(f"calendars: stamp must be timezone-aware, got {stamp.isoformat()}")
    return stamp.astimezone(UTC).replace(microsecond=0)


def _agent_calendar(info: AgentInfo, shifts: Sequence[Shift], week: date, stamp: datetime) -> icalendar.Calendar:
    calendar = _new_calendar(f"{info.name or info.agent_id}: shifts, week of {week.isoformat()}")
    # Apple and Google read X-WR-TIMEZONE as the calendar's home zone when it is subscribed.
    calendar.add("x-wr-timezone", info.timezone)
    # The agent's VTIMEZONE goes in even without shifts: RFC 5545 wants at least one component.
    _add_timezones(calendar, [info.timezone], _window(week, shifts))
    for shift in shifts:
        calendar.add_component(shift_event(info, shift, stamp, team=False))
    return calendar


def _team_calendar(
    infos: Mapping[str, AgentInfo], shifts: Mapping[str, Sequence[Shift]], week: date, stamp: datetime
) -> icalendar.Calendar:
    calendar = _new_calendar(f"Team shifts, week of {week.isoformat()}")
    every_shift = [s for agent_shifts in shifts.values() for s in agent_shifts]
    zones = sorted({info.timezone for info in infos.values()})
    _add_timezones(calendar, zones, _window(week, every_shift))
    for shift in sorted(every_shift, key=lambda s: (s.start, s.agent_id)):
        calendar.add_component(shift_event(infos[shift.agent_id], shift, stamp, team=True))
    return calendar


def event_object(info: AgentInfo, shift: Shift, week: date, event: icalendar.Event) -> icalendar.Calendar:
    """One event as a calendar object of its own, as a CalDAV server stores it: the event and its
    agent's VTIMEZONE, without METHOD (RFC 4791 section 4.1 forbids it there)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    _add_timezones(calendar, [info.timezone], _window(week, [shift]))
    calendar.add_component(event)
    return calendar


def _new_calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _window(week: date, shifts: Sequence[Shift]) -> tuple[date, date]:
    """Dates the VTIMEZONE must cover: the plan week and every shift, with a day's margin
    either side for zones up to 14 h from UTC."""
    first = week - timedelta(days=1)
    last = week + timedelta(days=8)
    if shifts:
        first = min(first, min(s.start for s in shifts).date() - timedelta(days=1))
        last = max(last, max(s.end for s in shifts).date() + timedelta(days=2))
    return first, last


@lru_cache(maxsize=256)
def _vtimezone_ical(tzid: str, first: date, last: date) -> bytes:
    # Building a VTIMEZONE walks the zone's transitions; one plan asks for the same few zones
    # hundreds of times, so cache the serialised form and parse a fresh copy per calendar.
    return icalendar.Timezone.from_tzid(tzid, first_date=first, last_date=last).to_ical()


def _add_timezones(calendar: icalendar.Calendar, tzids: Iterable[str], window: tuple[date, date]) -> None:
    for tzid in tzids:
        calendar.add_component(icalendar.Timezone.from_ical(_vtimezone_ical(tzid, *window)))


def shift_event(info: AgentInfo, shift: Shift, stamp: datetime, *, team: bool, uid: str | None = None) -> icalendar.Event:
    """One shift as a VEVENT in the agent's zone; `uid` replaces the .ics files' UID (a server's own scheme)."""
    zone = info.zone
    exact = wall_time_is_exact(shift.start, zone) and wall_time_is_exact(shift.end, zone)
    # Both ends in UTC when either is ambiguous: clients show UTC times in the viewer's zone,
    # and keeping the pair in one form avoids clients that mishandle mixed DTSTART/DTEND zones.
    event_zone: tzinfo = zone if exact else UTC

    if uid is None:
        key = f"{info.agent_id}\x00{shift.start:%Y%m%dT%H%M%SZ}".encode()
        uid = f"{'team-' if team else ''}{hashlib.sha256(key).hexdigest()[:32]}@wfm"
    queues = ", ".join(shift.queues) or "off queue"
    summary = f"{info.name or info.agent_id}: {queues}" if team else f"Shift: {queues}"

    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("sequence", int((stamp - _SEQUENCE_EPOCH) // timedelta(minutes=1)))
    event.add("dtstart", shift.start.astimezone(event_zone))
    event.add("dtend", shift.end.astimezone(event_zone))
    event.add("summary", summary)
    event.add("description", shift_description(info, shift))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("categories", ["wfm"])
    return event


def shift_description(info: AgentInfo, shift: Shift) -> str:
    """The shift as its agent reads it: local times, breaks and lunch, paid hours."""
    zone = info.zone
    start = shift.start.astimezone(zone)
    offsets = {a.start.astimezone(zone).utcoffset() for a in shift.activities} | {shift.end.astimezone(zone).utcoffset()}
    # Only name the zone abbreviation when the offset changes inside the shift: then "01:30"
    # alone would not say which of the two 01:30s is meant.
    show_zone = len(offsets) > 1

    def clock(instant: datetime) -> str:
        local = instant.astimezone(zone)
        text = f"{local:%H:%M}"
        if local.date() != start.date():
            text = f"{local:%a} {text}"
        return f"{text} {local.tzname()}" if show_zone else text

    blocks = shift.queue_blocks
    paused = {pause for block in blocks for pause in block.pauses}
    items: list[tuple[datetime, str]] = [(block.start, _block_line(block, clock)) for block in blocks]
    # Breaks and lunch that fall between two blocks (or in a shift without a queue) stand alone.
    alone = _merged([row for row in shift.activities if row.activity in OFF_QUEUE and row not in paused])
    items += [(row.start, f"{clock(row.start)}–{clock(row.end)}  {row.activity}") for row in alone]
    switches = shift.switches
    lines = [
        f"{info.label}, times in {info.timezone}",
        f"{start:%a %d %b %Y} {clock(shift.start)}–{clock(shift.end)}, paid {shift.paid_hours:.2f} h",
        " · ".join(f"{clock(block.start)}–{clock(block.end)} {block.queue}" for block in blocks) or "off queue",
        f"{switches} queue switch{'' if switches == 1 else 'es'}",
        "",
    ]
    lines += [line for _, line in sorted(items, key=lambda item: item[0])]
    return "\n".join(lines)


def _block_line(block: QueueBlock, clock: Callable[[datetime], str]) -> str:
    """`07:00–11:00  phone-en`, then each break or lunch inside the block on an indented line."""
    inside = [f"\n  {clock(pause.start)}–{clock(pause.end)}  {pause.activity}" for pause in _merged(block.pauses)]
    return f"{clock(block.start)}–{clock(block.end)}  {block.queue}" + "".join(inside)


def _merged(rows: Sequence[Activity]) -> list[Activity]:
    """Adjacent rows of one activity as one (a roster may cut a lunch per interval)."""
    merged: list[Activity] = []
    for row in rows:
        if merged and merged[-1].activity == row.activity and merged[-1].end == row.start:
            merged[-1] = Activity(row.activity, merged[-1].start, row.end)
        else:
            merged.append(row)
    return merged
