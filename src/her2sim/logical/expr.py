"""Boolean expressions as a small immutable AST, and the recursive-descent parser that builds them.

Rules are never ``eval``-ed: text is tokenised, parsed into :class:`Var`, :class:`Not`, :class:`And`,
:class:`Or`, :class:`Xor` and :class:`Const` nodes, and evaluated by walking the tree (element-wise on
NumPy arrays, so one call evaluates a rule on many states at once).

Grammar (lowest precedence first, as in biodivine-aeon; every binary operator is left-associative)::

    expression  := iff
    iff         := implication ( "<=>" implication )*
    implication := or ( "=>" or )*          # right-associative: a => b => c == a => (b => c)
    or          := and ( "|" and )*
    and         := xor ( "&" xor )*
    xor         := unary ( "^" unary )*
    unary       := "!" unary | atom
    atom        := NAME | "0" | "1" | "true" | "false" | "(" expression ")"

``=>`` and ``<=>`` are accepted on input and rewritten into the core nodes (``a => b`` is ``!a | b``,
``a <=> b`` is ``!(a ^ b)``), so every writer only needs the core nodes.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, final

import numpy as np
from numpy.typing import NDArray

from ..errors import ModelError

__all__ = [
    "Expr",
    "Var",
    "Const",
    "Not",
    "And",
    "Or",
    "Xor",
    "TRUE",
    "FALSE",
    "RuleSyntaxError",
    "parse_rule",
    "truth_table",
    "monotonicity",
]

BoolArray = NDArray[np.bool_]


class RuleSyntaxError(ModelError):
    """A Boolean rule could not be parsed.

    Attributes
    ----------
    text : str
        The rule text.
    position : int
        0-based character offset of the problem in ``text``.
    line : int or None
        1-based line number in the source file, when known.
    source : str or None
        File name or other label of where the rule came from.
    """

    def __init__(
        self,
        problem: str,
        *,
        text: str,
        position: int,
        line: int | None = None,
        source: str | None = None,
    ):
        where = ""
        if source is not None:
            where += f"{source}: "
        if line is not None:
            where += f"line {line}: "
        pointer = " " * position + "^"
        message = f"{where}{problem} at column {position + 1} in rule\n    {text}\n    {pointer}"
        super().__init__(message)
        self.problem = problem
        self.text = text
        self.position = position
        self.line = line
        self.source = source


# ---------------------------------------------------------------------------------------------
# AST
# ---------------------------------------------------------------------------------------------


class Expr(abc.ABC):
    """Abstract Boolean expression node. Concrete nodes are frozen, hashable and final."""

    __slots__ = ()

    @abc.abstractmethod
    def variables(self) -> frozenset[str]:
        """Names of the variables the expression reads."""

    @abc.abstractmethod
    def evaluate(self, values: Mapping[str, Any]) -> Any:
        """Evaluate with ``values[name]`` as bool or boolean NumPy arrays (broadcast element-wise)."""

    @abc.abstractmethod
    def substitute(self, replacements: Mapping[str, Expr]) -> Expr:
        """Replace variables by expressions (simultaneously)."""

    @abc.abstractmethod
    def _render(self, syntax: _Syntax, parent: int) -> str: ...

    def to_string(self, dialect: str = "bnet") -> str:
        """Render as text.

        Parameters
        ----------
        dialect : {"bnet", "aeon", "maboss"}
            ``"bnet"`` writes constants as ``0``/``1``, ``"aeon"`` as ``true``/``false``,
            ``"maboss"`` as ``1``/``0`` with MaBoSS operators. Exclusive-or is always written
            ``^`` and parenthesised when nested, so the text re-parses to the same tree in every
            dialect regardless of how the target tool ranks ``^``.
        """
        try:
            syntax = _DIALECTS[dialect]
        except KeyError:
            from ..errors import UnknownNameError

            raise UnknownNameError("dialect", dialect, _DIALECTS) from None
        return self._render(syntax, 0)

    def __str__(self) -> str:
        return self.to_string("bnet")

    # Operators build trees, which keeps hand-written rules in tests short.
    def __and__(self, other: Expr) -> Expr:
        return And((self, other))

    def __or__(self, other: Expr) -> Expr:
        return Or((self, other))

    def __xor__(self, other: Expr) -> Expr:
        return Xor(self, other)

    def __invert__(self) -> Expr:
        return Not(self)


@dataclass(frozen=True)
class _Syntax:
    true: str
    false: str
    bracket_all: bool = False


_DIALECTS = {
    "bnet": _Syntax("1", "0"),
    "aeon": _Syntax("true", "false"),
    "maboss": _Syntax("1", "0", bracket_all=True),
}

# Precedence levels used only for parenthesisation when rendering.
_P_OR, _P_AND, _P_XOR, _P_NOT, _P_ATOM = 1, 2, 3, 4, 5


@final
@dataclass(frozen=True, slots=True)
class Const(Expr):
    """A constant, ``Const(True)`` or ``Const(False)``."""

    value: bool

    def __post_init__(self) -> None:
        if not isinstance(self.value, (bool, np.bool_)):
            raise ModelError(f"Const.value must be a bool, got {self.value!r}")

    def variables(self) -> frozenset[str]:
        return frozenset()

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        return bool(self.value)

    def substitute(self, replacements: Mapping[str, Expr]) -> Expr:
        return self

    def _render(self, syntax: _Syntax, parent: int) -> str:
        return syntax.true if self.value else syntax.false


TRUE = Const(True)
FALSE = Const(False)


@final
@dataclass(frozen=True, slots=True)
class Var(Expr):
    """A reference to a node's current value."""

    name: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.fullmatch(self.name):
            raise ModelError(f"invalid variable name {self.name!r}: use letters, digits, '_' and '.'")

    def variables(self) -> frozenset[str]:
        return frozenset((self.name,))

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        return values[self.name]

    def substitute(self, replacements: Mapping[str, Expr]) -> Expr:
        return replacements.get(self.name, self)

    def _render(self, syntax: _Syntax, parent: int) -> str:
        return self.name


