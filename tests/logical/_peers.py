"""Names of the logical peer models (folders under shared/peer-models) used by the tests."""

from __future__ import annotations

VONDERHEYDE = (
    "vonderheyde2014/bbm-033-BT474-long-term",
    "vonderheyde2014/bbm-034-HCC1954-long-term",
    "vonderheyde2014/bbm-035-BT474-short-term",
    "vonderheyde2014/bbm-036-HCC1954-short-term",
    "vonderheyde2014/bbm-037-SKBR3-short-term",
    "vonderheyde2014/bbm-038-SKBR3-long-term",
)
SMALL = (*VONDERHEYDE, "sahin2009")
LARGE = ("zanudo2017", "zanudo2021", "samaga2009", "sizek2019", "helikar2013-erbb")
ALL = (*SMALL, *LARGE)
FORMATS = ("bnet", "aeon", "sbml")
