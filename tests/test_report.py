"""report.html: sections and data from a small synthetic plan, escaping, and a real browser render."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.offline
import pytest
from browser import chromium_or_skip

from wfm.errors import InputError
from wfm.exports.calendars import AgentInfo
from wfm.exports.report import agent_weeks, build_comparison_report, build_report, parse_summary
from wfm.rules import Nights

WEEK = "2026-11-30"
EVIL_NAME = '<script>alert("x")</script> & Co'
AGENTS = {
    "a1": ("America/New_York", "Ana Ruiz", 40.0),
    "m/2": ("Asia/Manila", EVIL_NAME, 6.0),  # capped below the shift: the report must flag it
    "x3": ("Europe/Madrid", None, None),
}
# 3 agents, 2 queues, one day; every shift is 8 h with a 30-minute lunch, so 7.5 paid hours.
SHIFTS: dict[str, list[tuple[str, str, str]]] = {
    "a1": [
        ("phone-en", "13:00", "15:00"),
        ("break", "15:00", "15:15"),
        ("phone-en", "15:15", "17:00"),
        ("lunch", "17:00", "17:30"),
        ("chat-en", "17:30", "21:00"),
    ],
    # 22:00–06:00 in Manila: crosses local midnight, a night shift.
    "m/2": [
        ("chat-en", "14:00", "16:00"),
        ("break", "16:00", "16:15"),
        ("chat-en", "16:15", "18:00"),
        ("lunch", "18:00", "18:30"),
        ("phone-en", "18:30", "22:00"),
    ],
    "x3": [("phone-en", "08:00", "12:00"), ("lunch", "12:00", "12:30"), ("phone-en", "12:30", "16:00")],
}
QUEUES = ("phone-en", "chat-en")


def make_roster() -> pd.DataFrame:
    rows = []
    for agent_id, blocks in SHIFTS.items():
        for activity, start, end in blocks:
            rows.append(
                {
                    "agent_id": agent_id,
                    "activity": activity,
                    "start": pd.Timestamp(f"{WEEK}T{start}Z"),
                    "end": pd.Timestamp(f"{WEEK}T{end}Z"),
                }
            )
    roster = pd.DataFrame(rows)
    for column in ("start", "end"):
        zones = roster["agent_id"].map(lambda a: AGENTS[a][0])
        roster[f"{column}_local"] = [ts.tz_convert(zone).isoformat() for ts, zone in zip(roster[column], zones, strict=True)]
    return roster


def make_coverage(roster: pd.DataFrame) -> pd.DataFrame:
    starts = pd.date_range(f"{WEEK}T00:00Z", periods=96, freq="15min")
    rows = []
    for queue in QUEUES:
        on_queue = roster[roster["activity"] == queue]
        for start in starts:
            end = start + pd.Timedelta(minutes=15)
            scheduled = int(((on_queue["start"] < end) & (on_queue["end"] > start)).sum())
            required = 1 if 9 <= start.hour < 21 else 0
            service_level = 0.9 if scheduled >= required else 0.35
            rows.append(
                {
                    "queue": queue,
                    "interval_start": start,
                    "required": required,
                    "scheduled": scheduled,
                    "service_level": service_level,
                    "asa_seconds": 5.0 if scheduled >= required else 80.0,
                    "target": 0.8,
                }
            )
    return pd.DataFrame(rows)


def make_requirements(coverage: pd.DataFrame) -> pd.DataFrame:
    frame = coverage[["queue", "interval_start"]].copy()
    frame["contacts"] = coverage["required"] * 12.0
    frame["aht_seconds"] = 300.0
    frame["agents"] = coverage["required"]
    return frame


def make_summary() -> dict[str, Any]:
    return {
        "week": WEEK,
        "queues": {
            "phone-en": {
                "channel": "phone",
                "timezone": "America/New_York",
                "service_level": 0.862,
                "target": 0.8,
                "intervals_meeting_target": 0.95,
                "contacts": 576.0,
            },
            "chat-en": {
                "channel": "chat",
                "service_level": 0.611,
                "target": 0.8,
                "intervals_meeting_target": 0.5,
                "contacts": 576.0,
            },
        },
        "agents": {a: {"paid_hours": 7.5, "shifts": 1, "nights": int(a == "m/2"), "weekend_days": 0} for a in AGENTS},
        "paid_hours": 22.5,
        "headcount_used": 3,
        "solver": {"status": "FEASIBLE", "objective": 1520.0, "bound": 1475.0, "gap": 0.0296, "seconds": 12.4},
        "simulation": {
            "queues": {
                "phone-en": {"service_level": 0.84, "service_level_ci": [0.81, 0.87], "erlang_service_level": 0.862},
                "chat-en": {"service_level": 0.58, "service_level_ci": [0.52, 0.64], "erlang_service_level": 0.611},
            },
            "runs": 20,
            "seed": 7,
        },
    }


@pytest.fixture(scope="module")
def page() -> str:
    roster = make_roster()
    coverage = make_coverage(roster)
    return build_report(
        roster,
        coverage,
        make_summary(),
        AGENTS,
        WEEK,
        requirements=make_requirements(coverage),
        title="Team <A> plan",
        nights=Nights(),
    )


def chart(page: str, name: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The traces and layout plotly is given for one chart, decoded from the page."""
    call = re.search(rf'Plotly\.newPlot\(\s*"chart-{name}",', page)
    assert call, f"chart {name} is not in the page"
    position = call.end()
    decoder = json.JSONDecoder()
    data, end = decoder.raw_decode(page, page.index("[", position))
    layout, _ = decoder.raw_decode(page, page.index("{", end))
    return data, layout


