"""What both report pages share: the page scaffolding, tables, colour levels and chart helpers.

`Page` collects sections and renders one self-contained HTML page: plotly.js is inlined once in
<head>, a Content-Security-Policy forbids every network fetch, so the page opens offline and a
bad label cannot pull anything in. All text is HTML-escaped (`esc`), in tables and inside charts
(`plot_text`: plotly renders a subset of HTML in labels). A small script in <head> writes any
script error into a visible box on the page (and into `data-script-errors` on <html>, which the
browser test reads).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
import plotly.offline

from wfm import __version__
from wfm.errors import InputError
from wfm.planfiles import parse_utc

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
PLOT_TEMPLATE = "plotly_white"

Level = Literal["good", "warn", "bad", "plain"]

# --------------------------------------------------------------------------- the page

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


class Page:
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


def table(header: Sequence[str], rows: Iterable[Sequence[tuple[str, Level]]], text_columns: int = 1) -> str:
    """An HTML table; each cell is (already escaped text, colour level). The first
    `text_columns` columns hold names and align left; the rest are figures and align right."""

    def cell(tag: str, index: int, text: str, level: Level = "plain") -> str:
        classes = [c for c in ("text" if index < text_columns else "", "" if level == "plain" else level) if c]
        attribute = f' class="{" ".join(classes)}"' if classes else ""
        return f"<{tag}{attribute}>{text}</{tag}>"

    head = "".join(cell("th", i, esc(h)) for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(cell("td", i, text, level) for i, (text, level) in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def legend() -> str:
    return (
        '<p class="note legend"><span class="good">on target</span>'
        f'<span class="warn">within {SERVICE_LEVEL_WARN_POINTS * 100:.0f} points</span>'
        '<span class="bad">missed</span> Intervals on target: green from '
        f"{INTERVAL_SHARE_GOOD:.0%}, amber from {INTERVAL_SHARE_WARN:.0%}.</p>"
    )


def pct(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value * 100:.{digits}f}%"


def num(value: float | None, digits: int = 1, unit: str = "") -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:,.{digits}f}{unit}"


def service_level_level(value: float | None, target: float) -> Level:
    if value is None or math.isnan(value):
        return "plain"
    if value >= target - 1e-9:
        return "good"
    return "warn" if value >= target - SERVICE_LEVEL_WARN_POINTS else "bad"


def share_level(value: float | None) -> Level:
    if value is None or math.isnan(value):
        return "plain"
    if value >= INTERVAL_SHARE_GOOD:
        return "good"
    return "warn" if value >= INTERVAL_SHARE_WARN else "bad"


def solver_level(status: str) -> Level:
    status = status.upper()
    if status == "OPTIMAL":
        return "good"
    return "warn" if status == "FEASIBLE" else "bad"


def gap_level(gap: float | None) -> Level:
    if gap is None or math.isnan(gap):
        return "plain"
    if gap <= GAP_GOOD:
        return "good"
    return "warn" if gap <= GAP_WARN else "bad"


def queue_colours(queues: Iterable[str]) -> dict[str, str]:
    return {q: QUEUE_COLOURS[i % len(QUEUE_COLOURS)] for i, q in enumerate(sorted(set(queues)))}


def wall(instants: pd.Series, zone: str | None = None) -> pd.Series:
    """Plotly date axes have no zones: hand them wall-clock strings in the clock wanted."""
    local = instants.dt.tz_convert(zone or "UTC")
    return local.dt.strftime("%Y-%m-%d %H:%M:%S")


def midnight_lines(first: str, last: str) -> list[dict[str, Any]]:
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


def target_ticks(labels: Sequence[str], targets: Sequence[float | None], size: int) -> go.Scatter:
    """Each queue's service-level target as a black tick across its group of bars (a trace named
    "target", so the legend explains it); `size` is the tick's width in pixels, to span the group."""
    return go.Scatter(
        x=list(labels),
        y=list(targets),
        name="target",
        mode="markers",
        marker={"symbol": "line-ew", "size": size, "line": {"width": 3, "color": "#111111"}},
        hovertemplate="%{x}<br>target %{y:.0%}<extra></extra>",
    )


def queue_dropdown(queues: Sequence[str], traces_per_queue: Sequence[int], title: str) -> list[dict[str, Any]]:
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


def checked_frame(frame: pd.DataFrame, columns: Sequence[str], where: str) -> pd.DataFrame:
    """A copy of `frame` with the columns a chart needs, `interval_start` as UTC instants."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{where}: missing column(s) {', '.join(missing)}, got {list(map(str, frame.columns))} (see FORMATS.md)")
    out = frame.copy()
    if "interval_start" in out.columns:
        out["interval_start"] = parse_utc(out["interval_start"], where, "interval_start")
    if "queue" in out.columns:
        out["queue"] = out["queue"].astype(str)
    return out
