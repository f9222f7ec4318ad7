"""Suite-wide settings.

Hypothesis runs derandomized by default, so CI draws the same examples on every run and a
red build is always reproducible; `HYPOTHESIS_PROFILE=explore` draws fresh random examples
when hunting for new failures.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
