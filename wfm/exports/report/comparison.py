"""The what-if page: report.html of `wfm whatif`, scenarios side by side.

`build_comparison_report` shows, per scenario in the order given (the first is the reference):
solver status, paid hours and agents used with their difference to the reference, night
shifts, long weeks and service level per queue; then charts of service level, cost and strain,
and comparison.csv in full.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from wfm.errors import InputError
from wfm.exports.report.page import (
    PLOT_TEMPLATE,
    QUEUE_COLOURS,
    Level,
    Page,
    checked_frame,
    esc,
    legend,
    num,
    pct,
    plot_text,
    service_level_level,
    share_level,
    solver_level,
    table,
    target_ticks,
)
from wfm.summary import PlanSummary, parse_summary

COMPARISON_COLUMNS = ("scenario", "queue", "service_level")
"""What the page needs of comparison.csv; the other columns of FORMATS.md are shown when present."""


@dataclass(frozen=True)
class _Scenarios:
    """The scenarios as the page compares them: summaries, comparison.csv rows, the queues."""

    names: list[str]
    plans: dict[str, PlanSummary]
    frame: pd.DataFrame
    queues: list[str]
    targets: dict[str, float | None]
    long_week_hours: float

    @property
    def reference(self) -> PlanSummary:
        return self.plans[self.names[0]]

    @property
    def nights(self) -> dict[str, int]:
        return {n: sum(a.nights for a in p.agents.values()) for n, p in self.plans.items()}

    @property
    def long_weeks(self) -> dict[str, int]:
        return {n: sum(a.paid_hours >= self.long_week_hours for a in p.agents.values()) for n, p in self.plans.items()}

    def service_level(self, name: str, queue: str) -> float | None:
        """comparison.csv's service level, else the scenario summary's."""
        rows = self.frame[(self.frame["scenario"] == name) & (self.frame["queue"] == queue)]
        if not rows.empty and pd.notna(rows["service_level"].iloc[0]):
            return float(rows["service_level"].iloc[0])
        in_summary = self.plans[name].queues.get(queue)
        return in_summary.service_level if in_summary else None


def build_comparison_report(
    scenarios: Sequence[tuple[str, Mapping[str, Any] | PlanSummary]],
    comparison: pd.DataFrame,
    *,
    title: str = "wfm what-if",
    long_week_hours: float = 40.0,
) -> str:
    """`wfm whatif`: scenarios side by side, in the order given (the first is the reference).

    `comparison` is comparison.csv as a frame (FORMATS.md: scenario, queue, service_level, and
    optionally contacts, intervals_meeting_target, required_hours, scheduled_hours,
    agents_scheduled, paid_hours). A "long week" is an agent week of at least
    `long_week_hours` paid hours.
    """
    s = _scenarios(scenarios, comparison, long_week_hours)
    page = Page(title, f"{len(s.names)} scenarios; the first, {s.names[0]}, is the reference for the differences")
    page.section(
        "scenarios",
        "Scenarios side by side",
        '<p class="note">Paid hours and agents used show the difference to the first scenario in brackets. '
        "Service level is contact-weighted over the week, coloured against each queue's target.</p>"
        + _scenario_table(s)
        + legend(),
    )
    page.section("service-level", "Service level per queue", page.chart(_service_level_figure(s), "scenario-service-level"))
    page.section("cost", "Paid hours and agents used", page.chart(_cost_figure(s), "scenario-cost"))
    page.section(
        "nights-long-weeks",
        "Nights and long weeks",
        '<p class="note">Night shifts overlap the rules profile\'s night window (<code>[nights]</code>, '
        "00:00–06:00 unless the profile moves it) in the agent's clock; a long week is an agent with at least "
        f"{long_week_hours:g} paid hours.</p>" + page.chart(_strain_figure(s), "scenario-strain"),
    )
    page.section("detail", "Per queue detail (comparison.csv)", _comparison_table(s.frame, s.names, s.targets))
    return page.render()


def _scenarios(
    scenarios: Sequence[tuple[str, Mapping[str, Any] | PlanSummary]], comparison: pd.DataFrame, long_week_hours: float
) -> _Scenarios:
    """The inputs validated: unique names, a summary for every scenario of comparison.csv."""
    if not scenarios:
        raise InputError("whatif: no scenarios to compare (SCENARIOS.toml needs at least one [[scenario]])")
    names = [name for name, _ in scenarios]
    if len(set(names)) != len(names):
        raise InputError(f"whatif: scenario names must be unique, got {names}")
    plans = {name: parse_summary(summary, where=f"scenario {name!r} summary") for name, summary in scenarios}
    frame = checked_frame(comparison, COMPARISON_COLUMNS, "comparison")
    frame["scenario"] = frame["scenario"].astype(str)
    unknown = sorted(set(frame["scenario"]) - set(names))
    if unknown:
        raise InputError(f"comparison: scenario(s) {unknown} have no summary (known: {names})")
    queues = sorted({q for plan in plans.values() for q in plan.queues} | set(frame["queue"]))
    targets = {q: next((p.queues[q].target for p in plans.values() if q in p.queues), None) for q in queues}
    return _Scenarios(names, plans, frame, queues, targets, long_week_hours)


def _scenario_table(s: _Scenarios) -> str:
    header = ["Scenario", "Solver", "Paid hours", "Agents used", "Night shifts", f"Weeks ≥ {s.long_week_hours:g} h"]
    header += [f"SL {q}" for q in s.queues]
    rows: list[list[tuple[str, Level]]] = []
    for name in s.names:
        plan = s.plans[name]
        paid_delta = "" if name == s.names[0] else f" ({plan.paid_hours - s.reference.paid_hours:+,.1f})"
        head_delta = "" if name == s.names[0] else f" ({plan.headcount_used - s.reference.headcount_used:+d})"
        row: list[tuple[str, Level]] = [
            (esc(name), "plain"),
            (esc(plan.solver.status), solver_level(plan.solver.status)),
            (num(plan.paid_hours, 1) + paid_delta, "plain"),
            (f"{plan.headcount_used}{head_delta}", "plain"),
            (str(s.nights[name]), "plain"),
            (str(s.long_weeks[name]), "plain"),
        ]
        for queue in s.queues:
            value = s.service_level(name, queue)
            target = s.targets[queue]
            row.append((pct(value), service_level_level(value, target) if target is not None else "plain"))
        rows.append(row)

    return table(header, rows, text_columns=2)


def _service_level_figure(s: _Scenarios) -> go.Figure:
    sl_figure = go.Figure()
    for index, name in enumerate(s.names):
        sl_figure.add_trace(
            go.Bar(
                x=[plot_text(q) for q in s.queues],
                y=[s.service_level(name, q) for q in s.queues],
                name=plot_text(name),
                marker={"color": QUEUE_COLOURS[index % len(QUEUE_COLOURS)]},
                hovertemplate="%{fullData.name}<br>%{x}: %{y:.1%}<extra></extra>",
            )
        )
    sl_figure.add_trace(target_ticks([plot_text(q) for q in s.queues], [s.targets[q] for q in s.queues], size=44))
    sl_figure.update_layout(
        template=PLOT_TEMPLATE,
        barmode="group",
        height=420,
        margin={"t": 50},
        yaxis={"title": {"text": "service level"}, "tickformat": ".0%", "range": [0, 1.05]},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    )
    return sl_figure


def _cost_figure(s: _Scenarios) -> go.Figure:
    labels = [plot_text(n) for n in s.names]
    cost = make_subplots(rows=1, cols=2, subplot_titles=("Paid hours", "Agents used"))
    cost.add_trace(
        go.Bar(
            x=labels,
            y=[s.plans[n].paid_hours for n in s.names],
            marker={"color": "#4c78a8"},
            hovertemplate="%{x}<br>%{y:,.1f} paid hours<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    cost.add_trace(
        go.Bar(
            x=labels,
            y=[s.plans[n].headcount_used for n in s.names],
            marker={"color": "#72b7b2"},
            hovertemplate="%{x}<br>%{y} agents<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=2,
    )
    cost.update_layout(template=PLOT_TEMPLATE, height=380, margin={"t": 60})
    return cost


def _strain_figure(s: _Scenarios) -> go.Figure:
    labels = [plot_text(n) for n in s.names]
    strain = go.Figure(
        [
            go.Bar(
                x=labels,
                y=[s.nights[n] for n in s.names],
                name="night shifts",
                marker={"color": "#3f3d8f"},
                hovertemplate="%{x}<br>%{y} night shifts<extra></extra>",
            ),
            go.Bar(
                x=labels,
                y=[s.long_weeks[n] for n in s.names],
                name=f"agents with ≥ {s.long_week_hours:g} paid hours",
                marker={"color": "#e08a2e"},
                hovertemplate="%{x}<br>%{y} long weeks<extra></extra>",
            ),
        ]
    )
    strain.update_layout(
        template=PLOT_TEMPLATE,
        barmode="group",
        height=380,
        margin={"t": 50},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        # Counts: whole-number ticks, about eight of them at most.
        yaxis={"rangemode": "tozero", "dtick": max(1, math.ceil(max([*s.nights.values(), *s.long_weeks.values()]) / 8))},
    )
    return strain


def _comparison_table(frame: pd.DataFrame, names: Sequence[str], targets: Mapping[str, float | None]) -> str:
    formats: dict[str, tuple[str, Callable[[float | None], str]]] = {
        "contacts": ("Contacts", lambda v: num(v, 0)),
        "service_level": ("Service level", pct),
        "intervals_meeting_target": ("Intervals on target", pct),
        "required_hours": ("Required hours", lambda v: num(v, 1)),
        "scheduled_hours": ("Scheduled hours", lambda v: num(v, 1)),
        "agents_scheduled": ("Agents scheduled", lambda v: num(v, 0)),
        "paid_hours": ("Paid hours", lambda v: num(v, 1)),
    }
    columns = [c for c in formats if c in frame.columns]
    order = {name: i for i, name in enumerate(names)}
    ordered = frame.assign(_order=frame["scenario"].map(order)).sort_values(["_order", "queue"], kind="stable")
    rows = []
    for record in ordered.to_dict("records"):
        queue = str(record["queue"])
        row: list[tuple[str, Level]] = [(esc(record["scenario"]), "plain"), (esc(queue), "plain")]
        for column in columns:
            value = record[column]
            number = None if value is None or pd.isna(value) else float(value)
            level: Level = "plain"
            target = targets.get(queue)
            if column == "service_level" and target is not None:
                level = service_level_level(number, target)
            elif column == "intervals_meeting_target":
                level = share_level(number)
            row.append((formats[column][1](number), level))
        rows.append(row)
    return table(["Scenario", "Queue", *[formats[c][0] for c in columns]], rows, text_columns=2)
