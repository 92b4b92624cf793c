"""Untrusted input never kills or hangs the process (issue #19, engine/input half).

Every hostile document below crashed, aborted or hung the process before the pre-scan of
``her2sim.io._limits`` existed. Each case is read in a *child process* with a timeout, so a
regression shows as a failed test (negative exit code = killed by a signal, or a timeout)
instead of a dead test runner. One child reads all SBML cases to keep the cost to one import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import her2sim as hs
from her2sim.errors import Her2simError, ModelError
from her2sim.io import _limits
from her2sim.logical import parse_bnet, parse_maboss, read_bnet, read_logical, read_maboss
from her2sim.logical.expr import MAX_RULE_NESTING, RuleSyntaxError

REPO = Path(__file__).resolve().parents[1]
MATHML = "http://www.w3.org/1998/Math/MathML"


def sbml(body: str, *, ns: str = "http://www.sbml.org/sbml/level3/version1/core", level: int = 3,
         version: int = 1, prolog: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<sbml xmlns="{ns}" level="{level}" version="{version}">'
            f'<model id="m">{body}</model></sbml>')


def one_rule(math: str) -> str:
    return sbml('<listOfParameters><parameter id="p" constant="false"/></listOfParameters>'
                f'<listOfRules><assignmentRule variable="p"><math xmlns="{MATHML}">{math}</math>'
                '</assignmentRule></listOfRules>')


def nested(depth: int) -> str:
    return one_rule("<apply><minus/>" * depth + "<cn>1</cn>" + "</apply>" * depth)


def chained_rules(n: int) -> str:
    params = "".join(f'<parameter id="p{i}" value="1" constant="{str(i == 0).lower()}"/>' for i in range(n))
    rules = "".join(
        f'<assignmentRule variable="p{i}"><math xmlns="{MATHML}"><apply><plus/><ci>p{i - 1}</ci><cn>1</cn></apply>'
        "</math></assignmentRule>" for i in range(1, n))
    return sbml(f"<listOfParameters>{params}</listOfParameters><listOfRules>{rules}</listOfRules>")


def nested_functions(n: int) -> str:
    fds = f'<functionDefinition id="f0"><math xmlns="{MATHML}"><lambda><bvar><ci>x</ci></bvar><ci>x</ci></lambda></math></functionDefinition>'
    fds += "".join(
        f'<functionDefinition id="f{i}"><math xmlns="{MATHML}"><lambda><bvar><ci>x</ci></bvar>'
        f"<apply><ci>f{i - 1}</ci><ci>x</ci></apply></lambda></math></functionDefinition>" for i in range(1, n))
    return sbml(f"<listOfFunctionDefinitions>{fds}</listOfFunctionDefinitions>"
                '<listOfParameters><parameter id="p" constant="false"/></listOfParameters>'
                f'<listOfRules><assignmentRule variable="p"><math xmlns="{MATHML}"><apply><ci>f{n - 1}</ci><cn>1</cn>'
                "</apply></math></assignmentRule></listOfRules>")


STOICH_MATH = ('<listOfCompartments><compartment id="c" size="1"/></listOfCompartments><listOfSpecies>'
               '<species id="A" compartment="c" initialAmount="1"/></listOfSpecies><listOfReactions><reaction id="r">'
               '<listOfReactants><speciesReference species="A"><stoichiometryMath>'
               f'<math xmlns="{MATHML}"><cn>2</cn></math></stoichiometryMath></speciesReference></listOfReactants>'
               f'<kineticLaw><math xmlns="{MATHML}"><ci>A</ci></math></kineticLaw></reaction></listOfReactions>')

LAUGHS = ('<!DOCTYPE sbml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
          '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
XXE = '<!DOCTYPE sbml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'

# found by tests/test_fuzz.py (seed 1): sympy's Piecewise evaluation explodes in as_real_imag
RUNAWAY = (
    '<piecewise><piece><apply><root/><csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/time">'
    't</csymbol><cn>-1</cn></apply><apply><lt/><piecewise><piece><apply><arccosh/><apply><log/><cn>0</cn><cn>1e8</cn>'
    '</apply></apply><apply><lt/><cn type="integer">40</cn><apply><root/><apply><ln/><apply><arccosh/><cn>0.5</cn>'
    '</apply></apply><apply><exp/><apply><log/><cn>1e308</cn><cn type="integer">40</cn></apply></apply></apply>'
    '</apply></piece><otherwise><apply><exp/><apply><minus/><cn>2</cn><apply><abs/><cn>1e8</cn></apply></apply>'
    '</apply></otherwise></piecewise><apply><factorial/><apply><ceiling/><cn>0</cn></apply></apply></apply></piece>'
    '<otherwise><cn>0</cn></otherwise></piecewise>'
)

# (name, document, expected text in the her2sim error)
CASES = [
    ("runaway sympy evaluation (time limit, 3 s here)", one_rule(RUNAWAY), "took longer than 3 s"),
    ("mathml nested 6,000 levels (segfaulted libSBML)", nested(6000), "nested more than 128"),
    ("mathml nested 400 levels (RecursionError)", nested(400), "nested more than 128"),
    ("factorial(1e8) (sympy hang)", one_rule("<apply><factorial/><cn>1e8</cn></apply>"), "exceeds double precision"),
    ("10^(10^8) (sympy hang)", one_rule('<apply><power/><cn type="integer">10</cn><apply><power/>'
                                       '<cn type="integer">10</cn><cn type="integer">8</cn></apply></apply>'),
     "exceeds double precision"),
    ("2^(2^40) (sympy hang)", one_rule('<apply><power/><cn type="integer">2</cn><apply><power/>'
                                      '<cn type="integer">2</cn><cn type="integer">40</cn></apply></apply>'),
     "exceeds double precision"),
    ("e-notation (1e300)^2", one_rule('<apply><power/><cn type="e-notation">1<sep/>300</cn><cn>2</cn></apply>'),
     "exceeds double precision"),
    ("a 100-digit number", one_rule("<cn>" + "9" * 100 + "</cn>"), "characters"),
    ("400 chained assignment rules (11 s in libSBML)", chained_rules(400), "chain of 399 assignment rules"),
    ("300 nested function definitions", nested_functions(300), "nested 300 deep"),
    ("L2 namespace for level 2 version 4, with stoichiometryMath (C++ abort)",
     sbml(STOICH_MATH, ns="http://www.sbml.org/sbml/level2", level=2, version=4), "does not match level=2 version=4"),
    ("billion laughs", sbml("", prolog=LAUGHS), "DOCTYPE"),
    ("external entity", sbml("", prolog=XXE), "DOCTYPE"),
    ("not XML", "<sbml", "not well-formed"),
    ("root is not sbml", '<?xml version="1.0" encoding="UTF-8"?><html/>', "not <sbml>"),
]

_CHILD = textwrap.dedent(
    """
    import json, sys, time
    import her2sim as hs
    from her2sim.errors import Her2simError
    cases = json.load(sys.stdin)
    for name, text in cases:
        print(json.dumps({"start": name}), flush=True)
        t = time.perf_counter()
        try:
            hs.read_sbml(text)
            row = {"name": name, "kind": "accepted"}
        except Her2simError as exc:
            row = {"name": name, "kind": "her2sim", "message": str(exc)}
        except BaseException as exc:
            row = {"name": name, "kind": type(exc).__name__, "message": str(exc)[:500]}
        row["seconds"] = time.perf_counter() - t
        print(json.dumps(row), flush=True)
    """
)


def run_child(script: str, payload, timeout: float = 120) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "HER2SIM_MAX_READ_SECONDS": "3"}
    proc = subprocess.run([sys.executable, "-c", script], input=json.dumps(payload), env=env,
                          capture_output=True, text=True, timeout=timeout)
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    last = rows[-1].get("start") if rows else None
    assert proc.returncode == 0, f"child died with exit {proc.returncode} during {last!r}: {proc.stderr[-1500:]}"
    return [r for r in rows if "start" not in r]


@pytest.fixture(scope="module")
def hostile_results() -> dict[str, dict]:
    rows = run_child(_CHILD, [(name, text) for name, text, _ in CASES])
    return {r["name"]: r for r in rows}


@pytest.mark.parametrize("name, expected", [(c[0], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_sbml_gives_a_her2sim_error_quickly(hostile_results, name, expected):
    row = hostile_results[name]
    assert row["kind"] == "her2sim", row
    assert expected in row["message"], row["message"]
    assert row["seconds"] < 5.0, row  # refusals by the pre-scan take milliseconds; the time limit is 3 s


def test_time_limit_restores_the_callers_handler():
    import signal

    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(_limits.InputLimitError, match="took longer than 0.2 s"):
        with _limits.time_limit("a busy loop", 0.2):
            while True:
                pass
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_messages_name_element_id_and_fix(hostile_results):
    msg = hostile_results["400 chained assignment rules (11 s in libSBML)"]["message"]
    assert "<assignmentRule> 'p399'" in msg and "Replace the chain" in msg
    msg = hostile_results["mathml nested 400 levels (RecursionError)"]["message"]
    assert "<assignmentRule> 'p'" in msg and "line 1" in msg and "flatten" in msg


def test_limits_leave_room_below_the_measured_cost():
    """A chain of 150 rules (the limit) is read, and quickly: libSBML's check takes ~0.2 s there."""
    import time

    t = time.perf_counter()
    _limits.scan_sbml(chained_rules(_limits.LIMITS.max_rule_chain).encode())
    with pytest.raises(_limits.InputLimitError):
        _limits.scan_sbml(chained_rules(_limits.LIMITS.max_rule_chain + 2).encode())
    _limits.scan_sbml(nested_functions(_limits.LIMITS.max_function_nesting).encode())
    _limits.scan_sbml(nested(100).encode())
    assert time.perf_counter() - t < 5


