"""Analyses of logical models on maintained engines: biodivine-aeon (BDD-based, exact asynchronous
attractors, fixed points, minimal trap spaces, reachability) and mpbn (answer-set programming,
most-permissive semantics: fixed points, minimal trap spaces, reachability).

Models are handed to the engines with every free input as an identity function (``X = X``), so
inputs are ordinary state variables and each input combination is its own invariant subspace.
Counts therefore equal aeon's colour-weighted counts on the original file, where inputs are
parameters (colours), and mpbn is never given an undeclared variable.

Results are :class:`xarray.Dataset` objects with named dimensions (``attractor`` × ``node``,
``perturbation``, ``time`` × ``node``) and ``attrs`` naming the engine, its version, the method
and the model id. A node that is free in an attractor (oscillating in an asynchronous attractor,
``*`` in a trap space) is ``NaN``.
"""

from __future__ import annotations

import contextlib
import itertools
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib import metadata
from typing import Any, Literal

import numpy as np
import xarray as xr

from ..errors import UnknownNameError, UnsupportedFeatureError, ValidationError
from .io import to_aeon
from .model import LogicalModel, NodeValue

__all__ = [
    "ENGINES",
    "count_fixed_points",
    "fixed_points",
    "count_attractors",
    "attractors",
    "is_reachable",
    "reachable_attractors",
    "perturbation_scan",
    "phenotype_summary",
]

Engine = Literal["aeon", "mpbn"]
Method = Literal["asynchronous", "trap_spaces"]
ENGINES: tuple[str, ...] = ("aeon", "mpbn")
_METHODS: tuple[str, ...] = ("asynchronous", "trap_spaces")
_PACKAGES = {"aeon": "biodivine-aeon", "mpbn": "mpbn", "maboss": "cmaboss"}


def _check_engine(engine: str, method: str | None = None) -> None:
    if engine not in ENGINES:
        raise UnknownNameError("engine", engine, ENGINES)
    if method is not None:
        if method not in _METHODS:
            raise UnknownNameError("method", method, _METHODS)
        if engine == "mpbn" and method == "asynchronous":
            raise UnsupportedFeatureError(
                "mpbn computes most-permissive attractors, which are the minimal trap spaces; use "
                "method='trap_spaces' with engine='mpbn', or engine='aeon' for exact asynchronous attractors"
            )


def _engine_version(engine: str) -> str:
    try:
        return metadata.version(_PACKAGES[engine])
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


def _require(engine: str) -> Any:
    try:
        if engine == "aeon":
            import biodivine_aeon

            return biodivine_aeon
        if engine == "mpbn":
            import mpbn

            return mpbn
        import cmaboss

        return cmaboss
    except ImportError as error:  # pragma: no cover - installed with the [logical] extra
        raise ImportError(
            f"engine {engine!r} needs the {_PACKAGES[engine]!r} package: pip install 'her2sim[logical]'"
        ) from error


def _aeon_network(model: LogicalModel) -> Any:
    aeon = _require("aeon")
    return aeon.BooleanNetwork.from_aeon(to_aeon(model, identity_inputs=True))


@contextlib.contextmanager
def _quiet_mpbn() -> Iterator[None]:
    # mpbn 4.4 reads its ASP programs with open(...).read() and never closes the file; the
    # ResourceWarning is raised synchronously inside the call and says nothing about our data.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"unclosed file .*mpbn", category=ResourceWarning)
        yield


def _mpbn_network(model: LogicalModel) -> Any:
    mpbn = _require("mpbn")
    # Every variable gets a rule (identity for free inputs): the pitfall mpbn has with
    # undeclared right-hand-side variables cannot occur.
    rules = {rule.target: rule.expression.to_string("bnet") for rule in model.rules}
    return mpbn.MPBooleanNetwork(rules)


def _mpbn(model: LogicalModel, method: str, *args: Any, **kwargs: Any) -> Any:
    """Call an mpbn method; iterators are consumed inside the warning filter."""
    with _quiet_mpbn():
        result = getattr(_mpbn_network(model), method)(*args, **kwargs)
        if hasattr(result, "__next__"):
            result = list(result)
    return result


def _attrs(model: LogicalModel, engine: str, method: str, **extra: Any) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "model_id": model.id,
        "engine": engine,
        "engine_version": _engine_version(engine) if engine in _PACKAGES else "her2sim",
        "method": method,
        "n_free_inputs": len(model.free_inputs),
    }
    attrs.update(extra)
    return attrs


