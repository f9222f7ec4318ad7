"""The plan page's charts: coverage, the service-level heat map, the roster Gantt, paid hours,
nights and weekends, queue switches and the simulation. Each builds one plotly figure from
validated inputs (`wfm.exports.report.plan` checks them); the page decides where it goes."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, timedelta, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import plotly.graph_objects as go

from wfm.errors import InputError
from wfm.exports.report.page import PLOT_TEMPLATE, midnight_lines, plot_text, queue_dropdown, target_ticks, wall
from wfm.planfiles import BREAK, LUNCH
from wfm.summary import PlanSummary

if TYPE_CHECKING:
    from wfm.exports.report.plan import AgentWeek

ACTIVITY_COLOURS = {BREAK: "#c7c7c7", LUNCH: "#f2c14e"}
REQUIRED_COLOUR = "#222222"
CONTACTS_COLOUR = "rgba(120, 120, 120, 0.25)"
BAND_COLOUR = "rgba(70, 110, 200, 0.15)"


def coverage_figure(cov: pd.DataFrame, req: pd.DataFrame | None, queues: Sequence[str], colours: Mapping[str, str]) -> go.Figure:
    figure = go.Figure()
    per_queue: list[int] = []
    shown = [q for q in queues if (cov["queue"] == q).any()]
    starts = cov["interval_start"].drop_duplicates().sort_values()
    step = starts.diff().dropna().min() if len(starts) > 1 else pd.Timedelta(minutes=15)
    for index, queue in enumerate(shown):
        rows = cov[cov["queue"] == queue].sort_values("interval_start")
        # A step line needs the last interval's end too, or the final interval has no width.
        ends = pd.concat([rows["interval_start"], rows["interval_start"].tail(1) + step], ignore_index=True)
        x = wall(ends).tolist()
        required = [*rows["required"].tolist(), rows["required"].iloc[-1]]
        scheduled = [*rows["scheduled"].tolist(), rows["scheduled"].iloc[-1]]
        count = 0
        if req is not None and (req["queue"] == queue).any():
            count = _add_demand(figure, req[req["queue"] == queue].sort_values("interval_start"), step, visible=index == 0)
        figure.add_trace(
            go.Scatter(
                x=x,
                y=required,
                name="required",
                mode="lines",
                line={"shape": "hv", "dash": "dash", "color": REQUIRED_COLOUR, "width": 1.5},
                visible=index == 0,
                hovertemplate="%{x|%a %H:%M} UTC<br>required %{y}<extra></extra>",
            )
        )
        figure.add_trace(
            go.Scatter(
                x=x,
                y=scheduled,
                name="scheduled",
                mode="lines",
                line={"shape": "hv", "color": colours[queue], "width": 2},
                visible=index == 0,
                hovertemplate="%{x|%a %H:%M} UTC<br>scheduled %{y}<extra></extra>",
            )
        )
        per_queue.append(count + 2)
    title = "Agents on {queue}"
    figure.update_layout(
        template=PLOT_TEMPLATE,
        height=460,
        title={"text": title.format(queue=plot_text(shown[0]))},
        xaxis={"type": "date", "title": {"text": "time (UTC)"}, "rangeslider": {"visible": True, "thickness": 0.07}},
        yaxis={"title": {"text": "agents"}, "rangemode": "tozero"},
        yaxis2={
            "title": {"text": "contacts"},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
            "tickformat": ",.0f",
        },
        legend={"orientation": "h", "y": 1.08, "x": 0},
        shapes=midnight_lines(*wall(pd.Series([starts.iloc[0], starts.iloc[-1] + step])).tolist()),
        updatemenus=queue_dropdown(shown, per_queue, title),
        margin={"t": 90},
        bargap=0,
    )
    return figure


def _add_demand(figure: go.Figure, demand: pd.DataFrame, step: pd.Timedelta, *, visible: bool) -> int:
    """One queue's forecast contacts as grey bars on the right axis, with the forecast's 80%
    interval as a shaded step band behind them when it has one; returns the traces added."""
    figure.add_trace(
        go.Bar(
            x=wall(demand["interval_start"]).tolist(),
            y=demand["contacts"].tolist(),
            name="contacts",
            marker={"color": CONTACTS_COLOUR},
            yaxis="y2",
            offset=0,
            width=step / pd.Timedelta(milliseconds=1),
            visible=visible,
            hovertemplate="%{x|%a %H:%M} UTC<br>%{y:.1f} contacts<extra></extra>",
        )
    )
    if not ({"contacts_p10", "contacts_p90"} <= set(demand.columns) and demand["contacts_p90"].notna().any()):
        return 1
    # Upper edge first, then the lower one filled up to it.
    band_x = wall(pd.concat([demand["interval_start"], demand["interval_start"].tail(1) + step])).tolist()
    for edge, fill in (("contacts_p90", None), ("contacts_p10", "tonexty")):
        values = demand[edge].tolist()
        figure.add_trace(
            go.Scatter(
                x=band_x,
                y=[*values, values[-1]],
                name="80% interval" if fill else "p90",
                mode="lines",
                line={"shape": "hv", "width": 0, "color": BAND_COLOUR},
                fill=fill,
                fillcolor=BAND_COLOUR,
                yaxis="y2",
                visible=visible,
                showlegend=fill is not None,
                hovertemplate="%{x|%a %H:%M} UTC<br>" + edge.removeprefix("contacts_") + " %{y:.0f}<extra></extra>",
            )
        )
    return 3


def heatmap_figure(cov: pd.DataFrame, plan: PlanSummary, queues: Sequence[str]) -> go.Figure:
    figure = go.Figure()
    shown = [q for q in queues if (cov["queue"] == q).any()]
    titles = []
    for index, queue in enumerate(shown):
        zone = plan.queues[queue].timezone or "UTC"
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InputError(f"summary: queues.{queue}.timezone: expected an IANA zone, got {zone!r}") from exc
        target = plan.queues[queue].target
        days, clocks, z, custom = _day_by_clock(cov[cov["queue"] == queue], zone)
        labels = [f"{date.fromisoformat(d):%a %d %b}" for d in days]
        figure.add_trace(
            go.Heatmap(
                z=z,
                x=labels,
                y=clocks,
                zmin=0,
                zmax=1,
                colorscale=_target_colorscale(target),
                colorbar={"title": {"text": "service level"}, "tickformat": ".0%"},
                customdata=custom,
                hoverongaps=False,
                visible=index == 0,
                name=plot_text(queue),
                hovertemplate=(
                    "%{x} %{y} "
                    + plot_text(zone)
                    + "<br>service level %{z:.1%} (target "
                    + f"{target:.0%}"
                    + ")<br>required %{customdata[0]:.0f}, scheduled %{customdata[1]:.0f}<extra></extra>"
                ),
            )
        )
        titles.append(f"{plot_text(queue)}: predicted service level ({plot_text(zone)} clock)")
    figure.update_layout(
        template=PLOT_TEMPLATE,
        height=620,
        title={"text": titles[0]},
        yaxis={"autorange": "reversed", "title": {"text": "time of day"}, "type": "category"},
        xaxis={"side": "top", "type": "category"},
        margin={"t": 110},
    )
    if len(shown) > 1:
        buttons = [
            {
                "label": plot_text(q),
                "method": "update",
                "args": [{"visible": [i == j for j in range(len(shown))]}, {"title.text": titles[i]}],
            }
            for i, q in enumerate(shown)
        ]
        figure.update_layout(
            updatemenus=[{"buttons": buttons, "direction": "down", "x": 1.0, "xanchor": "right", "y": 1.2, "yanchor": "top"}]
        )
    return figure


Grid = list[list[float | None]]


def _day_by_clock(rows: pd.DataFrame, zone: str) -> tuple[list[str], list[str], Grid, list[list[list[float | None]]]]:
    """One queue's coverage rows as a local time-of-day × day grid: the days, the clocks, the
    service level per cell, and [required, scheduled] per cell for the hover text."""
    local = rows["interval_start"].dt.tz_convert(zone)
    cells = pd.DataFrame(
        {
            "day": local.dt.strftime("%Y-%m-%d"),
            "clock": local.dt.strftime("%H:%M"),
            "service_level": rows["service_level"].astype(float),
            "required": rows["required"].astype(float),
            "scheduled": rows["scheduled"].astype(float),
        }
    )
    days = sorted(cells["day"].unique())
    clocks = sorted(cells["clock"].unique())
    # mean: in a fall-back night two intervals share one local clock cell.
    grids = {
        value: cells.pivot_table(index="clock", columns="day", values=value, aggfunc="mean", dropna=False)
        .reindex(index=clocks, columns=days)
        .to_numpy(dtype=float)
        for value in ("service_level", "required", "scheduled")
    }
    z = [[_finite(v) for v in row] for row in grids["service_level"]]
    custom = [
        [[_finite(r), _finite(s)] for r, s in zip(req_row, sched_row, strict=True)]
        for req_row, sched_row in zip(grids["required"], grids["scheduled"], strict=True)
    ]
    return days, clocks, z, custom


def _finite(value: float) -> float | None:
    """NaN as None, so the JSON holds null (an empty cell) rather than a non-standard NaN."""
    return None if math.isnan(value) else float(value)


def _target_colorscale(target: float) -> list[list[float | str]]:
    """Red below the target, green from it: the colour break sits exactly on the target."""
    t = min(max(target, 0.02), 0.98)
    return [[0.0, "#7f0000"], [t / 2, "#d7301f"], [t - 0.01, "#fdae6b"], [t, "#c7e9c0"], [1.0, "#1b7837"]]


@dataclass
class _Bars:
    """One activity's Gantt bars; `base` and `width_ms` hold one list per time base (clock)."""

    y: list[str]
    hover: list[str]
    base: list[list[str]]
    width_ms: list[list[float]]


