"""Runner for the semantic cases of the SBML Test Suite.

One case is a folder ``NNNNN/`` holding ``NNNNN-settings.txt`` (start, duration, steps, the
variables to report, which of them as amounts or concentrations, and the absolute and relative
tolerances), ``NNNNN-results.csv`` (the expected values), ``NNNNN-model.m`` (``testType``,
``componentTags``, ``testTags``) and one SBML file. A simulator passes a case when, at every
reported time and for every reported variable,
``|simulated - expected| <= absolute + relative * |expected|`` (the suite's own criterion).

:func:`run_case` classifies a case as

* ``"pass"``: her2sim ran and met the criterion;
* ``"wrong"``: her2sim ran and did not meet it -- a silent wrong answer, always a bug;
* ``"refused"``: her2sim raised one of its own errors (:class:`~her2sim.errors.Her2simError`), or
  warned that it approximates a construct (:class:`~her2sim.errors.UnsupportedFeatureWarning`),
  with the reason;
* ``"crash"``: any other exception (a bug too: bad input must get a her2sim error).

The suite is read from ``$HER2SIM_SBML_TEST_SUITE`` or ``../shared/sbml-test-suite`` relative to the
repository root; it is never copied into the repository.
"""

from __future__ import annotations

import csv
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]

#: Solver tolerances of every run (the suite's own tolerances are looser, 1e-4 relative at most).
RTOL = 1e-10
ATOL = 1e-14
#: Step and event budgets above the defaults: case 00966 fires about 200,000 events (two
#: competing events every 0.01 time units for 1000) and needs about 900,000 steps by design.
MAX_STEPS = 10_000_000
MAX_EVENTS = 10_000_000
STATUSES = ("pass", "wrong", "refused", "crash")
#: Tags of the constructs that make a model more than ODEs with events: rapid equilibrium (fast
#: reactions), differential-algebraic equations (algebraic rules), delay differential equations.
BEYOND_CORE = frozenset({"FastReaction", "AlgebraicRule", "CSymbolDelay"})


def _solver():
    from her2sim import SolverOptions

    return SolverOptions(rtol=RTOL, atol=ATOL, max_steps=MAX_STEPS, max_events=MAX_EVENTS)


def suite_path() -> Path:
    """Folder of the semantic cases: ``$HER2SIM_SBML_TEST_SUITE`` or ``../shared/sbml-test-suite``."""
    env = os.environ.get("HER2SIM_SBML_TEST_SUITE")
    return Path(env) if env else REPO.parent / "shared" / "sbml-test-suite"


@dataclass(frozen=True)
class Case:
    """One semantic case: its settings, tags and files."""

    id: str
    folder: Path
    test_type: str
    component_tags: tuple[str, ...]
    test_tags: tuple[str, ...]
    levels: tuple[str, ...]
    settings: dict[str, str] = field(repr=False)

    @property
    def sbml(self) -> Path:
        files = sorted(self.folder.glob(f"{self.id}-sbml-*.xml"))
        if not files:
            raise FileNotFoundError(f"case {self.id}: no SBML file in {self.folder}")
        # the highest level/version available (the folder holds exactly one)
        return files[-1]

    @property
    def tags(self) -> tuple[str, ...]:
        return self.component_tags + self.test_tags

    @property
    def is_core(self) -> bool:
        """A case of SBML core semantics: no package tag (``comp:``, ``fbc:``...) and none of the
        constructs beyond an ODE system with events (:data:`BEYOND_CORE`). See the docstring of
        ``tests/test_sbml_test_suite.py`` for why; every such case must pass."""
        return not any(":" in t for t in self.tags) and not BEYOND_CORE & set(self.tags)

    @property
    def is_l3_core(self) -> bool:
        """A case of SBML Level 3 core (no package tags, written for some L3 version)."""
        return any(v.startswith("3.") for v in self.levels) and not any(
            t.startswith("comp:") or t.startswith("fbc:") for t in self.tags
        )


def _split(value: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in value.split(",") if x.strip())


def load_case(folder: Path) -> Case:
    """Read the description (``-model.m``) and settings (``-settings.txt``) of one case."""
    cid = folder.name
    header: dict[str, str] = {}
    text = (folder / f"{cid}-model.m").read_text(errors="replace")
    for key in ("testType", "componentTags", "testTags", "levels"):
        # [ \t]*, not \s*: an empty field must not capture the next line
        match = re.search(rf"^{key}:[ \t]*(.*)$", text, re.MULTILINE)
        header[key] = match.group(1).strip() if match else ""
    settings: dict[str, str] = {}
    for line in (folder / f"{cid}-settings.txt").read_text().splitlines():
        if ":" in line:
            key, _, value = line.partition(":")
            settings[key.strip()] = value.strip()
    return Case(
        id=cid,
        folder=folder,
        test_type=header["testType"],
        component_tags=_split(header["componentTags"]),
        test_tags=_split(header["testTags"]),
        levels=_split(header["levels"]),
        settings=settings,
    )


