"""`wfm publish` against a real Radicale server the module starts on 127.0.0.1 (no mock server).

Every test publishes as its own Radicale user, so each starts from an empty calendar home, and
reads the server back with the caldav client and icalendar, not with wfm's own code. Workspaces
and plans are written by hand: three agents in three zones, a few 8-hour shifts each.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import caldav
import icalendar
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from wfm.check import read_plan
from wfm.cli.publish import register
from wfm.errors import InputError
from wfm.exports.calendars import roster_shifts
from wfm.publish import (
    Action,
    Credentials,
    calendar_home,
    content_hash,
    credentials_from_env,
    plain_http_warning,
    plan_changes,
    server_event,
    wanted_events,
)

PASSWORD = "horse-Battery-7f3a"  # distinctive, so a leak into any output is found by a plain search
WRONG_PASSWORD = "wrong-Staple-91c2"
USERS = [f"planner{i}" for i in range(24)]
WEEK = dt.date(2026, 11, 30)
NEXT_WEEK = dt.date(2026, 12, 7)
AGENTS = {  # agent_id -> (zone, name)
    "NYC-01": ("America/New_York", "Ana"),
    "MAD 02": ("Europe/Madrid", ""),  # a space: the calendar's URL segment is quoted
    "MNL-03": ("Asia/Manila", "Ben"),
}
EIGHT_HOURS = [("phone-en", 120), ("break", 15), ("phone-en", 75), ("lunch", 30), ("phone-en", 240)]
FIRST_PLAN = {
    "NYC-01": ["2026-11-30T14:00Z", "2026-12-01T14:00Z", "2026-12-02T14:00Z"],
    "MAD 02": ["2026-11-30T07:00Z", "2026-12-01T07:00Z", "2026-12-03T07:00Z"],
    "MNL-03": ["2026-11-30T00:00Z", "2026-12-02T00:00Z"],
}
SHIFTS = sum(len(starts) for starts in FIRST_PLAN.values())  # 8 shifts: 16 events with the team's copies


# --------------------------------------------------------------------------- the server


@dataclass
class Radicale:
    root: Path
    port: int
    process: subprocess.Popen[bytes]

    def home(self, user: str) -> str:
        return f"http://127.0.0.1:{self.port}/{user}/"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_radicale(root: Path, locked: str | None = None, tls: tuple[Path, Path] | None = None) -> Radicale:
    """Radicale with plain htpasswd users on a free port; `locked` names a calendar no user may
    create; `tls` (certificate, key) serves https."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "users").write_text("".join(f"{user}:{PASSWORD}\n" for user in USERS))
    lock = f"[locked]\nuser: .+\ncollection: {{user}}/{locked}(/.*)?\npermissions: R\n\n" if locked else ""
    (root / "rights").write_text(
        lock + "[root]\nuser: .+\ncollection:\npermissions: R\n\n"
        "[home]\nuser: .+\ncollection: {user}\npermissions: RW\n\n"
        "[calendars]\nuser: .+\ncollection: {user}/[^/]+(/.*)?\npermissions: rw\n"
    )
    port = free_port()
    (root / "config").write_text(
        f"[server]\nhosts = 127.0.0.1:{port}\n"
        + (f"ssl = True\ncertificate = {tls[0]}\nkey = {tls[1]}\n" if tls else "")
        + f"[auth]\ntype = htpasswd\nhtpasswd_filename = {root / 'users'}\nhtpasswd_encryption = plain\ndelay = 0\n"
        f"[rights]\ntype = from_file\nfile = {root / 'rights'}\n"
        f"[storage]\nfilesystem_folder = {root / 'storage'}\n"
        "[logging]\nlevel = error\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", str(root / "config")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Radicale(root, port, process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"radicale exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            time.sleep(0.05)
    server.stop()
    raise RuntimeError("radicale did not start listening within 30 s")


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    server = start_radicale(tmp_path_factory.mktemp("radicale"))
    yield server
    server.stop()


_fresh = itertools.count()


@pytest.fixture
def user() -> str:
    """A user of its own per test: an empty calendar home on the shared server."""
    return USERS[next(_fresh)]


def client(server: Radicale, user: str) -> caldav.DAVClient:
    return caldav.DAVClient(url=server.home(user), username=user, password=PASSWORD, enable_rfc6764=False)


@dataclass(frozen=True)
class Stored:
    """One event as the server holds it, read with the caldav client and icalendar."""

    href: str
    etag: str
    uid: str
    start: dt.datetime
    end: dt.datetime
    tzid: str | None
    summary: str
    description: str
    data: str


def calendar_names(server: Radicale, user: str) -> set[str]:
    home = caldav.CalendarSet(client=client(server, user), url=server.home(user))
    return {str(calendar.url)[len(server.home(user)) :].rstrip("/") for calendar in home.calendars()}


def stored(server: Radicale, user: str, calendar: str) -> dict[str, Stored]:
    """Every event in HOME/<calendar>/ by UID (`calendar` as it appears in the URL)."""
    found = caldav.Calendar(client=client(server, user), url=f"{server.home(user)}{calendar}/")
    events: dict[str, Stored] = {}
    for item in found.events():
        vevent = next(iter(icalendar.Calendar.from_ical(item.data).walk("VEVENT")))
        start = vevent["DTSTART"]
        events[str(vevent["UID"])] = Stored(
            href=str(item.url),
            etag=str(item.etag),
            uid=str(vevent["UID"]),
            start=vevent.decoded("DTSTART").astimezone(dt.UTC),
            end=vevent.decoded("DTEND").astimezone(dt.UTC),
            tzid=start.params.get("TZID"),
            summary=str(vevent.get("SUMMARY", "")),
            description=str(vevent.get("DESCRIPTION", "")),
            data=item.data,
        )
    return events


def instants(events: dict[str, Stored]) -> set[tuple[dt.datetime, dt.datetime]]:
    return {(event.start, event.end) for event in events.values()}


def shift_instants(starts: list[str]) -> set[tuple[dt.datetime, dt.datetime]]:
    length = dt.timedelta(minutes=sum(minutes for _, minutes in EIGHT_HOURS))
    return {(utc(start), utc(start) + length) for start in starts}


def add_own_event(server: Radicale, user: str, calendar: str, uid: str, start: str) -> str:
    """A person's own event (what a phone or a colleague adds), created with the client; its href."""
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//someone//phone//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20261125T100000Z\r\nDTSTART:{utc(start):%Y%m%dT%H%M%SZ}\r\n"
        f"DTEND:{utc(start) + dt.timedelta(hours=1):%Y%m%dT%H%M%SZ}\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    found = caldav.Calendar(client=client(server, user), url=f"{server.home(user)}{calendar}/")
    return str(found.add_event(text).url)


# --------------------------------------------------------------------------- workspaces and plans


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def write_workspace(root: Path, agents: dict[str, tuple[str, str]] = AGENTS) -> Path:
    root.mkdir()
    (root / "wfm.toml").write_text(
        '[plan]\nrules = "rules.toml"\n\n[[queues]]\nname = "phone-en"\nchannel = "phone"\ntimezone = "America/New_York"\n'
    )
    (root / "rules.toml").write_text(
        "[shifts]\nlengths_hours = [8]\nstart_step_minutes = 30\n"
        "[hours]\nmax_per_week = 40\nmax_per_day = 10\nmin_rest_between_shifts = 11\n"
        "max_consecutive_days = 5\nmin_days_off_per_week = 2\n"
        "[breaks]\nbreak_minutes = 15\nlunch_minutes = 30\nlunch_after_hours = [3, 5]\n"
        "[nights]\nmax_per_week = 2\n"
    )
    lines = "".join(f"{agent_id},{zone},phone-en,{name}\n" for agent_id, (zone, name) in agents.items())
    (root / "agents.csv").write_text(f"agent_id,timezone,skills,name\n{lines}")
    return root


def write_plan(root: Path, plan: dict[str, list[str]], week: dt.date = WEEK) -> Path:
    """A plan folder: roster.csv with an 8 h shift (break, lunch) at each UTC start, and summary.json."""
    rows = ["agent_id,activity,start,end,start_local,end_local"]
    for agent_id, starts in plan.items():
        zone = zoneinfo.ZoneInfo(AGENTS[agent_id][0])
        for text in starts:
            start = utc(text)
            for activity, minutes in EIGHT_HOURS:
                end = start + dt.timedelta(minutes=minutes)
                rows.append(
                    f"{agent_id},{activity},{start:%Y-%m-%dT%H:%M:%SZ},{end:%Y-%m-%dT%H:%M:%SZ},"
                    f"{start.astimezone(zone).isoformat()},{end.astimezone(zone).isoformat()}"
                )
                start = end
    root.mkdir()
    (root / "roster.csv").write_text("\n".join(rows) + "\n")
    (root / "summary.json").write_text(json.dumps({"week": week.isoformat()}))
    return root


def app() -> typer.Typer:
    application = typer.Typer()
    application.callback()(lambda: None)
    register(application)
    return application


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


def publish(
    workspace: Path,
    plan: Path,
    home: str,
    user: str,
    *options: str,
    password: str = PASSWORD,
    env: dict[str, str | None] | None = None,
) -> Run:
    """`wfm publish` through CliRunner; no output may ever hold a password."""
    environment: dict[str, str | None] = {"WFM_CALDAV_USER": user, "WFM_CALDAV_PASSWORD": password} if env is None else env
    result = CliRunner().invoke(app(), ["publish", str(workspace), str(plan), "--caldav", home, *options], env=environment)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    for secret in (PASSWORD, WRONG_PASSWORD):
        assert secret not in result.stdout and secret not in result.stderr
    return Run(result.exit_code, result.stdout, result.stderr)


def counts(created: int, added: int, updated: int = 0, removed: int = 0, unchanged: int = 0, skipped: int = 0) -> str:
    return (
        f"calendars created {created}, events added {added}, updated {updated}, removed {removed}, "
        f"unchanged {unchanged}, skipped {skipped}"
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return write_workspace(tmp_path / "ws")


# --------------------------------------------------------------------------- publishing


def test_first_publish_creates_a_calendar_per_agent_and_the_teams(
    radicale: Radicale, user: str, workspace: Path, tmp_path: Path
) -> None:
    plan = write_plan(tmp_path / "plan", FIRST_PLAN)
    run = publish(workspace, plan, radicale.home(user), user)
    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [f"published week 2026-11-30 to {radicale.home(user)}: {counts(4, 2 * SHIFTS)}"]
    assert calendar_names(radicale, user) == {"NYC-01", "MAD%2002", "MNL-03", "team"}
    reader = client(radicale, user)
    titles = {
        name: caldav.Calendar(client=reader, url=f"{radicale.home(user)}{name}/").get_display_name()
        for name in ("NYC-01", "MAD%2002", "team")
    }
    assert titles == {"NYC-01": "Shifts of Ana (NYC-01)", "MAD%2002": "Shifts of MAD 02", "team": "Team shifts"}

    team = stored(radicale, user, "team")
    assert instants(team) == set().union(*(shift_instants(starts) for starts in FIRST_PLAN.values()))
    for agent_id, starts in FIRST_PLAN.items():
        zone, name = AGENTS[agent_id]
        events = stored(radicale, user, agent_id.replace(" ", "%20"))
        assert instants(events) == shift_instants(starts)
        for event in events.values():
            # The agent's own zone, with its VTIMEZONE, and the day's breaks and lunch inside.
            assert event.tzid == zone
            assert f"TZID:{zone}" in event.data and "BEGIN:VTIMEZONE" in event.data
            local = event.start.astimezone(zoneinfo.ZoneInfo(zone))
            assert f"{local:%H:%M}–" in event.description
            assert "  break" in event.description and "  lunch" in event.description
            assert event.summary == "Shift: phone-en"
        # The team's copies carry other UIDs (a client showing both never merges them).
        assert not set(events) & set(team)
        assert sum(event.summary == f"{name or agent_id}: phone-en" for event in team.values()) == len(starts)


def test_publishing_again_changes_nothing(radicale: Radicale, user: str, workspace: Path, tmp_path: Path) -> None:
    plan = write_plan(tmp_path / "plan", FIRST_PLAN)
    assert publish(workspace, plan, radicale.home(user), user).exit_code == 0
    before = {name: stored(radicale, user, name) for name in ("NYC-01", "MAD%2002", "MNL-03", "team")}

    run = publish(workspace, plan, radicale.home(user), user)
    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [
        f"published week 2026-11-30 to {radicale.home(user)}: {counts(0, 0, unchanged=2 * SHIFTS)}"
    ]
    after = {name: stored(radicale, user, name) for name in before}
    assert after == before  # same UIDs, hrefs, ETags and bytes


def test_a_replan_moves_adds_and_removes_only_wfms_own_events(radicale: Radicale, user: str, tmp_path: Path) -> None:
    workspace = write_workspace(tmp_path / "ws")
    assert publish(workspace, write_plan(tmp_path / "first", FIRST_PLAN), radicale.home(user), user).exit_code == 0
    first_nyc = stored(radicale, user, "NYC-01")
    mine = add_own_event(radicale, user, "NYC-01", "dentist-1@phone", "2026-12-02T18:00Z")  # the day wfm removes
    ours = add_own_event(radicale, user, "team", "offsite-1@phone", "2026-12-01T15:00Z")
    manila_own = add_own_event(radicale, user, "MNL-03", "gym-1@phone", "2026-11-30T10:00Z")

    # The re-plan: NYC-01 Monday two hours later, Wednesday dropped, Friday added; MNL-03 leaves.
    replan = {
        "NYC-01": ["2026-11-30T16:00Z", "2026-12-01T14:00Z", "2026-12-04T14:00Z"],
        "MAD 02": FIRST_PLAN["MAD 02"],
    }
    without_manila = write_workspace(tmp_path / "ws2", {k: v for k, v in AGENTS.items() if k != "MNL-03"})
    run = publish(without_manila, write_plan(tmp_path / "replan", replan), radicale.home(user), user)
    assert run.exit_code == 0, run.stderr
    # Moved: 1 shift, twice (agent and team); added 1 twice; removed NYC Wednesday twice and
    # Manila's 2 shifts twice; unchanged: NYC Tuesday and Madrid's 3, twice.
    assert run.stdout.splitlines() == [
        f"published week 2026-11-30 to {radicale.home(user)}: {counts(0, 2, updated=2, removed=6, unchanged=8)}"
    ]

    nyc = stored(radicale, user, "NYC-01")
    wfm_nyc = {uid: event for uid, event in nyc.items() if uid.startswith("wfm-")}
    assert instants(wfm_nyc) == shift_instants(replan["NYC-01"])
    monday = next(uid for uid, event in first_nyc.items() if event.start == utc("2026-11-30T14:00Z"))
    assert nyc[monday].start == utc("2026-11-30T16:00Z")  # moved within its day: the same event
    tuesday = next(uid for uid, event in first_nyc.items() if event.start == utc("2026-12-01T14:00Z"))
    assert nyc[tuesday].etag == first_nyc[tuesday].etag  # untouched
    assert nyc["dentist-1@phone"].href == mine and nyc["dentist-1@phone"].summary == "Dentist"

    team = stored(radicale, user, "team")
    wfm_team = {uid: event for uid, event in team.items() if uid.startswith("wfm-")}
    assert instants(wfm_team) == shift_instants(replan["NYC-01"]) | shift_instants(replan["MAD 02"])
    assert team["offsite-1@phone"].href == ours
    assert set(stored(radicale, user, "MNL-03")) == {"gym-1@phone"}  # only the person's own event is left
    assert stored(radicale, user, "MNL-03")["gym-1@phone"].href == manila_own


def test_other_weeks_are_untouched(radicale: Radicale, user: str, workspace: Path, tmp_path: Path) -> None:
    next_week = {
        agent_id: [f"{utc(s) + dt.timedelta(days=7):%Y-%m-%dT%H:%MZ}" for s in starts] for agent_id, starts in FIRST_PLAN.items()
    }
    assert publish(workspace, write_plan(tmp_path / "w2", next_week, NEXT_WEEK), radicale.home(user), user).exit_code == 0
    assert publish(workspace, write_plan(tmp_path / "w1", FIRST_PLAN), radicale.home(user), user).exit_code == 0
    week_two = {uid: event for uid, event in stored(radicale, user, "team").items() if event.start >= utc("2026-12-07T00:00Z")}
    assert len(week_two) == SHIFTS

    # Week one re-planned with Madrid alone: the search window reaches into week two, the marks keep it out.
    run = publish(workspace, write_plan(tmp_path / "w1b", {"MAD 02": FIRST_PLAN["MAD 02"]}), radicale.home(user), user)
    assert run.exit_code == 0, run.stderr
    assert counts(0, 0, removed=2 * 5, unchanged=2 * 3) in run.stdout
    team = stored(radicale, user, "team")
    assert {uid: event for uid, event in team.items() if event.start >= utc("2026-12-07T00:00Z")} == week_two
    assert instants({uid: e for uid, e in team.items() if e.start < utc("2026-12-07T00:00Z")}) == shift_instants(
        FIRST_PLAN["MAD 02"]
    )


def test_an_event_edited_on_the_server_is_reported_and_left_alone(
    radicale: Radicale, user: str, workspace: Path, tmp_path: Path
) -> None:
    assert publish(workspace, write_plan(tmp_path / "first", FIRST_PLAN), radicale.home(user), user).exit_code == 0
    nyc = caldav.Calendar(client=client(radicale, user), url=f"{radicale.home(user)}NYC-01/")
    monday = next(item for item in nyc.events() if "20261130T090000" in item.data)
    monday.data = monday.data.replace("SUMMARY:Shift: phone-en", "SUMMARY:Shift: phone-en (swapped with Ben)")
    monday.save()
    edited = stored(radicale, user, "NYC-01")

    # The re-plan moves that very shift; wfm must not overwrite the person's edit.
    replan = dict(FIRST_PLAN, **{"NYC-01": ["2026-11-30T16:00Z", *FIRST_PLAN["NYC-01"][1:]]})
    run = publish(workspace, write_plan(tmp_path / "replan", replan), radicale.home(user), user)
    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [
        f"published week 2026-11-30 to {radicale.home(user)}: {counts(0, 0, updated=1, unchanged=14, skipped=1)}",
        "skipped NYC-01 2026-11-30T14:00Z: edited on the server since wfm wrote it, left as it is "
        "(delete it there and publish again to replace it)",
    ]
    assert stored(radicale, user, "NYC-01") == edited
    team_monday = [e for e in stored(radicale, user, "team").values() if e.summary == "Ana: phone-en" and e.start.day == 30]
    assert [e.start for e in team_monday] == [utc("2026-11-30T16:00Z")]  # the team's copy was not edited: it moved


def test_an_event_moved_out_of_its_week_on_the_server_is_not_written_over(
    radicale: Radicale, user: str, workspace: Path, tmp_path: Path
) -> None:
    """Someone drags wfm's Monday shift to January: wfm no longer finds it in the week, and its
    PUT of the Monday event (If-None-Match: *) meets the moved one under the same name."""
    plan = write_plan(tmp_path / "plan", FIRST_PLAN)
    assert publish(workspace, plan, radicale.home(user), user).exit_code == 0
    nyc = caldav.Calendar(client=client(radicale, user), url=f"{radicale.home(user)}NYC-01/")
    monday = next(item for item in nyc.events() if "20261130T090000" in item.data)
    monday.data = monday.data.replace("20261130T090000", "20270104T090000").replace("20261130T170000", "20270104T170000")
    monday.save()
    moved = stored(radicale, user, "NYC-01")

    run = publish(workspace, plan, radicale.home(user), user)
    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [
        f"published week 2026-11-30 to {radicale.home(user)}: {counts(0, 0, unchanged=2 * SHIFTS - 1, skipped=1)}",
        "skipped NYC-01 2026-11-30T14:00Z: an event of that name or UID is on the server already, not as wfm wrote it, "
        "left as it is (delete it there and publish again to replace it)",
    ]
    assert stored(radicale, user, "NYC-01") == moved
    assert utc("2027-01-04T14:00Z") in {event.start for event in moved.values()}


def test_a_write_is_conditional_on_the_etag_wfm_read(radicale: Radicale, user: str, workspace: Path, tmp_path: Path) -> None:
    """Between wfm's read and its write a person saves the event: the server refuses wfm's PUT."""
    from wfm.publish import _Server

    assert publish(workspace, write_plan(tmp_path / "first", FIRST_PLAN), radicale.home(user), user).exit_code == 0
    server = _Server(radicale.home(user), Credentials(user, PASSWORD))
    calendar = server.calendars()["NYC-01"]
    found = server.wfm_events(calendar, WEEK, (utc("2026-11-28T00:00Z"), utc("2026-12-10T00:00Z")))
    replan = dict(FIRST_PLAN, **{"NYC-01": ["2026-11-30T16:00Z", *FIRST_PLAN["NYC-01"][1:]]})
    wanted = wanted_events(_roster(write_plan(tmp_path / "replan", replan)), _agents(), WEEK, stamp=utc("2026-11-26T00:00Z"))
    update = next(change for change in plan_changes(wanted["NYC-01"], found) if change.action is Action.UPDATE)
    assert update.found is not None
    owner = caldav.Calendar(client=client(radicale, user), url=f"{radicale.home(user)}NYC-01/")
    item = caldav.Event(client=owner.client, url=update.found.url, parent=owner).load()
    item.data = item.data.replace("SUMMARY:Shift", "SUMMARY:Moved by hand")
    item.save()
    by_hand = stored(radicale, user, "NYC-01")

    assert server.apply(calendar, update) is False
    assert stored(radicale, user, "NYC-01") == by_hand


def test_dry_run_writes_nothing(radicale: Radicale, user: str, workspace: Path, tmp_path: Path) -> None:
    first = write_plan(tmp_path / "first", FIRST_PLAN)
    run = publish(workspace, first, radicale.home(user), user, "--dry-run")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [
        f"dry run, nothing written: week 2026-11-30 on {radicale.home(user)} would get {counts(4, 2 * SHIFTS)}"
    ]
    assert calendar_names(radicale, user) == set()

    assert publish(workspace, first, radicale.home(user), user).exit_code == 0
    before = {name: stored(radicale, user, name) for name in ("NYC-01", "MAD%2002", "MNL-03", "team")}
    replan = write_plan(tmp_path / "replan", {"NYC-01": FIRST_PLAN["NYC-01"][:2], "MAD 02": FIRST_PLAN["MAD 02"]})
    run = publish(workspace, replan, radicale.home(user), user, "--dry-run")
    assert counts(0, 0, removed=2 * 3, unchanged=2 * 5) in run.stdout
    assert {name: stored(radicale, user, name) for name in before} == before


# --------------------------------------------------------------------------- failures


def test_wrong_password_exits_4_with_one_line_and_no_password(
    radicale: Radicale, user: str, workspace: Path, tmp_path: Path
) -> None:
    plan = write_plan(tmp_path / "plan", FIRST_PLAN)
    env = dict(os.environ, WFM_CALDAV_USER=user, WFM_CALDAV_PASSWORD=WRONG_PASSWORD)
    # As a subprocess through the real entry point: the registered command, no traceback.
    done = subprocess.run(
        [sys.executable, "-m", "wfm", "publish", str(workspace), str(plan), "--caldav", radicale.home(user)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 4
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"error: caldav {radicale.home(user)}: the server refused the user name or password "
        "(check WFM_CALDAV_USER and WFM_CALDAV_PASSWORD)"
    ]
    assert WRONG_PASSWORD not in done.stderr and PASSWORD not in done.stderr
    assert calendar_names(radicale, user) == set()


def test_no_login_asks_for_the_variables(radicale: Radicale, user: str, workspace: Path, tmp_path: Path) -> None:
    run = publish(
        workspace,
        write_plan(tmp_path / "plan", FIRST_PLAN),
        radicale.home(user),
        user,
        env={"WFM_CALDAV_USER": None, "WFM_CALDAV_PASSWORD": None},
    )
    assert run.exit_code == 4
    assert run.stderr.splitlines() == [
        f"error: caldav {radicale.home(user)}: the server wants a login (set WFM_CALDAV_USER and WFM_CALDAV_PASSWORD)"
    ]


def test_an_unreachable_server_exits_4(user: str, workspace: Path, tmp_path: Path) -> None:
    home = f"http://127.0.0.1:{free_port()}/{user}/"  # nothing listens there
    run = publish(workspace, write_plan(tmp_path / "plan", FIRST_PLAN), home, user)
    assert run.exit_code == 4
    assert run.stdout == ""
    assert run.stderr.splitlines() == [
        f"error: caldav {home}: cannot reach the server "
        "(check the URL and that the server is running, then run wfm publish again)"
    ]


def test_plain_http_to_another_host_is_warned_about(user: str, workspace: Path, tmp_path: Path) -> None:
    home = f"http://127.0.0.2:{free_port()}/{user}/"  # not "localhost": the password would cross a network
    run = publish(workspace, write_plan(tmp_path / "plan", FIRST_PLAN), home, user)
    assert run.exit_code == 4
    assert run.stderr.splitlines()[0] == (
        f"warning: {home} is plain http: the password and the shifts cross the network unencrypted (use https://)"
    )
    assert run.stderr.splitlines()[1].startswith(f"error: caldav {home}: ")


def test_a_url_that_is_no_calendar_home_exits_4(radicale: Radicale, user: str, workspace: Path, tmp_path: Path) -> None:
    plan = write_plan(tmp_path / "plan", FIRST_PLAN)
    missing = f"{radicale.home(user)}no/such/folder/"
    run = publish(workspace, plan, missing, user)
    assert (run.exit_code, run.stderr.splitlines()) == (
        4,
        [f"error: caldav {missing}: no such folder on the server (give the calendar home: the folder holding the calendars)"],
    )
    other = radicale.home(USERS[-1])  # another user's home
    run = publish(workspace, plan, other, user)
    assert run.exit_code == 4
    assert run.stderr.startswith(f"error: caldav {other}: the account may not open that folder")
    assert publish(workspace, plan, radicale.home(user), user).exit_code == 0
    calendar = f"{radicale.home(user)}NYC-01/"
    run = publish(workspace, plan, calendar, user)
    assert (run.exit_code, run.stderr.splitlines()) == (
        4,
        [f"error: caldav {calendar}: that URL is a calendar, not a calendar home (give the folder that holds the calendars)"],
    )


def test_a_refused_calendar_exits_4_and_the_next_run_finishes(tmp_path: Path) -> None:
    user = USERS[0]
    workspace = write_workspace(tmp_path / "ws")
    plan = write_plan(tmp_path / "plan", FIRST_PLAN)
    locked = start_radicale(tmp_path / "server", locked="MNL-03")
    try:
        run = publish(workspace, plan, locked.home(user), user)
    finally:
        locked.stop()
    assert run.exit_code == 4
    assert run.stdout.splitlines() == [
        f"published week 2026-11-30 to {locked.home(user)}: {counts(3, 2 * SHIFTS - 2)}",
        "refused MNL-03: creating the calendar was refused (HTTP 403)",
    ]
    assert run.stderr.splitlines() == [
        f"error: caldav {locked.home(user)}: calendar MNL-03: creating the calendar was refused (HTTP 403) (check that the "
        "account may create and write calendars there, then publish again: what was published stays, the next run does the rest)"
    ]

    # The administrator lifts the restriction (same storage, a server without the lock).
    opened = start_radicale(tmp_path / "server")
    try:
        run = publish(workspace, plan, opened.home(user), user)
        assert run.exit_code == 0, run.stderr
        assert counts(1, 2, unchanged=2 * SHIFTS - 2) in run.stdout
        assert instants(stored(opened, user, "MNL-03")) == shift_instants(FIRST_PLAN["MNL-03"])
    finally:
        opened.stop()


def test_a_certificate_that_does_not_verify_exits_4(tmp_path: Path) -> None:
    """A self-signed certificate: verified by default, so refused, and the password never sent."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
    subprocess.run(
        [openssl, *request, "-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )
    server = start_radicale(tmp_path / "server", tls=(certificate, key))
    try:
        home = f"https://127.0.0.1:{server.port}/{USERS[0]}/"
        workspace = write_workspace(tmp_path / "ws")
        run = publish(workspace, write_plan(tmp_path / "plan", FIRST_PLAN), home, USERS[0])
    finally:
        server.stop()
    assert run.exit_code == 4
    assert run.stderr.splitlines() == [
        f"error: caldav {home}: the server's TLS certificate did not verify (use the https:// name its certificate is for)"
    ]


def test_no_log_record_holds_the_password(
    radicale: Radicale, user: str, workspace: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert publish(workspace, write_plan(tmp_path / "plan", FIRST_PLAN), radicale.home(user), user).exit_code == 0
    assert caplog.records  # the client did log its requests
    basic = base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()
    assert PASSWORD not in caplog.text and basic not in caplog.text


# --------------------------------------------------------------------------- the pure parts


def _roster(plan: Path) -> pd.DataFrame:
    return read_plan(plan)


def _agents() -> dict[str, tuple[str, str | None, float | None]]:
    return {agent_id: (zone, name or None, None) for agent_id, (zone, name) in AGENTS.items()}


def test_uids_are_stable_and_hashes_survive_a_round_trip(tmp_path: Path) -> None:
    plan = _roster(write_plan(tmp_path / "plan", FIRST_PLAN))
    one = wanted_events(plan, _agents(), WEEK, stamp=utc("2026-11-26T08:00Z"))
    two = wanted_events(plan, _agents(), WEEK, stamp=utc("2026-11-27T09:30Z"))
    assert {name: set(events) for name, events in one.items()} == {name: set(events) for name, events in two.items()}
    assert [e.content_hash for e in one["team"].values()] == [e.content_hash for e in two["team"].values()]
    assert len(one["team"]) == SHIFTS and sorted(one) == ["MAD 02", "MNL-03", "NYC-01", "team"]
    for event in one["NYC-01"].values():
        found = server_event("https://x/NYC-01/e.ics", '"1"', event.body, WEEK)
        assert found is not None and not found.edited and found.written_hash == event.content_hash
        assert server_event("https://x/NYC-01/e.ics", '"1"', event.body, NEXT_WEEK) is None  # another week's view
        parsed = next(iter(icalendar.Calendar.from_ical(event.body).walk("VEVENT")))
        assert content_hash(parsed) == event.content_hash
        assert "METHOD" not in icalendar.Calendar.from_ical(event.body)


def test_a_shift_moved_within_its_day_keeps_its_uid(tmp_path: Path) -> None:
    first = _roster(write_plan(tmp_path / "a", {"NYC-01": ["2026-11-30T14:00Z"]}))
    moved = _roster(write_plan(tmp_path / "b", {"NYC-01": ["2026-11-30T16:00Z"]}))
    other_day = _roster(write_plan(tmp_path / "c", {"NYC-01": ["2026-12-01T14:00Z"]}))
    stamp = utc("2026-11-26T08:00Z")
    uids = [set(wanted_events(r, _agents(), WEEK, stamp=stamp)["NYC-01"]) for r in (first, moved, other_day)]
    assert uids[0] == uids[1] and not uids[0] & uids[2]
    assert len(roster_shifts(first)["NYC-01"]) == 1


def test_an_agent_named_team_is_refused() -> None:
    with pytest.raises(InputError, match="agent_id 'team' is the team calendar"):
        wanted_events(
            pd.DataFrame(columns=["agent_id", "activity", "start", "end"]),
            {"team": ("UTC", None, None)},
            WEEK,
            stamp=utc("2026-11-26T08:00Z"),
        )


def test_calendar_home_and_the_plain_http_warning() -> None:
    assert calendar_home("https://cal.example.com/planner") == "https://cal.example.com/planner/"
    with pytest.raises(InputError) as caught:
        calendar_home(f"https://planner:{PASSWORD}@cal.example.com/planner/")
    assert PASSWORD not in str(caught.value) and "WFM_CALDAV_USER" in str(caught.value)
    with pytest.raises(InputError, match="expected an http:// or https:// URL"):
        calendar_home("cal.example.com/planner/")
    assert plain_http_warning("https://cal.example.com/planner/") is None
    assert plain_http_warning("http://127.0.0.1:5232/planner/") is None
    assert plain_http_warning("http://localhost:5232/planner/") is None
    warning = plain_http_warning("http://cal.example.com/planner/")
    assert warning is not None and "unencrypted" in warning


def test_credentials_come_in_pairs_and_hide_the_password() -> None:
    credentials = credentials_from_env({"WFM_CALDAV_USER": "planner", "WFM_CALDAV_PASSWORD": PASSWORD})
    assert credentials.user == "planner" and credentials.password == PASSWORD
    assert PASSWORD not in repr(credentials)
    assert credentials_from_env({}) == Credentials(None, None)
    with pytest.raises(InputError, match="WFM_CALDAV_PASSWORD: not set"):
        credentials_from_env({"WFM_CALDAV_USER": "planner"})
