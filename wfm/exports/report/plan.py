"""The plan page: report.html of `wfm plan`, the page a planner opens after planning a week.

`build_report` lays out the sections, top to bottom: headline KPIs; required vs scheduled
agents per queue; predicted service level as a day × time-of-day heat map per queue; the roster
as a Gantt chart that switches between UTC and each site's clock; paid hours against each
agent's cap; nights and weekend days per agent; queue switches per agent; simulated vs
predicted service level when the summary carries a simulation; requests.csv judged (granted
and denied per kind, each denied wish), the previous week's boundary, and the changes from
the published plan (per agent) when the summary carries them. The charts are drawn in
`wfm.exports.report.plan_charts`; `AgentWeek` is one agent's week as those charts read it.

Shifts, nights and queue blocks come from `wfm.planfiles.Shift`, with the profile's `[nights]`
window, so the charts agree with summary.json and `wfm check`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from wfm.errors import InputError
from wfm.exports.calendars import AgentInfo, Agents, agent_infos, known_agent_shifts, plan_week_start
from wfm.exports.report.changes import changes_section
from wfm.exports.report.page import (
    Level,
    Page,
    checked_frame,
    esc,
    gap_level,
    legend,
    num,
    pct,
    queue_colours,
    service_level_level,
    share_level,
    solver_level,
    table,
)
from wfm.exports.report.plan_charts import (
    coverage_figure,
    gantt_figure,
    heatmap_figure,
    nights_figure,
    paid_hours_figure,
    simulation_figure,
    switches_figure,
)
from wfm.planfiles import Shift
from wfm.rules import Nights
from wfm.summary import PlanSummary, PreviousSummary, RequestsSummary, SimulationSummary, parse_summary

COVERAGE_COLUMNS = ("queue", "interval_start", "required", "scheduled", "service_level")
"""What the page reads of coverage.csv (`wfm.planfiles.COVERAGE_COLUMNS` has them all)."""
REQUIREMENTS_COLUMNS = ("queue", "interval_start", "contacts")
"""What the page reads of requirements.csv: the forecast contacts behind the coverage chart."""


@dataclass(frozen=True)
class AgentWeek:
    """One agent's week as the report shows it, computed from the roster in the agent's clock."""

    info: AgentInfo
    shifts: tuple[Shift, ...]
    nights_rule: Nights

    @property
    def paid_hours(self) -> float:
        return sum(s.paid_hours for s in self.shifts)

    @property
    def nights(self) -> int:
        return sum(s.is_night(self.info.zone, self.nights_rule) for s in self.shifts)

    @property
    def weekend_days(self) -> int:
        zone = self.info.zone
        return len({s.local_start_date(zone) for s in self.shifts if s.is_weekend(zone)})

    @property
    def switches(self) -> int:
        """Queue switches over the week's shifts (`Shift.switches`)."""
        return sum(s.switches for s in self.shifts)

    @property
    def worst_switches(self) -> int:
        """The most queue switches in one shift (0 without shifts)."""
        return max((s.switches for s in self.shifts), default=0)

    @property
    def over_cap(self) -> bool:
        cap = self.info.max_hours_week
        return cap is not None and self.paid_hours > cap + 1e-6


def agent_weeks(roster: pd.DataFrame, agents: Agents, *, nights: Nights) -> list[AgentWeek]:
    """Every agent (with shifts or not), ordered by site then id, as the report's charts list
    them; `nights` is the profile's `[nights]` (its window decides which shifts are nights)."""
    infos = agent_infos(agents)
    shifts = known_agent_shifts(roster, infos)
    ordered = sorted(infos.values(), key=lambda i: (i.timezone, i.agent_id))
    return [AgentWeek(info, tuple(shifts.get(info.agent_id, [])), nights) for info in ordered]


