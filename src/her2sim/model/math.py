"""Math as parsed expression trees.

All model math is held as sympy expressions whose symbols are model ids. Text is turned into
trees only by libSBML's parsers (``parseL3Formula`` for infix, ``readMathMLFromString`` for
MathML) and a tree walk; nothing is ever ``eval``-ed. The reverse walk builds libSBML
``ASTNode`` trees for export.

Special symbols: :data:`TIME` stands for SBML's ``csymbol time``; Avogadro's constant is
replaced by its value on import.
"""

from __future__ import annotations

from collections.abc import Mapping

import libsbml
import sympy

from ..errors import ModelError, UnsupportedFeatureError

__all__ = [
    "TIME",
    "AVOGADRO",
    "parse",
    "from_ast",
    "to_ast",
    "to_formula",
    "symbol",
    "free_ids",
    "rem",
    "quotient",
    "rateOf",
    "delay",
]

#: The simulation time. Its name is not a valid SBML id (ids are letters, digits and "_"), so no
#: model component can clash with it -- not even one named ``time`` or ``__time__``.
TIME = sympy.Symbol("<time>", real=True)
#: Avogadro's constant as SBML L3 defines it (L3V1/V2 specifications, section 3.4.6: the 2006
#: CODATA value), not the 2019 SI value 6.02214076e23; the SBML Test Suite expects this one.
AVOGADRO = 6.02214179e23


class rem(sympy.Function):  # noqa: N801 - SBML's name
    """SBML ``rem``: remainder with the sign of the dividend (C ``fmod``)."""

    nargs = 2


class quotient(sympy.Function):  # noqa: N801 - SBML's name
    """SBML ``quotient``: integer part of a/b, truncated toward zero."""

    nargs = 2


class rateOf(sympy.Function):  # noqa: N801 - SBML's name
    """SBML L3V2 ``rateOf(x)``: the rate of change of the value of ``x`` (as ``x`` appears in math: a
    concentration for a species without ``hasOnlySubstanceUnits``) at the current time. The compiler
    replaces it by the derivative expression (:func:`her2sim.engine.rates.expand_rate_of`)."""

    nargs = 1

    @classmethod
    def eval(cls, arg):  # noqa: D102 - sympy protocol
        if arg.is_number:  # a constant (e.g. a constant species reference's stoichiometry)
            return sympy.Integer(0)
        return None


class delay(sympy.Function):  # noqa: N801 - SBML's name
    """SBML ``delay(x, d)``: the value of the expression ``x`` at time ``t - d`` (before the start
    of a run: its value at the start). Compiled with a history of the state
    (:mod:`her2sim.engine.codegen`, ``solver.c``)."""

    nargs = 2


_SYMBOL_CACHE: dict[str, sympy.Symbol] = {}


def symbol(name: str) -> sympy.Symbol:
    """The sympy symbol for a model id (real-valued)."""
    s = _SYMBOL_CACHE.get(name)
    if s is None:
        s = sympy.Symbol(name, real=True)
        _SYMBOL_CACHE[name] = s
    return s


def free_ids(expr: sympy.Basic) -> set[str]:
    """Model ids an expression refers to (time excluded)."""
    return {s.name for s in expr.free_symbols if s != TIME}


#: id -> (arguments, body) or (arguments, body, body as a libSBML AST). With the AST, calls are
#: inlined by walking the body with the arguments bound to their converted values, so that a
#: Boolean argument stays a Boolean (substituting ``false`` into ``Ne(x, 0)`` would give ``true``).
FunctionTable = Mapping[str, tuple]


def parse(formula: str, functions: FunctionTable | None = None) -> sympy.Expr:
    """Parse an SBML Level-3 infix formula (``"kf*A*B - kr*AB"``) into a sympy tree.

    ``time`` refers to simulation time. Uses libSBML's L3 parser; raises
    :class:`~her2sim.errors.ModelError` with the parser's message on a syntax error.
    """
    if not isinstance(formula, str):
        raise ModelError(f"formula must be a string, got {type(formula).__name__}")
    ast = libsbml.parseL3Formula(formula)
    if ast is None:
        raise ModelError(f"could not parse formula {formula!r}: {libsbml.getLastParseL3Error()}")
    return from_ast(ast, functions=functions, where=f"formula {formula!r}")


