"""SBML import and export (python-libsbml).

:func:`read_sbml` reads SBML Level 2 (all versions) and Level 3 Version 1/2 *core* into a
:class:`~her2sim.model.Model`; :func:`write_sbml` writes SBML Level 3 Version 2 core.

Nothing is dropped silently. A construct the model representation cannot hold faithfully raises
:class:`~her2sim.errors.UnsupportedFeatureError` naming the element kind and its id:

* constraints with math (L3V2 allows math-less elements; those are ignored, as the
  specification says, and listed in ``metadata["sbml_ignored"]``, like an event without a
  trigger, which never fires); algebraic rules that cannot be solved in closed form for the
  variable the specification's matching gives them (the solvable ones become assignment rules,
  see :mod:`her2sim.io._algebraic`), or whose variable is ambiguous;
* SBML Level 3 packages other than layout/render and comp (an SBML-qual file is a logical
  model and is refused with a pointer to the logical reader);
* in a hierarchical (comp) model -- flattened into core by libSBML's CompFlatteningConverter on
  read -- an external model file that is not a local file next to the model (or found from a
  model read from a string), a cycle of them, or more than :data:`MAX_EXTERNAL_FILES`; each
  external file passes the same size and pre-scan bounds as the model (:mod:`._limits`).

Any SBML id is read as is, including ``time`` (the time csymbol is a different thing);
``read_sbml(..., rename={"time": "time_value"})`` gives a component another id, with every
reference to it, e.g. to report it next to a result's ``time`` coordinate. A units attribute
naming no unit definition is a :class:`~her2sim.errors.Her2simWarning`, not an error: units
are labels to her2sim and do not change the math.

``rateOf()`` is read as :class:`her2sim.model.math.rateOf` and compiled as the derivative of its
argument (:mod:`her2sim.engine.rates`); ``delay()`` as :class:`her2sim.model.math.delay`,
compiled with a history of the state (``engine/solver.c``; the compiler refuses the delays it
cannot evaluate from that history, naming them).

``fast="true"`` reactions (rapid equilibrium, an algebraic constraint) are refused unless the
caller asks for the approximation ``read_sbml(..., fast_reactions="kinetic")``, which imports them
as ordinary reactions with their kinetic laws and an
:class:`~her2sim.errors.UnsupportedFeatureWarning`. Elements without
simulation semantics (layout/render, L2 compartment and species types, unit definitions, notes
of components) are not represented as model components; the unit definitions and the list of
what was set aside are kept in ``Model.metadata`` (keys ``"unit_definitions"`` and
``"sbml_ignored"``) and unit definitions are written back on export.

What SBML core cannot hold (units as free text, :class:`~her2sim.model.Provenance`, gene symbols,
model notes and citation verbatim) is written to a her2sim annotation (namespace
:data:`HER2SIM_NS`) and to XHTML notes, and read back from there, so that
``read_sbml(write_sbml(model))`` returns an equivalent model.

Math is converted only through :func:`her2sim.model.math.from_ast` and
:func:`her2sim.model.math.to_ast` (libSBML ASTs); no model text is ever evaluated.
"""

from __future__ import annotations

import math as _pymath
import os
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse
from xml.sax.saxutils import escape

import libsbml
import sympy

from ..errors import (
    Her2simWarning,
    ModelError,
    UnknownNameError,
    UnsupportedFeatureError,
    UnsupportedFeatureWarning,
    ValidationError,
)
from ..model.components import (
    AssignmentRule,
    Compartment,
    Event,
    InitialAssignment,
    Parameter,
    Provenance,
    RateRule,
    Reaction,
    Species,
)
from ..model.math import from_ast, lambda_from_ast, symbol, to_ast
from ..model.model import Model
from . import _algebraic
from . import _limits

__all__ = ["read_sbml", "write_sbml", "HER2SIM_NS"]

#: XML namespace of the her2sim annotation (units, provenance, genes, model notes).
HER2SIM_NS = "https://her2sim.org/sbml/annotation/1"
_H2S_PREFIX = "her2sim"
_XHTML_NS = "http://www.w3.org/1999/xhtml"

#: Graphical L3 packages: no simulation semantics, set aside (recorded in metadata).
_GRAPHICAL_PACKAGES = ("layout", "render")

_TIME_WORDS = {1.0: "second", 60.0: "minute", 3600.0: "hour", 86400.0: "day"}

_UnitDef = tuple[tuple[str, float, int, float], ...]


# ============================================================================ reading


def read_sbml(
    path_or_string: str | os.PathLike[str] | bytes,
    *,
    model_id: str | None = None,
    fast_reactions: str = "equilibrium",
    rename: Mapping[str, str] | None = None,
) -> Model:
    """Read an SBML file or string into a :class:`~her2sim.model.Model`.

    Parameters
    ----------
    path_or_string
        Path of an SBML file, or the SBML document itself (a string starting with ``<``, or
        bytes).
    model_id
        Id of the returned model. Default: the SBML model's id, else the file's stem, else
        ``"model"``.
    fast_reactions : {"equilibrium", "refuse", "kinetic"}
        What to do with ``fast="true"`` reactions, whose SBML meaning is rapid equilibrium:
        ``"equilibrium"`` (default) imports them with ``Reaction.fast`` set, simulated as rapid
        equilibrium (:mod:`her2sim.engine.fast`; a fast subsystem without a unique closed-form
        equilibrium is refused here, naming the reactions); ``"refuse"`` raises;
        ``"kinetic"`` imports them as ordinary reactions with their kinetic laws, with a warning
        -- right only if the modeller did not rely on the flag (e.g. BioModels exports that set
        it on every reaction).
    rename : mapping of str to str, optional
        New ids for compartments, species, parameters, reactions or species references,
        ``{old: new}``, applied to the document before import (the element and every reference
        to it, by libSBML). SBML allows any id, but a result cannot hold a variable named
        ``time`` (its time coordinate): ``read_sbml(path, rename={"time": "time_value"})``.

    Returns
    -------
    Model
        The model. Local parameters are promoted to global parameters named
        ``<reactionid>_<parameterid>`` (made unique if that id is taken); function definitions
        are inlined. ``metadata`` holds ``"sbml_level"``, ``"sbml_version"``,
        ``"unit_definitions"``, ``"promoted_local_parameters"``, ``"fast_reactions"``,
        ``"annotation_qualifiers"`` and ``"sbml_ignored"``.

    Raises
    ------
    FileNotFoundError
        If a path is given and does not exist.
    ModelError
        If libSBML reports XML or consistency errors (severity error or fatal; unit
        consistency is not checked), or a value the model needs is undefined (a compartment
        without size, a species without initial value, a parameter without value, none of them
        set by an initial assignment or assignment rule), or math calls an undefined function.
    UnsupportedFeatureError
        For SBML-qual files, ``fast="true"`` reactions without a unique closed-form equilibrium
        (or any, with ``fast_reactions="refuse"``) and any construct listed in the module docstring.
    ValidationError
        If ``fast_reactions`` is not one of the allowed values, or ``rename`` gives a new id
        that is not an SBML id or is taken.
    UnknownNameError
        If ``rename`` names an id that is not a compartment, species, parameter, reaction or
        species reference of the model (the message names the closest one).

    Warns
    -----
    UnsupportedFeatureWarning
        If reactions have ``fast="true"`` and ``fast_reactions="kinetic"``.

    Examples
    --------
    >>> text = '''<?xml version="1.0" encoding="UTF-8"?>
    ... <sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
    ...   <model id="decay">
    ...     <listOfCompartments>
    ...       <compartment id="cell" size="1" constant="true"/>
    ...     </listOfCompartments>
    ...     <listOfSpecies>
    ...       <species id="A" compartment="cell" initialConcentration="10"
    ...         hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/>
    ...     </listOfSpecies>
    ...     <listOfParameters>
    ...       <parameter id="k" value="0.1" constant="true"/>
    ...     </listOfParameters>
    ...     <listOfReactions>
    ...       <reaction id="R1" reversible="false">
    ...         <listOfReactants>
    ...           <speciesReference species="A" stoichiometry="1" constant="true"/>
    ...         </listOfReactants>
    ...         <kineticLaw>
    ...           <math xmlns="http://www.w3.org/1998/Math/MathML">
    ...             <apply><times/><ci>k</ci><ci>A</ci><ci>cell</ci></apply>
    ...           </math>
    ...         </kineticLaw>
    ...       </reaction>
    ...     </listOfReactions>
    ...   </model>
    ... </sbml>'''
    >>> model = read_sbml(text)
    >>> model.species_ids, model.reactions[0].rate
    (('A',), A*cell*k)
    """
    if fast_reactions not in ("equilibrium", "refuse", "kinetic"):
        raise ValidationError(
            f"fast_reactions must be 'equilibrium', 'refuse' or 'kinetic', got {fast_reactions!r}"
        )
    doc, source = _load_document(path_or_string)
    if rename:
        _rename_ids(doc, rename)
    try:
        with _limits.time_limit(f"reading SBML {source or 'string'}"):
            return _Reader(doc, source, model_id, fast_reactions=fast_reactions).build()
    except RecursionError:
        raise ModelError(
            f"SBML {source or 'string'}: an expression is nested too deeply to convert (after inlining function "
            "definitions); flatten it with intermediate assignment rules"
        ) from None
    except (TypeError, AttributeError, ArithmeticError) as exc:
        # sympy evaluating hostile math (comparisons of complex values, Boolean arithmetic...):
        # never a raw exception from reading a file
        raise ModelError(
            f"SBML {source or 'string'}: math that her2sim cannot interpret ({type(exc).__name__}: {exc}); "
            "check the expressions for complex values (log or root of negative constants) or Booleans used as numbers"
        ) from exc