@final
@dataclass(frozen=True, slots=True)
class Not(Expr):
    """Negation."""

    operand: Expr

    def variables(self) -> frozenset[str]:
        return self.operand.variables()

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        return np.logical_not(self.operand.evaluate(values))

    def substitute(self, replacements: Mapping[str, Expr]) -> Expr:
        return Not(self.operand.substitute(replacements))

    def _render(self, syntax: _Syntax, parent: int) -> str:
        return "!" + self.operand._render(syntax, _P_NOT)


def _flatten(kind: type, operands: tuple[Expr, ...]) -> tuple[Expr, ...]:
    flat: list[Expr] = []
    for operand in operands:
        if not isinstance(operand, Expr):
            raise ModelError(f"operands must be Expr nodes, got {operand!r}")
        if type(operand) is kind:
            flat.extend(operand.operands)  # type: ignore[attr-defined]
        else:
            flat.append(operand)
    return tuple(flat)


@final
@dataclass(frozen=True, slots=True)
class And(Expr):
    """Conjunction of two or more operands (nested conjunctions are flattened)."""

    operands: tuple[Expr, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "operands", _flatten(And, tuple(self.operands)))
        if len(self.operands) < 2:
            raise ModelError("And needs at least two operands")

    def variables(self) -> frozenset[str]:
        return frozenset().union(*(o.variables() for o in self.operands))

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        result = self.operands[0].evaluate(values)
        for operand in self.operands[1:]:
            result = np.logical_and(result, operand.evaluate(values))
        return result

    def substitute(self, replacements: Mapping[str, Expr]) -> Expr:
        return And(tuple(o.substitute(replacements) for o in self.operands))

    def _render(self, syntax: _Syntax, parent: int) -> str:
        text = " & ".join(o._render(syntax, _P_AND) for o in self.operands)
        return f"({text})" if parent > _P_AND or (syntax.bracket_all and parent > 0) else text


