"""Headless Chromium for tests: find it (installing it once when root may), load a page, dump it.

Tests call `chromium_or_skip()`; on a machine without Chromium and without root they skip
with the reason instead of failing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Every flag keeps the browser from reaching out: the page must render from its own bytes.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    # Any host lookup fails, so a stray CDN reference breaks the page instead of passing.
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
_install_tried = False


@dataclass(frozen=True)
class Chromium:
    executable: Path
    user_data_dir: Path

    def _run(self, page: Path, *args: str, timeout_seconds: float) -> subprocess.CompletedProcess[str]:
        command = [
            str(self.executable),
            *FLAGS,
            f"--user-data-dir={self.user_data_dir}",
            # Virtual time lets the page's scripts finish before the dump without a wall-clock sleep.
            "--virtual-time-budget=10000",
            *args,
            page.resolve().as_uri(),
        ]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout_seconds, check=False)

    def dump_dom(self, page: Path, timeout_seconds: float = 60) -> str:
        """The DOM after load and scripts, serialised."""
        result = self._run(page, "--dump-dom", timeout_seconds=timeout_seconds)
        if result.returncode != 0:
            raise AssertionError(f"chromium --dump-dom failed ({result.returncode}): {result.stderr[-2000:]}")
        return result.stdout

    def screenshot(self, page: Path, png: Path, width: int = 1400, height: int = 4200, timeout_seconds: float = 60) -> Path:
        result = self._run(page, f"--screenshot={png}", f"--window-size={width},{height}", timeout_seconds=timeout_seconds)
        if result.returncode != 0 or not png.exists():
            raise AssertionError(f"chromium --screenshot failed ({result.returncode}): {result.stderr[-2000:]}")
        return png


def find_chromium() -> Path | None:
    if CHROMIUM.exists():
        return CHROMIUM
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def chromium_or_skip(tmp_path: Path) -> Chromium:
    """A Chromium to drive, or pytest.skip saying why there is none."""
    global _install_tried
    executable = find_chromium()
    if executable is None and not _install_tried and hasattr(os, "geteuid") and os.geteuid() == 0:
        _install_tried = True  # once per session: a failed install must not repeat per test
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            subprocess.run(
                ["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            )
        executable = find_chromium()
    if executable is None:
        pytest.skip("headless Chromium not found at /usr/bin/chromium and could not be installed (not root or apt failed)")
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    return Chromium(executable, profile)