def _rename_ids(doc: libsbml.SBMLDocument, rename: Mapping[str, str]) -> None:
    """Give elements of ``doc`` new ids, with every reference to them (``read_sbml(rename=...)``)."""
    m = doc.getModel()
    if not isinstance(rename, Mapping):
        raise ValidationError(f"rename must be a mapping of old id to new id, got {type(rename).__name__}")
    kinds = (libsbml.SBML_COMPARTMENT, libsbml.SBML_SPECIES, libsbml.SBML_PARAMETER, libsbml.SBML_REACTION,
             libsbml.SBML_SPECIES_REFERENCE)
    elements = [e for e in doc.getListOfAllElements() if e.getTypeCode() in kinds and e.isSetId()]
    renamable = {e.getId(): e for e in elements}
    taken = {e.getId() for e in doc.getListOfAllElements() if e.isSetId()}
    for old, new in rename.items():
        if not isinstance(old, str) or not isinstance(new, str):
            raise ValidationError(f"rename must map ids (strings) to ids, got {old!r}: {new!r}")
        if old not in renamable:
            raise UnknownNameError("rename", old, renamable)
        if not libsbml.SyntaxChecker.isValidSBMLSId(new):
            raise ValidationError(
                f"rename[{old!r}]: {new!r} is not an SBML id (a letter or '_', then letters, digits or '_')"
            )
        if new in taken and new != old:
            raise ValidationError(f"rename[{old!r}]: the id {new!r} is taken in the model")
        for r in m.getListOfReactions():
            law = r.getKineticLaw()
            if law is not None and (law.getParameter(old) is not None or law.getLocalParameter(old) is not None):
                raise ValidationError(
                    f"rename[{old!r}]: a local parameter of reaction {r.getId()!r} has the id {old!r} too; "
                    "renaming the global one would change that kinetic law's meaning"
                )
    targets = [new for old, new in rename.items() if new != old]
    if len(set(targets)) < len(targets):
        raise ValidationError(f"rename gives two ids the same new id: {sorted(rename.items())!r:.200}")
    for old, new in rename.items():
        if new == old:
            continue
        renamable[old].setId(new)
        for element in doc.getListOfAllElements():
            element.renameSIdRefs(old, new)
        taken.add(new)


def _load_document(path_or_string: str | os.PathLike[str] | bytes) -> tuple[libsbml.SBMLDocument, str]:
    # bounds (size, depth, numbers, rule chains, namespace) before libSBML sees the text
    data, source, path = _limits.sbml_source(path_or_string)
    _limits.scan_sbml(data, source)
    if path is not None:
        doc = libsbml.readSBMLFromFile(str(path))
    else:
        doc = libsbml.readSBMLFromString(_limits.decode_text(data, "the SBML document"))
    doc = _flatten_comp(doc, source, path)
    _refuse_packages(doc, source)
    errors = _errors(doc)
    if errors:
        raise ModelError(_error_message(f"SBML {source or 'string'} could not be read", errors))
    if doc.getModel() is None:
        raise ModelError(f"SBML {source or 'string'} contains no <model>")
    # Unit consistency and modelling-practice checks give warnings on most published models;
    # they do not change the meaning of the math, so they are not checked.
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, False)
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_MODELING_PRACTICE, False)
    doc.checkConsistency()
    errors = _errors(doc)
    dangling = [e for e in errors if e.getErrorId() == _DANGLING_UNIT]
    errors = [e for e in errors if e.getErrorId() != _DANGLING_UNIT]
    if errors:
        raise ModelError(_error_message(f"SBML {source or 'string'} is not valid SBML", errors))
    if dangling:
        # A units attribute naming no unit definition (e.g. L2's built-in "area" kept in an L3
        # translation): her2sim does not convert units, so the math means the same either way.
        warnings.warn(
            Her2simWarning(
                _error_message(
                    f"SBML {source or 'string'}: unit reference(s) that resolve to no unit definition, "
                    "kept as labels (units do not change her2sim's math)",
                    dangling,
                )
            ),
            stacklevel=3,
        )
    return doc, source


#: libSBML's "dangling reference to a unit" (rule 10313): the only validity error that is a warning
#: here, because units are labels to her2sim.
_DANGLING_UNIT = 10313


def _errors(doc: libsbml.SBMLDocument) -> list[libsbml.SBMLError]:
    return [
        doc.getError(i)
        for i in range(doc.getNumErrors())
        if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR
    ]


def _error_message(head: str, errors: list[libsbml.SBMLError], limit: int = 10) -> str:
    lines = [
        f"  line {e.getLine()}: [{e.getCategoryAsString()}] {e.getMessage().strip()}"
        for e in errors[:limit]
    ]
    more = f"\n  ... ({len(errors)} errors in all)" if len(errors) > limit else ""
    return f"{head} ({len(errors)} error(s)):\n" + "\n".join(lines) + more


#: Bounds on the external model files of one hierarchical model (``comp:externalModelDefinition``,
#: followed recursively): files in all and nesting depth. The SBML Test Suite needs 2 and 2.
MAX_EXTERNAL_FILES = 64
MAX_EXTERNAL_DEPTH = 16


def _flatten_comp(doc: libsbml.SBMLDocument, source: str, path: Path | None) -> libsbml.SBMLDocument:
    """A hierarchical (``comp``) model flattened into one core model by libSBML's
    CompFlatteningConverter; other documents are returned unchanged. External model definitions
    are local files relative to the model's folder; each is checked (exists, size, pre-scan) by
    :func:`_check_external_models` before libSBML reads it."""
    if not doc.isPackageEnabled("comp"):
        return doc
    where = f"SBML {source or 'string'}"
    errors = _errors(doc)
    if errors:
        raise ModelError(_error_message(f"{where} could not be read", errors))
    _check_external_models(doc, where, path, chain=(path.resolve(),) if path else (), seen=set())
    props = libsbml.ConversionProperties()
    props.addOption("flatten comp", True)
    props.addOption("leave_ports", False)
    props.addOption("abortIfUnflattenable", "none")
    status = doc.convert(props)
    errors = _errors(doc)
    if status != libsbml.LIBSBML_OPERATION_SUCCESS or errors:
        raise UnsupportedFeatureError(
            _error_message(f"{where}: hierarchical model (comp package) could not be flattened by libSBML", errors)
            if errors
            else f"{where}: hierarchical model (comp package) could not be flattened by libSBML (status {status})"
        )
    # the flattened model is core only; drop the namespace so that package checks see core
    doc.enablePackage(libsbml.CompExtension.getXmlnsL3V1V1(), "comp", False)
    return doc