def _gantt_bars(weeks: Sequence[AgentWeek], clocks: Sequence[tzinfo]) -> tuple[dict[str, _Bars], list[str], list[str]]:
    """Every roster row (adjacent rows of one activity merged) as a bar per activity, placed in
    each clock; with the first and last wall time of all bars per clock, for its midnight lines."""
    by_activity: dict[str, _Bars] = {}
    first = ["9999"] * len(clocks)
    last = ["0000"] * len(clocks)
    for agent_week in weeks:
        info = agent_week.info
        zone = info.zone
        for shift in agent_week.shifts:
            for block in shift.blocks:
                bars = by_activity.setdefault(block.activity, _Bars([], [], [[] for _ in clocks], [[] for _ in clocks]))
                bars.y.append(plot_text(info.label))
                for index, clock in enumerate(clocks):
                    # Wall-clock width, not elapsed time: a bar must end where the clock reads
                    # its end, even across a DST change.
                    start = block.start.astimezone(clock).replace(tzinfo=None)
                    end = block.end.astimezone(clock).replace(tzinfo=None)
                    bars.base[index].append(f"{start:%Y-%m-%d %H:%M:%S}")
                    first[index] = min(first[index], f"{start:%Y-%m-%d %H:%M:%S}")
                    last[index] = max(last[index], f"{end:%Y-%m-%d %H:%M:%S}")
                    bars.width_ms[index].append((end - start) / timedelta(milliseconds=1))
                local_start, local_end = block.start.astimezone(zone), block.end.astimezone(zone)
                bars.hover.append(
                    f"{plot_text(info.label)}<br><b>{plot_text(block.activity)}</b><br>"
                    f"{local_start:%a %d %b %H:%M}–{local_end:%H:%M} {plot_text(local_end.tzname() or '')} "
                    f"({plot_text(info.timezone)})<br>{block.start:%a %d %b %H:%M}–{block.end:%H:%M} UTC"
                )
    return by_activity, first, last


