"""Cell-line presets for HER2-amplified breast cancer lines.

The facts were transcribed from the project's curated cell-line table (``cell-lines.csv`` in the
shared research notes) into Python data, so the package works without that folder; each line keeps
the table's citation and confidence. A preset lists genotype items by name (from
:mod:`her2sim.library.genotypes`) with an optional strength and a ``status``:

* ``confirmed``  — stated in a source that was read;
* ``secondary``  — taken from another curated record (e.g. a findings row citing a table not re-read);
* ``unconfirmed`` — recall only; do not use as evidence (e.g. BT-474 PIK3CA K111N).

Sensitivity calls are copied as the sources word them; they are qualitative classes, not IC50s.
Lines in the table with no data read (ZR-75-30, EFM-192A) and the multi-line panels are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, final

from ..errors import ValidationError
from ._names import NameIndex
from .drugs import get_drug
from .genotypes import genotype

__all__ = ["GenotypeItem", "Sensitivity", "CellLine", "cell_line", "list_cell_lines", "all_cell_lines"]

Status = Literal["confirmed", "secondary", "unconfirmed"]
_STATUSES = ("confirmed", "secondary", "unconfirmed")
Call = Literal["sensitive", "resistant", "active", "not classified resistant"]
_CALLS = ("sensitive", "resistant", "active", "not classified resistant")

_TABLE = "her2sim cell-line table (transcribed from the project's curated cell-lines.csv)"


@final
@dataclass(frozen=True)
class GenotypeItem:
    """One genotype of a cell line; ``strength`` None means the genotype's default."""

    genotype: str
    status: Status
    source: str
    strength: float | None = None
    note: str = ""

    def __post_init__(self) -> None:
        entry = genotype(self.genotype)  # raises UnknownNameError for unknown names
        if entry.name != self.genotype:
            raise ValidationError(f"GenotypeItem uses alias {self.genotype!r}; use the canonical {entry.name!r}")
        if self.status not in _STATUSES:
            raise ValidationError(f"GenotypeItem.status={self.status!r}; allowed: {_STATUSES}")
        if self.strength is not None and entry.strength is not None:
            entry.strength.check(self.strength, f"{self.genotype} strength")

    @property
    def confirmed(self) -> bool:
        """True only for items stated in a source that was read."""
        return self.status == "confirmed"


@final
@dataclass(frozen=True)
class Sensitivity:
    """A reported sensitivity class of a cell line to one drug (canonical drug name)."""

    drug: str
    call: Call
    detail: str
    source: str

    def __post_init__(self) -> None:
        if get_drug(self.drug).name != self.drug:
            raise ValidationError(f"Sensitivity.drug={self.drug!r}: use the canonical drug name")
        if self.call not in _CALLS:
            raise ValidationError(f"Sensitivity.call={self.call!r}; allowed: {_CALLS}")


@final
@dataclass(frozen=True)
class CellLine:
    """A cell-line preset: genotype composition, HER2 level and reported drug sensitivities."""

    name: str
    aliases: tuple[str, ...]
    her2_status: str
    genotypes: tuple[GenotypeItem, ...]
    sensitivities: tuple[Sensitivity, ...]
    citation: str
    confidence: str
    her2_receptors_per_cell: float | None = None
    features: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        names = [item.genotype for item in self.genotypes]
        if len(set(names)) != len(names):
            raise ValidationError(f"CellLine {self.name!r}: a genotype is listed twice")

    def sensitivity(self, drug: str) -> Sensitivity | None:
        """The reported sensitivity to ``drug`` (any alias), or None if not reported."""
        name = get_drug(drug).name
        for entry in self.sensitivities:
            if entry.drug == name:
                return entry
        return None

    def confirmed_genotypes(self) -> tuple[GenotypeItem, ...]:
        """Only the genotype items stated in a source that was read."""
        return tuple(item for item in self.genotypes if item.confirmed)