def _states_dataset(
    model: LogicalModel,
    rows: Sequence[Mapping[str, Any]],
    dim: str,
    attrs: Mapping[str, Any],
    size: Sequence[float] | None = None,
) -> xr.Dataset:
    nodes = model.nodes
    values = np.full((len(rows), len(nodes)), np.nan)
    for i, row in enumerate(rows):
        for j, node in enumerate(nodes):
            value = row.get(node)
            if value is None or value == "*":
                continue
            values[i, j] = float(bool(value))
    variables: dict[str, Any] = {
        "state": (
            (dim, "node"),
            values,
            {"long_name": "node value (1 on, 0 off, NaN free/oscillating)"},
        ),
    }
    if size is not None:
        variables["size"] = ((dim,), np.asarray(size, dtype=float), {"long_name": "number of states"})
    dataset = xr.Dataset(
        variables,
        coords={dim: np.arange(len(rows)), "node": list(nodes)},
        attrs=dict(attrs),
    )
    dataset["node"].attrs["long_name"] = "logical node"
    return dataset


# ---------------------------------------------------------------------------------------------
# Fixed points
# ---------------------------------------------------------------------------------------------


def count_fixed_points(model: LogicalModel, *, engine: Engine = "aeon") -> int:
    """Number of fixed points (all input combinations included).

    Parameters
    ----------
    model : LogicalModel
        The model; fix inputs first with :meth:`LogicalModel.with_inputs` to count per condition.
    engine : {"aeon", "mpbn"}
        Both count exactly; aeon counts symbolically without enumerating.

    Returns
    -------
    int

    Examples
    --------
    >>> m = LogicalModel.from_rules("toggle", {"A": "!B", "B": "!A"})
    >>> count_fixed_points(m)
    2
    """
    _check_engine(engine)
    if engine == "aeon":
        aeon = _require("aeon")
        graph = aeon.AsynchronousGraph(_aeon_network(model))
        return int(aeon.FixedPointsComp.create_from(graph).symbolic_vertices().cardinality())
    return int(_mpbn(model, "count_fixedpoints"))


def fixed_points(model: LogicalModel, *, engine: Engine = "aeon", limit: int | None = None) -> xr.Dataset:
    """Enumerate fixed points.

    Parameters
    ----------
    model : LogicalModel
        The model.
    engine : {"aeon", "mpbn"}
        Engine.
    limit : int, optional
        Stop after this many (``attrs["truncated"]`` says whether more exist).

    Returns
    -------
    xarray.Dataset
        ``state`` (fixed_point × node) with 0/1 values.
    """
    _check_engine(engine)
    if limit is not None and limit < 1:
        raise ValidationError(f"limit must be a positive integer or None, got {limit!r}")
    rows: list[Mapping[str, Any]] = []
    if engine == "aeon":
        aeon = _require("aeon")
        graph = aeon.AsynchronousGraph(_aeon_network(model))
        vertices = aeon.FixedPointsComp.create_from(graph).symbolic_vertices()
        total = int(vertices.cardinality())
        for vertex in vertices.items():
            rows.append(vertex.to_named_dict())
            if limit is not None and len(rows) >= limit:
                break
    else:
        total = int(_mpbn(model, "count_fixedpoints"))
        rows = list(_mpbn(model, "fixedpoints", limit=limit or 0))
    rows.sort(key=lambda row: tuple(int(row[n]) for n in model.nodes))
    dataset = _states_dataset(
        model, rows, "fixed_point", _attrs(model, engine, "fixed_points", truncated=int(len(rows) < total))
    )
    dataset["state"].attrs["long_name"] = "node value at the fixed point"
    return dataset


# ---------------------------------------------------------------------------------------------
# Attractors
# ---------------------------------------------------------------------------------------------


def count_attractors(model: LogicalModel, *, engine: Engine = "aeon", method: Method = "asynchronous") -> int:
    """Number of attractors.

    Parameters
    ----------
    model : LogicalModel
        The model.
    engine : {"aeon", "mpbn"}
        Engine.
    method : {"asynchronous", "trap_spaces"}
        ``"asynchronous"``: terminal strongly connected components of the asynchronous state
        graph (aeon only). ``"trap_spaces"``: minimal trap spaces, which are the attractors of the
        most-permissive semantics and contain at least one asynchronous attractor each.

    Returns
    -------
    int
    """
    _check_engine(engine, method)
    if engine == "mpbn":
        return int(_mpbn(model, "count_attractors"))
    aeon = _require("aeon")
    if method == "trap_spaces":
        return int(_aeon_minimal_trap_spaces(aeon, model).cardinality())
    return len(aeon.Attractors.attractors(aeon.AsynchronousGraph(_aeon_network(model))))


