"""What a sample world is built of (queues, special days, sites) and the shipped sample's own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# Mon … Sun volume relative to a midweek day (customer local weekday).
WEEKLY_SHAPE = (1.16, 1.06, 1.0, 0.98, 0.92, 0.62, 0.5)


@dataclass(frozen=True)
class SynthQueue:
    """A queue of a sample world: its wfm.toml entry and how its contacts arrive."""

    name: str
    channel: str  # phone | chat | email
    timezone: str  # the customers' clock
    share: float  # share of the world's weekly contacts before calibration
    aht_seconds: float  # typical handle time at midday
    peaks: tuple[tuple[float, float, float], ...]  # (local hour, width in hours, weight) bumps of the day
    night: float = 0.04  # volume floor through the night, relative to the day's peak
    open_hours: tuple[float, float] | None = None  # local opening hours; None = around the clock
    closed_weekdays: tuple[int, ...] = ()
    weekly: tuple[float, ...] = WEEKLY_SHAPE
    concurrency: int = 1
    patience_seconds: float | None = None
    respond_within_hours: float | None = None

    def toml(self) -> str:
        lines = [
            "[[queues]]",
            f'name = "{self.name}"',
            f'channel = "{self.channel}"',
            f'timezone = "{self.timezone}"',
        ]
        if self.channel == "phone":
            lines += ["service_level = 0.80", "answer_seconds = 20"]
        elif self.channel == "chat":
            lines += ["service_level = 0.80", "answer_seconds = 30", f"concurrency = {self.concurrency}"]
        else:
            lines += ["service_level = 0.90", f"respond_within_hours = {self.respond_within_hours:g}"]
        if self.patience_seconds is not None:
            lines.append(f"patience_seconds = {self.patience_seconds:g}")
        return "\n".join(lines)


QUEUES: tuple[SynthQueue, ...] = (
    SynthQueue(
        name="phone-en",
        channel="phone",
        timezone="America/New_York",
        share=0.34,
        aht_seconds=360.0,
        peaks=((10.5, 2.2, 1.0), (14.5, 2.5, 0.85), (19.5, 2.0, 0.35)),
        patience_seconds=120.0,
    ),
    SynthQueue(
        name="chat-en",
        channel="chat",
        timezone="America/New_York",
        share=0.24,
        aht_seconds=540.0,
        peaks=((11.0, 2.5, 0.8), (15.0, 3.0, 0.8), (20.5, 2.2, 0.7)),
        night=0.06,
        concurrency=2,
    ),
    SynthQueue(
        name="phone-es",
        channel="phone",
        timezone="Europe/Madrid",
        share=0.14,
        aht_seconds=390.0,
        peaks=((10.5, 2.0, 1.0), (17.0, 2.2, 0.9)),
        night=0.0,
        open_hours=(8.0, 22.0),
        closed_weekdays=(6,),
    ),
    SynthQueue(
        name="chat-es",
        channel="chat",
        timezone="America/Mexico_City",
        share=0.12,
        aht_seconds=560.0,
        peaks=((11.0, 2.5, 0.9), (17.0, 3.0, 1.0), (21.0, 2.0, 0.5)),
        night=0.05,
        open_hours=(7.0, 23.0),
        concurrency=2,
    ),
    SynthQueue(
        name="email-en",
        channel="email",
        timezone="America/New_York",
        share=0.11,
        aht_seconds=420.0,
        peaks=((10.0, 3.0, 1.0), (15.0, 3.5, 0.8)),
        night=0.15,
        respond_within_hours=24.0,
        weekly=(1.2, 1.08, 1.02, 1.0, 0.95, 0.45, 0.4),
    ),
    SynthQueue(
        name="email-es",
        channel="email",
        timezone="Europe/Madrid",
        share=0.05,
        aht_seconds=450.0,
        peaks=((10.0, 3.0, 1.0), (16.0, 3.0, 0.7)),
        night=0.12,
        respond_within_hours=72.0,
        weekly=(1.2, 1.08, 1.02, 1.0, 0.95, 0.45, 0.4),
    ),
)


@dataclass(frozen=True)
class SynthSpecialDay:
    date: dt.date
    queues: tuple[str, ...]  # names, or ("*",)
    factor: float


SPECIAL_DAYS: tuple[SynthSpecialDay, ...] = (
    SynthSpecialDay(dt.date(2026, 11, 26), ("phone-en", "chat-en", "email-en"), 0.35),  # US Thanksgiving
    SynthSpecialDay(dt.date(2026, 11, 27), ("phone-en",), 0.8),  # the day after: quieter phones
    SynthSpecialDay(dt.date(2026, 11, 30), ("chat-en",), 1.3),  # Cyber Monday
    SynthSpecialDay(dt.date(2026, 11, 30), ("phone-en",), 1.1),
    SynthSpecialDay(dt.date(2026, 12, 8), ("phone-es", "email-es"), 0.0),  # Spain: Immaculate Conception
)


@dataclass(frozen=True)
class Site:
    name: str
    code: str
    timezone: str
    share: float
    # (local from, local to, share of the site's agents); "" = no window (fully flexible)
    windows: tuple[tuple[str, str, float], ...]
    # (skills, share of the site's agents)
    skill_sets: tuple[tuple[tuple[str, ...], float], ...]
    first_names: tuple[str, ...] = field(repr=False)
    last_names: tuple[str, ...] = field(repr=False)


# Follow the sun. In the plan week (US winter time) Manila's day, 06:00–22:00, is 17:00–09:00 in
# New York: the English evening and night. The US day is worked from the US, by Mexico City's
# bilinguals and by Madrid's English speakers in the Spanish afternoon and evening. Windows that
# cross local midnight start in the afternoon, so most of their shifts end by midnight and only
# the late ones are night shifts (a night shift touches local 00:00–06:00).
SITES: tuple[Site, ...] = (
    Site(
        "Manila",
        "MNL",
        "Asia/Manila",
        0.26,
        windows=(("06:00", "18:00", 0.4), ("10:00", "22:00", 0.3), ("14:00", "02:00", 0.1), ("", "", 0.2)),
        skill_sets=(
            (("phone-en", "chat-en", "email-en"), 0.7),
            (("phone-en", "chat-en"), 0.2),
            (("chat-en", "email-en"), 0.1),
        ),
        first_names=("Maria", "Jose", "Angelica", "Mark", "Kristine", "John Paul", "Rowena", "Carlo", "Jasmine", "Paolo"),
        last_names=("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Villanueva", "Ramos", "Aquino", "Dizon"),
    ),
    Site(
        "Mexico City",
        "MEX",
        "America/Mexico_City",
        0.19,
        windows=(("06:00", "23:00", 0.5), ("12:00", "00:00", 0.3), ("", "", 0.2)),
        skill_sets=(
            (("phone-es", "chat-es", "email-es"), 0.5),
            (("chat-es", "phone-es"), 0.15),
            (("phone-es", "chat-es", "phone-en", "chat-en"), 0.35),
        ),
        first_names=("Ana", "Luis", "Fernanda", "Jorge", "Daniela", "Ricardo", "Valeria", "Diego", "Sofía", "Andrés"),
        last_names=("Hernández", "López", "Martínez", "González", "Pérez", "Sánchez", "Ramírez", "Flores", "Torres", "Rivera"),
    ),
    Site(
        "Madrid",
        "MAD",
        "Europe/Madrid",
        0.22,
        windows=(("07:00", "23:00", 0.6), ("14:00", "02:00", 0.15), ("", "", 0.25)),
        skill_sets=(
            (("phone-es", "chat-es", "email-es"), 0.55),
            (("phone-es", "email-es"), 0.15),
            (("phone-es", "chat-es", "email-en", "chat-en"), 0.3),
        ),
        first_names=("Lucía", "Javier", "Carmen", "Pablo", "Marta", "Álvaro", "Elena", "Sergio", "Paula", "Raúl"),
        last_names=("García", "Fernández", "Rodríguez", "Martín", "Jiménez", "Ruiz", "Moreno", "Muñoz", "Romero", "Navarro"),
    ),
    Site(
        "US",
        "USA",
        "America/Chicago",
        0.33,
        windows=(("06:00", "22:00", 0.55), ("12:00", "02:00", 0.25), ("", "", 0.2)),
        skill_sets=(
            (("phone-en", "chat-en", "email-en"), 0.6),
            (("phone-en", "email-en"), 0.2),
            (("phone-en", "chat-en", "phone-es", "chat-es"), 0.2),
        ),
        first_names=("Emily", "Michael", "Jessica", "David", "Ashley", "Chris", "Sarah", "Brandon", "Megan", "Tyler"),
        last_names=("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor"),
    ),
)