def gantt_figure(weeks: Sequence[AgentWeek], colours: Mapping[str, str]) -> go.Figure:
    sites = sorted({w.info.timezone for w in weeks})
    clocks: list[tzinfo] = [UTC, *(ZoneInfo(site) for site in sites)]
    clock_names = ["UTC", *sites]
    by_activity, first, last = _gantt_bars(weeks, clocks)

    queues_first = [a for a in sorted(by_activity) if a not in ACTIVITY_COLOURS]
    order = queues_first + [a for a in (BREAK, LUNCH) if a in by_activity]
    figure = go.Figure()
    for activity in order:
        bars = by_activity[activity]
        figure.add_trace(
            go.Bar(
                orientation="h",
                y=bars.y,
                base=bars.base[0],
                x=bars.width_ms[0],
                name=plot_text(activity),
                marker={"color": ACTIVITY_COLOURS.get(activity) or colours.get(activity, "#777777"), "line": {"width": 0}},
                hovertext=bars.hover,
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    buttons = [
        {
            "label": plot_text(name),
            "method": "update",
            "args": [
                {
                    "base": [by_activity[a].base[index] for a in order],
                    "x": [by_activity[a].width_ms[index] for a in order],
                },
                {
                    "xaxis.title.text": f"time ({plot_text(name)} clock)",
                    # Restyling x makes plotly re-guess the axis type from the new widths
                    # (numbers, so linear) unless the update names the type.
                    "xaxis.type": "date",
                    "xaxis.autorange": True,
                    "shapes": midnight_lines(first[index], last[index]),
                },
            ],
        }
        for index, name in enumerate(clock_names)
    ]
    agents = [plot_text(w.info.label) for w in weeks]
    figure.update_layout(
        template=PLOT_TEMPLATE,
        barmode="overlay",
        height=max(320, 24 * len(agents) + 170),
        xaxis={"type": "date", "title": {"text": "time (UTC clock)"}},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": agents, "autorange": "reversed"},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        shapes=midnight_lines(first[0], last[0]),
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "buttons": buttons,
                "x": 1.0,
                "xanchor": "right",
                "y": 1.0,
                "yanchor": "bottom",
                "pad": {"b": 30},
            }
        ],
        margin={"t": 90, "l": 10},
        bargap=0.25,
    )
    return figure