def chart_data(page: str, name: str) -> list[dict[str, Any]]:
    return chart(page, name)[0]


def button_labels(page: str, name: str) -> list[str]:
    _, layout = chart(page, name)
    return [button["label"] for menu in layout.get("updatemenus", []) for button in menu["buttons"]]


def test_report_has_every_section_in_reading_order(page: str) -> None:
    anchors = ["kpis", "coverage", "service-level", "roster", "paid-hours", "nights-weekends", "queue-switches", "simulation"]
    positions = [page.index(f'<section id="{anchor}">') for anchor in anchors]
    assert positions == sorted(positions)
    assert page.count('class="plotly-graph-div"') == 7


def test_plotly_is_inlined_once_and_nothing_is_fetched(page: str) -> None:
    bundle_head = plotly.offline.get_plotlyjs()[:300]
    assert page.count(bundle_head) == 1
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", page)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_headline_kpis_are_coloured_against_target(page: str) -> None:
    kpis = page[page.index('<section id="kpis">') : page.index('<section id="coverage">')]
    assert '<td class="good">86.2%</td>' in kpis  # phone-en meets 80%
    assert '<td class="bad">61.1%</td>' in kpis  # chat-en misses by 19 points
    assert '<td class="good">95.0%</td>' in kpis and '<td class="bad">50.0%</td>' in kpis
    assert '<td class="warn">FEASIBLE</td>' in kpis and '<td class="warn">2.96%</td>' in kpis
    assert "22.5 h" in kpis and "3 of 3" in kpis
    assert "84.0% (81.0%–87.0%)" in kpis
    # m/2 works 7.5 paid hours against a 6-hour cap.
    assert "Agents above their max_hours_week" in kpis


def test_all_text_is_escaped(page: str) -> None:
    assert EVIL_NAME not in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co (m/2)" in page
    assert "<title>Team &lt;A&gt; plan</title>" in page


