"""Fast reactions as rapid equilibrium (SBML ``fast="true"``), before code generation.

A fast reaction is at equilibrium at every instant: its rate law is an algebraic constraint
``v_f(x) = 0``, and what the slow reactions do to its species is shared among them so that the
fast subsystem's conserved moieties move only with the slow reactions. With ``N_f`` the
stoichiometry of the fast reactions over the species they change (non-boundary, non-constant)
and the rows of ``L`` a basis of its left null space (``L N_f = 0``), :func:`rapid_equilibrium`
rewrites the model as

* one pool per row ``l`` of ``L``: a new parameter ``P = sum_i l_i n_i`` (amounts) with the rate
  rule ``dP/dt = sum_i l_i sum_{slow r} N[i, r] v_r`` and the initial value computed from the
  species' declared initial values (the pools are what the fast reactions conserve, so the
  model starts at the equilibrium of its declared initial state);
* the fast species as assignment rules: the solution (sympy, closed form) of
  ``L n = P, v_f = 0`` for their values; with several roots (a quadratic for binding), the one
  root at which every species is non-negative, selected at each evaluation; where none or
  several qualify, the pools' right-hand side is NaN, so the run fails with a status rather
  than continue on a guess.

The fast reactions stay in the model (their rates remain outputs) but no longer change any
state. A fast subsystem whose constraints have no closed-form solution or are singular for
values that parameters take during the run (a rate constant switched off by an event; values
that only events set are checked at each value they take, :func:`_switches_that_break`), a fast
species that a rule sets, or a fast reaction with a stoichiometry that a rule changes or a
conversion factor that changes during the run is refused, naming the reactions. An event that
sets a fast species or a stoichiometry re-sets the pools to the amounts after its assignments,
from which the fast reactions re-equilibrate at once. (Constant ones, including those set by initial assignments, enter as symbols; a
stoichiometry set by an assignment rule of constants -- SBML L2 ``stoichiometryMath`` such as
``2 + 3`` -- enters as that expression.)

With one fast reaction, an equilibrium with several non-negative roots (``k A B = 0``) takes the
root the reaction reaches from the declared initial state: its extent moves in the direction of
its rate at t0 and stops at the first root (:func:`_first_root_reached`). ``delay()`` of a fast
species reads, before the start of the run, the declared initial values, not the equilibrium
(:func:`_declared_history`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import sympy

from ..errors import UnsupportedFeatureError
from ..model import AssignmentRule, InitialAssignment, Model, Parameter, Provenance, RateRule, Reaction, Species
from ..model.math import TIME, delay, free_ids, rateOf, symbol

__all__ = ["rapid_equilibrium", "MAX_FAST_SPECIES"]

#: Largest fast subsystem (species changed by fast reactions) solved in closed form.
MAX_FAST_SPECIES = 12
#: Most roots of the equilibrium among which the non-negative one is selected at run time.
MAX_ROOTS = 4


def _rule_constants(model: Model, evented: set[str]) -> dict[str, sympy.Expr]:
    """Assignment-rule variables whose value cannot change during a run: their math, with other
    rules substituted, refers only to constant parameters and compartments (no time, species,
    rateOf or delay). Their value, in those constants, by variable id."""
    rules = {r.variable: r.math for r in model.assignment_rules}
    rate_ruled = {r.variable for r in model.rate_rules}
    constants = {p.id for p in model.parameters if p.constant} | {c.id for c in model.compartments if c.constant}
    constants -= evented | rate_ruled | set(rules)
    out: dict[str, sympy.Expr] = {}
    for variable, math in rules.items():
        expr = math
        for _ in range(len(rules)):  # rules are acyclic (Model.check): at most len(rules) levels
            inner = free_ids(expr) & set(rules)
            if not inner:
                break
            expr = expr.xreplace({symbol(v): rules[v] for v in inner})
        if TIME not in expr.free_symbols and not expr.has(rateOf, delay) and free_ids(expr) <= constants:
            out[variable] = expr
    return out


def _declared_history(model: Model, fs: list[str], where: str) -> Model:
    """``delay(x, d)`` that reads fast species (directly or through assignment rules) as
    ``delay_with_history(x, x before the start, d)``: before the start of the run the history is
    the model's initial values as declared (SBML's ``delay`` before t0), not the equilibrium the
    fast reactions reach at t0, so there the fast species are their declared initial values."""
    from .rates import delay_with_history

    rules = {r.variable: r.math for r in model.assignment_rules}
    declared = {symbol(sid): _declared_value(model, sid) for sid in fs}

    def before(x: sympy.Expr) -> sympy.Expr:
        for _ in range(len(rules)):  # acyclic rules: at most len(rules) levels
            inner = {sym for sym in x.free_symbols if sym.name in rules}
            if not inner:
                break
            x = x.xreplace({sym: rules[sym.name] for sym in inner})
        return x.xreplace(declared)

    def split(expr: Any) -> Any:
        if not isinstance(expr, sympy.Basic) or not expr.has(delay):
            return expr
        out = {}
        for call in expr.atoms(delay):
            pre = before(call.args[0])
            if pre == call.args[0]:
                continue  # reads no fast species: the state's history is right
            if pre.has(rateOf, delay):
                raise UnsupportedFeatureError(
                    f"{where}: delay() of a rate or of another delay that reads fast species ({call}) is not supported"
                )
            out[call] = delay_with_history(call.args[0], pre, call.args[1])
        return expr.xreplace(out) if out else expr

    from .rates import map_expressions

    return map_expressions(model, split)


def _switches_that_break(model: Model, det: sympy.Expr, switches: list[str], ruled: set[str]) -> list[str]:
    """The switches at some of whose values the fast subsystem is singular (``det`` identically 0).

    A value that only events change takes its initial value and the values its event
    assignments give; when all of these are numbers (at most 16 combinations), ``det`` is checked
    at each. A switch with another value (an expression, a rule) is kept as breaking."""
    if not switches or any(v in ruled for v in switches):
        return switches
    params = {p.id: p for p in model.parameters}
    ias = {a.symbol: a.math for a in model.initial_assignments}
    values: dict[str, set[sympy.Expr]] = {}
    for v in switches:
        if v not in params:
            return switches
        start = ias.get(v, sympy.Float(params[v].value))
        found = {sympy.nsimplify(start)} | {m for e in model.events for w, m in e.assignments if w == v}
        if not all(isinstance(x, sympy.Basic) and x.is_number for x in found):
            return switches
        values[v] = found
    combos: list[dict[sympy.Symbol, sympy.Expr]] = [{}]
    for v, found in values.items():
        combos = [dict(c, **{v: x}) for c in combos for x in found][:17]
    if len(combos) > 16:
        return switches
    broken = [c for c in combos if sympy.simplify(det.xreplace({symbol(k): x for k, x in c.items()})) == 0]
    return sorted({k for c in broken for k in c}) if broken else []


def _first_root_reached(
    reaction: Reaction,
    fs: list[str],
    roots: list[dict[sympy.Symbol, sympy.Expr]],
    column: dict[str, sympy.Expr],
    species: dict[str, Species],
    pool_ias: list[InitialAssignment],
    pool_params: list[Parameter],
    initial_amount: Callable[[str], sympy.Expr],
    initial_value: Callable[[str], sympy.Expr],
) -> sympy.Expr:
    """The index (0, 1, ...) of the root that one fast reaction reaches from the initial state.

    The species move along the reaction's extent: amount_i = amount_i(t0) + N_i xi. The extent
    moves in the direction of the rate at t0 and stops at the first root on that side (the
    nearest, xi_k * sign(v0) >= 0, smallest |xi_k|); -1 if there is none (the root selection then
    gives NaN, a failed run, as before)."""
    pools = {symbol(p.id): a.math for p, a in zip(pool_params, pool_ias)}
    lead = next(sid for sid in fs if column.get(sid, 0) != 0)
    s = species[lead]
    at_t0 = {symbol(sid): initial_value(sid) for sid in fs}
    v0 = reaction.rate.xreplace(at_t0)
    extents = []
    for root in roots:
        value = root[symbol(lead)].xreplace(pools)
        amount = value if s.has_only_substance_units else value * symbol(s.compartment)
        extents.append((amount - initial_amount(lead)) / column[lead])
    ahead = [sympy.And(sympy.sign(v0) * xi >= 0) for xi in extents]
    first = [
        sympy.And(ahead[k], *[
            sympy.Not(sympy.And(ahead[j], sympy.Abs(extents[j]) < sympy.Abs(extents[k])))
            for j in range(len(roots)) if j != k
        ])
        for k in range(len(roots))
    ]
    return sympy.Piecewise(*[(sympy.Integer(k), first[k]) for k in range(len(roots))], (sympy.Integer(-1), True))


def rapid_equilibrium(model: Model) -> Model:
    """``model`` with its fast reactions replaced by their equilibrium (module docstring).

    A fast reaction whose rate law is identically zero constrains nothing and is left as it is.
    The others are split into independent blocks -- connected through a species that one changes
    and another changes or reads (directly or through assignment rules) -- and each block is
    solved on its own, so the size limit :data:`MAX_FAST_SPECIES` applies per block."""
    fast = [r for r in model.reactions if r.fast]
    if not fast:
        return model
    if any(r.rate.has(delay) for r in fast):
        raise UnsupportedFeatureError(
            f"model {model.id!r}: a fast reaction's rate law holds delay(); its equilibrium would depend on "
            "the past, which rapid equilibrium does not define"
        )
    active = [r for r in fast if r.rate != 0]  # 0 = 0 holds everywhere: no constraint
    blocks = _blocks(model, active)
    changed = sorted({sid for block in blocks for sid in _changed(model, block)})
    model = _declared_history(model, changed, f"model {model.id!r}: fast reactions")
    for block in blocks:
        ids = {r.id for r in block}
        model = _equilibrate(model, [r for r in model.reactions if r.id in ids])
    return model


def _changed(model: Model, reactions: list[Reaction]) -> set[str]:
    """Species the reactions change (not boundary, not constant)."""
    species = {s.id: s for s in model.species}
    return {
        sid for r in reactions for sid, _ in r.reactants + r.products
        if not species[sid].boundary_condition and not species[sid].constant
    }


def _blocks(model: Model, fast: list[Reaction]) -> list[list[Reaction]]:
    """The fast reactions in independent groups (connected components, in model order)."""
    rules = {r.variable: r.math for r in model.assignment_rules}

    def touched(r: Reaction) -> set[str]:
        names = set(_changed(model, [r]))
        stack = [s.name for s in r.rate.free_symbols]
        while stack:
            name = stack.pop()
            if name in names:
                continue
            names.add(name)
            if name in rules:
                stack.extend(s.name for s in rules[name].free_symbols)
        return names

    changed = [_changed(model, [r]) for r in fast]
    reach = [touched(r) for r in fast]
    parent = list(range(len(fast)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(fast)):
        for j in range(i + 1, len(fast)):
            if changed[i] & reach[j] or changed[j] & reach[i]:
                parent[root(i)] = root(j)
    groups: dict[int, list[Reaction]] = {}
    for i, r in enumerate(fast):
        groups.setdefault(root(i), []).append(r)
    return list(groups.values())


def _declared_value(model: Model, sid: str) -> sympy.Expr:
    """A species' declared initial value as its symbol means it in math (amount or concentration)."""
    s = next(x for x in model.species if x.id == sid)
    ia = {a.symbol: a.math for a in model.initial_assignments}
    if sid in ia:
        return ia[sid]
    value = sympy.Float(s.initial, 17)
    if s.initial_is_amount == s.has_only_substance_units:
        return value
    return value / symbol(s.compartment) if s.initial_is_amount else value * symbol(s.compartment)