def test_peer_models_and_the_sbml_test_suite_pass_the_pre_scan(peer_models, shared):
    """The limits refuse no published input: all peer models and the 1,821 SBML test-suite files
    (measured maxima: depth 19, 73 assignment rules, 29 function definitions, 1.1 MB)."""
    paths = sorted(peer_models.rglob("*.xml")) + sorted((shared / "sbml-test-suite").rglob("*.xml"))
    assert len(paths) > 1000
    for path in paths:
        _limits.scan_sbml(path.read_bytes(), path.name)


def test_size_limit_before_reading(tmp_path):
    small = _limits.Limits(max_bytes=1000)
    path = tmp_path / "big.xml"
    path.write_bytes(b"<sbml>" + b" " * 2000 + b"</sbml>")
    with pytest.raises(_limits.InputLimitError, match="above the limit of 1,000 bytes"):
        _limits.sbml_source(path, small)
    with pytest.raises(_limits.InputLimitError):
        _limits.read_text(path, "bnet file", small)


DECAY = sbml('<listOfCompartments><compartment id="c" size="1" constant="true"/></listOfCompartments>'
             '<listOfSpecies><species id="A" compartment="c" initialAmount="2" hasOnlySubstanceUnits="false" '
             'boundaryCondition="false" constant="false"/></listOfSpecies>'
             '<listOfParameters><parameter id="k" value="0.5" constant="true"/></listOfParameters>'
             '<listOfReactions><reaction id="r" reversible="false" fast="false"><listOfReactants>'
             '<speciesReference species="A" stoichiometry="1" constant="true"/></listOfReactants>'
             f'<kineticLaw><math xmlns="{MATHML}"><apply><times/><ci>k</ci><ci>A</ci></apply></math></kineticLaw>'
             '</reaction></listOfReactions>')


