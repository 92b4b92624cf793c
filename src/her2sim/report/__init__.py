"""Self-contained HTML report of the flagship model's analyses (figures embedded, data beside).

:func:`write_report` runs the default analyses through the public API, writes every figure's
data as CSV (and Parquet when pyarrow is importable) and one ``report.html`` with the figures
embedded as base64 PNG. It holds no science: scenario choices are listed in :data:`SCENARIOS`.
"""

from __future__ import annotations

from ._builder import SCENARIOS, write_report

__all__ = ["SCENARIOS", "write_report"]