def test_coverage_chart_has_required_and_scheduled_per_queue(page: str) -> None:
    traces = chart_data(page, "coverage")
    names = [t["name"] for t in traces]
    assert names == ["contacts", "required", "scheduled"] * 2
    assert [t.get("visible") for t in traces] == [True] * 3 + [False] * 3
    scheduled = traces[2]
    # 96 intervals plus the end of the last one, so the step line covers the whole day.
    assert len(scheduled["x"]) == 97 and scheduled["x"][0] == "2026-11-30 00:00:00"
    assert max(scheduled["y"]) == 2  # a1 and x3 overlap on phone-en 13:00–16:00 UTC
    assert button_labels(page, "coverage") == ["chat-en", "phone-en"]


def test_heatmap_uses_the_queue_clock(page: str) -> None:
    chat, phone = chart_data(page, "service-level")
    # phone-en names America/New_York: the UTC day starts at 19:00 on Sunday there.
    assert phone["x"][0] == "Sun 29 Nov" and "19:00" in phone["y"]
    assert chat["x"] == ["Mon 30 Nov"] and len(chat["y"]) == 96
    assert phone["visible"] is False
    assert button_labels(page, "service-level") == ["chat-en", "phone-en"]


def test_gantt_switches_between_utc_and_site_clocks(page: str) -> None:
    traces = chart_data(page, "roster")
    assert [t["name"] for t in traces] == ["chat-en", "phone-en", "break", "lunch"]
    chat = traces[0]
    manila_row = chat["y"].index('&lt;script&gt;alert("x")&lt;/script&gt; &amp; Co (m/2)')
    assert chat["base"][manila_row] == "2026-11-30 14:00:00"  # UTC is the first view
    _, layout = chart(page, "roster")
    (menu,) = layout["updatemenus"]
    assert [b["label"] for b in menu["buttons"]] == ["UTC", "America/New_York", "Asia/Manila", "Europe/Madrid"]
    manila = menu["buttons"][2]["args"]
    assert manila[0]["base"][0][manila_row] == "2026-11-30 22:00:00"
    assert manila[0]["x"][0][manila_row] == 2 * 3600 * 1000
    assert manila[1]["xaxis.title.text"] == "time (Asia/Manila clock)"


def test_paid_hours_and_caps(page: str) -> None:
    bars, caps = chart_data(page, "paid-hours")
    assert bars["x"] == [7.5, 7.5, 7.5]
    assert caps["name"] == "max_hours_week" and sorted(caps["x"]) == [6.0, 40.0]
    assert "#d62728" in bars["marker"]["color"]  # the over-cap bar is red


def test_nights_and_weekends_follow_the_agents_clock() -> None:
    weeks = {w.info.agent_id: w for w in agent_weeks(make_roster(), AGENTS, nights=Nights())}
    assert weeks["m/2"].nights == 1 and weeks["a1"].nights == 0 and weeks["x3"].nights == 0
    # 2026-12-05 23:00 UTC is Sunday 07:00 in Manila and Saturday 18:00 in New York.
    sunday = pd.DataFrame(
        {
            "agent_id": ["m/2", "a1"],
            "activity": ["chat-en", "chat-en"],
            "start": [pd.Timestamp("2026-12-05T23:00Z")] * 2,
            "end": [pd.Timestamp("2026-12-06T03:00Z")] * 2,
        }
    )
    weeks = {w.info.agent_id: w for w in agent_weeks(sunday, AGENTS, nights=Nights())}
    assert weeks["m/2"].weekend_days == 1 and weeks["m/2"].nights == 0
    assert weeks["a1"].weekend_days == 1 and weeks["a1"].nights == 0  # ends 22:00 Saturday
    assert weeks["x3"].weekend_days == 0 and weeks["x3"].paid_hours == 0


