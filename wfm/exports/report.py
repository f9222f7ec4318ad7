"""report.html: the page a planner opens after `wfm plan` (and `wfm whatif`), and the summary shape.

`build_report` returns one self-contained HTML page: plotly.js is inlined once in <head>, a
Content-Security-Policy forbids every network fetch, so the page opens offline and a bad label
cannot pull anything in. All text is HTML-escaped, in tables and inside charts (plotly renders
a subset of HTML in labels). A small script in <head> writes any script error into a visible
box on the page (and into `data-script-errors` on <html>, which the browser test reads).

Sections, top to bottom: headline KPIs; required vs scheduled agents per queue; predicted
service level as a day × time-of-day heat map per queue; the roster as a Gantt chart that
switches between UTC and each site's clock; paid hours against each agent's cap; nights and
weekend days per agent; simulated vs predicted service level when the summary carries a
simulation. `build_comparison_report` puts what-if scenarios side by side.

The summary (summary.json) has this shape, validated by `PlanSummary`; extra keys are kept:

    {
      "week": "2026-11-30",                  # the plan week's Monday (UTC date)
      "queues": {
        "phone-en": {
          "service_level": 0.83,             # contact-weighted predicted SL over the week (null: no contacts)
          "target": 0.80,                    # the queue's service-level target
          "intervals_meeting_target": 0.91,  # share (0..1) of intervals with contacts whose SL >= target
          "contacts": 12450.0,               # optional: offered contacts in the week
          "channel": "phone",                # optional
          "timezone": "America/New_York"     # optional: the queue's clock; the heat map uses it
        }
      },
      "agents": {
        "A017": {"paid_hours": 38.5, "shifts": 5, "nights": 1, "weekend_days": 0}
      },
      "paid_hours": 1234.5,                  # sum over agents
      "headcount_used": 42,                  # agents with at least one shift
      "solver": {"status": "OPTIMAL", "objective": 123.0, "bound": 120.0,
                 "gap": 0.024,               # relative gap |objective - bound| / |objective|, a fraction
                 "seconds": 31.2},
      "simulation": {...}                    # optional: simulation.json of `wfm simulate` (FORMATS.md)
    }

Nights and weekend days follow FORMATS.md: a night shift overlaps local 00:00–06:00; a
weekend day is a local Saturday or Sunday on which a shift starts (the agent's "day").
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, timedelta, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import plotly.graph_objects as go
import plotly.offline
from plotly.subplots import make_subplots
from pydantic import BaseModel, ConfigDict, ValidationError

from wfm import __version__
from wfm.errors import InputError
from wfm.exports.calendars import (
    BREAK,
    LUNCH,
    AgentInfo,
    Agents,
    Shift,
    agent_infos,
    plan_week_start,
    roster_shifts,
)

COVERAGE_COLUMNS = ("queue", "interval_start", "required", "scheduled", "service_level")
REQUIREMENTS_COLUMNS = ("queue", "interval_start", "contacts")
COMPARISON_COLUMNS = ("scenario", "queue", "service_level")

# A week can meet its target on average while missing it one interval in ten; these shares
# of intervals on target flag that (green at or above GOOD, amber at or above WARN, else red).
INTERVAL_SHARE_GOOD = 0.90
INTERVAL_SHARE_WARN = 0.75
# Service level within this many points under target is amber rather than red.
SERVICE_LEVEL_WARN_POINTS = 0.05
# Relative solver gaps: at or below GOOD is as good as proven optimal for planning purposes.
GAP_GOOD = 0.01
GAP_WARN = 0.05

QUEUE_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#17becf",
    "#e377c2",
    "#bcbd22",
    "#8c564b",
    "#393b79",
)
ACTIVITY_COLOURS = {BREAK: "#c7c7c7", LUNCH: "#f2c14e"}
REQUIRED_COLOUR = "#222222"
CONTACTS_COLOUR = "rgba(120, 120, 120, 0.25)"
BAND_COLOUR = "rgba(70, 110, 200, 0.15)"
PLOT_TEMPLATE = "plotly_white"

Level = Literal["good", "warn", "bad", "plain"]


# --------------------------------------------------------------------------- summary shape


class _Summary(BaseModel):
    # extra="allow": FORMATS.md promises these keys and welcomes more.
    model_config = ConfigDict(frozen=True, extra="allow")


class QueueSummary(_Summary):
    service_level: float | None
    target: float
    intervals_meeting_target: float | None
    contacts: float | None = None
    channel: str | None = None
    timezone: str | None = None


class AgentSummary(_Summary):
    paid_hours: float
    shifts: int
    nights: int
    weekend_days: int


class SolverSummary(_Summary):
    status: str
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    seconds: float | None = None


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


class PlanSummary(_Summary):
    """summary.json: see the module docstring for the meaning of each key."""

    week: date
    queues: dict[str, QueueSummary]
    agents: dict[str, AgentSummary]
    paid_hours: float
    headcount_used: int
    solver: SolverSummary
    simulation: SimulationSummary | None = None


def parse_summary(summary: Mapping[str, Any] | PlanSummary, where: str = "summary") -> PlanSummary:
    """Validate a summary dict, raising InputError naming the first bad key."""
    if isinstance(summary, PlanSummary):
        return summary
    try:
        return PlanSummary.model_validate(summary)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(part) for part in first["loc"])
        got = first.get("input")
        raise InputError(f"{where}: {path}: {first['msg']}, got {got!r} (see the summary shape in wfm.exports.report)") from exc


# --------------------------------------------------------------------------- page scaffolding

_CSS = """
:root { --good: #d9f0d3; --warn: #fee8a8; --bad: #f8c4c4; --ink: #1d2433; --muted: #5b6475; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0; background: #f6f7f9; }
header { background: #1d2433; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: #c9cfdb; }
nav { margin-top: 10px; }
nav a { color: #fff; margin-right: 14px; font-size: 13px; text-decoration: none; opacity: .85; }
nav a:hover { text-decoration: underline; opacity: 1; }
main { max-width: 1280px; margin: 0 auto; padding: 8px 24px 40px; }
section { background: #fff; border-radius: 8px; padding: 16px 20px; margin: 18px 0;
          box-shadow: 0 1px 2px rgba(0,0,0,.08); }
h2 { font-size: 18px; margin: 0 0 6px; }
p.note { color: var(--muted); margin: 0 0 10px; font-size: 13px; }
table { border-collapse: collapse; margin: 8px 0 4px; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 12px; border-bottom: 1px solid #e3e6eb; text-align: right; }
th { background: #eef0f4; font-weight: 600; }
th.text, td.text { text-align: left; }
td { white-space: nowrap; }
td.good { background: var(--good); } td.warn { background: var(--warn); } td.bad { background: var(--bad); }
.legend span { display: inline-block; padding: 1px 8px; margin-right: 6px; border-radius: 3px; font-size: 12px; }
.legend .good { background: var(--good); } .legend .warn { background: var(--warn); }
.legend .bad { background: var(--bad); }
ul.checks { margin: 8px 0 0; padding-left: 20px; color: #8a3b00; }
#wfm-script-errors { white-space: pre-wrap; background: var(--bad); border: 1px solid #c0392b;
                     padding: 10px 14px; margin: 12px 24px; border-radius: 6px; font-family: monospace; }
footer { text-align: center; color: var(--muted); font-size: 12px; padding: 12px; }
"""

# Runs before plotly.js so that errors while loading it are caught too. Errors land in a box
# the planner sees (a chart that silently fails to draw is worse) and in data-script-errors.
_ERROR_HOOK = """
(function () {
  var errors = [];
  function show() {
    var box = document.getElementById("wfm-script-errors");
    if (!box || errors.length === 0) { return; }
    box.hidden = false;
    box.textContent = "Some charts may be missing; the page hit these script errors:\\n" + errors.join("\\n");
  }
  function record(message) {
    errors.push(String(message));
    document.documentElement.setAttribute("data-script-errors", String(errors.length));
    show();
  }
  window.addEventListener("error", function (event) {
    record(event.message || ((event.target && event.target.tagName) + " failed to load"));
  }, true);
  window.addEventListener("unhandledrejection", function (event) {
    var reason = event.reason;
    record("unhandled rejection: " + (reason && reason.message ? reason.message : reason));
  });
  document.addEventListener("securitypolicyviolation", function (event) {
    record("blocked by the page's policy: " + event.violatedDirective + " " + event.blockedURI);
  });
  document.addEventListener("DOMContentLoaded", show);
})();
"""

# No fetches of any kind: everything the page needs is inline. Plotly exports PNGs via data:
# and blob: URLs and injects its own <style> elements, hence those allowances.
_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'"
)

_PLOT_CONFIG = {"displaylogo": False, "responsive": True}


def esc(text: object) -> str:
    """HTML-escape any value for the page."""
    return html.escape(str(text), quote=True)


def plot_text(text: object) -> str:
    """Escape text for plotly, which renders a subset of HTML in labels and hover text.

    Quotes stay as they are: plotly decodes &lt; &gt; &amp; but would show &quot; literally.
    """
    return html.escape(str(text), quote=False)


class _Page:
    """Collects sections, then renders the page with plotly.js inlined exactly once."""

    def __init__(self, title: str, subtitle: str) -> None:
        self.title = title
        self.subtitle = subtitle
        self.sections: list[tuple[str, str, str]] = []
        self.chart_count = 0

    def section(self, anchor: str, heading: str, body: str) -> None:
        self.sections.append((anchor, heading, body))

    def chart(self, figure: go.Figure, name: str) -> str:
        self.chart_count += 1
        # Fixed ids keep the page byte-for-byte reproducible for the same plan.
        return str(
            figure.to_html(
                full_html=False,
                include_plotlyjs=False,
                div_id=f"chart-{name}",
                config=_PLOT_CONFIG,
                default_height=f"{figure.layout.height or 450}px",
            )
        )

    def render(self) -> str:
        nav = "".join(f'<a href="#{anchor}">{esc(heading)}</a>' for anchor, heading, _ in self.sections)
        body = "\n".join(
            f'<section id="{anchor}"><h2>{esc(heading)}</h2>\n{content}\n</section>' for anchor, heading, content in self.sections
        )
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en" data-script-errors="0">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="wfm {esc(__version__)}">\n'
            f"<title>{esc(self.title)}</title>\n<style>{_CSS}</style>\n"
            f"<script>{_ERROR_HOOK}</script>\n"
            f"<script>{plotly.offline.get_plotlyjs()}</script>\n"
            "</head>\n<body>\n"
            f"<header><h1>{esc(self.title)}</h1><p>{esc(self.subtitle)}</p><nav>{nav}</nav></header>\n"
            '<div id="wfm-script-errors" role="alert" hidden></div>\n'
            f"<main>\n{body}\n</main>\n"
            f"<footer>Made by wfm {esc(__version__)}. Times are UTC unless a chart says otherwise.</footer>\n"
            "</body>\n</html>\n"
        )


def _table(header: Sequence[str], rows: Iterable[Sequence[tuple[str, Level]]], text_columns: int = 1) -> str:
    """An HTML table; each cell is (already escaped text, colour level). The first
    `text_columns` columns hold names and align left; the rest are figures and align right."""

    def cell(tag: str, index: int, text: str, level: Level = "plain") -> str:
        classes = [c for c in ("text" if index < text_columns else "", "" if level == "plain" else level) if c]
        attribute = f' class="{" ".join(classes)}"' if classes else ""
        return f"<{tag}{attribute}>{text}</{tag}>"

    head = "".join(cell("th", i, esc(h)) for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(cell("td", i, text, level) for i, (text, level) in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _legend() -> str:
    return (
        '<p class="note legend"><span class="good">on target</span>'
        f'<span class="warn">within {SERVICE_LEVEL_WARN_POINTS * 100:.0f} points</span>'
        '<span class="bad">missed</span> Intervals on target: green from '
        f"{INTERVAL_SHARE_GOOD:.0%}, amber from {INTERVAL_SHARE_WARN:.0%}.</p>"
    )


def _pct(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value * 100:.{digits}f}%"


def _num(value: float | None, digits: int = 1, unit: str = "") -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:,.{digits}f}{unit}"


def _service_level_level(value: float | None, target: float) -> Level:
    if value is None or math.isnan(value):
        return "plain"
    if value >= target - 1e-9:
        return "good"
    return "warn" if value >= target - SERVICE_LEVEL_WARN_POINTS else "bad"


def _share_level(value: float | None) -> Level:
    if value is None or math.isnan(value):
        return "plain"
    if value >= INTERVAL_SHARE_GOOD:
        return "good"
    return "warn" if value >= INTERVAL_SHARE_WARN else "bad"


def _solver_level(status: str) -> Level:
    status = status.upper()
    if status == "OPTIMAL":
        return "good"
    return "warn" if status == "FEASIBLE" else "bad"


def _gap_level(gap: float | None) -> Level:
    if gap is None or math.isnan(gap):
        return "plain"
    if gap <= GAP_GOOD:
        return "good"
    return "warn" if gap <= GAP_WARN else "bad"


def _queue_colours(queues: Iterable[str]) -> dict[str, str]:
    return {q: QUEUE_COLOURS[i % len(QUEUE_COLOURS)] for i, q in enumerate(sorted(set(queues)))}


def _wall(instants: pd.Series, zone: str | None = None) -> pd.Series:
    """Plotly date axes have no zones: hand them wall-clock strings in the clock wanted."""
    local = instants.dt.tz_convert(zone or "UTC")
    return local.dt.strftime("%Y-%m-%d %H:%M:%S")


def _midnight_lines(first: str, last: str) -> list[dict[str, Any]]:
    """Thin vertical lines at the midnights between two wall times ("YYYY-MM-DD HH:MM:SS").

    A week of 15-minute data is hard to read without them; only midnights inside the data are
    drawn because shapes widen plotly's autorange.
    """
    lines = []
    day = date.fromisoformat(first[:10]) + timedelta(days=1)
    while f"{day.isoformat()} 00:00:00" <= last:
        midnight = f"{day.isoformat()} 00:00:00"
        lines.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": midnight,
                "x1": midnight,
                "y0": 0,
                "y1": 1,
                "line": {"color": "rgba(0,0,0,0.18)", "width": 1},
                "layer": "below",
            }
        )
        day += timedelta(days=1)
    return lines


def _queue_dropdown(queues: Sequence[str], traces_per_queue: Sequence[int], title: str) -> list[dict[str, Any]]:
    """Buttons showing one queue's traces at a time; none when there is a single queue."""
    if len(queues) < 2:
        return []
    total = sum(traces_per_queue)
    buttons = []
    offset = 0
    for queue, count in zip(queues, traces_per_queue, strict=True):
        visible = [offset <= i < offset + count for i in range(total)]
        buttons.append(
            {
                "label": plot_text(queue),
                "method": "update",
                "args": [{"visible": visible}, {"title.text": title.format(queue=plot_text(queue))}],
            }
        )
        offset += count
    return [
        {"buttons": buttons, "direction": "down", "x": 1.0, "xanchor": "right", "y": 1.18, "yanchor": "top", "showactive": True}
    ]


# --------------------------------------------------------------------------- inputs


def _frame(frame: pd.DataFrame, columns: Sequence[str], where: str) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{where}: missing column(s) {', '.join(missing)}, got {list(map(str, frame.columns))} (see FORMATS.md)")
    out = frame.copy()
    if "interval_start" in out.columns:
        try:
            out["interval_start"] = pd.to_datetime(out["interval_start"], utc=True)
        except (ValueError, TypeError) as exc:
            raise InputError(f"{where}: column interval_start: expected ISO-8601 instants ({exc})") from exc
    if "queue" in out.columns:
        out["queue"] = out["queue"].astype(str)
    return out


@dataclass(frozen=True)
class AgentWeek:
    """One agent's week as the report shows it, computed from the roster in the agent's clock."""

    info: AgentInfo
    shifts: tuple[Shift, ...]

    @property
    def paid_hours(self) -> float:
        return sum(s.paid_hours for s in self.shifts)

    @property
    def nights(self) -> int:
        return sum(s.is_night(self.info.zone) for s in self.shifts)

    @property
    def weekend_days(self) -> int:
        zone = self.info.zone
        return len({s.local_start_date(zone) for s in self.shifts if s.is_weekend(zone)})

    @property
    def over_cap(self) -> bool:
        cap = self.info.max_hours_week
        return cap is not None and self.paid_hours > cap + 1e-6


def agent_weeks(roster: pd.DataFrame, agents: Agents) -> list[AgentWeek]:
    """Every agent (with shifts or not), ordered by site then id, as the report's charts list them."""
    infos = agent_infos(agents)
    shifts = roster_shifts(roster)
    unknown = sorted(set(shifts) - set(infos))
    if unknown:
        raise InputError(
            f"roster: agent(s) {', '.join(map(repr, unknown[:5]))} not among the agents "
            "(every roster agent_id must appear in agents.csv)"
        )
    ordered = sorted(infos.values(), key=lambda i: (i.timezone, i.agent_id))
    return [AgentWeek(info, tuple(shifts.get(info.agent_id, []))) for info in ordered]


# --------------------------------------------------------------------------- plan report


def build_report(
    roster: pd.DataFrame,
    coverage: pd.DataFrame,
    summary: Mapping[str, Any] | PlanSummary,
    agents: Agents,
    plan_week: date | str,
    requirements: pd.DataFrame | None = None,
    title: str = "wfm weekly plan",
) -> str:
    """The weekly plan as one self-contained HTML page (see the module docstring)."""
    plan = parse_summary(summary)
    week = plan_week_start(plan_week)
    weeks = agent_weeks(roster, agents)
    cov = _frame(coverage, COVERAGE_COLUMNS, "coverage")
    req = _frame(requirements, REQUIREMENTS_COLUMNS, "requirements") if requirements is not None else None
    unlisted = sorted(set(cov["queue"].unique()) - set(plan.queues))
    if unlisted:
        raise InputError(
            f"summary: queues: no entry for {', '.join(map(repr, unlisted))}, which coverage has "
            "(the summary must list every queue with its target)"
        )
    queues = sorted(plan.queues)
    colours = _queue_colours(queues + [a for w in weeks for s in w.shifts for a in s.queues])

    page = _Page(title, f"Plan week {week.isoformat()} to {(week + timedelta(days=6)).isoformat()} (UTC dates)")
    page.section("kpis", "Headline", _kpi_section(plan, weeks))

    if cov.empty:
        page.section("coverage", "Required vs scheduled agents", '<p class="note">No coverage rows in this plan.</p>')
    else:
        page.section(
            "coverage",
            "Required vs scheduled agents",
            '<p class="note">On-queue agents each interval (UTC): <b>required</b> to reach the target, '
            "<b>scheduled</b> by the roster. Where the solid line drops below the dashed one the queue is "
            "under-staffed. Grey bars: forecast contacts, the shaded band their 80% prediction interval when the "
            "forecast has one. Drag to zoom; the slider below pans the week.</p>"
            + page.chart(_coverage_figure(cov, req, queues, colours), "coverage"),
        )
        page.section(
            "service-level",
            "Predicted service level by day and time",
            "<p class=\"note\">Erlang's predicted service level per interval, in the queue's clock when the "
            "summary names it (else UTC). Green cells meet the target, red cells miss it; blank cells have "
            "no interval.</p>" + page.chart(_heatmap_figure(cov, plan, queues), "service-level"),
        )

    working = [w for w in weeks if w.shifts]
    if working:
        sites = sorted({w.info.timezone for w in working})
        page.section(
            "roster",
            "Roster",
            '<p class="note">Each agent\'s shifts, coloured by activity. The buttons switch the time axis '
            f"between UTC and each site's clock ({esc(', '.join(sites))}); hover a bar for exact times.</p>"
            + page.chart(_gantt_figure(working, colours), "roster"),
        )
    else:
        page.section("roster", "Roster", '<p class="note">No shifts in this plan.</p>')

    if weeks:
        page.section(
            "paid-hours",
            "Paid hours per agent",
            '<p class="note">Paid hours (shift length minus lunch) in the plan week; the black tick is the '
            "agent's max_hours_week. Red bars exceed it.</p>" + page.chart(_paid_hours_figure(weeks), "paid-hours"),
        )
        page.section(
            "nights-weekends",
            "Nights and weekend days per agent",
            '<p class="note">Night shifts overlap 00:00–06:00 in the agent\'s clock; weekend days are local '
            "Saturdays and Sundays on which a shift starts.</p>" + page.chart(_nights_figure(weeks), "nights-weekends"),
        )

    if plan.simulation is not None:
        page.section(
            "simulation",
            "Simulated vs predicted service level",
            f'<p class="note">The plan played out contact by contact ({_num(plan.simulation.runs, 0)} runs, '
            f"seed {_num(plan.simulation.seed, 0)}) next to Erlang's prediction for the same plan; whiskers "
            "are the simulation's 95% interval, ticks the target.</p>"
            + _disagreements(plan.simulation)
            + page.chart(_simulation_figure(plan), "simulation"),
        )
    return page.render()


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
            (_num(queue.contacts, 0), "plain"),
            (_pct(queue.service_level), _service_level_level(queue.service_level, queue.target)),
            (_pct(queue.target, 0), "plain"),
            (_pct(queue.intervals_meeting_target), _share_level(queue.intervals_meeting_target)),
        ]
        if simulated:
            sim = simulated.get(name)
            if sim is None:
                row += [("", "plain"), ("not simulated", "plain")]
            else:
                ci = f" ({_pct(sim.service_level_ci[0])}–{_pct(sim.service_level_ci[1])})" if sim.service_level_ci else ""
                row.append((_pct(sim.erlang_service_level), "plain"))
                if sim.disagrees_with_erlang:
                    row.append((_pct(sim.service_level) + ci + ": differs from Erlang", "warn"))
                else:
                    row.append((_pct(sim.service_level) + ci, _service_level_level(sim.service_level, queue.target)))
        rows.append(row)

    solver = plan.solver
    roster_paid = sum(w.paid_hours for w in weeks)
    plan_rows: list[list[tuple[str, Level]]] = [
        [
            (_num(plan.paid_hours, 1, " h"), "plain"),
            (f"{plan.headcount_used} of {len(weeks)}", "plain"),
            (esc(solver.status), _solver_level(solver.status)),
            (_pct(solver.gap, 2), _gap_level(solver.gap)),
            (_num(solver.objective, 2), "plain"),
            (_num(solver.bound, 2), "plain"),
            (_num(solver.seconds, 1, " s"), "plain"),
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
        + _table(header, rows, text_columns=2)
        + _legend()
        + _table(plan_header, plan_rows, text_columns=0)
        + checks_html
    )


def _coverage_figure(cov: pd.DataFrame, req: pd.DataFrame | None, queues: Sequence[str], colours: Mapping[str, str]) -> go.Figure:
    figure = go.Figure()
    per_queue: list[int] = []
    shown = [q for q in queues if (cov["queue"] == q).any()]
    starts = cov["interval_start"].drop_duplicates().sort_values()
    step = starts.diff().dropna().min() if len(starts) > 1 else pd.Timedelta(minutes=15)
    for index, queue in enumerate(shown):
        rows = cov[cov["queue"] == queue].sort_values("interval_start")
        # A step line needs the last interval's end too, or the final interval has no width.
        ends = pd.concat([rows["interval_start"], rows["interval_start"].tail(1) + step], ignore_index=True)
        x = _wall(ends).tolist()
        required = [*rows["required"].tolist(), rows["required"].iloc[-1]]
        scheduled = [*rows["scheduled"].tolist(), rows["scheduled"].iloc[-1]]
        count = 0
        if req is not None and (req["queue"] == queue).any():
            demand = req[req["queue"] == queue].sort_values("interval_start")
            figure.add_trace(
                go.Bar(
                    x=_wall(demand["interval_start"]).tolist(),
                    y=demand["contacts"].tolist(),
                    name="contacts",
                    marker={"color": CONTACTS_COLOUR},
                    yaxis="y2",
                    offset=0,
                    width=step / pd.Timedelta(milliseconds=1),
                    visible=index == 0,
                    hovertemplate="%{x|%a %H:%M} UTC<br>%{y:.1f} contacts<extra></extra>",
                )
            )
            count += 1
            if {"contacts_p10", "contacts_p90"} <= set(demand.columns) and demand["contacts_p90"].notna().any():
                # The forecast's 80% interval as a shaded step band behind the bars (upper edge, then lower to fill).
                band_x = _wall(pd.concat([demand["interval_start"], demand["interval_start"].tail(1) + step])).tolist()
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
                            visible=index == 0,
                            showlegend=fill is not None,
                            hovertemplate="%{x|%a %H:%M} UTC<br>" + edge.removeprefix("contacts_") + " %{y:.0f}<extra></extra>",
                        )
                    )
                count += 2
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
        shapes=_midnight_lines(*_wall(pd.Series([starts.iloc[0], starts.iloc[-1] + step])).tolist()),
        updatemenus=_queue_dropdown(shown, per_queue, title),
        margin={"t": 90},
        bargap=0,
    )
    return figure


def _heatmap_figure(cov: pd.DataFrame, plan: PlanSummary, queues: Sequence[str]) -> go.Figure:
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
        rows = cov[cov["queue"] == queue]
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


def _gantt_figure(weeks: Sequence[AgentWeek], colours: Mapping[str, str]) -> go.Figure:
    sites = sorted({w.info.timezone for w in weeks})
    clocks: list[tzinfo] = [UTC, *(ZoneInfo(site) for site in sites)]
    clock_names = ["UTC", *sites]
    by_activity: dict[str, _Bars] = {}
    # Wall-clock span of all bars per clock, for that clock's midnight lines.
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
                    "shapes": _midnight_lines(first[index], last[index]),
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
        shapes=_midnight_lines(first[0], last[0]),
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


def _paid_hours_figure(weeks: Sequence[AgentWeek]) -> go.Figure:
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


def _nights_figure(weeks: Sequence[AgentWeek]) -> go.Figure:
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


def _disagreements(simulation: SimulationSummary) -> str:
    """The queues whose Erlang prediction lies outside the simulation's 95% interval, one line each."""
    lines = []
    for name, sim in sorted(simulation.queues.items()):
        if sim.disagrees_with_erlang and sim.service_level is not None and sim.erlang_service_level is not None:
            points = (sim.service_level - sim.erlang_service_level) * 100
            lines.append(
                f"<li>{esc(name)}: simulated {_pct(sim.service_level)}, Erlang {_pct(sim.erlang_service_level)} "
                f"({points:+.1f} points), outside the simulation's 95% interval</li>"
            )
    if not lines:
        return '<p class="note">Erlang\'s prediction lies inside the simulation\'s 95% interval for every queue.</p>'
    return (
        '<p class="note">Simulation and Erlang disagree (Erlang outside the 95% interval of the runs):</p>'
        f'<ul class="checks disagrees-with-erlang">{"".join(lines)}</ul>'
    )


def _simulation_figure(plan: PlanSummary) -> go.Figure:
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
            go.Scatter(
                x=labels,
                y=targets,
                name="target",
                mode="markers",
                marker={"symbol": "line-ew", "size": 40, "line": {"width": 3, "color": "#111111"}},
                hovertemplate="%{x}<br>target %{y:.0%}<extra></extra>",
            ),
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


# --------------------------------------------------------------------------- what-if report


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
    if not scenarios:
        raise InputError("whatif: no scenarios to compare (SCENARIOS.toml needs at least one [[scenario]])")
    names = [name for name, _ in scenarios]
    if len(set(names)) != len(names):
        raise InputError(f"whatif: scenario names must be unique, got {names}")
    plans = {name: parse_summary(summary, where=f"scenario {name!r} summary") for name, summary in scenarios}
    frame = _frame(comparison, COMPARISON_COLUMNS, "comparison")
    frame["scenario"] = frame["scenario"].astype(str)
    unknown = sorted(set(frame["scenario"]) - set(names))
    if unknown:
        raise InputError(f"comparison: scenario(s) {unknown} have no summary (known: {names})")

    queues = sorted({q for plan in plans.values() for q in plan.queues} | set(frame["queue"]))
    targets = {q: next((p.queues[q].target for p in plans.values() if q in p.queues), None) for q in queues}

    def scenario_sl(name: str, queue: str) -> float | None:
        rows = frame[(frame["scenario"] == name) & (frame["queue"] == queue)]
        if not rows.empty and pd.notna(rows["service_level"].iloc[0]):
            return float(rows["service_level"].iloc[0])
        in_summary = plans[name].queues.get(queue)
        return in_summary.service_level if in_summary else None

    nights = {n: sum(a.nights for a in p.agents.values()) for n, p in plans.items()}
    long_weeks = {n: sum(a.paid_hours >= long_week_hours for a in p.agents.values()) for n, p in plans.items()}
    reference = plans[names[0]]

    header = ["Scenario", "Solver", "Paid hours", "Agents used", "Night shifts", f"Weeks ≥ {long_week_hours:g} h"]
    header += [f"SL {q}" for q in queues]
    rows: list[list[tuple[str, Level]]] = []
    for name in names:
        plan = plans[name]
        paid_delta = "" if name == names[0] else f" ({plan.paid_hours - reference.paid_hours:+,.1f})"
        head_delta = "" if name == names[0] else f" ({plan.headcount_used - reference.headcount_used:+d})"
        row: list[tuple[str, Level]] = [
            (esc(name), "plain"),
            (esc(plan.solver.status), _solver_level(plan.solver.status)),
            (_num(plan.paid_hours, 1) + paid_delta, "plain"),
            (f"{plan.headcount_used}{head_delta}", "plain"),
            (str(nights[name]), "plain"),
            (str(long_weeks[name]), "plain"),
        ]
        for queue in queues:
            value = scenario_sl(name, queue)
            target = targets[queue]
            row.append((_pct(value), _service_level_level(value, target) if target is not None else "plain"))
        rows.append(row)

    page = _Page(title, f"{len(names)} scenarios; the first, {names[0]}, is the reference for the differences")
    page.section(
        "scenarios",
        "Scenarios side by side",
        '<p class="note">Paid hours and agents used show the difference to the first scenario in brackets. '
        "Service level is contact-weighted over the week, coloured against each queue's target.</p>"
        + _table(header, rows, text_columns=2)
        + _legend(),
    )

    sl_figure = go.Figure()
    for index, name in enumerate(names):
        sl_figure.add_trace(
            go.Bar(
                x=[plot_text(q) for q in queues],
                y=[scenario_sl(name, q) for q in queues],
                name=plot_text(name),
                marker={"color": QUEUE_COLOURS[index % len(QUEUE_COLOURS)]},
                hovertemplate="%{fullData.name}<br>%{x}: %{y:.1%}<extra></extra>",
            )
        )
    sl_figure.add_trace(
        go.Scatter(
            x=[plot_text(q) for q in queues],
            y=[targets[q] for q in queues],
            name="target",
            mode="markers",
            marker={"symbol": "line-ew", "size": 44, "line": {"width": 3, "color": "#111111"}},
            hovertemplate="%{x}<br>target %{y:.0%}<extra></extra>",
        )
    )
    sl_figure.update_layout(
        template=PLOT_TEMPLATE,
        barmode="group",
        height=420,
        margin={"t": 50},
        yaxis={"title": {"text": "service level"}, "tickformat": ".0%", "range": [0, 1.05]},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    )
    page.section("service-level", "Service level per queue", page.chart(sl_figure, "scenario-service-level"))

    labels = [plot_text(n) for n in names]
    cost = make_subplots(rows=1, cols=2, subplot_titles=("Paid hours", "Agents used"))
    cost.add_trace(
        go.Bar(
            x=labels,
            y=[plans[n].paid_hours for n in names],
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
            y=[plans[n].headcount_used for n in names],
            marker={"color": "#72b7b2"},
            hovertemplate="%{x}<br>%{y} agents<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=2,
    )
    cost.update_layout(template=PLOT_TEMPLATE, height=380, margin={"t": 60})
    page.section("cost", "Paid hours and agents used", page.chart(cost, "scenario-cost"))

    strain = go.Figure(
        [
            go.Bar(
                x=labels,
                y=[nights[n] for n in names],
                name="night shifts",
                marker={"color": "#3f3d8f"},
                hovertemplate="%{x}<br>%{y} night shifts<extra></extra>",
            ),
            go.Bar(
                x=labels,
                y=[long_weeks[n] for n in names],
                name=f"agents with ≥ {long_week_hours:g} paid hours",
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
        yaxis={"rangemode": "tozero", "dtick": max(1, math.ceil(max([*nights.values(), *long_weeks.values()]) / 8))},
    )
    page.section(
        "nights-long-weeks",
        "Nights and long weeks",
        '<p class="note">Night shifts overlap 00:00–06:00 in the agent\'s clock; a long week is an agent '
        f"with at least {long_week_hours:g} paid hours.</p>" + page.chart(strain, "scenario-strain"),
    )

    page.section("detail", "Per queue detail (comparison.csv)", _comparison_table(frame, names, targets))
    return page.render()


def _comparison_table(frame: pd.DataFrame, names: Sequence[str], targets: Mapping[str, float | None]) -> str:
    formats: dict[str, tuple[str, Callable[[float | None], str]]] = {
        "contacts": ("Contacts", lambda v: _num(v, 0)),
        "service_level": ("Service level", _pct),
        "intervals_meeting_target": ("Intervals on target", _pct),
        "required_hours": ("Required hours", lambda v: _num(v, 1)),
        "scheduled_hours": ("Scheduled hours", lambda v: _num(v, 1)),
        "agents_scheduled": ("Agents scheduled", lambda v: _num(v, 0)),
        "paid_hours": ("Paid hours", lambda v: _num(v, 1)),
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
                level = _service_level_level(number, target)
            elif column == "intervals_meeting_target":
                level = _share_level(number)
            row.append((formats[column][1](number), level))
        rows.append(row)
    return _table(["Scenario", "Queue", *[formats[c][0] for c in columns]], rows, text_columns=2)
