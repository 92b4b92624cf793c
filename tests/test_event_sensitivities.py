"""Forward sensitivities through events (jump conditions at the event; issue 15 item 4).

Oracle: central finite differences of plain runs (no sensitivity equations), step 1e-5 of each
parameter, solver rtol 1e-12; the differences' truncation and solver error are ~1e-7, so the
forward sensitivities must agree to 1e-5 of each sensitivity's scale. Without the jump
conditions (sensitivities carried through events unchanged) dB/dt1 would stay 0 instead of
(2 f_A - f_B+) = -0.8 A after the switch, and dA/dk would miss (f- - f+) dtau = k dose dtau at
the top-up.
"""

from __future__ import annotations

import numpy as np
import pytest

import her2sim as hs
from her2sim.errors import UnsupportedFeatureError
from her2sim.model import Compartment, Event, Model, Parameter, Reaction, Species, parse

T = np.linspace(0.0, 6.0, 26)  # no output at an event time (finite differences would straddle it)
FINE = dict(rtol=1e-12, atol=1e-16)


def redosed_decay() -> Model:
    """A decays (k A); when A falls below thr it is topped up by dose (a state-triggered event whose
    crossing time depends on k, thr and A0); at time t1 B is set to 2 A (a time-triggered event
    whose time is a parameter) and k2 switched to 0.3; B decays with k2."""
    return Model(
        "redose",
        compartments=(Compartment("c", 1.0),),
        species=(Species("A", "c", 1.0), Species("B", "c", 0.0)),
        parameters=(
            Parameter("k", 0.7),
            Parameter("thr", 0.4),
            Parameter("dose", 0.5),
            Parameter("t1", 2.5),
            Parameter("k2", 0.1, constant=False),
        ),
        reactions=(
            Reaction("deg", (("A", 1),), (), parse("k*A")),
            Reaction("degB", (("B", 1),), (), parse("k2*B")),
        ),
        events=(
            Event("topup", parse("A < thr"), (("A", parse("A + dose")),), initial_value=False),
            Event("switch", parse("time >= t1"), (("B", parse("2*A")), ("k2", parse("0.3"))), initial_value=False),
        ),
    )


def finite_differences(model: Model, name: str, value: float, outputs: list[str]) -> dict[str, np.ndarray]:
    h = 1e-5 * value
    up = hs.simulate(model, T, parameters={name: value + h}, outputs=outputs, **FINE)
    down = hs.simulate(model, T, parameters={name: value - h}, outputs=outputs, **FINE)
    return {o: (up[o].values - down[o].values) / (2 * h) for o in outputs}


@pytest.mark.parametrize("name", ["k", "thr", "dose", "t1"])
def test_sensitivities_through_events_match_finite_differences(name):
    model = redosed_decay()
    value = {p.id: p.value for p in model.parameters}[name]
    ds = hs.simulate_sensitivities(model, T, [name], outputs=["A", "B"], normalise=False, **FINE)
    fd = finite_differences(model, name, value, ["A", "B"])
    for o in ("A", "B"):
        got = ds[f"sensitivity:{o}"].sel(parameter=name).values
        # scale: the sensitivity's own size, or the output's size per unit parameter (for a
        # sensitivity that is zero, e.g. dA/dt1, where the differences are round-off)
        y = ds[o].values
        scale = max(np.max(np.abs(fd[o])), np.max(np.abs(y)) / value)
        np.testing.assert_allclose(got, fd[o], rtol=0, atol=1e-5 * scale, err_msg=f"d{o}/d{name}")


def test_compound_trigger_is_refused_naming_the_event():
    m = redosed_decay()
    m = m.replace(events=(Event("both", parse("time > 1 && A < 0.5"), (("A", parse("1")),)),))
    with pytest.raises(UnsupportedFeatureError, match="event 'both'.*one inequality"):
        hs.simulate_sensitivities(m, T, ["k"])
