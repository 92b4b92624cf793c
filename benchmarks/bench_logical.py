"""Speed of the logical twin against the engines called directly (a script, not a test).

1. Full genotype × treatment attractor scan (the node-concordance panel, 7 × 8 conditions):
   her2sim (aeon, exact asynchronous attractors; and engine="mpbn", minimal trap spaces) against
   mpbn and pyboolnet (minimal trap spaces) given the same conditioned rules directly.
2. A 10,000-trajectory stochastic run (wild type + trastuzumab, from the untreated attractor):
   her2sim's numpy simulator and its cMaBoSS engine, against mpbn.simulation's most-permissive
   estimate of reachable-attractor probabilities with 10,000 samples. pyboolnet has no
   stochastic simulator, so it has no entry there.

Run: ``python benchmarks/bench_logical.py``. Ratios are engine-direct time / her2sim time
(> 1: her2sim faster).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

from her2sim.library import her2_logical as hl
from her2sim.library.concordance import GENOTYPE_PANEL, TREATMENT_PANEL
from her2sim.logical import LogicalModel, to_bnet


def _time(function: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def _conditions() -> list[LogicalModel]:
    return [hl.condition(g, t, parameters=p or None)
            for g, p in GENOTYPE_PANEL.values() for t in TREATMENT_PANEL.values()]


def _mpbn_scan(models: list[LogicalModel]) -> int:
    import mpbn

    total = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        for model in models:
            rules = {rule.target: rule.expression.to_string("bnet") for rule in model.rules}
            total += len(list(mpbn.MPBooleanNetwork(rules).attractors()))
    return total


def _pyboolnet_scan(texts: list[str]) -> int:
    from pyboolnet.file_exchange import bnet2primes
    from pyboolnet.trap_spaces import compute_trap_spaces

    return sum(len(compute_trap_spaces(bnet2primes(text), "min")) for text in texts)


def main() -> None:
    genotypes = {k: v[0] for k, v in GENOTYPE_PANEL.items()}
    parameters = {k: v[1] for k, v in GENOTYPE_PANEL.items() if v[1]}
    n_conditions = len(GENOTYPE_PANEL) * len(TREATMENT_PANEL)
    print(f"attractor scan: {len(GENOTYPE_PANEL)} genotypes x {len(TREATMENT_PANEL)} treatments = {n_conditions} conditions")
    t_aeon, ds = _time(lambda: hl.attractors(genotypes, TREATMENT_PANEL, parameters=parameters))
    t_twin_mpbn, ds_mp = _time(lambda: hl.attractors(genotypes, TREATMENT_PANEL, parameters=parameters, engine="mpbn"))
    models = _conditions()
    texts = [to_bnet(m) for m in models]
    t_mpbn, n_mpbn = _time(lambda: _mpbn_scan(models))
    print(f"  her2sim (aeon, asynchronous)   {t_aeon:8.3f} s   attractors {int(ds['n_attractors'].sum())}")
    print(f"  her2sim (mpbn, trap spaces)    {t_twin_mpbn:8.3f} s   attractors {int(ds_mp['n_attractors'].sum())}")
    print(f"  mpbn direct                    {t_mpbn:8.3f} s   attractors {n_mpbn}   ratio mpbn/her2sim-mpbn {t_mpbn / t_twin_mpbn:6.2f}, mpbn/her2sim-aeon {t_mpbn / t_aeon:6.2f}")
    try:
        t_pbn, n_pbn = _time(lambda: _pyboolnet_scan(texts))
    except Exception as error:  # pyboolnet missing or its bundled clingo failing
        print(f"  pyboolnet direct               not run ({type(error).__name__}: {error})")
    else:
        print(f"  pyboolnet direct               {t_pbn:8.3f} s   trap spaces {n_pbn}   ratio pyboolnet/her2sim-mpbn {t_pbn / t_twin_mpbn:6.2f}, pyboolnet/her2sim-aeon {t_pbn / t_aeon:6.2f}")

    print("stochastic run: wild type + trastuzumab, 10,000 trajectories, t_max 40")
    t_numpy, run = _time(lambda: hl.simulate([], ["trastuzumab"], n_trajectories=10_000, t_max=40.0, seed=0))
    # MaBoSS is given a 0/1 start (oscillating untreated nodes rounded up): her2sim's MaBoSS
    # export writes fractional initial states as "X.istate = p [1], ..." without the brackets
    # MaBoSS needs around the node name, and cMaBoSS aborts the process on it.
    from her2sim.logical import simulate_stochastic

    start01 = {k: float(v >= 0.5) for k, v in hl.initial_state([]).items()}
    treated = hl.condition([], ["trastuzumab"])
    t_maboss, run_mb = _time(lambda: simulate_stochastic(treated, initial=start01, t_max=40.0, time_step=0.5,
                                                         n_trajectories=10_000, seed=0, engine="maboss"))
    late = float(run["phenotype_probability"].sel(phenotype="Proliferation").isel(time=-1))
    late_mb = float(run_mb["phenotype_probability"].sel(phenotype="Proliferation").isel(time=-1))
    print(f"  her2sim numpy                  {t_numpy:8.3f} s   P(Proliferation, t=40) {late:.3f}")
    print(f"  her2sim maboss (cMaBoSS)       {t_maboss:8.3f} s   P(Proliferation, t=40) {late_mb:.3f}   ratio maboss/numpy {t_maboss / t_numpy:6.2f}")
    try:
        import mpbn
        from mpbn.simulation import (constant_maximum_depth, estimate_reachable_attractors_probabilities,
                                     uniform_rates)

        model = hl.condition([], ["trastuzumab"])
        start = {k: int(v >= 0.5) for k, v in hl.initial_state([]).items()}
        rules = {rule.target: rule.expression.to_string("bnet") for rule in model.rules}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            network = mpbn.MPBooleanNetwork(rules)
            attractors = list(network.attractors())
            t_mpsim, _ = _time(lambda: estimate_reachable_attractors_probabilities(
                network, start, attractors, 10_000, constant_maximum_depth, uniform_rates))
        print(f"  mpbn.simulation (MP, 10,000)   {t_mpsim:8.3f} s   ratio mpbn/her2sim-numpy {t_mpsim / t_numpy:6.2f}"
              " (different semantics: most-permissive reachable-attractor probabilities, no time course)")
    except Exception as error:
        print(f"  mpbn.simulation                not run ({type(error).__name__}: {error})")
    print("  pyboolnet                      no stochastic simulator")


if __name__ == "__main__":
    main()