@final
@dataclass(frozen=True, slots=True)
class Or(Expr):
    """Disjunction of two or more operands (nested disjunctions are flattened)."""

    operands: tuple[Expr, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "operands", _flatten(Or, tuple(self.operands)))
        if len(self.operands) < 2:
            raise ModelError("Or needs at least two operands")

    def variables(self) -> frozenset[str]:
        return frozenset().union(*(o.variables() for o in self.operands))

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        result = self.operands[0].evaluate(values)
        for operand in self.operands[1:]:
            result = np.logical_or(result, operand.evaluate(values))
        return result

    def substitute(self, replacements: Mapping[str, Expr]) -> Expr:
        return Or(tuple(o.substitute(replacements) for o in self.operands))

    def _render(self, syntax: _Syntax, parent: int) -> str:
        text = " | ".join(o._render(syntax, _P_OR) for o in self.operands)
        return f"({text})" if parent > _P_OR or (syntax.bracket_all and parent > 0) else text


@final
@dataclass(frozen=True, slots=True)
class Xor(Expr):
    """Exclusive or of two operands."""

    left: Expr
    right: Expr

    def variables(self) -> frozenset[str]:
        return self.left.variables() | self.right.variables()

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        return np.logical_xor(self.left.evaluate(values), self.right.evaluate(values))

    def substitute(self, replacements: Mapping[str, Expr]) -> Expr:
        return Xor(self.left.substitute(replacements), self.right.substitute(replacements))

    def _render(self, syntax: _Syntax, parent: int) -> str:
        # Tools disagree on where ^ sits among & and |; always bracketing nested xor avoids the question.
        text = f"{self.left._render(syntax, _P_ATOM)} ^ {self.right._render(syntax, _P_ATOM)}"
        return f"({text})" if parent > 0 else text


# ---------------------------------------------------------------------------------------------
# Tokeniser and recursive-descent parser
# ---------------------------------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*|[0-9]+[A-Za-z_][A-Za-z0-9_.]*")
_TOKEN = re.compile(
    r"\s*(?:(?P<op><=>|=>|[!~&|^()])|(?P<name>[A-Za-z0-9_.]+)|(?P<bad>\S))"
)
_KEYWORDS = {"true": TRUE, "false": FALSE, "True": TRUE, "False": FALSE, "0": FALSE, "1": TRUE}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "op", "name", "end"
    text: str
    position: int


