"""Record the scorecard and the kinetic↔logical concordance that tests/test_literature.py compares with.

Run after an intended model change (and say in the change note which numbers moved and why):

    python scripts/record_literature_reference.py

Writes ``tests/data/literature_reference.json``: per check id, the kinetic verdict and simulated
text (``her2sim validate``) and the logical verdict and simulated text (default ``LogicalLab``:
400 trajectories, seed 0).
"""

from __future__ import annotations

import json
from pathlib import Path

from her2sim.library.concordance import finding_concordance
from her2sim.library.findings import run_checks

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "literature_reference.json"


def main() -> None:
    kinetic = run_checks()
    logical = finding_concordance(kinetic).set_index("id")
    record = {}
    for _, row in kinetic.iterrows():
        entry = {"kinetic_verdict": row["verdict"], "kinetic_simulated": row["simulated"]}
        if row["id"] in logical.index:
            entry["logical_verdict"] = logical.loc[row["id"], "logical_verdict"]
            entry["logical_simulated"] = logical.loc[row["id"], "logical_simulated"]
        record[row["id"]] = entry
    OUT.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(record)} checks)")


if __name__ == "__main__":
    main()
