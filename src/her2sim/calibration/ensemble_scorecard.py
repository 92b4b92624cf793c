"""The scorecard on an ensemble: per finding, the fraction of plausible models that reproduce it.

:func:`ensemble_scorecard` evaluates every literature check (:mod:`her2sim.library.literature`:
each check declared once, with the direction and threshold of the source's wording) on every
ensemble member through the kinetic executor, and reports **per finding** (a finding's checks
must all hold in a member for that member to reproduce it):

* ``fraction`` — the fraction of members (whose runs succeeded) that reproduce the finding;
* ``reproduced`` — ``fraction ≥ 0.5`` (the issue's "reproduced by ≥ 50 % of the ensemble");
* ``role`` — ``"training"`` if the finding was measured in the calibration problem or applied as
  an acceptance constraint (the ensemble header's ``details["training_findings"]``),
  ``"contradictory"`` for the findings declared contradictory
  (:data:`her2sim.calibration.flagship_problem.CONTRADICTORY`: shown, never fitted), else
  ``"held-out"``; a contradictory check (e.g. L03d) is its own row, apart from its finding's
  other checks;
* ``thresholds`` — each check's declared threshold text.

``attrs["thresholds_version"]`` is a digest of the declarations (ids, published sizes,
tolerances and the criteria's compiled code): a threshold changed after a run gives another
version, so the change is visible in every result rather than silent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import xarray as xr

from ..errors import Her2simError, ValidationError
from .ensemble import Ensemble

__all__ = ["thresholds_version", "ensemble_scorecard"]


def _code_digest(fn: Any, h: Any) -> None:
    code = getattr(fn, "__code__", None)
    if code is None:
        h.update(repr(fn).encode())
        return
    h.update(code.co_code)
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            h.update(const.co_code)
        else:
            h.update(repr(const).encode())
    for cell in getattr(fn, "__closure__", None) or ():
        h.update(repr(cell.cell_contents).encode() if not callable(cell.cell_contents) else b"fn")


def thresholds_version(checks: Sequence[Any] | None = None) -> str:
    """A short digest of the checks' declared thresholds (see the module docstring)."""
    if checks is None:
        from ..library.literature import LITERATURE_CHECKS

        checks = LITERATURE_CHECKS
    h = hashlib.sha256()
    for c in checks:
        h.update(f"{c.id}|{c.finding}|{c.expected}|{c.published}|{c.tolerance}".encode())
        _code_digest(c.criterion, h)
    return "literature-" + h.hexdigest()[:12]


def ensemble_scorecard(
    family: Any,
    ensemble: Ensemble,
    *,
    checks: Sequence[Any] | None = None,
    members: Sequence[int] | None = None,
    lab: Callable[[Any], Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> xr.Dataset:
    """Evaluate the literature checks on ensemble members and summarise per finding.

    Parameters
    ----------
    family : ModelFamily or name
    ensemble : Ensemble
        Checked against the family's model version.
    checks : sequence of LiteratureCheck, optional
        Default: all of :data:`her2sim.library.literature.LITERATURE_CHECKS`.
    members : sequence of int, optional
        Member indices to evaluate (default: all).
    lab : callable, optional
        ``lab(model) -> kinetic lab`` (default :class:`her2sim.library.findings.Lab`).

    Returns
    -------
    xarray.Dataset
        ``passed`` (check × member: 1, 0, NaN where a run failed), and per ``finding``:
        ``fraction``, ``reproduced``, ``role``, ``checks``, ``thresholds``; attrs
        ``thresholds_version``, ``model_fingerprint``, ``n_members``.
    """
    from ..family import get_family
    from ..library.literature import KINETIC, LITERATURE_CHECKS, evaluate
    from .flagship_problem import CONTRADICTORY

    fam = get_family(family) if isinstance(family, str) else family
    model = fam.model()
    ensemble.check_model(model)
    checks = tuple(LITERATURE_CHECKS if checks is None else checks)
    if not checks:
        raise ValidationError("checks must name at least one literature check")
    if lab is None:
        from ..library.findings import Lab as lab  # noqa: N813
    idx = list(range(ensemble.n_members)) if members is None else [int(m) for m in members]
    bad = [m for m in idx if not 0 <= m < ensemble.n_members]
    if bad:
        raise ValidationError(f"members={bad[:3]}: allowed 0 .. {ensemble.n_members - 1}")
    passed = np.full((len(checks), len(idx)), np.nan)
    for j, m in enumerate(idx):
        values = {k: float(v) for k, v in ensemble.parameters.iloc[m].items()}
        member_lab = lab(model.with_parameters(values))
        for i, check in enumerate(checks):
            try:
                ok, _ = evaluate(check, member_lab, KINETIC)
            except Her2simError:
                continue  # a failed run is data: NaN, the other checks and members go on
            if ok is not None:
                passed[i, j] = float(ok)
        if progress is not None:
            progress(j + 1, len(idx))
    training = set(ensemble.header.get("details", {}).get("training_findings", ()))
    def row_of(c: Any) -> str:  # a contradictory check is its own row, so it never sinks its finding's siblings
        return c.id if c.id in CONTRADICTORY else c.finding

    findings = list(dict.fromkeys(row_of(c) for c in checks))
    frac, role, names, thresholds = [], [], [], []
    for f in findings:
        rows = [i for i, c in enumerate(checks) if row_of(c) == f]
        block = passed[rows]
        ok_members = ~np.isnan(block).any(axis=0)
        frac.append(float(np.all(block[:, ok_members] == 1.0, axis=0).mean()) if ok_members.any() else np.nan)
        ids = [checks[i].id for i in rows]
        names.append(", ".join(ids))
        thresholds.append("; ".join(f"{checks[i].id}: {checks[i].tolerance}" for i in rows))
        role.append("contradictory" if any(i in CONTRADICTORY for i in ids) else
                    "training" if f in training else "held-out")
    fr = np.asarray(frac)
    return xr.Dataset(
        {
            "passed": (("check", "member"), passed, {"long_name": "check holds in the member (1/0; NaN: run failed)"}),
            "fraction": (("finding",), fr, {"long_name": "fraction of members reproducing the finding", "units": "1"}),
            "reproduced": (("finding",), fr >= 0.5, {"long_name": "reproduced by >= 50 % of the members"}),
            "role": (("finding",), np.asarray(role, dtype=object)),
            "checks": (("finding",), np.asarray(names, dtype=object)),
            "thresholds": (("finding",), np.asarray(thresholds, dtype=object)),
        },
        coords={"check": [c.id for c in checks], "member": idx, "finding": findings},
        attrs={"thresholds_version": thresholds_version(checks), "model": model.id,
               "model_fingerprint": model.fingerprint(), "n_members": len(idx),
               "ensemble_procedure": ensemble.header["procedure"],
               "verdict": "reproduced = fraction >= 0.5; training/held-out from the ensemble header"},
    )
