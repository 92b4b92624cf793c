"""Bounds checked on untrusted input *before* libSBML, sympy or a rule parser sees it.

libSBML and sympy are not safe against hostile or broken files: MathML nested ~6,000 levels
segfaults libSBML, a namespace that contradicts the ``level``/``version`` attributes aborts the
process with an uncaught C++ exception, libSBML's consistency check is super-exponential in the
length of chains of assignment rules (measured: 200 rules 0.5 s, 400 rules 11 s) and in the
nesting of function definitions (40 levels 0.1 s, 50 0.5 s, 100 19 s), and sympy evaluates
exact integers such as ``10^(10^8)`` or ``factorial(1e8)`` for as long as it takes. The
pre-scan here reads the raw XML once with expat (non-recursive, no DTD: a ``<!DOCTYPE>``, and
with it every entity, is refused) and refuses what would exceed :data:`LIMITS`, naming the
element, its id, the line and what to do. The limits are far above every published model we
test against (peer models: depth ≤ 19, ≤ 73 assignment rules, ≤ 2 function definitions,
≤ 1.1 MB; SBML test suite: depth ≤ 12, ≤ 49 assignment rules, ≤ 29 function definitions).

The text helpers (:func:`read_text`, :func:`decode_text`) give the logical and PEtab readers
the same size bound and a clear error for files that are not UTF-8.
"""

from __future__ import annotations

import contextlib
import math
import re
import os
import signal
import threading
import xml.parsers.expat
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError, ValidationError

__all__ = ["Limits", "LIMITS", "InputLimitError", "scan_sbml", "sbml_source", "read_text", "decode_text", "time_limit"]


class InputLimitError(ModelError):
    """Input refused before parsing: too large, too deep, or otherwise unsafe to hand to a parser."""


@dataclass(frozen=True)
class Limits:
    """Bounds on one input file (see the module docstring for the measurements behind them)."""

    #: bytes of one model or table file (the largest peer model, Chen 2009, is 1.1 MB)
    max_bytes: int = 32 * 1024 * 1024
    #: XML element nesting depth (MathML deeper than ~330 overflows Python's recursion limit)
    max_depth: int = 128
    #: XML elements in one document (Chen 2009, 504 species: 18,316); also bounds the memory of
    #: the pre-scan's math trees (~100 MB at the limit)
    max_elements: int = 500_000
    #: characters of one ``<cn>`` number
    max_number_chars: int = 64
    #: longest chain of assignment rules each using the previous one
    max_rule_chain: int = 150
    #: deepest nesting of function definitions calling function definitions
    max_function_nesting: int = 32
    #: seconds for converting one SBML model's math (sympy's automatic evaluation can explode on
    #: adversarial constant expressions inside piecewise conditions); ``HER2SIM_MAX_READ_SECONDS``
    #: overrides it. Chen 2009 (504 species) converts in a few seconds.
    max_read_seconds: float = 60.0


LIMITS = Limits()

_MATHML = "http://www.w3.org/1998/Math/MathML"
_SBML_NAMESPACES = {
    "http://www.sbml.org/sbml/level1": {(1, 1), (1, 2)},
    "http://www.sbml.org/sbml/level2": {(2, 1)},
    **{f"http://www.sbml.org/sbml/level2/version{v}": {(2, v)} for v in (2, 3, 4, 5)},
    **{f"http://www.sbml.org/sbml/level3/version{v}/core": {(3, v)} for v in (1, 2)},
}
_DOUBLE_MAX = 1.7976931348623157e308


def _size_error(what: str, size: int, limits: Limits) -> InputLimitError:
    return InputLimitError(
        f"{what} is {size:,} bytes, above the limit of {limits.max_bytes:,} bytes for one file. If this is "
        "really a model, split it; the limit is her2sim.io._limits.LIMITS.max_bytes."
    )