def _aeon_minimal_trap_spaces(aeon: Any, model: LogicalModel) -> Any:
    # Trap spaces are computed with free inputs as aeon parameters (colours): with identity
    # self-loops the symbolic trap-space search is ~20x slower (17 s instead of 0.8 s for the
    # von der Heyde 2014 BT474 long-term model). Each input is pinned to its parameter inside a
    # minimal trap space, so the spaces already carry the input values.
    network = aeon.BooleanNetwork.from_aeon(to_aeon(model, identity_inputs=False))
    return aeon.TrapSpacesComp.create_from(network).minimal_symbolic()


def _aeon_attractor_rows(aeon: Any, graph: Any, initial: Any | None) -> tuple[list[dict[str, bool]], list[float]]:
    found = aeon.Attractors.attractors(graph, initial_set=initial) if initial is not None else aeon.Attractors.attractors(graph)
    rows: list[dict[str, bool]] = []
    sizes: list[float] = []
    for attractor in found:
        # One colour (no parameters), so each set is one attractor; nodes that vary inside it are
        # missing from the enclosing subspace and become NaN.
        vertices = attractor.vertices()
        rows.append(vertices.enclosing_named_subspace())
        sizes.append(float(vertices.cardinality()))
    return rows, sizes


def attractors(
    model: LogicalModel,
    *,
    engine: Engine = "aeon",
    method: Method = "asynchronous",
    limit: int | None = None,
) -> xr.Dataset:
    """Enumerate attractors.

    Parameters
    ----------
    model : LogicalModel
        The model.
    engine : {"aeon", "mpbn"}
        Engine.
    method : {"asynchronous", "trap_spaces"}
        See :func:`count_attractors`.
    limit : int, optional
        Maximum number returned (trap spaces only; asynchronous attractors are all computed).

    Returns
    -------
    xarray.Dataset
        ``state`` (attractor × node): 1/0 for nodes fixed in the attractor, NaN for nodes that
        oscillate (asynchronous) or are free (``*``, trap spaces); ``size`` (attractor): number
        of states (of the trap space, for ``"trap_spaces"``).

    Examples
    --------
    >>> m = LogicalModel.from_rules("osc", {"A": "!B", "B": "A"})
    >>> attractors(m)["state"].values.tolist()
    [[nan, nan]]
    """
    _check_engine(engine, method)
    rows: list[Mapping[str, Any]]
    if engine == "mpbn":
        rows = list(_mpbn(model, "attractors", limit=limit or 0))
        sizes = [2.0 ** sum(1 for v in row.values() if v == "*") for row in rows]
    else:
        aeon = _require("aeon")
        if method == "trap_spaces":
            unique: dict[tuple[tuple[str, bool], ...], dict[str, bool]] = {}
            # items() yields (colour, space) pairs; spaces repeat across irrelevant colour bits.
            for _, space in _aeon_minimal_trap_spaces(aeon, model).items():
                row = space.to_named_dict()
                unique.setdefault(tuple(sorted(row.items())), row)
                if limit is not None and len(unique) >= limit:
                    break
            rows = list(unique.values())
            sizes = [2.0 ** (len(model) - len(row)) for row in rows]
        else:
            rows, sizes = _aeon_attractor_rows(aeon, aeon.AsynchronousGraph(_aeon_network(model)), None)
    dataset = _states_dataset(model, rows, "attractor", _attrs(model, engine, method), sizes)
    return _sorted(dataset, "attractor")


def _sorted(dataset: xr.Dataset, dim: str) -> xr.Dataset:
    # Deterministic order independent of the engine: lexicographic on (value, NaN last).
    if dataset.sizes[dim] == 0:
        return dataset
    keys = np.nan_to_num(dataset["state"].values, nan=2.0)
    order = np.lexsort(keys.T[::-1])
    dataset = dataset.isel({dim: order})
    return dataset.assign_coords({dim: np.arange(dataset.sizes[dim])})


# ---------------------------------------------------------------------------------------------
# Reachability
# ---------------------------------------------------------------------------------------------


def _subspace(model: LogicalModel, argument: str, values: Mapping[str, NodeValue]) -> dict[str, bool]:
    if not isinstance(values, Mapping) or not values:
        raise ValidationError(f"{argument} must be a non-empty mapping of node name to 0/1")
    result: dict[str, bool] = {}
    for node, value in values.items():
        model.index(node)
        if value not in (0, 1, True, False):
            raise ValidationError(f"{argument}[{node!r}] must be 0 or 1, got {value!r}")
        result[node] = bool(value)
    return result