def _check_external_models(
    doc: libsbml.SBMLDocument, where: str, path: Path | None, chain: tuple[Path, ...], seen: set[Path]
) -> None:
    """Refuse, naming the ``externalModelDefinition`` and its source, the external models that
    libSBML's flattening would read unchecked: a document read from a string (no folder to
    resolve against), a URL, a missing file, a cycle, too many or too deeply nested files; check
    each file's size and pre-scan it (:mod:`her2sim.io._limits`) and recurse into its own."""
    plugin = doc.getPlugin("comp")
    if plugin is None:
        return
    for i in range(plugin.getNumExternalModelDefinitions()):
        emd = plugin.getExternalModelDefinition(i)
        label = f"{where}: comp externalModelDefinition {emd.getId()!r} (source {emd.getSource()!r})"
        if path is None:
            raise UnsupportedFeatureError(
                f"{label}: a hierarchical model read from a string has no folder to find its external model "
                "files in; pass the path of the file to read_sbml"
            )
        uri = urlparse(emd.getSource())
        if uri.scheme not in ("", "file") or uri.netloc:
            raise UnsupportedFeatureError(
                f"{label}: external models are read from local files only (not {uri.scheme or uri.netloc!r} "
                "addresses); download the file next to the model and refer to it by its name"
            )
        target = (path.parent / unquote(uri.path)).resolve()
        if not target.is_file():
            raise UnsupportedFeatureError(
                f"{label}: the external model file {target.name!r} is not in the model's folder; a "
                "hierarchical model is flattened with all its files"
            )
        if target in chain:
            raise ModelError(f"{label}: external model files refer to each other in a cycle")
        if len(chain) + 1 > MAX_EXTERNAL_DEPTH or (target not in seen and len(seen) >= MAX_EXTERNAL_FILES):
            raise _limits.InputLimitError(
                f"{label}: more than {MAX_EXTERNAL_FILES} external model files or nesting deeper than "
                f"{MAX_EXTERNAL_DEPTH}; flatten the model with libSBML outside her2sim"
            )
        if target in seen:
            continue
        seen.add(target)
        data, name, _ = _limits.sbml_source(target)
        _limits.scan_sbml(data, name)
        sub = libsbml.readSBMLFromString(_limits.decode_text(data, f"external model file {name!r}"))
        errors = _errors(sub)
        if errors:
            raise ModelError(_error_message(f"{label}: the external model file could not be read", errors))
        if sub.isPackageEnabled("comp"):
            _check_external_models(sub, f"SBML {name}", target, chain + (target,), seen)


def _refuse_packages(doc: libsbml.SBMLDocument, source: str) -> None:
    where = f"SBML {source or 'string'}"
    namespaces = doc.getNamespaces()
    uris = [namespaces.getURI(i) for i in range(namespaces.getLength())] if namespaces else []
    packages = []
    for uri in uris:
        match = re.match(r"http://www\.sbml\.org/sbml/level3/version\d/([a-z]+)/version\d", uri)
        if match:
            packages.append(match.group(1))
    if "qual" in packages:
        raise UnsupportedFeatureError(
            f"{where} is an SBML-qual (qualitative/logical) model, not a kinetic model; "
            "read_sbml imports SBML core kinetic models only. Use the logical reader "
            "her2sim.logical.read_sbml_qual (or her2sim.logical.read_logical) for SBML-qual files."
        )
    others = [p for p in packages if p not in _GRAPHICAL_PACKAGES]
    if others:
        raise UnsupportedFeatureError(
            f"{where} uses SBML Level 3 package(s) {others}; only SBML core "
            f"(plus the graphical packages {list(_GRAPHICAL_PACKAGES)}, which are set aside) is supported"
        )
    if doc.getNumUnknownPackages() > 0:
        unknown = [doc.getUnknownPackagePrefix(i) for i in range(doc.getNumUnknownPackages())]
        raise UnsupportedFeatureError(f"{where} uses unknown SBML package(s) {unknown}")


def _ast_function_calls(node: libsbml.ASTNode | None) -> set[str]:
    found: set[str] = set()
    if node is None:
        return found
    stack = [node]
    while stack:
        n = stack.pop()
        if n.getType() == libsbml.AST_FUNCTION:
            found.add(n.getName())
        stack.extend(n.getChild(i) for i in range(n.getNumChildren()))
    return found


def _ast_names(node: libsbml.ASTNode | None) -> set[str]:
    found: set[str] = set()
    stack = [node] if node is not None else []
    while stack:
        n = stack.pop()
        if n.getType() == libsbml.AST_NAME:
            found.add(n.getName())
        stack.extend(n.getChild(i) for i in range(n.getNumChildren()))
    return found


def _identifiers_org(uri: str) -> str:
    """Normalise a MIRIAM URI/URN to a compact identifiers.org URI (others are kept)."""
    ns = ident = None
    m = re.match(r"urn:miriam:([^:]+):(.+)$", uri)
    if m:
        ns, ident = m.group(1), unquote(m.group(2))
    else:
        m = re.match(r"https?://identifiers\.org/(.+)$", uri)
        if m:
            rest = m.group(1)
            if "/" in rest:
                ns, ident = rest.split("/", 1)
            else:
                return "https://identifiers.org/" + rest
    if ns is None or ident is None:
        return uri
    short = ns.split(".")[-1].lower()
    if ident.lower().startswith(short + ":"):
        return f"https://identifiers.org/{ident}"
    return f"https://identifiers.org/{ns}:{ident}"


def _unit_definition(ud: libsbml.UnitDefinition) -> _UnitDef | None:
    units = []
    for u in ud.getListOfUnits():
        kind = libsbml.UnitKind_toString(u.getKind())
        kind = {"liter": "litre", "meter": "metre"}.get(kind, kind)
        if not libsbml.UnitKind_isValidUnitKindString(kind, 3, 2) or (
            u.isSetOffset() and u.getOffset() != 0
        ):
            return None  # Celsius or offsets: not expressible in L3V2
        units.append((kind, float(u.getExponentAsDouble()), int(u.getScale()), float(u.getMultiplier())))
    return tuple(units)


def _time_word(unit: str, definitions: Mapping[str, _UnitDef]) -> str:
    if unit in _TIME_WORDS.values():
        return unit
    parts = definitions.get(unit)
    if parts and len(parts) == 1 and parts[0][0] == "second" and parts[0][1] == 1.0:
        factor = parts[0][3] * 10.0 ** parts[0][2]
        for value, word in _TIME_WORDS.items():
            if _pymath.isclose(factor, value, rel_tol=1e-12):
                return word
    return unit


class _Her2simAnnotation:
    """The her2sim annotation of one SBML element (leaf elements with text)."""

    def __init__(self, sbase: libsbml.SBase):
        self.values: dict[str, list[str]] = {}
        self.present = False
        ann = sbase.getAnnotation()
        if ann is None:
            return
        for i in range(ann.getNumChildren()):
            top = ann.getChild(i)
            if top.getURI() == HER2SIM_NS and top.getName() == "her2sim":
                self.present = True
                for j in range(top.getNumChildren()):
                    leaf = top.getChild(j)
                    if not leaf.isElement():
                        continue
                    text = "".join(
                        leaf.getChild(k).getCharacters()
                        for k in range(leaf.getNumChildren())
                        if leaf.getChild(k).isText()
                    )
                    self.values.setdefault(leaf.getName(), []).append(unquote(text))

    def get(self, key: str, default: str | None = None) -> str | None:
        found = self.values.get(key)
        return found[0] if found else default

    def all(self, key: str) -> list[str]:
        return list(self.values.get(key, []))

    def provenance(self) -> Provenance | None:
        kind = self.get("provenanceKind")
        if kind is None:
            return None
        return Provenance(
            kind,  # type: ignore[arg-type]  # validated by Provenance
            source=self.get("provenanceSource", "") or "",
            note=self.get("provenanceNote", "") or "",
        )


