"""The engine's per-segment cache of input-only values and its reused ensemble output memory.

Oracles: analytic solutions of first-order decay whose rate constant is a product of inputs that
an initial assignment, a schedule entry and an event change during the run (a stale cache would
keep the old rate and miss the solution by far more than the tolerance); for the output memory,
bit-identity of earlier results after later ensembles reuse the pool.
"""

from __future__ import annotations

import gc

import numpy as np

import her2sim as hs
from her2sim.engine import codegen, compiler
from her2sim.model import AssignmentRule, Compartment, Event, InitialAssignment, Model, Parameter, Reaction, Species, parse

TIGHT = dict(rtol=1e-10, atol=1e-14)


def cached_rate_model() -> Model:
    """A decays with rate keff = k1*k2/Km (an assignment rule of inputs only); B with the same
    product written inline in its rate law. k2 = 2*k3 is an initial assignment; a schedule and an
    event change k1."""
    return Model(
        "cached_rate",
        compartments=(Compartment("c"),),
        species=(Species("A", "c", 1.0), Species("B", "c", 1.0)),
        parameters=(
            Parameter("k1", 0.5, constant=False),
            Parameter("k2", 0.0),
            Parameter("k3", 0.25),
            Parameter("Km", 0.5),
            Parameter("keff", 0.0, constant=False),
        ),
        reactions=(
            Reaction("ra", (("A", 1),), (), parse("keff*A")),
            Reaction("rb", (("B", 1),), (), parse("k1*k2*B/Km")),
        ),
        assignment_rules=(AssignmentRule("keff", parse("k1*k2/Km")),),
        initial_assignments=(InitialAssignment("k2", parse("2*k3")),),
        events=(Event("slow", parse("time >= 4"), (("k1", parse("0.2")),)),),
    )


def exact(t: np.ndarray, k3: float) -> np.ndarray:
    """keff = k1 * 2 k3 / 0.5 with k1 = 0.5 (t < 2), 1.0 (schedule, 2 <= t < 4), 0.2 (event, t >= 4)."""
    scale = 2 * k3 / 0.5
    r1, r2, r3 = 0.5 * scale, 1.0 * scale, 0.2 * scale
    return np.where(
        t <= 2, np.exp(-r1 * t),
        np.where(t <= 4, np.exp(-2 * r1 - r2 * (t - 2)), np.exp(-2 * r1 - 2 * r2 - r3 * (t - 4))))


def test_input_only_values_are_cached_in_the_generated_code():
    source = codegen.generate(cached_rate_model()).source
    assert "static void model_pcache(const double *p, double *c)" in source
    # keff (a rule of inputs only) is read from the cache, and so is the inline product of rb
    assert "compute_w_c" in source and "c[0]" in source


def test_cached_rate_follows_initial_assignment_schedule_and_event():
    """Oracle: the piecewise exponential of :func:`exact`, rtol 1e-7 at solver rtol 1e-10."""
    t = np.linspace(0, 6, 61)
    ds = hs.simulate(cached_rate_model(), t, schedule=[(2.0, {"k1": 1.0})], **TIGHT)
    for sid in ("A", "B"):
        np.testing.assert_allclose(ds[sid].values, exact(t, 0.25), rtol=1e-7, atol=0)


def test_cache_is_per_member_in_ensembles():
    """Oracle: the same solution per member with that member's k3 (the cache is filled per member)."""
    t = np.linspace(0, 6, 31)
    k3 = np.array([0.25, 0.5, 0.1, 0.4])
    ds = hs.simulate_ensemble(cached_rate_model(), t, {"k3": k3}, schedule=[(2.0, {"k1": 1.0})], n_threads=2, **TIGHT)
    for m, k in enumerate(k3):
        np.testing.assert_allclose(ds["A"].values[m], exact(t, k), rtol=1e-7, atol=0)
        np.testing.assert_allclose(ds["B"].values[m], exact(t, k), rtol=1e-7, atol=0)


def _decay() -> Model:
    return Model(
        "decay_pool",
        compartments=(Compartment("c"),),
        species=(Species("A", "c", 1.0),),
        parameters=(Parameter("k", 0.5),),
        reactions=(Reaction("r", (("A", 1),), (), parse("k*A")),),
    )


def test_ensemble_output_memory_is_reused_only_when_no_array_refers_to_it():
    """Oracle: results kept by the caller stay bit-identical while later ensembles run, and each
    result is exp(-k t) (rtol 1e-6 at solver rtol 1e-9)."""
    cm = hs.compile_model(_decay())
    t = np.linspace(0, 2, 100)
    n = 2000  # 2000 x 100 x 8 bytes: above the pool's 1 MiB threshold
    k_a, k_b = np.linspace(0.1, 1.0, n), np.linspace(1.0, 2.0, n)
    gc.collect()
    first = hs.simulate_ensemble(cm, t, {"k": k_a}, rtol=1e-9, atol=1e-14, n_threads=1)["A"]  # a view
    kept = first.values.copy()
    address = first.values.__array_interface__["data"][0]
    second = hs.simulate_ensemble(cm, t, {"k": k_b}, rtol=1e-9, atol=1e-14, n_threads=1)
    np.testing.assert_array_equal(first.values, kept)  # not overwritten: it is still referenced
    assert second["A"].values.__array_interface__["data"][0] != address
    np.testing.assert_allclose(first.values, np.exp(-np.outer(k_a, t)), rtol=1e-6)
    np.testing.assert_allclose(second["A"].values, np.exp(-np.outer(k_b, t)), rtol=1e-6)
    del first
    gc.collect()
    third = hs.simulate_ensemble(cm, t, {"k": k_a[::-1]}, rtol=1e-9, atol=1e-14, n_threads=1)
    # the first result's memory is free now and is used again; the second's is still held
    assert third["A"].values.__array_interface__["data"][0] == address
    np.testing.assert_allclose(third["A"].values, np.exp(-np.outer(k_a[::-1], t)), rtol=1e-6)
    np.testing.assert_allclose(second["A"].values, np.exp(-np.outer(k_b, t)), rtol=1e-6)
    assert len(compiler._OUTPUTS._buffers) <= compiler._OutputPool.MAX_BUFFERS