def build_report(
    roster: pd.DataFrame,
    coverage: pd.DataFrame,
    summary: Mapping[str, Any] | PlanSummary,
    agents: Agents,
    plan_week: date | str,
    requirements: pd.DataFrame | None = None,
    title: str = "wfm weekly plan",
    *,
    nights: Nights,
    changes: pd.DataFrame | None = None,
) -> str:
    """The weekly plan as one self-contained HTML page (see the module docstring).

    `nights` is the rules profile's `[nights]`: the night chart counts shifts that overlap its
    window, as summary.json and `wfm check` do. `changes` (changes.csv rows) lists, per agent,
    what a re-plan of a published week changed, when the summary has "changes".
    """
    plan = parse_summary(summary)
    week = plan_week_start(plan_week)
    weeks = agent_weeks(roster, agents, nights=nights)
    cov = checked_frame(coverage, COVERAGE_COLUMNS, "coverage")
    req = checked_frame(requirements, REQUIREMENTS_COLUMNS, "requirements") if requirements is not None else None
    unlisted = sorted(set(cov["queue"].unique()) - set(plan.queues))
    if unlisted:
        raise InputError(
            f"summary: queues: no entry for {', '.join(map(repr, unlisted))}, which coverage has "
            "(the summary must list every queue with its target)"
        )
    queues = sorted(plan.queues)
    colours = queue_colours(queues + [a for w in weeks for s in w.shifts for a in s.queues])

    page = Page(title, f"Plan week {week.isoformat()} to {(week + timedelta(days=6)).isoformat()} (UTC dates)")
    page.section("kpis", "Headline", _kpi_section(plan, weeks))
    _demand_sections(page, cov, req, plan, queues, colours)
    _roster_section(page, weeks, colours)
    if weeks:
        _people_sections(page, weeks, nights)
    if plan.requests is not None:
        page.section("requests", "Requests", _requests_section(plan.requests))
    if plan.previous is not None:
        page.section("previous", "Continued from last week", _previous_section(plan.previous))
    if plan.changes is not None:
        page.section("changes", "Changes from the published plan", changes_section(plan.changes, changes, agent_infos(agents)))
    if plan.simulation is not None:
        page.section(
            "simulation",
            "Simulated vs predicted service level",
            f'<p class="note">The plan played out contact by contact ({num(plan.simulation.runs, 0)} runs, '
            f"seed {num(plan.simulation.seed, 0)}) next to Erlang's prediction for the same plan; whiskers "
            "are the simulation's 95% interval, ticks the target.</p>"
            + _disagreements(plan.simulation)
            + page.chart(simulation_figure(plan), "simulation"),
        )
    return page.render()


def _demand_sections(
    page: Page, cov: pd.DataFrame, req: pd.DataFrame | None, plan: PlanSummary, queues: Sequence[str], colours: Mapping[str, str]
) -> None:
    """Required vs scheduled agents, and the service-level heat map (or a note without coverage)."""
    if cov.empty:
        page.section("coverage", "Required vs scheduled agents", '<p class="note">No coverage rows in this plan.</p>')
        return
    page.section(
        "coverage",
        "Required vs scheduled agents",
        '<p class="note">On-queue agents each interval (UTC): <b>required</b> to reach the target, '
        "<b>scheduled</b> by the roster. Where the solid line drops below the dashed one the queue is "
        "under-staffed. Grey bars: forecast contacts, the shaded band their 80% prediction interval when the "
        "forecast has one. Drag to zoom; the slider below pans the week.</p>"
        + page.chart(coverage_figure(cov, req, queues, colours), "coverage"),
    )
    page.section(
        "service-level",
        "Predicted service level by day and time",
        "<p class=\"note\">Erlang's predicted service level per interval, in the queue's clock when the "
        "summary names it (else UTC). Green cells meet the target, red cells miss it; blank cells have "
        "no interval.</p>" + page.chart(heatmap_figure(cov, plan, queues), "service-level"),
    )


def _roster_section(page: Page, weeks: Sequence[AgentWeek], colours: Mapping[str, str]) -> None:
    working = [w for w in weeks if w.shifts]
    if not working:
        page.section("roster", "Roster", '<p class="note">No shifts in this plan.</p>')
        return
    sites = sorted({w.info.timezone for w in working})
    page.section(
        "roster",
        "Roster",
        '<p class="note">Each agent\'s shifts, coloured by activity. The buttons switch the time axis '
        f"between UTC and each site's clock ({esc(', '.join(sites))}); hover a bar for exact times.</p>"
        + page.chart(gantt_figure(working, colours), "roster"),
    )


