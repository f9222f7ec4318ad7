"""Publishing a plan's shifts to a CalDAV server: `wfm publish` (FORMATS.md "Calendars on a server").

The events are the .ics files' events (`wfm.exports.calendars.shift_event`, wrapped with the
agent's VTIMEZONE by `event_object`), one calendar object per shift, in the agent's calendar
`HOME/<agent_id>/` and in the team's `HOME/team/`. Choices and why:

- Stable UIDs: `wfm-<Monday>-<digest>@wfm` (`wfm-team-...` in the team calendar, so a client
  showing both calendars never merges the two copies), the digest from the agent and the shift's
  local start date with its rank that day. A shift moved within its day stays the same event
  and is updated; a day dropped by a re-plan removes that day's event and no other.
- Marks: every object carries X-WFM-WEEK (the plan's Monday), X-WFM-AGENT and X-WFM-HASH (a digest
  of the fields wfm writes, `content_hash`). An event is wfm's own event of week W only when its
  UID has wfm's form for W and X-WFM-WEEK says W; everything else in a calendar (a person's own
  events, other weeks) is never written or deleted.
- Edits on the server: a server copy whose fields no longer match its own X-WFM-HASH was changed
  by someone since wfm wrote it; it is reported and left as it is. Every write is conditional
  (If-Match with the ETag just read, If-None-Match: * for a new event), so a change between
  reading and writing is refused by the server and reported the same way.
- Publishing again compares before writing: an event that already holds the wanted content is
  not sent, so its ETag and UID stay as they were.
- Inside a calendar, adds and updates go before removals: a run cut short leaves every shift
  visible (a moved one perhaps twice), never missing one; the next run compares and finishes.
- Credentials live in `Credentials`, whose repr hides the password, and no message built here
  quotes a server's answer: the server is named by its calendar-home URL, which must not carry
  a user name or password itself.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from urllib.parse import quote, unquote, urlsplit

import icalendar
import pandas as pd
from caldav.calendarobjectresource import CalendarObjectResource
from caldav.collection import Calendar, CalendarSet
from caldav.davclient import DAVClient
from caldav.lib import error as dav_error
from pydantic import BaseModel, ConfigDict

from wfm.errors import InputError, ServerError
from wfm.exports.calendars import AgentInfo, Agents, Shift, agent_infos, event_object, roster_shifts, shift_event

TEAM = "team"
MARK_WEEK = "X-WFM-WEEK"
MARK_AGENT = "X-WFM-AGENT"
MARK_HASH = "X-WFM-HASH"
USER_VARIABLE = "WFM_CALDAV_USER"
PASSWORD_VARIABLE = "WFM_CALDAV_PASSWORD"
TIMEOUT_SECONDS = 30

_UID = re.compile(r"wfm-(?:team-)?(\d{8})-[0-9a-f]{24}@wfm")
# The fields wfm writes and a person may change; DTSTAMP and SEQUENCE change on every write.
_HASHED = ("UID", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "STATUS", "TRANSP", "CATEGORIES", MARK_WEEK, MARK_AGENT)
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_ICAL_HEADERS = {"Content-Type": "text/calendar; charset=utf-8"}
_SET_CREDENTIALS = f"set {USER_VARIABLE} and {PASSWORD_VARIABLE}"
_HOME = "calendar home URL"


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Credentials:
    """A CalDAV account; the password never shows in a repr, a log line or a message."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)


def credentials_from_env(environ: Mapping[str, str]) -> Credentials:
    """`WFM_CALDAV_USER` and `WFM_CALDAV_PASSWORD`; neither set means no login."""
    user = environ.get(USER_VARIABLE) or None
    password = environ.get(PASSWORD_VARIABLE) or None
    if password is not None and user is None:
        raise InputError(f"{USER_VARIABLE}: not set, but {PASSWORD_VARIABLE} is ({_SET_CREDENTIALS} together)")
    if user is not None and password is None:
        raise InputError(f"{PASSWORD_VARIABLE}: not set, but {USER_VARIABLE} is ({_SET_CREDENTIALS} together)")
    return Credentials(user, password)


