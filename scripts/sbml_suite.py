"""Run the SBML Test Suite's semantic time-course cases with her2sim and summarise the outcome.

    python scripts/sbml_suite.py --workers 2 --out sbml-suite-results.csv
    python scripts/sbml_suite.py --tags EventWithDelay,FastReaction      # a subset by tag
    python scripts/sbml_suite.py --write-pass-list                        # update tests/data/sbml_suite_pass.txt

Each case is classified pass / wrong / refused / crash (see ``tests/sbml_suite.py``). The summary
table gives the counts over all TimeCourse cases and over the L3-core ones, refusals grouped by
reason, every wrong or crashed case, and the wall time. The suite folder is
``$HER2SIM_SBML_TEST_SUITE`` or ``../shared/sbml-test-suite`` relative to the repository root.
Models are compiled at ``-O0`` unless ``HER2SIM_OPT_LEVEL`` is set (compile time dominates).
"""

from __future__ import annotations

import argparse
import collections
import csv
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import sbml_suite  # noqa: E402

PASS_LIST = REPO / "tests" / "data" / "sbml_suite_pass.txt"


def _run(case: sbml_suite.Case) -> sbml_suite.Outcome:
    return sbml_suite.run_case(case)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--tags", default="", help="comma-separated tags: run only cases with any of them")
    parser.add_argument("--cases", default="", help="comma-separated case numbers (e.g. 00001,01124)")
    parser.add_argument("--out", type=Path, default=None, help="CSV file of every case's outcome")
    parser.add_argument("--write-pass-list", action="store_true", help=f"rewrite {PASS_LIST.relative_to(REPO)}")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error(f"--workers must be >= 1, got {args.workers}")
    os.environ.setdefault("HER2SIM_OPT_LEVEL", "-O0")

    cases = [c for c in sbml_suite.all_cases() if c.test_type == "TimeCourse"]
    if args.tags:
        wanted = {t.strip() for t in args.tags.split(",")}
        cases = [c for c in cases if wanted & set(c.tags)]
    if args.cases:
        wanted = {c.strip().zfill(5) for c in args.cases.split(",")}
        cases = [c for c in cases if c.id in wanted]
    if args.write_pass_list and (args.tags or args.cases):
        parser.error("--write-pass-list needs the whole suite (no --tags or --cases)")

    start = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        outcomes = list(pool.map(_run, cases, chunksize=4))
    wall = time.perf_counter() - start

    by_id = {c.id: c for c in cases}
    total = collections.Counter(o.status for o in outcomes)
    core = collections.Counter(o.status for o in outcomes if by_id[o.case].is_core)
    n_core = sum(core.values())
    l3 = collections.Counter(o.status for o in outcomes if by_id[o.case].is_l3_core)
    print(f"SBML Test Suite: {len(cases)} TimeCourse cases in {wall:.0f} s wall ({args.workers} workers, "
          f"{wall / max(len(cases), 1):.2f} s per case)\n")
    print("| | " + " | ".join(sbml_suite.STATUSES) + " | cases |")
    print("|---|" + "---|" * (len(sbml_suite.STATUSES) + 1))
    print("| all TimeCourse | " + " | ".join(str(total[s]) for s in sbml_suite.STATUSES) + f" | {len(cases)} |")
    print("| core (no package, fast, algebraic, delay) | " + " | ".join(str(core[s]) for s in sbml_suite.STATUSES)
          + f" | {n_core} |")
    print("| L3 without packages | " + " | ".join(str(l3[s]) for s in sbml_suite.STATUSES)
          + f" | {sum(l3.values())} |")
    reasons = collections.Counter(sbml_suite.reason_key(o.reason) for o in outcomes if o.status == "refused")
    print("\nrefusals by reason:")
    for reason, n in reasons.most_common():
        example = next(o.case for o in outcomes if o.status == "refused" and sbml_suite.reason_key(o.reason) == reason)
        print(f"  {n:5d}  {reason}   (e.g. {example})")
    for status in ("wrong", "crash"):
        bad = [o for o in outcomes if o.status == status]
        if bad:
            print(f"\n{status} ({len(bad)}):")
            for o in bad:
                print(f"  {o.case}: {o.reason[:200]}")
    if args.out:
        with open(args.out, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["case", "status", "l3_core", "worst", "reason"])
            for o in outcomes:
                w.writerow([o.case, o.status, by_id[o.case].is_l3_core, f"{o.worst:.3g}", o.reason.replace("\n", " ")])
    if args.write_pass_list:
        PASS_LIST.write_text(
            "# SBML Test Suite cases her2sim passes (written by scripts/sbml_suite.py --write-pass-list)\n"
            + "".join(f"{o.case}\n" for o in sorted(outcomes, key=lambda o: o.case) if o.status == "pass")
        )
    return 1 if total["wrong"] or total["crash"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