_RELATIONAL = {
    libsbml.AST_RELATIONAL_EQ: sympy.Eq,
    libsbml.AST_RELATIONAL_NEQ: sympy.Ne,
    libsbml.AST_RELATIONAL_GT: sympy.StrictGreaterThan,
    libsbml.AST_RELATIONAL_GEQ: sympy.GreaterThan,
    libsbml.AST_RELATIONAL_LT: sympy.StrictLessThan,
    libsbml.AST_RELATIONAL_LEQ: sympy.LessThan,
}

_UNARY = {
    libsbml.AST_FUNCTION_ABS: sympy.Abs,
    libsbml.AST_FUNCTION_EXP: sympy.exp,
    libsbml.AST_FUNCTION_LN: sympy.log,
    libsbml.AST_FUNCTION_CEILING: sympy.ceiling,
    libsbml.AST_FUNCTION_FLOOR: sympy.floor,
    libsbml.AST_FUNCTION_SIN: sympy.sin,
    libsbml.AST_FUNCTION_COS: sympy.cos,
    libsbml.AST_FUNCTION_TAN: sympy.tan,
    libsbml.AST_FUNCTION_SEC: sympy.sec,
    libsbml.AST_FUNCTION_CSC: sympy.csc,
    libsbml.AST_FUNCTION_COT: sympy.cot,
    libsbml.AST_FUNCTION_SINH: sympy.sinh,
    libsbml.AST_FUNCTION_COSH: sympy.cosh,
    libsbml.AST_FUNCTION_TANH: sympy.tanh,
    libsbml.AST_FUNCTION_SECH: sympy.sech,
    libsbml.AST_FUNCTION_CSCH: sympy.csch,
    libsbml.AST_FUNCTION_COTH: sympy.coth,
    libsbml.AST_FUNCTION_ARCSIN: sympy.asin,
    libsbml.AST_FUNCTION_ARCCOS: sympy.acos,
    libsbml.AST_FUNCTION_ARCTAN: sympy.atan,
    libsbml.AST_FUNCTION_ARCSEC: sympy.asec,
    libsbml.AST_FUNCTION_ARCCSC: sympy.acsc,
    libsbml.AST_FUNCTION_ARCCOT: sympy.acot,
    libsbml.AST_FUNCTION_ARCSINH: sympy.asinh,
    libsbml.AST_FUNCTION_ARCCOSH: sympy.acosh,
    libsbml.AST_FUNCTION_ARCTANH: sympy.atanh,
    libsbml.AST_FUNCTION_ARCSECH: sympy.asech,
    libsbml.AST_FUNCTION_ARCCSCH: sympy.acsch,
    libsbml.AST_FUNCTION_ARCCOTH: sympy.acoth,
}


def _is_boolean(value: sympy.Basic) -> bool:
    # sympy.Symbol subclasses Boolean, so test for the logical node types explicitly.
    return isinstance(
        value,
        (
            sympy.logic.boolalg.BooleanFunction,
            sympy.logic.boolalg.BooleanAtom,
            sympy.core.relational.Relational,
        ),
    )


def _as_bool(value: sympy.Basic, where: str) -> sympy.Basic:
    if _is_boolean(value):
        return value
    if value.is_number:
        return sympy.true if value != 0 else sympy.false
    # SBML L3V2 allows numbers as Booleans; non-zero is true.
    return sympy.Ne(value, 0)


def _as_number(value: sympy.Basic, where: str) -> sympy.Basic:
    if value is sympy.true:
        return sympy.Integer(1)
    if value is sympy.false:
        return sympy.Integer(0)
    if _is_boolean(value):
        return sympy.Piecewise((sympy.Integer(1), value), (sympy.Integer(0), True))
    return value


