"""Logical (Boolean) models as immutable data.

A :class:`LogicalModel` is an ordered tuple of :class:`Rule` objects, one per node, each holding a
parsed :class:`~her2sim.logical.expr.Expr`. Inputs are explicit: a node that no rule defines but some
rule reads becomes an input whose rule is the identity (``X = X``, so the value is kept constant
along any trajectory and each input combination is its own invariant subspace). Tools that silently
treat such variables differently count different attractors (mpbn on the raw von der Heyde 2014 BT474
long-term file finds 176 fixed points instead of 1672), which is why this is done at construction.

Genotypes and drugs are node fixes: :meth:`LogicalModel.with_fixed` and
:meth:`LogicalModel.with_inputs` return new models whose rules for the named nodes are constants.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Union, final

import numpy as np
from numpy.typing import NDArray

from ..errors import ModelError, UnknownNameError, ValidationError
from .expr import FALSE, TRUE, Const, Expr, Var, compile_rule, parse_rule

__all__ = ["Rule", "LogicalModel", "NodeValue"]

NodeValue = Union[int, bool]


@final
@dataclass(frozen=True)
class Rule:
    """The update rule of one node.

    Parameters
    ----------
    target : str
        Node whose next value the rule gives.
    expression : Expr
        Parsed Boolean expression (see :func:`~her2sim.logical.expr.parse_rule`).
    citation : str
        Reference supporting the rule (DOI, PMID or AuthorYear key); may be empty for imported
        models whose file carries none.
    mechanism : str
        Short description of the biology behind the rule.
    """

    target: str
    expression: Expr
    citation: str = ""
    mechanism: str = ""

    def __post_init__(self) -> None:
        Var(self.target)  # validates the name
        if not isinstance(self.expression, Expr):
            raise ModelError(
                f"Rule for {self.target!r}: expression must be an Expr, got "
                f"{type(self.expression).__name__}; use parse_rule() on text"
            )

    @property
    def is_identity(self) -> bool:
        """True for ``X = X`` (a free input)."""
        return self.expression == Var(self.target)


def _as_bool(argument: str, node: str, value: object) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return bool(value)
    raise ValidationError(f"{argument}[{node!r}] must be 0, 1, False or True; got {value!r}")


@final
@dataclass(frozen=True)
class LogicalModel:
    """An immutable Boolean network.

    Parameters
    ----------
    id : str
        Identifier, e.g. ``"vonderheyde2014_BT474_long_term"``.
    rules : tuple of Rule
        One rule per node, in node order. Every variable read by a rule must have a rule.
    inputs : tuple of str
        Nodes set from outside (ligands, drugs, mutation switches). Their rules must be the identity
        (free input) or a constant (input set by :meth:`with_inputs`).
    phenotypes : tuple of str
        Marker nodes read out by analyses (e.g. ``"pRB1"``, ``"Proliferation"``).
    name, citation, description : str
        Free-text metadata; ``citation`` is the model's publication.

    Notes
    -----
    Use :meth:`from_rules` to build from text; it declares variables that only appear on right-hand
    sides as inputs. Identity rules are inputs too, so a model written to ``.bnet`` (where inputs are
    ``X, X`` lines) and read back keeps its inputs.

    Examples
    --------
    >>> m = LogicalModel.from_rules("toy", {"B": "A & !C", "C": "B"}, phenotypes=["C"])
    >>> m.nodes, m.inputs
    (('B', 'C', 'A'), ('A',))
    >>> m.with_inputs({"A": 1}).rule("A").expression
    Const(value=True)
    """

    id: str
    rules: tuple[Rule, ...]
    inputs: tuple[str, ...] = ()
    phenotypes: tuple[str, ...] = ()
    name: str = ""
    citation: str = ""
    description: str = ""
    _index: Mapping[str, int] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValidationError(f"id must be a non-empty string, got {self.id!r}")
        object.__setattr__(self, "rules", tuple(self.rules))
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "phenotypes", tuple(self.phenotypes))
        index: dict[str, int] = {}
        for position, rule in enumerate(self.rules):
            if not isinstance(rule, Rule):
                raise ModelError(f"rules[{position}] must be a Rule, got {type(rule).__name__}")
            if rule.target in index:
                raise ModelError(f"model {self.id!r}: node {rule.target!r} has two rules")
            index[rule.target] = position
        object.__setattr__(self, "_index", MappingProxyType(index))
        for rule in self.rules:
            undefined = sorted(rule.expression.variables() - index.keys())
            if undefined:
                raise ModelError(
                    f"model {self.id!r}: the rule of {rule.target!r} reads {undefined}, which have "
                    "no rule; declare them as inputs (LogicalModel.from_rules does this for you)"
                )
        if len(set(self.inputs)) != len(self.inputs):
            raise ModelError(f"model {self.id!r}: inputs contain duplicates")
        for node in self.inputs:
            if node not in index:
                raise UnknownNameError("inputs", node, index)
            expression = self.rules[index[node]].expression
            if not (expression == Var(node) or isinstance(expression, Const)):
                raise ModelError(
                    f"model {self.id!r}: input {node!r} must have an identity or constant rule, "
                    f"got {expression}"
                )
        for node in self.phenotypes:
            if node not in index:
                raise UnknownNameError("phenotypes", node, index)

    # -- construction --------------------------------------------------------------------------

    @classmethod
    def from_rules(
        cls,
        id: str,
        rules: Mapping[str, str | Expr] | Iterable[Rule],
        *,
        inputs: Iterable[str] = (),
        phenotypes: Iterable[str] = (),
        name: str = "",
        citation: str = "",
        description: str = "",
        source: str | None = None,
    ) -> LogicalModel:
        """Build a model from rule text or :class:`Rule` objects.

        Parameters
        ----------
        id : str
            Model identifier.
        rules : mapping of str to (str or Expr), or iterable of Rule
            Update rules; text is parsed with :func:`~her2sim.logical.expr.parse_rule`.
        inputs : iterable of str
            Extra nodes to declare as inputs. Variables read but not defined, and nodes with
            identity rules, are inputs anyway; declared inputs without a rule get one.
        phenotypes : iterable of str
            Marker nodes.
        name, citation, description : str
            Metadata.
        source : str, optional
            Label used in parse-error messages.

        Returns
        -------
        LogicalModel

        Raises
        ------
        RuleSyntaxError
            If a rule does not parse.
        ModelError
            If a declared input has a rule that is neither identity nor constant.
        """
        if isinstance(rules, Mapping):
            built = [
                Rule(target, value if isinstance(value, Expr) else parse_rule(value, source=source))
                for target, value in rules.items()
            ]
        else:
            built = list(rules)
        defined = {rule.target for rule in built}
        declared = list(dict.fromkeys(inputs))
        read: dict[str, None] = {}
        for rule in built:
            for variable in sorted(rule.expression.variables()):
                read.setdefault(variable)
        for node in [*read, *declared]:
            if node not in defined:
                built.append(Rule(node, Var(node), mechanism="input: no rule in the source"))
                defined.add(node)
        input_set = set(declared) | {rule.target for rule in built if rule.is_identity}
        ordered_inputs = tuple(rule.target for rule in built if rule.target in input_set)
        return cls(
            id=id,
            rules=tuple(built),
            inputs=ordered_inputs,
            phenotypes=tuple(phenotypes),
            name=name,
            citation=citation,
            description=description,
        )

    # -- views ---------------------------------------------------------------------------------

    @property
    def nodes(self) -> tuple[str, ...]:
        """All node names in order (inputs included)."""
        return tuple(rule.target for rule in self.rules)

    @property
    def free_inputs(self) -> tuple[str, ...]:
        """Inputs whose rule is the identity (not yet set to a value)."""
        return tuple(node for node in self.inputs if self.rule(node).is_identity)

    @property
    def internal_nodes(self) -> tuple[str, ...]:
        """Nodes that are not inputs."""
        inputs = set(self.inputs)
        return tuple(node for node in self.nodes if node not in inputs)

    @property
    def fixed(self) -> Mapping[str, int]:
        """Nodes whose rule is a constant, with their value."""
        return MappingProxyType(
            {
                rule.target: int(rule.expression.value)
                for rule in self.rules
                if isinstance(rule.expression, Const)
            }
        )

    def index(self, node: str) -> int:
        """Position of ``node`` in :attr:`nodes`."""
        try:
            return self._index[node]
        except KeyError:
            raise UnknownNameError("node", node, self._index) from None

    def rule(self, node: str) -> Rule:
        """The :class:`Rule` of ``node``."""
        return self.rules[self.index(node)]

    def regulators(self, node: str) -> tuple[str, ...]:
        """Variables read by the rule of ``node``, in node order."""
        used = self.rule(node).expression.variables()
        return tuple(n for n in self.nodes if n in used)

    def __len__(self) -> int:
        return len(self.rules)

    # -- semantics -----------------------------------------------------------------------------

    def update(self, states: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """Synchronous image: the value every rule takes in each state.

        Parameters
        ----------
        states : array of bool, shape (..., n_nodes)
            States with nodes on the last axis in :attr:`nodes` order.

        Returns
        -------
        array of bool, same shape
        """
        states = np.asarray(states, dtype=bool)
        if states.shape[-1:] != (len(self),):
            raise ValidationError(
                f"states must have {len(self)} columns (one per node), got shape {states.shape}"
            )
        functions = [compile_rule(rule.expression, self._index) for rule in self.rules]
        return np.stack([np.broadcast_to(f(states), states.shape[:-1]) for f in functions], axis=-1)

    def state(self, values: Mapping[str, NodeValue], *, default: NodeValue | None = None) -> dict[str, int]:
        """A complete state as ``{node: 0/1}``; unlisted nodes take ``default`` (error if None)."""
        for node in values:
            self.index(node)
        state: dict[str, int] = {}
        for node in self.nodes:
            if node in values:
                state[node] = int(_as_bool("values", node, values[node]))
            elif default is None:
                raise ValidationError(f"state: node {node!r} has no value and no default was given")
            else:
                state[node] = int(_as_bool("default", node, default))
        return state

    # -- transformations -----------------------------------------------------------------------

    def _with_constants(self, argument: str, values: Mapping[str, NodeValue], allowed: tuple[str, ...]) -> LogicalModel:
        if not isinstance(values, Mapping):
            raise ValidationError(f"{argument} must be a mapping of node name to 0/1, got {values!r}")
        allowed_set = set(allowed)
        constants: dict[str, Const] = {}
        for node, value in values.items():
            if node not in allowed_set:
                raise UnknownNameError(argument, node, allowed)
            constants[node] = TRUE if _as_bool(argument, node, value) else FALSE
        rules = tuple(
            dataclasses.replace(
                rule,
                expression=constants[rule.target],
                mechanism=f"fixed to {int(constants[rule.target].value)} ({argument})",
            )
            if rule.target in constants
            else rule
            for rule in self.rules
        )
        return dataclasses.replace(self, rules=rules)

    def with_fixed(self, values: Mapping[str, NodeValue]) -> LogicalModel:
        """Return a model in which the named nodes are held at constant values.

        This is how knockouts (``0``), constitutive activation (``1``), genotypes and drug effects on
        internal nodes are expressed.

        Parameters
        ----------
        values : mapping of str to {0, 1}
            Node -> value.

        Returns
        -------
        LogicalModel
            A new model; ``self`` is unchanged.

        Raises
        ------
        UnknownNameError
            If a name is not a node.
        ValidationError
            If a value is not 0/1.
        """
        return self._with_constants("fixed", values, self.nodes)

    def with_inputs(self, values: Mapping[str, NodeValue]) -> LogicalModel:
        """Return a model with the named inputs set to constant values (e.g. drug present = 1).

        Raises
        ------
        UnknownNameError
            If a name is not an input of the model.
        """
        return self._with_constants("inputs", values, self.inputs)

    def with_phenotypes(self, phenotypes: Iterable[str]) -> LogicalModel:
        """Return a model with the given phenotype (marker) nodes."""
        return dataclasses.replace(self, phenotypes=tuple(phenotypes))

    def with_id(self, id: str) -> LogicalModel:
        """Return a copy with another identifier."""
        return dataclasses.replace(self, id=id)
