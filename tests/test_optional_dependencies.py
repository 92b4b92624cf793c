"""``import her2sim`` and a simulation work without the optional dependencies.

A child process blocks the imports of matplotlib, typer, rich, SALib, fides, petab and the logical
engines (a meta-path finder that raises ImportError), then imports the package and its analysis,
calibration and library modules, and simulates the flagship model (oracle: the run succeeds and the
pre-equilibrated cell number at t = 0 is 1, relative 1e-9).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BLOCKED = ("matplotlib", "typer", "rich", "SALib", "fides", "petab", "biodivine_aeon", "mpbn", "cmaboss")

_CHILD = """
import sys
BLOCKED = {blocked!r}

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{{name}} blocked for this test")
        return None

sys.meta_path.insert(0, Block())
import numpy as np
import her2sim as hs
import her2sim.analysis, her2sim.calibration, her2sim.plotting, her2sim.family
from her2sim.library import her2_model
from her2sim.library.protocols import treat
ds = treat({{"trastuzumab": (10, "ug/mL")}}, times=[0.0, 24.0], outputs=["cells", "pAKT_S473"])
assert int(ds["status"]) == 0
assert abs(float(ds["cells"][0]) - 1.0) < 1e-9
loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
assert not loaded, loaded
print("ok")
"""


def test_import_and_simulate_without_optional_dependencies():
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-c", _CHILD.format(blocked=BLOCKED)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "ok"
