"""Compile-time benchmark: her2sim's code generation + C compiler per model, against
libRoadRunner's load (SBML → LLVM JIT) of the same SBML, measured in the same process.

Each model runs in a fresh process with an empty cache. Printed per model: CPU seconds of
her2sim's code generation (sympy, in-process CPU), of the C compiler (child-process CPU), their
sum and wall time; libRoadRunner's load CPU time (``RoadRunner(sbml)``, which compiles the
model with LLVM); and the ratio her2sim / libRoadRunner. CPU times, because the machine is
shared: wall time is printed too, with the load average.

Run:  python benchmarks/bench_compile.py [--all] [MODEL ...]
MODEL is a path relative to the peer-model folder (``$HER2SIM_PEER_MODELS`` or
``../shared/peer-models``) or ``flagship``; default: Chen 2009, the PEtab Chen problem's model,
the flagship and Fujita 2010.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PEER = Path(os.environ.get("HER2SIM_PEER_MODELS", REPO.parent / "shared" / "peer-models"))
DEFAULT = [
    "chen2009/BIOMD0000000255.xml",
    "petab/Chen_MSB2009/model_Chen_MSB2009.xml",
    "flagship",
    "fujita2010/BIOMD0000000262.xml",
]


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def one(name: str) -> None:
    """Child process: compile one model in an empty cache (set by the parent)."""
    import her2sim as hs
    from her2sim.engine import codegen, compiler

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if name == "flagship":
            from her2sim.library import her2_model

            model = her2_model.build()
        else:
            model = hs.read_sbml(PEER / name)
    calls = {"generate": 0.0}
    generate = codegen.generate

    def timed(*args, **kwargs):
        c = time.process_time()
        try:
            return generate(*args, **kwargs)
        finally:
            calls["generate"] += time.process_time() - c

    codegen.generate = timed
    c0, cc0, w0 = time.process_time(), _children_cpu(), time.perf_counter()
    compiler.CompiledModel(model)
    python, gcc, wall = time.process_time() - c0, _children_cpu() - cc0, time.perf_counter() - w0
    try:
        import roadrunner

        sbml = hs.write_sbml(model.with_inferred_modifiers())
        c = time.process_time()
        roadrunner.RoadRunner(sbml)
        rr = time.process_time() - c
    except Exception:  # noqa: BLE001 - the reference is optional
        rr = float("nan")
    print(f"{len(model.species)}\t{calls['generate']:.2f}\t{python:.2f}\t{gcc:.2f}\t{wall:.2f}\t{rr:.2f}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="*")
    ap.add_argument("--all", action="store_true", help="every peer SBML model and the flagship")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        one(args.one)
        return
    names = args.models or DEFAULT
    if args.all:
        files = sorted(PEER.glob("*/*.xml")) + sorted(PEER.glob("petab/*/model_*.xml"))
        names = ["flagship"] + [str(f.relative_to(PEER)) for f in files]
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; CPU seconds (wall in brackets)")
    for name in names:
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "HER2SIM_CACHE_DIR": tmp}
            proc = subprocess.run([sys.executable, __file__, "--one", name], env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            tail = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode
            print(f"{name:50s} failed: {tail}")
            continue
        n_sp, gen, python, gcc, wall, rr = proc.stdout.strip().splitlines()[-1].split("\t")
        total = float(python) + float(gcc)
        print(f"{name:50s} {n_sp:>4s} species: her2sim {total:6.2f} s (generate {float(gen):5.2f}, other Python "
              f"{float(python) - float(gen):4.2f}, C compiler {float(gcc):5.2f}; wall {float(wall):5.1f}) | "
              f"libRoadRunner load {float(rr):5.2f} s | her2sim/libRoadRunner {total / float(rr):5.2f}", flush=True)


if __name__ == "__main__":
    main()
