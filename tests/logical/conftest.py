from __future__ import annotations

import sys
from pathlib import Path

# Lets the test modules import the shared list of peer folders (_peers.py) without a package.
sys.path.insert(0, str(Path(__file__).parent))