class _Reader:
    def __init__(
        self, doc: libsbml.SBMLDocument, source: str, model_id: str | None, *, fast_reactions: str = "refuse"
    ):
        self.fast_reactions = fast_reactions
        self.doc = doc
        self.m: libsbml.Model = doc.getModel()
        self.level = doc.getLevel()
        self.source = source
        self.model_annotation = _Her2simAnnotation(self.m)
        # A file written by her2sim carries its own provenance records; anything else is "imported".
        self.written_by_her2sim = self.model_annotation.present
        sid = self.m.getId()
        self.model_id = model_id or sid or (Path(source).stem if source else "") or "model"
        self.where = f"SBML model {self.model_id!r}"
        self.ignored: list[str] = []
        self.functions: dict[str, tuple] = {}
        self.species_reference_values: dict[sympy.Symbol, sympy.Expr] = {}

    # ------------------------------------------------------------------ helpers
    def default_provenance(self, annotation: _Her2simAnnotation) -> Provenance | None:
        if annotation.present or self.written_by_her2sim:
            return annotation.provenance()
        return Provenance("imported", source=self.source or f"SBML model {self.model_id}")

    def units(self, annotation: _Her2simAnnotation, sbml_units: str) -> str:
        value = annotation.get("units")
        return value if value is not None else sbml_units

    def math(
        self, node: libsbml.ASTNode | None, where: str, local: Mapping[sympy.Basic, sympy.Basic] | None = None
    ) -> sympy.Basic:
        """Math of ``node``; ``local`` maps local parameters (which shadow every other id) to their
        promoted symbols."""
        if node is None:
            raise ModelError(f"{self.where}: {where} has no math")
        expr = from_ast(node, functions=self.functions, where=f"{self.where}: {where}")
        # One simultaneous substitution: a local parameter shadows a species reference of the
        # same id (SBML L3 section 3.3.1), so it must not first become the stoichiometry.
        values = dict(self.species_reference_values)
        if local:
            values.update(local)
        if values:
            expr = expr.xreplace(values)
        return expr

    def mathless(self, element: Any, label: str) -> bool:
        """Whether ``element`` has no math and SBML L3V2 says to ignore it (section 4.1); the
        element is then recorded in ``metadata["sbml_ignored"]``. Elsewhere missing math is an
        error, raised where the math is read."""
        if element.isSetMath() or (self.level, self.doc.getVersion()) < (3, 2):
            return False
        self.ignored.append(f"{label}: no math (ignored, SBML L3V2)")
        return True

    # ------------------------------------------------------------------ build
    def build(self) -> Model:
        m = self.m
        self.check_unsupported_model_level()
        self.read_functions()
        unit_definitions = self.read_unit_definitions()

        ia_targets = {ia.getSymbol() for ia in m.getListOfInitialAssignments() if ia.isSetMath()}
        rule_targets = {r.getVariable() for r in m.getListOfRules() if not r.isAlgebraic()}
        assignment_targets = {r.getVariable() for r in m.getListOfRules() if r.isAssignment()}
        event_targets = {
            ea.getVariable() for e in m.getListOfEvents() for ea in e.getListOfEventAssignments()
        }
        self.algebraic_targets = self.match_algebraic_rules(ia_targets, rule_targets)
        algebraic = set(self.algebraic_targets.values())
        initialised = ia_targets | assignment_targets | algebraic
        self.read_species_references(
            ia_targets | rule_targets | event_targets | algebraic, rule_targets | event_targets | algebraic
        )

        compartments = tuple(self.read_compartment(c, initialised) for c in m.getListOfCompartments())
        species, qualifiers = self.read_all_species(initialised)
        parameters = [self.read_parameter(p, initialised) for p in m.getListOfParameters()]
        parameters.extend(self.stoichiometry_parameters)
        taken = self.all_ids()
        reactions: list[Reaction] = []
        promoted: dict[str, dict[str, str]] = {}
        fast: list[str] = []
        for r in m.getListOfReactions():
            reaction, extra = self.read_reaction(r, taken, promoted)
            reactions.append(reaction)
            parameters.extend(extra)
            if r.isSetFast() and r.getFast():
                fast.append(r.getId())
        if fast and self.fast_reactions == "refuse":
            raise UnsupportedFeatureError(
                f"{self.where}: reaction {fast[0]!r} has fast=\"true\" ({len(fast)} of {len(reactions)} "
                "reactions are fast) and fast_reactions='refuse'. read_sbml(..., fast_reactions='equilibrium') "
                "simulates them as rapid equilibrium; if the modeller did not rely on the flag, "
                "read_sbml(..., fast_reactions='kinetic') imports "
                "them as ordinary reactions"
            )
        if fast and self.fast_reactions == "kinetic":
            warnings.warn(
                f"{self.where}: {len(fast)} of {len(reactions)} reactions have fast=\"true\" "
                "(rapid-equilibrium); they are imported as ordinary reactions with their kinetic "
                "laws, which is exact only if the modeller did not rely on the fast flag",
                UnsupportedFeatureWarning,
                stacklevel=3,
            )
        assignment_rules, rate_rules = self.read_rules()
        assignment_rules = assignment_rules + tuple(self.stoichiometry_rules)
        initial_assignments = tuple(
            InitialAssignment(ia.getSymbol(), self.math(ia.getMath(), f"initial assignment to {ia.getSymbol()!r}"))
            for ia in m.getListOfInitialAssignments()
            if not self.mathless(ia, f"initial assignment to {ia.getSymbol()!r}")
        )
        events = self.read_events(taken)

        time_units, substance_units, volume_units = self.read_model_units(unit_definitions)
        notes = self.model_annotation.get("notes")
        if notes is None:
            notes = m.getNotesString() if m.isSetNotes() else ""
        citation = self.model_annotation.get("citation")
        if citation is None:
            citation = "; ".join(self.model_citations())
        metadata: dict[str, Any] = {
            "sbml_level": self.level,
            "sbml_version": self.doc.getVersion(),
            "source": self.source,
            "unit_definitions": unit_definitions,
            "promoted_local_parameters": promoted,
            "fast_reactions": tuple(fast),
            "annotation_qualifiers": qualifiers,
            "sbml_ignored": tuple(self.ignored),
        }
        model = Model(
            id=self.model_id,
            compartments=compartments,
            species=species,
            parameters=tuple(parameters),
            reactions=tuple(reactions),
            assignment_rules=assignment_rules,
            rate_rules=rate_rules,
            initial_assignments=initial_assignments,
            events=events,
            name=m.getName(),
            time_units=time_units,
            substance_units=substance_units,
            volume_units=volume_units,
            notes=notes,
            citation=citation,
            metadata=metadata,
        )
        if fast and self.fast_reactions == "equilibrium":
            from ..engine.fast import rapid_equilibrium

            rapid_equilibrium(model)  # refuse here, not at compile time, an unsolvable fast subsystem
        return model

    def all_ids(self) -> set[str]:
        m = self.m
        ids: set[str] = set()
        for group in (
            m.getListOfFunctionDefinitions(),
            m.getListOfCompartments(),
            m.getListOfSpecies(),
            m.getListOfParameters(),
            m.getListOfReactions(),
            m.getListOfEvents(),
        ):
            ids.update(x.getId() for x in group if x.isSetId())
        for r in m.getListOfReactions():
            for ref in list(r.getListOfReactants()) + list(r.getListOfProducts()):
                if ref.isSetId():
                    ids.add(ref.getId())
        return ids

    def check_unsupported_model_level(self) -> None:
        m = self.m
        constraints = [c for c in m.getListOfConstraints() if not self.mathless(c, "constraint")]
        if constraints:
            c = constraints[0]
            label = c.getId() if c.isSetId() else (c.getMetaId() or "#1")
            formula = libsbml.formulaToL3String(c.getMath()) if c.isSetMath() else "?"
            raise UnsupportedFeatureError(
                f"{self.where}: constraint {label!r} ({formula}) is not supported "
                f"({len(constraints)} constraint(s) with math in the model)"
            )
        if self.level == 2:
            if m.getNumCompartmentTypes():
                self.ignored.append(f"{m.getNumCompartmentTypes()} compartmentType(s) (no semantics)")
            if m.getNumSpeciesTypes():
                self.ignored.append(f"{m.getNumSpeciesTypes()} speciesType(s) (no semantics)")
        layout = m.getPlugin("layout")
        if layout is not None and layout.getNumLayouts():
            self.ignored.append(f"{layout.getNumLayouts()} layout(s) (graphical)")

    def read_functions(self) -> None:
        definitions = {
            f.getId(): f
            for f in self.m.getListOfFunctionDefinitions()
            if not self.mathless(f, f"function definition {f.getId()!r}")
        }
        calls = {fid: _ast_function_calls(f.getMath()) for fid, f in definitions.items()}
        state: dict[str, int] = {}

        def visit(fid: str, stack: tuple[str, ...]) -> None:
            if state.get(fid) == 2:
                return
            if state.get(fid) == 1:
                raise ModelError(
                    f"{self.where}: function definitions call each other in a cycle: "
                    + " -> ".join(stack + (fid,))
                )
            state[fid] = 1
            for callee in sorted(calls[fid]):
                if callee not in definitions:
                    raise ModelError(
                        f"{self.where}: function definition {fid!r}: call to undefined function {callee!r}"
                    )
                visit(callee, stack + (fid,))
            fd = definitions[fid]
            self.functions[fid] = lambda_from_ast(
                fd.getMath(), functions=self.functions, where=f"{self.where}: function definition {fid!r}"
            )
            state[fid] = 2

        for fid in definitions:
            visit(fid, ())

    def read_unit_definitions(self) -> dict[str, _UnitDef]:
        out: dict[str, _UnitDef] = {}
        for ud in self.m.getListOfUnitDefinitions():
            parts = _unit_definition(ud)
            if parts is None:
                self.ignored.append(f"unitDefinition {ud.getId()!r} (not expressible in SBML L3)")
            else:
                out[ud.getId()] = parts
        return out

    def read_species_references(self, targets: set[str], varying: set[str]) -> None:
        """Constant species references in math stand for their stoichiometry; a species
        reference set by an initial assignment, rule or event (``targets``; ``varying``: by a
        rule or event) and an L2 ``stoichiometryMath`` become parameters whose value is the
        stoichiometry (``self.stoichiometry_parameters``, ``self.stoichiometry_rules``)."""
        self.variable_stoichiometry: dict[tuple[str, str, int], str] = {}
        self.stoichiometry_parameters: list[Parameter] = []
        self.stoichiometry_rules: list[AssignmentRule] = []
        taken = self.all_ids()
        for r in self.m.getListOfReactions():
            rid = r.getId()
            for role, refs in (("reactant", r.getListOfReactants()), ("product", r.getListOfProducts())):
                for index, ref in enumerate(refs):
                    if self.level == 2 and ref.isSetStoichiometryMath():
                        sm = ref.getStoichiometryMath()
                        pid = f"{rid}_stoichiometry_{ref.getSpecies()}"
                        while pid in taken:
                            pid += "_"
                        taken.add(pid)
                        where = f"reaction {rid!r}: stoichiometryMath of species {ref.getSpecies()!r}"
                        self.stoichiometry_rules.append(AssignmentRule(pid, self.math(sm.getMath(), where)))
                        self.stoichiometry_parameters.append(
                            Parameter(pid, 1.0, constant=False, provenance=Provenance(
                                "imported", source=self.source or f"SBML model {self.model_id}",
                                note=f"stoichiometryMath of species {ref.getSpecies()!r} in reaction {rid!r}"))
                        )
                        self.variable_stoichiometry[(rid, role, index)] = pid
                        continue
                    if ref.isSetId() and ref.getId() in targets:
                        pid = ref.getId()
                        value = float(ref.getStoichiometry()) if ref.isSetStoichiometry() else 1.0
                        constant = pid not in varying and (self.level < 3 or bool(ref.getConstant()))
                        self.stoichiometry_parameters.append(
                            Parameter(pid, value, constant=constant, provenance=Provenance(
                                "imported", source=self.source or f"SBML model {self.model_id}",
                                note=f"stoichiometry of species {ref.getSpecies()!r} in reaction {rid!r}"))
                        )
                        self.variable_stoichiometry[(rid, role, index)] = pid
                        continue
                    if self.level >= 3 and ref.isSetId():
                        # A constant species reference in math stands for its stoichiometry.
                        self.species_reference_values[symbol(ref.getId())] = sympy.Float(
                            self.stoichiometry(r, ref), 17
                        )

    def stoichiometry(self, r: libsbml.Reaction, ref: libsbml.SpeciesReference) -> float:
        if ref.isSetId() and ref.getId() in {p.id for p in self.stoichiometry_parameters}:
            return float(ref.getStoichiometry()) if ref.isSetStoichiometry() else 1.0
        if self.level >= 3 and not ref.isSetStoichiometry():
            raise ModelError(
                f"{self.where}: reaction {r.getId()!r}: stoichiometry of species "
                f"{ref.getSpecies()!r} is not set"
            )
        return float(ref.getStoichiometry())

    def read_compartment(self, c: libsbml.Compartment, initialised: set[str]) -> Compartment:
        cid = c.getId()
        if c.isSetSize():
            size = float(c.getSize())
        elif cid in initialised or c.getSpatialDimensionsAsDouble() == 0:
            size = 1.0  # placeholder; the initial assignment or rule defines the value
        else:
            raise ModelError(
                f"{self.where}: compartment {cid!r} has no size and no initial assignment or "
                "assignment rule sets it"
            )
        dims = (
            float(c.getSpatialDimensionsAsDouble())
            if self.level == 2 or c.isSetSpatialDimensions()
            else 3.0
        )
        ann = _Her2simAnnotation(c)
        return Compartment(
            id=cid,
            size=size,
            constant=bool(c.getConstant()),
            spatial_dimensions=dims,
            units=self.units(ann, c.getUnits() if c.isSetUnits() else ""),
            name=c.getName(),
        )

    def read_all_species(
        self, initialised: set[str]
    ) -> tuple[tuple[Species, ...], dict[str, dict[str, str]]]:
        out = []
        qualifiers: dict[str, dict[str, str]] = {}
        for s in self.m.getListOfSpecies():
            sid = s.getId()
            conversion_factor = ""
            if self.level >= 3:
                # the species' own factor, else the model's (SBML L3V2 section 4.2.6)
                if s.isSetConversionFactor():
                    conversion_factor = s.getConversionFactor()
                elif self.m.isSetConversionFactor():
                    conversion_factor = self.m.getConversionFactor()
            hosu = bool(s.getHasOnlySubstanceUnits())
            if s.isSetInitialAmount():
                initial, is_amount = float(s.getInitialAmount()), True
            elif s.isSetInitialConcentration():
                initial, is_amount = float(s.getInitialConcentration()), False
            elif sid in initialised:
                initial, is_amount = 0.0, hosu  # the assignment defines the value
            else:
                raise ModelError(
                    f"{self.where}: species {sid!r} has no initialAmount or initialConcentration "
                    "and no initial assignment or assignment rule sets it"
                )
            annotations: list[str] = []
            genes: list[str] = []
            for i in range(s.getNumCVTerms()):
                cv = s.getCVTerm(i)
                if cv.getQualifierType() != libsbml.BIOLOGICAL_QUALIFIER:
                    continue
                qualifier = libsbml.BiolQualifierType_toString(cv.getBiologicalQualifierType())
                for j in range(cv.getNumResources()):
                    uri = _identifiers_org(cv.getResourceURI(j))
                    if uri in annotations:
                        continue
                    annotations.append(uri)
                    qualifiers.setdefault(sid, {})[uri] = qualifier
                    m = re.match(r"https://identifiers\.org/hgnc\.symbol:(.+)$", uri)
                    if m and qualifier in ("is", "encodes", "isEncodedBy", "hasVersion", "isVersionOf"):
                        genes.append(m.group(1))
            ann = _Her2simAnnotation(s)
            if ann.present or self.written_by_her2sim:
                genes = ann.all("gene")
            out.append(
                Species(
                    id=sid,
                    compartment=s.getCompartment(),
                    initial=initial,
                    initial_is_amount=is_amount,
                    has_only_substance_units=hosu,
                    boundary_condition=bool(s.getBoundaryCondition()),
                    constant=bool(s.getConstant()),
                    name=s.getName(),
                    units=self.units(ann, s.getSubstanceUnits() if s.isSetSubstanceUnits() else ""),
                    genes=tuple(genes),
                    annotations=tuple(annotations),
                    provenance=ann.provenance() if (ann.present or self.written_by_her2sim) else None,
                    conversion_factor=conversion_factor,
                )
            )
        return tuple(out), qualifiers

    def read_parameter(self, p: libsbml.Parameter, initialised: set[str]) -> Parameter:
        pid = p.getId()
        if p.isSetValue():
            value = float(p.getValue())
        elif pid in initialised:
            value = 0.0  # the assignment defines the value
        else:
            raise ModelError(
                f"{self.where}: parameter {pid!r} has no value and no initial assignment or "
                "assignment rule sets it"
            )
        ann = _Her2simAnnotation(p)
        return Parameter(
            id=pid,
            value=value,
            constant=bool(p.getConstant()),
            units=self.units(ann, p.getUnits() if p.isSetUnits() else ""),
            name=p.getName(),
            provenance=self.default_provenance(ann),
        )

    def read_reaction(
        self, r: libsbml.Reaction, taken: set[str], promoted: dict[str, dict[str, str]]
    ) -> tuple[Reaction, list[Parameter]]:
        rid = r.getId()
        reactants = tuple((ref.getSpecies(), self.stoichiometry(r, ref)) for ref in r.getListOfReactants())
        products = tuple((ref.getSpecies(), self.stoichiometry(r, ref)) for ref in r.getListOfProducts())
        modifiers = tuple(ref.getSpecies() for ref in r.getListOfModifiers())
        if not r.isSetKineticLaw():
            raise ModelError(f"{self.where}: reaction {rid!r} has no kinetic law (its rate is undefined)")
        law = r.getKineticLaw()
        local = list(law.getListOfLocalParameters()) if self.level >= 3 else list(law.getListOfParameters())
        extra: list[Parameter] = []
        renames: dict[sympy.Basic, sympy.Basic] = {}
        for lp in local:
            pid = lp.getId()
            new_id = f"{rid}_{pid}"
            n = 2
            while new_id in taken:
                new_id = f"{rid}_{pid}_{n}"
                n += 1
            taken.add(new_id)
            if not lp.isSetValue():
                raise ModelError(f"{self.where}: reaction {rid!r}: local parameter {pid!r} has no value")
            ann = _Her2simAnnotation(lp)
            extra.append(
                Parameter(
                    id=new_id,
                    value=float(lp.getValue()),
                    constant=True,
                    units=self.units(ann, lp.getUnits() if lp.isSetUnits() else ""),
                    name=lp.getName(),
                    provenance=self.default_provenance(ann),
                )
            )
            renames[symbol(pid)] = symbol(new_id)
            promoted.setdefault(rid, {})[pid] = new_id
        rate = self.math(law.getMath(), f"kinetic law of reaction {rid!r}", local=renames)
        ann = _Her2simAnnotation(r)
        reaction = Reaction(
            id=rid,
            reactants=reactants,
            products=products,
            rate=rate,
            modifiers=modifiers,
            reversible=bool(r.getReversible()),
            name=r.getName(),
            # rapid equilibrium (engine.fast), or an ordinary reaction with fast_reactions="kinetic"
            # (see metadata["fast_reactions"])
            fast=bool(r.isSetFast() and r.getFast()) and self.fast_reactions == "equilibrium",
            provenance=ann.provenance() if (ann.present or self.written_by_her2sim) else None,
            variable_stoichiometry=tuple(
                (role, index, pid)
                for (r_id, role, index), pid in sorted(self.variable_stoichiometry.items())
                if r_id == rid
            ),
        )
        return reaction, extra

    @staticmethod
    def _algebraic_label(rule: libsbml.Rule, i: int) -> str:
        return (rule.getId() if rule.isSetId() else "") or rule.getMetaId() or f"#{i + 1}"

    def match_algebraic_rules(self, ia_targets: set[str], rule_targets: set[str]) -> dict[str, str]:
        """The variable each algebraic rule determines (label -> id), see :mod:`._algebraic`."""
        m = self.m
        rules = [
            (self._algebraic_label(rule, i), _ast_names(rule.getMath()))
            for i, rule in enumerate(m.getListOfRules())
            if rule.isAlgebraic() and rule.isSetMath()
        ]
        if not rules:
            return {}
        changed_by_reactions = {
            ref.getSpecies()
            for r in m.getListOfReactions()
            for ref in list(r.getListOfReactants()) + list(r.getListOfProducts())
        }
        candidates: dict[str, bool] = {}  # id -> has no declared value
        for sp in m.getListOfSpecies():
            sid = sp.getId()
            if sp.getConstant() or (sid in changed_by_reactions and not sp.getBoundaryCondition()):
                continue
            candidates[sid] = not (sp.isSetInitialAmount() or sp.isSetInitialConcentration() or sid in ia_targets)
        for c in m.getListOfCompartments():
            if not c.getConstant():
                candidates[c.getId()] = not (c.isSetSize() or c.getId() in ia_targets)
        for prm in m.getListOfParameters():
            if not prm.getConstant():
                candidates[prm.getId()] = not (prm.isSetValue() or prm.getId() in ia_targets)
        if self.level >= 3:
            for r in m.getListOfReactions():
                for ref in list(r.getListOfReactants()) + list(r.getListOfProducts()):
                    if ref.isSetId() and not ref.getConstant():
                        candidates[ref.getId()] = not (ref.isSetStoichiometry() or ref.getId() in ia_targets)
        for ident in rule_targets:
            candidates.pop(ident, None)
        variables = _algebraic.match(rules, candidates, self.where)
        return {label: var for (label, _), var in zip(rules, variables)}

    def read_rules(self) -> tuple[tuple[AssignmentRule, ...], tuple[RateRule, ...]]:
        assignment: list[AssignmentRule] = []
        rate: list[RateRule] = []
        algebraic: list[tuple[str, sympy.Expr, str]] = []
        for i, rule in enumerate(self.m.getListOfRules()):
            if rule.isAlgebraic() and self.mathless(rule, f"algebraic rule #{i + 1}"):
                continue
            if rule.isAlgebraic():
                label = self._algebraic_label(rule, i)
                var = self.algebraic_targets[label]
                algebraic.append((label, self.math(rule.getMath(), f"algebraic rule {label!r}"), var))
                continue
            var = rule.getVariable()
            if self.mathless(rule, f"rule for {var!r}"):
                continue
            if rule.isAssignment():
                assignment.append(AssignmentRule(var, self.math(rule.getMath(), f"assignment rule for {var!r}")))
            elif rule.isRate():
                rate.append(RateRule(var, self.math(rule.getMath(), f"rate rule for {var!r}")))
            else:
                raise UnsupportedFeatureError(f"{self.where}: rule for {var!r} of unknown type is not supported")
        assignment.extend(_algebraic.solve(algebraic, self.where))
        return tuple(assignment), tuple(rate)

    def read_events(self, taken: set[str]) -> tuple[Event, ...]:
        events = list(self.m.getListOfEvents())
        out = []
        for i, e in enumerate(events):
            eid = e.getId() if e.isSetId() else ""
            generated = not eid
            if generated:
                eid = f"event_{i + 1}"
                while eid in taken:
                    eid += "_"
                taken.add(eid)
            label = f"event {eid!r}" + (" (no id in the file)" if generated else "")
            delay = None
            if e.isSetDelay() and not self.mathless(e.getDelay(), f"{label} delay"):
                delay = self.math(e.getDelay().getMath(), f"{label} delay")
            trigger = e.getTrigger()
            if trigger is None:
                if (self.level, self.doc.getVersion()) < (3, 2):
                    raise ModelError(f"{self.where}: {label} has no trigger")
                # optional in L3V2 (section 4.12.2): an event without a trigger never fires
                self.ignored.append(f"{label}: no trigger (never fires, SBML L3V2)")
                continue
            if self.mathless(trigger, f"{label} trigger (the event never fires)"):
                continue
            initial_value, persistent = True, True  # SBML L2 semantics
            if self.level >= 3:
                initial_value = bool(trigger.getInitialValue())
                persistent = bool(trigger.getPersistent())
            condition = self.math(trigger.getMath(), f"{label} trigger")
            if not isinstance(
                condition,
                (sympy.logic.boolalg.Boolean, sympy.core.relational.Relational),
            ) or isinstance(condition, sympy.Symbol):
                condition = sympy.Ne(condition, 0)
            priority: float | sympy.Basic | None = None
            if self.level >= 3 and e.isSetPriority() and not self.mathless(e.getPriority(), f"{label} priority"):
                value = self.math(e.getPriority().getMath(), f"{label} priority")
                # a number, or an expression evaluated whenever events are ordered
                priority = float(value) if value.is_number else value
            assignments = []
            for ea in e.getListOfEventAssignments():
                var = ea.getVariable()
                if self.mathless(ea, f"{label} assignment to {var!r}"):
                    continue
                assignments.append((var, self.math(ea.getMath(), f"{label} assignment to {var!r}")))
            out.append(
                Event(
                    id=eid,
                    trigger=condition,
                    assignments=tuple(assignments),
                    initial_value=initial_value,
                    priority=priority,
                    name=e.getName(),
                    persistent=persistent,
                    use_values_from_trigger_time=bool(e.getUseValuesFromTriggerTime()),
                    delay=delay,
                    extra={"id_generated": generated} if generated else {},
                )
            )
        return tuple(out)

    def read_model_units(self, definitions: Mapping[str, _UnitDef]) -> tuple[str, str, str]:
        m = self.m
        ann = self.model_annotation
        if self.level >= 3:
            time = m.getTimeUnits() if m.isSetTimeUnits() else "second"
            substance = m.getSubstanceUnits() if m.isSetSubstanceUnits() else ""
            volume = m.getVolumeUnits() if m.isSetVolumeUnits() else ""
        else:  # L2: built-in "time", "substance", "volume", redefinable by unit definitions
            time = "time" if "time" in definitions else "second"
            substance = "substance" if "substance" in definitions else ""
            volume = "volume" if "volume" in definitions else ""
        return (
            ann.get("timeUnits") or _time_word(time, definitions),
            ann.get("substanceUnits", substance) or "",
            ann.get("volumeUnits", volume) or "",
        )

    def model_citations(self) -> list[str]:
        out = []
        for i in range(self.m.getNumCVTerms()):
            cv = self.m.getCVTerm(i)
            if (
                cv.getQualifierType() == libsbml.MODEL_QUALIFIER
                and cv.getModelQualifierType() == libsbml.BQM_IS_DESCRIBED_BY
            ):
                out.extend(_identifiers_org(cv.getResourceURI(j)) for j in range(cv.getNumResources()))
        return out


