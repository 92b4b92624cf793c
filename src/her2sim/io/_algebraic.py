"""SBML algebraic rules solved in closed form (index-1 constraints), for :mod:`her2sim.io.sbml`.

An algebraic rule ``0 = f(...)`` determines one variable that nothing else determines (SBML
L3V2 section 4.11.5 and its appendix on overdetermined models): the variables of every
equation -- assignment rules, rate rules, the reaction equations of species that reactions
change and are not boundary species, algebraic rules -- must be matched one to one. The
candidates of an algebraic rule are therefore the ids in its math that are not constant, not
the target of an assignment or rate rule, and not a species changed by reactions (unless it is a
boundary species); :func:`match` finds a complete matching by augmenting paths (Kuhn's
algorithm), trying variables without a declared value first.

:func:`solve` then solves all algebraic rules together for their variables with sympy. A
unique solution makes them assignment rules (so their initial values are consistent with the
constraints by construction, and the model stays an ODE); several solutions (e.g. a quadratic)
or none in closed form are refused, naming the rule, its variable and why: her2sim does not run
a differential-algebraic solver.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy
from sympy.utilities.iterables import strongly_connected_components

from ..errors import ModelError, UnsupportedFeatureError
from ..model import AssignmentRule
from ..model.math import symbol

__all__ = ["match", "solve"]

#: Largest number of mutually dependent algebraic rules solved together (sympy's solve grows fast).
MAX_RULES = 20


def match(
    rules: Sequence[tuple[str, set[str]]], candidates_of: Mapping[str, bool], where: str
) -> list[str]:
    """The variable each rule determines.

    ``rules``: (label, ids in its math) per algebraic rule; ``candidates_of``: the ids that an
    algebraic rule may determine, each with True if it has no declared value (tried first).
    Raises :class:`ModelError` if no complete matching exists (an overdetermined model).
    """
    owner: dict[str, int] = {}

    def options(i: int) -> list[str]:
        ids = [v for v in rules[i][1] if v in candidates_of]
        return sorted(ids, key=lambda v: (not candidates_of[v], v))

    def augment(i: int, seen: set[str]) -> bool:
        """Match rule i by an augmenting path avoiding the variables in ``seen`` (Kuhn); also used to
        re-match a rule without given variables (the alternative-matching test)."""
        for v in options(i):
            if v in seen:
                continue
            seen.add(v)
            if v not in owner or augment(owner[v], seen):
                owner[v] = i
                return True
        return False

    for i, (label, names) in enumerate(rules):
        if not augment(i, set()):
            raise ModelError(
                f"{where}: algebraic rule {label!r} has no variable left to determine (its ids "
                f"{sorted(names)} are constant or set by rules, reactions or other algebraic rules): the "
                "model is overdetermined (SBML L3V2 section 4.11.5)"
            )
    by_rule = {i: v for v, i in owner.items()}
    # The specification does not say which variable a rule determines when several matchings
    # exist, and the results can differ (0 = x - y with x = 1, y = 2 declared). A matching that
    # leaves a variable without a declared value undetermined is not an alternative; any
    # other is, and the model is refused rather than simulated with an arbitrary choice.
    for i, (label, names) in enumerate(rules):
        v = by_rule[i]
        for w in options(i):
            if w == v or (candidates_of[v] and not candidates_of[w]):
                continue
            saved = dict(owner)
            del owner[v]
            j = owner.get(w)
            owner[w] = i
            ok = j is None or augment(j, {w, v})
            owner.clear()
            owner.update(saved)
            if ok:
                raise UnsupportedFeatureError(
                    f"{where}: algebraic rule {label!r} may determine {v!r} or {w!r} (both are free: not "
                    "constant, not set by rules or reactions, and "
                    + ("both without a declared value" if candidates_of[v] else "both with a declared value")
                    + "); SBML does not say which, and the results differ. Declare the one that must not "
                    "change constant, or replace the rule by an assignment rule"
                )
    return [by_rule[i] for i in range(len(rules))]


def solve(rules: Sequence[tuple[str, sympy.Expr, str]], where: str) -> list[AssignmentRule]:
    """Assignment rules equivalent to the algebraic rules ``(label, math, variable)``.

    Rules are solved together only where they depend on each other's variables (strongly
    connected components of "rule i's math holds rule j's variable"); the others become
    assignment rules that may refer to each other, ordered later like any assignment rule."""
    if not rules:
        return []
    var_rule = {v: n for n, (_, _, v) in enumerate(rules)}
    edges = [
        (i, var_rule[s.name])
        for i, (_, expr, _) in enumerate(rules)
        for s in expr.free_symbols
        if s.name in var_rule and var_rule[s.name] != i
    ]
    out: list[AssignmentRule] = []
    for component in strongly_connected_components((list(range(len(rules))), edges)):
        out.extend(_solve_together([rules[i] for i in sorted(component)], where))
    return out


def _solve_together(rules: Sequence[tuple[str, sympy.Expr, str]], where: str) -> list[AssignmentRule]:
    labels = ", ".join(repr(label) for label, _, _ in rules)
    if len(rules) > MAX_RULES:
        raise UnsupportedFeatureError(
            f"{where}: {len(rules)} algebraic rules ({labels}): more than {MAX_RULES} are not solved "
            "(her2sim solves algebraic rules in closed form only; no differential-algebraic solver)"
        )
    variables = [symbol(v) for _, _, v in rules]
    equations = []
    for label, expr, var in rules:
        if isinstance(expr, (sympy.logic.boolalg.Boolean, sympy.core.relational.Relational)) and not isinstance(
            expr, sympy.Symbol
        ):
            raise UnsupportedFeatureError(f"{where}: algebraic rule {label!r} has Boolean math ({expr})")
        if expr.has(sympy.Piecewise) and any(
            c.has(symbol(var)) for p in expr.atoms(sympy.Piecewise) for _, c in p.args
        ):
            raise UnsupportedFeatureError(
                f"{where}: algebraic rule {label!r} (0 = {expr}) switches on its own variable {var!r}; "
                "such constraints are not solved (no differential-algebraic solver)"
            )
        equations.append(expr)
    try:
        solutions = sympy.solve(equations, variables, dict=True)
    except (NotImplementedError, ValueError, TypeError) as exc:
        solutions = None
        reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
    else:
        reason = ""
    names = [v for _, _, v in rules]
    if solutions is not None:
        complete = [s for s in solutions if all(v in s for v in variables)]
        # drop complex branches (symbols are real: a solution holding I is not a real one)
        complete = [s for s in complete if not any(e.has(sympy.I) for e in s.values())]
        if len(complete) == 1:
            sol = complete[0]
            return [AssignmentRule(v, sympy.simplify(sol[symbol(v)])) for v in names]
        reason = (
            "no solution in closed form"
            if not complete
            else f"{len(complete)} solutions ({'; '.join(str(s) for s in complete[:3])}), none singled out"
        )
    raise UnsupportedFeatureError(
        f"{where}: algebraic rule(s) {labels} determining {names}: {reason}; her2sim solves algebraic "
        "rules in closed form only (no differential-algebraic solver)"
    )
