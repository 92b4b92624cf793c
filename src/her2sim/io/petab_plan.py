"""The public runtime surface of a PEtab problem: its simulation plan, parameter values, run and
likelihood pieces, for code built on :mod:`her2sim.io.petab` (the calibration objectives).

:mod:`her2sim.io.petab` loads and validates problems; this module names, as a documented API,
the steps between a loaded problem and a likelihood, so that :mod:`her2sim.calibration` needs no
private import:

``plan(problem)``
    members (condition × pre-equilibration × placeholders), output times and, per measurement
    row, the member, output, time index and noise column (:class:`Plan`);
``parameter_values(problem, parameters)``
    nominal values with overrides, in linear scale;
``resolve(value, values, model, where)``
    a number or a parameter id (placeholder override) as a number;
``run(problem, parameters, ...)``
    the protocol of every member through :func:`her2sim.protocol.execute` (pre-equilibration
    once per distinct vector, species reset, simulation, steady-state measurements):
    :class:`RunResult` with simulation and sigma per measurement row and a status per member;
``row_arrays(problem, result)``
    measurements, noise scales and distributions per row;
``transform``, ``prior_nllh``, ``split_overrides``, ``is_missing``, ``parse_formula``,
``noise_negative_log_likelihood``
    scale transforms, the prior term, override lists, PEtab empty cells, formula parsing, the
    noise models' negative log-likelihood.

The functions are those the simulator itself uses (one implementation); the code stays in
:mod:`her2sim.io.petab` until that module is split into a package.
"""

from __future__ import annotations

from .petab import (  # noqa: F401  (re-exported as the public runtime API)
    _Plan as Plan,
    _Result as RunResult,
    _is_missing as is_missing,
    _parameter_values as parameter_values,
    _parse_formula as parse_formula,
    _plan as plan,
    _prior_nllh as prior_nllh,
    _resolve as resolve,
    _row_arrays as row_arrays,
    _run as run,
    _split_overrides as split_overrides,
    _transform as transform,
    noise_negative_log_likelihood,
)

__all__ = [
    "Plan",
    "RunResult",
    "plan",
    "parameter_values",
    "resolve",
    "run",
    "row_arrays",
    "transform",
    "prior_nllh",
    "split_overrides",
    "is_missing",
    "parse_formula",
    "noise_negative_log_likelihood",
]
