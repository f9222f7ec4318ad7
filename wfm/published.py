"""The plan already given to people for this week (`--published PLAN_DIR`, FORMATS.md 0.2): a
re-plan that keeps every shift it can, built around the roster solver rather than inside it.

- `read_published` reads and checks the folder's roster.csv (a plan of this same week), and its
  coverage.csv when present, for the requirement the published plan was made for.
- `replan` sorts the published shifts in start order. One begun before `--now` stays exactly as
  it was while its agent is in agents.csv (the past cannot change). Any other is kept when it is
  still a shift the agent may work under the new inputs (a candidate shift: availability, days
  unavailable, approved leave and the boundary with last week, which `wfm.continued` turns into
  dates) and legal beside the shifts kept before it (`wfm.roster.rules`, every rule of the week:
  rest, days off, runs of days, weekly hours, nights). The rest are dropped, each with the
  reason; one still needed goes to a stand-in near its hours (`_replace_dropped`, its own agent
  first). The kept roster is then repaired (`wfm.roster.repair_roster`): shifts are added where
  queues fall short of what the published roster gave them (or of a requirement that rose since
  it was made), then toward contracted minimums, and breaks, lunch and queues are placed: kept
  shifts with their published rows where these fit, or all anew when that serves the queues
  better (`_placements`). When no repair reaches a contracted minimum and nothing is fixed by
  `--now`, the week is planned afresh, with a note.
- `changes_frame` compares the two rosters shift by shift (changes.csv): `kept` (the same start
  and end; breaks, lunch and queues inside may be placed anew), `moved` (the agent's shift on
  that local date starts or ends at another time), `added`, `removed`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wfm.continued import Continued, requirements_less_spill, spill_coverage
from wfm.errors import InfeasibleError, InputError
from wfm.outputs import UTC_FORMAT
from wfm.planfiles import (
    BREAK,
    LUNCH,
    OFF_QUEUE,
    Shift,
    plan_agents_known,
    plan_roster_shifts,
    read_coverage,
    read_plan_roster,
    roster_shifts,
)
from wfm.roster import REPAIR_SHARE, SERVICE_TIE, RosterResult, SolveSettings, on_queue_slots, repair_roster, roster_service
from wfm.roster import candidates as cand
from wfm.roster.assign import Assignment
from wfm.roster.coverage import coverage_frame
from wfm.roster.rules import WEEK_RULES, AddedShift, Check, allows
from wfm.summary import ChangesSummary
from wfm.timegrid import local_days, local_iso, local_midnight_utc, week_bounds, week_start
from wfm.workspace import AgentConfig, Workspace

__all__ = ["CHANGES_COLUMNS", "CHANGE_KINDS", "PublishedWeek", "Replanned", "changes_frame", "read_published", "replan"]

CHANGES_COLUMNS = ("agent_id", "change", "old_start", "old_end", "new_start", "new_end", "reason")
CHANGE_KINDS = ("kept", "moved", "added", "removed")
SolverProgress = Callable[[float, float, float], None]
# A dropped shift is handed to someone who may work a shift starting at most this far from it,
# when its queues still need it for at least this many quarter hours (the published plan paid
# for the shift; the stand-in keeps the service it bought).
REPLACE_WINDOW_MINUTES = 180
REPLACE_MIN_SLOTS = 4
STAND_IN_TRIES = 3


@dataclass(frozen=True)
class PublishedWeek:
    """The published plan of the plan week: its roster rows and shifts, and what it was made for."""

    plan_dir: Path
    roster: pd.DataFrame  # roster.csv rows, start/end UTC (agents who have left included)
    shifts: dict[str, list[Shift]]  # per agent, by start
    required: pd.DataFrame | None = None  # its coverage.csv: queue, interval_start, required


@dataclass
class Replanned:
    """A re-plan of a published week: the roster, what changed (changes.csv), the summary entry."""

    result: RosterResult
    changes: pd.DataFrame
    summary: ChangesSummary


@dataclass
class _Sorted:
    """The published shifts sorted: fixed (begun before now: their rows stay), kept (with
    whether their rows still fit the profile and the agent as published), dropped (with why);
    and each agent's week so far, as the rules see it."""

    groups: list[cand.Group]
    fixed: list[Assignment] = field(default_factory=list)
    fixed_keys: set[tuple[str, dt.datetime]] = field(default_factory=set)
    kept: list[tuple[tuple[str, dt.datetime], Assignment, bool]] = field(default_factory=list)
    dropped: list[tuple[str, Shift]] = field(default_factory=list)
    reasons: dict[tuple[str, dt.datetime], str] = field(default_factory=dict)
    history: dict[str, list[cand.Shift]] = field(default_factory=dict)
    paid: dict[str, int] = field(default_factory=dict)

    def take(self, agent: AgentConfig, shift: cand.Shift) -> None:
        self.history.setdefault(agent.agent_id, []).append(shift)
        self.paid[agent.agent_id] = self.paid.get(agent.agent_id, 0) + shift.paid


