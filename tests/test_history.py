"""History checks across rows (wfm.history): duplicates, grid, gaps and closed hours, finer and
coarser intervals; each problem is one line naming the file, row and column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm.errors import InputError, Note
from wfm.history import prepare_history, regular_history
from wfm.workspace import QueueConfig, SpecialDay, load_workspace

Q = QueueConfig(name="q", channel="phone", timezone="America/New_York")


def frame(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    """A history frame as read_history returns it (index = 0-based data row of history.csv)."""
    return pd.DataFrame(
        {
            "queue": [r[0] for r in rows],
            "interval_start": pd.to_datetime([r[1] for r in rows], utc=True).astype("datetime64[ns, UTC]"),
            "contacts": [float(r[2]) for r in rows],
            "aht_seconds": [float(r[3]) for r in rows],
        }
    )


def regular(
    start: str, periods: int, minutes: int, contacts: float = 4.0, queue: str = "q"
) -> list[tuple[str, str, float, float]]:
    stamps = pd.date_range(start, periods=periods, freq=f"{minutes}min", tz="UTC")
    return [(queue, s.strftime("%Y-%m-%dT%H:%M:%SZ"), contacts, 300.0) for s in stamps]


def test_regular_history_passes_through() -> None:
    out = prepare_history(frame(regular("2026-11-02T00:00:00Z", 96, 15)), [Q], 15)
    assert len(out) == 96
    assert out["interval_start"].dtype == "datetime64[ns, UTC]"
    assert (out["contacts"] == 4).all() and (out["aht_seconds"] == 300).all()


def test_duplicate_names_both_rows() -> None:
    rows = regular("2026-11-02T00:00:00Z", 8, 15)
    rows.append(rows[2])
    with pytest.raises(InputError) as caught:
        prepare_history(frame(rows), [Q], 15)
    assert str(caught.value) == (
        "history.csv row 10, column interval_start: queue 'q' already has a row for 2026-11-02T00:30:00Z (row 4), "
        "got a second one (each queue and interval appear once)"
    )


def test_start_off_the_grid_names_row_and_column() -> None:
    rows = regular("2026-11-03T08:00:00Z", 12, 15)
    rows[8] = ("q", "2026-11-03T10:07:00Z", 3.0, 300.0)
    with pytest.raises(InputError) as caught:
        prepare_history(frame(rows), [Q], 15)
    message = str(caught.value)
    assert message.startswith("history.csv row 10, column interval_start: 2026-11-03T10:07:00Z is off the 15-minute grid")
    assert "\n" not in message


def test_seconds_are_off_the_grid_too() -> None:
    rows = regular("2026-11-03T08:00:00Z", 6, 15)
    rows[3] = ("q", "2026-11-03T08:45:30Z", 3.0, 300.0)
    with pytest.raises(InputError, match=r"row 5, column interval_start: 2026-11-03T08:45:30Z is off the 15-minute grid"):
        prepare_history(frame(rows), [Q], 15)


def test_gap_asks_for_fill_gaps_and_zero_or_skip_repair_it() -> None:
    # Two weeks of a queue open around the clock; one interval in the second week is missing.
    rows = regular("2026-10-27T00:00:00Z", 14 * 96, 15)
    rows[3] = (*rows[3][:2], 0.0, 300.0)  # the export writes quiet intervals as rows of zero
    del rows[7 * 96 + 54]  # 2026-11-03T13:30Z, a Tuesday 08:30 in New York, reported the week before
    with pytest.raises(InputError) as caught:
        prepare_history(frame(rows), [Q], 15)
    message = str(caught.value)
    assert message.startswith("history.csv, queue 'q': no row for 2026-11-03T13:30:00Z (Tue 08:30 in America/New_York)")
    assert "1 such interval missing" in message and 'fill_gaps="zero"' in message
    assert "(pass --fill-gaps zero if" in caught.value.worded({"fill_gaps": "--fill-gaps"})
    zero = prepare_history(frame(rows), [Q], 15, fill_gaps="zero")
    skip = prepare_history(frame(rows), [Q], 15, fill_gaps="skip")
    at = pd.Timestamp("2026-11-03T13:30:00Z")
    assert len(zero) == len(skip) == 14 * 96
    assert zero.set_index("interval_start").at[at, "contacts"] == 0
    assert np.isnan(skip.set_index("interval_start").at[at, "contacts"])


def test_an_export_without_zero_rows_reads_its_gaps_as_no_contacts() -> None:
    """No row anywhere has zero contacts: the export leaves quiet intervals out, so the missing
    Tuesday 08:30 is no contacts, and a note says so (one line)."""
    rows = regular("2026-10-27T00:00:00Z", 14 * 96, 15)
    assert all(row[2] > 0 for row in rows)
    del rows[7 * 96 + 54]
    result = regular_history(frame(rows), [Q], 15)
    at = pd.Timestamp("2026-11-03T13:30:00Z")
    assert result.frame.set_index("interval_start").at[at, "contacts"] == 0
    assert result.notes == (
        "history.csv, queue 'q': 1 interval with no row, at times the queue reports in other weeks, read as no"
        ' contacts (the export writes no row with zero contacts; pass fill_gaps="skip" if the data was lost)',
    )
    (note,) = result.notes
    assert isinstance(note, Note) and "; pass --fill-gaps skip if the data" in note.worded({"fill_gaps": "--fill-gaps"})
    skip = prepare_history(frame(rows), [Q], 15, fill_gaps="skip")
    assert np.isnan(skip.set_index("interval_start").at[at, "contacts"])


def test_closed_hours_are_not_gaps() -> None:
    # Open 08:00–20:00 New York time on every day: nights never have rows, so they are closed, not lost.
    stamps = pd.date_range("2026-11-02T00:00:00Z", periods=7 * 96, freq="15min", tz="UTC")
    local = stamps.tz_convert("America/New_York")
    open_ = (local.hour >= 8) & (local.hour < 20)
    rows = [("q", s.strftime("%Y-%m-%dT%H:%M:%SZ"), 5.0, 300.0) for s in stamps[open_]]
    out = prepare_history(frame(rows), [Q], 15)
    assert out["contacts"].notna().all()
    night = out[out["interval_start"].dt.tz_convert("America/New_York").dt.hour < 8]
    assert len(night) > 0 and (night["contacts"] == 0).all()


def test_a_missing_day_closed_by_special_days_is_not_a_gap() -> None:
    # Nine days; all of local Tuesday 3 Nov is missing while Tuesday 10 Nov is there.
    rows = regular("2026-11-02T00:00:00Z", 9 * 96, 15)
    rows = [r for r in rows if r[1] < "2026-11-03T05:00" or r[1] >= "2026-11-04T05:00"]
    rows[0] = (*rows[0][:2], 0.0, 300.0)  # an export that writes zero rows: a missing day is lost data
    with pytest.raises(InputError, match='fill_gaps="skip"'):
        prepare_history(frame(rows), [Q], 15)
    closed = (SpecialDay(date=dt.date(2026, 11, 3), queue="*", factor=0.0),)
    out = prepare_history(frame(rows), [Q], 15, special_days=closed)
    assert out["contacts"].notna().all()


def test_finer_history_adds_up_with_contact_weighted_aht() -> None:
    rows = []
    for i, s in enumerate(pd.date_range("2026-11-02T00:00:00Z", periods=12, freq="5min", tz="UTC")):
        contacts, aht = (1.0, 100.0) if i % 3 == 0 else (3.0, 200.0)
        rows.append(("q", s.strftime("%Y-%m-%dT%H:%M:%SZ"), contacts, aht))
    out = prepare_history(frame(rows), [Q], 15)
    assert list(out["contacts"]) == [7.0, 7.0, 7.0, 7.0]
    assert out["aht_seconds"].iloc[0] == pytest.approx((100 + 6 * 200) / 7)


def test_a_plan_interval_cut_by_the_span_is_unknown() -> None:
    # 5-minute rows starting at 00:05: the 00:00–00:15 interval misses its first part.
    out = prepare_history(frame(regular("2026-11-02T00:05:00Z", 8, 5)), [Q], 15)
    assert np.isnan(out["contacts"].iloc[0]) and out["contacts"].iloc[1] == 12


def test_coarser_history_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        prepare_history(frame(regular("2026-11-02T00:00:00Z", 24, 60)), [Q], 15)
    assert str(caught.value).startswith(
        "history.csv, queue 'q': rows are 60 minutes apart, coarser than the plan's 15-minute intervals"
    )
    assert "interval_minutes = 60" in str(caught.value)


def test_intervals_that_do_not_nest_are_refused() -> None:
    with pytest.raises(InputError, match="rows are 6 minutes apart, which do not add up to the plan's 15-minute intervals"):
        prepare_history(frame(regular("2026-11-02T00:00:00Z", 40, 6)), [Q], 15)
    assert len(prepare_history(frame(regular("2026-11-02T00:00:00Z", 40, 6)), [Q], 30)) == 8


def test_unknown_fill_gaps_value() -> None:
    with pytest.raises(InputError, match=r"^fill_gaps: expected one of zero, skip, got 'mean'") as caught:
        prepare_history(frame(regular("2026-11-02T00:00:00Z", 4, 15)), [Q], 15, fill_gaps="mean")  # type: ignore[arg-type]
    assert caught.value.worded({"fill_gaps": "--fill-gaps"}) == "--fill-gaps: expected one of zero, skip, got 'mean'"


def _workspace(root: Path, history_text: str) -> Path:
    root.mkdir()
    (root / "wfm.toml").write_text('[[queues]]\nname = "q"\nchannel = "phone"\ntimezone = "America/New_York"\n')
    (root / "agents.csv").write_text("agent_id,timezone,skills\na1,America/New_York,q\n")
    (root / "history.csv").write_text(history_text)
    return root


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("q,2026-11-02T00:15:00Z,-3,300", "history.csv row 3, column contacts: expected a number ≥ 0, got '-3'"),
        ("qq,2026-11-02T00:15:00Z,3,300", "history.csv row 3, column queue: expected a queue of wfm.toml (q), got 'qq'"),
        (
            "q,2026-11-02 00:15,3,300",
            "history.csv row 3, column interval_start: expected an ISO-8601 time with offset or Z, got '2026-11-02 00:15'",
        ),
    ],
)
def test_cell_problems_are_caught_on_load(tmp_path: Path, line: str, message: str) -> None:
    root = _workspace(tmp_path / "ws", f"queue,interval_start,contacts,aht_seconds\nq,2026-11-02T00:00:00Z,3,300\n{line}\n")
    with pytest.raises(InputError) as caught:
        load_workspace(root)
    assert str(caught.value) == message


def test_row_numbers_follow_the_file_after_load(tmp_path: Path) -> None:
    lines = ["queue,interval_start,contacts,aht_seconds"]
    lines += [f"q,2026-11-02T{h:02d}:{m:02d}:00Z,2,300" for h in range(3) for m in (0, 15, 30, 45)]
    lines.insert(6, "q,2026-11-02T01:07:00Z,2,300")  # lines[0] is the header, row 1: this is row 7
    root = _workspace(tmp_path / "ws", "\n".join(lines) + "\n")
    ws = load_workspace(root)
    with pytest.raises(
        InputError, match=r"^history.csv row 7, column interval_start: 2026-11-02T01:07:00Z is off the 15-minute grid"
    ):
        prepare_history(ws.history, ws.queues, 15)


def test_an_export_without_quiet_intervals_keeps_its_grid() -> None:
    # Only intervals with contacts are written: rows 30 or 45 minutes apart, still a 15-minute export.
    # The same times are empty every day, so they read as closed (the rule needs them reported in
    # some week to call them gaps).
    rows = [r for i, r in enumerate(regular("2026-11-02T00:00:00Z", 4 * 96, 15)) if i % 3 != 1]
    out = prepare_history(frame(rows), [Q], 15)
    assert len(out) == 4 * 96 and out["contacts"].sum() == 4 * len(rows)
    assert out.set_index("interval_start").at[pd.Timestamp("2026-11-02T00:15:00Z"), "contacts"] == 0


# ----------------------------------------------------------------------------- DST changes of the queue's clock
# New York falls back at 2026-11-01T06:00Z (local 02:00 EDT → 01:00 EST) and springs forward at
# 2026-03-08T07:00Z. A local-clock export converted to UTC loses or doubles rows next to those instants.


def _local_export(
    first_local: str, days: int, zone: str, *, repeat: bool, value: float = 4.0
) -> list[tuple[str, str, float, float]]:
    """15-minute rows stamped in local time around the clock, converted to UTC as a planner would:
    the repeated autumn hour read as its first (DST) pass; with `repeat` it is written twice, the
    second pass with 9 contacts."""
    local = pd.date_range(first_local, periods=days * 96, freq="15min")
    rows = []
    for stamp in local:
        utc = pd.Timestamp(stamp).tz_localize(zone, ambiguous=True, nonexistent="shift_forward").tz_convert("UTC")
        rows.append(("q", utc.strftime("%Y-%m-%dT%H:%M:%SZ"), value, 300.0))
        if repeat and stamp.month == 11 and stamp.day == 1 and stamp.hour == 1:
            rows.append(("q", utc.strftime("%Y-%m-%dT%H:%M:%SZ"), 9.0, 300.0))
    return rows


def test_the_autumn_hour_a_local_export_left_out_is_expected_at_the_dst_change() -> None:
    result = regular_history(frame(_local_export("2026-10-18", 28, "America/New_York", repeat=False)), [Q], 15)
    out = result.frame.set_index("interval_start")["contacts"]
    lost = pd.date_range("2026-11-01T06:00:00Z", periods=4, freq="15min")
    assert out[lost].isna().all()  # the second pass of 01:00–02:00 local: unknown, not zero
    assert out.drop(lost).eq(4.0).all()
    assert result.notes == (
        "history.csv, queue 'q': the export's clock follows America/New_York's DST changes (2026-11-01): "
        "4 missing 15-minute intervals read as unknown",
    )


def test_the_autumn_hour_written_twice_is_its_two_passes() -> None:
    result = regular_history(frame(_local_export("2026-10-18", 28, "America/New_York", repeat=True)), [Q], 15)
    out = result.frame.set_index("interval_start")["contacts"]
    first = pd.date_range("2026-11-01T05:00:00Z", periods=4, freq="15min")
    second = pd.date_range("2026-11-01T06:00:00Z", periods=4, freq="15min")
    assert list(out[first]) == [4.0] * 4 and list(out[second]) == [9.0] * 4
    assert out.notna().all() and len(out) == 28 * 96 + 4
    assert "4 doubled rows read as the repeated hour's second pass" in result.notes[0]


def test_rows_a_spring_change_doubles_are_added_up() -> None:
    # The skipped local hour 02:00–03:00 shifted forward onto 03:00: two rows for each of four starts.
    rows = _local_export("2026-02-22", 28, "America/New_York", repeat=False)
    result = regular_history(frame(rows), [Q], 15)
    out = result.frame.set_index("interval_start")["contacts"]
    assert out[pd.Timestamp("2026-03-08T07:00:00Z")] == 5 * 4.0  # 02:00, 02:15, 02:30, 02:45 and 03:00 itself
    assert out.sum() == len(rows) * 4.0
    assert "added to the row with the same start" in result.notes[0] and "(2026-03-08)" in result.notes[0]


def test_gaps_and_doubles_away_from_a_dst_change_still_stop() -> None:
    rows = _local_export("2026-10-18", 28, "America/New_York", repeat=False)
    rows = [row for row in rows if row[1] != "2026-11-01T08:00:00Z"]  # 03:00 EST, two hours after the change
    rows[0] = (*rows[0][:2], 0.0, *rows[0][3:])  # an export that writes zero rows: the gap is lost data
    with pytest.raises(InputError, match=r"no row for 2026-11-01T08:00:00Z .*1 such interval missing"):
        prepare_history(frame(rows), [Q], 15)
    doubled = _local_export("2026-10-18", 28, "America/New_York", repeat=False)
    doubled.append(doubled[-200])
    with pytest.raises(InputError, match=r"got a second one"):
        prepare_history(frame(doubled), [Q], 15)
