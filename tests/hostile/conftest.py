"""Hypothesis profiles for the hostile-input suite.

* ``ci`` (default): a small, fixed, derandomized budget so the whole
  ``tests/hostile`` suite stays well under a minute and fails the same way
  on every run.
* ``fuzz``: many more examples, random seeds, for local runs:
  ``HYPOTHESIS_PROFILE=fuzz .venv/bin/pytest tests/hostile -k fuzz``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "fuzz",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