# ============================================================================ writing

_PREFIXES = {"": 0, "p": -12, "n": -9, "u": -6, "µ": -6, "μ": -6, "m": -3, "c": -2, "d": -1, "k": 3}
_ATOMS: dict[str, tuple[tuple[str, float, int, float], ...]] = {
    "M": (("mole", 1.0, 0, 1.0), ("litre", -1.0, 0, 1.0)),
    "mol": (("mole", 1.0, 0, 1.0),),
    "L": (("litre", 1.0, 0, 1.0),),
    "l": (("litre", 1.0, 0, 1.0),),
    "g": (("gram", 1.0, 0, 1.0),),
    "s": (("second", 1.0, 0, 1.0),),
    "sec": (("second", 1.0, 0, 1.0),),
    "second": (("second", 1.0, 0, 1.0),),
    "min": (("second", 1.0, 0, 60.0),),
    "minute": (("second", 1.0, 0, 60.0),),
    "h": (("second", 1.0, 0, 3600.0),),
    "hr": (("second", 1.0, 0, 3600.0),),
    "hour": (("second", 1.0, 0, 3600.0),),
    "day": (("second", 1.0, 0, 86400.0),),
    "molecules": (("item", 1.0, 0, 1.0),),
    "item": (("item", 1.0, 0, 1.0),),
}
_PREFIXABLE = {"M", "mol", "L", "l", "g", "s"}