def calendar_home(url: str) -> str:
    """The calendar home URL checked and ending in `/`: http(s), a host, no credentials, no query."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = url if "@" not in url else "a URL with credentials"
        raise InputError(f"{{caldav}}: expected an http:// or https:// URL of a calendar home, got {shown!r}", caldav=_HOME)
    if parts.username is not None or parts.password is not None:
        # The URL is not echoed: it holds a secret.
        raise InputError(f"{{caldav}}: the URL carries a user name or password ({_SET_CREDENTIALS} instead)", caldav=_HOME)
    if parts.query or parts.fragment:
        raise InputError(
            "{caldav}: expected a calendar home URL without a ?query or #fragment (the URL is not echoed: it may hold a token)",
            caldav=_HOME,
        )
    path = parts.path if parts.path.endswith("/") else f"{parts.path}/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def plain_http_warning(home: str) -> str | None:
    """A warning when the password would cross a network in clear text (http:// to another host)."""
    parts = urlsplit(home)
    if parts.scheme == "http" and parts.hostname not in _LOCAL_HOSTS:
        return f"{home} is plain http: the password and the shifts cross the network unencrypted (use https://)"
    return None


# --------------------------------------------------------------------------- events wfm wants


@dataclass(frozen=True)
class WantedEvent:
    """One calendar object wfm wants on the server: its UID, the agent, the shift and the bytes to PUT."""

    uid: str
    agent_id: str
    start: datetime
    body: bytes
    content_hash: str

    @property
    def name(self) -> str:
        """The object's file name in its calendar (UIDs are URL-safe by construction)."""
        return f"{self.uid.removesuffix('@wfm')}.ics"


def event_uid(agent_id: str, week: date, day: date, rank: int, *, team: bool) -> str:
    """The UID of an agent's `rank`-th shift starting on local date `day` in plan week `week`."""
    digest = hashlib.sha256(f"{agent_id}\x00{day.isoformat()}\x00{rank}".encode()).hexdigest()[:24]
    return f"wfm-{'team-' if team else ''}{week:%Y%m%d}-{digest}@wfm"


def content_hash(event: icalendar.Component) -> str:
    """A digest of the fields wfm writes, as the event holds them now.

    Times count as UTC instants (a server may rewrite a TZID form); other fields as their
    iCalendar text, which parsing and writing again leave unchanged.
    """
    parts: list[str] = []
    for name in _HASHED:
        value = event.get(name)
        if value is None:
            parts.append(f"{name}=")
        elif name in ("DTSTART", "DTEND"):
            instant = event.decoded(name)
            text = instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") if isinstance(instant, datetime) else str(instant)
            parts.append(f"{name}={text}")
        else:
            values = value if isinstance(value, list) else [value]
            parts.append(f"{name}=" + ",".join(_ical_text(item) for item in values))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _ical_text(value: object) -> str:
    to_ical = getattr(value, "to_ical", None)
    raw = to_ical() if callable(to_ical) else str(value)
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def wanted_events(roster: pd.DataFrame, agents: Agents, week: date, *, stamp: datetime) -> dict[str, dict[str, WantedEvent]]:
    """calendar name (agent_id, or `team`) → UID → the event wfm wants there for plan week `week`.

    Every agent gets an entry, with or without shifts, so a re-plan that leaves an agent out
    this week removes that agent's events.
    """
    infos = agent_infos(agents)
    if TEAM in infos:
        raise InputError(f"agents.csv: agent_id {TEAM!r} is the team calendar's name on the server (rename that agent)")
    shifts = roster_shifts(roster)
    unknown = sorted(set(shifts) - set(infos))
    if unknown:
        names = ", ".join(map(repr, unknown[:5]))
        raise InputError(f"roster.csv: agent(s) {names} not in agents.csv (publish the plan with the workspace it was made from)")
    wanted: dict[str, dict[str, WantedEvent]] = {agent_id: {} for agent_id in infos}
    team: list[WantedEvent] = []
    for agent_id, agent_shifts in shifts.items():
        info = infos[agent_id]
        for shift, day, rank in _ranked(agent_shifts, info):
            own = _wanted(info, shift, week, stamp, event_uid(agent_id, week, day, rank, team=False), team=False)
            wanted[agent_id][own.uid] = own
            team.append(_wanted(info, shift, week, stamp, event_uid(agent_id, week, day, rank, team=True), team=True))
    wanted[TEAM] = {event.uid: event for event in sorted(team, key=lambda e: (e.start, e.agent_id))}
    return wanted


def _ranked(shifts: Sequence[Shift], info: AgentInfo) -> Iterable[tuple[Shift, date, int]]:
    per_day: dict[date, int] = {}
    for shift in sorted(shifts, key=lambda s: s.start):
        day = shift.local_start_date(info.zone)
        rank = per_day.get(day, 0)
        per_day[day] = rank + 1
        yield shift, day, rank


def _wanted(info: AgentInfo, shift: Shift, week: date, stamp: datetime, uid: str, *, team: bool) -> WantedEvent:
    event = shift_event(info, shift, stamp, team=team, uid=uid)
    event.add(MARK_WEEK, week.isoformat())
    event.add(MARK_AGENT, info.agent_id)
    digest = content_hash(event)
    event.add(MARK_HASH, digest)
    body = event_object(info, shift, week, event).to_ical()
    return WantedEvent(uid=uid, agent_id=info.agent_id, start=shift.start, body=body, content_hash=digest)


# --------------------------------------------------------------------------- events on the server


@dataclass(frozen=True)
class ServerEvent:
    """One of wfm's own events of the plan week as the server holds it."""

    uid: str
    url: str
    etag: str | None
    agent_id: str
    start: datetime | None
    written_hash: str
    current_hash: str

    @property
    def edited(self) -> bool:
        """True when someone changed a field wfm writes since wfm wrote it."""
        return self.written_hash != self.current_hash


def server_event(url: str, etag: str | None, data: str | bytes, week: date) -> ServerEvent | None:
    """The object as one of wfm's own events of `week`, or None when it is not one (a person's
    event, another week's, something unreadable: all left alone)."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError:
        return None
    events = list(calendar.walk("VEVENT"))
    if len(events) != 1:
        return None
    event = events[0]
    uid = str(event.get("UID", ""))
    match = _UID.fullmatch(uid)
    if match is None or match.group(1) != f"{week:%Y%m%d}" or str(event.get(MARK_WEEK, "")) != week.isoformat():
        return None
    written = str(event.get(MARK_HASH, ""))
    try:
        current = content_hash(event)
        begins = event.decoded("DTSTART")
    except (KeyError, ValueError):
        current, begins = "", None
    start = begins.astimezone(UTC) if isinstance(begins, datetime) else None
    return ServerEvent(uid, url, etag, str(event.get(MARK_AGENT, "")), start, written, current)


class Action(StrEnum):
    ADD = "add"
    UPDATE = "update"
    REMOVE = "remove"
    KEEP = "keep"
    SKIP = "skip"


@dataclass(frozen=True)
class Change:
    """What one event needs: `wanted` is None for a removal, `found` None for an addition."""

    action: Action
    uid: str
    wanted: WantedEvent | None = None
    found: ServerEvent | None = None


def plan_changes(wanted: Mapping[str, WantedEvent], found: Mapping[str, ServerEvent]) -> list[Change]:
    """The changes that bring one calendar's wfm events of the week to `wanted`: additions and
    updates in start order, then removals; events edited on the server are skipped."""
    changes: list[Change] = []
    for uid, event in wanted.items():
        existing = found.get(uid)
        if existing is None:
            action = Action.ADD
        elif existing.edited:
            action = Action.SKIP
        elif existing.written_hash == event.content_hash:
            action = Action.KEEP
        else:
            action = Action.UPDATE
        changes.append(Change(action, uid, event, existing))
    for uid, existing in found.items():
        if uid not in wanted:
            changes.append(Change(Action.SKIP if existing.edited else Action.REMOVE, uid, None, existing))
    return changes


# --------------------------------------------------------------------------- publishing


class PublishSummary(BaseModel):
    """What a publish did (or, with `dry_run`, would do) on the server."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    server: str
    week: date
    dry_run: bool
    calendars_created: int
    events_added: int
    events_updated: int
    events_removed: int
    events_unchanged: int
    skipped: tuple[str, ...]
    """One line per event left as it is because someone changed it on the server."""
    refused: tuple[str, ...]
    """One line per calendar the server refused; the other calendars were published."""

    def counts_line(self) -> str:
        return (
            f"calendars created {self.calendars_created}, events added {self.events_added}, "
            f"updated {self.events_updated}, removed {self.events_removed}, "
            f"unchanged {self.events_unchanged}, skipped {len(self.skipped)}"
        )


Progress = Callable[[int, int, str], None]
"""Called before each calendar and once at the end: calendars done, calendars in all, the
calendar being published (empty at the end)."""


def publish_plan(
    home: str,
    roster: pd.DataFrame,
    agents: Agents,
    week: date,
    credentials: Credentials,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    stamp: datetime | None = None,
) -> PublishSummary:
    """Bring the server's calendars under `home` to the plan of `week`: a calendar per agent and
    the team's, created when missing, holding exactly the plan's shifts among wfm's own events
    of that week. Raises ServerError when the server cannot be used at all; a calendar the
    server refuses is listed in `refused` and the others are still published."""
    home = calendar_home(home)
    wanted = wanted_events(roster, agents, week, stamp=(stamp or datetime.now(UTC)).replace(microsecond=0))
    labels = {agent_id: f"Shifts of {info.label}" for agent_id, info in agent_infos(agents).items()}
    labels[TEAM] = "Team shifts"
    server = _Server(home, credentials)
    existing = server.calendars()
    # Calendars of agents no longer in the plan may still hold this week's events from an
    # earlier publish: only events marked as that agent's are looked at there.
    orphans = sorted(name for name in existing if name not in wanted)
    names = [*wanted, *orphans]
    window = _window(week, [event for events in wanted.values() for event in events.values()])
    tally = _Tally()
    for done, name in enumerate(names):
        if progress is not None:
            progress(done, len(names), name)
        try:
            calendar = existing.get(name)
            if calendar is None:
                # Every agent gets a calendar, shifts or not, so a phone can subscribe to it now.
                calendar = None if dry_run else server.make_calendar(name, labels[name])
                tally.created += 1
            _publish_calendar(server, name, calendar, wanted.get(name, {}), week, window, dry_run, tally)
        except _Refused as refused:
            tally.refused.append(f"{name}: {refused}")
    if progress is not None:
        progress(len(names), len(names), "")
    return PublishSummary(
        server=home,
        week=week,
        dry_run=dry_run,
        calendars_created=tally.created,
        events_added=tally.counts[Action.ADD],
        events_updated=tally.counts[Action.UPDATE],
        events_removed=tally.counts[Action.REMOVE],
        events_unchanged=tally.counts[Action.KEEP],
        skipped=tuple(tally.skipped),
        refused=tuple(tally.refused),
    )


def refused_error(summary: PublishSummary) -> ServerError:
    """The one line for a publish some of whose calendars the server refused."""
    more = f" and {len(summary.refused) - 1} more calendar(s)" if len(summary.refused) > 1 else ""
    return ServerError(
        f"caldav {summary.server}: calendar {summary.refused[0]}{more} (check that the account may create "
        "and write calendars there, then publish again: what was published stays, the next run does the rest)"
    )


@dataclass
class _Tally:
    created: int = 0
    counts: dict[Action, int] = field(default_factory=lambda: dict.fromkeys(Action, 0))
    skipped: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


class _Refused(Exception):
    """The server refused one calendar; the message says which request and status."""


def _window(week: date, events: Sequence[WantedEvent]) -> tuple[datetime, datetime]:
    """The time range searched for a week's events: the week with two days' margin either side
    (shifts belong to the agent's local date), widened to every wanted shift."""
    monday = datetime.combine(week, datetime.min.time(), UTC)
    first, last = monday - timedelta(days=2), monday + timedelta(days=10)
    if events:
        first = min(first, min(e.start for e in events) - timedelta(days=1))
        last = max(last, max(e.start for e in events) + timedelta(days=2))
    return first, last


def _publish_calendar(
    server: _Server,
    name: str,
    calendar: Calendar | None,
    wanted: Mapping[str, WantedEvent],
    week: date,
    window: tuple[datetime, datetime],
    dry_run: bool,
    tally: _Tally,
) -> None:
    if calendar is None:  # a dry run, where the calendar would be created empty
        tally.counts[Action.ADD] += len(wanted)
        return
    found = server.wfm_events(calendar, week, window)
    if name != TEAM:
        found = {uid: event for uid, event in found.items() if event.agent_id == name}
    for change in plan_changes(wanted, found):
        if change.action is Action.SKIP:
            tally.skipped.append(_skip_line(name, change, "edited on the server since wfm wrote it"))
            continue
        if not dry_run and change.action is not Action.KEEP and not server.apply(calendar, change):
            if change.action is Action.ADD:
                why = "an event of that name or UID is on the server already, not as wfm wrote it"
            else:
                why = "changed on the server while wfm published"
            tally.skipped.append(_skip_line(name, change, why))
            continue
        tally.counts[change.action] += 1


def _skip_line(calendar: str, change: Change, why: str) -> str:
    start = change.found.start if change.found and change.found.start else change.wanted.start if change.wanted else None
    when = f" {start:%Y-%m-%dT%H:%MZ}" if start else ""
    return f"{calendar}{when}: {why}, left as it is (delete it there and publish again to replace it)"


class _Server:
    """The calendar home through the caldav client; every failure becomes one ServerError line
    (the whole server is unusable) or _Refused (one calendar is)."""

    def __init__(self, home: str, credentials: Credentials) -> None:
        self.home = home
        self._credentials = credentials
        self._client = DAVClient(
            url=home,
            username=credentials.user,
            password=credentials.password,
            timeout=TIMEOUT_SECONDS,
            ssl_verify_cert=True,
            enable_rfc6764=False,
        )
        self._set = CalendarSet(client=self._client, url=home)

    def calendars(self) -> dict[str, Calendar]:
        """The calendars directly under the home, by their (unquoted) last path segment."""
        try:
            calendars = self._set.calendars()
            assert isinstance(calendars, list), "a sync client answers at once"
        except dav_error.AuthorizationError as exc:
            raise self._auth_error(exc) from None
        except dav_error.NotFoundError:
            raise self._error("no such folder on the server (give the calendar home: the folder holding the calendars)") from None
        except (dav_error.DAVError, ValueError) as exc:
            raise self._error(f"did not answer as a CalDAV server ({type(exc).__name__}; check the URL)") from None
        except OSError as exc:
            raise self._unreachable(exc) from None
        by_name: dict[str, Calendar] = {}
        for calendar in calendars:
            url = str(calendar.url)
            if url.rstrip("/") == self.home.rstrip("/"):
                raise self._error("that URL is a calendar, not a calendar home (give the folder that holds the calendars)")
            parent, _, segment = url.rstrip("/").rpartition("/")
            if f"{parent}/" == self.home:
                by_name[unquote(segment)] = calendar
        return by_name

    def make_calendar(self, name: str, display: str) -> Calendar:
        try:
            calendar = self._set.make_calendar(name=display, cal_id=quote(name, safe=""))
            assert isinstance(calendar, Calendar), "a sync client answers at once"
            return calendar
        except dav_error.AuthorizationError as exc:
            if exc.status == 401:
                raise self._auth_error(exc) from None
            raise _Refused(f"creating the calendar was refused (HTTP {exc.status or 403})") from None
        except dav_error.DAVError as exc:
            raise _Refused(f"creating the calendar failed (HTTP {exc.status or '?'})") from None
        except OSError as exc:
            raise self._unreachable(exc) from None

    def wfm_events(self, calendar: Calendar, week: date, window: tuple[datetime, datetime]) -> dict[str, ServerEvent]:
        """wfm's own events of `week` in `calendar`, by UID."""
        try:
            answer: object = calendar.search(event=True, start=window[0], end=window[1])
            assert isinstance(answer, list), "a sync client answers at once"
            objects: list[CalendarObjectResource] = answer
        except dav_error.AuthorizationError as exc:
            if exc.status == 401:
                raise self._auth_error(exc) from None
            raise _Refused(f"reading the calendar was refused (HTTP {exc.status or 403})") from None
        except dav_error.DAVError as exc:
            raise _Refused(f"reading the calendar failed (HTTP {exc.status or '?'})") from None
        except OSError as exc:
            raise self._unreachable(exc) from None
        found: dict[str, ServerEvent] = {}
        for item in objects:
            event = server_event(str(item.url), item.etag, item.data or "", week)
            if event is not None:
                found[event.uid] = event
        return found

    def apply(self, calendar: Calendar, change: Change) -> bool:
        """Send one conditional write; False when the server refuses it for that event's sake."""
        if change.action is Action.REMOVE and change.found is not None:
            url, method = change.found.url, "DELETE"
            headers = _if_match(change.found.etag)
        elif change.wanted is not None:
            method = "PUT"
            if change.found is None:
                url, headers = f"{str(calendar.url).rstrip('/')}/{change.wanted.name}", {"If-None-Match": "*"}
            else:
                url = change.found.url
                headers = _if_match(change.found.etag)
        else:
            raise ValueError(f"apply: nothing to write for {change}")
        try:
            if method == "DELETE":
                response = self._client.delete(url, headers=headers)
            else:
                assert change.wanted is not None
                response = self._client.put(url, change.wanted.body.decode("utf-8"), headers=headers | _ICAL_HEADERS)
        except dav_error.AuthorizationError as exc:
            if exc.status == 401:
                raise self._auth_error(exc) from None
            raise _Refused(f"{method} of an event was refused (HTTP {exc.status or 403})") from None
        except dav_error.DAVError as exc:
            raise _Refused(f"{method} of an event failed (HTTP {exc.status or '?'})") from None
        except OSError as exc:
            raise self._unreachable(exc) from None
        # 412: the precondition failed (the event changed, or a new one's name is taken); 409: the
        # UID is held by another object there (RFC 4791 no-uid-conflict). Either way, that event only.
        if response.status in (409, 412):
            return False
        if method == "DELETE" and response.status == 404:
            return True
        if not 200 <= response.status < 300:
            raise _Refused(f"{method} of an event answered HTTP {response.status}")
        return True

    def _error(self, what: str) -> ServerError:
        return ServerError(f"caldav {self.home}: {what}")

    def _auth_error(self, exc: dav_error.AuthorizationError) -> ServerError:
        if exc.status == 403:
            return self._error(
                "the account may not open that folder (give the calendar home of the user in "
                f"{USER_VARIABLE}, e.g. https://host/USER/ on Radicale)"
            )
        if self._credentials.user is None:
            return self._error(f"the server wants a login ({_SET_CREDENTIALS})")
        return self._error(f"the server refused the user name or password (check {USER_VARIABLE} and {PASSWORD_VARIABLE})")

    def _unreachable(self, exc: OSError) -> ServerError:
        kind = type(exc).__name__
        if "SSL" in kind or "Certificate" in kind:
            return self._error("the server's TLS certificate did not verify (use the https:// name its certificate is for)")
        if "Timeout" in kind:
            return self._error(f"no answer within {TIMEOUT_SECONDS} s (check the URL and the network, then publish again)")
        return self._error("cannot reach the server (check the URL and that the server is running, then run wfm publish again)")


def _if_match(etag: str | None) -> dict[str, str]:
    """If-Match for a strong ETag; none for a weak one, which If-Match never matches (RFC 9110
    section 13.1.1), or for a server that gave none: the content was compared just before."""
    return {"If-Match": etag} if etag and not etag.startswith("W/") else {}
