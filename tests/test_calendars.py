"""calendars/*.ics: every event parsed back lands on its roster shift's exact instants, DST included."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pandas as pd
import pytest

from wfm.errors import InputError
from wfm.exports.calendars import (
    AgentInfo,
    agent_calendar,
    agent_infos,
    calendar_file_names,
    roster_shifts,
    team_calendar,
    wall_time_is_exact,
    write_calendars,
)

STAMP = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
Block = tuple[str, str, str]  # activity, start, end (UTC, ISO)


def roster_of(shifts: dict[str, list[list[Block]]]) -> pd.DataFrame:
    rows = [
        {"agent_id": agent_id, "activity": activity, "start": pd.Timestamp(start), "end": pd.Timestamp(end)}
        for agent_id, agent_shifts in shifts.items()
        for shift in agent_shifts
        for activity, start, end in shift
    ]
    return pd.DataFrame(rows, columns=["agent_id", "activity", "start", "end"])


def eight_hours(start: str, first_queue: str = "phone-en", second_queue: str = "chat-en") -> list[Block]:
    """An 8.5-hour shift from `start` (UTC): queue, break, queue, lunch, other queue."""
    t0 = pd.Timestamp(start)

    def at(minutes: int) -> str:
        return (t0 + pd.Timedelta(minutes=minutes)).isoformat()

    return [
        (first_queue, at(0), at(120)),
        ("break", at(120), at(135)),
        (first_queue, at(135), at(240)),
        ("lunch", at(240), at(270)),
        (second_queue, at(270), at(510)),
    ]


# New York falls back at 2026-11-01 02:00 EDT (06:00Z): local 01:00–02:00 happens twice.
NEW_YORK_WEEK = "2026-10-26"
NEW_YORK_AGENTS = {
    "ny-late": ("America/New_York", "Lee", 40.0),
    "ny-early": ("America/New_York", "Eve", 40.0),
    "ny-repeat": ("America/New_York", None, None),
}
NEW_YORK_SHIFTS = {
    # Sat 31 Oct 21:00 EDT → Sun 04:30 EST: crosses the change, ends on a plain wall time.
    "ny-late": [eight_hours("2026-11-01T01:00Z")],
    # Sun 00:00 EDT → 01:30 EST (06:30Z): ends on an ambiguous wall time.
    "ny-early": [[("phone-en", "2026-11-01T04:00Z", "2026-11-01T06:30Z")]],
    # Starts 01:15 EST (06:15Z), in the repeated hour.
    "ny-repeat": [eight_hours("2026-11-01T06:15Z", "chat-en", "phone-en")],
}

# Madrid falls back at 2026-10-25 03:00 CEST (01:00Z): local 02:00–03:00 happens twice.
MADRID_WEEK = "2026-10-19"
MADRID_AGENTS = {"mad-1": ("Europe/Madrid", "Marta", 40.0), "mad-2": ("Europe/Madrid", "Pau", 40.0)}
MADRID_SHIFTS = {
    # Sat 24 Oct 17:00 CEST → Sun 02:30 CET (01:30Z): ends in the repeated hour.
    "mad-1": [[("email-es", "2026-10-24T15:00Z", "2026-10-25T01:30Z")], eight_hours("2026-10-21T07:00Z")],
    # Sun 25 Oct 02:30 CEST (00:30Z), the first of the two 02:30s.
    "mad-2": [[("chat-es", "2026-10-25T00:30Z", "2026-10-25T04:00Z")]],
}

# Manila: a 22:00–06:30 local shift crossing local midnight, and ids no file system likes.
MANILA_WEEK = "2026-11-30"
UNSAFE_ID = 'ops/../Ñandú:*?<>|"\\ team'
MANILA_AGENTS = {
    "mnl-1": ("Asia/Manila", "Bea", 40.0),
    UNSAFE_ID: ("Asia/Manila", "Slash <b>&</b>", 40.0),
    "CON": ("Asia/Manila", None, None),
    "team": ("UTC", None, None),
    "Ana": ("Asia/Manila", None, None),
    "ana": ("Asia/Manila", None, None),
    "..": ("Asia/Manila", None, None),
    "idle": ("Europe/Madrid", None, None),
}
MANILA_SHIFTS = {
    "mnl-1": [eight_hours("2026-11-30T14:00Z"), eight_hours("2026-12-01T14:00Z")],
    UNSAFE_ID: [eight_hours("2026-12-02T14:00Z")],
    "CON": [eight_hours("2026-12-03T01:00Z")],
    "team": [eight_hours("2026-12-03T09:00Z")],
    "Ana": [eight_hours("2026-12-04T01:00Z")],
    "ana": [eight_hours("2026-12-05T01:00Z")],
    "..": [eight_hours("2026-12-06T01:00Z")],
}

CASES = {
    "new-york-fall-back": (NEW_YORK_WEEK, NEW_YORK_AGENTS, NEW_YORK_SHIFTS),
    "madrid-fall-back": (MADRID_WEEK, MADRID_AGENTS, MADRID_SHIFTS),
    "manila-and-unsafe-ids": (MANILA_WEEK, MANILA_AGENTS, MANILA_SHIFTS),
}


def instants(event: icalendar.Event) -> tuple[datetime, datetime]:
    return event.decoded("dtstart").astimezone(UTC), event.decoded("dtend").astimezone(UTC)


def instants_by_vtimezone(calendar: icalendar.Calendar, event: icalendar.Event) -> tuple[datetime, datetime]:
    """Resolve DTSTART/DTEND with the file's own VTIMEZONE, as Outlook does, not the IANA name."""
    zones = {str(tz["TZID"]): tz.to_tz(lookup_tzid=False) for tz in calendar.walk("VTIMEZONE")}
    resolved = []
    for name in ("DTSTART", "DTEND"):
        prop = event[name]
        tzid = prop.params.get("TZID")
        if tzid is None:
            assert prop.to_ical().endswith(b"Z"), f"{name} is floating: {prop.to_ical()!r}"
            resolved.append(prop.dt.astimezone(UTC))
        else:
            resolved.append(prop.dt.replace(tzinfo=zones[tzid]).astimezone(UTC))
    return resolved[0], resolved[1]


