"""Genotype catalogue: named resistance-relevant perturbations as data.

Each entry says *what* changes (kind, genes, a strength with default and allowed range), how
common it is in HER2+ breast cancer (with the prevalence row ids ``P01``... of the project's
pharmacology notes and the original papers), and which numbered mechanism of the project's
mechanism list it feeds. How a genotype becomes model parameters is decided by each kinetic or
logical model, not here, so no parameter names appear in this module.

Strength defaults that no source gives are ``assumed`` and say why. For PIK3CA hotspots the
mechanism difference is sourced (helical-domain E545K needs RAS-GTP binding but not p85; kinase-
domain H1047R needs p85 but not RAS-GTP: Zhao L, Vogt PK 2008, PNAS), while a relative
lipid-kinase activity for each allele was not found, so the strengths are assumed.

An entry that belongs to the kinetic ↔ logical concordance panel says so itself
(:class:`ConcordanceRow`: its row label and any genotype or medium shown with it); the panel of
:func:`her2sim.library.concordance.node_concordance` is derived from these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, final

from ..errors import ValidationError
from ._names import NameIndex
from ..model.components import Provenance

__all__ = [
    "GenotypeKind",
    "Strength",
    "Prevalence",
    "ConcordanceRow",
    "Genotype",
    "genotype",
    "list_genotypes",
    "all_genotypes",
]

GenotypeKind = Literal[
    "amplification", "over-expression", "truncated isoform", "activating mutation", "loss", "ligand context",
]
_KINDS = ("amplification", "over-expression", "truncated isoform", "activating mutation", "loss", "ligand context")

_ZHAO_VOGT_2008 = (
    "Zhao L, Vogt PK 2008, PNAS (Helical domain and kinase domain mutations in p110alpha of "
    "phosphatidylinositol 3-kinase induce gain of function by different mechanisms)"
)


@final
@dataclass(frozen=True)
class Strength:
    """How strong a perturbation is: one number with unit, default, allowed range, meaning and no-effect value."""

    quantity: str
    unit: str
    default: float
    low: float
    high: float
    meaning: str
    provenance: Provenance
    #: The value at which the perturbation has no effect (wild type, untreated): a model maps the
    #: strength onto its own scale linearly between this value (no effect) and ``default``.
    no_effect_at: float | None = None

    def __post_init__(self) -> None:
        if not self.low <= self.default <= self.high:
            raise ValidationError(
                f"Strength {self.quantity!r}: default {self.default} outside [{self.low}, {self.high}]"
            )

    def check(self, value: float, argument: str = "strength") -> float:
        """Return ``value`` as float if inside ``[low, high]``; else raise :class:`ValidationError`."""
        number = float(value)
        if not self.low <= number <= self.high:
            raise ValidationError(
                f"{argument}={value!r} for {self.quantity!r} is outside the allowed range "
                f"[{self.low}, {self.high}] {self.unit}"
            )
        return number


@final
@dataclass(frozen=True)
class Prevalence:
    """One prevalence observation; ``fraction`` is None where the source gives no usable rate."""

    fraction: float | None
    setting: str
    source_ids: tuple[str, ...]
    source: str
    confidence: str
    note: str = ""

    def __post_init__(self) -> None:
        if self.fraction is not None and not 0.0 <= self.fraction <= 1.0:
            raise ValidationError(f"Prevalence.fraction={self.fraction!r} must be in [0, 1]")
        if not self.source_ids:
            raise ValidationError("Prevalence needs at least one source id")


@final
@dataclass(frozen=True)
class ConcordanceRow:
    """Membership of a genotype in the node-by-node concordance panel (kinetic model vs logical twin).

    Parameters
    ----------
    label : str
        The row's label.
    background : tuple of str
        Genotypes shown together with this one, written before it: a medium (a ``ligand context``
        entry such as ``"IGF-1"``) or a background genotype. Names as a model family resolves them:
        catalogue names and aliases, or the family's own genotype names where the catalogue has no
        entry (``"HER2 non-amplified"`` is a HER2 level, not a catalogued genotype).

    Examples
    --------
    >>> ConcordanceRow("IGF1R high + IGF-I", ("IGF-1",)).background
    ('IGF-1',)
    """

    label: str
    background: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.label, str) or not self.label.strip():
            raise ValidationError(f"ConcordanceRow.label must be a non-empty string, got {self.label!r}")
        if isinstance(self.background, str) or not all(isinstance(b, str) and b for b in self.background):
            raise ValidationError(f"ConcordanceRow.background must be a tuple of genotype names, got {self.background!r}")
        object.__setattr__(self, "background", tuple(self.background))


@final
@dataclass(frozen=True)
class Genotype:
    """A named perturbation as data (``concordance``: its row in the concordance panel, if any)."""

    name: str
    kind: GenotypeKind
    genes: tuple[str, ...]
    description: str
    mechanisms: tuple[int, ...]
    findings: tuple[str, ...]
    provenance: Provenance
    strength: Strength | None = None
    prevalence: tuple[Prevalence, ...] = ()
    aliases: tuple[str, ...] = ()
    note: str = ""
    concordance: ConcordanceRow | None = None

    def __post_init__(self) -> None:
        if self.concordance is not None and not isinstance(self.concordance, ConcordanceRow):
            raise ValidationError(f"Genotype {self.name!r}: concordance must be a ConcordanceRow or None")
        if self.kind not in _KINDS:
            raise ValidationError(f"Genotype {self.name!r}: kind={self.kind!r}; allowed: {_KINDS}")
        if not self.genes:
            raise ValidationError(f"Genotype {self.name!r}: genes must not be empty")
        if any(not 1 <= number <= 11 for number in self.mechanisms):
            raise ValidationError(f"Genotype {self.name!r}: mechanisms must be numbers 1-11")


def _assumed(note: str) -> Provenance:
    return Provenance("assumed", "", note)


_STEMKE_HALE = "Stemke-Hale K (per recall) 2008, Cancer Res 68:6084-91, Table 1, doi:10.1158/0008-5472.CAN-07-6854"
_ANDRE_2016 = "Andre F et al. 2016, J Clin Oncol (BOLERO-1/BOLERO-3 biomarkers)"
_NEOALTTO_PTEN = "NeoALTTO PTEN analysis, Ann Oncol 2015;26:1494-500, PMID 25851628"
_CHANDARLAPATY_2012 = "Chandarlapaty S et al. 2012, Clin Cancer Res 18:6784-91, PMID 23092874"
_BIOPATH = "Kim et al. 2019 (BioPATH), Cancer Res Treat 51(4), PMC6790855"

_PIK3CA_ANY = (
    Prevalence(0.227, "primary HER2+ tumours, MD Anderson (n=75)", ("P01",), _STEMKE_HALE, "confirmed-in-source",
               "any hotspot; catalytic (kinase) domain 13/75 = 17.3%, others 4/75 = 5.3%"),
    Prevalence(0.192, "GeparSixto HER2+ neoadjuvant (n=240)", ("P03",),
               "SABCS 2013 abstract S4-06, Cancer Res 2013;73(24 Suppl) (Loibl per recall)", "confirmed-in-source"),
    Prevalence(0.30, "BOLERO-1 first-line MBC (n=302)", ("P04",), _ANDRE_2016, "confirmed-in-source"),
    Prevalence(0.29, "after trastuzumab progression (n=45)", ("P11",), _CHANDARLAPATY_2012, "confirmed-in-source",
               "enriched after trastuzumab failure (L12)"),
)


def _build() -> tuple[Genotype, ...]:
    genotypes: list[Genotype] = []

    genotypes.append(Genotype(
        name="HER2 amplification",
        kind="amplification",
        genes=("ERBB2",),
        description="ERBB2 gene amplification with HER2 over-expression; defines the HER2+ subtype",
        mechanisms=(1,),
        findings=("L01", "L03", "L04"),
        provenance=Provenance("sourced", "MECHANISMS.md mechanism 1 (L01, L03, L04)"),
        strength=Strength(
            quantity="HER2 receptors per cell",
            unit="receptors/cell",
            default=5.0e5,
            low=1.0e4,
            high=3.0e6, no_effect_at=0.0,
            meaning="surface HER2 molecules per cell; the default is BT-474",
            provenance=Provenance(
                "sourced",
                "HERmark analytical validation, Pathol Res Int 2010 (814176), Table (pharmacology.md K20)",
                "BT-474 ~5.0e5, MDA-MB-361 ~2.1e5, MDA-MB-231 ~1.1e4 by flow; the upper bound 3e6 is assumed "
                "headroom for the most amplified lines",
            ),
        ),
        note="prevalence: every HER2+ tumour carries it by definition, so no prevalence row is given",
        aliases=("HER2 amp", "ERBB2 amplification", "HER2-amplified"),
        concordance=ConcordanceRow("HER2 amplified"),
    ))

    genotypes.append(Genotype(
        name="p95-HER2",
        kind="truncated isoform",
        genes=("ERBB2",),
        description=(
            "carboxy-terminal HER2 fragment: kinase active, no extracellular domain, so no trastuzumab "
            "or pertuzumab epitope; kinase inhibitors still act on it"
        ),
        mechanisms=(4,),
        findings=("L14", "L15", "L16", "L17"),
        provenance=Provenance("sourced", "Scaltriti M et al. 2007, J Natl Cancer Inst 99:628-38, PMID 17440164 (L14)"),
        strength=Strength(
            quantity="p95-HER2 relative to full-length HER2",
            unit="fraction",
            default=0.5,
            low=0.0,
            high=2.0, no_effect_at=0.0,
            meaning="p95-HER2 molecules per full-length HER2 molecule",
            provenance=_assumed(
                "no per-cell p95:HER2 ratio was found; L15 shows the ratio varies between tumours and "
                "predicts outcome but the values were not read; 0.5 is a mid-range placeholder"
            ),
        ),
        prevalence=(
            Prevalence(0.30, "HER2+ tumours (review)", ("P19",),
                       "p95 HER2 fragments and breast cancer outcome, Expert Rev Anticancer Ther 2014;14:1089-96",
                       "confirmed-secondary"),
            Prevalence(0.32, "Asian HER2+ advanced BC (BioPATH, n=154)", ("P09",), _BIOPATH, "confirmed-in-source"),
            Prevalence(None, "HERNATA", ("P20",), "HERNATA p95HER2 abstract, 2015", "confirmed-in-source",
                       "30% positivity was a pre-chosen cut-point, not a prevalence"),
        ),
        aliases=("p95HER2", "p95", "truncated HER2", "611-CTF"),
        # shown without HER2 amplification, so the truncated isoform alone drives the receptor nodes
        concordance=ConcordanceRow("p95HER2 (HER2 non-amplified)", ("HER2 non-amplified",)),
    ))

    genotypes.append(Genotype(
        name="HER3 high",
        kind="over-expression",
        genes=("ERBB3",),
        description="HER3 over-expression: more p85 docking sites; substrate of the FOXO-driven rebound",
        mechanisms=(6, 9),
        findings=("L19", "L20", "L22", "L26"),
        provenance=Provenance("sourced", "Garrett JT et al. 2011, PNAS 108:5021-6, PMID 21385943 (L19)"),
        strength=Strength(
            quantity="HER3 expression fold over the model baseline",
            unit="fold",
            default=3.0,
            low=1.0,
            high=20.0, no_effect_at=1.0,
            meaning="multiplies the baseline HER3 abundance",
            provenance=_assumed("no quantitative HER3 over-expression level in HER2+ tumours was found; "
                                "K21 gives HER3 <5500/cell only for TNBC"),
        ),
        prevalence=(
            Prevalence(0.376, "first-line taxane + trastuzumab HER2+ MBC (n=125)", ("P21",),
                       "Br J Cancer (bjc2013757; first author not shown), PMC3899777", "confirmed-in-source",
                       "derived: 100% - 62.4% HER3-negative"),
            Prevalence(0.21, "metastatic BC, all subtypes (n=110)", ("P22",),
                       "Berghoff AS et al. 2014, Breast 23:637-43, PMID 25017122", "confirmed-in-source",
                       "strong membranous HER3 in >=10% cells; not HER2+-specific"),
            Prevalence(None, "breast cancer meta-analysis", ("P23",),
                       "Li Q et al. 2017, Oncotarget 8:67140-51", "confirmed-in-source",
                       "30.3-75.1% depending on assay; no single rate"),
        ),
        aliases=("HER3 over-expression", "ERBB3 high"),
    ))

    genotypes.append(Genotype(
        name="PIK3CA H1047R",
        kind="activating mutation",
        genes=("PIK3CA",),
        description=(
            "kinase-domain hotspot; receptor-independent PI3K activity. Gain of function needs p85 "
            "binding but not RAS-GTP (Zhao & Vogt 2008)"
        ),
        mechanisms=(3,),
        findings=("L03", "L06", "L07", "L08", "L10"),
        provenance=Provenance("sourced", _ZHAO_VOGT_2008, "mechanism of gain of function"),
        strength=Strength(
            quantity="basal (receptor-independent) p110alpha activity relative to wild type",
            unit="fold",
            default=3.0,
            low=1.0,
            high=10.0, no_effect_at=1.0,
            meaning="fold increase in PI3K lipid-kinase output without receptor input",
            provenance=_assumed(
                "allele-specific lipid-kinase fold changes were not found in a source; H1047R is set "
                "higher than E545K because it is the dominant catalytic-domain hotspot in HER2+ disease "
                "(P01, P12) and because a HER2/H1047R transgenic model was resistant to trastuzumab and "
                "its combinations (L10); the size is a placeholder to be fitted"
            ),
        ),
        prevalence=_PIK3CA_ANY + (
            Prevalence(None, "TBCRC006 (n=33 SABCS subset)", ("P12",),
                       "TBCRC006, SABCS Cancer Res 2013;73(24 Suppl):PD1-2", "confirmed-in-source",
                       "9/12 mutations kinase-domain, 3/12 helical"),
            Prevalence(0.524, "share of all PIK3CA mutations, all subtypes (Chinese cohort)", ("P15",),
                       "Chinese neoadjuvant cohort (Fourth Hospital of Hebei Medical Univ.)", "confirmed-in-source",
                       "share among PIK3CA mutations, NOT prevalence in HER2+ tumours"),
        ),
        aliases=("H1047R", "PIK3CA kinase-domain mutation"),
        concordance=ConcordanceRow("PIK3CA H1047R"),
    ))

    genotypes.append(Genotype(
        name="PIK3CA E545K",
        kind="activating mutation",
        genes=("PIK3CA",),
        description=(
            "helical-domain hotspot; relieves p85 nSH2 inhibition. Gain of function needs RAS-GTP "
            "binding but not p85 (Zhao & Vogt 2008)"
        ),
        mechanisms=(3,),
        findings=("L07", "L08"),
        provenance=Provenance("sourced", _ZHAO_VOGT_2008, "mechanism of gain of function"),
        strength=Strength(
            quantity="basal (receptor-independent) p110alpha activity relative to wild type",
            unit="fold",
            default=2.0,
            low=1.0,
            high=10.0, no_effect_at=1.0,
            meaning="fold increase in PI3K lipid-kinase output without receptor input",
            provenance=_assumed(
                "no allele-specific activity found; set below H1047R as a placeholder. Because E545K "
                "depends on RAS-GTP, a model may couple its activity to RAS instead of a fixed fold"
            ),
        ),
        prevalence=(
            Prevalence(0.053, "primary HER2+ tumours, non-catalytic hotspots incl. E545K (n=75)", ("P01",),
                       _STEMKE_HALE, "confirmed-in-source", "E545K, E542K, N345K, E418K, P539R together: 4/75"),
            Prevalence(0.164, "share of all PIK3CA mutations, all subtypes", ("P15",),
                       "Chinese neoadjuvant cohort (Fourth Hospital of Hebei Medical Univ.)", "confirmed-in-source",
                       "share among PIK3CA mutations, NOT prevalence"),
        ),
        aliases=("E545K", "PIK3CA helical-domain mutation"),
    ))

    genotypes.append(Genotype(
        name="PIK3CA E542K",
        kind="activating mutation",
        genes=("PIK3CA",),
        description=(
            "second helical-domain hotspot; like E545K it relieves p85 nSH2 inhibition, and its gain of "
            "function needs RAS-GTP binding but not p85 (Zhao & Vogt 2008 studied both helical alleles)"
        ),
        mechanisms=(3,),
        findings=("L07", "L08"),
        provenance=Provenance("sourced", _ZHAO_VOGT_2008, "mechanism of gain of function (E542K and E545K)"),
        strength=Strength(
            quantity="basal (receptor-independent) p110alpha activity relative to wild type",
            unit="fold",
            default=2.0,
            low=1.0,
            high=10.0, no_effect_at=1.0,
            meaning="fold increase in PI3K lipid-kinase output without receptor input",
            provenance=_assumed(
                "no allele-specific activity found; taken as E545K's placeholder (same domain, same mechanism)"
            ),
        ),
        prevalence=(
            Prevalence(0.053, "primary HER2+ tumours, non-catalytic hotspots incl. E542K (n=75)", ("P01",),
                       _STEMKE_HALE, "confirmed-in-source", "E545K, E542K, N345K, E418K, P539R together: 4/75"),
        ),
        aliases=("E542K",),
    ))

    genotypes.append(Genotype(
        name="PIK3CA mutation (allele unspecified)",
        kind="activating mutation",
        genes=("PIK3CA",),
        description="activating PIK3CA mutation whose allele a source does not state (used for cell lines)",
        mechanisms=(3,),
        findings=("L03", "L06", "L55"),
        provenance=Provenance("sourced", "Berns K et al. 2007, Cancer Cell 12(4), doi:10.1016/j.ccr.2007.08.030 (L06)"),
        strength=Strength(
            quantity="basal (receptor-independent) p110alpha activity relative to wild type",
            unit="fold", default=2.5, low=1.0, high=10.0, no_effect_at=1.0,
            meaning="fold increase in PI3K lipid-kinase output without receptor input",
            provenance=_assumed("midpoint of the assumed H1047R and E545K defaults"),
        ),
        prevalence=_PIK3CA_ANY,
        aliases=("PIK3CA mutant", "PIK3CA mutation"),
    ))

    genotypes.append(Genotype(
        name="PIK3CA K111N",
        kind="activating mutation",
        genes=("PIK3CA",),
        description="adaptor-binding-domain PIK3CA variant reported for BT-474; functional strength uncertain",
        mechanisms=(3,),
        findings=(),
        provenance=_assumed("the BT-474 K111N genotype is from recall only (cell-lines.csv); its "
                            "oncogenic effect was not checked in a source"),
        strength=Strength(
            quantity="basal (receptor-independent) p110alpha activity relative to wild type",
            unit="fold", default=1.2, low=1.0, high=10.0, no_effect_at=1.0,
            meaning="fold increase in PI3K lipid-kinase output without receptor input",
            provenance=_assumed("weak by assumption: BT-474 behaves as a trastuzumab-sensitive line "
                                "(Tanner 2004; O'Brien 2010), which argues against strong PI3K activation"),
        ),
        aliases=("K111N",),
    ))

    genotypes.append(Genotype(
        name="PTEN loss (complete)",
        kind="loss",
        genes=("PTEN",),
        description="no functional PTEN: PIP3 and pAKT uncoupled from HER2 blockade",
        mechanisms=(2,),
        findings=("L03", "L05", "L06", "L35", "L50"),
        provenance=Provenance("sourced", "Nagata Y et al. 2004, Cancer Cell, PMID 15324695 (L05)",
                              "L50 (NeoALTTO) is contradicting clinical evidence and must not be fitted away"),
        strength=Strength(
            quantity="residual PTEN activity", unit="fraction of normal", default=0.0, low=0.0, high=0.05, no_effect_at=1.0,
            meaning="PTEN phosphatase activity left, as a fraction of a PTEN-normal cell",
            provenance=_assumed("'complete' defined as <=5% residual; no source gives residual activity"),
        ),
        prevalence=(
            Prevalence(0.16, "BOLERO-1 (n=302), IHC", ("P05",), _ANDRE_2016, "confirmed-in-source",
                       "IHC loss does not separate complete from partial"),
            Prevalence(0.12, "BOLERO-3 trastuzumab-resistant (n=247), IHC", ("P05",), _ANDRE_2016, "confirmed-in-source"),
            Prevalence(0.27, "NeoALTTO baseline (n~362), IHC CST antibody", ("P07",), _NEOALTTO_PTEN,
                       "confirmed-in-source", "29% with DAKO antibody"),
            Prevalence(0.59, "after trastuzumab progression (n=56)", ("P11",), _CHANDARLAPATY_2012, "confirmed-in-source"),
            Prevalence(0.0, "PTEN mutation, HER2+ tumours (n=10)", ("P02",), _STEMKE_HALE, "confirmed-in-source",
                       "loss in HER2+ disease is mostly non-mutational"),
        ),
        aliases=("PTEN null", "PTEN loss", "PTEN deletion"),
        concordance=ConcordanceRow("PTEN loss"),
    ))

    genotypes.append(Genotype(
        name="PTEN loss (partial)",
        kind="loss",
        genes=("PTEN",),
        description="reduced PTEN (IHC-low, heterozygous loss or knock-down)",
        mechanisms=(2,),
        findings=("L05", "L06"),
        provenance=Provenance("sourced", "Nagata Y et al. 2004, Cancer Cell, PMID 15324695 (L05: antisense reduction)"),
        strength=Strength(
            quantity="residual PTEN activity", unit="fraction of normal", default=0.5, low=0.05, high=0.95, no_effect_at=1.0,
            meaning="PTEN phosphatase activity left, as a fraction of a PTEN-normal cell",
            provenance=_assumed("no source gives residual activity for PTEN-low tumours; 0.5 is the "
                                "heterozygous-loss expectation"),
        ),
        prevalence=(
            Prevalence(0.562, "BioPATH (n=154), deletion or down-regulation", ("P09",), _BIOPATH, "confirmed-in-source"),
            Prevalence(0.316, "Chinese lapatinib expanded access (n=57), IHC", ("P10",),
                       "Wang L et al. 2011, BMC Cancer 11:248, PMID 21676217", "confirmed-in-source"),
        ),
        aliases=("PTEN low", "PTEN reduced"),
        note="IHC-based PTEN-loss rates vary 3-5-fold with assay and cut-off (pharmacology.md notes)",
    ))

    genotypes.append(Genotype(
        name="IGF1R high",
        kind="over-expression",
        genes=("IGF1R",),
        description="IGF1R over-expression; IGF1R-HER2-HER3 complexes bypass trastuzumab",
        mechanisms=(8,),
        findings=("L02", "L29", "L31"),
        provenance=Provenance("sourced", "Lu Y (author per recall) 2001, J Natl Cancer Inst 93:1852-7, PMID 11752009 (L02)"),
        strength=Strength(
            quantity="IGF1R expression fold over the model baseline", unit="fold",
            default=5.0, low=1.0, high=50.0, no_effect_at=1.0, meaning="multiplies baseline IGF1R abundance",
            provenance=_assumed("L02 uses SKBR3 engineered to over-express IGF1R but the level was not read"),
        ),
        prevalence=(
            Prevalence(0.41, "NCCTG N9831 adjuvant (n=1734), IHC any membrane >=1+", ("P24",),
                       "Clin Cancer Res 2017;23:4203-11, PMID 28533226", "confirmed-in-source"),
            Prevalence(0.138, "ICORG 06-22 trastuzumab-treated HER2+ (n=160), membrane IGF1R", ("P25",),
                       "ICORG 06-22 IGF1R evaluation (authors/journal not shown)", "confirmed-secondary"),
        ),
        aliases=("IGF1R over-expression", "IGF-1R high"),
        # IGF1R acts only with its ligand (L01, L02): the row adds the IGF-1 medium
        concordance=ConcordanceRow("IGF1R high + IGF-I", ("IGF-1",)),
    ))

    genotypes.append(Genotype(
        name="IGF-1",
        kind="ligand context",
        genes=("IGF1",),
        description="IGF-1 in the medium or serum: activates IGF1R and abolishes trastuzumab growth inhibition",
        mechanisms=(8,),
        findings=("L01", "L02", "L32"),
        provenance=Provenance("sourced", "Lu Y (author per recall) 2001, J Natl Cancer Inst 93:1852-7, PMID 11752009 (L01, L02)"),
        strength=Strength(
            quantity="IGF-1 concentration", unit="ng/mL", default=40.0, low=0.0, high=200.0, no_effect_at=0.0,
            meaning="IGF-1 in the medium",
            provenance=Provenance("sourced", "Lu 2001, J Natl Cancer Inst 93:1852-7 (L01, L02)",
                                  "40 ng/mL IGF-I used in the experiments; range bounds assumed"),
        ),
        aliases=("IGF1", "IGF-I", "IGF-1 medium"),
    ))

    genotypes.append(Genotype(
        name="MUC4 high",
        kind="over-expression",
        genes=("MUC4",),
        description="MUC4 masks the trastuzumab epitope, lowering antibody occupancy; kinase inhibitors unaffected",
        mechanisms=(5,),
        findings=("L18",),
        provenance=Provenance("sourced", "Nagy P et al. 2005, Cancer Res (year/journal per recall) (L18)"),
        strength=Strength(
            quantity="trastuzumab-accessible fraction of HER2", unit="fraction", default=0.2, low=0.01, high=1.0, no_effect_at=1.0,
            meaning="fraction of HER2 molecules the antibody can reach (1 = no masking)",
            provenance=Provenance("sourced", "Nagy P et al. 2005 (L18; pharmacology.md K24)",
                                  "JIMT-1: antibody binding sites ~1/5 of expressed HER2"),
        ),
        prevalence=(
            Prevalence(0.186, "adjuvant trastuzumab HER2+ (n=86): invasive micropapillary carcinoma, all MUC4-strong",
                       ("P26",), "Mercogliano MF et al. 2017, BMC Cancer 17:895, PMID 29281999",
                       "confirmed-in-source", "surrogate only; an overall MUC4-positive rate was not read"),
            Prevalence(None, "adjuvant trastuzumab HER2+ (n=78)", ("P27",),
                       "Mercogliano MF et al. 2017, Clin Cancer Res (CCR-16-0970)", "unconfirmed", "numbers not read"),
        ),
        aliases=("MUC4 over-expression", "MUC4-high"),
        concordance=ConcordanceRow("MUC4 high"),
    ))

    genotypes.append(Genotype(
        name="heregulin-rich medium",
        kind="ligand context",
        genes=("NRG1",),
        description="heregulin/NRG1 drives HER2-HER3 dimers; partly rescues from lapatinib; pertuzumab blocks it",
        mechanisms=(9,),
        findings=("L26",),
        provenance=Provenance("sourced", "Leung WY et al. 2015, Oncotarget 6:5678-94, doi:10.18632/oncotarget.3296 (L26)"),
        strength=Strength(
            quantity="NRG1 concentration", unit="nM", default=1.0, low=0.0, high=100.0, no_effect_at=0.0,
            meaning="heregulin in the medium",
            provenance=_assumed("L26 used exogenous NRG1 but the dose was not read; 1 nM is a typical "
                                "saturating-stimulation order of magnitude"),
        ),
        aliases=("heregulin", "NRG1", "HRG"),
    ))

    genotypes.append(Genotype(
        name="KRAS G12 activating",
        kind="activating mutation",
        genes=("KRAS",),
        description="codon-12 KRAS mutation: constitutively GTP-bound RAS; MAPK (and PI3K via RAS) input without receptors",
        mechanisms=(),
        findings=(),
        provenance=Provenance(
            "sourced", "cell-lines.csv capivasertib panel: Davies BR 2012, Mol Cancer Ther 11:873-87",
            "RAS mutation associated with AKT-inhibitor resistance; no numbered mechanism covers KRAS",
        ),
        strength=Strength(
            quantity="fraction of RAS GTP-bound without receptor input", unit="fraction",
            default=0.5, low=0.0, high=1.0, no_effect_at=0.0, meaning="constitutive RAS activity",
            provenance=_assumed("no RAS-GTP fraction source curated; placeholder"),
        ),
        prevalence=(Prevalence(
            None, "breast cancer overall", ("P29",), "background statement in PMC2868051", "unconfirmed",
            "~5% of breast tumours overall; no HER2+-specific rate found",
        ),),
        aliases=("KRAS G12", "KRAS mutant", "KRAS G12D", "KRAS G12V"),
        concordance=ConcordanceRow("KRAS G12"),
    ))

    return tuple(genotypes)


_GENOTYPES: tuple[Genotype, ...] = _build()


_INDEX: NameIndex = NameIndex(_GENOTYPES, lambda x: (x.name, *x.aliases), "genotype")


def genotype(name: str) -> Genotype:
    """Look a genotype up by name or alias (case-, space- and punctuation-insensitive).

    Raises
    ------
    UnknownNameError
        Not in the catalogue; the message names the closest name.

    Examples
    --------
    >>> genotype("pten loss (complete)").genes
    ('PTEN',)
    >>> genotype("H1047R").name
    'PIK3CA H1047R'
    """
    return _INDEX.lookup(name, "genotype")


def list_genotypes() -> tuple[str, ...]:
    """Canonical genotype names, in catalogue order."""
    return tuple(g.name for g in _GENOTYPES)


def all_genotypes() -> tuple[Genotype, ...]:
    """All catalogued genotypes."""
    return _GENOTYPES