_OBRIEN_2010 = "O'Brien NA (author per recall) 2010, Mol Cancer Ther 9:1489-502 (findings L03)"
_TANNER_2004 = "Tanner M (author per recall) 2004, Mol Cancer Ther 3:1585, PMID 15634652"
_CANONICI_2013 = "Canonici A et al. 2013, Oncotarget 4:1592-1605, doi:10.18632/oncotarget.1148"
_ESKENS_2008 = "Eskens FA et al. 2008, Br J Cancer, doi:10.1038/sj.bjc.6604108 (sponsor data on file)"
_HERMARK = "HERmark analytical validation, Pathol Res Int 2010 (814176) (pharmacology.md K20)"
_JERNSTROM_2017 = "Jernstrom S et al. 2017, Breast Cancer (Dove) 9:185-198, doi:10.2147/BCTT.S115600"
_XU_2017 = "Xu (author per recall) 2017, Clin Cancer Res 23:5123-34, PMC5762201"
_HER2_AMP = "HER2 amplification"
_SCALTRITI_2007 = "Scaltriti M et al. 2007, J Natl Cancer Inst 99:628-38, PMID 17440164 (findings L14)"


def _amp(source: str, strength: float | None = None, status: Status = "confirmed") -> GenotypeItem:
    return GenotypeItem(_HER2_AMP, status, source, strength)


def _obrien_pair(trastuzumab: Call, lapatinib: Call) -> tuple[Sensitivity, ...]:
    return (
        Sensitivity("trastuzumab", trastuzumab, "2D and 3D culture panel of 18 HER2-amplified lines", _OBRIEN_2010),
        Sensitivity("lapatinib", lapatinib, "2D and 3D culture panel of 18 HER2-amplified lines", _OBRIEN_2010),
    )