def test_a_moved_night_window_moves_the_nights_chart() -> None:
    # [nights] 08:00–10:00: a1 starts 08:00 in New York and x3 09:00 in Madrid, both nights now;
    # m/2's 22:00–06:00 in Manila is not. The old hard-coded 00:00–06:00 counted m/2 only.
    morning = Nights(window_start_hour=8, window_end_hour=10)
    weeks = {w.info.agent_id: w for w in agent_weeks(make_roster(), AGENTS, nights=morning)}
    assert {a: w.nights for a, w in weeks.items()} == {"a1": 1, "m/2": 0, "x3": 1}
    roster = make_roster()
    page = build_report(roster, make_coverage(roster), make_summary(), AGENTS, WEEK, nights=morning)
    night_bars = chart_data(page, "nights-weekends")[0]
    assert night_bars["x"] == [1, 0, 1]  # agents by site: New York, Manila, Madrid
    assert "Night shifts overlap 08:00–10:00 in the agent" in page


def test_queue_switches_per_agent_and_for_the_plan(page: str) -> None:
    # a1: phone-en (a break inside), then chat-en after lunch: 1 switch; m/2 likewise; x3 stays on
    # phone-en through lunch: 0. Three shifts, two switches: a mean of 0.7 and a worst of 1.
    weeks = {w.info.agent_id: w for w in agent_weeks(make_roster(), AGENTS, nights=Nights())}
    assert {a: (w.switches, w.worst_switches) for a, w in weeks.items()} == {"a1": (1, 1), "m/2": (1, 1), "x3": (0, 0)}
    totals, worst = chart_data(page, "queue-switches")
    assert totals["x"] == [1, 1, 0] and worst["x"] == [1, 1, 0]
    assert "shifts average 0.7 switches; the most in one shift is 1." in page


def test_simulation_section_only_with_a_simulation() -> None:
    roster = make_roster()
    summary = make_summary()
    del summary["simulation"]
    page = build_report(roster, make_coverage(roster), summary, AGENTS, WEEK, nights=Nights())
    assert '<section id="simulation">' not in page
    assert page.count('class="plotly-graph-div"') == 6


def test_agent_objects_are_accepted() -> None:
    roster = make_roster()
    agents = [AgentInfo(a, zone, name, cap) for a, (zone, name, cap) in AGENTS.items()]
    page = build_report(roster, make_coverage(roster), make_summary(), agents, WEEK, nights=Nights())
    assert "Ana Ruiz (a1)" in page


def test_bad_summary_names_the_key() -> None:
    summary = make_summary()
    del summary["queues"]["chat-en"]["target"]
    with pytest.raises(InputError, match=r"summary: queues\.chat-en\.target: Field required"):
        parse_summary(summary)


def test_roster_agent_missing_from_agents_is_an_error() -> None:
    roster = make_roster()
    with pytest.raises(InputError, match="'m/2'"):
        build_report(
            roster, make_coverage(roster), make_summary(), {k: v for k, v in AGENTS.items() if k != "m/2"}, WEEK, nights=Nights()
        )


def _scenarios() -> tuple[list[tuple[str, dict[str, Any]]], pd.DataFrame]:
    baseline = make_summary()
    busier = make_summary()
    busier["paid_hours"] = 30.0
    busier["headcount_used"] = 4
    busier["agents"]["a1"]["paid_hours"] = 40.0
    busier["agents"]["x3"]["nights"] = 2
    rows = []
    for name, factor in (("baseline", 1.0), ("volume +20% <b>", 0.9)):
        for queue, sl in (("phone-en", 0.862), ("chat-en", 0.611)):
            rows.append(
                {
                    "scenario": name,
                    "queue": queue,
                    "contacts": 576.0 / factor,
                    "service_level": sl * factor,
                    "intervals_meeting_target": 0.9 * factor,
                    "required_hours": 12.0 / factor,
                    "scheduled_hours": 14.0,
                    "agents_scheduled": 3,
                    "paid_hours": 22.5,
                }
            )
    return [("baseline", baseline), ("volume +20% <b>", busier)], pd.DataFrame(rows)