def paid_hours_figure(weeks: Sequence[AgentWeek]) -> go.Figure:
    labels = [plot_text(w.info.label) for w in weeks]
    figure = go.Figure(
        go.Bar(
            orientation="h",
            y=labels,
            x=[round(w.paid_hours, 2) for w in weeks],
            name="paid hours",
            marker={"color": ["#d62728" if w.over_cap else "#4c78a8" for w in weeks]},
            hovertemplate="%{y}<br>%{x:.2f} paid hours<extra></extra>",
        )
    )
    capped = [w for w in weeks if w.info.max_hours_week is not None]
    if capped:
        figure.add_trace(
            go.Scatter(
                y=[plot_text(w.info.label) for w in capped],
                x=[w.info.max_hours_week for w in capped],
                mode="markers",
                name="max_hours_week",
                marker={"symbol": "line-ns", "size": 16, "line": {"width": 3, "color": "#111111"}},
                hovertemplate="%{y}<br>cap %{x:.1f} h<extra></extra>",
            )
        )
    figure.update_layout(
        template=PLOT_TEMPLATE,
        height=max(300, 22 * len(weeks) + 120),
        xaxis={"title": {"text": "paid hours"}, "rangemode": "tozero"},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": labels, "autorange": "reversed"},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        margin={"l": 10, "t": 50},
    )
    return figure