def all_cases(root: Path | None = None) -> list[Case]:
    """Every case of the suite folder, in case order."""
    root = suite_path() if root is None else root
    return [load_case(d) for d in sorted(root.iterdir()) if d.is_dir() and re.fullmatch(r"\d{5}", d.name)]


@dataclass(frozen=True)
class Outcome:
    """The classification of one case (see the module docstring), with a reason when not passed."""

    case: str
    status: str
    reason: str = ""
    worst: float = 0.0  # largest |sim - expected| / (absolute + relative |expected|)


def _expected(case: Case) -> tuple[np.ndarray, list[str], np.ndarray]:
    with open(case.folder / f"{case.id}-results.csv", newline="") as f:
        rows = list(csv.reader(f))
    header = [h.strip() for h in rows[0]]
    data = np.array([[float(x) for x in r] for r in rows[1:] if r], dtype=float)
    return data[:, 0], header[1:], data[:, 1:]


def reason_key(message: str) -> str:
    """A refusal message without model names, ids and numbers: the key that groups refusals."""
    text = message.split("\n", 1)[0]
    text = re.sub(r"^SBML model '[^']*': ", "", text)
    text = re.sub(r"'[^']*'", "…", text)
    text = re.sub(r"\([^()]*\)", "", text)
    text = re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?", "N", text)
    return re.sub(r"\s+", " ", text).strip()[:160]


def simulate_case(case: Case) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
    """Run one case with her2sim: (times, variables, simulated, expected). Raises her2sim errors."""
    import her2sim as hs
    from her2sim.errors import Her2simWarning, UnsupportedFeatureWarning

    times, names, expected = _expected(case)
    solver = _solver()
    amounts = set(_split(case.settings.get("amount", "")))
    concentrations = set(_split(case.settings.get("concentration", "")))
    with warnings.catch_warnings():
        # an approximation is a refusal; other her2sim warnings inform (e.g. a dangling unit label)
        warnings.simplefilter("ignore", Her2simWarning)
        warnings.simplefilter("error", UnsupportedFeatureWarning)
        # a result's time coordinate owns the name "time": a model component of that id is
        # read under another id (read_sbml(rename=...)) and reported from there
        rename = {"time": "time_value"} if "time" in names else {}
        model = hs.read_sbml(case.sbml, rename=rename)
        species = {s.id: s for s in model.species}
        outputs: list[str] = []
        for name in names:
            outputs.append(rename.get(name, name))
            if name in species:
                outputs.append(species[name].compartment)
        ds = hs.simulate(model, times, outputs=list(dict.fromkeys(outputs)), solver=solver)
    sim = np.empty_like(expected)
    for j, name in enumerate(names):
        values = np.asarray(ds[rename.get(name, name)].values, dtype=float)
        if name in species:
            s = species[name]
            volume = np.asarray(ds[s.compartment].values, dtype=float)
            # her2sim reports concentration, or amount for hasOnlySubstanceUnits species
            if name in amounts and not s.has_only_substance_units:
                values = values * volume
            elif name in concentrations and s.has_only_substance_units:
                values = values / volume
        sim[:, j] = values
    return times, names, sim, expected


def run_case(case: Case) -> Outcome:
    """Simulate one case and classify it (pass / wrong / refused / crash)."""
    from her2sim.errors import Her2simError, UnsupportedFeatureWarning

    try:
        _, names, sim, expected = simulate_case(case)
    except (Her2simError, UnsupportedFeatureWarning) as exc:
        return Outcome(case.id, "refused", f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # noqa: BLE001 - every other exception is a bug to report
        return Outcome(case.id, "crash", f"{type(exc).__name__}: {exc}")
    absolute = float(case.settings.get("absolute", "0") or 0)
    relative = float(case.settings.get("relative", "0") or 0)
    bound = absolute + relative * np.abs(expected)
    with np.errstate(invalid="ignore"):  # inf - inf: judged by the both_inf rule below
        diff = np.abs(sim - expected)
    both_nan = np.isnan(sim) & np.isnan(expected)
    both_inf = np.isinf(sim) & np.isinf(expected) & (np.sign(sim) == np.sign(expected))
    ok = (diff <= bound) | both_nan | both_inf
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(ok, 0.0, diff / bound)
    worst = float(np.nanmax(np.where(np.isnan(ratio), np.inf, ratio))) if ratio.size else 0.0
    if ok.all():
        return Outcome(case.id, "pass")
    i, j = np.unravel_index(int(np.argmax(np.where(ok, -1.0, np.nan_to_num(ratio, nan=np.inf)))), ok.shape)
    return Outcome(
        case.id,
        "wrong",
        f"{names[j]} at row {i}: simulated {sim[i, j]!r}, expected {expected[i, j]!r}",
        worst,
    )