def from_ast(
    node: libsbml.ASTNode, *, functions: FunctionTable | None = None, where: str = "math"
) -> sympy.Basic:
    """Convert a libSBML ``ASTNode`` into a sympy expression.

    ``functions`` maps SBML function-definition ids to ``(arguments, body)``; calls are
    inlined. ``where`` names the element for error messages.
    """
    functions = functions or {}
    bound: list[dict[str, sympy.Basic]] = [{}]  # argument values of the function being inlined

    def walk(n: libsbml.ASTNode) -> sympy.Basic:
        t = n.getType()
        kids = [n.getChild(i) for i in range(n.getNumChildren())]
        if t == libsbml.AST_INTEGER:
            return sympy.Integer(n.getInteger())
        if t in (libsbml.AST_REAL, libsbml.AST_REAL_E):
            v = n.getReal()
            if v != v:
                return sympy.nan
            if v in (float("inf"), float("-inf")):
                return sympy.oo if v > 0 else -sympy.oo
            return sympy.Float(v, 17) if v != int(v) or abs(v) >= 1e15 else sympy.Integer(int(v))
        if t == libsbml.AST_RATIONAL:
            return sympy.Rational(n.getNumerator(), n.getDenominator())
        if t == libsbml.AST_NAME:
            if n.getName() in bound[-1]:
                return bound[-1][n.getName()]
            return symbol(n.getName())
        if t == libsbml.AST_NAME_TIME:
            return TIME
        if t == libsbml.AST_NAME_AVOGADRO:
            return sympy.Float(AVOGADRO, 17)
        if t == libsbml.AST_CONSTANT_E:
            return sympy.E
        if t == libsbml.AST_CONSTANT_PI:
            return sympy.pi
        if t == libsbml.AST_CONSTANT_TRUE:
            return sympy.true
        if t == libsbml.AST_CONSTANT_FALSE:
            return sympy.false
        args = [walk(k) for k in kids]
        if t == libsbml.AST_PLUS:
            return sympy.Add(*[_as_number(a, where) for a in args]) if args else sympy.Integer(0)
        if t == libsbml.AST_MINUS:
            args = [_as_number(a, where) for a in args]
            return -args[0] if len(args) == 1 else args[0] - sympy.Add(*args[1:])
        if t == libsbml.AST_TIMES:
            return sympy.Mul(*[_as_number(a, where) for a in args]) if args else sympy.Integer(1)
        if t == libsbml.AST_DIVIDE:
            a, b = (_as_number(x, where) for x in args)
            return a / b
        if t in (libsbml.AST_POWER, libsbml.AST_FUNCTION_POWER):
            a, b = (_as_number(x, where) for x in args)
            return a**b
        if t == libsbml.AST_FUNCTION_ROOT:
            if len(args) == 1:
                return sympy.sqrt(args[0])
            return args[1] ** (1 / args[0])
        if t == libsbml.AST_FUNCTION_LOG:
            if len(args) == 1:  # MathML <log/> without <logbase> is base 10
                return sympy.log(args[0]) / sympy.log(10)
            return sympy.log(args[1]) / sympy.log(args[0])
        if t in _UNARY:
            return _UNARY[t](_as_number(args[0], where))
        if t == libsbml.AST_FUNCTION_FACTORIAL:
            return sympy.gamma(args[0] + 1)
        if t == libsbml.AST_FUNCTION_MAX:
            return sympy.Max(*args)
        if t == libsbml.AST_FUNCTION_MIN:
            return sympy.Min(*args)
        if t == libsbml.AST_FUNCTION_REM:
            return rem(*args)
        if t == libsbml.AST_FUNCTION_QUOTIENT:
            return quotient(*args)
        if t in _RELATIONAL:
            op = _RELATIONAL[t]
            args = [_as_number(a, where) for a in args]
            if len(args) == 2:
                return op(args[0], args[1])
            return sympy.And(*[op(a, b) for a, b in zip(args[:-1], args[1:])])
        if t == libsbml.AST_LOGICAL_AND:
            return sympy.And(*[_as_bool(a, where) for a in args])
        if t == libsbml.AST_LOGICAL_OR:
            return sympy.Or(*[_as_bool(a, where) for a in args])
        if t == libsbml.AST_LOGICAL_XOR:
            return sympy.Xor(*[_as_bool(a, where) for a in args])
        if t == libsbml.AST_LOGICAL_NOT:
            return sympy.Not(_as_bool(args[0], where))
        if t == libsbml.AST_LOGICAL_IMPLIES:
            return sympy.Implies(_as_bool(args[0], where), _as_bool(args[1], where))
        if t == libsbml.AST_FUNCTION_PIECEWISE:
            pieces = []
            for i in range(0, len(args) - 1, 2):
                pieces.append((_as_number(args[i], where), _as_bool(args[i + 1], where)))
            if len(args) % 2 == 1:
                pieces.append((_as_number(args[-1], where), sympy.true))
            else:  # SBML leaves the value undefined; make it visible as NaN
                pieces.append((sympy.nan, sympy.true))
            return sympy.Piecewise(*pieces)
        if t == libsbml.AST_FUNCTION:
            name = n.getName()
            if name not in functions:
                raise ModelError(f"{where}: call to undefined function {name!r}")
            params, body, *ast = functions[name]
            if len(params) != len(args):
                raise ModelError(
                    f"{where}: function {name!r} takes {len(params)} arguments, got {len(args)}"
                )
            if ast:
                bound.append({str(p): a for p, a in zip(params, args)})
                try:
                    return walk(ast[0])
                finally:
                    bound.pop()
            return body.xreplace(dict(zip(params, args)))
        if t == libsbml.AST_FUNCTION_DELAY:
            if len(args) != 2:
                raise ModelError(f"{where}: delay() takes two arguments, got {len(args)}")
            return delay(_as_number(args[0], where), _as_number(args[1], where))
        if t == libsbml.AST_FUNCTION_RATE_OF:
            if len(args) != 1 or not (isinstance(args[0], sympy.Symbol) or args[0].is_number) or args[0] == TIME:
                raise ModelError(f"{where}: rateOf() takes one identifier (SBML L3V2 section 3.4.6), got {args}")
            return rateOf(args[0])
        name = n.getName() or libsbml.formulaToL3String(n)
        raise UnsupportedFeatureError(f"{where}: math construct {name!r} (AST type {t}) is not supported")

    return walk(node)


