"""Logical (Boolean) models of HER2 signalling: representation, file formats and analyses.

* :mod:`~her2sim.logical.expr` — Boolean expression trees and the rule parser (no ``eval``).
* :mod:`~her2sim.logical.model` — :class:`LogicalModel`, immutable, with explicit inputs and
  ``with_fixed`` / ``with_inputs`` transformations for genotypes and drugs.
* :mod:`~her2sim.logical.io` — ``.bnet``, ``.aeon`` and SBML-qual readers and writers.
* :mod:`~her2sim.logical.analysis` — fixed points, attractors, reachability and perturbation scans
  on biodivine-aeon and mpbn, returned as :class:`xarray.Dataset`.
* :mod:`~her2sim.logical.simulation` — stochastic asynchronous (MaBoSS-style) simulation.

The analysis engines are optional dependencies (``pip install 'her2sim[logical]'``); they are
imported only when an analysis runs.
"""

from __future__ import annotations

from .analysis import (
    ENGINES,
    attractors,
    count_attractors,
    count_fixed_points,
    fixed_points,
    is_reachable,
    perturbation_scan,
    phenotype_summary,
    reachable_attractors,
)
from .expr import (
    FALSE,
    TRUE,
    And,
    Const,
    Expr,
    Not,
    Or,
    RuleSyntaxError,
    Var,
    Xor,
    monotonicity,
    parse_rule,
    truth_table,
)
from .io import (
    parse_aeon,
    parse_bnet,
    parse_maboss,
    parse_sbml_qual,
    read_aeon,
    read_bnet,
    read_logical,
    read_maboss,
    read_sbml_qual,
    to_aeon,
    to_bnet,
    to_sbml_qual,
    write_aeon,
    write_bnet,
    write_logical,
    write_sbml_qual,
)
from .model import LogicalModel, NodeValue, Rule
from .simulation import SIMULATION_ENGINES, simulate_stochastic

__all__ = [
    "And",
    "Const",
    "ENGINES",
    "Expr",
    "FALSE",
    "LogicalModel",
    "NodeValue",
    "Not",
    "Or",
    "Rule",
    "RuleSyntaxError",
    "SIMULATION_ENGINES",
    "TRUE",
    "Var",
    "Xor",
    "attractors",
    "count_attractors",
    "count_fixed_points",
    "fixed_points",
    "is_reachable",
    "monotonicity",
    "parse_aeon",
    "parse_bnet",
    "parse_maboss",
    "parse_rule",
    "parse_sbml_qual",
    "perturbation_scan",
    "phenotype_summary",
    "reachable_attractors",
    "read_aeon",
    "read_bnet",
    "read_logical",
    "read_maboss",
    "read_sbml_qual",
    "simulate_stochastic",
    "to_aeon",
    "to_bnet",
    "to_sbml_qual",
    "truth_table",
    "write_aeon",
    "write_bnet",
    "write_logical",
    "write_sbml_qual",
]
