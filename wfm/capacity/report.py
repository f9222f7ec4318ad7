"""report.html of `wfm capacity`: one self-contained page, built with the weekly report's page
helpers (`wfm.exports.report`: plotly.js inlined once, a policy that forbids every fetch,
escaped text, the script-error box).

Sections: headline figures; required vs available on-queue hours per week with the pessimistic
band and the short hours; headcount per site with classes and leavers marked; required hours
per queue; the classes to open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from wfm.exports.report import PLOT_TEMPLATE, QUEUE_COLOURS, Level, _num, _Page, _table, esc, plot_text

if TYPE_CHECKING:
    from wfm.capacity.plan import CapacityResult

REQUIRED_COLOUR = "#222222"
AVAILABLE_COLOUR = "#1f77b4"
BAND_COLOUR = "rgba(31, 119, 180, 0.18)"
SHORT_COLOUR = "rgba(214, 39, 40, 0.55)"


def build_capacity_report(result: CapacityResult, *, title: str = "wfm capacity plan") -> str:
    summary = result.summary
    weeks = [week.isoformat() for week in result.demand.weeks]
    horizon = summary["horizon"]
    page = _Page(title, f"{horizon['weeks']} weeks from {horizon['start']} to {horizon['end']}; hours are on-queue hours")
    page.section("headline", "Headline", _headline(result))
    page.section(
        "hours",
        "Required and available hours per week",
        '<p class="note">Required: Erlang on-queue hours of every interval, grossed up for shrinkage. Available: '
        "today's agents less expected leavers, plus the classes below (off queue in training, counted at "
        "1/AHT factor while ramping). The band runs down to the 10th percentile of "
        f"{summary['pessimistic']['runs']} seeded plays of attrition. Short: hours no skilled group can cover.</p>"
        + page.chart(_hours_figure(result, weeks), "capacity-hours"),
    )
    page.section(
        "headcount",
        "Headcount per site",
        '<p class="note">Expected headcount at each week\'s start (hires included from their class start); '
        "triangles mark classes, bars the expected leavers.</p>"
        + page.chart(_headcount_figure(result, weeks), "capacity-headcount"),
    )
    page.section("queues", "Required hours per queue", page.chart(_queues_figure(result, weeks), "capacity-queues"))
    page.section("classes", "Classes to open", _classes_table(result))
    return page.render()


def _headline(result: CapacityResult) -> str:
    s = result.summary
    covered = s["weeks_covered_after_lead"]
    covered_level: Level = "plain" if covered is None else "good" if covered >= 0.9 else "warn" if covered >= 0.75 else "bad"
    rows: list[list[tuple[str, Level]]] = [
        [("First week required hours", "plain"), (_num(s["first_week"]["required_hours"]), "plain")],
        [("Required hours (horizon)", "plain"), (_num(s["required_hours"], 0), "plain")],
        [("Available hours (horizon)", "plain"), (_num(s["available_hours"], 0), "plain")],
        [("Short hours (horizon)", "plain"), (f"{_num(s['short_hours'], 0)} ({s['short_share']:.1%})", "plain")],
        [
            (f"Weeks covered after the {result.summary['settings']['hiring']['lead_weeks']}-week lead", "plain"),
            ("n/a" if covered is None else f"{covered:.0%}", covered_level),
        ],
        [("Hires", "plain"), (f"{s['hires']} in {len(s['classes'])} classes", "plain")],
        [("Solver", "plain"), (esc(f"{s['solver']['status']} in {s['solver']['seconds']:.1f} s"), "plain")],
    ]
    return _table(["Figure", "Value"], rows) + f'<p class="note">A week is covered when its {esc(s["covered_means"])}.</p>'


def _hours_figure(result: CapacityResult, weeks: list[str]) -> go.Figure:
    required = result.demand.required_hours.sum(axis=1)
    available = result.staffing.groupby("week", sort=False)["available_hours"].sum().reindex(weeks).to_numpy()
    low = result.available_p10
    short = result.plan.short.sum(axis=1)
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=weeks, y=available, mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip"))
    figure.add_trace(
        go.Scatter(
            x=weeks,
            y=low,
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=BAND_COLOUR,
            name="pessimistic band (p10)",
            hovertemplate="%{x}<br>p10 available %{y:,.0f} h<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=weeks,
            y=available,
            mode="lines+markers",
            line={"color": AVAILABLE_COLOUR, "width": 2},
            name="available (expected)",
            hovertemplate="%{x}<br>available %{y:,.0f} h<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=weeks,
            y=required,
            mode="lines+markers",
            line={"color": REQUIRED_COLOUR, "width": 2, "dash": "dot"},
            name="required",
            hovertemplate="%{x}<br>required %{y:,.0f} h<extra></extra>",
        )
    )
    figure.add_trace(
        go.Bar(
            x=weeks,
            y=short,
            name="short",
            marker={"color": SHORT_COLOUR},
            hovertemplate="%{x}<br>short %{y:,.0f} h<extra></extra>",
        )
    )
    lead = min(int(result.summary["settings"]["hiring"]["lead_weeks"]), len(weeks))
    if lead > 0:
        figure.add_vrect(x0=-0.5, x1=lead - 0.5, fillcolor="rgba(0,0,0,0.05)", line_width=0, annotation_text="lead time")
    figure.update_layout(
        template=PLOT_TEMPLATE,
        height=460,
        margin={"t": 40},
        xaxis={"type": "category", "title": {"text": "week (Monday)"}},
        yaxis={"title": {"text": "on-queue hours"}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    )
    return figure


def _headcount_figure(result: CapacityResult, weeks: list[str]) -> go.Figure:
    figure = go.Figure()
    staffing = result.staffing
    for index, site in enumerate(result.supply.sites):
        rows = staffing[staffing["site"] == site].set_index("week").reindex(weeks)
        colour = QUEUE_COLOURS[index % len(QUEUE_COLOURS)]
        label = plot_text(site)
        figure.add_trace(
            go.Scatter(
                x=weeks,
                y=rows["headcount"],
                mode="lines",
                line={"color": colour, "width": 2},
                name=label,
                legendgroup=label,
                hovertemplate=f"{label}<br>%{{x}}: %{{y:.1f}} people<extra></extra>",
            )
        )
        figure.add_trace(
            go.Bar(
                x=weeks,
                y=-rows["leavers"],
                marker={"color": colour, "opacity": 0.35},
                name=f"{label} leavers",
                legendgroup=label,
                showlegend=False,
                hovertemplate=f"{label}<br>%{{x}}: %{{customdata:.1f}} leavers<extra></extra>",
                customdata=rows["leavers"],
            )
        )
        starts = rows[rows["hires_starting"] > 0]
        if not starts.empty:
            figure.add_trace(
                go.Scatter(
                    x=list(starts.index),
                    y=starts["headcount"],
                    mode="markers+text",
                    marker={"symbol": "triangle-up", "size": 13, "color": colour, "line": {"width": 1, "color": "#111"}},
                    text=[f"+{int(n)}" for n in starts["hires_starting"]],
                    textposition="top center",
                    name=f"{label} classes",
                    legendgroup=label,
                    showlegend=False,
                    hovertemplate=f"{label}<br>class of %{{text}} starts %{{x}}<extra></extra>",
                )
            )
    figure.update_layout(
        template=PLOT_TEMPLATE,
        height=460,
        margin={"t": 40},
        barmode="relative",
        xaxis={"type": "category", "title": {"text": "week (Monday)"}},
        yaxis={"title": {"text": "people (leavers below zero)"}},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    )
    return figure


def _queues_figure(result: CapacityResult, weeks: list[str]) -> go.Figure:
    figure = go.Figure()
    for j, queue in enumerate(result.demand.queues):
        label = plot_text(queue)
        figure.add_trace(
            go.Scatter(
                x=weeks,
                y=np.round(result.demand.required_hours[:, j], 1),
                mode="lines",
                stackgroup="required",
                line={"color": QUEUE_COLOURS[j % len(QUEUE_COLOURS)]},
                name=label,
                hovertemplate=f"{label}<br>%{{x}}: %{{y:,.0f}} h<extra></extra>",
            )
        )
    figure.update_layout(
        template=PLOT_TEMPLATE,
        height=400,
        margin={"t": 40},
        xaxis={"type": "category"},
        yaxis={"title": {"text": "required on-queue hours"}},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    )
    return figure


def no_class_note(short_hours: float) -> str:
    """The one line that stands for the classes to open when there are none (the command's
    output and report.html): none are needed, or none would pay for the short hours left."""
    if short_hours < 0.5:
        return "No class is needed: the staff covers every week of the horizon."
    return f"No class to open: none would cover enough of the {short_hours:,.0f} short hours to be worth its paid hours."


def _classes_table(result: CapacityResult) -> str:
    if result.hiring.empty:
        return f'<p class="note">{esc(no_class_note(float(result.summary["short_hours"])))}</p>'
    rows: list[list[tuple[str, Level]]] = [
        [
            (esc(row["class_start"]), "plain"),
            (esc(row["site"]), "plain"),
            (esc(row["skills"]), "plain"),
            (esc(row["on_queue_from"]), "plain"),
            (str(int(row["size"])), "plain"),
        ]
        for row in result.hiring.to_dict("records")
    ]
    return _table(["Class starts", "Site", "Skills", "On queue from", "Hires"], rows, text_columns=4)