def test_comparison_report_puts_scenarios_side_by_side() -> None:
    scenarios, comparison = _scenarios()
    page = build_comparison_report(scenarios, comparison)
    for anchor in ("scenarios", "service-level", "cost", "nights-long-weeks", "detail"):
        assert f'<section id="{anchor}">' in page
    assert "volume +20% &lt;b&gt;" in page and "volume +20% <b>" not in page
    table = page[page.index('<section id="scenarios">') : page.index('<section id="service-level">')]
    assert "30.0 (+7.5)" in table and "4 (+1)" in table
    # busier: nights 1 (m/2) + 2 (x3); one agent at 40 paid hours is a long week.
    rows = re.findall(r"<tr>(.*?)</tr>", table)
    assert "<td>3</td><td>1</td>" in rows[-1]
    assert '<td class="warn">77.6%</td>' in rows[-1]  # phone-en 0.862 * 0.9, within 5 points
    assert page.count('class="plotly-graph-div"') == 3


def test_comparison_rejects_unknown_scenarios() -> None:
    scenarios, comparison = _scenarios()
    with pytest.raises(InputError, match="have no summary"):
        build_comparison_report(scenarios[:1], comparison)


# Presses every dropdown and button of every chart in turn (as a planner would), then records
# how many it pressed and each chart's x-axis type: a button that breaks its chart shows here.
PRESS_EVERY_BUTTON = """<script>
window.addEventListener("load", function () {
  var charts = Array.prototype.slice.call(document.querySelectorAll(".js-plotly-plot"));
  var presses = [];
  charts.forEach(function (gd) {
    (gd.layout.updatemenus || []).forEach(function (menu) {
      menu.buttons.forEach(function (button) { presses.push([gd, button]); });
    });
  });
  presses.reduce(function (done, press) {
    return done.then(function () { return Plotly.update(press[0], press[1].args[0], press[1].args[1]); });
  }, Promise.resolve()).then(function () {
    var types = charts.map(function (gd) { return gd.id + ":" + gd._fullLayout.xaxis.type; });
    document.documentElement.setAttribute("data-buttons-pressed", String(presses.length));
    document.documentElement.setAttribute("data-x-types", types.join(" "));
  });
});
</script>"""


@pytest.mark.slow
@pytest.mark.timeout(900)  # a first run may apt-get install Chromium; later runs take seconds
def test_report_renders_in_headless_chromium(page: str, tmp_path: Path) -> None:
    chromium = chromium_or_skip(tmp_path)
    report = tmp_path / "report.html"
    report.write_text(page, encoding="utf-8")

    dom = chromium.dump_dom(report)
    assert_no_script_errors(dom)
    charts = page.count('class="plotly-graph-div"')
    # plotly marks each drawn chart js-plotly-plot and gives it at least one main-svg.
    assert dom.count("js-plotly-plot") >= charts
    assert dom.count('class="main-svg"') >= charts
    assert "<script>alert" not in dom

    pressed = tmp_path / "pressed.html"
    pressed.write_text(page.replace("</body>", PRESS_EVERY_BUTTON + "</body>"), encoding="utf-8")
    dom = chromium.dump_dom(pressed)
    assert_no_script_errors(dom)
    # coverage and heat map: one per queue; roster: UTC and three sites.
    assert 'data-buttons-pressed="8"' in dom
    types = re.search(r'data-x-types="([^"]*)"', dom)
    assert types, "the button presses never finished"
    assert "chart-roster:date" in types.group(1).split() and "chart-coverage:date" in types.group(1).split()

    png = chromium.screenshot(report, tmp_path / "report.png")
    assert png.stat().st_size > 50_000


def assert_no_script_errors(dom: str) -> None:
    errors = re.search(r'data-script-errors="(\d+)"', dom)
    box = re.search(r'id="wfm-script-errors"[^>]*>(.*?)</div>', dom, re.S)
    assert errors and errors.group(1) == "0", box.group(1) if box else dom[:2000]
