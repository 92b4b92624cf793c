"""Stochastic asynchronous simulation (MaBoSS-style continuous-time Boolean kinetics).

Every node whose rule disagrees with its current value flips after an exponentially distributed
waiting time with rate ``rates[node]`` (1 by default); the next event is drawn Gillespie-style.
Averaging many trajectories gives the probability of each node being on over time, which is how
MaBoSS reads out phenotype probabilities.

Two engines:

* ``"numpy"`` (default): a small seeded simulator in this module, vectorised over trajectories.
  It reports the fraction of trajectories with each node on *at* each time point. Each node's
  initial values are drawn from a stream of its own, seeded by the run seed and the node's name
  (:func:`node_seed`), and the events from a stream seeded by the run seed alone, so adding a node
  that never flips (e.g. an input held off) leaves every other node's trajectory unchanged.
* ``"maboss"``: cMaBoSS (``import cmaboss``), the C++ MaBoSS engine. MaBoSS reports each value
  averaged over the time window ``[t, t + time_step)``, so the two engines agree exactly only at
  stationarity and approximately (to within a window's drift) elsewhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import xarray as xr

from ..errors import SolverError, UnknownNameError, ValidationError
from .expr import compile_rule
from .model import LogicalModel

__all__ = ["simulate_stochastic", "SIMULATION_ENGINES", "node_seed"]

SIMULATION_ENGINES: tuple[str, ...] = ("numpy", "maboss")


def _initial_probabilities(model: LogicalModel, initial: Mapping[str, float], default: float) -> np.ndarray:
    if not 0.0 <= default <= 1.0:
        raise ValidationError(f"initial_default must be a probability in [0, 1], got {default!r}")
    probabilities = np.full(len(model), float(default))
    for node, value in initial.items():
        position = model.index(node)
        if not (isinstance(value, (int, float, np.integer, np.floating)) and 0.0 <= float(value) <= 1.0):
            raise ValidationError(f"initial[{node!r}] must be 0, 1 or a probability in [0, 1], got {value!r}")
        probabilities[position] = float(value)
    # A constant node starts at its value: its rule would set it at the first event anyway.
    for node, value in model.fixed.items():
        if node not in initial:
            probabilities[model.index(node)] = float(value)
    return probabilities


def node_seed(seed: int, node: str) -> np.random.SeedSequence:
    """The seed of ``node``'s initial-value draw in a run seeded with ``seed``.

    Derived from the run seed and the node's name only (a BLAKE2b digest of the UTF-8 name), so it
    does not depend on the node's position or on how many nodes the model has.

    Examples
    --------
    >>> node_seed(0, "AKT").entropy == node_seed(0, "AKT").entropy != node_seed(1, "AKT").entropy
    True
    """
    digest = hashlib.blake2b(node.encode("utf-8"), digest_size=8).digest()
    return np.random.SeedSequence([int(seed), int.from_bytes(digest, "little")])


def _initial_draw(nodes: Sequence[str], probabilities: np.ndarray, n_trajectories: int, seed: int) -> np.ndarray:
    """Initial states (trajectory × node): node by node, each from its own stream (:func:`node_seed`)."""
    start = np.empty((n_trajectories, len(nodes)), dtype=bool)
    for position, (node, probability) in enumerate(zip(nodes, probabilities)):
        if probability <= 0.0 or probability >= 1.0:  # certain: no draw needed (uniforms lie in [0, 1))
            start[:, position] = probability >= 1.0
        else:
            start[:, position] = np.random.default_rng(node_seed(seed, node)).random(n_trajectories) < probability
    return start


def _rates(model: LogicalModel, rates: Mapping[str, float] | None) -> np.ndarray:
    result = np.ones(len(model))
    for node, rate in (rates or {}).items():
        position = model.index(node)
        if not (np.isfinite(rate) and rate > 0):
            raise ValidationError(f"rates[{node!r}] must be a positive finite number, got {rate!r}")
        result[position] = float(rate)
    return result


def _simulate_numpy(
    model: LogicalModel,
    start: np.ndarray,
    rates: np.ndarray,
    times: np.ndarray,
    generator: np.random.Generator,
    max_events: int,
) -> np.ndarray:
    n_traj, n_nodes = start.shape
    functions = [compile_rule(rule.expression, model._index) for rule in model.rules]
    state = start.copy()
    clock = np.zeros(n_traj)
    # Difference array over the time grid: a trajectory holding `state` on [t0, t1) adds it to every
    # grid point in that interval; a cumulative sum at the end gives the counts per grid point.
    accumulated = np.zeros((times.size + 1, n_nodes))
    active = np.ones(n_traj, dtype=bool)
    for _ in range(max_events):
        if not active.any():
            break
        index = np.flatnonzero(active)
        current = state[index]
        targets = np.stack(
            [np.broadcast_to(f(current), (index.size,)) for f in functions], axis=1
        )
        propensity = (targets != current) * rates
        total = propensity.sum(axis=1)
        stable = total == 0
        with np.errstate(divide="ignore"):
            wait = np.where(stable, np.inf, generator.exponential(1.0, index.size) / np.where(stable, 1.0, total))
        next_clock = np.minimum(clock[index] + wait, times[-1] + 1.0)
        first = np.searchsorted(times, clock[index], side="left")
        last = np.searchsorted(times, next_clock, side="left")
        np.add.at(accumulated, first, current.astype(float))
        np.add.at(accumulated, last, -current.astype(float))
        # Flip one unstable node per unfinished trajectory, chosen proportionally to its rate.
        moving = ~stable & (next_clock <= times[-1])
        if moving.any():
            rows = np.flatnonzero(moving)
            cumulative = np.cumsum(propensity[rows], axis=1)
            draw = generator.random(rows.size) * total[rows]
            chosen = np.minimum((cumulative <= draw[:, None]).sum(axis=1), n_nodes - 1)
            state[index[rows], chosen] = ~state[index[rows], chosen]
        clock[index] = next_clock
        active[index[~moving]] = False
    else:
        raise SolverError(
            f"stochastic simulation did not reach t={times[-1]} within max_events={max_events}; "
            "raise max_events or shorten t_max"
        )
    counts = np.cumsum(accumulated, axis=0)[:-1]
    return counts / n_traj


def _maboss_text(model: LogicalModel, probabilities: np.ndarray, rates: np.ndarray, times: np.ndarray,
                 n_trajectories: int, seed: int) -> tuple[str, str]:
    blocks = []
    for rule, rate in zip(model.rules, (float(r) for r in rates)):
        logic = rule.expression.to_string("maboss")
        blocks.append(
            f"Node {rule.target} {{\n  logic = {logic};\n"
            f"  rate_up = @logic ? {rate!r} : 0.0;\n  rate_down = @logic ? 0.0 : {rate!r};\n}}"
        )
    step = float(times[1] - times[0]) if times.size > 1 else float(times[0] or 1.0)
    config = [
        f"time_tick = {step!r};",
        f"max_time = {float(times[-1]) + step!r};",
        f"sample_count = {n_trajectories};",
        "discrete_time = 0;",
        "use_physrandgen = 0;",
        f"seed_pseudorandom = {seed};",
        "thread_count = 1;",
    ]
    for node, p in zip(model.nodes, (float(q) for q in probabilities)):
        if p in (0, 1):
            config.append(f"{node}.istate = {int(p)};")
        else:  # a probabilistic initial state needs the bracketed form in MaBoSS
            config.append(f"[{node}].istate = {p!r} [1], {1 - p!r} [0];")
        config.append(f"{node}.is_internal = 0;")
    return "\n".join(blocks) + "\n", "\n".join(config) + "\n"


def _simulate_maboss(model: LogicalModel, probabilities: np.ndarray, rates: np.ndarray, times: np.ndarray,
                     n_trajectories: int, seed: int) -> np.ndarray:
    try:
        import cmaboss
    except ImportError as error:  # pragma: no cover
        raise ImportError("engine='maboss' needs cmaboss: pip install cmaboss") from error
    network, config = _maboss_text(model, probabilities, rates, times, n_trajectories, seed)
    try:
        result = cmaboss.MaBoSSSim(network_str=network, config_str=config).run()
    except Exception as error:  # cmaboss raises its own BNException
        raise SolverError(f"MaBoSS failed: {error}") from error
    values, grid, names, _ = result.get_nodes_probtraj()
    columns = {name: i for i, name in enumerate(names)}
    output = np.zeros((times.size, len(model)))
    for j, node in enumerate(model.nodes):
        if node in columns:
            output[: min(times.size, len(grid)), j] = np.asarray(values)[: times.size, columns[node]]
    return output


def simulate_stochastic(
    model: LogicalModel,
    *,
    initial: Mapping[str, float],
    t_max: float,
    time_step: float = 1.0,
    n_trajectories: int = 1000,
    seed: int = 0,
    initial_default: float = 0.5,
    rates: Mapping[str, float] | None = None,
    engine: Literal["numpy", "maboss"] = "numpy",
    max_events: int = 1_000_000,
) -> xr.Dataset:
    """Probability of each node being on over time under stochastic asynchronous updates.

    Parameters
    ----------
    model : LogicalModel
        The model; set inputs first with :meth:`LogicalModel.with_inputs`.
    initial : mapping of str to float
        Initial value (0/1) or probability of being on, per node.
    t_max : float
        Final time, in units of 1/rate.
    time_step : float
        Spacing of the reporting grid ``0, time_step, ..., t_max``.
    n_trajectories : int
        Number of simulated trajectories.
    seed : int
        Random seed (a non-negative integer); the same seed gives the same result. With the numpy
        engine each node's initial draw depends only on the seed and the node's name.

    Other Parameters
    ----------------
    initial_default : float
        Probability of being on for nodes not in ``initial`` (MaBoSS's default 0.5).
    rates : mapping of str to float, optional
        Flip rate per node (up and down alike); default 1.
    engine : {"numpy", "maboss"}
        See the module docstring.
    max_events : int
        Safety limit on the number of events (numpy engine).

    Returns
    -------
    xarray.Dataset
        ``probability`` (time × node) and, if the model has phenotypes, ``phenotype_probability``
        (time × phenotype). Attrs: engine, version, seed, trajectories, model id.

    Raises
    ------
    SolverError
        If ``max_events`` is exhausted or MaBoSS fails.

    Examples
    --------
    >>> m = LogicalModel.from_rules("decay", {"A": "0"})
    >>> ds = simulate_stochastic(m, initial={"A": 1}, t_max=2, time_step=1, n_trajectories=2000)
    >>> float(ds["probability"].sel(node="A", time=0))
    1.0
    """
    if engine not in SIMULATION_ENGINES:
        raise UnknownNameError("engine", engine, SIMULATION_ENGINES)
    if not (np.isfinite(t_max) and t_max > 0):
        raise ValidationError(f"t_max must be a positive finite number, got {t_max!r}")
    if not (np.isfinite(time_step) and 0 < time_step <= t_max):
        raise ValidationError(f"time_step must be in (0, t_max], got {time_step!r}")
    if not (isinstance(n_trajectories, (int, np.integer)) and n_trajectories >= 1):
        raise ValidationError(f"n_trajectories must be a positive integer, got {n_trajectories!r}")
    if not (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0):
        raise ValidationError(f"seed must be a non-negative integer, got {seed!r}")
    times = np.arange(0.0, t_max + 0.5 * time_step, time_step)
    probabilities = _initial_probabilities(model, initial, initial_default)
    node_rates = _rates(model, rates)
    if engine == "numpy":
        start = _initial_draw(model.nodes, probabilities, int(n_trajectories), int(seed))
        generator = np.random.default_rng(seed)  # the events' stream
        values = _simulate_numpy(model, start, node_rates, times, generator, max_events)
        version = "her2sim"
    else:
        values = _simulate_maboss(model, probabilities, node_rates, times, int(n_trajectories), int(seed))
        from importlib import metadata

        version = metadata.version("cmaboss")
    variables: dict[str, Any] = {
        "probability": (("time", "node"), values, {"long_name": "probability of being on", "units": "1"}),
    }
    coords: dict[str, Any] = {"time": times, "node": list(model.nodes)}
    if model.phenotypes:
        columns = [model.index(p) for p in model.phenotypes]
        variables["phenotype_probability"] = (
            ("time", "phenotype"), values[:, columns], {"long_name": "probability of the phenotype node being on"},
        )
        coords["phenotype"] = list(model.phenotypes)
    dataset = xr.Dataset(
        variables,
        coords=coords,
        attrs={
            "model_id": model.id,
            "engine": engine,
            "engine_version": version,
            "method": "stochastic_asynchronous",
            "seed": int(seed),
            "n_trajectories": int(n_trajectories),
            "time_units": "1/rate",
            "reporting": "instantaneous" if engine == "numpy" else "window average over [t, t + time_step)",
        },
    )
    dataset["time"].attrs.update({"long_name": "time", "units": "1/rate"})
    return dataset
