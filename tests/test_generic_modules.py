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