def _parse_unit_atom(token: str) -> list[tuple[str, float, int, float]] | None:
    if token == "1":
        return []
    if token in _ATOMS:
        return list(_ATOMS[token])
    for prefix, scale in _PREFIXES.items():
        if prefix and token.startswith(prefix) and token[len(prefix):] in _PREFIXABLE:
            base = _ATOMS[token[len(prefix):]]
            first = base[0]
            return [(first[0], first[1], first[2] + scale, first[3]), *base[1:]]
    return None


def _parse_unit_string(text: str) -> _UnitDef | None:
    """Interpret simple unit strings ("nM", "1/s", "1/(nM*s)", "nM^-1*min^-1", "per_second")."""
    text = text.strip().replace(" ", "*")
    if text.startswith("per_"):
        text = "1/" + text[4:]
    tokens = re.findall(r"\(|\)|\*|/|\^|-?\d+(?:\.\d+)?|[A-Za-zµμ_]+", text)
    if "".join(tokens) != text.replace("**", "^"):
        return None
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def product() -> list[tuple[str, float, int, float]] | None:
        nonlocal pos
        result = factor()
        while result is not None and peek() in ("*", "/"):
            op = tokens[pos]
            pos += 1
            rhs = factor()
            if rhs is None:
                return None
            if op == "/":
                rhs = [(k, -e, s, m) for k, e, s, m in rhs]
            result = result + rhs
        return result

    def factor() -> list[tuple[str, float, int, float]] | None:
        nonlocal pos
        tok = peek()
        if tok is None:
            return None
        pos += 1
        if tok == "(":
            inner = product()
            if peek() != ")":
                return None
            pos += 1
            base = inner
        else:
            base = _parse_unit_atom(tok)
        if base is None:
            return None
        if peek() == "^":
            pos += 1
            exp_tok = peek()
            if exp_tok is None or not re.fullmatch(r"-?\d+(?:\.\d+)?", exp_tok):
                return None
            pos += 1
            power = float(exp_tok)
            base = [(k, e * power, s, m) for k, e, s, m in base]
        return base

    parsed = product()
    if parsed is None or pos != len(tokens):
        return None
    merged: dict[tuple[str, int, float], float] = {}
    for kind, exponent, scale, multiplier in parsed:
        merged[(kind, scale, multiplier)] = merged.get((kind, scale, multiplier), 0.0) + exponent
    units = tuple((k, e, s, m) for (k, s, m), e in merged.items() if e != 0)
    return units or (("dimensionless", 1.0, 0, 1.0),)