def test_bytes_are_a_document_never_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = hs.read_sbml(DECAY.encode())
    assert [s.id for s in model.species] == ["A"]
    # a byte-order mark used to send the text down the "path" branch
    assert hs.read_sbml(b"\xef\xbb\xbf" + DECAY.encode()).id == "m"
    # bytes that happen to name an existing file are still read as a document
    (tmp_path / "decay.xml").write_text(DECAY)
    with pytest.raises(ModelError, match="not well-formed"):
        hs.read_sbml(b"decay.xml")
    with pytest.raises(Her2simError, match="not UTF-8|not well-formed"):
        hs.read_sbml(DECAY.encode().replace(b'id="m"', b'id="m\xff"'))


# ------------------------------------------------------------------------------------ logical


def test_non_utf8_logical_files_give_a_her2sim_error(tmp_path):
    for suffix, text in ((".bnet", b"A, B\nB, A \xe9\n"), (".aeon", b"$A: B\nB -> A\n# caf\xe9\n")):
        path = tmp_path / f"model{suffix}"
        path.write_bytes(text)
        with pytest.raises(Her2simError, match=r"not UTF-8 text: byte 0xe9 .* \(line 2|line 3"):
            read_logical(path)


def test_deep_rules_give_a_rule_syntax_error():
    for rule in ("(" * 5000 + "A" + ")" * 5000, "!" * 5000 + "A", " ^ ".join(["A"] * 3000),
                 " => ".join(["A"] * 3000)):
        with pytest.raises(RuleSyntaxError, match="nested"):
            parse_bnet(f"A, A\nB, {rule}\n")
    # at the limit it still parses (and evaluates without recursion trouble)
    model = parse_bnet("A, A\nB, " + "(" * (MAX_RULE_NESTING - 1) + "A" + ")" * (MAX_RULE_NESTING - 1) + "\n")
    assert model.rule("B").expression.evaluate({"A": True})