def _people_sections(page: Page, weeks: Sequence[AgentWeek], nights: Nights) -> None:
    """Paid hours, nights and weekends, and queue switches per agent."""
    page.section(
        "paid-hours",
        "Paid hours per agent",
        '<p class="note">Paid hours (shift length minus lunch) in the plan week; the black tick is the '
        "agent's max_hours_week. Red bars exceed it.</p>" + page.chart(paid_hours_figure(weeks), "paid-hours"),
    )
    window = f"{_clock(nights.window_start_hour)}–{_clock(nights.window_end_hour)}"
    page.section(
        "nights-weekends",
        "Nights and weekend days per agent",
        f'<p class="note">Night shifts overlap {window} in the agent\'s clock; weekend days are local '
        "Saturdays and Sundays on which a shift starts.</p>" + page.chart(nights_figure(weeks), "nights-weekends"),
    )
    shifts = [s for w in weeks for s in w.shifts]
    if not shifts:
        return
    mean = sum(s.switches for s in shifts) / len(shifts)
    page.section(
        "queue-switches",
        "Queue switches per agent",
        '<p class="note">A queue block is a run of an agent\'s time on one queue within a shift (a break or '
        "lunch inside it does not end it); each block after the first is a switch. The bar is the agent's "
        f"switches in the week, the black tick its worst shift. Across the plan, shifts average {mean:.1f} "
        f"switches; the most in one shift is {max(s.switches for s in shifts)}.</p>"
        + page.chart(switches_figure(weeks), "queue-switches"),
    )


