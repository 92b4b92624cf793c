"""Every library model family passes the standard model battery (her2sim.testing.battery).

Oracles and tolerances are stated per check in the battery's docstring: conservation laws
(relative 1e-6), non-negativity, a steady state, the Jacobian against central differences
(relative 1e-4), an independent simulator (libRoadRunner, relative 1e-4), the logical twin's node map.
"""

from __future__ import annotations

import pytest

from her2sim.family import get_family, list_families
from her2sim.testing import TOY_FAMILY  # noqa: F401  (registers the toy family)
from her2sim.testing.battery import CHECKS


@pytest.mark.parametrize("check", list(CHECKS))
@pytest.mark.parametrize("family", list_families())
def test_standard_model_battery(family, check):
    result = CHECKS[check](get_family(family))
    assert result.passed, f"{family}: {result}"


def test_battery_checks_can_fail():
    """A broken declaration is caught: a 'conserved' pair that is not conserved."""
    import dataclasses

    from her2sim.testing.battery import check_conservation

    broken = dataclasses.replace(TOY_FAMILY, name="toy_broken", conserved={"cells": ("cells",)})
    result = check_conservation(broken)
    assert not result.passed and result.value > 1e-3