def expected_shifts(shifts: dict[str, list[list[Block]]]) -> dict[str, set[tuple[datetime, datetime]]]:
    return {
        agent_id: {(s.start, s.end) for s in agent_shifts} for agent_id, agent_shifts in roster_shifts(roster_of(shifts)).items()
    }


@pytest.mark.parametrize("case", CASES)
def test_every_file_parses_back_to_the_roster_instants(case: str, tmp_path: Path) -> None:
    week, agents, shifts = CASES[case]
    written = write_calendars(tmp_path, roster_of(shifts), agents, week, stamp=STAMP)
    expected = expected_shifts(shifts)

    assert sorted(p.name for p in (tmp_path / "calendars").iterdir()) == sorted(
        [written.team.name, *(p.name for p in written.agents.values())]
    )
    for agent_id, path in written.agents.items():
        raw = path.read_bytes()
        assert raw.count(b"\n") == raw.count(b"\r\n")  # RFC 5545 lines end in CRLF
        assert max(len(line) for line in raw.split(b"\r\n")) <= 75  # and fold at 75 octets
        calendar = icalendar.Calendar.from_ical(raw)
        calendar.validate()
        assert str(calendar["VERSION"]) == "2.0" and str(calendar["PRODID"]).startswith("-//wfm//")
        events = list(calendar.walk("VEVENT"))
        assert {instants(e) for e in events} == expected.get(agent_id, set())
        assert {instants_by_vtimezone(calendar, e) for e in events} == expected.get(agent_id, set())
        assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [agents[agent_id][0]]
        for event in events:
            for name in ("UID", "DTSTAMP", "SEQUENCE", "SUMMARY", "DESCRIPTION"):
                assert name in event

    team = icalendar.Calendar.from_ical(written.team.read_bytes())
    team.validate()
    every_shift = {pair for pairs in expected.values() for pair in pairs}
    team_events = list(team.walk("VEVENT"))
    assert len(team_events) == sum(len(pairs) for pairs in expected.values())
    assert {instants(e) for e in team_events} == every_shift
    assert {instants_by_vtimezone(team, e) for e in team_events} == every_shift