def _tokenise(text: str, line: int | None, source: str | None) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while True:
        match = _TOKEN.match(text, position)
        if match is None:  # only trailing whitespace is left
            break
        if match.group("bad") is not None:
            char = match.group("bad")
            raise RuleSyntaxError(
                f"unexpected character {char!r}",
                text=text,
                position=match.start("bad"),
                line=line,
                source=source,
            )
        kind = "op" if match.group("op") is not None else "name"
        tokens.append(_Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    tokens.append(_Token("end", "", len(text.rstrip())))
    return tokens


class _Parser:
    def __init__(self, text: str, line: int | None, source: str | None):
        self.text = text
        self.line = line
        self.source = source
        self.tokens = _tokenise(text, line, source)
        self.index = 0

    def error(self, problem: str, token: _Token) -> RuleSyntaxError:
        return RuleSyntaxError(
            problem, text=self.text, position=token.position, line=self.line, source=self.source
        )

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def accept(self, op: str) -> bool:
        token = self.current
        if token.kind == "op" and token.text == op:
            self.index += 1
            return True
        return False

    def parse(self) -> Expr:
        if self.current.kind == "end":
            raise self.error("empty rule", self.current)
        expr = self.iff()
        token = self.current
        if token.kind != "end":
            if token.text == ")":
                raise self.error("unbalanced ')'", token)
            raise self.error(f"expected an operator before {token.text!r}", token)
        return expr

    def iff(self) -> Expr:
        expr = self.implication()
        while self.accept("<=>"):
            expr = Not(Xor(expr, self.implication()))
        return expr

    def implication(self) -> Expr:
        left = self.disjunction()
        if self.accept("=>"):
            right = self.implication()
            return Or((Not(left), right))
        return left

    def disjunction(self) -> Expr:
        operands = [self.conjunction()]
        while self.accept("|"):
            operands.append(self.conjunction())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def conjunction(self) -> Expr:
        operands = [self.exclusive()]
        while self.accept("&"):
            operands.append(self.exclusive())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def exclusive(self) -> Expr:
        expr = self.unary()
        while self.accept("^"):
            expr = Xor(expr, self.unary())
        return expr

    def unary(self) -> Expr:
        if self.accept("!") or self.accept("~"):
            return Not(self.unary())
        return self.atom()

    def atom(self) -> Expr:
        token = self.current
        if token.kind == "end":
            raise self.error("rule ends where an operand was expected", token)
        if token.kind == "op":
            if token.text == "(":
                self.index += 1
                expr = self.iff()
                if not self.accept(")"):
                    raise self.error("missing ')' to close the '(' opened earlier", self.current)
                return expr
            raise self.error(f"operator {token.text!r} where an operand was expected", token)
        self.index += 1
        if token.text in _KEYWORDS:
            return _KEYWORDS[token.text]
        if not _NAME.fullmatch(token.text):
            raise self.error(f"invalid name {token.text!r}", token)
        following = self.current
        if following.kind == "op" and following.text == "(":
            raise self.error(
                f"{token.text!r} is used as a function; uninterpreted functions are not supported",
                token,
            )
        return Var(token.text)


def parse_rule(text: str, *, line: int | None = None, source: str | None = None) -> Expr:
    """Parse a Boolean rule into an expression tree.

    Parameters
    ----------
    text : str
        The rule, e.g. ``"A & !(B | C)"``. Operators: ``!`` (or ``~``), ``&``, ``|``, ``^``, ``=>``,
        ``<=>``, parentheses; constants ``0``/``1``/``true``/``false``.
    line, source : optional
        Line number and file label, used only in error messages.

    Returns
    -------
    Expr
        The parsed tree.

    Raises
    ------
    RuleSyntaxError
        If the text is not a well-formed rule; the message names the line, column and problem.

    Examples
    --------
    >>> parse_rule("A & !(B | C)")
    And(operands=(Var(name='A'), Not(operand=Or(operands=(Var(name='B'), Var(name='C'))))))
    """
    if not isinstance(text, str):
        raise RuleSyntaxError(
            f"rule must be a string, got {type(text).__name__}", text=repr(text), position=0,
            line=line, source=source,
        )
    parser = _Parser(text, line, source)
    _check_nesting(parser)
    try:
        return parser.parse()
    except RecursionError:  # a safety net: _check_nesting bounds the recursion already
        raise parser.error(f"rule nested too deeply (at most {MAX_RULE_NESTING} levels)", parser.tokens[0]) from None


#: Bound on a rule's nesting: parentheses, runs of negations and chained ``^``/``=>``/``<=>``
#: (each level costs the recursive-descent parser and the tree's methods several stack frames;
#: published rules nest fewer than 10 levels).
MAX_RULE_NESTING = 64


def _check_nesting(parser: _Parser) -> None:
    depth = deepest = run = chained = 0
    worst = parser.tokens[0]
    for token in parser.tokens:
        if token.kind != "op":
            run = 0
            continue
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        if token.text in ("!", "~"):
            run += 1
        elif token.text != "(":
            run = 0
        if token.text in ("^", "=>", "<=>"):
            chained += 1
        level = max(depth, 0) + run + chained
        if level > deepest:
            deepest, worst = level, token
    if deepest > MAX_RULE_NESTING:
        raise parser.error(
            f"rule nested {deepest} levels deep (parentheses, negations and chained ^, =>, <=>), above the "
            f"limit of {MAX_RULE_NESTING}; split it with intermediate nodes",
            worst,
        )


# ---------------------------------------------------------------------------------------------
# Semantics helpers
# ---------------------------------------------------------------------------------------------


def _all_assignments(names: tuple[str, ...]) -> dict[str, BoolArray]:
    n = len(names)
    rows = np.arange(2**n, dtype=np.int64)
    return {name: ((rows >> (n - 1 - i)) & 1).astype(bool) for i, name in enumerate(names)}


def truth_table(expr: Expr, names: tuple[str, ...] | None = None) -> BoolArray:
    """Truth table of ``expr`` over ``names`` (default: its sorted variables), MSB first.

    Parameters
    ----------
    expr : Expr
        Expression.
    names : tuple of str, optional
        Variable order; must contain every variable of ``expr``. At most 24 names.

    Returns
    -------
    numpy.ndarray of bool, shape (2**len(names),)
    """
    names = tuple(sorted(expr.variables())) if names is None else tuple(names)
    missing = expr.variables() - set(names)
    if missing:
        raise ModelError(f"truth_table: names do not cover variables {sorted(missing)}")
    if len(names) > 24:
        raise ModelError(f"truth_table: {len(names)} variables are too many (at most 24)")
    values = _all_assignments(names)
    result = np.asarray(expr.evaluate(values), dtype=bool)
    return np.broadcast_to(result, (2 ** len(names),)).copy()


def monotonicity(expr: Expr, max_variables: int = 20) -> dict[str, tuple[str | None, bool]]:
    """Sign and essentiality of each variable of ``expr``.

    Returns
    -------
    dict
        ``name -> (sign, essential)`` with sign ``"+"``, ``"-"`` or ``None`` (non-monotone or, for
        rules with more than ``max_variables`` variables, not analysed) and ``essential`` True when
        the variable can change the rule's value.
    """
    names = tuple(sorted(expr.variables()))
    if len(names) > max_variables:
        return {name: (None, False) for name in names}
    table = truth_table(expr, names)
    n = len(names)
    result: dict[str, tuple[str | None, bool]] = {}
    cube = table.reshape((2,) * n) if n else table
    for i, name in enumerate(names):
        low = np.take(cube, 0, axis=i)
        high = np.take(cube, 1, axis=i)
        increases = bool(np.any(high & ~low))
        decreases = bool(np.any(low & ~high))
        sign = "+" if increases and not decreases else "-" if decreases and not increases else None
        result[name] = (sign, increases or decreases)
    return result


def compile_rule(expr: Expr, index: Mapping[str, int]) -> Callable[[BoolArray], BoolArray]:
    """Return ``f(states) -> bool array``; ``states`` has nodes on the last axis in ``index`` order."""

    def build(node: Expr) -> Callable[[BoolArray], Any]:
        if isinstance(node, Var):
            column = index[node.name]
            return lambda states: states[..., column]
        if isinstance(node, Const):
            value = bool(node.value)
            return lambda states: np.full(states.shape[:-1], value)
        if isinstance(node, Not):
            inner = build(node.operand)
            return lambda states: ~inner(states)
        if isinstance(node, Xor):
            left, right = build(node.left), build(node.right)
            return lambda states: left(states) ^ right(states)
        if isinstance(node, (And, Or)):
            parts = [build(o) for o in node.operands]
            combine = np.logical_and if isinstance(node, And) else np.logical_or

            def nary(states: BoolArray) -> Any:
                result = parts[0](states)
                for part in parts[1:]:
                    result = combine(result, part(states))
                return result

            return nary
        raise ModelError(f"unknown expression node {node!r}")  # pragma: no cover

    return build(expr)


def walk(expr: Expr) -> Iterator[Expr]:
    """Pre-order traversal of the tree."""
    yield expr
    if isinstance(expr, Not):
        yield from walk(expr.operand)
    elif isinstance(expr, (And, Or)):
        for operand in expr.operands:
            yield from walk(operand)
    elif isinstance(expr, Xor):
        yield from walk(expr.left)
        yield from walk(expr.right)