def read_published(plan_dir: Path, ws: Workspace, week: dt.date) -> PublishedWeek:
    """Read `plan_dir/roster.csv` as the plan already published for `week`. A missing folder or
    file, a broken roster, no agent in common with agents.csv, or a shift outside the plan week
    is an InputError naming the file (and row and column where one is to blame)."""
    plan_dir = Path(plan_dir)
    roster = read_plan_roster(plan_dir, "published", "give the folder of the plan given to people")
    shifts = plan_roster_shifts(roster, plan_dir, "published")
    source = f"{plan_dir.name}/roster.csv"
    if not shifts:
        raise InputError(
            f"{source}: no shifts, so nothing to keep (plan the week without {{published}})", published="a published plan"
        )
    plan_agents_known(shifts, {agent.agent_id for agent in ws.agents}, plan_dir)
    first, stop = week_bounds(week)
    for agent_id, mine in shifts.items():
        for shift in mine:
            if not first <= shift.start < stop:
                row = int(((roster["agent_id"] == agent_id) & (roster["start"] == shift.start)).to_numpy().argmax()) + 2
                raise InputError(
                    f"{source} row {row}, column start: expected a shift of the plan week {first:%Y-%m-%d} to"
                    f" {stop - dt.timedelta(days=1):%Y-%m-%d}, got {shift.start:%Y-%m-%dT%H:%MZ}"
                    " (published: give the plan of this same week)"
                )
    required = None
    if (plan_dir / "coverage.csv").is_file():
        try:
            required = read_coverage(plan_dir / "coverage.csv")[["queue", "interval_start", "required"]]
        except InputError as exc:
            raise InputError(f"published {plan_dir.name}/{exc}") from None
    return PublishedWeek(plan_dir, roster, shifts, required)


