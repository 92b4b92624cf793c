"""Seeded, bounded fuzzing of every input path (issue #19): SBML, bnet/aeon/SBML-qual/MaBoSS,
PEtab tables and API arguments.

Asserted for every input: no crash (parsers run in a child process, so a segfault or abort is a
test failure with the offending case named, not a dead test runner), no hang (a per-case time
bound and a timeout on the child), and only her2sim errors (``Her2simError``; a missing file
may be ``FileNotFoundError``). Inputs are derived from the peer models with a fixed seed, so a
failure reproduces; the counts keep each test under ~20 s on one core.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import her2sim as hs
from her2sim.errors import Her2simError

REPO = Path(__file__).resolve().parents[1]
SEED = 20261203
PER_CASE_SECONDS = 10.0
MATHML = "http://www.w3.org/1998/Math/MathML"

_CHILD = textwrap.dedent(
    """
    import base64, json, sys, time, warnings
    warnings.simplefilter("ignore")
    import her2sim as hs
    from her2sim.errors import Her2simError
    from her2sim.logical import io as lio
    from her2sim.io import petab as pt
    from her2sim.engine.compiler import check_generatable

    def sbml(data):
        model = hs.read_sbml(data)
        check_generatable(model)

    def simulate(data):
        hs.simulate(hs.read_sbml(data), [0.0, 0.5, 1.0], throw=False)

    READERS = {
        "sbml": sbml,
        "simulate": simulate,
        "bnet": lambda d: lio.parse_bnet(lio._limits.decode_text(d, "bnet")),
        "aeon": lambda d: lio.parse_aeon(lio._limits.decode_text(d, "aeon")),
        "qual": lambda d: lio.parse_sbml_qual(lio._limits.decode_text(d, "qual")),
        "maboss": lambda d: lio.parse_maboss(lio._limits.decode_text(d, "bnd")),
        "petab": lambda d: pt.load_petab(d.decode()),
    }
    for line in sys.stdin:
        kind, name, payload = json.loads(line)
        print(json.dumps({"start": name}), flush=True)
        data = base64.b64decode(payload)
        t = time.perf_counter()
        try:
            READERS[kind](data)
            row = {"kind": "accepted"}
        except Her2simError as exc:
            row = {"kind": "her2sim"}
        except FileNotFoundError as exc:
            row = {"kind": "her2sim"}
        except BaseException as exc:
            row = {"kind": type(exc).__name__, "message": str(exc)[:300]}
        row.update(name=name, seconds=time.perf_counter() - t)
        print(json.dumps(row), flush=True)
    """
)


def run_cases(cases: list[tuple[str, str, bytes]], timeout: float = 240) -> list[dict]:
    # a 4 s budget per model conversion (default 60 s), so that a runaway sympy evaluation is
    # stopped inside the per-case bound
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "HER2SIM_MAX_READ_SECONDS": "4"}
    payload = "".join(json.dumps([k, n, base64.b64encode(d).decode()]) + "\n" for k, n, d in cases)
    try:
        proc = subprocess.run([sys.executable, "-c", _CHILD], input=payload, env=env, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        started = [json.loads(line)["start"] for line in out.splitlines() if '"start"' in line]
        raise AssertionError(f"hang: the child ran over {timeout} s, in case {started[-1] if started else None!r}")
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    started = [r["start"] for r in rows if "start" in r]
    assert proc.returncode == 0, (
        f"child process died (exit {proc.returncode}) on case {started[-1] if started else None!r}: "
        f"{proc.stderr[-1500:]}")
    results = [r for r in rows if "start" not in r]
    assert len(results) == len(cases)
    return results


def assert_only_her2sim_errors(results: list[dict]) -> dict[str, int]:
    bad = [r for r in results if r["kind"] not in ("accepted", "her2sim")]
    slow = [r for r in results if r["seconds"] > PER_CASE_SECONDS]
    assert not bad, f"{len(bad)} inputs raised non-her2sim errors, e.g. {bad[:3]}"
    assert not slow, f"{len(slow)} inputs took longer than {PER_CASE_SECONDS} s, e.g. {slow[:3]}"
    counts: dict[str, int] = {}
    for r in results:
        counts[r["kind"]] = counts.get(r["kind"], 0) + 1
    return counts


# ------------------------------------------------------------------------------------ mutations

_WEIRD_NUMBERS = ["nan", "NaN", "inf", "-inf", "1e400", "-1e400", "0", "-0", "", " ", "1e5;x", "0x1p3", "1_000",
                  "1,5", "9" * 80, "1e-400", "abc", "1e", "--1", "2^(2^40)", "\u0661"]


def mutate_text(text: str, rng: random.Random) -> str:
    """One random structural or lexical mutation of a text file."""
    choice = rng.randrange(9)
    n = len(text)
    if choice == 0:  # truncate
        return text[: rng.randrange(n)]
    if choice == 1:  # delete a slice
        a = rng.randrange(n)
        return text[:a] + text[a + rng.randrange(1, 400):]
    if choice == 2:  # duplicate a slice
        a = rng.randrange(n)
        b = min(n, a + rng.randrange(1, 400))
        return text[:b] + text[a:b] + text[b:]
    if choice == 3:  # replace a number
        numbers = list(re.finditer(r"(?<![A-Za-z_])\d+(\.\d+)?([eE][-+]?\d+)?", text))
        if numbers:
            m = rng.choice(numbers)
            return text[: m.start()] + rng.choice(_WEIRD_NUMBERS) + text[m.end():]
        return text
    if choice == 4:  # replace an attribute value or identifier with another one from the file
        words = re.findall(r'"([^"\s]{1,40})"', text) or ["x"]
        target, other = rng.choice(words), rng.choice(words)
        return text.replace(f'"{target}"', f'"{other}"', 1)
    if choice == 5:  # random bytes of punctuation
        a = rng.randrange(n)
        return text[:a] + "".join(rng.choice("<>&;\"'/()!|^=\x00\ufffd") for _ in range(rng.randrange(1, 8))) + text[a:]
    if choice == 6:  # swap two lines
        lines = text.splitlines(keepends=True)
        if len(lines) > 2:
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        return "".join(lines)
    if choice == 7:  # deep nesting at a random place
        a = rng.randrange(n)
        depth = rng.choice([50, 500, 5000])
        return text[:a] + "(" * depth + text[a:] + ")" * depth if rng.random() < 0.5 else (
            text[:a] + "<apply><minus/>" * depth + "<cn>1</cn>" + "</apply>" * depth + text[a:])
    return text + text[: rng.randrange(n)]  # trailing garbage


def random_math(rng: random.Random, depth: int = 0) -> str:
    """A random MathML expression over the species/parameters A, k and constants."""
    if depth > 4 or rng.random() < 0.3:
        leaf = rng.choice(["<ci>A</ci>", "<ci>k</ci>", "<cn>0</cn>", "<cn>-1</cn>", "<cn>2</cn>", "<cn>1e308</cn>",
                           "<cn>1e8</cn>", '<cn type="integer">40</cn>', "<cn>0.5</cn>", "<csymbol encoding=\"text\" "
                           "definitionURL=\"http://www.sbml.org/sbml/symbols/time\">t</csymbol>"])
        return leaf
    op = rng.choice(["plus", "minus", "times", "divide", "power", "root", "exp", "ln", "log", "factorial",
                     "abs", "floor", "ceiling", "sin", "arccosh", "piecewise", "lt", "and"])
    if op == "piecewise":
        return (f"<piecewise><piece>{random_math(rng, depth + 1)}<apply><lt/>{random_math(rng, depth + 1)}"
                f"{random_math(rng, depth + 1)}</apply></piece><otherwise>{random_math(rng, depth + 1)}</otherwise></piecewise>")
    arity = 1 if op in ("exp", "ln", "factorial", "abs", "floor", "ceiling", "sin", "arccosh") else 2
    args = "".join(random_math(rng, depth + 1) for _ in range(arity))
    return f"<apply><{op}/>{args}</apply>"


def sbml_with_rate(math: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" '
        'level="3" version="2"><model id="fuzz"><listOfCompartments><compartment id="c" size="1" constant="true"/>'
        '</listOfCompartments><listOfSpecies><species id="A" compartment="c" initialConcentration="1" '
        'hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/></listOfSpecies>'
        '<listOfParameters><parameter id="k" value="0.5" constant="true"/></listOfParameters>'
        '<listOfReactions><reaction id="r" reversible="false"><listOfReactants><speciesReference species="A" '
        'stoichiometry="1" constant="true"/></listOfReactants><kineticLaw>'
        f'<math xmlns="{MATHML}">{math}</math></kineticLaw></reaction></listOfReactions></model></sbml>'
    )


# ------------------------------------------------------------------------------------ the tests


def test_fuzz_sbml_mutated_peer_models_and_generated_math(peer_models):
    rng = random.Random(SEED)
    cases = []
    for rel in ("fujita2010/BIOMD0000000262.xml", "brannmark2013/BIOMD0000000448.xml"):
        text = (peer_models / rel).read_text()
        for i in range(25):
            mutated = text
            for _ in range(rng.randrange(1, 4)):
                mutated = mutate_text(mutated, rng)
            cases.append(("sbml", f"{rel}#{i}", mutated.encode("utf-8", errors="surrogatepass")))
    for i in range(60):
        cases.append(("sbml", f"generated-math#{i}", sbml_with_rate(random_math(rng)).encode()))
    # a few all the way through code generation, gcc and the solver (each compile takes ~1 s)
    for i in range(6):
        cases.append(("simulate", f"compiled-math#{i}", sbml_with_rate(random_math(rng)).encode()))
    counts = assert_only_her2sim_errors(run_cases(cases))
    assert counts.get("accepted", 0) >= 10 and counts.get("her2sim", 0) >= 10, counts  # both paths exercised


def test_fuzz_logical_formats(peer_models):
    rng = random.Random(SEED + 1)
    folder = peer_models / "sahin2009"
    sources = {"bnet": (folder / "model.bnet").read_text(), "aeon": (folder / "model.aeon").read_text(),
               "qual": (folder / "model.sbml").read_text()}
    from her2sim.logical import read_bnet
    from her2sim.logical.simulation import _maboss_text

    model = read_bnet(folder / "model.bnet")
    sources["maboss"] = _maboss_text(model, np.full(len(model.nodes), 0.5), np.ones(len(model.nodes)),
                                     np.linspace(0, 1, 3), 10, 1)[0]
    cases = []
    for kind, text in sources.items():
        n = 10 if kind == "qual" else 30
        for i in range(n):
            mutated = text
            for _ in range(rng.randrange(1, 4)):
                mutated = mutate_text(mutated, rng)
            data = mutated.encode("utf-8", errors="surrogatepass")
            if rng.random() < 0.1:  # not UTF-8
                data = data.replace(b"v_", b"v\xe9_", 1) if b"v_" in data else data + b"\xff"
            cases.append((kind, f"{kind}#{i}", data))
    counts = assert_only_her2sim_errors(run_cases(cases))
    assert counts.get("accepted", 0) >= 5 and counts.get("her2sim", 0) >= 20, counts


PETAB_TABLES = ("parameters_Fujita_SciSignal2010.tsv", "measurementData_step_Fujita_SciSignal2010.tsv",
                "observables_Fujita_SciSignal2010.tsv", "experimentalCondition_Fujita_SciSignal2010.tsv",
                "Fujita_SciSignal2010.yaml")


def test_fuzz_petab_tables(peer_models, tmp_path):
    rng = random.Random(SEED + 2)
    source = peer_models / "petab/Fujita_SciSignal2010"
    cases = []
    for i in range(24):
        folder = tmp_path / f"p{i}"
        shutil.copytree(source, folder, ignore=shutil.ignore_patterns("test_data", "*.xlsx", "simulated*"))
        name = rng.choice(PETAB_TABLES)
        text = (folder / name).read_text()
        if name.endswith(".tsv") and rng.random() < 0.6:  # one cell
            rows = [line.split("\t") for line in text.splitlines()]
            r, c = rng.randrange(len(rows)), rng.randrange(len(rows[0]))
            if c < len(rows[r]):
                rows[r][c] = rng.choice(_WEIRD_NUMBERS + ["-0.01", "2", "log", "", "\t", "a\tb"])
            text = "\n".join("\t".join(row) for row in rows) + "\n"
        else:
            text = mutate_text(text, rng)
        (folder / name).write_text(text, errors="surrogatepass")
        cases.append(("petab", f"{name}#{i}", str(folder / "Fujita_SciSignal2010.yaml").encode()))
    counts = assert_only_her2sim_errors(run_cases(cases))
    assert counts.get("her2sim", 0) >= 5, counts


@pytest.fixture(scope="module")
def compiled():
    model = hs.Model("fuzzapi", compartments=(hs.Compartment("c"),), species=(hs.Species("A", "c", 2.0),),
                     parameters=(hs.Parameter("k", 0.5),),
                     reactions=(hs.Reaction("r", (("A", 1),), (), hs.model.parse("k*A")),))
    from her2sim.engine.compiler import compile_model

    return compile_model(model)


_VALUES = [None, float("nan"), float("inf"), -float("inf"), -1.0, 0.0, 1e-300, 1e300, 2**63, -(2**63), 1.5, 3, True,
           "1", "fast", [], [1.0, 2.0], {"a": 1}, object(), np.float32(2.0), np.int64(5), complex(1, 1)]


def test_fuzz_api_arguments(compiled):
    """Random keyword arguments to simulate / simulate_ensemble: results or her2sim errors only,
    and a successful run is finite where it should be (no silent NaN for accepted inputs)."""
    rng = random.Random(SEED + 3)
    keys = ["rtol", "atol", "max_steps", "h_max", "steady_state_tmax", "parameters", "initial", "schedule",
            "times", "outputs", "preequilibrate"]
    outcomes = {"ok": 0, "her2sim": 0}
    for i in range(300):
        kwargs = {}
        for key in rng.sample(keys, rng.randrange(1, 3)):
            v = rng.choice(_VALUES)
            if key == "parameters":
                v = {rng.choice(["k", "c", "K", "A"]): v}
            elif key == "initial":
                v = {rng.choice(["A", "k"]): v}
            elif key == "schedule":
                v = [(rng.choice(_VALUES), {"k": rng.choice(_VALUES)})] if rng.random() < 0.8 else v
            elif key == "preequilibrate":
                v = rng.choice([True, False, {"k": v}, v])
            elif key == "outputs":
                v = rng.choice([["A"], ["B"], "A", [], v])
            kwargs[key] = v
        times = kwargs.pop("times", [0.0, 1.0])
        fn = hs.simulate if i % 3 else (lambda cm, t, **kw: hs.simulate_ensemble(
            cm, t, kw.pop("parameters", {"k": [0.5, 0.6]}), **kw))
        try:
            ds = fn(compiled, times, **kwargs)
        except Her2simError:
            outcomes["her2sim"] += 1
            continue
        except Exception as exc:  # pragma: no cover - the assertion explains
            raise AssertionError(f"case {i}: {kwargs!r} with times={times!r} raised {type(exc).__name__}: {exc}")
        outcomes["ok"] += 1
        status = np.atleast_1d(ds["status"].values)
        for name in ds.data_vars:
            if ds[name].dims and "time" in ds[name].dims:
                values = np.asarray(ds[name].values, dtype=float).reshape(status.size, -1)
                ok = status == 0
                assert np.all(np.isfinite(values[ok])) or not ok.any(), (i, kwargs, times)
                assert np.all(np.isnan(values[~ok])), (i, kwargs, times)
    assert outcomes["ok"] >= 30 and outcomes["her2sim"] >= 100, outcomes