def _build() -> tuple[CellLine, ...]:
    lines: list[CellLine] = []

    lines.append(CellLine(
        name="BT-474",
        aliases=("BT474", "BT474c"),
        her2_status="amplified; IHC 3+",
        her2_receptors_per_cell=499_795.0,
        genotypes=(
            _amp(_HERMARK, 499_795.0),
            GenotypeItem("PIK3CA K111N", "unconfirmed", "cell-lines.csv: recall only",
                         note="not stated in any source read; do not use as evidence"),
        ),
        sensitivities=(
            Sensitivity("trastuzumab", "sensitive", "reference trastuzumab-sensitive line", _TANNER_2004),
            Sensitivity("lapatinib", "sensitive",
                        "also in the acquired-trastuzumab-resistant derivative, where lapatinib still "
                        "dephosphorylates AKT", _OBRIEN_2010),
            Sensitivity("neratinib", "active", "neratinib + trastuzumab active in BT474 xenograft and "
                        "acquired-trastuzumab-resistant BT474", _CANONICI_2013),
            Sensitivity("afatinib", "active", "inhibits EGF-induced proliferation", _ESKENS_2008),
            Sensitivity("capivasertib", "active", "PRAS40 phosphorylation EC50 ~0.1 uM total plasma in "
                        "BT474c xenografts", "Davies BR (per recall) 2012, Mol Cancer Ther 11:873-87"),
        ),
        citation=f"{_TANNER_2004}; {_OBRIEN_2010}; {_CANONICI_2013}; {_HERMARK}; {_XU_2017}",
        confidence="confirmed-in-source except PIK3CA genotype",
        features="ER+; PTEN status not stated in sources read",
        note=("acquired-resistance derivatives carry HER2 L755S (lapatinib-resistant) or T798M (3% allele, "
              "10-fold lapatinib IC50 shift; sensitive to pan-PI3K inhibitors); not part of the parental preset"),
    ))

    lines.append(CellLine(
        name="SK-BR-3",
        aliases=("SKBR3", "SKBR-3", "SK-BR3"),
        her2_status="amplified",
        genotypes=(_amp(_TANNER_2004),),
        sensitivities=(
            Sensitivity("trastuzumab", "sensitive", "proliferation -42% at 10 ug/mL (findings L01, Lu 2001 JNCI; "
                        "not re-read)", "Lu Y (per recall) 2001, J Natl Cancer Inst 93:1852-7, PMID 11752009"),
            Sensitivity("lapatinib", "sensitive", "parental line; ectopic HER2 L755S induces resistance", _CANONICI_2013),
            Sensitivity("neratinib", "active", "neratinib + trastuzumab active in SKBR3 with acquired "
                        "trastuzumab resistance", _CANONICI_2013),
        ),
        citation=f"{_TANNER_2004}; {_CANONICI_2013}; Bjorkelund H 2011, PLoS One 6:e16536; {_XU_2017}",
        confidence="confirmed-in-source (sensitivity class); genotype unconfirmed",
        features="IGF1R low (L01); EGF-EGFR apparent K_D ~200 pM; PIK3CA WT per recall (unconfirmed, not encoded)",
    ))

    lines.append(CellLine(
        name="HCC1954",
        aliases=("HCC-1954",),
        her2_status="amplified",
        genotypes=(
            _amp(_OBRIEN_2010),
            GenotypeItem("PIK3CA H1047R", "secondary",
                         "findings L03, citing an MK-2206 Mol Cancer Ther table (not re-read)"),
        ),
        sensitivities=_obrien_pair("resistant", "sensitive"),
        citation=_OBRIEN_2010,
        confidence="sensitivity class confirmed; genotype secondary",
        features="ER-negative",
    ))

    lines.append(CellLine(
        name="MDA-MB-361",
        aliases=("MDA361", "MDA-361", "MDAMB361"),
        her2_status="amplified; IHC 2/3+",
        her2_receptors_per_cell=212_456.0,
        genotypes=(
            _amp(_HERMARK, 212_456.0),
            GenotypeItem("PIK3CA E545K", "unconfirmed", "cell-lines.csv: recall only"),
        ),
        sensitivities=_obrien_pair("not classified resistant", "resistant"),
        citation=f"{_OBRIEN_2010}; {_HERMARK}",
        confidence="class confirmed; genotype unconfirmed",
        features="ER+",
    ))

    lines.append(CellLine(
        name="MDA-MB-453",
        aliases=("MDA453", "MDA-453", "MDAMB453"),
        her2_status="amplified (modest)",
        genotypes=(
            GenotypeItem(_HER2_AMP, "unconfirmed", _OBRIEN_2010, 2.0e5,
                         note="amplified per the source; 'modest' amplification taken as 0.4 of BT-474 "
                              "(2e5 per cell, assumed, as the earlier model preset)"),
            GenotypeItem("PIK3CA mutation (allele unspecified)", "secondary",
                         "Garrett JT 2013, Cancer Res 73:6013 (per recall), via findings L03",
                         note="allele H1047R per recall only (unconfirmed)"),
        ),
        sensitivities=_obrien_pair("resistant", "resistant") + (
            Sensitivity("afatinib", "active", "xenograft regression at plasma 80-280 nM", _ESKENS_2008),
        ),
        citation=f"{_OBRIEN_2010}; {_ESKENS_2008}",
        confidence="class confirmed; genotype secondary",
        features="HER2+/PIK3CA-mutant trastuzumab-resistant xenograft model",
    ))

    lines.append(CellLine(
        name="JIMT-1",
        aliases=("JIMT1",),
        her2_status="amplified (no HER2 coding mutation); ER-/PR-",
        genotypes=(
            _amp(_TANNER_2004),
            GenotypeItem("MUC4 high", "confirmed", "Nagy P et al. 2005 (findings L18, confirmed-in-source)", 0.2,
                         note="trastuzumab-accessible sites ~1/5 of HER2"),
        ),
        sensitivities=(
            Sensitivity("trastuzumab", "resistant", "innately resistant in vitro and in xenografts; pAKT "
                        "unaltered by trastuzumab", _TANNER_2004),
            Sensitivity("lapatinib", "resistant", "innately resistant", _OBRIEN_2010),
            Sensitivity("neratinib", "sensitive", "innately trastuzumab-resistant lines sensitive to "
                        "neratinib alone (line-level attribution not shown)", _CANONICI_2013),
        ),
        citation=f"{_TANNER_2004}; {_OBRIEN_2010}; {_CANONICI_2013}",
        confidence="confirmed-in-source (phenotype); PIK3CA/PTEN genotype not stated",
        features="derived from a clinically trastuzumab-resistant patient; CK5/14+ and CK8/18+",
    ))

    for name, aliases, trastuzumab, lapatinib in (
        ("UACC-893", ("UACC893",), "resistant", "resistant"),
        ("HCC1419", ("HCC-1419",), "resistant", "sensitive"),
        ("HCC202", ("HCC-202",), "not classified resistant", "resistant"),
        ("SUM-225", ("SUM225", "SUM225CWN"), "resistant", "sensitive"),
        ("HCC1569", ("HCC-1569",), "resistant", "resistant"),
        ("UACC-732", ("UACC732",), "resistant", "resistant"),
    ):
        lines.append(CellLine(
            name=name,
            aliases=aliases,
            her2_status="amplified",
            genotypes=(_amp(_OBRIEN_2010),),
            sensitivities=_obrien_pair(trastuzumab, lapatinib),  # type: ignore[arg-type]
            citation=_OBRIEN_2010,
            confidence="confirmed-in-source (class)",
            features="PIK3CA/PTEN status not stated in sources read",
        ))

    for name, aliases in (("KPL-4", ("KPL4",)), ("SUM190PT", ("SUM-190PT", "SUM190"))):
        lines.append(CellLine(
            name=name,
            aliases=aliases,
            her2_status="amplified",
            genotypes=(
                _amp(_JERNSTROM_2017),
                GenotypeItem("PIK3CA mutation (allele unspecified)", "confirmed", _JERNSTROM_2017),
                GenotypeItem("PTEN loss (complete)", "confirmed", _JERNSTROM_2017,
                             note="source says 'PTEN loss'; complete vs partial not stated"),
            ),
            sensitivities=(Sensitivity("trastuzumab", "resistant", "insensitive", _JERNSTROM_2017),),
            citation=_JERNSTROM_2017,
            confidence="confirmed-in-source",
        ))

    lines.append(CellLine(
        name="AU565",
        aliases=("AU-565",),
        her2_status="amplified",
        genotypes=(_amp(_XU_2017),),
        sensitivities=(
            Sensitivity("lapatinib", "sensitive", "parental line (implied); ectopic HER2 L755S induces "
                        "acquired resistance, reversed by afatinib/neratinib", _XU_2017),
        ),
        citation=_XU_2017,
        confidence="confirmed-in-source",
    ))

    lines.append(CellLine(
        name="MCF-7",
        aliases=("MCF7",),
        her2_status="not amplified (HER2 low)",
        genotypes=(
            GenotypeItem(_HER2_AMP, "secondary", _SCALTRITI_2007, 2.5e4,
                         note="HER2-low parental line of L14, taken as 2.5e4 HER2 per cell (assumed, "
                              "the order of the non-amplified lines of K20)"),
            GenotypeItem("PIK3CA E545K", "unconfirmed", "recall only"),
        ),
        sensitivities=(),
        citation=_SCALTRITI_2007,
        confidence="HER2 status secondary; PIK3CA allele unconfirmed",
        features="ER+; the HER2-low background of the p95-HER2 transfectants (L14)",
    ))

    lines.append(CellLine(
        name="MCF-7-p95HER2",
        aliases=("MCF7-p95HER2", "MCF-7 p95HER2"),
        her2_status="not amplified; transfected with p95-HER2",
        genotypes=(
            GenotypeItem(_HER2_AMP, "secondary", _SCALTRITI_2007, 2.5e4, note="as MCF-7"),
            GenotypeItem("PIK3CA E545K", "unconfirmed", "recall only"),
            GenotypeItem("p95-HER2", "confirmed", _SCALTRITI_2007, 0.5,
                         note="transfected p95-HER2; level not read, catalogue default"),
        ),
        sensitivities=(),
        citation=_SCALTRITI_2007,
        confidence="transfection confirmed-in-source (L14); levels assumed",
        features="model of L14: p95-HER2 confers trastuzumab resistance, lapatinib still acts",
    ))

    return tuple(lines)


_LINES: tuple[CellLine, ...] = _build()


_INDEX: NameIndex = NameIndex(_LINES, lambda x: (x.name, *x.aliases), "cell-line")


def cell_line(name: str) -> CellLine:
    """Look a cell line up by name or alias (case-, space- and hyphen-insensitive).

    Raises
    ------
    UnknownNameError
        Not in the catalogue; the message names the closest name.

    Examples
    --------
    >>> cell_line("bt474").name
    'BT-474'
    >>> [item.confirmed for item in cell_line("BT474").genotypes]
    [True, False]
    """
    return _INDEX.lookup(name, "cell_line")


def list_cell_lines() -> tuple[str, ...]:
    """Canonical cell-line names, in catalogue order."""
    return tuple(line.name for line in _LINES)


def all_cell_lines() -> tuple[CellLine, ...]:
    """All cell-line presets."""
    return _LINES