def sbml_source(path_or_string, limits: Limits = LIMITS) -> tuple[bytes, str, Path | None]:
    """The SBML document's bytes, a label for messages and the path (None for text input).

    ``bytes`` are always the document itself (never a path); a ``str`` is the document if it
    starts with ``<`` (after whitespace and a byte-order mark), else a path.
    """
    if isinstance(path_or_string, (bytes, bytearray, memoryview)):
        data = bytes(path_or_string)
        if len(data) > limits.max_bytes:
            raise _size_error("the SBML document", len(data), limits)
        return data, "", None
    if isinstance(path_or_string, str) and path_or_string.lstrip("\ufeff \t\r\n").startswith("<"):
        if len(path_or_string) > limits.max_bytes:
            raise _size_error("the SBML document", len(path_or_string), limits)
        return path_or_string.encode("utf-8", errors="surrogatepass"), "", None
    if isinstance(path_or_string, (str, os.PathLike)):
        path = Path(path_or_string)
        return _read_bounded(path, "SBML file", limits), path.name, path
    raise ModelError(f"path_or_string must be a path, an SBML string or bytes, got {type(path_or_string).__name__}")


def read_text(path: str | os.PathLike[str], what: str, limits: Limits = LIMITS) -> str:
    """Read a UTF-8 text file after checking its size; errors name the file and the fix."""
    path = Path(path)
    return decode_text(_read_bounded(path, what, limits), f"{what} {path.name!r}")


def _read_bounded(path: Path, what: str, limits: Limits) -> bytes:
    """The bytes of ``path`` after checking that it exists and is within the size limit."""
    if not path.is_file():
        raise FileNotFoundError(f"{what} {str(path)!r} does not exist")
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise _size_error(f"{what} {path.name!r}", size, limits)
    return path.read_bytes()


