"""Regenerate the shipped plausible population of the flagship after a model change (issue #14).

Run from the repository root, after any change of the model's equations or values (the ensemble
is tied to the model fingerprint; ``family.ensemble()`` refuses a stale one):

    python scripts/regenerate_ensemble.py            # = her2sim calibrate-model ensemble --ship

It writes ``src/her2sim/library/data/ensembles/<model_id>/`` (members, header, scorecard with
training / cross-validated columns, verdict matrix) and keeps the resumable candidate chunks in
``build/ensemble-work`` (ignored by git): a killed run continues where it stopped. Measured on the
project's 2-core machine: see the header's ``seconds_this_run`` and README.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from her2sim.calibration.ensemble_population import DEFAULT_INFLATION, build_population, shipped_folder, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ccle", default=str(Path("..") / "shared" / "data" / "ccle-dose-response.csv"))
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--inflation", type=float, default=DEFAULT_INFLATION)
    parser.add_argument("--workers", type=int, default=2, help="Processes (the result does not depend on it).")
    parser.add_argument("--work-dir", default=str(Path("build") / "ensemble-work"))
    parser.add_argument("--out", default=None, help="Ensemble folder (default: the shipped package-data folder).")
    args = parser.parse_args()
    start = time.perf_counter()
    out = Path(args.out) if args.out else shipped_folder()

    def progress(n_accepted: int, n_wanted: int, note: str) -> None:
        print(f"[{time.perf_counter() - start:7.1f} s] {n_accepted}/{n_wanted} accepted; {note}", file=sys.stderr,
              flush=True)

    run = build_population(out, n_members=args.members, seed=args.seed, inflation=args.inflation, data=args.ccle,
                           work_dir=args.work_dir, workers=args.workers,
                           progress=progress)
    d = run.ensemble.header["details"]
    s = summary(run.scorecard)
    print(f"{out}: {run.ensemble.n_members} members of {d['candidates']} candidates "
          f"(acceptance {d['acceptance_rate']:.1%}) in {time.perf_counter() - start:.0f} s; counted findings "
          f"reproduced: training {s['training']}/{s['counted']}, cross-validated {s['cross_validated']}/{s['counted']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
