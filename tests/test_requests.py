"""Wishes (requests.csv `off`, `on`) priced by the roster solver: a denied wish costs its weight
in paid hours. Each case is planned end to end on a tiny workspace, judged in summary.json
"requests" and by the independent checker (`wfm check`)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd

from tests.test_week_after_week import NYC, SOLVE, run, write_workspace
from wfm.roster.candidates import Shift
from wfm.roster.wishes import Wish, WishedGroup, week_wishes, with_wishes
from wfm.workspace import load_workspace

WEEK = dt.date(2026, 11, 30)


def spare_workspace(root: Path, requests: str | None = None) -> Path:
    """The four New York agents of `write_workspace`, with calls on local weekdays 10:00-16:00
    only, a few: two shifts a weekday cover them, so the agents have days to spare."""
    ws = write_workspace(root, requests)
    lines = ["queue,interval_start,contacts,aht_seconds"]
    start = dt.datetime(2026, 11, 9, tzinfo=dt.UTC)
    for hour in range(21 * 24):
        stamp = start + dt.timedelta(hours=hour)
        local = stamp.astimezone(NYC)
        contacts = 4 if local.weekday() < 5 and 10 <= local.hour < 16 else 0
        lines.append(f"phone-en,{stamp:%Y-%m-%dT%H:%M:%SZ},{contacts},300")
    (ws / "history.csv").write_text("\n".join(lines) + "\n")
    return ws


def plan(root: Path, requests: str | None) -> tuple[dict[str, Any], dict[str, set[dt.date]]]:
    """Plan the spare workspace; the summary, and each agent's local start dates. The plan must
    pass `wfm check`."""
    ws = spare_workspace(root / "ws", requests)
    out = root / "plan"
    result = run("schedule", str(ws), "--out", str(out), *SOLVE)
    assert result.exit_code == 0, result.output
    checked = run("check", str(ws), str(out))
    assert checked.exit_code == 0, checked.output
    roster = pd.read_csv(out / "roster.csv")
    starts = pd.to_datetime(roster["start"], utc=True)
    days: dict[str, set[dt.date]] = {}
    for agent_id, start in zip(roster["agent_id"], starts, strict=True):
        days.setdefault(agent_id, set()).add(start.astimezone(NYC).date())
    return json.loads((out / "summary.json").read_text()), days


def service(summary: dict[str, Any]) -> float:
    return float(summary["queues"]["phone-en"]["intervals_meeting_target"])


def test_off_wishes_that_cost_no_service_are_granted(tmp_path: Path) -> None:
    alone, _ = plan(tmp_path / "alone", None)
    wishes = "A1,2026-11-30,off,,,\nA2,2026-12-01,off,,,\nA3,2026-12-02,off,,,\nA4,2026-12-03,off,08:00,12:00,\n"
    summary, days = plan(tmp_path / "wished", wishes)
    assert summary["requests"]["off"] == {"granted": 4, "denied": 0}
    assert summary["requests"]["denied"] == []
    assert dt.date(2026, 11, 30) not in days.get("A1", set())
    assert dt.date(2026, 12, 2) not in days.get("A3", set())
    assert service(summary) >= service(alone) - 0.02
    assert summary["paid_hours"] <= alone["paid_hours"] + 1e-9


def test_the_weight_of_an_on_wish_decides_whether_its_hours_are_paid(tmp_path: Path) -> None:
    # Sunday has no calls: a shift then buys no service, only the wish, for 7.5 paid hours.
    light, light_days = plan(tmp_path / "light", "A1,2026-12-06,on,,,1\n")
    assert light["requests"]["on"] == {"granted": 0, "denied": 1}
    assert light["requests"]["denied"] == [{"agent_id": "A1", "date": "2026-12-06", "kind": "on", "weight": 1.0, "row": 2}]
    heavy, heavy_days = plan(tmp_path / "heavy", "A1,2026-12-06,on,,,20\n")
    assert heavy["requests"]["on"] == {"granted": 1, "denied": 0}
    assert dt.date(2026, 12, 6) in heavy_days["A1"]
    assert dt.date(2026, 12, 6) not in light_days.get("A1", set())
    assert service(heavy) >= service(light) - 0.02


def test_an_on_wish_with_a_window_is_granted_only_by_a_start_in_it(tmp_path: Path) -> None:
    summary, _ = plan(tmp_path / "window", "A2,2026-12-06,on,09:00,09:30,20\n")
    assert summary["requests"]["on"] == {"granted": 1, "denied": 0}
    roster = pd.read_csv(tmp_path / "window" / "plan" / "roster.csv")
    local = pd.to_datetime(roster.loc[roster["agent_id"] == "A2", "start_local"].str[:19])
    assert any(t.date() == dt.date(2026, 12, 6) and t.time() == dt.time(9, 0) for t in local)


def test_agents_with_wishes_get_groups_of_their_own_and_the_rest_stay_together(tmp_path: Path) -> None:
    from wfm.roster.candidates import make_groups

    ws = load_workspace(spare_workspace(tmp_path / "ws", "A2,2026-12-01,off,,,2\nA2,2026-12-06,on,09:00,09:30,\n"))
    wishes = week_wishes(ws, WEEK)
    assert list(wishes) == ["A2"] and [w.kind for w in wishes["A2"]] == ["off", "on"]
    groups = with_wishes(make_groups(ws.agents, ws.rules, WEEK), wishes)
    assert [tuple(a.agent_id for a in g.agents) for g in groups] == [("A1", "A3", "A4"), ("A2",)]
    assert [g.index for g in groups] == [0, 1] and isinstance(groups[1], WishedGroup)
    assert with_wishes(make_groups(ws.agents, ws.rules, WEEK), {}) == make_groups(ws.agents, ws.rules, WEEK)


def test_a_wish_prices_the_shifts_the_judge_would_count_against_it() -> None:
    off = Wish("A1", "off", low=600, high=840, weight=2.0)
    on = Wish("A1", "on", low=600, high=631, weight=1.5)

    def shift(start: int) -> Shift:
        return Shift(day=0, start=start, length=480, paid=450, night=False, band=0)

    assert off.hours(shift(120)) == 0.0 and off.hours(shift(121)) == 2.0 and off.hours(shift(840)) == 0.0
    assert on.hours(shift(600)) == -1.5 and on.hours(shift(630)) == -1.5 and on.hours(shift(660)) == 0.0
    assert off.granted([shift(840)]) and not on.granted([shift(660)]) and on.granted([shift(630)])