def nights_figure(weeks: Sequence[AgentWeek]) -> go.Figure:
    labels = [plot_text(w.info.label) for w in weeks]
    figure = go.Figure(
        [
            go.Bar(
                orientation="h",
                y=labels,
                x=[w.nights for w in weeks],
                name="night shifts",
                marker={"color": "#3f3d8f"},
                hovertemplate="%{y}<br>%{x} night shifts<extra></extra>",
            ),
            go.Bar(
                orientation="h",
                y=labels,
                x=[w.weekend_days for w in weeks],
                name="weekend days",
                marker={"color": "#e08a2e"},
                hovertemplate="%{y}<br>%{x} weekend days<extra></extra>",
            ),
        ]
    )
    figure.update_layout(
        template=PLOT_TEMPLATE,
        barmode="group",
        height=max(300, 26 * len(weeks) + 120),
        xaxis={"title": {"text": "count in the plan week"}, "dtick": 1, "rangemode": "tozero"},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": labels, "autorange": "reversed"},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        margin={"l": 10, "t": 50},
    )
    return figure


def simulation_figure(plan: PlanSummary) -> go.Figure:
    assert plan.simulation is not None
    names = sorted(plan.simulation.queues)
    predicted, simulated, low, high, targets = [], [], [], [], []
    for name in names:
        sim = plan.simulation.queues[name]
        queue = plan.queues.get(name)
        # Erlang's prediction for exactly the simulated plan and demand when the simulation has it.
        erlang = sim.erlang_service_level if sim.erlang_service_level is not None else (queue.service_level if queue else None)
        predicted.append(erlang)
        simulated.append(sim.service_level)
        value = sim.service_level if sim.service_level is not None else 0.0
        low.append(value - sim.service_level_ci[0] if sim.service_level_ci else 0.0)
        high.append(sim.service_level_ci[1] - value if sim.service_level_ci else 0.0)
        targets.append(queue.target if queue else None)
    labels = [plot_text(n) for n in names]
    figure = go.Figure(
        [
            go.Bar(
                x=labels,
                y=predicted,
                name="predicted (Erlang)",
                marker={"color": "#9ecae1"},
                hovertemplate="%{x}<br>predicted %{y:.1%}<extra></extra>",
            ),
            go.Bar(
                x=labels,
                y=simulated,
                name="simulated",
                marker={"color": "#3182bd"},
                error_y={"type": "data", "symmetric": False, "array": high, "arrayminus": low, "color": "#222"},
                hovertemplate="%{x}<br>simulated %{y:.1%}<extra></extra>",
            ),
            target_ticks(labels, targets, size=40),
        ]
    )
    figure.update_layout(
        template=PLOT_TEMPLATE,
        barmode="group",
        height=420,
        yaxis={"title": {"text": "service level"}, "tickformat": ".0%", "range": [0, 1.05]},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        margin={"t": 50},
    )
    return figure


def switches_figure(weeks: Sequence[AgentWeek]) -> go.Figure:
    """Queue switches per agent in the week, with a tick at the agent's worst shift."""
    labels = [plot_text(w.info.label) for w in weeks]
    figure = go.Figure(
        [
            go.Bar(
                orientation="h",
                y=labels,
                x=[w.switches for w in weeks],
                name="switches in the week",
                marker={"color": "#5b8c5a"},
                hovertemplate="%{y}<br>%{x} queue switches in the week<extra></extra>",
            ),
            go.Scatter(
                y=labels,
                x=[w.worst_switches for w in weeks],
                mode="markers",
                name="most in one shift",
                marker={"symbol": "line-ns", "size": 16, "line": {"width": 3, "color": "#111111"}},
                hovertemplate="%{y}<br>%{x} in its worst shift<extra></extra>",
            ),
        ]
    )
    figure.update_layout(
        template=PLOT_TEMPLATE,
        height=max(300, 22 * len(weeks) + 120),
        xaxis={"title": {"text": "queue switches"}, "rangemode": "tozero"},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": labels, "autorange": "reversed"},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        margin={"l": 10, "t": 50},
    )
    return figure
