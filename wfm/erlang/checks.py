"""The Erlang functions' input checks and array types: each check raises InputError worded
`where: what, got VALUE (hint)`, `where` being the public function that was called."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from wfm.errors import InputError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
MAX_TRAFFIC_ERLANGS = 1_000_000.0
"""Beyond this offered load one interval is a different business; the search would also crawl."""


def _floats(where: str, name: str, value: ArrayLike, *, positive: bool = False) -> FloatArray:
    array = np.asarray(value, dtype=np.float64)
    if array.size == 0:
        return array
    bad = ~np.isfinite(array) | (array <= 0.0 if positive else array < 0.0)
    if bad.any():
        got = float(array.flat[int(np.argmax(bad))])
        need = "a positive number" if positive else "a number ≥ 0"
        raise InputError(f"{where}: {name} must be {need}, got {got!r}")
    return array


def _counts(where: str, name: str, value: ArrayLike, *, minimum: int = 0) -> FloatArray:
    """Whole numbers ≥ minimum, kept as float64 so they mix with traffic in the maths."""
    array = np.asarray(value, dtype=np.float64)
    if array.size == 0:
        return array
    bad = ~np.isfinite(array) | (array < minimum) | (array != np.floor(array))
    if bad.any():
        got = float(array.flat[int(np.argmax(bad))])
        raise InputError(f"{where}: {name} must be a whole number ≥ {minimum}, got {got!r}")
    return array


def _fractions(where: str, name: str, value: ArrayLike, *, allow_one: bool) -> FloatArray:
    array = np.asarray(value, dtype=np.float64)
    if array.size == 0:
        return array
    bad = ~np.isfinite(array) | (array <= 0.0) | ((array > 1.0) if allow_one else (array >= 1.0))
    if bad.any():
        got = float(array.flat[int(np.argmax(bad))])
        upper = "1" if allow_one else "1 (exclusive)"
        raise InputError(f"{where}: {name} must be a fraction above 0 and up to {upper}, got {got!r}")
    return array


def _traffic(where: str, value: ArrayLike) -> FloatArray:
    array = _floats(where, "traffic_erlangs", value)
    if array.size and float(array.max()) > MAX_TRAFFIC_ERLANGS:
        raise InputError(
            f"{where}: traffic_erlangs must be at most {MAX_TRAFFIC_ERLANGS:,.0f}, got {float(array.max())!r}"
            " (split the queue or use a shorter interval)"
        )
    return array


def _patience(where: str, value: ArrayLike | None) -> FloatArray | None:
    """Patience in seconds; NaN or inf entries (and None) mean no abandonment."""
    if value is None:
        return None
    array = np.asarray(value, dtype=np.float64)
    bad = (array <= 0.0) & ~np.isnan(array)
    if bad.any():
        got = float(array.flat[int(np.argmax(bad))])
        raise InputError(f"{where}: patience_seconds must be positive, got {got!r} (omit it for Erlang C)")
    return array