def is_reachable(
    model: LogicalModel,
    initial: Mapping[str, NodeValue],
    target: Mapping[str, NodeValue],
    *,
    engine: Engine = "aeon",
) -> bool:
    """Whether a state matching ``target`` can be reached from ``initial``.

    Parameters
    ----------
    model : LogicalModel
        The model.
    initial, target : mapping of str to {0, 1}
        Initial state and target; partial mappings are subspaces (nodes left out are free), and
        the question is whether some initial state in the subspace reaches some target state.
    engine : {"aeon", "mpbn"}
        ``"aeon"``: exact asynchronous reachability. ``"mpbn"``: most-permissive reachability,
        which over-approximates the asynchronous one (anything reachable asynchronously is
        reachable most-permissively).

    Returns
    -------
    bool
    """
    _check_engine(engine)
    start = _subspace(model, "initial", initial)
    goal = _subspace(model, "target", target)
    if engine == "mpbn":
        return bool(_mpbn(model, "reachability", {k: int(v) for k, v in start.items()}, {k: int(v) for k, v in goal.items()}))
    aeon = _require("aeon")
    graph = aeon.AsynchronousGraph(_aeon_network(model))
    reached = aeon.Reachability.reach_fwd(graph, graph.mk_subspace(start))
    return not reached.intersect(graph.mk_subspace(goal)).is_empty()


def reachable_attractors(
    model: LogicalModel,
    initial: Mapping[str, NodeValue],
    *,
    engine: Engine = "aeon",
    method: Method = "asynchronous",
) -> xr.Dataset:
    """Attractors reachable from ``initial`` (a state or a subspace).

    With aeon the forward-reachable set is computed and its attractors enumerated (exact,
    asynchronous); with mpbn the minimal trap spaces reachable under most-permissive updates.

    Returns
    -------
    xarray.Dataset
        As :func:`attractors`, with ``attrs["initial"]`` recording the initial condition.
    """
    _check_engine(engine, method)
    start = _subspace(model, "initial", initial)
    description = ", ".join(f"{k}={int(v)}" for k, v in start.items())
    if engine == "mpbn":
        rows = list(_mpbn(model, "attractors", reachable_from={k: int(v) for k, v in start.items()}))
        sizes = [2.0 ** sum(1 for v in row.values() if v == "*") for row in rows]
    else:
        if method == "trap_spaces":
            raise UnsupportedFeatureError(
                "reachable trap spaces are a most-permissive notion: use engine='mpbn' for them, "
                "or method='asynchronous' with aeon"
            )
        aeon = _require("aeon")
        graph = aeon.AsynchronousGraph(_aeon_network(model))
        reached = aeon.Reachability.reach_fwd(graph, graph.mk_subspace(start))
        rows, sizes = _aeon_attractor_rows(aeon, graph, reached)
    dataset = _states_dataset(
        model, rows, "attractor", _attrs(model, engine, method, initial=description), sizes
    )
    return _sorted(dataset, "attractor")


# ---------------------------------------------------------------------------------------------
# Phenotypes and perturbation scans
# ---------------------------------------------------------------------------------------------


def phenotype_summary(result: xr.Dataset, phenotype: str) -> dict[str, float]:
    """Fractions of attractors in which ``phenotype`` is on, off or oscillating/free.

    Each attractor counts once (input combinations are weighted equally).

    Returns
    -------
    dict
        ``{"on": ..., "off": ..., "oscillating": ..., "n_attractors": ...}``; fractions are NaN
        when there is no attractor.
    """
    nodes = [str(n) for n in result["node"].values]
    if phenotype not in nodes:
        raise UnknownNameError("phenotype", phenotype, nodes)
    values = result["state"].sel(node=phenotype).values
    count = values.size
    if count == 0:
        return {"on": np.nan, "off": np.nan, "oscillating": np.nan, "n_attractors": 0.0}
    return {
        "on": float(np.mean(values == 1.0)),
        "off": float(np.mean(values == 0.0)),
        "oscillating": float(np.mean(np.isnan(values))),
        "n_attractors": float(count),
    }


def _label(fixes: Mapping[str, int]) -> str:
    return ",".join(f"{node}={value}" for node, value in fixes.items()) or "none"