def _equilibrate(model: Model, fast: list[Reaction]) -> Model:
    """``model`` with one block of fast reactions replaced by their equilibrium."""
    names = ", ".join(repr(r.id) for r in fast[:5]) + (f" and {len(fast) - 5} more" if len(fast) > 5 else "")
    where = f"model {model.id!r}: fast reaction(s) {names}"
    species = {s.id: s for s in model.species}
    ruled = {r.variable for r in model.assignment_rules + model.rate_rules}
    evented = {v for e in model.events for v, _ in e.assignments}
    fixed = _rule_constants(model, evented)
    fs: list[str] = []
    # values that events set in jumps: the pools are re-set with them (see `jumps` below)
    jumping: set[str] = set()
    for r in fast:
        for _, _, pid in r.variable_stoichiometry:
            if pid in ruled and pid not in fixed:
                raise UnsupportedFeatureError(
                    f"{where}: {r.id!r} has a stoichiometry {pid!r} that a rule changes during the run; not "
                    "supported as rapid equilibrium"
                )
            if pid in evented:
                jumping.add(pid)
        for sid, _ in r.reactants + r.products:
            s = species[sid]
            if s.boundary_condition or s.constant or sid in fs:
                continue
            if sid in ruled:
                raise UnsupportedFeatureError(
                    f"{where}: species {sid!r} of a fast reaction is set by a rule; not supported"
                )
            if sid in evented:
                jumping.add(sid)
            if s.conversion_factor in ruled or s.conversion_factor in evented:
                raise UnsupportedFeatureError(
                    f"{where}: species {sid!r} has a conversion factor that changes during the run; not supported"
                )
            fs.append(sid)
    if len(fs) > MAX_FAST_SPECIES:
        raise UnsupportedFeatureError(
            f"{where}: the fast subsystem has {len(fs)} species, more than the {MAX_FAST_SPECIES} solved in "
            "closed form (her2sim has no differential-algebraic solver). If the modeller did not rely on the "
            "flag, read_sbml(..., fast_reactions='kinetic') imports them as ordinary reactions"
        )
    index = {sid: i for i, sid in enumerate(fs)}

    def stoichiometry(r: Reaction) -> dict[str, sympy.Expr]:
        variable = {(role, i): pid for role, i, pid in r.variable_stoichiometry}
        out: dict[str, sympy.Expr] = {}
        for role, side, sign in (("reactant", r.reactants, -1), ("product", r.products, 1)):
            for i, (sid, st) in enumerate(side):
                if sid in index and not species[sid].boundary_condition:
                    pid = variable.get((role, i))
                    if pid is None:
                        value = sympy.nsimplify(st, rational=True)
                    else:  # a constant parameter, or a rule of constants (fixed[pid])
                        value = fixed.get(pid, symbol(pid))
                    if species[sid].conversion_factor:  # reactions change it by factor * extent
                        value = value * symbol(species[sid].conversion_factor)
                    out[sid] = out.get(sid, sympy.Integer(0)) + sign * value
        return out

    n_f = sympy.zeros(len(fs), len(fast))
    for j, r in enumerate(fast):
        for sid, v in stoichiometry(r).items():
            n_f[index[sid], j] += v
    pools = n_f.T.nullspace()

    def amount(sid: str) -> sympy.Expr:
        s = species[sid]
        return symbol(sid) if s.has_only_substance_units else symbol(sid) * symbol(s.compartment)

    ia = {a.symbol: a.math for a in model.initial_assignments}

    def initial_amount(sid: str) -> sympy.Expr:
        s = species[sid]
        if sid in ia:
            value = ia[sid]
            return value if s.has_only_substance_units else value * symbol(s.compartment)
        value = sympy.Float(s.initial, 17)
        return value if s.initial_is_amount else value * symbol(s.compartment)

    def initial_value(sid: str) -> sympy.Expr:
        """The initial value as the species' symbol means it in math (amount or concentration)."""
        s = species[sid]
        if s.has_only_substance_units:
            return initial_amount(sid)
        return initial_amount(sid) / symbol(s.compartment)

    taken = {c.id for c in model.compartments} | set(species) | {p.id for p in model.parameters}
    taken |= {r.id for r in model.reactions} | {e.id for e in model.events}
    slow = [r for r in model.reactions if not r.fast]
    new_params, new_rate_rules, new_ias = [], [], []
    pool_values: dict[str, sympy.Expr] = {}
    unknowns = [symbol(sid) for sid in fs]
    equations = [r.rate for r in fast]
    for k, row in enumerate(pools):
        pid = f"fast_pool_{k + 1}"
        while pid in taken:
            pid += "_"
        taken.add(pid)
        coeffs = {fs[i]: row[i] for i in range(len(fs)) if row[i] != 0}
        flux = sympy.Integer(0)
        for r in slow:
            for sid, v in stoichiometry(r).items():
                if sid in coeffs:
                    flux += coeffs[sid] * v * symbol(r.id)
        new_params.append(
            Parameter(pid, 0.0, constant=False, provenance=Provenance(
                "derived", source=f"fast reactions {names}",
                note="amount conserved by the fast reactions (rapid equilibrium)"))
        )
        new_rate_rules.append(RateRule(pid, flux))
        new_ias.append(InitialAssignment(pid, sum((c * initial_amount(s) for s, c in coeffs.items()), sympy.Integer(0))))
        pool_values[pid] = sum((c * amount(s) for s, c in coeffs.items()), sympy.Integer(0))
        equations.append(pool_values[pid] - symbol(pid))
    # The solution is valid where the constraints determine the species (a non-singular
    # Jacobian). A rate law such as k*A with k switched by an event degenerates at k = 0 (the
    # fast reaction is off and A is free): the generic solution A = 0 would then be wrong.
    det = sympy.Matrix(equations).jacobian(unknowns).det()
    rule_values = {symbol(r.variable): r.math for r in model.assignment_rules if r.variable not in index}
    for _ in range(len(rule_values)):  # assignment rules in (a rule of a constant is no switch)
        if not det.free_symbols & set(rule_values):
            break
        det = det.xreplace(rule_values)
    det = sympy.simplify(det)
    # what changes during a run: rule and event targets. constant="false" alone changes nothing
    # (a value set once by an initial assignment, SBML Test Suite 01569)
    varying = evented | ruled
    switches = sorted(s.name for s in det.free_symbols if s.name in varying and s.name not in fs)
    switches = _switches_that_break(model, det, switches, ruled)
    if det == 0 or switches:
        raise UnsupportedFeatureError(
            f"{where}: the equilibrium of the fast subsystem (species {fs}) is "
            + ("singular" if det == 0 else f"singular for some values of {switches}, which change during the run")
            + " (the fast reactions do not determine their species there); her2sim has no "
            "differential-algebraic solver"
        )
    try:
        solutions = sympy.solve(equations, unknowns, dict=True)
    except (NotImplementedError, ValueError, TypeError) as exc:
        raise UnsupportedFeatureError(
            f"{where}: the equilibrium of the fast subsystem (species {fs}) could not be solved in closed form "
            f"({type(exc).__name__}); her2sim has no differential-algebraic solver"
        ) from None
    complete = [s for s in solutions if all(u in s for u in unknowns) and not any(e.has(sympy.I) for e in s.values())]
    if not complete or len(complete) > MAX_ROOTS:
        raise UnsupportedFeatureError(
            f"{where}: the equilibrium of the fast subsystem (species {fs}) has "
            + ("no closed-form solution" if not complete else f"{len(complete)} solutions")
            + "; her2sim has no differential-algebraic solver. If the modeller did not rely on the flag, "
            "read_sbml(..., fast_reactions='kinetic') imports them as ordinary reactions"
        )
    if len(complete) == 1:
        rules = tuple(AssignmentRule(sid, complete[0][symbol(sid)]) for sid in fs)
    else:
        # Several roots (binding A + B <-> C gives a quadratic): the physical one is the root
        # with every species value non-negative, chosen at every evaluation. Where none or more
        # than one qualifies the value is NaN, so the run fails (a status) instead of choosing.
        if not new_rate_rules:
            raise UnsupportedFeatureError(
                f"{where}: the equilibrium of the fast subsystem (species {fs}) has {len(complete)} solutions and "
                "no conserved pool to choose among them; her2sim has no differential-algebraic solver"
            )
        ok = [sympy.And(*[sol[symbol(sid)] >= 0 for sid in fs]) for sol in complete]
        unique = [
            sympy.And(ok[k], *[sympy.Not(ok[j]) for j in range(len(ok)) if j != k]) for k in range(len(ok))
        ]
        # With one fast reaction, several non-negative roots (k*A*B = 0: A = 0 or B = 0) are told
        # apart by where the reaction goes: from the declared initial state its extent moves in the
        # direction of its rate until the first root (section 4.11.4: the fast reaction reaches
        # its equilibrium instantly). That root's index is fixed at t0 (a parameter with an
        # initial assignment) and used while it stays non-negative and others do too.
        chosen: list[sympy.Basic] = []
        if len(fast) == 1:
            bid = "fast_branch"
            while bid in taken:
                bid += "_"
            taken.add(bid)
            branch = _first_root_reached(fast[0], fs, complete, stoichiometry(fast[0]), species, new_ias,
                                         new_params, initial_amount, initial_value)
            new_params.append(Parameter(bid, -1.0, provenance=Provenance(
                "derived", source=f"fast reaction {fast[0].id!r}",
                note="index of the equilibrium root reached from the initial state (rapid equilibrium)")))
            new_ias.append(InitialAssignment(bid, branch))
            chosen = [sympy.And(sympy.Eq(symbol(bid), k), ok[k]) for k in range(len(complete))]
        picks = [sympy.Or(unique[k], *(chosen[k:k + 1])) for k in range(len(complete))]
        # the pools' right-hand sides carry the check, so that an ambiguous state stops the run
        guard = sympy.Piecewise((sympy.Integer(0), sympy.Or(*picks)), (sympy.nan, True))
        new_rate_rules = [RateRule(r.variable, r.math + guard) for r in new_rate_rules]
        rules = tuple(
            AssignmentRule(
                sid,
                sympy.Piecewise(
                    *[
                        (sol[symbol(sid)], picks[k])
                        for k, sol in enumerate(complete)
                    ],
                    (sympy.nan, True),
                ),
            )
            for sid in fs
        )
    # An event that sets a fast species or a stoichiometry of the block re-sets the pools to the
    # amounts after its assignments (all computed before any is applied, as SBML says); the fast
    # reactions then equilibrate from there at once. The fast species are rules now, so their
    # own assignments are dropped (their effect is the pools').
    events = []
    for e in model.events:
        assigned = dict(e.assignments)
        if not jumping & set(assigned):
            events.append(e)
            continue
        after = {symbol(v): m for v, m in e.assignments}
        kept = tuple((v, m) for v, m in e.assignments if v not in index)
        reset = tuple((pid, value.xreplace(after)) for pid, value in pool_values.items())
        events.append(dataclasses.replace(e, assignments=kept + reset))
    return model.replace(
        parameters=model.parameters + tuple(new_params),
        assignment_rules=model.assignment_rules + rules,
        rate_rules=model.rate_rules + tuple(new_rate_rules),
        initial_assignments=tuple(a for a in model.initial_assignments if a.symbol not in index) + tuple(new_ias),
        events=tuple(events),
    )