def replan(
    continued: Continued,
    published: PublishedWeek,
    *,
    settings: SolveSettings,
    progress: SolverProgress | None = None,
    forecast_error: Mapping[str, float] | None = None,
    now: dt.datetime | None = None,
) -> Replanned:
    """The published roster kept where it still may be and repaired (see the module docstring).

    Placements of the same shifts are scored (`_placements`): the kept shifts with their
    published rows wherever these still fit, and every kept shift placed anew (breaks, lunch
    and queues where the changed roster needs them). The most stable one within `SERVICE_TIE`
    of the best share of intervals on target (`wfm.roster.roster_service`) is chosen."""
    ws, week = continued.workspace, continued.week
    not_before = 0 if now is None else max(0, math.ceil((now - week_start(week)).total_seconds() / 60))
    sorted_ = _sort_shifts(ws, week, published, continued, not_before)
    rows = _shift_rows(published.roster)
    rise = _rise(continued.required, published.required, ws, week)
    fixed = _among(rows, sorted_.fixed_keys)
    kept = _among(rows, {key for key, _, _ in sorted_.kept})
    allowance = _plus(on_queue_slots(rows[~fixed], week), rise)
    demand = _less(continued, rows[fixed])
    covered = on_queue_slots(rows[kept], week)
    zero = np.zeros(cand.WEEK_SLOTS)
    need = {
        q.name: np.minimum(_per_slot(demand[demand["queue"] == q.name], "agents", week), allowance.get(q.name, zero))
        - covered.get(q.name, zero)
        for q in ws.queues
    }
    stand_ins, stand_in_rows = _replace_dropped(sorted_, need, ws, week, not_before)
    notes: list[str] = []
    try:
        options = [
            _placement(
                continued, sorted_, rows, stand_ins, stand_in_rows, rise, stays, name, not_before, settings, forecast_error
            )
            for name, stays in _placements(sorted_)
        ]
    except InfeasibleError as exc:
        if sorted_.fixed:
            raise
        notes.append(f"published: keeping its shifts, {'; '.join(exc.reasons) or exc}; the week was planned afresh")
        options = [continued.build(settings, progress, forecast_error)]
    top = max(roster_service(option.coverage) for option in options)
    best = next(option for option in options if roster_service(option.coverage) >= top - SERVICE_TIE)
    if len(options) > 1:
        best.solver["placements"] = {
            str(option.solver["placement"]): round(roster_service(option.coverage), 4) for option in options
        }
    changes = changes_frame(published.shifts, best.roster, ws, week, sorted_.reasons)
    gone = sorted(set(published.shifts) - {agent.agent_id for agent in ws.agents})
    if gone:
        notes.append(f"published: {len(gone)} agent(s) no longer in agents.csv, their shifts removed ({', '.join(gone)})")
    counts = {kind: int((changes["change"] == kind).sum()) for kind in CHANGE_KINDS}
    unchanged = int(((changes["change"] == "kept") & (changes["reason"] == "")).sum())
    summary = ChangesSummary.model_validate(
        {**counts, "kept_as_published": unchanged, "plan_dir": str(published.plan_dir.resolve()), "notes": notes}
    )
    solver = {**best.solver, "notes": [*best.solver.get("notes", []), *notes]}
    return Replanned(RosterResult(best.roster, best.coverage, solver), changes, summary)


def _placements(sorted_: _Sorted) -> list[tuple[str, set[tuple[str, dt.datetime]]]]:
    """The placements tried, most stable first, each named with the kept shifts whose rows stay
    as published: every one that fits, then none. (Placing anew only the shifts near the
    changes was tried and dropped: the requirements less the rows kept, which the placement
    then sees, misjudge email, whose work waits for later hours, and its service fell.)"""
    fits = {key for key, _, fit in sorted_.kept if fit}
    anew: list[tuple[str, set[tuple[str, dt.datetime]]]] = [("kept shifts placed anew", set())]
    return ([("kept shifts as published where they fit", fits)] if fits else []) + anew


def _placement(
    continued: Continued,
    sorted_: _Sorted,
    rows: pd.DataFrame,
    stand_ins: list[Assignment],
    stand_in_rows: pd.DataFrame,
    rise: Mapping[str, np.ndarray],
    stays: set[tuple[str, dt.datetime]],
    name: str,
    not_before: int,
    settings: SolveSettings,
    forecast_error: Mapping[str, float] | None,
) -> RosterResult:
    """The repaired roster (`repair_roster`) with the rows of the kept shifts `stays` names as
    published, the other kept shifts placed anew; shifts begun before now keep their rows
    either way. Its coverage counts last week's spill-over against the full requirements."""
    ws, week = continued.workspace, continued.week
    placed = _among(rows, sorted_.fixed_keys | stays)
    anew = [assignment for key, assignment, _ in sorted_.kept if key not in stays]
    placed_rows = _local_times(rows[placed].drop(columns="key"), ws)
    result = repair_roster(
        ws,
        _less(continued, placed_rows),
        week,
        [*anew, *stand_ins],
        pd.concat([rows[~placed & _among(rows, {k for k, _, _ in sorted_.kept})].drop(columns="key"), stand_in_rows]),
        allowance=_plus(on_queue_slots(rows[~placed], week), rise),
        placed=[*sorted_.fixed, *(a for key, a, _ in sorted_.kept if key in stays)],
        not_before=not_before,
        settings=settings,
        forecast_error=forecast_error,
    )
    roster = pd.concat([result.roster, placed_rows[list(result.roster.columns)]], ignore_index=True)
    roster = roster.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)
    return RosterResult(roster, _coverage(continued, roster), {**result.solver, "placement": name})