def lambda_from_ast(node: libsbml.ASTNode, *, functions: FunctionTable, where: str):
    """Turn an SBML ``lambda`` (function definition) into ``(arguments, body, body AST)``."""
    if node is None or node.getType() != libsbml.AST_LAMBDA:
        raise ModelError(f"{where}: a function definition must be a lambda")
    n_args = node.getNumBvars()
    params = tuple(symbol(node.getChild(i).getName()) for i in range(n_args))
    body_ast = node.getChild(node.getNumChildren() - 1).deepCopy()
    body = from_ast(body_ast, functions=functions, where=where)
    return params, body, body_ast


# ----------------------------------------------------------------------------- export

_REL_TO_AST = {
    sympy.Eq: libsbml.AST_RELATIONAL_EQ,
    sympy.Ne: libsbml.AST_RELATIONAL_NEQ,
    sympy.StrictGreaterThan: libsbml.AST_RELATIONAL_GT,
    sympy.GreaterThan: libsbml.AST_RELATIONAL_GEQ,
    sympy.StrictLessThan: libsbml.AST_RELATIONAL_LT,
    sympy.LessThan: libsbml.AST_RELATIONAL_LEQ,
}

_FUNC_TO_AST = {
    sympy.Abs: libsbml.AST_FUNCTION_ABS,
    sympy.exp: libsbml.AST_FUNCTION_EXP,
    sympy.log: libsbml.AST_FUNCTION_LN,
    sympy.ceiling: libsbml.AST_FUNCTION_CEILING,
    sympy.floor: libsbml.AST_FUNCTION_FLOOR,
    sympy.sin: libsbml.AST_FUNCTION_SIN,
    sympy.cos: libsbml.AST_FUNCTION_COS,
    sympy.tan: libsbml.AST_FUNCTION_TAN,
    sympy.sec: libsbml.AST_FUNCTION_SEC,
    sympy.csc: libsbml.AST_FUNCTION_CSC,
    sympy.cot: libsbml.AST_FUNCTION_COT,
    sympy.sinh: libsbml.AST_FUNCTION_SINH,
    sympy.cosh: libsbml.AST_FUNCTION_COSH,
    sympy.tanh: libsbml.AST_FUNCTION_TANH,
    sympy.sech: libsbml.AST_FUNCTION_SECH,
    sympy.csch: libsbml.AST_FUNCTION_CSCH,
    sympy.coth: libsbml.AST_FUNCTION_COTH,
    sympy.asin: libsbml.AST_FUNCTION_ARCSIN,
    sympy.acos: libsbml.AST_FUNCTION_ARCCOS,
    sympy.atan: libsbml.AST_FUNCTION_ARCTAN,
    sympy.asec: libsbml.AST_FUNCTION_ARCSEC,
    sympy.acsc: libsbml.AST_FUNCTION_ARCCSC,
    sympy.acot: libsbml.AST_FUNCTION_ARCCOT,
    sympy.asinh: libsbml.AST_FUNCTION_ARCSINH,
    sympy.acosh: libsbml.AST_FUNCTION_ARCCOSH,
    sympy.atanh: libsbml.AST_FUNCTION_ARCTANH,
    sympy.asech: libsbml.AST_FUNCTION_ARCSECH,
    sympy.acsch: libsbml.AST_FUNCTION_ARCCSCH,
    sympy.acoth: libsbml.AST_FUNCTION_ARCCOTH,
    sympy.Max: libsbml.AST_FUNCTION_MAX,
    sympy.Min: libsbml.AST_FUNCTION_MIN,
    rem: libsbml.AST_FUNCTION_REM,
    quotient: libsbml.AST_FUNCTION_QUOTIENT,
    rateOf: libsbml.AST_FUNCTION_RATE_OF,
    delay: libsbml.AST_FUNCTION_DELAY,
}


