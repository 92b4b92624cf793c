"""Read and write logical models: ``.bnet``, ``.aeon``, SBML-qual, and MaBoSS ``.bnd`` + ``.cfg`` (read).

Every reader returns a :class:`~her2sim.logical.model.LogicalModel` with explicit inputs: a
variable that appears only on right-hand sides (``.bnet``), has no update function and no
regulators (``.aeon``), or has no transition (SBML-qual) is an input with an identity rule.

Writers are semantics-preserving: reading a written file gives the same rule truth tables.
Constructs a format cannot hold raise :class:`~her2sim.errors.UnsupportedFeatureError`.

Files are read with the bounds of :mod:`her2sim.io._limits` (size; UTF-8 with a clear error;
SBML-qual through the same XML pre-scan as SBML) and rules through the bounded rule parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import Any

from ..errors import ModelError, UnknownNameError, UnsupportedFeatureError
from ..io import _limits
from .expr import FALSE, TRUE, And, Const, Expr, Not, Or, RuleSyntaxError, Var, Xor, monotonicity, parse_rule
from .model import LogicalModel, Rule

__all__ = [
    "read_bnet",
    "parse_bnet",
    "write_bnet",
    "to_bnet",
    "read_aeon",
    "parse_aeon",
    "write_aeon",
    "to_aeon",
    "read_sbml_qual",
    "parse_sbml_qual",
    "write_sbml_qual",
    "to_sbml_qual",
    "read_maboss",
    "parse_maboss",
    "read_logical",
    "write_logical",
]

PathType = str | PathLike[str]


def _model_id(path: Path) -> str:
    # Peer folders hold model.bnet/model.aeon/model.sbml: the folder names the model.
    return path.parent.name if path.stem == "model" and path.parent.name else path.stem


# ---------------------------------------------------------------------------------------------
# .bnet
# ---------------------------------------------------------------------------------------------


def parse_bnet(text: str, *, model_id: str = "bnet_model", source: str | None = None, **metadata: Any) -> LogicalModel:
    """Parse ``.bnet`` text (``target, factors`` lines).

    Parameters
    ----------
    text : str
        File contents. ``#`` starts a comment; a ``targets, factors`` header is skipped.
    model_id : str
        Identifier of the returned model.
    source : str, optional
        Label for error messages (file name).
    **metadata
        Passed to :meth:`LogicalModel.from_rules` (``phenotypes``, ``name``, ``citation`` ...).

    Returns
    -------
    LogicalModel

    Raises
    ------
    RuleSyntaxError
        For a malformed line; the message names the line number and the problem.
    ModelError
        For a node defined twice.
    """
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if re.fullmatch(r"targets\s*,\s*factors", line, flags=re.IGNORECASE):
            continue
        if "," not in line:
            raise RuleSyntaxError(
                "expected 'target, rule' (no comma found)", text=line, position=len(line),
                line=number, source=source,
            )
        target, factors = (part.strip() for part in line.split(",", 1))
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*|[0-9]+[A-Za-z_][A-Za-z0-9_.]*", target):
            raise RuleSyntaxError(
                f"invalid target name {target!r}", text=line, position=0, line=number, source=source
            )
        if target in seen:
            raise ModelError(
                f"{source or 'bnet'}: line {number}: node {target!r} already has a rule (line {seen[target]})"
            )
        seen[target] = number
        expression = parse_rule(factors, line=number, source=source)
        rules.append(Rule(target, expression))
    if not rules:
        raise ModelError(f"{source or 'bnet'}: no rules found")
    return LogicalModel.from_rules(model_id, rules, source=source, **metadata)


def read_bnet(path: PathType, *, model_id: str | None = None, **metadata: Any) -> LogicalModel:
    """Read a ``.bnet`` file; see :func:`parse_bnet`. ``model_id`` defaults to the file or folder name."""
    path = Path(path)
    return parse_bnet(
        _limits.read_text(path, "bnet file"), model_id=model_id or _model_id(path), source=path.name, **metadata
    )


def to_bnet(model: LogicalModel) -> str:
    """Render ``model`` as ``.bnet`` text; free inputs are written as ``X, X``."""
    lines = [f"# {model.id}", "targets, factors"]
    width = max(len(node) for node in model.nodes)
    for rule in model.rules:
        lines.append(f"{rule.target.ljust(width)}, {rule.expression.to_string('bnet')}")
    return "\n".join(lines) + "\n"


def write_bnet(model: LogicalModel, path: PathType) -> Path:
    """Write ``model`` to a ``.bnet`` file and return the path."""
    path = Path(path)
    path.write_text(to_bnet(model))
    return path


# ---------------------------------------------------------------------------------------------
# .aeon
# ---------------------------------------------------------------------------------------------

_REGULATION = re.compile(r"^\s*([A-Za-z0-9_{}.]+)\s+-([>|?])(\??)\s+([A-Za-z0-9_{}.]+)\s*$")
_FUNCTION = re.compile(r"^\s*\$\s*([A-Za-z0-9_{}.]+)\s*:(.*)$")
_PARAMETRISED = re.compile(r"[A-Za-z0-9_{}.]+\s*\(")


def parse_aeon(text: str, *, model_id: str = "aeon_model", source: str | None = None, **metadata: Any) -> LogicalModel:
    """Parse ``.aeon`` text (regulations ``A -> B``, ``A -| B``, ``A -? B`` with optional ``?``
    for non-essential, and update functions ``$B: A & !C``).

    A variable without update function and without regulators is a free input. A variable with
    regulators but no update function, or a function using uninterpreted parameters ``f(A)``, is a
    partially specified network and raises :class:`UnsupportedFeatureError`.

    Regulation signs are not used for semantics (the update functions are); they are not
    re-checked here.
    """
    label = source or "aeon"
    order: dict[str, None] = {}
    regulators: dict[str, set[str]] = {}
    functions: dict[str, tuple[int, str]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _FUNCTION.match(line)
        if match:
            target, body = match.group(1), match.group(2).strip()
            if target in functions:
                raise ModelError(f"{label}: line {number}: node {target!r} already has an update function")
            if _PARAMETRISED.search(body):
                raise UnsupportedFeatureError(
                    f"{label}: line {number}: update function of {target!r} uses an uninterpreted "
                    f"parameter ({body!r}); only fully specified networks are supported"
                )
            functions[target] = (number, body)
            order.setdefault(target)
            continue
        match = _REGULATION.match(line)
        if match:
            source_node, target = match.group(1), match.group(4)
            order.setdefault(source_node)
            order.setdefault(target)
            regulators.setdefault(target, set()).add(source_node)
            continue
        raise RuleSyntaxError(
            "not a regulation ('A -> B', 'A -| B', 'A -? B') or update function ('$B: ...')",
            text=line, position=0, line=number, source=source,
        )
    if not order:
        raise ModelError(f"{label}: no variables found")
    rules: list[Rule] = []
    inputs: list[str] = []
    for node in order:
        if node in functions:
            number, body = functions[node]
            rules.append(Rule(node, parse_rule(body, line=number, source=source)))
        elif regulators.get(node):
            raise UnsupportedFeatureError(
                f"{label}: variable {node!r} has regulators {sorted(regulators[node])} but no update "
                "function (an unspecified, parametrised function); cannot build a Boolean model"
            )
        else:
            rules.append(Rule(node, Var(node), mechanism="input: no update function in the source"))
            inputs.append(node)
    return LogicalModel.from_rules(model_id, rules, inputs=inputs, source=source, **metadata)


def read_aeon(path: PathType, *, model_id: str | None = None, **metadata: Any) -> LogicalModel:
    """Read an ``.aeon`` file; see :func:`parse_aeon`."""
    path = Path(path)
    return parse_aeon(_limits.read_text(path, "aeon file"), model_id=model_id or _model_id(path), source=path.name, **metadata)


def _regulation_lines(model: LogicalModel, *, identity_inputs: bool) -> list[str]:
    lines: list[str] = []
    free = set(model.free_inputs)
    regulated_somewhere: set[str] = set()
    for rule in model.rules:
        if rule.target in free and not identity_inputs:
            continue
        signs = monotonicity(rule.expression)
        for regulator in model.regulators(rule.target):
            regulated_somewhere.add(regulator)
            sign, essential = signs[regulator]
            arrow = {"+": "->", "-": "-|", None: "-?"}[sign]
            lines.append(f"{regulator} {arrow}{'' if essential else '?'} {rule.target}")
    return lines


def to_aeon(model: LogicalModel, *, identity_inputs: bool = False) -> str:
    """Render ``model`` as ``.aeon`` text.

    Parameters
    ----------
    model : LogicalModel
        The model.
    identity_inputs : bool
        If False (default), free inputs get no update function (aeon's canonical inputs, which aeon
        turns into parameters). If True they get ``$X: X``, so that every input is an ordinary
        state variable; her2sim's analyses use this form.

    Notes
    -----
    Regulation signs and essentiality are computed from the rule's truth table (for rules of up to
    20 variables; larger rules get unknown, non-essential regulations ``-??``).
    An input that regulates nothing has no regulation to declare it in ``.aeon``; it is written with
    a self-loop and an identity function, which reads back as an input.
    """
    lines = [f"#name:{model.id}"]
    lines += _regulation_lines(model, identity_inputs=identity_inputs)
    mentioned = {token for line in lines[1:] for token in line.split()[::2]}
    free = set(model.free_inputs)
    for rule in model.rules:
        if rule.target in free and not identity_inputs:
            if rule.target not in mentioned:
                lines.append(f"{rule.target} -> {rule.target}")
                lines.append(f"${rule.target}: {rule.target}")
            continue
        lines.append(f"${rule.target}: {rule.expression.to_string('aeon')}")
    return "\n".join(lines) + "\n"


def write_aeon(model: LogicalModel, path: PathType, *, identity_inputs: bool = False) -> Path:
    """Write ``model`` to an ``.aeon`` file; see :func:`to_aeon`."""
    path = Path(path)
    path.write_text(to_aeon(model, identity_inputs=identity_inputs))
    return path


# ---------------------------------------------------------------------------------------------
# SBML-qual
# ---------------------------------------------------------------------------------------------

_QUAL_NS = "http://www.sbml.org/sbml/level3/version1/qual/version1"


def _libsbml() -> Any:
    try:
        import libsbml
    except ImportError as error:  # pragma: no cover - libsbml is a core dependency
        raise ImportError("SBML-qual needs python-libsbml: pip install python-libsbml") from error
    return libsbml


def _threshold(libsbml: Any, node: Any, thresholds: dict[str, int], label: str) -> int | None:
    if node.getType() == libsbml.AST_INTEGER:
        return int(node.getValue())
    if node.getType() == libsbml.AST_REAL and float(node.getValue()).is_integer():
        return int(node.getValue())
    if node.isName() and node.getName() in thresholds:
        return thresholds[node.getName()]
    return None


def _compare(variable: str, relation: str, threshold: int) -> Expr:
    # Boolean species take levels 0 and 1 only; reduce the comparison to x, !x or a constant.
    x = Var(variable)
    level_true = {
        "eq": (threshold == 0, threshold == 1),
        "neq": (threshold != 0, threshold != 1),
        "geq": (0 >= threshold, 1 >= threshold),
        "gt": (0 > threshold, 1 > threshold),
        "leq": (0 <= threshold, 1 <= threshold),
        "lt": (0 < threshold, 1 < threshold),
    }[relation]
    at_zero, at_one = level_true
    if at_zero and at_one:
        return TRUE
    if not at_zero and not at_one:
        return FALSE
    return x if at_one else Not(x)


_FLIP = {"eq": "eq", "neq": "neq", "geq": "leq", "leq": "geq", "gt": "lt", "lt": "gt"}


def _math_to_expr(libsbml: Any, node: Any, species: set[str], thresholds: dict[str, int], label: str) -> Expr:
    kind = node.getType()
    children = [node.getChild(i) for i in range(node.getNumChildren())]
    logical = {
        libsbml.AST_LOGICAL_AND: "and",
        libsbml.AST_LOGICAL_OR: "or",
        libsbml.AST_LOGICAL_XOR: "xor",
        libsbml.AST_LOGICAL_NOT: "not",
    }
    relational = {
        libsbml.AST_RELATIONAL_EQ: "eq",
        libsbml.AST_RELATIONAL_NEQ: "neq",
        libsbml.AST_RELATIONAL_GEQ: "geq",
        libsbml.AST_RELATIONAL_GT: "gt",
        libsbml.AST_RELATIONAL_LEQ: "leq",
        libsbml.AST_RELATIONAL_LT: "lt",
    }
    if kind in logical:
        operands = [_math_to_expr(libsbml, c, species, thresholds, label) for c in children]
        op = logical[kind]
        if op == "not":
            if len(operands) != 1:
                raise ModelError(f"{label}: <not/> with {len(operands)} arguments")
            return Not(operands[0])
        if not operands:
            return TRUE if op == "and" else FALSE
        if len(operands) == 1:
            return operands[0]
        if op == "and":
            return And(tuple(operands))
        if op == "or":
            return Or(tuple(operands))
        result = operands[0]
        for operand in operands[1:]:
            result = Xor(result, operand)
        return result
    if kind in relational:
        if len(children) != 2:
            raise UnsupportedFeatureError(f"{label}: comparison with {len(children)} arguments")
        relation = relational[kind]
        left, right = children
        if left.isName() and left.getName() in species:
            threshold = _threshold(libsbml, right, thresholds, label)
            variable = left.getName()
        elif right.isName() and right.getName() in species:
            threshold = _threshold(libsbml, left, thresholds, label)
            variable = right.getName()
            relation = _FLIP[relation]
        else:
            threshold = None
            variable = ""
        if threshold is None:
            raise UnsupportedFeatureError(
                f"{label}: comparison {libsbml.formulaToL3String(node)!r} is not "
                "'species <relation> integer threshold'"
            )
        return _compare(variable, relation, threshold)
    if kind == libsbml.AST_CONSTANT_TRUE:
        return TRUE
    if kind == libsbml.AST_CONSTANT_FALSE:
        return FALSE
    if node.isName() and node.getName() in species:
        # Not standard SBML-qual, but some exporters write a bare species for "species >= 1".
        return Var(node.getName())
    raise UnsupportedFeatureError(
        f"{label}: unsupported MathML construct {libsbml.formulaToL3String(node)!r} in a function term"
    )


def parse_sbml_qual(text: str, *, model_id: str | None = None, source: str | None = None, **metadata: Any) -> LogicalModel:
    """Parse SBML-qual text with libsbml's ``qual`` package.

    Each transition's function terms are read in order ("the first term that holds gives the
    level, else the default term") and folded into one Boolean expression. Threshold comparisons
    (``eq``, ``neq``, ``geq``, ``gt``, ``leq``, ``lt`` against an integer or an input's
    ``thresholdLevel``) are reduced exactly on Boolean levels.

    Species with no transition are inputs: free (identity) when ``constant="false"`` or when no
    ``initialLevel`` is set, fixed at ``initialLevel`` when ``constant="true"``.

    Raises
    ------
    UnsupportedFeatureError
        For multi-valued species (``maxLevel > 1``; the message names them), a species updated by
        two transitions, or MathML outside the threshold/logical subset.
    ModelError
        If libsbml reports errors or the document has no qual model.
    """
    libsbml = _libsbml()
    label = source or "sbml-qual"
    _limits.scan_sbml(text.encode("utf-8", errors="surrogatepass"), label)  # bounds before libsbml
    document = libsbml.readSBMLFromString(text)
    # Only unreadable XML is fatal here. Schema errors such as the missing qual:compartment in the
    # Biodivine benchmark files do not affect the logic, which is checked below element by element.
    errors = [
        document.getError(i)
        for i in range(document.getNumErrors())
        if document.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_FATAL
        or (
            document.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR
            and document.getError(i).getCategory() == libsbml.LIBSBML_CAT_XML
        )
    ]
    if errors:
        detail = "; ".join(f"line {e.getLine()}: {e.getMessage().strip()}" for e in errors[:5])
        raise ModelError(f"{label}: libsbml could not read the document: {detail}")
    sbml_model = document.getModel()
    if sbml_model is None:
        raise ModelError(f"{label}: the document has no <model>")
    plugin = sbml_model.getPlugin("qual")
    if plugin is None or plugin.getNumQualitativeSpecies() == 0:
        raise ModelError(f"{label}: no SBML-qual qualitativeSpecies found (is the qual package enabled?)")
    species_list = [plugin.getQualitativeSpecies(i) for i in range(plugin.getNumQualitativeSpecies())]
    multi = [s.getId() for s in species_list if s.isSetMaxLevel() and s.getMaxLevel() > 1]
    if multi:
        raise UnsupportedFeatureError(
            f"{label}: multi-valued qualitative species (maxLevel > 1) are not supported: {', '.join(multi)}"
        )
    species = {s.getId() for s in species_list}
    functions: dict[str, Expr] = {}
    for t in range(plugin.getNumTransitions()):
        transition = plugin.getTransition(t)
        tlabel = f"{label}: transition {transition.getId() or t!r}"
        thresholds = {
            transition.getInput(i).getId(): transition.getInput(i).getThresholdLevel()
            for i in range(transition.getNumInputs())
            if transition.getInput(i).isSetId() and transition.getInput(i).isSetThresholdLevel()
        }
        default = transition.getDefaultTerm()
        if default is None:
            if transition.getNumFunctionTerms() == 0 and transition.getNumInputs() == 0:
                # An unspecified function of no regulators: a free input (Biodivine benchmark style).
                continue
            raise UnsupportedFeatureError(
                f"{tlabel}: no defaultTerm, i.e. an unspecified (parametrised) function"
            )
        expression: Expr = TRUE if default.getResultLevel() >= 1 else FALSE
        terms = [transition.getFunctionTerm(i) for i in range(transition.getNumFunctionTerms())]
        for term in reversed(terms):
            if term.getResultLevel() > 1:
                raise UnsupportedFeatureError(f"{tlabel}: functionTerm resultLevel {term.getResultLevel()} > 1")
            if term.getMath() is None:
                raise ModelError(f"{tlabel}: functionTerm without math")
            condition = _math_to_expr(libsbml, term.getMath(), species, thresholds, tlabel)
            if term.getResultLevel() == 1:
                expression = condition if expression == FALSE else Or((condition, expression))
            else:
                expression = (
                    FALSE if expression == FALSE else Not(condition) if expression == TRUE
                    else And((Not(condition), expression))
                )
        for o in range(transition.getNumOutputs()):
            target = transition.getOutput(o).getQualitativeSpecies()
            if target not in species:
                raise ModelError(f"{tlabel}: output {target!r} is not a qualitativeSpecies")
            if target in functions:
                raise UnsupportedFeatureError(f"{label}: species {target!r} is the output of two transitions")
            functions[target] = expression
    rules: list[Rule] = []
    inputs: list[str] = []
    for s in species_list:
        sid = s.getId()
        if sid in functions:
            rules.append(Rule(sid, functions[sid]))
            continue
        inputs.append(sid)
        if s.getConstant() and s.isSetInitialLevel():
            rules.append(Rule(sid, TRUE if s.getInitialLevel() >= 1 else FALSE, mechanism="constant input"))
        else:
            rules.append(Rule(sid, Var(sid), mechanism="input: no transition in the source"))
    name = sbml_model.getName() if sbml_model.isSetName() else ""
    metadata.setdefault("name", name)
    return LogicalModel.from_rules(
        model_id or (sbml_model.getId() if sbml_model.isSetId() else "sbml_qual_model"),
        rules, inputs=inputs, source=source, **metadata,
    )


def read_sbml_qual(path: PathType, *, model_id: str | None = None, **metadata: Any) -> LogicalModel:
    """Read an SBML-qual file; see :func:`parse_sbml_qual`."""
    path = Path(path)
    return parse_sbml_qual(_limits.read_text(path, "SBML-qual file"), model_id=model_id or _model_id(path), source=path.name, **metadata)


_SID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _expr_to_math(libsbml: Any, expr: Expr) -> Any:
    def build(node: Expr) -> Any:
        if isinstance(node, Var):
            relation = libsbml.ASTNode(libsbml.AST_RELATIONAL_EQ)
            name = libsbml.ASTNode(libsbml.AST_NAME)
            name.setName(node.name)
            one = libsbml.ASTNode(libsbml.AST_INTEGER)
            one.setValue(1)
            relation.addChild(name)
            relation.addChild(one)
            return relation
        if isinstance(node, Const):
            return libsbml.ASTNode(libsbml.AST_CONSTANT_TRUE if node.value else libsbml.AST_CONSTANT_FALSE)
        kinds: dict[type, tuple[int, list[Expr]]] = {
            Not: (libsbml.AST_LOGICAL_NOT, [node.operand] if isinstance(node, Not) else []),
            And: (libsbml.AST_LOGICAL_AND, list(node.operands) if isinstance(node, And) else []),
            Or: (libsbml.AST_LOGICAL_OR, list(node.operands) if isinstance(node, Or) else []),
            Xor: (libsbml.AST_LOGICAL_XOR, [node.left, node.right] if isinstance(node, Xor) else []),
        }
        kind, children = kinds[type(node)]
        result = libsbml.ASTNode(kind)
        for child in children:
            result.addChild(build(child))
        return result

    return build(expr)


def to_sbml_qual(model: LogicalModel) -> str:
    """Render ``model`` as SBML Level 3 Version 1 with the qual package.

    Free inputs are species without a transition; inputs fixed by :meth:`LogicalModel.with_inputs`
    are ``constant="true"`` species with their ``initialLevel``. Every other node gets one transition
    with a ``defaultTerm`` of level 0 and one ``functionTerm`` of level 1 whose MathML tests
    ``species == 1``.

    Raises
    ------
    UnsupportedFeatureError
        If a node name is not a valid SBML identifier (SId).
    """
    libsbml = _libsbml()
    bad = [node for node in model.nodes if not _SID.fullmatch(node)]
    if bad:
        raise UnsupportedFeatureError(f"node names are not valid SBML identifiers: {', '.join(bad)}")
    namespaces = libsbml.SBMLNamespaces(3, 1, "qual", 1)
    document = libsbml.SBMLDocument(namespaces)
    document.setPackageRequired("qual", True)
    sbml_model = document.createModel()
    sbml_model.setId(model.id if _SID.fullmatch(model.id) else "model")
    if model.name:
        sbml_model.setName(model.name)
    compartment = sbml_model.createCompartment()
    compartment.setId("cell")
    compartment.setConstant(True)
    plugin = sbml_model.getPlugin("qual")
    fixed_inputs = {node: value for node, value in model.fixed.items() if node in set(model.inputs)}
    for node in model.nodes:
        qs = plugin.createQualitativeSpecies()
        qs.setId(node)
        qs.setName(node)
        qs.setCompartment("cell")
        qs.setMaxLevel(1)
        qs.setConstant(node in fixed_inputs)
        if node in fixed_inputs:
            qs.setInitialLevel(fixed_inputs[node])
    free_inputs = set(model.free_inputs)
    for rule in model.rules:
        if rule.target in free_inputs or rule.target in fixed_inputs:
            continue
        transition = plugin.createTransition()
        transition.setId(f"tr_{rule.target}")
        signs = monotonicity(rule.expression)
        for regulator in model.regulators(rule.target):
            sign = signs[regulator][0]
            qi = transition.createInput()
            qi.setId(f"tr_{rule.target}_in_{regulator}")
            qi.setQualitativeSpecies(regulator)
            qi.setTransitionEffect(libsbml.INPUT_TRANSITION_EFFECT_NONE)
            qi.setSign(
                {"+": libsbml.INPUT_SIGN_POSITIVE, "-": libsbml.INPUT_SIGN_NEGATIVE}.get(
                    sign, libsbml.INPUT_SIGN_DUAL if sign is None and signs[regulator][1] else libsbml.INPUT_SIGN_UNKNOWN
                )
            )
        output = transition.createOutput()
        output.setId(f"tr_{rule.target}_out")
        output.setQualitativeSpecies(rule.target)
        output.setTransitionEffect(libsbml.OUTPUT_TRANSITION_EFFECT_ASSIGNMENT_LEVEL)
        default = transition.createDefaultTerm()
        if isinstance(rule.expression, Const):
            default.setResultLevel(int(rule.expression.value))
            continue
        default.setResultLevel(0)
        term = transition.createFunctionTerm()
        term.setResultLevel(1)
        term.setMath(_expr_to_math(libsbml, rule.expression))
    return libsbml.writeSBMLToString(document)


def write_sbml_qual(model: LogicalModel, path: PathType) -> Path:
    """Write ``model`` as SBML-qual; see :func:`to_sbml_qual`."""
    path = Path(path)
    path.write_text(to_sbml_qual(model))
    return path


# ---------------------------------------------------------------------------------------------
# MaBoSS .bnd + .cfg (read only)
# ---------------------------------------------------------------------------------------------

_MABOSS_NODE = re.compile(r"\b[Nn]ode\s+([A-Za-z_][A-Za-z0-9_]*)\s*\{([^{}]*)\}", re.S)
_MABOSS_WORDS = [(re.compile(r"\bAND\b|&&"), "&"), (re.compile(r"\bOR\b|\|\|"), "|"),
                 (re.compile(r"\bNOT\b"), "!"), (re.compile(r"\bXOR\b"), "^")]
# a rate that only switches on @logic (the Boolean semantics of the node's logic)
_MABOSS_RATE = re.compile(r"^[\s@$A-Za-z0-9_.?:()+\-*/]*$")
_MABOSS_ISTATE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\.istate$")
_MABOSS_INTERNAL = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\.is_internal$")


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def parse_maboss(bnd: str, cfg: str | None = None, *, model_id: str = "maboss_model", source: str | None = None,
                 **metadata: Any) -> LogicalModel:
    """Parse a MaBoSS network (``.bnd``) and optionally its configuration (``.cfg``).

    Each ``Node X { logic = ...; rate_up = ...; rate_down = ...; }`` block gives the rule
    ``X = logic`` (MaBoSS's ``AND``/``OR``/``NOT``/``XOR``, ``&&``, ``||`` and ``!`` are
    accepted). Rates set the speed of MaBoSS's continuous-time semantics, not which transitions
    exist, so they are not kept; a rate that reads other nodes directly (rather than through
    ``@logic``) changes the Boolean semantics and is refused. A node without ``logic`` is an
    input: constant at its ``istate`` when the configuration fixes it to 0 or 1, else free
    (identity). With a configuration that marks nodes ``is_internal = 1``, the other nodes are
    the model's phenotypes (MaBoSS's read-outs).

    Raises
    ------
    RuleSyntaxError
        For a malformed logic (line numbers refer to the ``.bnd`` text).
    UnsupportedFeatureError
        For rates that read nodes, or a node without logic whose rates are not 0.
    ModelError
        If no node is found or a node is defined twice.
    """
    label = source or "bnd"
    text = _strip_comments(bnd)
    rules: list[Rule] = []
    inputs: list[str] = []
    seen: set[str] = set()
    for match in _MABOSS_NODE.finditer(text):
        node, body = match.group(1), match.group(2)
        line = _line_of(text, match.start())
        if node in seen:
            raise ModelError(f"{label}: line {line}: node {node!r} is defined twice")
        seen.add(node)
        fields: dict[str, str] = {}
        for statement in body.split(";"):
            if not statement.strip():
                continue
            if "=" not in statement:
                raise RuleSyntaxError(f"expected 'name = value;' in node {node!r}", text=statement.strip(),
                                      position=0, line=line, source=source)
            key, value = (part.strip() for part in statement.split("=", 1))
            fields[key.lower()] = value
        for key in ("rate_up", "rate_down"):
            rate = fields.get(key)
            if rate is not None and (not _MABOSS_RATE.match(rate) or re.search(r"(?<![@$A-Za-z0-9_])[A-Za-z_]\w*", rate)):
                raise UnsupportedFeatureError(
                    f"{label}: line {line}: {key} of node {node!r} ({rate!r}) reads something other than @logic, "
                    "numbers and $parameters; its Boolean semantics differ from the logic. Express the "
                    "condition in 'logic'."
                )
        logic = fields.get("logic")
        if logic is None:
            for key in ("rate_up", "rate_down"):
                if key in fields and re.sub(r"[\s().]", "", fields[key]) not in ("0", "00", ""):
                    raise UnsupportedFeatureError(
                        f"{label}: line {line}: node {node!r} has no logic but {key} = {fields[key]!r}; "
                        "give it a logic, or rates 0 for an input"
                    )
            rules.append(Rule(node, Var(node), mechanism="input: no logic in the MaBoSS file"))
            inputs.append(node)
            continue
        for pattern, replacement in _MABOSS_WORDS:
            logic = pattern.sub(replacement, logic)
        rules.append(Rule(node, parse_rule(logic, line=line, source=source)))
    if not rules:
        raise ModelError(f"{label}: no 'Node NAME {{ ... }}' blocks found")
    istate: dict[str, str] = {}
    internal: dict[str, bool] = {}
    for number, statement in enumerate(_strip_comments(cfg or "").split(";"), start=1):
        if "=" not in statement:
            continue
        key, value = (part.strip() for part in statement.split("=", 1))
        m = _MABOSS_ISTATE.match(key)
        if m:
            istate[m.group(1)] = value
        m = _MABOSS_INTERNAL.match(key)
        if m:
            internal[m.group(1)] = value.strip() not in ("0", "FALSE", "false", "False")
    model = LogicalModel.from_rules(model_id, rules, inputs=inputs, source=source, **metadata)
    fixed = {n: int(istate[n]) for n in inputs if istate.get(n, "").strip() in ("0", "1")}
    if fixed:
        model = model.with_inputs(fixed)
    if any(internal.values()) and not metadata.get("phenotypes"):
        phenotypes = tuple(n for n in model.nodes if not internal.get(n, False))
        model = LogicalModel(model.id, model.rules, model.inputs, phenotypes, model.name, model.citation,
                             model.description)
    return model


def read_maboss(path: PathType, cfg: PathType | None = None, *, model_id: str | None = None,
                **metadata: Any) -> LogicalModel:
    """Read a MaBoSS ``.bnd`` file and its ``.cfg`` (default: the ``.cfg`` next to it with the
    same stem, if present); see :func:`parse_maboss`."""
    path = Path(path)
    cfg_path = Path(cfg) if cfg is not None else path.with_suffix(".cfg")
    cfg_text = _limits.read_text(cfg_path, "MaBoSS configuration") if (cfg is not None or cfg_path.is_file()) else None
    return parse_maboss(_limits.read_text(path, "MaBoSS network"), cfg_text,
                        model_id=model_id or _model_id(path), source=path.name, **metadata)


# ---------------------------------------------------------------------------------------------
# Dispatch by suffix
# ---------------------------------------------------------------------------------------------

_READERS: dict[str, Callable[..., LogicalModel]] = {
    ".bnd": read_maboss,
    ".bnet": read_bnet,
    ".aeon": read_aeon,
    ".sbml": read_sbml_qual,
    ".xml": read_sbml_qual,
}
_WRITERS: dict[str, Callable[..., Path]] = {
    ".bnet": write_bnet,
    ".aeon": write_aeon,
    ".sbml": write_sbml_qual,
    ".xml": write_sbml_qual,
}


def read_logical(path: PathType, *, model_id: str | None = None, **metadata: Any) -> LogicalModel:
    """Read a logical model, choosing the format from the suffix (``.bnet``, ``.aeon``, ``.sbml``/``.xml``,
    ``.bnd`` with the ``.cfg`` of the same name when there is one).

    Raises
    ------
    UnknownNameError
        For an unknown suffix.
    """
    path = Path(path)
    try:
        reader = _READERS[path.suffix.lower()]
    except KeyError:
        raise UnknownNameError("path suffix", path.suffix, _READERS) from None
    return reader(path, model_id=model_id, **metadata)


def write_logical(model: LogicalModel, path: PathType) -> Path:
    """Write a logical model, choosing the format from the suffix."""
    path = Path(path)
    try:
        writer = _WRITERS[path.suffix.lower()]
    except KeyError:
        raise UnknownNameError("path suffix", path.suffix, _WRITERS) from None
    return writer(model, path)