def perturbation_scan(
    model: LogicalModel,
    phenotype: str,
    *,
    nodes: Iterable[str] | None = None,
    values: Sequence[int] = (0, 1),
    order: int = 1,
    engine: Engine = "aeon",
    method: Method = "asynchronous",
    direction: Literal["decrease", "increase"] = "decrease",
) -> xr.Dataset:
    """Rank single (and double) node fixes by their effect on a phenotype.

    For each intervention (every node in ``nodes`` fixed to every value in ``values``; for
    ``order=2`` also every pair of distinct nodes with every value combination) the attractors of
    the perturbed model are computed and the fraction with ``phenotype`` on is compared with the
    unperturbed model.

    Parameters
    ----------
    model : LogicalModel
        The model; set inputs (ligands, drugs) beforehand to scan one condition.
    phenotype : str
        Marker node read out.
    nodes : iterable of str, optional
        Candidate targets; default every non-input node except ``phenotype``.
    values : sequence of {0, 1}
        Values to fix (0 = knockout/inhibition, 1 = constitutive activation).
    order : {1, 2}
        Single fixes only, or single and double fixes.
    engine, method
        As :func:`attractors`.
    direction : {"decrease", "increase"}
        Ranking: rank 1 is the largest decrease (or increase) of the fraction on.

    Returns
    -------
    xarray.Dataset
        Dimension ``perturbation`` (labels such as ``"PTEN=0"`` or ``"AKT=0,MEK1=0"``) sorted by
        rank, with ``fraction_on``, ``fraction_oscillating``, ``n_attractors``, ``effect``
        (``fraction_on`` minus baseline), ``rank`` and ``order``. ``attrs["baseline_fraction_on"]``
        holds the unperturbed value.
    """
    _check_engine(engine, method)
    model.index(phenotype)
    if order not in (1, 2):
        raise ValidationError(f"order must be 1 or 2, got {order!r}")
    if direction not in ("decrease", "increase"):
        raise ValidationError(f"direction must be 'decrease' or 'increase', got {direction!r}")
    for value in values:
        if value not in (0, 1):
            raise ValidationError(f"values must contain only 0 and 1, got {value!r}")
    inputs = set(model.inputs)
    candidates = (
        [n for n in model.nodes if n not in inputs and n != phenotype] if nodes is None else list(nodes)
    )
    for node in candidates:
        model.index(node)
    interventions: list[dict[str, int]] = [{node: int(v)} for node in candidates for v in values]
    if order == 2:
        for first, second in itertools.combinations(candidates, 2):
            for v1, v2 in itertools.product(values, repeat=2):
                interventions.append({first: int(v1), second: int(v2)})

    baseline = phenotype_summary(attractors(model, engine=engine, method=method), phenotype)
    labels: list[str] = []
    on: list[float] = []
    oscillating: list[float] = []
    counts: list[float] = []
    orders: list[int] = []
    for fixes in interventions:
        summary = phenotype_summary(attractors(model.with_fixed(fixes), engine=engine, method=method), phenotype)
        labels.append(_label(fixes))
        on.append(summary["on"])
        oscillating.append(summary["oscillating"])
        counts.append(summary["n_attractors"])
        orders.append(len(fixes))
    effect = np.asarray(on) - baseline["on"]
    key = effect if direction == "decrease" else -effect
    # Stable sort: ties keep the enumeration order (single fixes before double fixes).
    ranking = np.argsort(key, kind="stable")
    ranks = np.empty(len(ranking), dtype=int)
    ranks[ranking] = np.arange(1, len(ranking) + 1)
    dataset = xr.Dataset(
        {
            "fraction_on": (("perturbation",), np.asarray(on), {"long_name": f"fraction of attractors with {phenotype} on"}),
            "fraction_oscillating": (
                ("perturbation",), np.asarray(oscillating),
                {"long_name": f"fraction of attractors with {phenotype} oscillating or free"},
            ),
            "n_attractors": (("perturbation",), np.asarray(counts), {"long_name": "number of attractors"}),
            "effect": (("perturbation",), effect, {"long_name": "fraction_on minus unperturbed fraction_on"}),
            "rank": (("perturbation",), ranks, {"long_name": f"rank (1 = largest {direction})"}),
            "order": (("perturbation",), np.asarray(orders), {"long_name": "number of nodes fixed"}),
        },
        coords={"perturbation": labels},
        attrs=_attrs(
            model, engine, method,
            analysis="perturbation_scan",
            phenotype=phenotype,
            direction=direction,
            baseline_fraction_on=baseline["on"],
            baseline_n_attractors=baseline["n_attractors"],
        ),
    )
    return dataset.isel(perturbation=ranking)