def test_ambiguous_wall_times_are_written_in_utc(tmp_path: Path) -> None:
    written = write_calendars(tmp_path, roster_of(NEW_YORK_SHIFTS), NEW_YORK_AGENTS, NEW_YORK_WEEK, stamp=STAMP)
    early = written.agents["ny-early"].read_text()
    assert "DTSTART:20261101T040000Z" in early and "DTEND:20261101T063000Z" in early
    repeat = written.agents["ny-repeat"].read_text()
    assert "DTSTART:20261101T061500Z" in repeat

    # Crossing the change on plain wall times stays in the agent's zone: 8.5 h elapsed, 7.5 h on the clock.
    late = written.agents["ny-late"].read_text()
    assert "DTSTART;TZID=America/New_York:20261031T210000" in late
    assert "DTEND;TZID=America/New_York:20261101T043000" in late
    assert re.search(r"BEGIN:STANDARD\nDTSTART:20261101T020000\n.*?TZOFFSETTO:-0500", late, re.S)

    madrid = write_calendars(tmp_path / "madrid", roster_of(MADRID_SHIFTS), MADRID_AGENTS, MADRID_WEEK, stamp=STAMP)
    assert "DTEND:20261025T013000Z" in madrid.agents["mad-1"].read_text()
    assert "DTSTART:20261025T003000Z" in madrid.agents["mad-2"].read_text()
    assert "DTSTART;TZID=Europe/Madrid:20261021T090000" in madrid.agents["mad-1"].read_text()


def test_wall_time_is_exact_only_outside_the_repeated_hour() -> None:
    from zoneinfo import ZoneInfo

    new_york = ZoneInfo("America/New_York")
    assert not wall_time_is_exact(datetime(2026, 11, 1, 5, 30, tzinfo=UTC), new_york)  # 01:30 EDT
    assert not wall_time_is_exact(datetime(2026, 11, 1, 6, 30, tzinfo=UTC), new_york)  # 01:30 EST
    assert wall_time_is_exact(datetime(2026, 11, 1, 7, 0, tzinfo=UTC), new_york)  # 02:00 EST
    assert wall_time_is_exact(datetime(2026, 11, 1, 4, 59, tzinfo=UTC), new_york)  # 00:59 EDT