def decode_text(data: bytes, what: str) -> str:
    """Decode UTF-8 (a byte-order mark is allowed) or raise naming the line and byte offset."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValidationError(
            f"{what} is not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start} (line {line}) "
            "cannot be decoded. Save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)."
        ) from None


# ---------------------------------------------------------------------------------- SBML scan


class _Node:
    __slots__ = ("tag", "attrs", "text", "children")

    def __init__(self, tag: str, attrs: dict[str, str]):
        self.tag = tag
        self.attrs = attrs
        self.text: list[str] = []
        self.children: list[_Node] = []


class _Scan:
    def __init__(self, source: str, limits: Limits):
        self.source = source or "string"
        self.limits = limits
        self.parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        self.stack: list[tuple[str, str]] = []  # (local name, id or "")
        self.n_elements = 0
        self.math_stack: list[_Node] = []
        self.math_root: _Node | None = None
        self.rules: dict[str, set[str]] = {}  # assignment rule variable -> ci names
        self.rule_line: dict[str, int] = {}
        self.functions: dict[str, set[str]] = {}
        self.function_line: dict[str, int] = {}
        self.root_checked = False

    # -- messages
    def where(self) -> str:
        for name, ident in reversed(self.stack):
            if ident:
                return f"<{name}> {ident!r}"
        return f"<{self.stack[-1][0]}>" if self.stack else "the document"

    def fail(self, what: str, fix: str) -> None:
        line = self.parser.CurrentLineNumber
        raise InputLimitError(f"SBML {self.source}, line {line}, in {self.where()}: {what}. {fix}")

    # -- expat handlers
    def doctype(self, *args) -> None:
        self.fail(
            "a <!DOCTYPE> declaration (DTDs and entities are refused: external entities can read files and "
            "nested ones expand to gigabytes)",
            "SBML needs no DTD: delete the <!DOCTYPE ...> declaration",
        )

    def entity(self, *args) -> None:
        self.doctype()

    def start(self, name: str, attrs: dict[str, str]) -> None:
        ns, _, local = name.rpartition(" ")
        self.n_elements += 1
        ident = attrs.get("id") or attrs.get("variable") or attrs.get("symbol") or attrs.get("species") or ""
        self.stack.append((local, ident))
        lim = self.limits
        if len(self.stack) > lim.max_depth:
            self.fail(
                f"elements nested more than {lim.max_depth} levels deep",
                "Deeply nested math cannot be read safely (libSBML crashes at a few thousand levels); "
                "flatten the expression, e.g. with intermediate assignment rules",
            )
        if self.n_elements > lim.max_elements:
            self.fail(f"more than {lim.max_elements:,} XML elements", "Split the model")
        if not self.root_checked:
            self.root_checked = True
            self.check_root(ns, local, attrs)
        if local == "sep" and self.math_stack and self.math_stack[-1].tag == "cn":
            self.math_stack[-1].text.append("\0")  # <cn type="e-notation">m<sep/>e</cn>
        if ns == _MATHML or self.math_stack:
            node = _Node(local, attrs)
            if self.math_stack:
                self.math_stack[-1].children.append(node)
            else:
                self.math_root = node
            self.math_stack.append(node)

    def end(self, name: str) -> None:
        if self.math_stack:
            node = self.math_stack.pop()
            if node.tag == "cn":
                text = "".join(node.text).strip()
                if len(text) > self.limits.max_number_chars:
                    self.fail(
                        f"a <cn> number of {len(text)} characters (at most {self.limits.max_number_chars})",
                        "Write the number in e-notation with at most 17 significant digits",
                    )
                problem = _cn_syntax_error(text, node.attrs.get("type", "real"))
                if problem:
                    self.fail(problem, "Write the number as MathML specifies (e.g. 1e5, -0.25, 3; "
                              "e-notation and rational parts separated by <sep/>)")
            if not self.math_stack and self.math_root is not None:
                self.finish_math(self.math_root)
                self.math_root = None
        self.stack.pop()

    def chars(self, data: str) -> None:
        if self.math_stack:
            node = self.math_stack[-1]
            if node.tag == "cn":
                node.text.append(data)
                if sum(map(len, node.text)) > 4 * self.limits.max_number_chars:
                    self.end_cn_overflow()
            elif node.tag == "ci":
                node.text.append(data)

    def end_cn_overflow(self) -> None:
        self.fail(
            f"a <cn> number longer than {self.limits.max_number_chars} characters",
            "Write the number in e-notation with at most 17 significant digits",
        )

    # -- checks
    def check_root(self, ns: str, local: str, attrs: dict[str, str]) -> None:
        if local != "sbml":
            self.fail(f"the root element is <{local}>, not <sbml>", "Give an SBML document")
        level, version = attrs.get("level", ""), attrs.get("version", "")
        try:
            lv = (int(level), int(version))
        except ValueError:
            self.fail(f"level={level!r} version={version!r} are not integers", "Set level and version of <sbml>")
            return
        allowed = _SBML_NAMESPACES.get(ns)
        if allowed is None or lv not in allowed:
            expected = [k for k, v in _SBML_NAMESPACES.items() if lv in v]
            hint = f"the namespace of level {lv[0]} version {lv[1]} is {expected[0]!r}" if expected else (
                f"level {lv[0]} version {lv[1]} is not an SBML level/version")
            self.fail(
                f"the namespace {ns!r} does not match level={lv[0]} version={lv[1]}",
                f"Make xmlns and the level/version attributes agree: {hint}",
            )

    def finish_math(self, root: _Node) -> None:
        self.fold(root)
        owner, ident = (self.stack[-2] if len(self.stack) >= 2 else ("", ""))
        # the <math> sits in the element that owns it (assignmentRule, functionDefinition...)
        if owner == "assignmentRule" and ident:
            self.rules[ident] = _ci_names(root)
            self.rule_line[ident] = self.parser.CurrentLineNumber
        elif owner == "functionDefinition" and ident:
            self.functions[ident] = _ci_names(root)
            self.function_line[ident] = self.parser.CurrentLineNumber

    def fold(self, node: _Node) -> float | None:
        """Value of a constant sub-expression in double precision (None if not constant).

        Refuses a constant power or factorial whose value overflows double precision: sympy
        would evaluate it as an exact integer (``2^(2^40)`` does not finish) and the compiled
        model could only hold infinity.
        """
        tag = node.tag
        if tag == "cn":
            return _cn_value(node)
        if tag in ("semantics", "math") and node.children:
            vals = [self.fold(c) for c in node.children]
            return vals[0]
        if tag != "apply" or not node.children:
            for c in node.children:
                self.fold(c)
            return None
        op, args = node.children[0].tag, node.children[1:]
        vals = [self.fold(a) for a in args]
        if any(v is None for v in vals) or op not in _FOLD:
            return None
        try:
            value = _FOLD[op](vals)
        except (OverflowError, ValueError, ZeroDivisionError, TypeError, IndexError):
            value = math.inf if op in ("power", "factorial", "exp") else None
        if value is not None and op in ("power", "factorial") and all(math.isfinite(v) for v in vals):
            if not math.isfinite(value) or abs(value) > _DOUBLE_MAX:
                shown = ", ".join(f"{v:.6g}" for v in vals)
                self.fail(
                    f"the constant {op}({shown}) exceeds double precision (about 1.8e308)",
                    "Correct the number; a value this large cannot be simulated",
                )
        return value

    def finish(self) -> None:
        lim = self.limits
        chain, path = _longest_chain(self.rules)
        if chain > lim.max_rule_chain:
            raise InputLimitError(
                f"SBML {self.source}, line {self.rule_line.get(path[0], 0)}, in <assignmentRule> {path[0]!r}: "
                f"a chain of {chain} assignment rules each using the previous one ({path[0]!r} -> ... -> "
                f"{path[-1]!r}), above the limit of {lim.max_rule_chain} (libSBML's consistency check grows "
                "super-exponentially with it: 400 rules take 11 s, 2,000 more than 3 min). Replace the chain by "
                "fewer rules with the expressions substituted."
            )
        depth, path = _longest_chain(self.functions)
        if depth > lim.max_function_nesting:
            raise InputLimitError(
                f"SBML {self.source}, line {self.function_line.get(path[0], 0)}, in <functionDefinition> "
                f"{path[0]!r}: function definitions nested {depth} deep ({path[0]!r} -> ... -> {path[-1]!r}), "
                f"above the limit of {lim.max_function_nesting} (libSBML's check takes 19 s at 100). "
                "Inline some of the functions."
            )


# MathML 2 / SBML number syntax: a real is an XML Schema decimal or double without INF/NaN (SBML writes those as
# <infinity/> and <notanumber/>); integers are decimal digits. libSBML reads a number with strtod/strtol and keeps a
# valid prefix silently (``1e5;x`` -> 1e5, ``0x1p3`` -> 0, ``1_000`` -> 1, ``1,5`` -> 1), so the text is checked here.
_REAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_CN_PARTS = {"real": (_REAL,), "integer": (_INTEGER,), "double": (_REAL,),
             "e-notation": (_REAL, _INTEGER), "rational": (_INTEGER, _INTEGER)}


def _cn_syntax_error(text: str, kind: str) -> str | None:
    """Why ``text`` is not a valid ``<cn type=kind>`` number, or None."""
    patterns = _CN_PARTS.get(kind)
    if patterns is None:
        return f"a <cn> of unknown type {kind!r} (allowed: {', '.join(sorted(_CN_PARTS))})"
    parts = [part.strip() for part in text.split("\0")]
    if len(parts) != len(patterns):
        expected = "two parts separated by <sep/>" if len(patterns) == 2 else "one number without <sep/>"
        return f"a <cn type={kind!r}> with {len(parts)} part(s); it needs {expected}"
    for part, pattern in zip(parts, patterns):
        if not pattern.fullmatch(part):
            what = "an integer" if pattern is _INTEGER else "a decimal number"
            return f"a <cn type={kind!r}> whose text {part[:40]!r} is not {what}"
    return None


def _cn_value(node: _Node) -> float | None:
    text = "".join(node.text).strip()
    kind = node.attrs.get("type", "real")
    try:
        if "\0" in text:  # two parts around <sep/>
            a, b = (part.strip() for part in text.split("\0", 1))
            if kind == "e-notation":
                return float(f"{float(a)!r}e{int(b)}") if abs(int(b)) < 100_000 else (
                    math.inf if int(b) > 0 else 0.0)
            if kind == "rational":
                return float(a) / float(b)
            return None
        return float(text)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None


def _ci_names(node: _Node) -> set[str]:
    out: set[str] = set()
    todo = [node]
    while todo:
        n = todo.pop()
        if n.tag == "ci":
            out.add("".join(n.text).strip())
        todo.extend(n.children)
    return out


def _longest_chain(graph: dict[str, set[str]]) -> tuple[int, list[str]]:
    """Longest dependency path (in nodes) among ``graph``'s keys, iteratively; cycles are cut
    (libSBML reports them with its own message)."""
    best: dict[str, int] = {}
    nxt: dict[str, str | None] = {}
    state: dict[str, int] = {}
    for start in graph:
        if start in best:
            continue
        stack = [(start, iter(sorted(graph[start] & graph.keys())))]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            child = next(it, None)
            if child is None:
                stack.pop()
                state[node] = 2
                length, follow = 1, None
                for c in graph[node] & graph.keys():
                    if c in best and best[c] + 1 > length:  # (a self-reference is a cycle: cut)
                        length, follow = best[c] + 1, c
                best[node], nxt[node] = length, follow
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(sorted(graph[child] & graph.keys()))))
    if not best:
        return 0, []
    head = max(best, key=lambda k: best[k])
    path = [head]
    while nxt.get(path[-1]) is not None and len(path) <= best[head]:
        path.append(nxt[path[-1]])  # type: ignore[arg-type]
    return best[head], path


def _factorial(v: list[float]) -> float:
    x = v[0]
    if x > 170:
        return math.inf
    return math.gamma(x + 1)


_FOLD = {
    "plus": lambda v: math.fsum(v),
    "times": lambda v: math.prod(v),
    "minus": lambda v: -v[0] if len(v) == 1 else v[0] - v[1],
    "divide": lambda v: v[0] / v[1],
    "power": lambda v: math.pow(v[0], v[1]),
    "factorial": _factorial,
    "exp": lambda v: math.exp(v[0]),
    "abs": lambda v: abs(v[0]),
}


def scan_sbml(data: bytes, source: str = "", limits: Limits = LIMITS) -> None:
    """Refuse an SBML document that is not safe to give to libSBML (see the module docstring).

    Raises
    ------
    InputLimitError
        Naming the line, the element and its id, the limit and what to do.
    ModelError
        If the document is not well-formed XML.
    """
    if len(data) > limits.max_bytes:
        raise _size_error(f"SBML {source or 'document'}", len(data), limits)
    scan = _Scan(source, limits)
    p = scan.parser
    p.StartDoctypeDeclHandler = scan.doctype
    p.EntityDeclHandler = scan.entity
    p.ExternalEntityRefHandler = scan.entity
    p.StartElementHandler = scan.start
    p.EndElementHandler = scan.end
    p.CharacterDataHandler = scan.chars
    try:
        p.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise ModelError(
            f"SBML {source or 'string'} is not well-formed XML: {xml.parsers.expat.errors.messages[exc.code]} "
            f"at line {exc.lineno}, column {exc.offset}. Check the file is complete and is SBML."
        ) from None
    if not scan.root_checked:
        raise ModelError(f"SBML {source or 'string'} contains no XML element")
    scan.finish()


@contextlib.contextmanager
def time_limit(what: str, seconds: float | None = None):
    """Raise :class:`InputLimitError` if the block runs longer than ``seconds``.

    Uses a real-time interval timer (SIGALRM), so it applies only in the main thread of a POSIX
    process and only when no other interval timer is running; elsewhere the block runs without
    a limit (the pre-scan's bounds still hold). The caller's signal handler is restored.
    """
    if seconds is None:
        try:
            seconds = float(os.environ.get("HER2SIM_MAX_READ_SECONDS", LIMITS.max_read_seconds))
        except ValueError:
            seconds = LIMITS.max_read_seconds
    usable = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and seconds > 0
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )
    if not usable:
        yield
        return

    def expired(signum, frame):
        raise InputLimitError(
            f"{what} took longer than {seconds:g} s and was stopped (sympy's evaluation of its math does not "
            "finish: look for deeply nested piecewise or complex-valued constant expressions). Raise the limit "
            "with HER2SIM_MAX_READ_SECONDS if the model is really this large."
        )

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