class _UnitTable:
    """Maps her2sim unit strings to SBML unit ids, creating unit definitions as needed."""

    def __init__(self, sbml_model: libsbml.Model, known: Mapping[str, _UnitDef]):
        self.sbml_model = sbml_model
        self.ids: dict[str, str | None] = {}
        self.defined: set[str] = set()
        for uid, parts in known.items():
            if libsbml.SyntaxChecker.isValidSBMLSId(uid) and not _is_base_unit(uid):
                self._define(uid, parts)

    def _define(self, uid: str, parts: _UnitDef) -> None:
        ud = self.sbml_model.createUnitDefinition()
        ud.setId(uid)
        for kind, exponent, scale, multiplier in parts:
            u = ud.createUnit()
            u.setKind(libsbml.UnitKind_forName(kind))
            u.setExponent(exponent)
            u.setScale(scale)
            u.setMultiplier(multiplier)
        self.defined.add(uid)

    def sbml_id(self, text: str) -> str | None:
        """The SBML unit id for ``text``, or ``None`` if it cannot be expressed."""
        if not text:
            return None
        if text in self.ids:
            return self.ids[text]
        if _is_base_unit(text) or text in self.defined:
            self.ids[text] = text
            return text
        parts = _parse_unit_string(text)
        uid: str | None = None
        if parts is not None:
            uid = text if libsbml.SyntaxChecker.isValidSBMLSId(text) else "unit_" + re.sub(
                r"\W", "_", text.replace("/", "_per_").replace("^", "_pow_").replace("-", "m")
            )
            while uid in self.defined:
                uid += "_"
            self._define(uid, parts)
        self.ids[text] = uid
        return uid


def _is_base_unit(text: str) -> bool:
    return bool(libsbml.UnitKind_isValidUnitKindString(text, 3, 2))


_SAFE = " !#$()*+,-./:;=?@[]^_`{|}~'\""


def _her2sim_annotation(items: Iterable[tuple[str, str]]) -> str | None:
    # Values are percent-encoded: libSBML's XML writer does not round-trip character entities
    # (it turns an escaped "&quot;" back into a quote), and attribute values lose newlines.
    leaves = [
        f"<{_H2S_PREFIX}:{key}>{quote(value, safe=_SAFE)}</{_H2S_PREFIX}:{key}>" for key, value in items
    ]
    if not leaves:
        return None
    return (
        f'<{_H2S_PREFIX}:her2sim xmlns:{_H2S_PREFIX}="{HER2SIM_NS}">'
        + "".join(leaves)
        + f"</{_H2S_PREFIX}:her2sim>"
    )


def _provenance_items(provenance: Provenance | None) -> list[tuple[str, str]]:
    if provenance is None:
        return []
    items = [("provenanceKind", provenance.kind)]
    if provenance.source:
        items.append(("provenanceSource", provenance.source))
    if provenance.note:
        items.append(("provenanceNote", provenance.note))
    return items


def _set_notes(sbase: libsbml.SBase, lines: list[str], where: str) -> None:
    if not lines:
        return
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    status = sbase.setNotes(f'<body xmlns="{_XHTML_NS}">{body}</body>')
    if status != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise ModelError(f"could not write notes of {where}: {libsbml.OperationReturnValue_toString(status)}")


def _annotate(sbase: libsbml.SBase, items: list[tuple[str, str]], where: str) -> None:
    text = _her2sim_annotation(items)
    if text is None:
        return
    status = sbase.appendAnnotation(text)
    if status != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise ModelError(f"could not write annotation of {where}: {libsbml.OperationReturnValue_toString(status)}")


def _check(status: int, what: str) -> None:
    if status != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise ModelError(f"SBML export: {what} failed ({libsbml.OperationReturnValue_toString(status)})")


def _set_math(element: Any, expr: sympy.Basic, where: str) -> None:
    try:
        ast = to_ast(expr)
    except UnsupportedFeatureError as error:
        raise UnsupportedFeatureError(f"{where}: {error}") from None
    _check(element.setMath(ast), f"math of {where}")


def _time_definition(word: str) -> _UnitDef | None:
    for value, name in _TIME_WORDS.items():
        if word == name:
            return (("second", 1.0, 0, value),)
    return None


