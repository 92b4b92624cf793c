"""No generic module names the flagship (issue #12 item 2, "Done when").

Oracle: the source of the generic layers (``analysis/``, ``calibration/``, ``io/``,
``simulation.py``, ``protocol.py``), read as Python syntax trees: no import of the flagship's
modules and no string literal (docstrings and comments aside) that is a species, parameter or
read-out id of the flagship and not of the toy family too. The calibration problem built *for*
the flagship family (``calibration/flagship_problem.py``) is the one named exception.
"""

from __future__ import annotations

import ast
from pathlib import Path

import her2sim
from her2sim.library.her2_model import build
from her2sim.testing import build_toy_model

ROOT = Path(her2sim.__file__).parent
GENERIC = [*sorted((ROOT / "analysis").glob("*.py")), *sorted((ROOT / "calibration").glob("*.py")),
           *sorted((ROOT / "io").glob("*.py")), ROOT / "simulation.py", ROOT / "protocol.py"]
EXCEPTIONS = {"calibration/flagship_problem.py"}
FLAGSHIP_MODULES = ("her2_model", "her2_family", "her2_logical", "library.her2")


def _ids(model) -> set[str]:
    return {s.id for s in model.species} | {p.id for p in model.parameters}


def _literals(tree: ast.AST) -> set[str]:
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            doc = ast.get_docstring(node, clean=False)
            if doc is not None:
                docstrings.add(id(node.body[0].value))
    return {n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings}


def test_generic_modules_do_not_name_the_flagship():
    flagship_only = _ids(build()) - _ids(build_toy_model())
    offences = []
    for path in GENERIC:
        rel = path.relative_to(ROOT).as_posix()
        if rel in EXCEPTIONS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and any(
                    m in node.module for m in FLAGSHIP_MODULES):
                offences.append(f"{rel}:{node.lineno} imports {node.module}")
        named = sorted(_literals(tree) & flagship_only)
        if named:
            offences.append(f"{rel} names flagship ids {named}")
    assert not offences, "\n".join(offences)


#: The shells' remaining direct imports of the flagship (module -> names), each because the model
#: family does not carry it: the described genotype and read-out lists, the twin's analyses (scan,
#: attractors, simulate, network drawing), its picture layout and scan defaults, the parameter
#: provenance table. Everything else (model, twin, node map, context resolution) comes from the
#: family (``her2sim.family.default_family()``); a new direct import fails here.
SHELL_FLAGSHIP_IMPORTS = {
    "web/app.py": set(),
    "web/services.py": {"her2_model.GENOTYPES", "her2_model.parameter_table", "her2_logical.SCAN_DRUGS",
                        "her2_logical.LAYERS", "her2_logical"},
    "cli/_flagship.py": {"her2_model"},
    "cli/logical.py": {"her2_logical"},
}


def _flagship_imports(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        module = node.module.rsplit(".", 1)[-1]
        for alias in node.names:
            if any(m in node.module for m in FLAGSHIP_MODULES):
                found.add(f"{module}.{alias.name}")  # from ..library.her2_model import build
            elif alias.name in ("her2_model", "her2_family", "her2_logical", "her2"):
                found.add(alias.name)  # from ..library import her2_logical as hl
    return found


def test_shells_take_the_model_twin_and_contexts_from_the_family():
    """Oracle: the shells' syntax trees. ``web/app.py`` imports no flagship module; ``web/services.py``
    no longer imports the model builder, genotype or cell-line settings, the twin loader or the node
    map (issue #12: a registered family could be served)."""
    found = {rel: _flagship_imports(ast.parse((ROOT / rel).read_text(encoding="utf-8")))
             for rel in SHELL_FLAGSHIP_IMPORTS}
    assert found == SHELL_FLAGSHIP_IMPORTS
    removed = {"her2_model.build", "her2_model.MODEL_ID", "her2_model.genotype_settings",
               "her2_model.cell_line_settings", "her2_logical.load", "her2_logical.node_map",
               "her2_logical.NODE_MAP", "her2_logical.kinetic_to_logical"}
    assert not removed & set().union(*found.values())
