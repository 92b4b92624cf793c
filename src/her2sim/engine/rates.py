"""SBML ``rateOf(x)`` as plain math, before code generation.

SBML L3V2 (section 3.4.6) defines ``rateOf(x)`` as the rate of change of the value of ``x``
at the current time, ``x`` as it appears in math. :func:`expand_rate_of` replaces every
occurrence by that derivative, written with the model's own ids, so that the generator, the
Jacobian and the sensitivities treat it as any other expression:

* a constant, or a parameter or compartment changed by no rule (events change values in jumps:
  the rate between them is zero): ``0``;
* a rate-rule target: the rule's math (for a species without ``hasOnlySubstanceUnits`` that is
  the rate of its concentration, as the rule itself);
* a species changed by reactions: ``sum(stoichiometry * rate)`` (times its conversion factor),
  divided by its compartment's size when it appears as a concentration, less
  ``[S] * rateOf(compartment) / size`` when that size varies;
* an assignment-rule target ``y = f(...)``: the chain rule
  ``sum_z df/dz * rateOf(z) + df/dtime``; a reaction id, the same on its rate law.

Inside ``delay(x, d)`` a rate is kept in two versions (:class:`delay_with_history`): the
kinetics above after the start of the run, and before it the time derivative of the initial
value's definition (the history before the start is the initial values).

A ``rateOf`` that refers back to itself (a rate rule ``dx/dt = rateOf(x)``, a reaction whose
rate needs the rate of a species it changes) is an algebraic loop and is refused, naming the
elements.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import sympy

from ..errors import ModelError, UnsupportedFeatureError
from ..model import Model
from ..model.math import TIME, delay, rateOf, symbol

__all__ = ["expand_rate_of", "has_rate_of", "delay_with_history", "delayed_parameters_as_states", "merge_nested_delays"]


def _expressions(model: Model) -> Iterator[sympy.Basic | float | None]:
    for r in model.reactions:
        yield r.rate
    for rule in model.assignment_rules + model.rate_rules:
        yield rule.math
    for ia in model.initial_assignments:
        yield ia.math
    for e in model.events:
        yield e.trigger
        for _, m in e.assignments:
            yield m
        for extra in (e.priority, e.delay):
            if isinstance(extra, sympy.Basic):
                yield extra

def map_expressions(model: Model, f: Callable[[Any], Any]) -> Model:
    """The model with ``f`` applied to every expression :func:`_expressions` visits (rates, rule
    and initial-assignment math, event triggers, assignments, priorities and delays)."""
    return model.replace(
        reactions=tuple(dataclasses.replace(r, rate=f(r.rate)) for r in model.reactions),
        assignment_rules=tuple(dataclasses.replace(a, math=f(a.math)) for a in model.assignment_rules),
        rate_rules=tuple(dataclasses.replace(a, math=f(a.math)) for a in model.rate_rules),
        initial_assignments=tuple(dataclasses.replace(a, math=f(a.math)) for a in model.initial_assignments),
        events=tuple(
            dataclasses.replace(
                e, trigger=f(e.trigger), assignments=tuple((v, f(m)) for v, m in e.assignments),
                priority=f(e.priority), delay=f(e.delay),
            )
            for e in model.events
        ),
    )



class delay_with_history(sympy.Function):  # noqa: N801 - a variant of SBML's delay
    """``delay(x, d)`` whose ``x`` reads rates: ``(x after the start, x before it, d)``. Before the
    start of a run the values are the initial values as the model defines them at that time, so
    a rate there is the time derivative of that definition (zero for a declared number), not the
    kinetics (``solver.c``: ``hist_value``)."""

    nargs = 3


def delayed_parameters_as_states(model: Model) -> Model:
    """``model`` with every parameter or compartment that events change and that a ``delay()``
    reads (directly or through assignment rules) given the rate rule ``d/dt = 0``.

    The delay history holds the state only (``solver.c``); a value that events change is
    piecewise constant in time, and as a state with zero rate it keeps exactly that history
    (the events still assign it; before the start of the run its history is its initial value,
    as SBML's ``delay`` says). Nothing else changes: its ``rateOf`` was zero between events and
    stays zero."""
    rules = {r.variable: r.math for r in model.assignment_rules}
    ruled = set(rules) | {r.variable for r in model.rate_rules}
    evented = {v for e in model.events for v, _ in e.assignments} - ruled
    candidates = evented & ({p.id for p in model.parameters} | {c.id for c in model.compartments})
    if not candidates:
        return model
    read: set[str] = set()
    stack: list[str] = []
    for expr in _expressions(model):
        if isinstance(expr, sympy.Basic):
            for call in expr.atoms(delay):
                stack.extend(s.name for s in call.args[0].free_symbols)
    while stack:  # through the assignment rules the delayed expression uses
        name = stack.pop()
        if name in read:
            continue
        read.add(name)
        if name in rules:
            stack.extend(s.name for s in rules[name].free_symbols)
    kept = sorted(read & candidates)
    if not kept:
        return model
    from ..model import RateRule

    return model.replace(rate_rules=model.rate_rules + tuple(RateRule(v, sympy.Integer(0)) for v in kept))


def merge_nested_delays(model: Model) -> Model:
    """``model`` with each ``delay(E, b)`` whose ``E`` holds a delay distributed over ``E``'s leaves.

    ``delay(E, b)`` is ``E`` evaluated at ``t - b``: an inner ``delay(x, a)`` there is ``x`` at
    ``t - b - a``, every other changing value ``y`` is ``delay(y, b)`` and constants stay, so
    ``delay(f(y, delay(x, a)), b) = f(delay(y, b), delay(x, a + b))`` when the inner lag ``a`` is
    constant during the run (its value at ``t - b`` is its value now). The history buffer, which
    holds the state, then serves every delay directly. Inner delays reached through assignment
    rules are inlined first. Before the start every form reads initial values, as before. An
    inner lag that changes, or an ``E`` that reads the time itself, stays nested (refused by the
    generator, naming it)."""
    rules = {r.variable: r.math for r in model.assignment_rules}
    changing = {r.variable for r in model.rate_rules} | set(rules) | {v for e in model.events for v, _ in e.assignments}
    fixed = ({p.id for p in model.parameters if p.constant} | {c.id for c in model.compartments if c.constant}) - changing
    delaying = {v for v, m in rules.items() if m.has(delay)}
    for _ in range(len(rules)):  # rules whose value holds a delay through other rules
        more = {v for v, m in rules.items() if free_names(m) & delaying} - delaying
        if not more:
            break
        delaying |= more

    def inline(x: sympy.Expr) -> sympy.Expr:
        for _ in range(len(rules)):
            inner = {sym for sym in x.free_symbols if sym.name in delaying}
            if not inner:
                break
            x = x.xreplace({sym: rules[sym.name] for sym in inner})
        return x

    def constant(lag: sympy.Expr) -> bool:
        return TIME not in lag.free_symbols and free_names(lag) <= fixed and not lag.has(delay, rateOf)

    def merge(expr: Any) -> Any:
        if not isinstance(expr, sympy.Basic) or not expr.has(delay):
            return expr
        out = {}
        for call in expr.atoms(delay):
            arg, lag = call.args
            body = inline(arg)
            inner = body.atoms(delay)
            if not inner or not all(constant(d.args[1]) and not d.args[0].has(delay) for d in inner):
                continue
            holes = {d: sympy.Dummy() for d in inner}
            shell = body.xreplace(holes)
            if TIME in shell.free_symbols or shell.has(rateOf):
                continue
            shell = shell.xreplace({y: delay(y, lag) for y in shell.free_symbols
                                    if y not in holes.values() and y.name not in fixed})
            out[call] = shell.xreplace({h: delay(d.args[0], d.args[1] + lag) for d, h in holes.items()})
        return expr.xreplace(out) if out else expr

    if not any(isinstance(e, sympy.Basic) and e.has(delay) for e in _expressions(model)):
        return model
    return map_expressions(model, merge)


def free_names(expr: sympy.Basic) -> set[str]:
    return {s.name for s in expr.free_symbols if s != TIME}


def has_rate_of(model: Model) -> bool:
    """Whether any math of ``model`` holds ``rateOf``."""
    return any(isinstance(e, sympy.Basic) and e.has(rateOf) for e in _expressions(model))


def expand_rate_of(model: Model) -> Model:
    """``model`` with every ``rateOf(x)`` replaced by the derivative of ``x`` (module docstring).

    Raises
    ------
    UnsupportedFeatureError
        If a ``rateOf`` needs its own value (an algebraic loop), naming the ids on the loop.
    ModelError
        If ``rateOf`` refers to an unknown id.
    """
    if not has_rate_of(model):
        return model
    from .codegen import _clean_derivative, _diff  # the generator's own derivative rules

    ar = {r.variable: r.math for r in model.assignment_rules}
    rr = {r.variable: r.math for r in model.rate_rules}
    species = {s.id: s for s in model.species}
    comps = {c.id: c for c in model.compartments}
    params = {p.id: p for p in model.parameters}
    reactions = {r.id: r for r in model.reactions}
    done: dict[str, sympy.Expr] = {}

    def net_change(sid: str) -> sympy.Expr:
        """d(amount)/dt of a species changed by reactions, in model ids."""
        total = sympy.Integer(0)
        for r in model.reactions:
            variable = {(role, index): pid for role, index, pid in r.variable_stoichiometry}
            for role, side, sign in (("reactant", r.reactants, -1), ("product", r.products, 1)):
                for index, (s, st) in enumerate(side):
                    if s != sid:
                        continue
                    pid = variable.get((role, index))
                    coefficient = symbol(pid) if pid is not None else sympy.Float(st, 17)
                    total += sign * coefficient * symbol(r.id)
        cf = species[sid].conversion_factor
        return total * symbol(cf) if cf else total

    def chain_rule(f: sympy.Expr, stack: tuple[str, ...]) -> sympy.Expr:
        f = expand(f, stack)
        out = _clean_derivative(_diff(f, TIME)) if f.has(TIME) else sympy.Integer(0)
        for s in f.free_symbols:
            if s == TIME:
                continue
            d = _clean_derivative(_diff(f, s))
            if d != 0:
                out += d * rate(s.name, stack)
        return out

    def rate(ident: str, stack: tuple[str, ...]) -> sympy.Expr:
        if ident in done:
            return done[ident]
        if ident in stack:
            raise UnsupportedFeatureError(
                f"model {model.id!r}: rateOf({stack[0]}) depends on itself through "
                f"{' -> '.join(stack + (ident,))} (an algebraic loop); rateOf is supported where the "
                "rate can be computed from the state"
            )
        inner = stack + (ident,)
        if ident in rr:
            value = expand(rr[ident], inner)
        elif ident in ar:
            value = chain_rule(ar[ident], inner)
        elif ident in reactions:
            value = chain_rule(reactions[ident].rate, inner)
        elif ident in species:
            s = species[ident]
            if s.constant or s.boundary_condition:
                value = sympy.Integer(0)
            else:
                value = expand(net_change(ident), inner)
                if not s.has_only_substance_units:
                    size = symbol(s.compartment)
                    value = value / size - symbol(ident) * rate(s.compartment, inner) / size
        elif ident in params or ident in comps:
            value = sympy.Integer(0)  # constant, or changed by events only
        else:
            raise ModelError(f"model {model.id!r}: rateOf({ident}) refers to an unknown id")
        done[ident] = value
        return value

    ia = {a.symbol: a.math for a in model.initial_assignments}
    done_pre: dict[str, sympy.Expr] = {}

    def rate_before_start(ident: str, stack: tuple[str, ...]) -> sympy.Expr:
        """d/dt of the history of ``ident`` before the run: its initial value as the model
        defines it at that time (an initial assignment or assignment rule; else constant)."""
        if ident in done_pre:
            return done_pre[ident]
        if ident in stack:
            raise UnsupportedFeatureError(
                f"model {model.id!r}: rateOf({stack[0]}) before the start depends on itself ({' -> '.join(stack)})"
            )
        f = ia.get(ident, ar.get(ident, reactions[ident].rate if ident in reactions else None))
        value: sympy.Expr = sympy.Integer(0)
        if f is not None:
            f = pre(f, stack + (ident,))
            value = _clean_derivative(_diff(f, TIME)) if f.has(TIME) else sympy.Integer(0)
            for sym in f.free_symbols:
                if sym != TIME:
                    d = _clean_derivative(_diff(f, sym))
                    if d != 0:
                        value += d * rate_before_start(sym.name, stack + (ident,))
        done_pre[ident] = value
        return value

    def pre(expr: Any, stack: tuple[str, ...] = ()) -> Any:
        if not isinstance(expr, sympy.Basic) or not expr.has(rateOf):
            return expr
        return expr.xreplace({c: rate_before_start(c.args[0].name, stack) for c in expr.atoms(rateOf)})

    def expand(expr: Any, stack: tuple[str, ...] = ()) -> Any:
        if not isinstance(expr, sympy.Basic) or not expr.has(rateOf):
            return expr
        # delay(e, d) with rateOf in e: before the start of the run e is evaluated on the history
        # (the initial values), whose rates differ from the kinetics: both versions are kept
        split = {
            call: delay_with_history(expand(call.args[0], stack), pre(call.args[0], stack), expand(call.args[1], stack))
            for call in expr.atoms(delay)
            if call.has(rateOf)
        }
        if split:
            expr = expr.xreplace(split)
            if not expr.has(rateOf):
                return expr
        values = {}
        for call in expr.atoms(rateOf):
            (arg,) = call.args
            values[call] = rate(arg.name, stack)
        return expr.xreplace(values)

    reactions_new = tuple(
        dataclasses.replace(r, rate=expand(r.rate, (r.id,))) if r.rate.has(rateOf) else r
        for r in model.reactions
    )
    ar_new = tuple(
        dataclasses.replace(a, math=expand(a.math, (a.variable,))) if a.math.has(rateOf) else a
        for a in model.assignment_rules
    )
    rr_new = tuple(
        dataclasses.replace(a, math=expand(a.math, (a.variable,))) if a.math.has(rateOf) else a
        for a in model.rate_rules
    )
    ia_new = tuple(dataclasses.replace(a, math=expand(a.math)) for a in model.initial_assignments)
    events_new = tuple(
        dataclasses.replace(
            e,
            trigger=expand(e.trigger),
            assignments=tuple((v, expand(m)) for v, m in e.assignments),
            priority=expand(e.priority),
            delay=expand(e.delay),
        )
        for e in model.events
    )
    return model.replace(
        reactions=reactions_new,
        assignment_rules=ar_new,
        rate_rules=rr_new,
        initial_assignments=ia_new,
        events=events_new,
    )