def write_sbml(model: Model, path: str | os.PathLike[str] | None = None) -> str:
    """Write a model as SBML Level 3 Version 2 core.

    Parameters
    ----------
    model
        The model.
    path
        If given, the SBML is also written to this file (UTF-8).

    Returns
    -------
    str
        The SBML document. It passes libSBML's consistency checks (unit consistency aside).
        Units, provenance, gene symbols, model notes and citation are kept in a her2sim
        annotation (and, human-readably, in XHTML notes); species annotations become
        biological-qualifier CV terms.

    Raises
    ------
    UnsupportedFeatureError
        If the model holds something SBML L3V2 core cannot express (a ``fast`` reaction, or
        math without an SBML equivalent).
    ModelError
        If libSBML rejects the document (a her2sim bug; the message lists libSBML's errors).

    Examples
    --------
    >>> from her2sim.model import Compartment, Model, Parameter, Reaction, Species, parse
    >>> model = Model(
    ...     id="decay",
    ...     compartments=(Compartment("cell"),),
    ...     species=(Species("A", "cell", initial=10.0, units="nM"),),
    ...     parameters=(Parameter("k", 0.1, units="1/s"),),
    ...     reactions=(Reaction("R1", (("A", 1.0),), (), parse("k*A*cell")),),
    ... )
    >>> text = write_sbml(model)
    >>> read_sbml(text).get_parameter("k").units
    '1/s'
    """
    # SBML requires every species a rate law reads to be a reactant, product or modifier.
    model = model.with_inferred_modifiers()
    doc = libsbml.SBMLDocument(3, 2)
    sm = doc.createModel()
    _check(sm.setId(model.id), f"model id {model.id!r}")
    if model.name:
        sm.setName(model.name)
    metadata = model.metadata or {}
    known_units = dict(metadata.get("unit_definitions", {}) or {})
    time_definition = _time_definition(model.time_units)
    if time_definition is not None and model.time_units != "second":
        known_units.setdefault(model.time_units, time_definition)
    units = _UnitTable(sm, known_units)
    model_items: list[tuple[str, str]] = [("timeUnits", model.time_units)]
    time_id = units.sbml_id(model.time_units)
    if time_id:
        sm.setTimeUnits(time_id)
    if model.substance_units:
        model_items.append(("substanceUnits", model.substance_units))
        uid = units.sbml_id(model.substance_units)
        if uid:
            sm.setSubstanceUnits(uid)
    if model.volume_units:
        model_items.append(("volumeUnits", model.volume_units))
        uid = units.sbml_id(model.volume_units)
        if uid:
            sm.setVolumeUnits(uid)
    model_items.append(("notes", model.notes))
    model_items.append(("citation", model.citation))
    if model.notes:
        status = sm.setNotes(model.notes)
        if status != libsbml.LIBSBML_OPERATION_SUCCESS:
            _set_notes(sm, model.notes.splitlines(), f"model {model.id!r}")
    _annotate(sm, model_items, f"model {model.id!r}")

    for c in model.compartments:
        sc = sm.createCompartment()
        _check(sc.setId(c.id), f"compartment id {c.id!r}")
        if c.name:
            sc.setName(c.name)
        sc.setSize(c.size)
        sc.setConstant(c.constant)
        sc.setSpatialDimensions(float(c.spatial_dimensions))
        uid = units.sbml_id(c.units)
        if uid:
            sc.setUnits(uid)
        if c.units:
            _annotate(sc, [("units", c.units)], f"compartment {c.id!r}")

    qualifiers: Mapping[str, Mapping[str, str]] = metadata.get("annotation_qualifiers", {}) or {}
    for s in model.species:
        ss = sm.createSpecies()
        _check(ss.setId(s.id), f"species id {s.id!r}")
        if s.name:
            ss.setName(s.name)
        ss.setCompartment(s.compartment)
        if s.initial_is_amount:
            ss.setInitialAmount(s.initial)
        else:
            ss.setInitialConcentration(s.initial)
        ss.setHasOnlySubstanceUnits(s.has_only_substance_units)
        ss.setBoundaryCondition(s.boundary_condition)
        ss.setConstant(s.constant)
        if s.conversion_factor:
            ss.setConversionFactor(s.conversion_factor)
        uid = units.sbml_id(s.units)
        if uid:
            ss.setSubstanceUnits(uid)
        if s.annotations:
            ss.setMetaId(f"meta_species_{s.id}")
            for uri in s.annotations:
                name = qualifiers.get(s.id, {}).get(uri, "is")
                qualifier = libsbml.BiolQualifierType_fromString(name)
                if qualifier == libsbml.BQB_UNKNOWN:
                    qualifier = libsbml.BQB_IS
                cv = libsbml.CVTerm(libsbml.BIOLOGICAL_QUALIFIER)
                cv.setBiologicalQualifierType(qualifier)
                cv.addResource(uri)
                _check(ss.addCVTerm(cv, True), f"annotation {uri!r} of species {s.id!r}")
        items = [("units", s.units)] if s.units else []
        items += [("gene", g) for g in s.genes] + _provenance_items(s.provenance)
        _annotate(ss, items, f"species {s.id!r}")
        notes = []
        if s.genes:
            notes.append("Genes (HGNC): " + ", ".join(s.genes))
        if s.provenance is not None:
            notes.append(f"Provenance: {s.provenance}")
        _set_notes(ss, notes, f"species {s.id!r}")

    for p in model.parameters:
        sp = sm.createParameter()
        _check(sp.setId(p.id), f"parameter id {p.id!r}")
        if p.name:
            sp.setName(p.name)
        sp.setValue(p.value)
        sp.setConstant(p.constant)
        uid = units.sbml_id(p.units)
        if uid:
            sp.setUnits(uid)
        items = ([("units", p.units)] if p.units else []) + _provenance_items(p.provenance)
        _annotate(sp, items, f"parameter {p.id!r}")
        notes = [f"Units: {p.units}"] if p.units else []
        if p.provenance is not None:
            notes.append(f"Provenance: {p.provenance}")
        _set_notes(sp, notes, f"parameter {p.id!r}")

    for r in model.reactions:
        if r.fast:
            raise UnsupportedFeatureError(
                f"reaction {r.id!r} is fast=True; SBML L3V2 has no fast reactions"
            )
        if r.variable_stoichiometry:
            raise UnsupportedFeatureError(
                f"reaction {r.id!r}: writing variable stoichiometry (parameter "
                f"{r.variable_stoichiometry[0][2]!r}) to SBML is not supported"
            )
        sr = sm.createReaction()
        _check(sr.setId(r.id), f"reaction id {r.id!r}")
        if r.name:
            sr.setName(r.name)
        sr.setReversible(r.reversible)
        for sid, stoichiometry in r.reactants:
            ref = sr.createReactant()
            ref.setSpecies(sid)
            ref.setStoichiometry(float(stoichiometry))
            ref.setConstant(True)
        for sid, stoichiometry in r.products:
            ref = sr.createProduct()
            ref.setSpecies(sid)
            ref.setStoichiometry(float(stoichiometry))
            ref.setConstant(True)
        for sid in r.modifiers:
            sr.createModifier().setSpecies(sid)
        _set_math(sr.createKineticLaw(), r.rate, f"kinetic law of reaction {r.id!r}")
        if r.provenance is not None:
            _annotate(sr, _provenance_items(r.provenance), f"reaction {r.id!r}")
            _set_notes(sr, [f"Provenance: {r.provenance}"], f"reaction {r.id!r}")

    for rule in model.assignment_rules:
        sr = sm.createAssignmentRule()
        sr.setVariable(rule.variable)
        _set_math(sr, rule.math, f"assignment rule for {rule.variable!r}")
    for rule in model.rate_rules:
        sr = sm.createRateRule()
        sr.setVariable(rule.variable)
        _set_math(sr, rule.math, f"rate rule for {rule.variable!r}")
    for ia in model.initial_assignments:
        si = sm.createInitialAssignment()
        si.setSymbol(ia.symbol)
        _set_math(si, ia.math, f"initial assignment to {ia.symbol!r}")
    for ev in model.events:
        se = sm.createEvent()
        _check(se.setId(ev.id), f"event id {ev.id!r}")
        if ev.name:
            se.setName(ev.name)
        se.setUseValuesFromTriggerTime(bool(ev.use_values_from_trigger_time))
        trigger = se.createTrigger()
        trigger.setInitialValue(bool(ev.initial_value))
        trigger.setPersistent(bool(ev.persistent))
        _set_math(trigger, ev.trigger, f"trigger of event {ev.id!r}")
        if ev.delay is not None:
            _set_math(se.createDelay(), ev.delay, f"delay of event {ev.id!r}")
        if ev.priority is not None:
            priority = ev.priority if isinstance(ev.priority, sympy.Basic) else sympy.Float(ev.priority, 17)
            _set_math(se.createPriority(), priority, f"priority of event {ev.id!r}")
        for var, expr in ev.assignments:
            ea = se.createEventAssignment()
            ea.setVariable(var)
            _set_math(ea, expr, f"event {ev.id!r} assignment to {var!r}")

    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, False)
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_MODELING_PRACTICE, False)
    doc.checkConsistency()
    errors = _errors(doc)
    if errors:
        raise ModelError(_error_message(f"SBML export of model {model.id!r} is invalid", errors))
    text = libsbml.writeSBMLToString(doc)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text