def _node(ast_type: int, children=()) -> libsbml.ASTNode:
    n = libsbml.ASTNode(ast_type)
    for c in children:
        n.addChild(c)
    return n


def _number(value) -> libsbml.ASTNode:
    if isinstance(value, sympy.Integer) or (isinstance(value, int) and not isinstance(value, bool)):
        n = libsbml.ASTNode(libsbml.AST_INTEGER)
        n.setValue(int(value))
        return n
    n = libsbml.ASTNode(libsbml.AST_REAL)
    n.setValue(float(value))
    return n


def to_ast(expr: sympy.Basic) -> libsbml.ASTNode:
    """Convert a sympy expression to a libSBML ``ASTNode`` (for export)."""
    e = expr
    if e == TIME:
        n = libsbml.ASTNode(libsbml.AST_NAME_TIME)
        n.setName("time")
        return n
    if isinstance(e, sympy.Symbol):
        n = libsbml.ASTNode(libsbml.AST_NAME)
        n.setName(e.name)
        return n
    if e is sympy.true:
        return _node(libsbml.AST_CONSTANT_TRUE)
    if e is sympy.false:
        return _node(libsbml.AST_CONSTANT_FALSE)
    if e is sympy.pi:
        return _node(libsbml.AST_CONSTANT_PI)
    if e is sympy.E:
        return _node(libsbml.AST_CONSTANT_E)
    if e is sympy.nan:
        return _number(float("nan"))
    if e is sympy.oo:
        return _number(float("inf"))
    if e is -sympy.oo:
        return _number(float("-inf"))
    if isinstance(e, sympy.Integer):
        return _number(e)
    if isinstance(e, sympy.Rational):
        n = libsbml.ASTNode(libsbml.AST_DIVIDE)
        n.addChild(_number(sympy.Integer(e.p)))
        n.addChild(_number(sympy.Integer(e.q)))
        return n
    if e.is_Number:
        return _number(float(e))
    if isinstance(e, sympy.Add):
        return _node(libsbml.AST_PLUS, [to_ast(a) for a in e.args])
    if isinstance(e, sympy.Mul):
        coeff, rest = e.as_coeff_Mul()
        if coeff.is_negative:
            return _node(libsbml.AST_MINUS, [to_ast(-e)])
        num, den = [], []
        for f in e.args:
            if isinstance(f, sympy.Pow) and f.exp.is_Number and f.exp.is_negative:
                den.append(f.base ** (-f.exp))
            elif isinstance(f, sympy.Rational) and not isinstance(f, sympy.Integer):
                if f.p != 1:
                    num.append(sympy.Integer(f.p))
                den.append(sympy.Integer(f.q))
            else:
                num.append(f)
        top = _node(libsbml.AST_TIMES, [to_ast(a) for a in num]) if len(num) > 1 else (
            to_ast(num[0]) if num else _number(sympy.Integer(1))
        )
        if not den:
            return top
        bottom = _node(libsbml.AST_TIMES, [to_ast(a) for a in den]) if len(den) > 1 else to_ast(den[0])
        return _node(libsbml.AST_DIVIDE, [top, bottom])
    if isinstance(e, sympy.Pow):
        if e.exp == -1:
            return _node(libsbml.AST_DIVIDE, [_number(sympy.Integer(1)), to_ast(e.base)])
        if e.exp == sympy.Rational(1, 2):
            return _node(libsbml.AST_FUNCTION_ROOT, [to_ast(e.base)])
        if e.base is sympy.E:
            return _node(libsbml.AST_FUNCTION_EXP, [to_ast(e.exp)])
        return _node(libsbml.AST_POWER, [to_ast(e.base), to_ast(e.exp)])
    if isinstance(e, sympy.Piecewise):
        kids = []
        for value, cond in e.args:
            if cond is sympy.true:
                kids.append(to_ast(value))
                break
            kids.append(to_ast(value))
            kids.append(to_ast(cond))
        return _node(libsbml.AST_FUNCTION_PIECEWISE, kids)
    for cls, ast_type in _REL_TO_AST.items():
        if isinstance(e, cls):
            return _node(ast_type, [to_ast(e.lhs), to_ast(e.rhs)])
    if isinstance(e, sympy.And):
        return _node(libsbml.AST_LOGICAL_AND, [to_ast(a) for a in e.args])
    if isinstance(e, sympy.Or):
        return _node(libsbml.AST_LOGICAL_OR, [to_ast(a) for a in e.args])
    if isinstance(e, sympy.Xor):
        return _node(libsbml.AST_LOGICAL_XOR, [to_ast(a) for a in e.args])
    if isinstance(e, sympy.Not):
        return _node(libsbml.AST_LOGICAL_NOT, [to_ast(e.args[0])])
    if isinstance(e, sympy.Implies):
        return _node(libsbml.AST_LOGICAL_IMPLIES, [to_ast(a) for a in e.args])
    if isinstance(e, sympy.gamma):
        return _node(libsbml.AST_FUNCTION_FACTORIAL, [to_ast(e.args[0] - 1)])
    for cls, ast_type in _FUNC_TO_AST.items():
        if isinstance(e, cls):
            return _node(ast_type, [to_ast(a) for a in e.args])
    raise UnsupportedFeatureError(f"cannot export expression {e} ({type(e).__name__}) to SBML")


def to_formula(expr: sympy.Basic) -> str:
    """Infix SBML L3 formula for display."""
    return libsbml.formulaToL3String(to_ast(expr))