def _local_times(rows: pd.DataFrame, ws: Workspace) -> pd.DataFrame:
    """Rows kept as published, their local columns written afresh from start and end in the
    agent's clock (a hand-edited roster may have let them drift apart)."""
    zones = {agent.agent_id: agent.timezone for agent in ws.agents}
    out = rows.copy()
    for column, source in (("start_local", "start"), ("end_local", "end")):
        out[column] = [local_iso(t.to_pydatetime(), zones[str(a)]) for a, t in zip(out["agent_id"], out[source], strict=True)]
    return out


def _among(rows: pd.DataFrame, keys: set[tuple[str, dt.datetime]]) -> np.ndarray:
    """Which rows (`_shift_rows`) belong to the shifts `keys` name."""
    return np.array([key in keys for key in rows["key"]], dtype=bool)


def _less(continued: Continued, rows: pd.DataFrame) -> pd.DataFrame:
    """The roster's requirements once `rows` (shifts that stay as they are) are on their queues."""
    if rows.empty:
        return continued.demand
    return requirements_less_spill(continued.demand, rows, continued.workspace, continued.week)


def _sort_shifts(ws: Workspace, week: dt.date, published: PublishedWeek, continued: Continued, not_before: int) -> _Sorted:
    """Each agent's published shifts in start order: fixed (begun before `not_before`), kept
    (a candidate shift legal beside those kept before it) or dropped, with why."""
    origin = week_start(week)
    out = _Sorted(cand.make_groups(ws.agents, ws.rules, week))
    for group in out.groups:
        by_time = {(shift.start, shift.length): shift for shift in group.shifts}
        for agent in group.agents:
            for shift in published.shifts.get(agent.agent_id, []):
                key = (agent.agent_id, shift.start)
                start = int((shift.start - origin).total_seconds() // 60)
                length = int((shift.end - shift.start).total_seconds() // 60)
                candidate = by_time.get((start, length))
                if start < not_before:
                    own = candidate or _fixed_shift(agent, shift, start, length, ws, week)
                    out.fixed.append(Assignment(agent, own))
                    out.fixed_keys.add(key)
                else:
                    history = out.history.get(agent.agent_id, [])
                    why = _why_not(agent, shift, candidate, history, out.paid.get(agent.agent_id, 0), group, ws, continued)
                    if why or candidate is None:
                        out.reasons[key] = why
                        out.dropped.append((agent.agent_id, shift))
                        continue
                    own = candidate
                    out.kept.append((key, Assignment(agent, own), _rows_fit(shift, agent, ws)))
                out.take(agent, own)
    for agent_id in sorted(set(published.shifts) - {agent.agent_id for agent in ws.agents}):
        for shift in published.shifts[agent_id]:
            out.reasons[(agent_id, shift.start)] = "no longer in agents.csv"
            out.dropped.append((agent_id, shift))
    return out


def _replace_dropped(
    sorted_: _Sorted, need: dict[str, np.ndarray], ws: Workspace, week: dt.date, not_before: int
) -> tuple[list[Assignment], pd.DataFrame]:
    """Each dropped shift whose queues still need it (`need`: agents short per queue and slot)
    for `REPLACE_MIN_SLOTS` quarter hours, handed to someone who may legally work a shift
    starting within `REPLACE_WINDOW_MINUTES` of it (`_stand_in`): the shifts taken, and the
    dropped shifts' queue rows moved onto them (the queues they are placed by). `need` is
    brought down by each."""
    origin = pd.Timestamp(week_start(week))
    deferred = {queue.name for queue in ws.queues if queue.is_deferred}
    taken: list[Assignment] = []
    moved: list[dict[str, Any]] = []
    for agent_id, shift in sorted(sorted_.dropped, key=lambda item: (item[1].start, item[0])):
        start = int((shift.start - origin.to_pydatetime()).total_seconds() // 60)
        if start < not_before:
            continue
        slots = _queue_slots(shift, origin)
        # Email's work waits for whoever is on it later: the dropped shift's email time is all wanted.
        wanted = {
            q: [t for t in ts if t < cand.WEEK_SLOTS and (q in deferred or need[q][t] > 0.5)]
            for q, ts in slots.items()
            if q in need
        }
        total = sum(len(ts) for ts in wanted.values())
        if total < REPLACE_MIN_SLOTS:
            continue
        found = _stand_in(
            sorted_, wanted, total, agent_id, start, int((shift.end - shift.start).total_seconds() // 60), ws, not_before
        )
        if found is None:
            continue
        agent, own, skills = found
        sorted_.take(agent, own)
        taken.append(Assignment(agent, own))
        for q in skills:
            need[q][wanted.get(q, [])] -= 1
        offset = pd.Timedelta(minutes=own.start - start)
        low, high = origin + pd.Timedelta(minutes=own.start), origin + pd.Timedelta(minutes=own.end)
        for row in shift.activities:
            first, last = max(pd.Timestamp(row.start) + offset, low), min(pd.Timestamp(row.end) + offset, high)
            if row.activity in skills and first < last:
                moved.append({"agent_id": agent.agent_id, "activity": row.activity, "start": first, "end": last})
    frame = pd.DataFrame(moved, columns=["agent_id", "activity", "start", "end"])
    return taken, frame.assign(start=pd.to_datetime(frame["start"], utc=True), end=pd.to_datetime(frame["end"], utc=True))


def _stand_in(
    sorted_: _Sorted,
    wanted: Mapping[str, Sequence[int]],
    total: int,
    owner: str,
    start: int,
    length: int,
    ws: Workspace,
    not_before: int,
) -> tuple[AgentConfig, cand.Shift, tuple[str, ...]] | None:
    """Who takes a dropped shift: the agent whose skills reach most of its `wanted` slots (at
    least `REPAIR_SHARE` of all `total` of them), then its own agent before others (a
    moved shift changes one person's week, not two), the nearest start and length, the fewest
    paid hours so far; each agent with its nearest legal candidate shift (`rules.allows`)."""
    best: tuple[tuple[Any, ...], AgentConfig, cand.Shift, tuple[str, ...]] | None = None
    for group in sorted_.groups:
        gain = sum(len(wanted.get(q, ())) for q in group.skills)
        if not total or gain < REPAIR_SHARE * total or (best is not None and -gain > best[0][0]):
            continue
        options = sorted(
            (s for s in group.shifts if abs(s.start - start) <= REPLACE_WINDOW_MINUTES and s.start >= not_before),
            key=lambda s: (abs(s.start - start), abs(s.length - length), s.start),
        )
        found = 0
        for agent in sorted(group.agents, key=lambda a: (a.agent_id != owner, sorted_.paid.get(a.agent_id, 0), a.agent_id)):
            history, paid = sorted_.history.get(agent.agent_id, []), sorted_.paid.get(agent.agent_id, 0)
            own = next((s for s in options if allows(history, s, paid, group, ws.rules)), None)
            if own is None:
                continue
            key = (-gain, agent.agent_id != owner, abs(own.start - start), abs(own.length - length), paid, agent.agent_id)
            if best is None or key < best[0]:
                best = (key, agent, own, group.skills)
            found += 1
            # Agents of a group are alike but for their weeks so far: a few that can are enough.
            if found >= STAND_IN_TRIES or key[2:4] == (0, 0):
                break
    return None if best is None else best[1:]


def _queue_slots(shift: Shift, origin: pd.Timestamp) -> dict[str, list[int]]:
    """The 15-minute slots of the week a shift spends on each queue."""
    out: dict[str, list[int]] = {}
    for row in shift.activities:
        if row.activity in OFF_QUEUE:
            continue
        first = int((pd.Timestamp(row.start) - origin) // pd.Timedelta(minutes=cand.SLOT_MINUTES))
        last = int((pd.Timestamp(row.end) - origin) // pd.Timedelta(minutes=cand.SLOT_MINUTES))
        out.setdefault(row.activity, []).extend(range(max(first, 0), last))
    return out


def _why_not(
    agent: AgentConfig,
    shift: Shift,
    candidate: cand.Shift | None,
    history: Sequence[cand.Shift],
    paid: int,
    group: cand.Group,
    ws: Workspace,
    continued: Continued,
) -> str:
    """Why a published shift cannot be kept ("" when it can): by rule name where one is to blame."""
    if candidate is None:
        day = shift.local_start_date(agent.zone)
        if day in continued.leave.get(agent.agent_id, set()):
            return "leave: approved leave in requests.csv"
        if day in continued.boundary.get(agent.agent_id, set()):
            return "min_rest/max_consecutive_days: the boundary with last week's plan"
        if agent.unavailable_on(day):
            return "days_unavailable: agents.csv"
        return "not a shift the agent may work now (availability, shift lengths, start grid or daily hours)"
    for rule in WEEK_RULES:
        check = Check()
        rule(check, AddedShift(history, candidate, paid), group, ws.rules)
        if not check.ok:
            return f"{rule.__name__}: beside the shifts kept before it"
    return ""


def _rows_fit(shift: Shift, agent: AgentConfig, ws: Workspace) -> bool:
    """Whether a published shift's rows still fit the profile and the agent as they are: every
    queue row on one of the agent's queues; the breaks and the lunch its length needs, of the
    profile's minutes, neither opening nor closing it, lunch within `lunch_after_hours`; with
    `[blocks]`, its queue blocks long enough and few enough. Otherwise it is placed anew."""
    rules = ws.rules
    rows = shift.activities
    queues = {queue.name for queue in ws.queues} & set(agent.skills)
    if rows[0].activity in OFF_QUEUE or rows[-1].activity in OFF_QUEUE:
        return False
    if any(row.activity not in OFF_QUEUE and row.activity not in queues for row in rows):
        return False
    hours = (shift.end - shift.start).total_seconds() / 3600
    breaks = [row for row in rows if row.activity == BREAK]
    lunches = [row for row in rows if row.activity == LUNCH]
    if len(breaks) != rules.breaks_for(hours) or any(row.minutes != rules.breaks.break_minutes for row in breaks):
        return False
    lunch = rules.lunch_minutes_for(hours)
    if len(lunches) != (1 if lunch else 0) or any(row.minutes != lunch for row in lunches):
        return False
    low, high = (hours_after * 60 for hours_after in rules.breaks.lunch_after_hours)
    if any(not low <= (row.start - shift.start).total_seconds() / 60 <= high for row in lunches):
        return False
    if rules.blocks is None:
        return True
    blocks = shift.queue_blocks
    short = len(blocks) > 1 and any(block.on_queue_minutes < rules.blocks.min_minutes for block in blocks)
    return shift.switches <= rules.blocks.max_switches and not short


def _fixed_shift(agent: AgentConfig, shift: Shift, start: int, length: int, ws: Workspace, week: dt.date) -> cand.Shift:
    """A shift begun before now that no candidate matches (the inputs changed since), in the
    roster's terms, so the rules of the week count it as it was worked."""
    rules = ws.rules
    day = shift.local_start_date(agent.zone)
    midnight = local_midnight_utc(agent.timezone, day)
    lunch = sum((a.end - a.start).total_seconds() // 60 for a in shift.activities if a.activity == LUNCH)
    nights = cand.night_windows(agent.timezone, week, rules.nights.window_start_hour, rules.nights.window_end_hour)
    return cand.Shift(
        day=min(max((day - local_days(agent.timezone, week)[0]).days, 0), cand.DAYS - 1),
        start=start,
        length=length,
        paid=int(length - lunch),
        night=cand.is_night(start, start + length, nights),
        band=int((shift.start - midnight).total_seconds() // 60) // cand.band_minutes(rules),
    )


def _shift_rows(roster: pd.DataFrame) -> pd.DataFrame:
    """Roster rows with `key`: (agent_id, start of the shift the row belongs to)."""
    rows = roster.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)
    opens = (rows["agent_id"] != rows["agent_id"].shift()) | (rows["start"] != rows["end"].shift())
    first = rows["start"].where(opens).ffill()
    rows["key"] = [(str(a), s.to_pydatetime()) for a, s in zip(rows["agent_id"], first, strict=True)]
    return rows


def _per_slot(rows: pd.DataFrame, column: str, week: dt.date) -> np.ndarray:
    """One queue's per-interval figure over the 15-minute slots of the week (an interval's
    figure holds for each of its slots)."""
    if rows.empty:
        return np.zeros(cand.WEEK_SLOTS)
    grid = pd.date_range(week_start(week), periods=cand.WEEK_SLOTS, freq=f"{cand.SLOT_MINUTES}min")
    series = rows.drop_duplicates("interval_start").set_index("interval_start")[column].sort_index().astype(float)
    return series.reindex(grid, method="ffill").fillna(0.0).to_numpy()


def _rise(required: pd.DataFrame, before: pd.DataFrame | None, ws: Workspace, week: dt.date) -> dict[str, np.ndarray]:
    """Per queue and slot, how many agents more the requirement asks now than when the published
    plan was made (its coverage.csv `required`); nothing is known to have risen without it."""
    if before is None:
        return {}
    return {
        queue.name: np.maximum(
            _per_slot(required[required["queue"] == queue.name], "agents", week)
            - _per_slot(before[before["queue"] == queue.name], "required", week),
            0.0,
        )
        for queue in ws.queues
    }


def _plus(first: Mapping[str, np.ndarray], second: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    out = {name: values.astype(float).copy() for name, values in first.items()}
    for name, values in second.items():
        out[name] = out.get(name, np.zeros(len(values))) + values
    return out


def _coverage(continued: Continued, roster: pd.DataFrame) -> pd.DataFrame:
    """coverage.csv of the re-planned roster (with last week's spill-over) against the full requirements."""
    ws, week = continued.workspace, continued.week
    if continued.spill is not None and not continued.spill.empty:
        return spill_coverage(ws, roster, continued.spill, continued.required, week)
    return coverage_frame(
        roster, continued.required, ws.queues, week, ws.plan.interval_minutes, occupancy=ws.rules.service.max_occupancy
    )


def changes_frame(
    old: Mapping[str, Sequence[Shift]],
    roster: pd.DataFrame,
    ws: Workspace,
    week: dt.date,
    reasons: Mapping[tuple[str, dt.datetime], str] | None = None,
) -> pd.DataFrame:
    """changes.csv: every published shift and every shift of the new roster's week, per agent.
    `kept`: a new shift with the same start and end (`reason` says when its rows differ);
    `moved`: an old and a new shift of the agent on the same local date; the old shifts left
    are `removed`, the new ones `added`. `reason` says why a published shift could not stay
    (moved or removed)."""
    first, stop = week_bounds(week)
    new = {agent_id: [s for s in mine if first <= s.start < stop] for agent_id, mine in roster_shifts(roster).items()}
    zones = {agent.agent_id: agent.zone for agent in ws.agents}
    why = reasons or {}
    rows: list[dict[str, Any]] = []
    for agent_id in sorted(set(old) | set(new)):
        after = {(s.start, s.end): s for s in new.get(agent_id, [])}
        left: list[Shift] = []
        for shift in old.get(agent_id, []):
            same = after.pop((shift.start, shift.end), None)
            if same is not None:
                moved = "" if same.blocks == shift.blocks else "the same hours; breaks, lunch or queues placed anew"
                rows.append(_change(agent_id, "kept", shift, same, moved))
            else:
                left.append(shift)
        zone = zones.get(agent_id)
        added = sorted(after.values(), key=lambda s: s.start)
        for shift in left:
            same_day = [s for s in added if zone is not None and s.local_start_date(zone) == shift.local_start_date(zone)]
            if same_day:
                added.remove(same_day[0])
                rows.append(_change(agent_id, "moved", shift, same_day[0], why.get((agent_id, shift.start), "")))
            else:
                rows.append(_change(agent_id, "removed", shift, None, why.get((agent_id, shift.start), "")))
        rows.extend(_change(agent_id, "added", None, shift) for shift in added)
    frame = pd.DataFrame(rows, columns=list(CHANGES_COLUMNS))
    order = frame["old_start"].where(frame["old_start"] != "", frame["new_start"])
    return (
        frame.assign(_order=order)
        .sort_values(["agent_id", "_order"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def _change(agent_id: str, kind: str, old: Shift | None, new: Shift | None, reason: str = "") -> dict[str, Any]:
    def text(instant: dt.datetime | None) -> str:
        return "" if instant is None else instant.astimezone(dt.UTC).strftime(UTC_FORMAT)

    return {
        "agent_id": agent_id,
        "change": kind,
        "old_start": text(old.start if old else None),
        "old_end": text(old.end if old else None),
        "new_start": text(new.start if new else None),
        "new_end": text(new.end if new else None),
        "reason": reason,
    }