def _clock(hours: float) -> str:
    """`6.0` → `06:00`, `24` → `24:00`: a night window's edge as people read it."""
    minutes = round(hours * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _kpi_section(plan: PlanSummary, weeks: Sequence[AgentWeek]) -> str:
    simulated = plan.simulation.queues if plan.simulation is not None else {}
    header = ["Queue", "Channel", "Contacts", "Service level", "Target", "Intervals on target"]
    if simulated:
        header += ["Erlang for the simulated plan", "Simulated service level"]
    rows: list[list[tuple[str, Level]]] = []
    for name, queue in sorted(plan.queues.items()):
        row: list[tuple[str, Level]] = [
            (esc(name), "plain"),
            (esc(queue.channel or ""), "plain"),
            (num(queue.contacts, 0), "plain"),
            (pct(queue.service_level), service_level_level(queue.service_level, queue.target)),
            (pct(queue.target, 0), "plain"),
            (pct(queue.intervals_meeting_target), share_level(queue.intervals_meeting_target)),
        ]
        if simulated:
            sim = simulated.get(name)
            if sim is None:
                row += [("", "plain"), ("not simulated", "plain")]
            else:
                ci = f" ({pct(sim.service_level_ci[0])}–{pct(sim.service_level_ci[1])})" if sim.service_level_ci else ""
                row.append((pct(sim.erlang_service_level), "plain"))
                if sim.disagrees_with_erlang:
                    row.append((pct(sim.service_level) + ci + ": differs from Erlang", "warn"))
                else:
                    row.append((pct(sim.service_level) + ci, service_level_level(sim.service_level, queue.target)))
        rows.append(row)

    solver = plan.solver
    roster_paid = sum(w.paid_hours for w in weeks)
    plan_rows: list[list[tuple[str, Level]]] = [
        [
            (num(plan.paid_hours, 1, " h"), "plain"),
            (f"{plan.headcount_used} of {len(weeks)}", "plain"),
            (esc(solver.status), solver_level(solver.status)),
            (pct(solver.gap, 2), gap_level(solver.gap)),
            (num(solver.objective, 2), "plain"),
            (num(solver.bound, 2), "plain"),
            (num(solver.seconds, 1, " s"), "plain"),
        ]
    ]
    plan_header = ["Paid hours", "Agents used", "Solver status", "Gap", "Objective", "Bound", "Solve time"]

    checks = []
    if abs(roster_paid - plan.paid_hours) > 0.01:
        checks.append(
            f"The summary says {plan.paid_hours:,.2f} paid hours but the roster adds up to {roster_paid:,.2f} h; "
            "the charts below follow the roster."
        )
    over = [w.info.label for w in weeks if w.over_cap]
    if over:
        checks.append(f"Agents above their max_hours_week: {esc(', '.join(over))}.")
    checks_html = f'<ul class="checks">{"".join(f"<li>{c}</li>" for c in checks)}</ul>' if checks else ""
    return (
        '<p class="note">Service level is contact-weighted over the week; intervals on target is the share '
        "of intervals whose predicted service level meets the queue's target.</p>"
        + table(header, rows, text_columns=2)
        + legend()
        + table(plan_header, plan_rows, text_columns=0)
        + checks_html
    )


def _requests_section(requests: RequestsSummary) -> str:
    """Granted and denied per kind of requests.csv, then every denied wish."""
    kinds = (
        ("leave", "Leave (hard)", requests.leave),
        ("off", "Day off wished", requests.off),
        ("on", "Day on wished", requests.on),
    )
    counts: list[list[tuple[str, Level]]] = [
        [
            (esc(label), "plain"),
            (str(count.granted), "plain"),
            (str(count.denied), "bad" if kind == "leave" and count.denied else "plain"),
        ]
        for kind, label, count in kinds
    ]
    text = (
        '<p class="note">Requests of requests.csv whose hours fall in the plan week. Leave is kept as a hard rule; '
        "a denied wish costs the solver its weight in paid hours, and wishes are judged on the finished roster.</p>"
        + table(["Kind", "Granted", "Denied"], counts)
    )
    if not requests.denied:
        return text + '<p class="note">Every request is met.</p>'
    rows: list[list[tuple[str, Level]]] = [
        [
            (esc(denied.agent_id), "plain"),
            (esc(denied.date.isoformat()), "plain"),
            (esc(denied.kind), "plain"),
            (esc(denied.hours or "whole day"), "plain"),
            (num(denied.weight, 1), "plain"),
            (esc(denied.row if denied.row is not None else ""), "plain"),
        ]
        for denied in requests.denied
    ]
    return text + table(["Agent", "Local date", "Kind", "Hours", "Weight", "requests.csv row"], rows, text_columns=4)


def _previous_section(previous: PreviousSummary) -> str:
    notes = "".join(f"<li>{esc(note)}</li>" for note in previous.notes)
    return (
        f'<p class="note">Planned after {esc(previous.plan_dir)}: rest and runs of days hold across the boundary '
        f"({previous.agents_limited} agents' first days limited); {num(previous.spill_over_hours, 1)} on-queue hours of "
        "last week's shifts fall in this week and count in the coverage above (their paid time is last week's).</p>"
        + (f'<ul class="checks">{notes}</ul>' if notes else "")
    )


def _disagreements(simulation: SimulationSummary) -> str:
    """The queues whose Erlang prediction lies outside the simulation's 95% interval, one line each."""
    lines = []
    for name, sim in sorted(simulation.queues.items()):
        if sim.disagrees_with_erlang and sim.service_level is not None and sim.erlang_service_level is not None:
            points = (sim.service_level - sim.erlang_service_level) * 100
            lines.append(
                f"<li>{esc(name)}: simulated {pct(sim.service_level)}, Erlang {pct(sim.erlang_service_level)} "
                f"({points:+.1f} points), outside the simulation's 95% interval</li>"
            )
    if not lines:
        return "<p class=\"note\">Erlang's prediction lies inside the simulation's 95% interval for every queue.</p>"
    return (
        '<p class="note">Simulation and Erlang disagree (Erlang outside the 95% interval of the runs):</p>'
        f'<ul class="checks disagrees-with-erlang">{"".join(lines)}</ul>'
    )