def test_summary_and_description_speak_the_agents_clock() -> None:
    info = AgentInfo("mnl-1", "Asia/Manila", "Bea", 40.0)
    roster = roster_of({"mnl-1": MANILA_SHIFTS["mnl-1"]})
    calendar = agent_calendar(info, roster, MANILA_WEEK, stamp=STAMP)
    first = min(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    assert str(first["SUMMARY"]) == "Shift: phone-en, chat-en"
    assert first["DTSTART"].to_ical() == b"20261130T220000"
    # The shift in queue blocks: the break inside the phone block does not end it; the lunch
    # between two queues belongs to neither.
    assert str(first["DESCRIPTION"]).split("\n") == [
        "Bea (mnl-1), times in Asia/Manila",
        "Mon 30 Nov 2026 22:00–Tue 06:30, paid 8.00 h",
        "22:00–Tue 02:00 phone-en · Tue 02:30–Tue 06:30 chat-en",
        "1 queue switch",
        "",
        "22:00–Tue 02:00  phone-en",
        "  Tue 00:00–Tue 00:15  break",
        "Tue 02:00–Tue 02:30  lunch",
        "Tue 02:30–Tue 06:30  chat-en",
    ]


def test_a_block_resumes_after_a_break_and_switches_count_blocks() -> None:
    """Issue #19: a block is a maximal run on one queue within a shift; breaks and lunch inside
    it do not end it; switches are blocks minus one."""
    start = pd.Timestamp("2026-11-30T12:00Z")

    def at(minutes: int) -> str:
        return (start + pd.Timedelta(minutes=minutes)).isoformat()

    rows: list[Block] = [
        ("phone-en", at(0), at(60)),
        ("phone-en", at(60), at(120)),  # cut per interval: still one block
        ("break", at(120), at(135)),
        ("phone-en", at(135), at(180)),  # resumes the phone block after the break
        ("chat-en", at(180), at(240)),
        ("lunch", at(240), at(270)),
        ("chat-en", at(270), at(330)),
        ("break", at(330), at(345)),
        ("phone-en", at(345), at(480)),
    ]
    (shift,) = roster_shifts(roster_of({"nyc-1": [rows]}))["nyc-1"]
    blocks = [(b.queue, f"{b.start:%H:%M}", f"{b.end:%H:%M}", b.on_queue_minutes) for b in shift.queue_blocks]
    assert blocks == [
        ("phone-en", "12:00", "15:00", 165.0),
        ("chat-en", "15:00", "17:30", 120.0),
        ("phone-en", "17:45", "20:00", 135.0),
    ]
    assert shift.switches == 2
    info = AgentInfo("nyc-1", "America/New_York", None, None)
    (event,) = agent_calendar(info, roster_of({"nyc-1": [rows]}), MANILA_WEEK, stamp=STAMP).walk("VEVENT")
    assert str(event["DESCRIPTION"]).split("\n")[2:] == [
        "07:00–10:00 phone-en · 10:00–12:30 chat-en · 12:45–15:00 phone-en",
        "2 queue switches",
        "",
        "07:00–10:00  phone-en",
        "  09:00–09:15  break",
        "10:00–12:30  chat-en",
        "  11:00–11:30  lunch",
        "12:30–12:45  break",
        "12:45–15:00  phone-en",
    ]


def test_the_zone_is_named_when_the_offset_changes_inside_a_shift() -> None:
    info = AgentInfo("ny-late", "America/New_York", "Lee", 40.0)
    calendar = agent_calendar(info, roster_of({"ny-late": NEW_YORK_SHIFTS["ny-late"]}), NEW_YORK_WEEK, stamp=STAMP)
    (event,) = calendar.walk("VEVENT")
    assert "Sat 31 Oct 2026 21:00 EDT–Sun 04:30 EST" in str(event["DESCRIPTION"])


def test_uids_are_stable_across_exports_and_sequence_grows(tmp_path: Path) -> None:
    roster = roster_of(MANILA_SHIFTS)
    first = write_calendars(tmp_path / "a", roster, MANILA_AGENTS, MANILA_WEEK, stamp=STAMP)
    later = write_calendars(tmp_path / "b", roster, MANILA_AGENTS, MANILA_WEEK, stamp=datetime(2026, 11, 27, tzinfo=UTC))

    def events(path: Path) -> dict[str, icalendar.Event]:
        return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")}

    old, new = events(first.agents["mnl-1"]), events(later.agents["mnl-1"])
    assert set(old) == set(new) and len(old) == 2
    for uid in old:
        assert int(new[uid]["SEQUENCE"]) > int(old[uid]["SEQUENCE"])
    team_uids = set(events(first.team))
    agent_uids = {uid for path in first.agents.values() for uid in events(path)}
    # Every event has its own UID, and the team file never reuses an agent's.
    assert len(team_uids) == len(agent_uids) == 8 and not team_uids & agent_uids


def test_file_names_are_safe_distinct_and_inside_the_folder(tmp_path: Path) -> None:
    written = write_calendars(tmp_path, roster_of(MANILA_SHIFTS), MANILA_AGENTS, MANILA_WEEK, stamp=STAMP)
    folder = (tmp_path / "calendars").resolve()
    names = [path.name for path in written.agents.values()]
    assert len({n.casefold() for n in [*names, "team.ics"]}) == len(names) + 1
    for agent_id, path in written.agents.items():
        assert path.resolve().parent == folder
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.ics", path.name), path.name
        assert path.stem.split(".")[0].casefold() not in {"con", "team"}
        text = path.read_text()
        assert f"X-WR-TIMEZONE:{MANILA_AGENTS[agent_id][0]}" in text
    assert written.agents["mnl-1"].name == "mnl-1.ics"  # plain ids keep their own name
    assert written.agents["Ana"].name != "Ana.ics"  # Ana and ana would share a file on macOS
    assert written.team.name == "team.ics"
    assert calendar_file_names(["x/y", "x_y"])["x/y"] != calendar_file_names(["x/y", "x_y"])["x_y"]


def test_an_agent_without_shifts_gets_a_valid_empty_week(tmp_path: Path) -> None:
    written = write_calendars(tmp_path, roster_of(MANILA_SHIFTS), MANILA_AGENTS, MANILA_WEEK, stamp=STAMP)
    calendar = icalendar.Calendar.from_ical(written.agents["idle"].read_bytes())
    calendar.validate()
    assert list(calendar.walk("VEVENT")) == []
    # RFC 5545 wants at least one component: the agent's VTIMEZONE is it.
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Madrid"]


def test_rewriting_replaces_the_folder_and_a_failure_keeps_the_old_one(tmp_path: Path) -> None:
    write_calendars(tmp_path, roster_of(MADRID_SHIFTS), MADRID_AGENTS, MADRID_WEEK, stamp=STAMP)
    only_one = {"mad-1": MADRID_AGENTS["mad-1"]}
    write_calendars(tmp_path, roster_of({"mad-1": MADRID_SHIFTS["mad-1"]}), only_one, MADRID_WEEK, stamp=STAMP)
    assert sorted(p.name for p in (tmp_path / "calendars").iterdir()) == ["mad-1.ics", "team.ics"]

    before = {p.name: p.read_bytes() for p in (tmp_path / "calendars").iterdir()}
    with pytest.raises(InputError, match="'mad-2'"):
        write_calendars(tmp_path, roster_of(MADRID_SHIFTS), only_one, MADRID_WEEK, stamp=STAMP)
    assert {p.name: p.read_bytes() for p in (tmp_path / "calendars").iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calendars"]  # no staging folders left


def test_team_calendar_names_the_agent() -> None:
    calendar = team_calendar(roster_of(MADRID_SHIFTS), MADRID_AGENTS, MADRID_WEEK, stamp=STAMP)
    summaries = sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    assert summaries == ["Marta: email-es", "Marta: phone-en, chat-en", "Pau: chat-es"]


def test_bad_inputs_are_named() -> None:
    roster = roster_of(MADRID_SHIFTS)
    with pytest.raises(InputError, match="other agents"):
        agent_calendar(AgentInfo("mad-1", "Europe/Madrid"), roster, MADRID_WEEK)
    with pytest.raises(InputError, match="expected an IANA zone, got 'Europe/Madird'"):
        team_calendar(roster, {"mad-1": ("Europe/Madird", None, None), "mad-2": ("Europe/Madrid", None, None)}, MADRID_WEEK)
    with pytest.raises(InputError, match="expected a Monday"):
        team_calendar(roster, MADRID_AGENTS, "2026-10-20")
    overlapping = roster_of(
        {"mad-1": [[("a", "2026-10-21T07:00Z", "2026-10-21T09:00Z"), ("b", "2026-10-21T08:00Z", "2026-10-21T10:00Z")]]}
    )
    with pytest.raises(InputError, match="overlaps"):
        roster_shifts(overlapping)


def test_workspace_agents_and_csv_blanks_are_accepted(tmp_path: Path) -> None:
    from wfm.workspace import AgentConfig

    agents = [
        AgentConfig(agent_id="mad-1", timezone="Europe/Madrid", skills=("email-es",), name="Marta", max_hours_week=40),
        AgentConfig(agent_id="mad-2", timezone="Europe/Madrid", skills=("chat-es",)),
    ]
    written = write_calendars(tmp_path, roster_of(MADRID_SHIFTS), agents, MADRID_WEEK, stamp=STAMP)
    assert sorted(written.agents) == ["mad-1", "mad-2"]
    # A frame read from agents.csv gives NaN, not None, for a blank name or cap.
    infos = agent_infos({"a": ("UTC", float("nan"), float("nan")), "b": ["UTC", "Bo", "38"]})
    assert infos["a"] == AgentInfo("a", "UTC", None, None) and infos["b"].max_hours_week == 38.0
