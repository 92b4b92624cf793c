"""Cell-line presets for HER2-amplified breast cancer lines.

The facts were transcribed from the project's curated cell-line table (``cell-lines.csv`` in the
shared research notes) into Python data, so the package works without that folder; each line keeps
the table's citation and confidence. A preset lists genotype items by name (from
:mod:`her2sim.library.genotypes`) with an optional strength and a ``status``:

* ``confirmed``  — stated in a source that was read;
* ``secondary``  — taken from another curated record (e.g. a findings row citing a table not re-read);
* ``unconfirmed`` — recall only; do not use as evidence (e.g. BT-474 PIK3CA K111N).

Sensitivity calls are copied as the sources word them; they are qualitative classes, not IC50s.
The multi-line panels of the table are left out.

Preset fields (issue 13 item 8)
-------------------------------
Every line states four facts, each a :class:`Fact` with its value, evidence level and source:
``her2`` (HER2 receptors per cell; amplified lines without a measured level are taken as BT-474,
evidence ``assumed``), ``pik3ca`` (one of the modelled alleles "PIK3CA H1047R", "PIK3CA H1047L",
"PIK3CA E545K", "PIK3CA E542K", "PIK3CA K111N", "wild type", "PIK3CA mutation (allele
unspecified)", or another allele recorded as data only), ``pten`` ("intact", "loss", "partial
loss") and ``er`` ("positive", "negative"). Evidence levels are those above plus ``assumed``
(no source states it; the reason is in the note). The genotype items are derived from the facts
(a modelled allele, PTEN loss, the HER2 level); the ER status acts through the model's ER context
where the model has one (:func:`her2sim.library.her2_model.cell_line_settings`).

The catalogue covers every line of the curated table and every line of the CCLE dose-response
data (``ccle-dose-response.csv``: 8 HER2-amplified lines, 14 HER2-non-amplified negative
controls); ``ccle_name`` gives the CCLE spelling. Facts marked ``unconfirmed`` were recalled
from the named source (CCLE/DepMap, COSMIC Cell Lines Project, Neve 2006, O'Brien 2010) and not
re-read: they are placeholders for a curation pass, never evidence.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal, final

import pandas as pd

from ..errors import ValidationError
from ._names import NameIndex
from .drugs import get_drug
from .genotypes import genotype

__all__ = [
    "GenotypeItem", "Sensitivity", "Fact", "CellLine", "cell_line", "list_cell_lines", "all_cell_lines",
    "ccle_lines", "preset_table", "PIK3CA_ALLELES",
]

Status = Literal["confirmed", "secondary", "unconfirmed"]
_STATUSES = ("confirmed", "secondary", "unconfirmed")
Call = Literal["sensitive", "resistant", "active", "not classified resistant"]
_CALLS = ("sensitive", "resistant", "active", "not classified resistant")

_TABLE = "her2sim cell-line table (transcribed from the project's curated cell-lines.csv)"
Evidence = Literal["confirmed", "secondary", "unconfirmed", "assumed"]
_EVIDENCE = ("confirmed", "secondary", "unconfirmed", "assumed")
#: A modelled allele the genotype catalogue does not (yet) list acts through the catalogue
#: genotype of the same domain class (Zhao & Vogt 2008: kinase-domain vs helical-domain gain);
#: used only while the catalogue lacks the allele.
_ALLELE_STAND_IN = {"PIK3CA H1047L": "PIK3CA H1047R", "PIK3CA E542K": "PIK3CA E545K"}


def _pik3ca_alleles() -> tuple[str, ...]:
    from .genotypes import all_genotypes

    named = tuple(g.name for g in all_genotypes()
                  if g.genes == ("PIK3CA",) and g.kind == "activating mutation" and "unspecified" not in g.name)
    return named + tuple(a for a in _ALLELE_STAND_IN if a not in named)


#: The PIK3CA alleles with a name in the model vocabulary (the other recorded alleles are data
#: only): the PIK3CA mutations of the genotype catalogue, then the stand-in alleles.
PIK3CA_ALLELES: tuple[str, ...] = _pik3ca_alleles()
_PIK3CA_OTHER = ("wild type", "PIK3CA mutation (allele unspecified)")
_PTEN = ("intact", "loss", "partial loss")
_ER = ("positive", "negative")


@final
@dataclass(frozen=True)
class Fact:
    """One preset fact of a cell line: value, evidence level and source (``note`` says why when assumed)."""

    value: str | float
    evidence: Evidence
    source: str
    note: str = ""

    def __post_init__(self) -> None:
        if self.evidence not in _EVIDENCE:
            raise ValidationError(f"Fact.evidence={self.evidence!r}; allowed: {_EVIDENCE}")
        if not self.source:
            raise ValidationError("Fact.source must name where the value comes from")
        if self.evidence == "assumed" and not self.note:
            raise ValidationError("an assumed Fact needs a note saying why")


@final
@dataclass(frozen=True)
class GenotypeItem:
    """One genotype of a cell line; ``strength`` None means the genotype's default.

    ``stands_for`` names the allele this item stands in for when the genotype catalogue lacks it
    (e.g. "PIK3CA H1047L" through "PIK3CA H1047R"); the model uses the allele itself where it
    knows the name (:func:`her2sim.library.her2_model.cell_line_genotypes`).
    """

    genotype: str
    status: Status
    source: str
    strength: float | None = None
    note: str = ""
    stands_for: str = ""

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
    her2: Fact | None = None
    pik3ca: Fact | None = None
    pten: Fact | None = None
    er: Fact | None = None
    ccle_name: str = ""
    tissue: str = "breast"
    her2_amplified: bool = True

    def __post_init__(self) -> None:
        names = [item.genotype for item in self.genotypes]
        if len(set(names)) != len(names):
            raise ValidationError(f"CellLine {self.name!r}: a genotype is listed twice")
        if self.pik3ca is not None and str(self.pik3ca.value).startswith("PIK3CA ") and \
                self.pik3ca.value not in PIK3CA_ALLELES + _PIK3CA_OTHER and "not modelled" not in self.pik3ca.note:
            raise ValidationError(f"CellLine {self.name!r}: PIK3CA allele {self.pik3ca.value!r} is not a modelled "
                                  f"allele {PIK3CA_ALLELES}; record it with a note 'not modelled'")
        if self.pten is not None and self.pten.value not in _PTEN:
            raise ValidationError(f"CellLine {self.name!r}: pten={self.pten.value!r}; allowed: {_PTEN}")
        if self.er is not None and self.er.value not in _ER:
            raise ValidationError(f"CellLine {self.name!r}: er={self.er.value!r}; allowed: {_ER}")

    def facts(self) -> dict[str, Fact | None]:
        """The four preset facts: ``her2``, ``pik3ca``, ``pten``, ``er``."""
        return {"her2": self.her2, "pik3ca": self.pik3ca, "pten": self.pten, "er": self.er}

    @property
    def er_positive(self) -> bool:
        """True when the preset says ER-positive (at any evidence level)."""
        return self.er is not None and self.er.value == "positive"

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

    lines.append(CellLine(
        name="T-47D",
        aliases=("T47D", "T-47-D"),
        her2_status="not amplified (HER2 low)",
        genotypes=(GenotypeItem(_HER2_AMP, "confirmed", _HERMARK, 3.2e4,
                                note="HER2-low luminal line: ~3.2e4 receptors per cell by flow (K20)"),),
        sensitivities=(),
        citation=f"{_HERMARK}; {_SCALTRITI_2007}",
        confidence="HER2 level confirmed-in-source (K20); PIK3CA allele and ER status recalled",
        features="ER+ luminal line; with MCF-7 the HER2-low background of the p95-HER2 transfectants (L14)",
        her2=Fact(3.2e4, "confirmed", _HERMARK, "flow cytometry, HERmark validation control (parse caveat, K20)"),
        pik3ca=Fact("PIK3CA H1047R", "unconfirmed", f"recall only; {_COSMIC}"),
        pten=_pten_intact(),
        er=Fact("positive", "unconfirmed", _NEVE),
        her2_amplified=False,
    ))

    return tuple(lines)


_NEVE = "Neve RM et al. 2006, Cancer Cell 10:515-27, PMID 17157791 (cell-line ER/HER2 table; per recall, not re-read)"
_OBRIEN_T1 = "O'Brien NA et al. 2010, Mol Cancer Ther 9:1489 Table 1 (PIK3CA/PTEN of the HER2+ panel; per recall, not re-read)"
_CCLE = "CCLE/DepMap annotations (Barretina J et al. 2012, Nature 483:603; per recall, not re-read)"
_COSMIC = "COSMIC Cell Lines Project (per recall, not re-read)"
_CSV = "cell-lines.csv (the project's curated table)"
_CCLE_README = ("ccle-dose-response.csv README (CCLE via Fröhlich F et al. 2018, Cell Systems 7:567): Calu-3 and "
                "NCI-H2170 are its HER2-amplified lung lines")
_SUMLINE = ("SUM-line knowledge base, HCC1419 summary (ER-positive, ESR1 highly expressed in DepMap), "
            "sumlineknowledgebase.com; read")
_NO_SOURCE = "assumption (no source read states it)"
_BT474_LEVEL = 5.0e5
_NON_AMPLIFIED_LEVEL = 2.5e4


def _level_assumed() -> Fact:
    return Fact(_BT474_LEVEL, "assumed", _NO_SOURCE,
                "amplified, receptors per cell not read: taken as BT-474 (5e5, HERmark K20)")


def _level_non_amplified(source: str = _NEVE, evidence: Evidence = "unconfirmed") -> Fact:
    return Fact(_NON_AMPLIFIED_LEVEL, evidence, source,
                "HER2 non-amplified; level taken as 2.5e4 per cell (assumed; non-amplified lines carry ~1-5e4, "
                "MDA-MB-231 1.1e4 by flow, HERmark K20)")


def _pten_intact(note: str = "no PTEN alteration stated in the sources read; intact assumed") -> Fact:
    return Fact("intact", "assumed", _NO_SOURCE, note)


def _wild_type(source: str = _CCLE, evidence: Evidence = "unconfirmed") -> Fact:
    return Fact("wild type", evidence, source)


def _status(evidence: Evidence) -> Status | None:
    return None if evidence == "assumed" else evidence  # type: ignore[return-value]


def _allele_item(fact: Fact) -> GenotypeItem | None:
    from ..errors import UnknownNameError

    status = _status(fact.evidence)
    allele = str(fact.value)
    if status is None or not (allele in PIK3CA_ALLELES or allele == "PIK3CA mutation (allele unspecified)"):
        return None
    try:
        return GenotypeItem(genotype(allele).name, status, fact.source, note=fact.note)
    except UnknownNameError:
        stand_in = _ALLELE_STAND_IN[allele]
        return GenotypeItem(stand_in, status, fact.source, stands_for=allele,
                            note=f"{allele} acts as {stand_in} (same domain class) where the model has no "
                                 f"{allele} genotype. {fact.note}".strip())


def _pten_item(fact: Fact) -> GenotypeItem | None:
    status = _status(fact.evidence)
    if status is None or fact.value == "intact":
        return None
    name = "PTEN loss (complete)" if fact.value == "loss" else "PTEN loss (partial)"
    return GenotypeItem(name, status, fact.source, note=fact.note)


def _with_facts(line: CellLine, *, her2: Fact, pik3ca: Fact, pten: Fact, er: Fact, ccle_name: str = "",
                extra_note: str = "", her2_amplified: bool | None = None) -> CellLine:
    """Attach the four facts; genotype items the facts imply and the line lacks are added."""
    items = list(line.genotypes)
    genes = {genotype(item.genotype).genes for item in items}
    if ("PIK3CA",) not in genes and (item := _allele_item(pik3ca)) is not None:
        items.append(item)
    if ("PTEN",) not in genes and (item := _pten_item(pten)) is not None:
        items.append(item)
    note = f"{line.note}; {extra_note}" if line.note and extra_note else (line.note or extra_note)
    amplified = line.her2_amplified if her2_amplified is None else her2_amplified
    return dataclasses.replace(line, genotypes=tuple(items), her2=her2, pik3ca=pik3ca, pten=pten, er=er,
                               ccle_name=ccle_name, note=note, her2_amplified=amplified)


def _own_facts(line: CellLine) -> CellLine:
    """A curated line that states its four facts in its own entry: the implied genotype items are added."""
    her2, pik3ca, pten, er = line.her2, line.pik3ca, line.pten, line.er
    if her2 is None or pik3ca is None or pten is None or er is None:
        missing = [k for k, v in line.facts().items() if v is None]
        raise ValidationError(f"CellLine {line.name!r}: state the preset facts {missing} (her2, pik3ca, pten, er)")
    return _with_facts(line, her2=her2, pik3ca=pik3ca, pten=pten, er=er, ccle_name=line.ccle_name)


def _new_line(name: str, aliases: tuple[str, ...], *, her2_status: str, amplified: bool, amp_evidence: Status,
              amp_source: str, her2: Fact, pik3ca: Fact, pten: Fact, er: Fact, ccle_name: str = "",
              tissue: str = "breast", features: str = "") -> CellLine:
    level = float(her2.value)
    strength = None if (amplified and her2.evidence == "assumed") else level
    amp = GenotypeItem(_HER2_AMP, amp_evidence, amp_source, strength,
                       note="" if amplified else "non-amplified: HER2 level of the preset (see her2 fact)")
    base = CellLine(
        name=name, aliases=aliases, her2_status=her2_status, genotypes=(amp,), sensitivities=(),
        citation="; ".join(dict.fromkeys(f.source for f in (her2, pik3ca, pten, er) if f.source != _NO_SOURCE)),
        confidence="see the evidence level of each fact", her2_receptors_per_cell=None if strength is None else level,
        features=features, tissue=tissue, her2_amplified=amplified,
    )
    return _with_facts(base, her2=her2, pik3ca=pik3ca, pten=pten, er=er, ccle_name=ccle_name)


def _preset_facts(lines: tuple[CellLine, ...]) -> tuple[CellLine, ...]:
    """The facts of the curated lines, then the lines added for the CCLE data and the curated table."""
    u = "unconfirmed"
    facts: dict[str, dict[str, Any]] = {
        "BT-474": dict(
            her2=Fact(499_795.0, "confirmed", _HERMARK), ccle_name="BT474",
            pik3ca=Fact("PIK3CA K111N", u, f"{_CSV}: recall only; {_COSMIC}",
                        "adaptor-binding-domain variant; functional strength uncertain"),
            pten=_pten_intact(), er=Fact("positive", "secondary", f"{_CSV} (features: ER+); {_NEVE}")),
        "SK-BR-3": dict(her2=_level_assumed(), ccle_name="SKBR3", pik3ca=_wild_type(f"{_CSV} (WT per recall); {_CCLE}"),
                        pten=_pten_intact(), er=Fact("negative", u, _NEVE)),
        "HCC1954": dict(her2=_level_assumed(), pik3ca=Fact("PIK3CA H1047R", "secondary", f"{_CSV} (findings L03)"),
                        pten=_pten_intact(), er=Fact("negative", "secondary", f"{_CSV} (features: ER-negative)")),
        "MDA-MB-361": dict(her2=Fact(212_456.0, "confirmed", _HERMARK),
                           pik3ca=Fact("PIK3CA E545K", u, f"{_CSV}: recall only; {_COSMIC}"),
                           pten=_pten_intact(), er=Fact("positive", "secondary", f"{_CSV} (features: ER+)")),
        "MDA-MB-453": dict(her2=Fact(2.0e5, "assumed", _NO_SOURCE, "'modest' amplification (O'Brien 2010) taken as "
                                     "0.4 of BT-474"),
                           pik3ca=Fact("PIK3CA mutation (allele unspecified)", "secondary",
                                       "Garrett JT 2013, Cancer Res 73:6013 (per recall), via findings L03",
                                       "H1047R per recall only"),
                           pten=_pten_intact("PTEN E307K reported per recall (not re-read, function unclear); "
                                             "intact assumed"),
                           er=Fact("negative", u, _NEVE, "androgen-receptor-driven (molecular apocrine) line")),
        "JIMT-1": dict(her2=_level_assumed(),
                       pik3ca=Fact("PIK3CA C420R", u, _COSMIC, "C2-domain allele, not modelled: recorded as data only"),
                       pten=_pten_intact(), er=Fact("negative", "secondary", f"{_CSV} (ER-/PR-, Tanner 2004)")),
        "UACC-893": dict(her2=_level_assumed(), pik3ca=Fact("PIK3CA H1047R", u, f"{_OBRIEN_T1}; {_COSMIC}"),
                         pten=_pten_intact(), er=Fact("negative", u, _NEVE)),
        "HCC1419": dict(her2=_level_assumed(), pik3ca=_wild_type(f"{_OBRIEN_T1}; {_CCLE}"), pten=_pten_intact(),
                        er=Fact("positive", "secondary", _SUMLINE, "some panels list it ER-negative (recall)")),
        "HCC202": dict(her2=_level_assumed(), pik3ca=Fact("PIK3CA E545K", u, f"{_OBRIEN_T1}; {_COSMIC}"),
                       pten=_pten_intact(), er=Fact("negative", u, _NEVE)),
        "SUM-225": dict(her2=_level_assumed(), pik3ca=_wild_type(_OBRIEN_T1), pten=_pten_intact(),
                        er=Fact("negative", u, _NEVE)),
        "HCC1569": dict(her2=_level_assumed(), ccle_name="HCC1569", pik3ca=_wild_type(f"{_OBRIEN_T1}; {_CCLE}"),
                        pten=Fact("loss", u, f"{_OBRIEN_T1}; {_CCLE}", "PTEN protein absent per recall"),
                        er=Fact("negative", u, _NEVE)),
        "UACC-732": dict(her2=_level_assumed(), pik3ca=_wild_type(_OBRIEN_T1), pten=_pten_intact(),
                         er=Fact("negative", u, _NEVE, "ER status uncertain (recall)")),
        "KPL-4": dict(her2=_level_assumed(),
                      pik3ca=Fact("PIK3CA mutation (allele unspecified)", "confirmed", _JERNSTROM_2017,
                                  "H1047R per recall (COSMIC), not re-read"),
                      pten=Fact("loss", "confirmed", _JERNSTROM_2017, "'PTEN loss'; complete vs partial not stated"),
                      er=Fact("negative", u, _NEVE)),
        "SUM190PT": dict(her2=_level_assumed(),
                         pik3ca=Fact("PIK3CA mutation (allele unspecified)", "confirmed", _JERNSTROM_2017,
                                     "H1047R per recall (COSMIC), not re-read"),
                         pten=Fact("loss", "confirmed", _JERNSTROM_2017, "'PTEN loss'; complete vs partial not stated"),
                         er=Fact("negative", u, _NEVE, "inflammatory breast cancer line")),
        "AU565": dict(her2=_level_assumed(), ccle_name="AU565", pik3ca=_wild_type(), pten=_pten_intact(),
                      er=Fact("negative", u, _NEVE, "same patient as SK-BR-3")),
        "MCF-7": dict(her2=_level_non_amplified(_SCALTRITI_2007, "secondary"), her2_amplified=False,
                      pik3ca=Fact("PIK3CA E545K", u, f"recall only; {_COSMIC}"), pten=_pten_intact(),
                      er=Fact("positive", "secondary", f"{_CSV} (features: ER+)")),
        "MCF-7-p95HER2": dict(her2=_level_non_amplified(_SCALTRITI_2007, "secondary"), her2_amplified=False,
                              pik3ca=Fact("PIK3CA E545K", u, f"recall only; {_COSMIC}"), pten=_pten_intact(),
                              er=Fact("positive", "secondary", f"{_CSV} (features of MCF-7: ER+)")),
    }
    # a curated line carries its four facts in its entry (one place) or, for the lines curated
    # before the facts were, in the table above
    out = [_with_facts(line, **facts[line.name]) if line.name in facts else _own_facts(line) for line in lines]

    # HER2-amplified lines of the CCLE data and the curated table not yet in the catalogue
    out += [
        _new_line("UACC-812", ("UACC812",), her2_status="amplified", amplified=True, amp_evidence=u, amp_source=_NEVE,
                  her2=_level_assumed(), pik3ca=_wild_type(), pten=_pten_intact(), er=Fact("positive", u, _NEVE),
                  ccle_name="UACC812"),
        _new_line("ZR-75-30", ("ZR7530", "ZR-7530"), her2_status="amplified (per recall)", amplified=True,
                  amp_evidence=u, amp_source=f"{_CSV} (amplified per recall); {_NEVE}", her2=_level_assumed(),
                  pik3ca=_wild_type(), pten=_pten_intact(), er=Fact("positive", u, _NEVE), ccle_name="ZR7530"),
        _new_line("EFM-192A", ("EFM192A", "EFM-192"), her2_status="amplified (per recall)", amplified=True,
                  amp_evidence=u, amp_source=f"{_CSV} (amplified per recall)", her2=_level_assumed(),
                  pik3ca=Fact("PIK3CA C420R", u, _COSMIC, "C2-domain allele, not modelled: recorded as data only"),
                  pten=_pten_intact(), er=Fact("positive", u, _NEVE)),
        _new_line("Calu-3", ("CALU3", "Calu3"), her2_status="amplified (lung adenocarcinoma)", amplified=True,
                  amp_evidence="confirmed", amp_source=_CCLE_README, her2=_level_assumed(), pik3ca=_wild_type(),
                  pten=_pten_intact(), ccle_name="CALU3", tissue="lung",
                  er=Fact("negative", "assumed", _NO_SOURCE, "lung adenocarcinoma: no ERα-driven growth reported")),
        _new_line("NCI-H2170", ("NCIH2170", "H2170"), her2_status="amplified (lung squamous carcinoma)", amplified=True,
                  amp_evidence="confirmed", amp_source=_CCLE_README, her2=_level_assumed(), pik3ca=_wild_type(),
                  pten=_pten_intact(), ccle_name="NCIH2170", tissue="lung",
                  er=Fact("negative", "assumed", _NO_SOURCE, "lung squamous carcinoma: no ERα-driven growth reported")),
    ]

    # HER2-non-amplified CCLE lines: the negative controls of lapatinib's selectivity
    negative = (
        # name, aliases, CCLE name, PIK3CA, PTEN, ER
        ("BT-20", ("BT20",), "BT20", Fact("PIK3CA H1047R", u, f"{_COSMIC}; {_CCLE}", "with P539R"), _pten_intact(), "negative"),
        ("BT-549", ("BT549",), "BT549", _wild_type(), Fact("loss", u, f"{_COSMIC}; {_CCLE}", "truncating PTEN mutation"), "negative"),
        ("CAMA-1", ("CAMA1",), "CAMA1", _wild_type(), Fact("loss", u, _COSMIC, "PTEN mutation per recall"), "positive"),
        ("EFM-19", ("EFM19",), "EFM19", Fact("PIK3CA H1047L", u, f"{_CCLE}; {_COSMIC}"), _pten_intact(), "positive"),
        ("HCC1187", (), "HCC1187", _wild_type(), _pten_intact(), "negative"),
        ("HCC1395", (), "HCC1395", _wild_type(), Fact("loss", u, _COSMIC, "PTEN deletion per recall"), "negative"),
        ("HCC1806", (), "HCC1806", _wild_type(), _pten_intact(), "negative"),
        ("HCC70", (), "HCC70", _wild_type(), Fact("loss", u, _COSMIC, "PTEN mutation per recall"), "negative"),
        ("HMC-1-8", ("HMC18",), "HMC18", Fact("wild type", "assumed", _NO_SOURCE, "no PIK3CA status found for this line"),
         _pten_intact(), "negative"),
        ("Hs 578T", ("HS578T", "Hs578T"), "HS578T", _wild_type(), _pten_intact(), "negative"),
        ("MDA-MB-415", ("MDAMB415",), "MDAMB415", _wild_type(), _pten_intact(), "positive"),
        ("MDA-MB-436", ("MDAMB436",), "MDAMB436", _wild_type(), Fact("loss", u, _COSMIC, "PTEN loss per recall"), "negative"),
        ("MDA-MB-468", ("MDAMB468",), "MDAMB468", _wild_type(), Fact("loss", u, f"{_COSMIC}; {_CCLE}", "PTEN deletion"),
         "negative"),
        ("ZR-75-1", ("ZR751",), "ZR751", _wild_type(), Fact("partial loss", u, _COSMIC, "PTEN L108R missense per recall"),
         "positive"),
    )
    for name, aliases, ccle, pik3ca, pten, er in negative:
        unknown = name == "HMC-1-8"  # no annotation found: non-amplified, ER-negative assumed
        er_fact = (Fact(er, "assumed", _NO_SOURCE, "ER status not found for this line; negative assumed")
                   if unknown else Fact(er, u, _NEVE))
        out.append(_new_line(
            name, aliases, her2_status="not amplified (CCLE negative control)", amplified=False,
            amp_evidence="unconfirmed", amp_source=_CCLE if unknown else _NEVE,
            her2=_level_non_amplified(_CCLE if unknown else _NEVE), pik3ca=pik3ca, pten=pten, er=er_fact,
            ccle_name=ccle,
        ))
    return tuple(out)


_LINES: tuple[CellLine, ...] = _preset_facts(_build())


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


def ccle_lines(*, amplified: bool | None = None) -> tuple[CellLine, ...]:
    """Lines of the CCLE dose-response data (``ccle_name`` set); ``amplified`` filters on HER2 status.

    Examples
    --------
    >>> sorted(line.ccle_name for line in ccle_lines(amplified=True))[:3]
    ['AU565', 'BT474', 'CALU3']
    """
    return tuple(line for line in _LINES if line.ccle_name
                 and (amplified is None or line.her2_amplified == amplified))


def preset_table() -> pd.DataFrame:
    """One row per line and preset fact: ``cell_line, field, value, evidence, source, note``."""
    rows = [
        {"cell_line": line.name, "field": field, "value": fact.value, "evidence": fact.evidence,
         "source": fact.source, "note": fact.note}
        for line in _LINES for field, fact in line.facts().items() if fact is not None
    ]
    return pd.DataFrame(rows, columns=["cell_line", "field", "value", "evidence", "source", "note"])
