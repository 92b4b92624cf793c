"""Model → C source: right-hand side, sparse analytic Jacobian, initialisation, outputs, events.

Layout (SBML semantics, amounts as state):

* ``x`` (state): every species that is not the target of an assignment rule (its *amount*;
  boundary and constant species have zero derivative), then every parameter or compartment
  that is the target of a rate rule.
* ``p`` (runtime inputs): model parameters and compartment sizes that no rule targets, plus
  one initial-value slot per state species and per rate-rule target. Changing a dose, a
  tumour's expression levels or any parameter changes ``p`` only, never the code.
* ``w`` (derived): assignment-rule targets and reaction rates, in dependency order.

The Jacobian is built by the chain rule through ``w`` so that it stays sparse:
``dw_k/dx_s = ∂f_k/∂x_s + Σ_m ∂f_k/∂w_m · dw_m/dx_s``; each non-zero ``dw_k/dx_s`` becomes a
C local. The factorisation pattern and its elimination tape (see ``solver.c``) are computed
here once per model structure, in a minimum-degree order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy
from sympy.printing.c import C99CodePrinter

from ..errors import ModelError, UnsupportedFeatureError
from ..model import Model
from ..model.math import TIME, delay, quotient, rem

__all__ = ["Layout", "generate"]


@dataclass
class Layout:
    """Index maps between model ids and the compiled vectors."""

    state_ids: list[str] = field(default_factory=list)
    state_species: list[bool] = field(default_factory=list)
    param_ids: list[str] = field(default_factory=list)  # model parameter/compartment ids (p slots)
    init_ids: list[str] = field(default_factory=list)  # ids whose initial value has a p slot
    output_ids: list[str] = field(default_factory=list)
    output_kinds: list[str] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)
    n_p: int = 0
    #: per ``p`` slot: does the state (right-hand side, initial state or events) depend on it?
    p_dynamic: list[bool] = field(default_factory=list)
    #: forward-sensitivity systems: number of directions and the ``p`` slots differentiated
    n_dir: int = 0
    wrt: list[int] = field(default_factory=list)

    def p_index(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.param_ids)}

    def init_index(self) -> dict[str, int]:
        base = len(self.param_ids)
        return {k: base + i for i, k in enumerate(self.init_ids)}


@dataclass
class Generated:
    source: str
    layout: Layout
    jac_rows: np.ndarray
    jac_cols: np.ndarray
    structure: dict[str, np.ndarray]


class _Printer(C99CodePrinter):
    def __init__(self, names: dict[sympy.Symbol, str]):
        # terms and factors in the order sympy stores them (canonical, independent of the hash
        # seed) instead of sorting every sum for display: ~15 % of Chen 2009's code generation
        super().__init__({"order": "none"})
        self._names = names
        #: delay(x, d) calls met while printing, in order: their index in model_delayed
        self.delays: dict[sympy.Basic, int] = {}

    def _print_delay(self, expr):
        # the value of x at t - d from the run's state history (solver.c: hist_value)
        k = self.delays.setdefault(expr, len(self.delays))
        return f"hist_value({k}, t - ({self._print(expr.args[-1])}), t, x, p)"

    _print_delay_with_history = _print_delay  # (x after the start, x before it, d): rates.py

    def _handle_UnevaluatedExpr(self, expr):  # noqa: N802 - sympy printer protocol
        # sympy rebuilds every expression here to rewrite re(); ours have none unless the model
        # says so (~9 % of Chen 2009's code generation)
        return super()._handle_UnevaluatedExpr(expr) if expr.has(sympy.re) else expr

    def _print_Symbol(self, expr):  # noqa: N802 - sympy printer protocol
        if expr == TIME:
            return "t"
        try:
            return self._names[expr]
        except KeyError:
            raise ModelError(f"internal: unmapped symbol {expr} in generated code") from None

    def _print_rem(self, expr):
        return f"fmod({self._print(expr.args[0])}, {self._print(expr.args[1])})"

    def _print_quotient(self, expr):
        return f"trunc(({self._print(expr.args[0])}) / ({self._print(expr.args[1])}))"

    def _print_gamma(self, expr):
        return f"tgamma({self._print(expr.args[0])})"

    def _print_Heaviside(self, expr):
        a = self._print(expr.args[0])
        return f"(({a}) > 0 ? 1.0 : (({a}) < 0 ? 0.0 : 0.5))"

    def _print_sign(self, expr):
        a = self._print(expr.args[0])
        return f"((double)(({a}) > 0) - (double)(({a}) < 0))"

    def _print_BooleanTrue(self, expr):
        return "1"

    def _print_BooleanFalse(self, expr):
        return "0"

    def _print_Infinity(self, expr):
        return "INFINITY"

    def _print_NegativeInfinity(self, expr):
        return "(-INFINITY)"

    def _print_NaN(self, expr):
        return "NAN"

    def _print_Integer(self, expr):
        # doubles throughout: avoids C integer division in generated expressions
        return f"{int(expr)}.0"


class _SafePow(sympy.Function):
    """``b**e`` for differentiation only: d/db = e * b**(e - 1), where sympy's own rule gives
    ``e * b**e / b`` when ``b`` is a product or quotient (e.g. (p/K)**h -> h (p/K)**h / p), which is
    0/0 at b = 0 -- a NaN Jacobian at a zero state."""

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        b, e = self.args
        if argindex == 1:
            return e * sympy.Pow(b, e - 1)
        return sympy.Pow(b, e) * sympy.log(b)


def _diff(expr: sympy.Expr, sym: sympy.Symbol) -> sympy.Expr:
    """d expr / d sym with powers of non-constant bases differentiated as e * b**(e - 1)."""
    safe = expr.replace(
        lambda x: isinstance(x, sympy.Pow) and not x.exp.is_Integer and x.base.has(sym),
        lambda x: _SafePow(x.base, x.exp),
    )
    return sympy.diff(safe, sym).replace(
        lambda x: isinstance(x, _SafePow), lambda x: sympy.Pow(*x.args)
    )


def _fast_diff(expr: sympy.Expr, sym: sympy.Symbol) -> sympy.Expr:
    """:func:`_diff` without sympy's ``Derivative`` machinery on sums, products and powers.

    Compile-time path for large models: Chen 2009's 2,556 derivatives spent ~60 % of the code
    generation in ``Derivative.__new__`` (argument sympification, caching, dispatch) around
    rules that are one line each. This applies the same rules, built with the same
    constructors in the same order, so the result is the expression :func:`_diff` returns
    (the generated C source is byte-identical on the peer models; checked when this was
    written): sums term by term (``Add._eval_derivative``), products by the Leibniz rule with
    one factor differentiated at a time (``Mul._eval_derivative_n_times`` for n = 1), integer
    powers by sympy's ``b**e * (db * e / b)``, other powers of a base that depends on ``sym``
    as ``e * b**(e - 1) * db`` (:class:`_SafePow`). Anything else (functions, piecewise, a
    power whose exponent depends on ``sym``) goes to :func:`_diff`.
    """
    if sym not in expr.free_symbols:
        return sympy.Integer(0)
    if expr is sym:
        return sympy.Integer(1)
    if expr.is_Add:
        return sympy.Add(*[_fast_diff(a, sym) for a in expr.args])
    if expr.is_Mul:
        args = expr.args
        terms = []
        for i, a in enumerate(args):
            d = _fast_diff(a, sym)
            terms.append(sympy.Mul(*(args[:i] + (d,) + args[i + 1 :])))
        return sympy.Add(*terms)
    if expr.is_Pow:
        b, e = expr.args
        if sym not in e.free_symbols:
            db = _fast_diff(b, sym)
            if e.is_Integer:
                return expr * (db * e / b)
            return e * sympy.Pow(b, e - 1) * db
    return _diff(expr, sym)


class _ParamCache:
    """Subexpressions that depend on runtime inputs (``p``) only, computed once per integration
    segment instead of once per right-hand side or Jacobian evaluation.

    :meth:`rewrite` replaces every maximal subexpression of ``p`` (and of earlier cache
    entries) by a symbol ``C<m>``, printed ``c[m]``; the product or sum of the ``p``-only factors
    or terms of a mixed product or sum is one entry (``p[3]*p[7]/p[9]*x[2]`` becomes
    ``c[0]*x[2]``). :meth:`alias` makes an intermediate ``w`` that depends on ``p`` only a cache
    entry. The solver (``solver.c``) fills ``c`` with ``model_pcache(p, c)`` whenever ``p``
    changes (a (re)start of the method, initial assignments, events, schedule entries); the
    plain entry points (``model_rhs``, ``compute_w``...) fill a local ``c`` on every call, so
    their callers need not know. Flagship model: 108 entries, among them every reciprocal of an
    input, the Hill factors of the drugs and ``K^n`` of Hill terms (``pow``).

    Grouping a product or sum's ``p``-only part changes the order of floating-point operations
    (rounding at the level of one ulp per operation, far below the solver's tolerance).
    Expressions with ``delay()`` are left as they stand (they are also printed in
    ``model_delayed``, where no cache exists).
    """

    def __init__(self, p_syms: list[sympy.Symbol], names: dict[sympy.Symbol, str]):
        self.pure: set[sympy.Symbol] = set(p_syms)
        self.names = names
        self.exprs: list[sympy.Expr] = []
        self._key: dict[sympy.Expr, sympy.Symbol] = {}
        self.wmap: dict[sympy.Symbol, sympy.Symbol] = {}

    def symbol(self, e: sympy.Expr) -> sympy.Symbol:
        s = self._key.get(e)
        if s is None:
            m = len(self.exprs)
            s = sympy.Symbol(f"C{m}", real=True)
            self.names[s] = f"c[{m}]"
            self.exprs.append(e)
            self._key[e] = s
            self.pure.add(s)
        return s

    @staticmethod
    def _delayed(e: sympy.Basic) -> bool:
        from .rates import delay_with_history

        return e.has(delay, delay_with_history)

    def alias(self, wsym: sympy.Symbol, e: sympy.Expr) -> sympy.Symbol | None:
        """If ``e`` (the expression of intermediate ``wsym``) depends on inputs only, make it an
        entry and return its symbol (else None)."""
        e = e.xreplace(self.wmap) if self.wmap else e
        if self._delayed(e) or not e.free_symbols <= self.pure:
            return None
        s = self.symbol(e)
        self.wmap[wsym] = s
        return s

    def rewrite(self, e: sympy.Basic) -> sympy.Basic:
        # a delayed expression is left exactly as it stands, intermediates included: the delay
        # calls met while printing it are printed again in model_delayed, which has no cache
        if self._delayed(e):
            return e
        if self.wmap:
            e = e.xreplace(self.wmap)
        new, pure = self._walk(e)
        if pure:
            return self.symbol(e) if (isinstance(e, sympy.Expr) and e.args) else e
        return new

    def _walk(self, e: sympy.Basic) -> tuple[sympy.Basic, bool]:
        if not e.args:
            return e, (e in self.pure) if e.is_Symbol else True
        kids = [self._walk(a) for a in e.args]
        if all(pure for _, pure in kids):
            return e, True
        if e.is_Add or e.is_Mul:
            pure_args = [a for a, (_, pure) in zip(e.args, kids) if pure]
            rest = [n for n, pure in kids if not pure]
            worth = sum(1 for a in pure_args if not a.is_Number) >= 2 or any(a.args for a in pure_args)
            if worth:
                group = e.func(*pure_args)
                return e.func(self.symbol(group) if group.args else group, *rest), False
            if all(n is a for (n, _), a in zip(kids, e.args)):
                return e, False
            return e.func(*(pure_args + rest)), False
        new_args = []
        changed = False
        for a, (n, pure) in zip(e.args, kids):
            if pure and isinstance(a, sympy.Expr) and a.args and not a.is_Number:
                n = self.symbol(a)
            changed = changed or n is not a
            new_args.append(n)
        return (e.func(*new_args) if changed else e), False


def _clean_derivative(expr: sympy.Expr) -> sympy.Expr:
    """Derivatives sympy cannot evaluate (floor, ceiling, rem...) are zero almost everywhere."""
    if expr.has(sympy.Derivative) or expr.has(sympy.Subs):
        expr = expr.replace(lambda e: isinstance(e, (sympy.Derivative, sympy.Subs)), lambda e: sympy.Integer(0))
    if expr.has(sympy.DiracDelta):
        expr = expr.replace(lambda e: isinstance(e, sympy.DiracDelta), lambda e: sympy.Integer(0))
    return expr


def _time_breakpoints(
    exprs: list[sympy.Basic], derived: dict[sympy.Symbol, sympy.Expr], p_syms: set[sympy.Symbol]
) -> list[sympy.Expr]:
    """Times at which the right-hand side may jump, found statically: every relation in
    ``exprs`` (a ``piecewise`` condition, a Boolean) that is a polynomial of degree 1 or 2 in
    ``time`` with coefficients depending on parameters only (``p_syms``; intermediates in
    ``derived`` are expanded when they depend on parameters and ``time`` only) changes value
    at its real roots. The solver stops and restarts there, so that a step never spans
    a pulse whose right-hand side is zero on both sides (round-off at a steady state gives no
    error estimate that would stop it). Relations on the state are found by the error control
    as usual; none is missed silently here because none is claimed."""
    allowed = set(p_syms) | {TIME}
    cache: dict[sympy.Symbol, sympy.Expr | None] = {}

    def expand(sym: sympy.Symbol, stack: tuple = ()) -> sympy.Expr | None:
        if sym in cache:
            return cache[sym]
        if sym in stack or sym not in derived:
            return None
        e = derived[sym]
        sub = {}
        for f in e.free_symbols - allowed:
            v = expand(f, stack + (sym,))
            if v is None:
                cache[sym] = None
                return None
            sub[f] = v
        cache[sym] = e.xreplace(sub) if sub else e
        return cache[sym]

    found: dict[str, sympy.Expr] = {}
    for expr in exprs:
        # sorted: atoms() is a set, whose order follows PYTHONHASHSEED (tb[] order is emitted)
        for rel in sorted(expr.atoms(sympy.core.relational.Relational), key=sympy.default_sort_key):
            d = rel.lhs - rel.rhs
            if not d.has(TIME):
                continue
            sub = {}
            for f in d.free_symbols - allowed:
                v = expand(f)
                if v is None:
                    break
                sub[f] = v
            else:
                d = d.xreplace(sub) if sub else d
                try:
                    poly = sympy.Poly(d, TIME)
                except sympy.PolynomialError:
                    continue
                coeffs = poly.all_coeffs()
                if any(c.has(TIME) for c in coeffs) or coeffs[0] == 0:
                    continue
                if poly.degree() == 1:
                    a, b = coeffs
                    roots = [-b / a]
                elif poly.degree() == 2:  # both real roots (NaN when complex: never a stop)
                    a, b, c = coeffs
                    disc = sympy.sqrt(b**2 - 4 * a * c)
                    roots = [(-b - disc) / (2 * a), (-b + disc) / (2 * a)]
                else:
                    continue
                for bp in roots:
                    found.setdefault(sympy.srepr(bp), bp)
    return list(found.values())


# ---------------------------------------------------------------- event sensitivities


def _check_event_sensitivities(model: Model) -> None:
    """Refuse, naming the event, what the jump conditions below do not cover."""
    for ev in model.events:
        if ev.delay is not None:
            raise UnsupportedFeatureError(
                f"model {model.id!r}: forward sensitivities through event {ev.id!r} with a delay are not "
                "supported; use finite differences"
            )
        if not isinstance(ev.trigger, sympy.core.relational.Relational) or isinstance(
            ev.trigger, (sympy.Eq, sympy.Ne)
        ):
            raise UnsupportedFeatureError(
                f"model {model.id!r}: forward sensitivities through event {ev.id!r} need a trigger that is one "
                f"inequality (its crossing time is differentiated), got {ev.trigger}; use finite differences"
            )


def _event_sensitivity_code(model, tr, X, P, wrt, wsub, xi, pi, species, value_symbol, pc) -> list[str]:
    """C functions that carry forward sensitivities across an event (``HAVE_EVENT_SENS``).

    An event whose trigger ``g(t, x, p) > 0`` (one inequality) is crossed at ``tau`` and that sets
    ``x+ = h(t, x-, p)`` moves the sensitivities ``S = dx/dp . D`` of each direction by
    (Hindmarsh, Serban et al., CVODES guide section 2.6; the standard jump conditions)::

        dtau = -(g_x S- + g_p D) / (g_t + g_x f-)
        S+   = h_x S- + h_p D + (h_t + h_x f- - f+) dtau      (unassigned entries: h_x = I, h_p = 0)

    with ``f-``/``f+`` the right-hand sides just before/after the event. An event executed without
    a crossing of its own (at t0, or triggered by another event's assignment) uses the ``dtau`` of
    the crossing that caused it (0 at t0). A differentiated parameter that the event sets gets
    its direction entry replaced by ``dp+/dp . D``; a parameter that is not differentiated may be
    set only to a value independent of the state, the differentiated parameters and time.
    """
    out: list[str] = []
    emit = out.append
    wrt_syms = [P[j] for j in wrt]
    wrt_index = {j: q for q, j in enumerate(wrt)}

    def full(e: sympy.Expr) -> sympy.Expr:
        for _ in range(len(wsub) + 1):
            if not (e.free_symbols & wsub.keys()):
                return e
            e = e.xreplace(wsub)
        raise ModelError("internal: cyclic intermediates in an event expression")

    def d(e: sympy.Expr, sym: sympy.Symbol) -> sympy.Expr:
        return _clean_derivative(_diff(e, sym)) if e.has(sym) else sympy.Integer(0)

    n_x = len(X)
    # the jump code reads the pre-event copies xm, pm
    pcm = _Printer({**{X[i]: f"xm[{i}]" for i in range(n_x)}, **{P[j]: f"pm[{j}]" for j in range(len(P))}}).doprint
    # dtau
    emit("static void model_event_dtau(int k, double t, const double *x, const double *f, const double *p, "
         "double *dtau) {")
    emit("    (void)t; (void)x; (void)f; (void)p;")
    emit("    switch (k) {")
    for k, ev in enumerate(model.events):
        trig = tr(ev.trigger)
        g = full(trig.lhs - trig.rhs)
        gx = {i: d(g, X[i]) for i in range(n_x)}
        gx = {i: e for i, e in gx.items() if e != 0}
        gp = {q: d(g, sym) for q, sym in enumerate(wrt_syms)}
        gp = {q: e for q, e in gp.items() if e != 0}
        emit(f"    case {k}: {{")
        den = " + ".join([f"({pc(d(g, TIME))})"] + [f"({pc(e)}) * f[{i}]" for i, e in gx.items()])
        emit(f"        const double den = {den};")
        emit("        for (int r = 0; r < NDIR; r++) {")
        emit("            const double *S = x + (long)NXB * (r + 1);")
        emit("            const double *Dr = p + NP0 + (long)r * NWRT;")
        num = " + ".join(["0.0"] + [f"({pc(e)}) * S[{i}]" for i, e in gx.items()]
                         + [f"({pc(e)}) * Dr[{q}]" for q, e in gp.items()])
        emit(f"            dtau[r] = -({num}) / den;")
        emit("        }")
        emit("        break; }")
    emit("    default: for (int r = 0; r < NDIR; r++) dtau[r] = 0.0;")
    emit("    }")
    emit("}")

    # jumps: xm, pm before the event; fm, fp right-hand sides before/after; x, p after (written)
    emit("static void model_event_sens(int k, double t, const double *xm, const double *fm, const double *fp, "
         "const double *dtau, const double *pm, double *x, double *p) {")
    emit("    (void)t; (void)xm; (void)fm; (void)fp; (void)dtau; (void)pm; (void)x; (void)p;")
    emit("    switch (k) {")
    for k, ev in enumerate(model.events):
        emit(f"    case {k}: {{")
        assigned: dict[int, sympy.Expr] = {}
        assigned_p: dict[int, sympy.Expr] = {}
        for var, m in ev.assignments:
            e = tr(m)
            if var in species and var in xi:
                sp = species[var]
                h = e if sp.has_only_substance_units else e * value_symbol(sp.compartment)
                assigned[xi[var]] = full(h)
            elif var in xi:
                assigned[xi[var]] = full(e)
            elif var in pi:
                h = full(e)
                if pi[var] in wrt_index:
                    assigned_p[pi[var]] = h
                elif h.free_symbols & (set(X) | set(wrt_syms) | {TIME}):
                    raise UnsupportedFeatureError(
                        f"model {model.id!r}: event {ev.id!r} sets parameter {var!r} to a value that depends on the "
                        "state, time or a differentiated parameter; forward sensitivities through it are not "
                        "supported (differentiate with respect to it, or use finite differences)"
                    )
        emit("        for (int r = 0; r < NDIR; r++) {")
        emit("            const double *Sm = xm + (long)NXB * (r + 1);")
        emit("            double *S = x + (long)NXB * (r + 1);")
        emit("            const double *Dm = pm + NP0 + (long)r * NWRT;")
        emit("            double *D = p + NP0 + (long)r * NWRT;")
        emit("            (void)Sm; (void)S; (void)Dm; (void)D;")
        for i in range(n_x):
            if i in assigned:
                h = assigned[i]
                hx = {j: d(h, X[j]) for j in range(n_x)}
                hx = {j: e for j, e in hx.items() if e != 0}
                hp = {q: d(h, sym) for q, sym in enumerate(wrt_syms)}
                hp = {q: e for q, e in hp.items() if e != 0}
                terms = [f"({pcm(e)}) * Sm[{j}]" for j, e in hx.items()]
                terms += [f"({pcm(e)}) * Dm[{q}]" for q, e in hp.items()]
                drift = " + ".join([f"({pcm(d(h, TIME))})"] + [f"({pcm(e)}) * fm[{j}]" for j, e in hx.items()])
                terms.append(f"({drift} - fp[{i}]) * dtau[r]")
                emit(f"            S[{i}] = {' + '.join(terms)};")
            else:
                emit(f"            S[{i}] = Sm[{i}] + (fm[{i}] - fp[{i}]) * dtau[r];")
        for j, h in assigned_p.items():
            hx = {i: d(h, X[i]) for i in range(n_x)}
            hp = {q: d(h, sym) for q, sym in enumerate(wrt_syms)}
            terms = [f"({pcm(e)}) * Sm[{i}]" for i, e in hx.items() if e != 0]
            terms += [f"({pcm(e)}) * Dm[{q}]" for q, e in hp.items() if e != 0]
            drift = " + ".join([f"({pcm(d(h, TIME))})"] + [f"({pcm(e)}) * fm[{i}]" for i, e in hx.items() if e != 0])
            terms.append(f"({drift}) * dtau[r]")
            emit(f"            D[{wrt_index[j]}] = {' + '.join(terms)};")
        emit("        }")
        emit("        break; }")
    emit("    default: break;")
    emit("    }")
    emit("}")
    return out


# ---------------------------------------------------------------- delay()


def _delay_code(model, printer, P, pi, w_order, w_pos, derived_expr, wsym_to_id) -> list[str]:
    """``model_delayed(k, t, x, p)`` (the k-th delayed expression at a past time and state),
    ``model_min_delay(p)`` (the smallest constant delay: the solver's step is capped there, so
    a delayed value never lies in the step being computed) and ``NDELAY``.

    A delayed expression is evaluated with the history of the state and the current
    parameters, so it may not depend on a parameter that events change (refused), nor contain
    another delay (refused)."""
    out: list[str] = []
    emit = out.append
    evented = {v for e in model.events for v, _ in e.assignments}
    evented_p = {P[pi[v]] for v in evented if v in pi}
    items = sorted(printer.delays.items(), key=lambda kv: kv[1])
    from .rates import delay_with_history

    def parts(call: sympy.Basic) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr]:
        """(expression after the start, before it, delay) of a delay call."""
        if isinstance(call, delay_with_history):
            return call.args[0], call.args[1], call.args[2]
        return call.args[0], call.args[0], call.args[1]

    needs: dict[int, set[str]] = {}
    for call, k in items:
        post, before, lag = parts(call)
        inner = post + before
        if inner.has(delay, delay_with_history) or lag.has(delay, delay_with_history):
            raise UnsupportedFeatureError(f"model {model.id!r}: nested delay() ({call}) is not supported")
        # intermediates the delayed expression needs, recursively, must not hold delays either
        stack = [wsym_to_id[sym] for sym in inner.free_symbols if sym in wsym_to_id]
        seen: set[str] = set()
        while stack:
            w = stack.pop()
            if w in seen:
                continue
            seen.add(w)
            if derived_expr[w].has(delay, delay_with_history):
                raise UnsupportedFeatureError(
                    f"model {model.id!r}: delay() of an expression that depends on another delay() (through "
                    f"{w!r}) is not supported"
                )
            stack.extend(wsym_to_id[sym] for sym in derived_expr[w].free_symbols if sym in wsym_to_id)
        needs[k] = seen
        if inner.free_symbols & evented_p:
            raise UnsupportedFeatureError(
                f"model {model.id!r}: delay() of an expression holding a parameter that events change ({call}) is "
                "not supported (only the state's history is kept)"
            )
    pc = printer.doprint
    emit(f"#define NDELAY {len(items)}")
    # model_delayed: after the start of the run; model_delayed_pre: before it (they differ only
    # for rates, see rates.delay_with_history)
    for name, which in (("model_delayed", 0), ("model_delayed_pre", 1)):
        emit(f"static double {name}(int k, double t, const double *x, const double *p) {{")
        emit("    double w[NW];")
        emit("    (void)t; (void)x; (void)p; (void)w;")
        emit("    switch (k) {")
        for call, k in items:
            # only the intermediates this expression needs (compute_w would evaluate other
            # delays at the past time, recursively)
            emit(f"    case {k}:")
            for w in w_order:
                if w in needs[k]:
                    emit(f"        w[{w_pos[w]}] = {pc(derived_expr[w])};")
            emit(f"        return {pc(parts(call)[which])};")
        emit("    default: return NAN;")
        emit("    }")
        emit("}")
    emit("static double model_min_delay(const double *p) {")
    emit("    (void)p;")
    emit("    double m = INFINITY;")
    p_syms = set(P)
    for call, _ in items:
        lag = parts(call)[2]
        if lag.free_symbols <= p_syms:
            emit(f"    {{ const double d = {pc(lag)}; if (d > 0.0 && d < m) m = d; }}")
    emit("    return m;")
    emit("}")
    return out


def _adjoint_code(model, lay, wrt, ia, pi, breaks, P, p_direct, x_direct, grad_of, hgrad_of, chain, out_syms,
                  x0_full, pc) -> tuple[list[str], list[str]]:
    """The body of ``adjoint_output_vjp`` and the function ``adjoint_init_vjp`` (adjoint.c).

    ``adjoint_output_vjp(t, x, p, wo, gx, gp)`` adds ``Σ_n wo[n] ∂y_n/∂x`` to ``gx`` and the
    explicit ``Σ_n wo[n] ∂y_n/∂p_wrt`` to ``gp`` (one reverse sweep over the outputs instead of
    one forward product per state); ``adjoint_init_vjp(t, p, lam, gp)`` adds
    ``lamᵀ ∂x0/∂p_wrt`` (from the original ``p``, before initial assignments write it). The
    refusals are those of the forward-sensitivity system: events, parameters that initial
    assignments overwrite or that move a time breakpoint.
    """
    if model.events:
        raise UnsupportedFeatureError(
            f"model {model.id!r}: adjoint sensitivities of a model with events are not supported; use "
            "forward sensitivities (gradient='forward')"
        )
    assigned = {pi[ident] for ident in ia if ident in pi}
    clash = sorted(set(wrt) & assigned)
    if clash:
        raise UnsupportedFeatureError(
            f"adjoint sensitivity with respect to p slot(s) {clash}, which initial assignments overwrite"
        )
    moved = sorted({lay.param_ids[j] if j < len(lay.param_ids) else lay.init_ids[j - len(lay.param_ids)]
                    for bp in breaks for j in wrt if P[j] in bp.free_symbols})
    if moved:
        raise UnsupportedFeatureError(
            f"model {model.id!r}: adjoint sensitivities with respect to {moved}, which set the time at which a "
            "piecewise expression of time switches, are not supported; use finite differences"
        )
    body: list[str] = []
    for n, e in enumerate(out_syms):
        dx = chain(e, x_direct, grad_of)
        dp = chain(e, p_direct, hgrad_of)
        if not dx and not dp:
            continue
        body.append(f"    if (wo[{n}] != 0.0) {{")
        for i, d in dx.items():
            body.append(f"        gx[{i}] += wo[{n}] * ({pc(d)});")
        for q, d in dp.items():
            body.append(f"        gp[{q}] += wo[{n}] * ({pc(d)});")
        body.append("    }")
    init = ["static void adjoint_init_vjp(double t, const double *p, const double *lam, double *gp) {",
            "    (void)t; (void)p; (void)lam; (void)gp;"]
    wrt_syms = set(p_direct)
    for i, e in enumerate(x0_full):
        for sym in sorted(e.free_symbols & wrt_syms, key=lambda s: p_direct[s]):
            d = _clean_derivative(_diff(e, sym))
            if d != 0:
                init.append(f"    gp[{p_direct[sym]}] += lam[{i}] * ({pc(d)});")
    init.append("}")
    return body, init


def minimum_degree_order(n: int, pattern: set[tuple[int, int]]) -> list[int]:
    """Greedy minimum-degree elimination order on the symmetrised pattern."""
    adj: list[set[int]] = [set() for _ in range(n)]
    for i, j in pattern:
        if i != j:
            adj[i].add(j)
            adj[j].add(i)
    remaining = set(range(n))
    order: list[int] = []
    while remaining:
        v = min(remaining, key=lambda k: (len(adj[k]), k))
        order.append(v)
        remaining.discard(v)
        nb = adj[v]
        for a in nb:
            adj[a].discard(v)
            adj[a] |= nb - {a}
        adj[v] = set()
    return order


def symbolic_lu(n: int, pattern: set[tuple[int, int]], order: list[int]) -> dict[str, np.ndarray]:
    """Fill pattern and elimination tape for LU without pivoting in the given order."""
    pos = {v: k for k, v in enumerate(order)}
    rows: list[set[int]] = [set() for _ in range(n)]  # permuted row -> permuted cols
    for i, j in pattern:
        rows[pos[i]].add(pos[j])
    for k in range(n):
        rows[k].add(k)
    # symbolic elimination (row-oriented): fill
    col_below: list[set[int]] = [set() for _ in range(n)]
    for i in range(n):
        for j in rows[i]:
            if j < i:
                col_below[j].add(i)
    for k in range(n):
        upper = {j for j in rows[k] if j > k}
        for i in sorted(col_below[k]):
            new = upper - rows[i]
            rows[i] |= upper
            for j in new:
                if j < i:
                    col_below[j].add(i)
    slots: dict[tuple[int, int], int] = {}
    for i in range(n):
        for j in sorted(rows[i]):
            slots[(i, j)] = len(slots)
    tape: list[tuple[int, int, int]] = []
    for k in range(n):
        kk = slots[(k, k)]
        below = sorted(i for i in col_below[k])
        upper = sorted(j for j in rows[k] if j > k)
        if below:
            tape.append((kk, -2, kk))
        for i in below:
            ik = slots[(i, k)]
            tape.append((ik, -1, kk))
            for j in upper:
                tape.append((slots[(i, j)], ik, slots[(k, j)]))
    l_ptr, l_col, l_slot, u_ptr, u_col, u_slot = [0], [], [], [0], [], []
    for i in range(n):
        for j in sorted(rows[i]):
            if j < i:
                l_col.append(j)
                l_slot.append(slots[(i, j)])
            elif j > i:
                u_col.append(j)
                u_slot.append(slots[(i, j)])
        l_ptr.append(len(l_col))
        u_ptr.append(len(u_col))
    i32 = lambda a: np.asarray(a, dtype=np.int32).reshape(-1)  # noqa: E731
    return {
        "perm": i32(order),
        "diag": i32([slots[(k, k)] for k in range(n)]),
        "tape": i32(tape) if tape else np.zeros(0, np.int32),
        "l_ptr": i32(l_ptr),
        "l_col": i32(l_col),
        "l_slot": i32(l_slot),
        "u_ptr": i32(u_ptr),
        "u_col": i32(u_col),
        "u_slot": i32(u_slot),
        "nlu": np.asarray([len(slots)], dtype=np.int32),
        "_slots": slots,  # type: ignore[dict-item]
        "_pos": pos,  # type: ignore[dict-item]
    }


#: Above this many elimination operations the factorisation runs from the tape (solver.c)
#: instead of generated straight-line code, to bound C compile time on large models. Measured
#: on Birtwistle 2007 (120 species, 6,690 operations; 200-member ensemble at rtol 7e-7): tape
#: 4.9 ms per simulation, straight-line 3.0 ms, for 3.6 s more C compiler CPU (2.7 -> 6.3 s).
#: An ensemble compiles once, so models up to this size take the straight line; Chen 2009
#: (~50,000 operations) stays on the tape (its compile time is a target of its own).
STRAIGHT_LINE_MAX_OPS = 20000


def _straight_line_lu(n: int, sym: dict[str, np.ndarray]) -> list[str]:
    """C for factorisation and solve with constant indices (no indirect loads).

    Same operations, in the same order, as the tape interpreter in ``solver.c``; on a
    40-species model this makes factor + solve several times cheaper than the tape.
    """
    out = ["#define HAVE_STRAIGHT_LU 1", "static int lu_factor_sl(double *v) {", "    double r;"]
    tape = sym["tape"].reshape(-1, 3)
    for target, a, b in tape:
        if a >= 0:
            out.append(f"    v[{target}] -= v[{a}] * v[{b}];")
        elif a == -1:  # by the pivot's reciprocal, computed at its check (the tape's order)
            out.append(f"    v[{target}] *= r;")
        else:
            out.append(f"    if (!(fabs(v[{b}]) >= 1e-10) || !isfinite(v[{b}])) return -1;")
            out.append(f"    r = 1.0 / v[{b}];")
    out.append("    return 0;")
    out.append("}")
    out.append("static void lu_solve_sl(const double *v, double *b) {")
    out.append(f"    double w[{max(n, 1)}];")
    perm = sym["perm"]
    for k in range(n):
        out.append(f"    w[{k}] = b[{perm[k]}];")
    lp, lc, ls = sym["l_ptr"], sym["l_col"], sym["l_slot"]
    for i in range(n):
        terms = [f" - v[{ls[q]}] * w[{lc[q]}]" for q in range(lp[i], lp[i + 1])]
        if terms:
            out.append(f"    w[{i}] = w[{i}]{''.join(terms)};")
    up, uc, us, diag = sym["u_ptr"], sym["u_col"], sym["u_slot"], sym["diag"]
    for i in range(n - 1, -1, -1):
        terms = [f" - v[{us[q]}] * w[{uc[q]}]" for q in range(up[i], up[i + 1])]
        out.append(f"    w[{i}] = (w[{i}]{''.join(terms)}) / v[{diag[i]}];")
    for k in range(n):
        out.append(f"    b[{perm[k]}] = w[{k}];")
    out.append("}")
    return out


def _toposort(nodes: dict[str, set[str]], what: str) -> list[str]:
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(v: str, stack: list[str]) -> None:
        s = state.get(v)
        if s == 2:
            return
        if s == 1:
            raise ModelError(f"{what} form a cycle: {' -> '.join(stack + [v])}")
        state[v] = 1
        for d in sorted(nodes[v]):
            if d in nodes:
                visit(d, stack + [v])
        state[v] = 2
        order.append(v)

    for v in nodes:
        visit(v, [])
    return order


def lower(model: Model) -> Model:
    """The model the generator compiles: nested delays distributed (:func:`.rates.merge_nested_delays`),
    values that events change and ``delay()`` reads as states
    (:func:`.rates.delayed_parameters_as_states`), fast reactions as conserved pools plus
    equilibrium assignment rules (:mod:`.fast`), then every ``rateOf`` as the derivative of its
    argument (:mod:`.rates`). The model itself when it has none of these."""
    from .fast import rapid_equilibrium
    from .rates import delayed_parameters_as_states, expand_rate_of, merge_nested_delays

    return expand_rate_of(rapid_equilibrium(delayed_parameters_as_states(merge_nested_delays(model))))


def generate(
    model: Model, sensitivity: tuple[int, tuple[int, ...]] | None = None, *, adjoint: bool = False
) -> Generated:
    """Generate the C source (without the solver) and the sparse structures for ``model``.

    Parameters
    ----------
    model : Model
    sensitivity : (n_dir, wrt), optional
        Generate the forward-sensitivity system instead of the plain one: ``wrt`` are indices
        of ``p`` slots and ``n_dir`` the number of sensitivity *directions*. The state becomes
        ``[x, S_0, ..., S_{n_dir-1}]`` (each ``S_k`` of the size of ``x``) and ``p`` gains
        ``n_dir * len(wrt)`` entries ``D`` (row-major, direction × wrt slot), so that

        ``dS_k/dt = J S_k + Σ_q ∂f/∂p_{wrt[q]} D[k, q]``,  ``S_k(t0) = Σ_q ∂x0/∂p_{wrt[q]} D[k, q]``.

        ``S_k`` is then the derivative of ``x`` along the direction ``D[k]`` in parameter
        space, and ``D`` may differ between pre-equilibration and the main run (it is part of
        ``p``). Outputs are ``[y, ∇_x y·S_0, ..., ∇_x y·S_{n_dir-1}, ∂y/∂p_{wrt[0]}, ...]``: the
        state part of each direction's output sensitivity, then the explicit partial
        derivatives of every output with respect to each ``wrt`` slot (so parameters that only
        enter outputs, such as observable scalings, need no direction). The solver's Newton
        matrix is block diagonal with ``I - cJ`` in every block (``NXB``), the simultaneous
        corrector of CVODES.
    adjoint : bool
        With ``sensitivity=(0, wrt)``: also emit the vector-Jacobian products that the adjoint
        solver (``adjoint.c``, :mod:`her2sim.engine.adjoint`) needs (see :func:`_adjoint_code`).
    """
    model = lower(model)
    ar = {r.variable: r.math for r in model.assignment_rules}
    rr = {r.variable: r.math for r in model.rate_rules}
    ia = {a.symbol: a.math for a in model.initial_assignments}
    comps = {c.id: c for c in model.compartments}
    species = {s.id: s for s in model.species}
    params = {p.id: p for p in model.parameters}
    reactions = {r.id: r for r in model.reactions}

    lay = Layout()
    for s in model.species:
        if s.id in ar:
            continue
        if s.id in rr and s.compartment in ar and not s.has_only_substance_units:
            raise UnsupportedFeatureError(
                f"species {s.id!r}: a rate rule on the concentration of a species in compartment "
                f"{s.compartment!r}, whose size is set by an assignment rule, is not supported"
            )
        lay.state_ids.append(s.id)
        lay.state_species.append(True)
    for ident in list(params) + list(comps):
        if ident in rr:
            lay.state_ids.append(ident)
            lay.state_species.append(False)
    for ident in list(params) + list(comps):
        if ident not in ar and ident not in rr:
            lay.param_ids.append(ident)
    lay.init_ids = list(lay.state_ids)
    lay.n_p = len(lay.param_ids) + len(lay.init_ids)
    xi = {k: i for i, k in enumerate(lay.state_ids)}
    pi = lay.p_index()
    ii = lay.init_index()

    X = [sympy.Symbol(f"X{i}", real=True) for i in range(len(lay.state_ids))]
    P = [sympy.Symbol(f"P{j}", real=True) for j in range(lay.n_p)]
    # A species with a conversion factor changes by factor * sum(stoichiometry * rate): that sum
    # times the factor is one more intermediate, so the Jacobian and sensitivities follow it
    # through the chain rule like any rate.
    converted = {
        s.id: f"<converted {s.id}>"
        for s in model.species
        if s.conversion_factor and not s.boundary_condition and not s.constant and s.id not in ar and s.id not in rr
    }
    # A stoichiometry that is a parameter's value (variable stoichiometry): the term
    # stoichiometry * rate is one more intermediate, for the same reason.
    variable_st: dict[tuple[str, str, int], str] = {}
    for r in model.reactions:
        for role, index, pid in r.variable_stoichiometry:
            variable_st[(r.id, role, index)] = pid
    st_terms = {key: f"<stoichiometry {key[0]} {key[1]} {key[2]}>" for key in variable_st}
    derived_ids = [r for r in ar] + [r for r in reactions] + list(converted.values()) + list(st_terms.values())

    def coefficient(rid: str, role: str, index: int, st: float) -> sympy.Expr:
        pid = variable_st.get((rid, role, index))
        return value_symbol(pid) if pid is not None else sympy.Float(st)

    W = {k: sympy.Symbol(f"W{n}", real=True) for n, k in enumerate(derived_ids)}
    names: dict[sympy.Symbol, str] = {}
    for i, s in enumerate(X):
        names[s] = f"x[{i}]"
    for j, s in enumerate(P):
        names[s] = f"p[{j}]"
    for n, k in enumerate(derived_ids):
        names[W[k]] = f"w[{n}]"

    def value_symbol(ident: str) -> sympy.Expr:
        """Value of a model id in math, in terms of X, P, W."""
        if ident in W:
            return W[ident]
        if ident in species:
            s = species[ident]
            amount = X[xi[ident]]
            if s.has_only_substance_units:
                return amount
            return amount / value_symbol(s.compartment)
        if ident in xi:
            return X[xi[ident]]
        if ident in pi:
            return P[pi[ident]]
        raise ModelError(f"math refers to unknown id {ident!r}")

    subs: dict[sympy.Symbol, sympy.Expr] = {}
    for ident in list(species) + list(params) + list(comps) + list(reactions):
        subs[sympy.Symbol(ident, real=True)] = value_symbol(ident)

    def tr(expr: sympy.Basic) -> sympy.Basic:
        return expr.xreplace(subs)

    derived_expr: dict[str, sympy.Expr] = {}
    for k, m in ar.items():
        derived_expr[k] = tr(m)
    for k, r in reactions.items():
        derived_expr[k] = tr(r.rate)
    if converted:
        net: dict[str, sympy.Expr] = {sid: sympy.Integer(0) for sid in converted}
        for r in model.reactions:
            for n, (sid, st) in enumerate(r.reactants):
                if sid in net:
                    net[sid] -= coefficient(r.id, "reactant", n, st) * W[r.id]
            for n, (sid, st) in enumerate(r.products):
                if sid in net:
                    net[sid] += coefficient(r.id, "product", n, st) * W[r.id]
        for sid, k in converted.items():
            derived_expr[k] = value_symbol(species[sid].conversion_factor) * net[sid]
    for (rid, role, index), k in st_terms.items():
        derived_expr[k] = value_symbol(variable_st[(rid, role, index)]) * W[rid]
    wsym_to_id = {v: k for k, v in W.items()}
    deps = {k: {wsym_to_id[s] for s in e.free_symbols if s in wsym_to_id} for k, e in derived_expr.items()}
    w_order = _toposort(deps, "assignment rules and reaction rates")
    w_pos = {k: n for n, k in enumerate(derived_ids)}

    printer = _Printer(names)
    pc = printer.doprint

    # --- right-hand side
    n_x = len(lay.state_ids)
    rhs_terms: list[list[tuple[float, str]]] = [[] for _ in range(n_x)]  # (stoich, reaction)
    for sid, k in converted.items():
        rhs_terms[xi[sid]].append((1.0, k))
    for r in model.reactions:
        for role, side, sign in (("reactant", r.reactants, -1.0), ("product", r.products, 1.0)):
            for n, (sid, st) in enumerate(side):
                if sid in xi and sid not in converted and not species[sid].boundary_condition and not species[sid].constant:
                    key = (r.id, role, n)
                    if key in st_terms:
                        rhs_terms[xi[sid]].append((sign, st_terms[key]))
                    else:
                        rhs_terms[xi[sid]].append((sign * float(st), r.id))
    rate_rule_expr: dict[int, sympy.Expr] = {}
    for ident, m in rr.items():
        e = tr(m)
        if ident in species and not species[ident].has_only_substance_units:
            # the rule gives d[S]/dt; the state is the amount n = [S] V:
            # dn/dt = V d[S]/dt + [S] dV/dt, where dV/dt is the compartment's rate rule
            comp = species[ident].compartment
            e = e * value_symbol(comp)
            if comp in rr:
                e = e + value_symbol(ident) * tr(rr[comp])
        rate_rule_expr[xi[ident]] = e

    # --- gradients through w (chain rule), sparse
    G: dict[tuple[str, int], sympy.Symbol] = {}
    grad_expr: dict[tuple[str, int], sympy.Expr] = {}
    grad_of: dict[str, dict[int, sympy.Symbol]] = {}

    x_direct = {sym: i for i, sym in enumerate(X)}

    def gradient(e: sympy.Expr) -> dict[int, sympy.Expr]:
        return chain(e, x_direct, grad_of)

    def chain(
        e: sympy.Expr, direct: dict[sympy.Symbol, int], grads: dict[str, dict[int, sympy.Symbol]]
    ) -> dict[int, sympy.Expr]:
        """Sparse total derivative of ``e`` w.r.t. the symbols in ``direct``, through ``w``."""
        out: dict[int, sympy.Expr] = {}
        # in name order, not set order: the set's order follows the string hash
        # (PYTHONHASHSEED), and the order of ``out`` is the order of the emitted C
        fs = sorted(e.free_symbols, key=lambda s: s.name)
        for s in fs:
            i = direct.get(s)
            if i is not None:
                d = _clean_derivative(_fast_diff(e, s))
                if d != 0:
                    out[i] = out.get(i, 0) + d
        for s in fs:
            if s in wsym_to_id:
                k = wsym_to_id[s]
                gk = grads.get(k, {})
                if not gk:
                    continue
                d = _clean_derivative(_fast_diff(e, s))
                if d == 0:
                    continue
                for i, gsym in gk.items():
                    out[i] = out.get(i, 0) + d * gsym
        return out

    for k in w_order:
        g = gradient(derived_expr[k])
        grad_of[k] = {}
        for i, e in g.items():
            sym = sympy.Symbol(f"G{w_pos[k]}_{i}", real=True)
            names[sym] = f"g{w_pos[k]}_{i}"
            G[(k, i)] = sym
            grad_expr[(k, i)] = e
            grad_of[k][i] = sym

    jac: dict[tuple[int, int], sympy.Expr] = {}
    for i in range(n_x):
        for st, rid in rhs_terms[i]:
            for s, gsym in grad_of.get(rid, {}).items():
                jac[(i, s)] = jac.get((i, s), 0) + sympy.Float(st) * gsym if st not in (1.0, -1.0) else (
                    jac.get((i, s), 0) + (gsym if st == 1.0 else -gsym)
                )
        if i in rate_rule_expr:
            for s, e in gradient(rate_rule_expr[i]).items():
                jac[(i, s)] = jac.get((i, s), 0) + e
    jac = {k: v for k, v in jac.items() if v != 0}
    pattern = sorted(jac)
    jac_rows = np.asarray([r for r, _ in pattern], dtype=np.int32)
    jac_cols = np.asarray([c for _, c in pattern], dtype=np.int32)

    # --- forward sensitivities: dw/dp through the chain rule, and f_p
    n_dir = 0
    wrt: tuple[int, ...] = ()
    hgrad_of: dict[str, dict[int, sympy.Symbol]] = {}
    hexpr: dict[tuple[str, int], sympy.Expr] = {}
    fp: dict[tuple[int, int], sympy.Expr] = {}
    p_direct: dict[sympy.Symbol, int] = {}
    if sensitivity is not None:
        n_dir = int(sensitivity[0])
        wrt = tuple(int(j) for j in sensitivity[1])
        _check_event_sensitivities(model)
        if n_dir < 0 or len(set(wrt)) != len(wrt) or any(not 0 <= j < lay.n_p for j in wrt):
            raise ModelError(f"internal: bad sensitivity specification ({n_dir}, {wrt})")
        p_direct = {P[j]: q for q, j in enumerate(wrt)}
        for k in w_order:
            h = chain(derived_expr[k], p_direct, hgrad_of)
            hgrad_of[k] = {}
            for q, e in h.items():
                sym = sympy.Symbol(f"H{w_pos[k]}_{q}", real=True)
                names[sym] = f"h{w_pos[k]}_{q}"
                hgrad_of[k][q] = sym
                hexpr[(k, q)] = e
        for i in range(n_x):
            for st, rid in rhs_terms[i]:
                for q, hsym in hgrad_of.get(rid, {}).items():
                    term = hsym if st == 1.0 else (-hsym if st == -1.0 else sympy.Float(st) * hsym)
                    fp[(i, q)] = fp.get((i, q), 0) + term
            if i in rate_rule_expr:
                for q, e in chain(rate_rule_expr[i], p_direct, hgrad_of).items():
                    fp[(i, q)] = fp.get((i, q), 0) + e
        fp = {k: v for k, v in fp.items() if v != 0}
    lay.n_dir = n_dir
    lay.wrt = list(wrt)
    n_wrt = len(wrt)
    fp_keys = sorted(fp)

    lines: list[str] = []
    emit = lines.append
    n_w = len(derived_ids)
    emit("#include <math.h>")
    # functions called once per Jacobian, member or output time (not per step): the compiler
    # may build them without optimisation for very large models (see compiler.COLD_ATTRIBUTE)
    emit("#ifndef H2_COLD")
    emit("#define H2_COLD")
    emit("#endif")
    from .rates import delay_with_history

    has_delay = any(
        e.has(delay, delay_with_history) for e in list(derived_expr.values()) + list(rate_rule_expr.values())
    ) or any(
        isinstance(e, sympy.Basic) and e.has(delay, delay_with_history)
        for a in model.initial_assignments + model.events
        for e in ([a.math] if hasattr(a, "math") else [a.trigger, a.priority, a.delay, *(m for _, m in a.assignments)])
    )
    if has_delay:
        if sensitivity is not None:
            raise UnsupportedFeatureError(
                f"model {model.id!r}: forward sensitivities of a model with delay() are not supported; use "
                "finite differences"
            )
        emit("static double hist_value(int k, double tq, double t, const double *x, const double *p);")
    emit(f"#define NX {n_x * (1 + n_dir)}")
    emit(f"#define NXB {n_x}")
    emit(f"#define NP {lay.n_p + n_dir * n_wrt}")
    emit(f"#define NP0 {lay.n_p}")
    emit(f"#define NW {max(n_w, 1)}")

    # Reciprocals of runtime inputs, hoisted: every ``1/p[j]`` in the intermediates and their
    # gradients (a species' concentration x/V, a rate's x/Km) becomes one local ``rp{j}``
    # computed once per call, so that each use is a multiplication instead of a division (gcc
    # does not make that change itself without -ffast-math). The rounding differs from a
    # division by at most one ulp per use, far below the solver's tolerance.
    p_slot = {sym: j for j, sym in enumerate(P)}
    recip: dict[int, sympy.Symbol] = {}

    def hoisted(e: sympy.Expr, used: set[int]) -> sympy.Expr:
        if has_delay and e.has(delay, delay_with_history):
            # a delayed expression is also printed in model_delayed (_delay_code), where no
            # reciprocal is declared: printed as it stands
            return e
        reps = {}
        for a in e.atoms(sympy.Pow):
            j = p_slot.get(a.base)
            if j is not None and a.exp == -1:
                r = recip.get(j)
                if r is None:
                    r = recip[j] = sympy.Symbol(f"RP{j}", real=True)
                    names[r] = f"rp{j}"
                reps[a] = r
                used.add(j)
        return e.xreplace(reps) if reps else e

    def emit_reciprocals(used: set[int], body: list[str], indent: str) -> None:
        for j in sorted(used):
            emit(f"{indent}const double rp{j} = 1.0 / p[{j}];")
        lines.extend(body)

    # Intermediates with the input-only cache (_ParamCache): compute_w_c reads c[], which the
    # solver keeps up to date; compute_w fills a local cache first (every other caller). The
    # cache function and NC are inserted here once every function that uses the cache has been
    # generated (entries are discovered while printing).
    cache = _ParamCache(P, names)
    cache_at = len(lines)
    emit("static void compute_w_c(double t, const double *x, const double *p, const double *c, double *w) {")
    emit("    (void)t; (void)x; (void)p; (void)c; (void)w;")
    for k in w_order:
        alias = cache.alias(W[k], derived_expr[k])
        e = alias if alias is not None else cache.rewrite(derived_expr[k])
        emit(f"    w[{w_pos[k]}] = {pc(e)};")
    emit("}")
    emit("static void compute_w(double t, const double *x, const double *p, double *w) {")
    emit("    double c[NC];")
    emit("    model_pcache(p, c);")
    emit("    compute_w_c(t, x, p, c, w);")
    emit("}")

    def emit_g_cached(indent: str = "    ") -> dict[sympy.Symbol, sympy.Expr]:
        """The gradient locals with the input cache; a gradient that is one symbol or number
        (mass action: a rate constant) gets no local and is substituted where it is used (the
        returned map). Chen 2009: 2,736 locals, most of them such copies, in a function that gcc
        compiles at -O0 line by line."""
        alias: dict[sympy.Symbol, sympy.Expr] = {}
        for k in w_order:
            for i, sym in grad_of[k].items():
                e = cache.rewrite(grad_expr[(k, i)])
                if alias:
                    e = e.xreplace(alias)
                if e.is_Symbol or e.is_Number:
                    alias[sym] = e
                    continue
                emit(f"{indent}const double {names[sym]} = {pc(e)};")
        return alias

    def emit_g(indent: str = "    ") -> None:
        used: set[int] = set()
        body = [
            f"{indent}const double {names[sym]} = {pc(hoisted(grad_expr[(k, i)], used))};"
            for k in w_order
            for i, sym in grad_of[k].items()
        ]
        emit_reciprocals(used, body, indent)

    def emit_h(indent: str = "    ") -> None:
        for k in w_order:
            for q, sym in hgrad_of.get(k, {}).items():
                emit(f"{indent}const double {names[sym]} = {pc(hexpr[(k, q)])};")

    if sensitivity is not None:
        n_jac0 = max(len(pattern), 1)
        n_fp = max(len(fp_keys), 1)
        emit(f"#define NJAC0 {len(pattern)}")
        emit(f"#define NFP {len(fp_keys)}")
        emit(f"#define NDIR {n_dir}")
        emit(f"#define NWRT {n_wrt}")
        emit(f"static const int SJ_R[{n_jac0}] = {{{', '.join(str(r) for r, _ in pattern) or '0'}}};")
        emit(f"static const int SJ_C[{n_jac0}] = {{{', '.join(str(c) for _, c in pattern) or '0'}}};")
        emit(f"static const int SF_R[{n_fp}] = {{{', '.join(str(r) for r, _ in fp_keys) or '0'}}};")
        emit(f"static const int SF_C[{n_fp}] = {{{', '.join(str(c) for _, c in fp_keys) or '0'}}};")
        emit("static void sens_coefficients(double t, const double *x, const double *p, const double *w, "
             "double *Jv, double *Fp) {")
        emit("    (void)t; (void)x; (void)p; (void)w; (void)Jv; (void)Fp;")
        emit_g()
        emit_h()
        for n, key in enumerate(pattern):
            emit(f"    Jv[{n}] = {pc(jac[key])};")
        for n, key in enumerate(fp_keys):
            emit(f"    Fp[{n}] = {pc(fp[key])};")
        emit("}")

    def emit_rhs(rhs_name: str, with_sens: bool) -> None:
        # the body reads the input-only cache c (rhs_name + "_c", called by the solver); the
        # plain function fills a local one
        emit(f"static void {rhs_name}_c(double t, const double *x, const double *p, const double *c, double *dx) {{")
        emit("    (void)c;")
        emit("    double w[NW];")
        emit("    compute_w_c(t, x, p, c, w);")
        for i in range(n_x):
            terms = []
            for st, rid in rhs_terms[i]:
                ref = f"w[{w_pos[rid]}]"
                if st == 1.0:
                    terms.append(f"+ {ref}")
                elif st == -1.0:
                    terms.append(f"- {ref}")
                else:
                    terms.append(f"+ ({st!r})*{ref}")
            if i in rate_rule_expr:
                terms.append(f"+ ({pc(cache.rewrite(rate_rule_expr[i]))})")
            body = " ".join(terms) if terms else "0.0"
            if body.startswith("+ "):
                body = body[2:]
            emit(f"    dx[{i}] = {body};")
        if with_sens:
            emit(f"    double Jv[{n_jac0}], Fp[{n_fp}];")
            emit("    sens_coefficients(t, x, p, w, Jv, Fp);")
            emit("    for (int k = 0; k < NDIR; k++) {")
            emit("        const double *S = x + (long)NXB * (k + 1);")
            emit("        const double *Dk = p + NP0 + (long)k * NWRT;")
            emit("        double *dS = dx + (long)NXB * (k + 1);")
            emit("        for (int i = 0; i < NXB; i++) dS[i] = 0.0;")
            emit("        for (int q = 0; q < NJAC0; q++) dS[SJ_R[q]] += Jv[q] * S[SJ_C[q]];")
            emit("        for (int q = 0; q < NFP; q++) dS[SF_R[q]] += Fp[q] * Dk[SF_C[q]];")
            emit("    }")
        elif rhs_name == "model_rhs" and sensitivity is not None:
            emit("    for (int i = NXB; i < NX; i++) dx[i] = 0.0;")
        emit("}")
        emit(f"static void {rhs_name}(double t, const double *x, const double *p, double *dx) {{")
        emit("    double c[NC];")
        emit("    model_pcache(p, c);")
        emit(f"    {rhs_name}_c(t, x, p, c, dx);")
        emit("}")

    # rhs (sensitivity systems also get model_rhs_x: the model's own part only, for the
    # solver's state-first Newton iteration)
    rhs_names = ["model_rhs"] if sensitivity is None else ["model_rhs_x", "model_rhs"]
    for rhs_name in rhs_names:
        emit_rhs(rhs_name, with_sens=rhs_name == "model_rhs" and sensitivity is not None and n_dir > 0)

    # jacobian
    emit("H2_COLD static void model_jac_c(double t, const double *x, const double *p, const double *c, double *J) {")
    emit("    double w[NW];")
    emit("    compute_w_c(t, x, p, c, w);")
    g_alias = emit_g_cached()
    for n, key in enumerate(pattern):
        emit(f"    J[{n}] = {pc(jac[key].xreplace(g_alias) if g_alias else jac[key])};")
    emit("}")
    emit("H2_COLD static void model_jac(double t, const double *x, const double *p, double *J) {")
    emit("    double c[NC];")
    emit("    model_pcache(p, c);")
    emit("    model_jac_c(t, x, p, c, J);")
    emit("}")

    # initialisation: species amounts from initial slots or initial assignments, IA on parameters,
    # assignment rules; one dependency-ordered pass (SBML: t0 values form one system).
    init_nodes: dict[str, set[str]] = {}
    init_code: dict[str, str] = {}
    init_expr: dict[str, tuple[sympy.Symbol, sympy.Expr]] = {}  # id -> (target symbol, value)

    def refs(expr: sympy.Basic) -> set[str]:
        return {s.name for s in expr.free_symbols if s != TIME}

    for ident in lay.state_ids:
        j = ii[ident]
        if ident in species:
            s = species[ident]
            v_expr = value_symbol(s.compartment)
            if ident in ia:
                e = tr(ia[ident])
                amount = e if s.has_only_substance_units else e * v_expr
                init_nodes[ident] = refs(ia[ident]) | {s.compartment}
            else:
                amount = P[j] if s.initial_is_amount else P[j] * v_expr
                init_nodes[ident] = {s.compartment}
        else:
            if ident in ia:
                init_nodes[ident] = refs(ia[ident])
                amount = tr(ia[ident])
            else:
                init_nodes[ident] = set()
                amount = P[j]
        init_code[ident] = f"    x[{xi[ident]}] = {pc(amount)};"
        init_expr[ident] = (X[xi[ident]], amount)
    for ident, m in ia.items():
        if ident in pi:
            init_nodes[ident] = refs(m)
            init_code[ident] = f"    p[{pi[ident]}] = {pc(tr(m))};"
            init_expr[ident] = (P[pi[ident]], tr(m))
        elif ident not in xi and ident not in W:
            raise UnsupportedFeatureError(f"initial assignment to {ident!r} (not a species, parameter or compartment)")
    for k in ar:
        init_nodes[k] = refs(ar[k])
        init_code[k] = f"    w[{w_pos[k]}] = {pc(derived_expr[k])};"
        init_expr[k] = (W[k], derived_expr[k])
    for k, r in reactions.items():  # rates may be referenced by rules at t0
        init_nodes[k] = refs(r.rate)
        init_code[k] = f"    w[{w_pos[k]}] = {pc(derived_expr[k])};"
        init_expr[k] = (W[k], derived_expr[k])
    # only ids that are nodes matter for ordering; others are plain reads of p/x
    init_deps = {k: {d for d in v if d in init_nodes} for k, v in init_nodes.items()}
    for k in list(init_deps):
        if k in species and k in init_deps[k]:
            init_deps[k].discard(k)
    init_order = _toposort(init_deps, "initial assignments and assignment rules")

    # initial values as functions of the original p (one substitution pass in dependency order)
    full: dict[sympy.Symbol, sympy.Expr] = {}
    for k in init_order:
        target, e = init_expr[k]
        full[target] = e.xreplace(full)
    x0_full = [full[X[i]] for i in range(n_x)]

    # which p slots the state depends on (right-hand side, initial state, events)
    feeding: set[str] = set()
    stack = [rid for terms in rhs_terms for _, rid in terms]
    stack += [wsym_to_id[sym] for e in rate_rule_expr.values() for sym in e.free_symbols if sym in wsym_to_id]
    while stack:
        k = stack.pop()
        if k in feeding:
            continue
        feeding.add(k)
        stack.extend(wsym_to_id[sym] for sym in derived_expr[k].free_symbols if sym in wsym_to_id)
    dyn_syms: set[sympy.Symbol] = set()
    for k in feeding:
        dyn_syms |= derived_expr[k].free_symbols
    for e in rate_rule_expr.values():
        dyn_syms |= e.free_symbols
    for e in x0_full:
        dyn_syms |= e.free_symbols
    for ev in model.events:
        for var, m in ev.assignments:
            dyn_syms |= tr(m).free_symbols
        dyn_syms |= tr(ev.trigger).free_symbols
    lay.p_dynamic = [P[j] in dyn_syms for j in range(lay.n_p)]

    emit("H2_COLD static void model_init(double t, double *p, double *x) {")
    emit("    double w[NW];")
    emit("    (void)t; (void)w;")
    if sensitivity is not None and n_dir > 0:
        assigned = {pi[ident] for ident in ia if ident in pi}
        clash = sorted(set(wrt) & assigned)
        if clash:
            raise UnsupportedFeatureError(
                f"sensitivity with respect to p slot(s) {clash}, which initial assignments overwrite"
            )
        wrt_syms = set(p_direct)
        for j in assigned:
            if full[P[j]].free_symbols & wrt_syms and lay.p_dynamic[j]:
                raise UnsupportedFeatureError(
                    f"parameter {lay.param_ids[j]!r} has an initial assignment that depends on a differentiated "
                    "parameter; forward sensitivities through parameter initial assignments are not supported"
                )
        # S_k(t0) = dx0/dp . D_k, from the original p (before initial assignments write p)
        coeffs: list[tuple[int, int, str]] = []
        for i, e in enumerate(x0_full):
            for sym in e.free_symbols & wrt_syms:
                d = _clean_derivative(_diff(e, sym))
                if d != 0:
                    coeffs.append((i, p_direct[sym], pc(d)))
        for n, (_, _, code) in enumerate(coeffs):
            emit(f"    const double s0_{n} = {code};")
        emit("    for (int k = 0; k < NDIR; k++) {")
        emit("        double *S = x + (long)NXB * (k + 1);")
        emit("        const double *Dk = p + NP0 + (long)k * NWRT;")
        emit("        for (int i = 0; i < NXB; i++) S[i] = 0.0;")
        for n, (i, q, _) in enumerate(coeffs):
            emit(f"        S[{i}] += s0_{n} * Dk[{q}];")
        emit("    }")
    for k in init_order:
        emit(init_code[k])
    emit("}")

    # outputs: species values, assignment-rule targets, parameters/compartments, reaction rates
    # (printed on demand: plain models print only the outputs that the index tables of
    # model_outputs_sel do not cover, which saves printing a thousand trivial expressions on
    # large models)
    out_syms: list[sympy.Expr] = []
    for s in model.species:
        lay.output_ids.append(s.id)
        lay.output_kinds.append("species")
        out_syms.append(value_symbol(s.id))
    for ident in list(params) + list(comps):
        lay.output_ids.append(ident)
        lay.output_kinds.append("compartment" if ident in comps else "parameter")
        out_syms.append(value_symbol(ident))
    for k in reactions:
        lay.output_ids.append(k)
        lay.output_kinds.append("reaction")
        out_syms.append(W[k])
    w_index = {W[k]: w_pos[k] for k in derived_ids}

    def out_expr(n: int) -> str:
        e = out_syms[n]
        return f"w[{w_index[e]}]" if e in w_index else pc(e)

    n_out0 = len(out_syms)
    if sensitivity is not None:
        base_ids = list(lay.output_ids)
        for k in range(n_dir):
            lay.output_ids.extend(f"{o}|dir{k}" for o in base_ids)
            lay.output_kinds.extend(["sensitivity"] * n_out0)
        for j in wrt:
            pid = lay.param_ids[j] if j < len(lay.param_ids) else f"init({lay.init_ids[j - len(lay.param_ids)]})"
            lay.output_ids.extend(f"{o}|partial({pid})" for o in base_ids)
            lay.output_kinds.extend(["partial"] * n_out0)
    emit(f"#define NOUT0 {n_out0}")
    emit(f"#define NOUT {max(len(lay.output_ids), 1)}")
    if sensitivity is not None:
        emit("H2_COLD static void model_outputs(double t, const double *x, const double *p, double *out) {")
        emit("    double w[NW];")
        emit("    compute_w(t, x, p, w);")
        for n in range(n_out0):
            emit(f"    out[{n}] = {out_expr(n)};")
        emit_g()
        emit_h()
        # explicit partials w.r.t. each wrt slot (zero unless written below)
        emit(f"    for (int q = {n_out0 * (1 + n_dir)}; q < NOUT; q++) out[q] = 0.0;")
        for n, e in enumerate(out_syms):
            for q, d in chain(e, p_direct, hgrad_of).items():
                emit(f"    out[{n_out0 * (1 + n_dir + q) + n}] = {pc(d)};")
        if n_dir > 0:
            coef: list[list[tuple[int, str]]] = []
            for n, e in enumerate(out_syms):
                terms = []
                for i, d in chain(e, x_direct, grad_of).items():
                    cname = f"oc{n}_{i}"
                    emit(f"    const double {cname} = {pc(d)};")
                    terms.append((i, cname))
                coef.append(terms)
            emit("    for (int k = 0; k < NDIR; k++) {")
            emit("        const double *S = x + (long)NXB * (k + 1);")
            emit("        double *o = out + (long)NOUT0 * (k + 1);")
            for n, terms in enumerate(coef):
                body = " + ".join(f"{c} * S[{i}]" for i, c in terms) or "0.0"
                emit(f"        o[{n}] = {body};")
            emit("    }")
        emit("}")
    if sensitivity is None:
        # Only the selected outputs at each output time (solver.c: write_output), the
        # intermediates only when a selected output needs one. Outputs of the usual forms are
        # read through index tables (a species amount x[a], a concentration x[a] times the
        # cached reciprocal c[b] of its compartment's size, a parameter p[a], an intermediate
        # w[a]); only the others are generated code, which keeps the source small on large
        # models. model_outputs (every output) is this function with sel = NULL, so the values
        # are bit-identical. (A division per concentration per output time was ~4 % of the
        # flagship ensemble's time.)
        kinds: list[int] = []
        idx_a: list[int] = []
        idx_b: list[int] = []
        general: list[int] = []
        for n, e in enumerate(out_syms):
            a = b = 0
            if e in x_direct:
                kind, a = 0, x_direct[e]
            elif (e.is_Mul and len(e.args) == 2 and any(f in x_direct for f in e.args)
                  and any(f.is_Pow and f.exp == -1 and f.base in p_slot for f in e.args)):
                num = next(f for f in e.args if f in x_direct)
                den = next(f for f in e.args if f is not num)
                # a concentration: amount times the cached reciprocal of the size, c[b]
                kind, a, b = 1, x_direct[num], int(cache.symbol(den).name[1:])
            elif e in p_slot:
                kind, a = 2, p_slot[e]
            elif e in w_index:
                kind, a = 3, w_index[e]
            else:
                kind = 5 if e.free_symbols & set(w_index) else 4
                general.append(n)
            kinds.append(kind)
            idx_a.append(a)
            idx_b.append(b)

        def table(ctype: str, name: str, values: list[int]) -> None:
            emit(f"static const {ctype} {name}[{max(len(values), 1)}] = {{{', '.join(map(str, values)) or '0'}}};")

        emit("#define HAVE_OUTPUTS_SEL 1")
        table("unsigned char", "OUT_KIND", kinds)
        table("int", "OUT_A", idx_a)
        table("int", "OUT_B", idx_b)
        emit("H2_COLD static double model_output_general(int n, double t, const double *x, const double *p, "
             "const double *w) {")
        emit("    (void)t; (void)x; (void)p; (void)w;")
        emit("    switch (n) {")
        for n in general:
            emit(f"    case {n}: return {out_expr(n)};")
        emit("    default: return NAN;")
        emit("    }")
        emit("}")
        emit("static void model_outputs_sel(double t, const double *x, const double *p, const double *c, int n_sel, "
             "const int *sel, double *row) {")
        emit("    double w[NW];")
        emit("    int need = 0;")
        emit("    for (int k = 0; k < n_sel; k++) need |= OUT_KIND[sel ? sel[k] : k] >= 3 && OUT_KIND[sel ? sel[k] : k] != 4;")
        emit("    if (need) compute_w_c(t, x, p, c, w);")
        emit("    for (int k = 0; k < n_sel; k++) {")
        emit("        const int n = sel ? sel[k] : k;")
        emit("        switch (OUT_KIND[n]) {")
        emit("        case 0: row[k] = x[OUT_A[n]]; break;")
        emit("        case 1: row[k] = x[OUT_A[n]] * c[OUT_B[n]]; break;")
        emit("        case 2: row[k] = p[OUT_A[n]]; break;")
        emit("        case 3: row[k] = w[OUT_A[n]]; break;")
        emit("        default: row[k] = model_output_general(n, t, x, p, w);")
        emit("        }")
        emit("    }")
        emit("}")
        # every output (eval_outputs_at): the same code with sel = NULL, so the values are the
        # ones write_output reports, and large models carry no second copy of every output
        emit("H2_COLD static void model_outputs(double t, const double *x, const double *p, double *out) {")
        emit("    double c[NC];")
        emit("    model_pcache(p, c);")
        emit("    model_outputs_sel(t, x, p, c, NOUT0, (const int *)0, out);")
        emit("}")

    # static discontinuities in time: the solver stops there (see _time_breakpoints)
    breaks = _time_breakpoints(
        list(derived_expr.values()) + list(rate_rule_expr.values()),
        {W[k]: derived_expr[k] for k in derived_expr},
        set(P),
    )
    if sensitivity is not None and n_dir > 0:
        # the right-hand side jumps at these times: a sensitivity with respect to a parameter
        # that moves a jump needs a jump term (not implemented), so it is refused, not dropped
        moved = sorted({lay.param_ids[j] if j < len(lay.param_ids) else lay.init_ids[j - len(lay.param_ids)]
                        for bp in breaks for j in wrt if P[j] in bp.free_symbols})
        if moved:
            raise UnsupportedFeatureError(
                f"model {model.id!r}: forward sensitivities with respect to {moved}, which set the time at which a "
                "piecewise expression of time switches, are not supported (the jump of the right-hand side there "
                "would be missed); use finite differences, or an event for the switch"
            )
    emit(f"#define NTB {len(breaks)}")
    emit("static void model_time_breaks(const double *p, double *tb) {")
    emit("    (void)p; (void)tb;")
    for n, bp in enumerate(breaks):
        emit(f"    tb[{n}] = {pc(bp)};")
    emit("}")

    # events
    n_ev = len(model.events)
    emit(f"#define NEV {n_ev}")
    emit("static int model_event_trigger(int k, double t, const double *x, const double *p) {")
    emit("    double w[NW];")
    emit("    compute_w(t, x, p, w);")
    emit("    switch (k) {")
    for k, ev in enumerate(model.events):
        lay.event_ids.append(ev.id)
        trig = tr(ev.trigger)
        emit(f"    case {k}: return ({pc(trig)}) ? 1 : 0;")
    emit("    default: return 0;")
    emit("    }")
    emit("}")
    emit("static int model_event_initial_value(int k) {")
    emit("    switch (k) {")
    for k, ev in enumerate(model.events):
        emit(f"    case {k}: return {1 if ev.initial_value else 0};")
    emit("    default: return 1;")
    emit("    }")
    emit("}")
    # SBML event execution (L3V2 section 4.12): when an event triggers, the values of its
    # assignments are computed (model_event_values) and kept until it is executed
    # (model_event_assign). A species value (a concentration unless hasOnlySubstanceUnits) becomes
    # an amount with the compartment size at execution, before any of the event's own writes.
    # The solver executes pending events one at a time in priority order (model_event_priority).
    n_assign_max = max((len(ev.assignments) for ev in model.events), default=0)
    emit(f"#define NEA_MAX {max(n_assign_max, 1)}")
    emit("static void model_event_values(int k, double t, const double *x, const double *p, double *v) {")
    emit("    double w[NW];")
    emit("    compute_w(t, x, p, w);")
    emit("    switch (k) {")
    assign_code: list[list[str]] = []
    for k, ev in enumerate(model.events):
        emit(f"    case {k}: {{")
        writes = []
        for n, (var, m) in enumerate(ev.assignments):
            e = tr(m)
            if var in species and var in xi:
                sp = species[var]
                emit(f"        v[{n}] = {pc(e)};")
                if sp.has_only_substance_units:
                    writes.append(f"        x[{xi[var]}] = v[{n}];")
                else:
                    writes.insert(0, f"        const double scale{n} = {pc(value_symbol(sp.compartment))};")
                    writes.append(f"        x[{xi[var]}] = v[{n}] * scale{n};")
            elif var in xi:
                emit(f"        v[{n}] = {pc(e)};")
                writes.append(f"        x[{xi[var]}] = v[{n}];")
            elif var in pi:
                emit(f"        v[{n}] = {pc(e)};")
                writes.append(f"        p[{pi[var]}] = v[{n}];")
            else:
                raise UnsupportedFeatureError(
                    f"event {ev.id!r} assigns {var!r}, which is set by an assignment rule"
                )
        assign_code.append(writes)
        emit("        break; }")
    emit("    default: break;")
    emit("    }")
    emit("}")
    emit("static void model_event_assign(int k, double t, const double *v, double *x, double *p) {")
    emit("    double w[NW];")
    emit("    compute_w(t, x, p, w);")
    emit("    switch (k) {")
    for k, writes in enumerate(assign_code):
        emit(f"    case {k}: {{")
        lines.extend(writes)
        emit("        break; }")
    emit("    default: break;")
    emit("    }")
    emit("}")
    def event_expression(name: str, field: str, default: str) -> None:
        # one C function per optional event expression (priority, delay): its value for event k
        exprs = [getattr(ev, field) for ev in model.events]
        emit(f"static double {name}(int k, double t, const double *x, const double *p) {{")
        if any(e is not None for e in exprs):
            emit("    double w[NW];")
            emit("    compute_w(t, x, p, w);")
        emit("    switch (k) {")
        for k, e in enumerate(exprs):
            if e is not None:
                emit(f"    case {k}: return (double)({pc(tr(sympy.sympify(e)))});")
        emit(f"    default: return {default};")
        emit("    }")
        emit("}")

    event_expression("model_event_priority", "priority", "-HUGE_VAL")
    emit("static int model_event_has_delay(int k) {")
    emit("    switch (k) {")
    for k, ev in enumerate(model.events):
        emit(f"    case {k}: return {0 if ev.delay is None else 1};")
    emit("    default: return 0;")
    emit("    }")
    emit("}")
    event_expression("model_event_delay", "delay", "0.0")
    emit("static int model_event_persistent(int k) {")
    emit("    switch (k) {")
    for k, ev in enumerate(model.events):
        emit(f"    case {k}: return {1 if ev.persistent else 0};")
    emit("    default: return 1;")
    emit("    }")
    emit("}")
    emit("static int model_event_trigger_time_values(int k) {")
    emit("    switch (k) {")
    for k, ev in enumerate(model.events):
        emit(f"    case {k}: return {1 if ev.use_values_from_trigger_time else 0};")
    emit("    default: return 1;")
    emit("    }")
    emit("}")

    # delay(): the delayed expressions, evaluated at a past state (solver.c: hist_value)
    if has_delay:
        lines.extend(_delay_code(model, printer, P, pi, w_order, w_pos, derived_expr, wsym_to_id))

    # forward sensitivities through events: the jump conditions (see _event_sensitivity_code)
    if sensitivity is not None and n_ev > 0 and n_dir > 0:
        emit("#define HAVE_EVENT_SENS 1")
        lines.extend(
            _event_sensitivity_code(
                model, tr, X, P, wrt, {W[k]: derived_expr[k] for k in derived_expr}, xi, pi, species, value_symbol, pc
            )
        )

    # adjoint sensitivities: vector-Jacobian products of the outputs and the initial state
    if adjoint:
        if sensitivity is None or n_dir != 0:
            raise ModelError("internal: adjoint=True needs sensitivity=(0, wrt)")
        emit_adjoint = _adjoint_code(
            model, lay, wrt, ia, pi, breaks, P, p_direct, x_direct, grad_of, hgrad_of, chain, out_syms, x0_full, pc
        )
        emit("#define H2_ADJOINT 1")
        emit("static void adjoint_output_vjp(double t, const double *x, const double *p, const double *wo, "
             "double *gx, double *gp) {")
        emit("    double w[NW];")
        emit("    compute_w(t, x, p, w);")
        emit_g()
        emit_h()
        lines.extend(emit_adjoint[0])
        emit("}")
        lines.extend(emit_adjoint[1])

    # sparse structures for the iteration matrix I - cJ
    lu_pattern = {(int(r), int(c)) for r, c in zip(jac_rows, jac_cols)}
    order = minimum_degree_order(n_x, lu_pattern)
    sym = symbolic_lu(n_x, lu_pattern, order)
    slots = sym.pop("_slots")
    pos = sym.pop("_pos")
    jac_to_lu = np.asarray([slots[(pos[int(r)], pos[int(c)])] for r, c in zip(jac_rows, jac_cols)], dtype=np.int32)
    sym["jac_to_lu"] = jac_to_lu
    sym["jac_row"] = jac_rows
    sym["jac_col"] = jac_cols
    if sym["tape"].size // 3 <= STRAIGHT_LINE_MAX_OPS:
        lines.extend(_straight_line_lu(n_x, sym))
    # the cache function, before its first use (inserted last: every entry is known now)
    pcache = [f"#define NC {max(len(cache.exprs), 1)}",
              "static void model_pcache(const double *p, double *c) {",
              "    (void)p; (void)c;"]
    pcache += [f"    c[{m}] = {pc(e)};" for m, e in enumerate(cache.exprs)]
    pcache.append("}")
    lines[cache_at:cache_at] = pcache
    return Generated(source="\n".join(lines) + "\n", layout=lay, jac_rows=jac_rows, jac_cols=jac_cols, structure=sym)
