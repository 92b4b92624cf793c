"""Parser and expression tree: oracle is hand-derived truth tables and exact error positions."""

from __future__ import annotations

import numpy as np
import pytest

from her2sim.errors import ModelError
from her2sim.logical import And, Const, Not, Or, RuleSyntaxError, Var, Xor, parse_bnet, parse_rule, truth_table


def test_parse_builds_the_expected_tree() -> None:
    assert parse_rule("A & !(B | C)") == And((Var("A"), Not(Or((Var("B"), Var("C"))))))


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        ("A | B & C", ("A", "B", "C"), [0, 0, 0, 1, 1, 1, 1, 1]),  # & binds tighter than |
        ("!A & B", ("A", "B"), [0, 1, 0, 0]),
        ("A ^ B", ("A", "B"), [0, 1, 1, 0]),
        ("A => B", ("A", "B"), [1, 1, 0, 1]),
        ("A <=> B", ("A", "B"), [1, 0, 0, 1]),
        ("1", ("A",), [1, 1]),
        ("false | A", ("A",), [0, 1]),
        ("~~A", ("A",), [0, 1]),
    ],
)
def test_truth_tables(text: str, names: tuple[str, ...], expected: list[int]) -> None:
    np.testing.assert_array_equal(truth_table(parse_rule(text), names), np.asarray(expected, dtype=bool))


@pytest.mark.parametrize("dialect", ["bnet", "aeon", "maboss"])
def test_rendering_reparses_to_the_same_tree(dialect: str) -> None:
    expr = parse_rule("(A ^ !B) & (C | !(D & 1)) | (E ^ (F | G))")
    names = tuple(sorted(expr.variables()))
    reparsed = parse_rule(expr.to_string(dialect))
    np.testing.assert_array_equal(truth_table(reparsed, names), truth_table(expr, names))


def test_nested_operators_are_flattened_and_hashable() -> None:
    expr = parse_rule("A & (B & C)")
    assert expr == And((Var("A"), Var("B"), Var("C")))
    assert len({expr, parse_rule("A & B & C")}) == 1
    assert isinstance(Var("A") ^ Var("B"), Xor)
    assert Const(True).to_string("aeon") == "true"


@pytest.mark.parametrize(
    ("text", "problem", "column"),
    [
        ("A & (B | C", "missing ')'", 11),
        ("A & | B", "operator '|' where an operand was expected", 5),
        ("A B", "expected an operator before 'B'", 3),
        ("A & B)", "unbalanced ')'", 6),
        ("A + B", "unexpected character '+'", 3),
        ("", "empty rule", 1),
        ("A &", "rule ends where an operand was expected", 4),
        ("__import__('os')", "unexpected character", 12),
        ("f(A)", "uninterpreted functions are not supported", 1),
        ("A & 'os'", "unexpected character", 5),
        ("2", "invalid name '2'", 1),
    ],
)
def test_malformed_rules_name_the_problem_and_column(text: str, problem: str, column: int) -> None:
    with pytest.raises(RuleSyntaxError, match="column") as info:
        parse_rule(text, line=7, source="toy.bnet")
    assert problem in str(info.value)
    assert info.value.position + 1 == column
    assert "toy.bnet: line 7:" in str(info.value)
    assert isinstance(info.value, ModelError) and isinstance(info.value, ValueError)


def test_bnet_errors_name_the_line() -> None:
    text = "targets, factors\nA, B\n# comment\nB, A & (C\n"
    with pytest.raises(RuleSyntaxError, match=r"line 4: missing '\)'"):
        parse_bnet(text, source="bad.bnet")
    with pytest.raises(RuleSyntaxError, match="line 1: expected 'target, rule'"):
        parse_bnet("A B\n")
    with pytest.raises(ModelError, match="line 3: node 'A' already has a rule"):
        parse_bnet("A, B\nB, A\nA, !B\n")