MABOSS_BND = """
// toy EGF pathway, MaBoSS syntax
Node EGF { rate_up = 0; rate_down = 0; }
Node EGFR {
  logic = EGF AND NOT ERK; /* negative feedback */
  rate_up = @logic ? $u_EGFR : 0;
  rate_down = @logic ? 0 : 1.0;
}
node ERK { logic = (EGFR OR ERK) && !EGF; }
Node Prolif { logic = ERK XOR EGFR; }
"""
MABOSS_CFG = """EGF.istate = 1; [EGFR].istate = 0.3[1], 0.7[0]; $u_EGFR = 2;
EGF.is_internal = 1; EGFR.is_internal = 1; ERK.is_internal = 1;"""


def test_maboss_bnd_and_cfg_are_read(tmp_path):
    (tmp_path / "toy.bnd").write_text(MABOSS_BND)
    (tmp_path / "toy.cfg").write_text(MABOSS_CFG)
    for model in (read_maboss(tmp_path / "toy.bnd"), read_logical(tmp_path / "toy.bnd")):
        rules = {r.target: r.expression.to_string() for r in model.rules}
        assert rules == {"EGF": "1", "EGFR": "EGF & !ERK", "ERK": "(EGFR | ERK) & !EGF", "Prolif": "ERK ^ EGFR"}
        assert model.inputs == ("EGF",)          # no logic, rates 0, istate fixed at 1 by the cfg
        assert model.phenotypes == ("Prolif",)   # the only external node
    free = parse_maboss(MABOSS_BND)              # without a cfg the input is free
    assert free.rule("EGF").is_identity


def test_maboss_round_trip_of_a_peer_model(peer_models):
    """Oracle: her2sim's own MaBoSS writer (whose output cMaBoSS runs in the simulation tests)."""
    from her2sim.logical.simulation import _maboss_text

    model = read_bnet(peer_models / "sizek2019/model.bnet")
    bnd, cfg = _maboss_text(model, np.full(len(model.nodes), 0.5), np.ones(len(model.nodes)),
                            np.linspace(0, 1, 3), 10, 1)
    again = parse_maboss(bnd, cfg, model_id=model.id)
    assert again.nodes == model.nodes and again.inputs == model.inputs
    assert [r.expression for r in again.rules] == [r.expression for r in model.rules]


@pytest.mark.parametrize("bnd, match", [
    ("Node A { logic = B; rate_up = B ? 1 : 0; }", "reads something other than @logic"),
    ("Node A { rate_up = 1; }", "has no logic"),
    ("Node A { logic = B } Node A { logic = C; }", "defined twice"),
    ("nothing here", "no 'Node NAME"),
    ("Node A { logic = B &; }", "operand"),
])
def test_maboss_errors(bnd, match):
    with pytest.raises(Her2simError, match=match):
        parse_maboss(bnd)


def test_sbml_qual_goes_through_the_pre_scan(tmp_path):
    path = tmp_path / "deep.sbml"
    path.write_text(nested(6000))
    with pytest.raises(_limits.InputLimitError, match="nested more than"):
        read_logical(path)


_ONE_RULE = """<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
<model id="m"><listOfParameters><parameter id="k" constant="false" value="0"/></listOfParameters>
<listOfRules><assignmentRule variable="k"><math xmlns="http://www.w3.org/1998/Math/MathML">{cn}</math>
</assignmentRule></listOfRules></model></sbml>"""


@pytest.mark.parametrize("cn", [
    '<cn>1e5;system("id")</cn>',  # libSBML's strtod kept the valid prefix 1e5
    '<cn type="real">0x1p3</cn>',  # read as 0
    "<cn>1_000</cn>",  # read as 1
    "<cn>1,5</cn>",  # read as 1
    '<cn type="integer">12a</cn>',  # read as 12
    '<cn type="e-notation">1.5<sep/>2.5</cn>',  # exponent must be an integer
    '<cn type="rational">1<sep/>2<sep/>3</cn>',
])
def test_malformed_numbers_are_refused_not_truncated(cn):
    with pytest.raises(Her2simError, match="<cn type="):
        hs.read_sbml(_ONE_RULE.format(cn=cn))


@pytest.mark.parametrize(("cn", "value"), [
    ("<cn> 2.5 </cn>", 2.5), ("<cn>-.5E-3</cn>", -5e-4), ('<cn type="integer"> 7 </cn>', 7),
    ('<cn type="e-notation">1.5<sep/>-2</cn>', 1.5e-2), ('<cn type="rational">1<sep/>4</cn>', 0.25),
])
def test_valid_numbers_keep_their_value(cn, value):
    # oracle: the MathML 2 number syntax and the written value (exact in binary for these)
    model = hs.read_sbml(_ONE_RULE.format(cn=cn))
    assert float(model.assignment_rules[0].math) == pytest.approx(value, rel=1e-15)
