"""A source's variant text → an alteration in the curated hierarchy, with all its ancestors.

The curated tables (data/README.md) key alterations as ``GENE:V600E`` → ``GENE:V600`` (codon) →
``GENE:mutation`` (kind) → ``GENE`` (any alteration of the gene), plus ``GENE:amplification``,
``GENE:deletion``, ``GENE:fusion`` and gene-less signatures (``MSI-H``, ``TMB-H``, ``HRD``). Every
loader parses its own spelling (``V600E``, ``p.Val600Glu``, ``EXON 19 DELETION``, ``EML4-ALK``,
``BCR::ABL1 Fusion``, ``ERBB2:amp``…) into an ``AltSpec`` that carries its parents, and emits the
whole lineage with IS_A edges, so that a cohort selecting BRAF V600 and CIViC evidence on BRAF
V600E meet at ``alt:BRAF:V600``.

Choices (documented in the README):
- a specific fusion ``EML4::ALK`` is a kind of both ``ALK:fusion`` and ``EML4:fusion`` (a DAG);
- a point mutation reported inside a fusion (``BCR-ABL T315I``) is a kind of the fusion and of the
  plain mutation ``ABL1:T315I``;
- ``LOSS`` is read as a copy-number deletion; wild type has no parent (it is not an alteration);
- text that cannot be parsed becomes ``GENE:<slug>`` under the gene with ``parsed=False``, so
  that it is counted and never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kg import schema as S
from kg.schema import Label, Rel
from loaders.normalise.genes import GeneResolver

THREE_TO_ONE = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E",
    "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
    "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Ter": "*",
    "Sec": "U", "Pyl": "O",
}
ONE_TO_THREE = {v: k for k, v in THREE_TO_ONE.items()}
_THREE = re.compile("(" + "|".join(THREE_TO_ONE) + ")")
_AA = "[ACDEFGHIKLMNPQRSTVWYUOX*]"

_SUB = re.compile(rf"^({_AA})(\d+)({_AA}|=|\?)$")
_CODON = re.compile(rf"^({_AA})(\d+)$")
_MULTI_ALT = re.compile(rf"^({_AA})(\d+)({_AA}(?:/{_AA})+)$")
_CODONS = re.compile(rf"^{_AA}?\d+(?:/{_AA}?\d+)+$")
_FS = re.compile(rf"^({_AA})(\d+)({_AA})?fs(?:[*X]?\d*|\*\?)?$", re.I)
_INDEL = re.compile(rf"^({_AA})(\d+)(?:_({_AA})?(\d+))?(delins|del|ins|dup)({_AA}*)$", re.I)
_FUSION_POINT = re.compile(r"^(?:\S+\s+)?FUSIONS?\s+(\S+)$", re.I)
_EXON = re.compile(r"^exon\s*(\d+)(?:\s*-\s*(\d+))?\s+(.+)$", re.I)
_FUSION = re.compile(r"^([A-Za-z0-9.]+)(?:::|-)([A-Za-z0-9.]+)(?:\s+(.*))?$")
_PAREN = re.compile(r"\s*\([^)]*\)\s*")

#: signature spellings (upper case, separators collapsed to one space) → curated key and name
SIGNATURES = {
    "MSI-H": ("MSI-H", "MSI-H/dMMR"), "MSI HIGH": ("MSI-H", "MSI-H/dMMR"),
    "MSI H": ("MSI-H", "MSI-H/dMMR"), "MICROSATELLITE INSTABILITY HIGH": ("MSI-H", "MSI-H/dMMR"),
    "MICROSATELLITE INSTABILITY": ("MSI-H", "MSI-H/dMMR"), "DMMR": ("MSI-H", "MSI-H/dMMR"),
    "MISMATCH REPAIR DEFICIENCY": ("MSI-H", "MSI-H/dMMR"), "MSI": ("MSI-H", "MSI-H/dMMR"),
    "TMB-H": ("TMB-H", "TMB-H"), "TMB HIGH": ("TMB-H", "TMB-H"), "HIGH TMB": ("TMB-H", "TMB-H"),
    "TMB H": ("TMB-H", "TMB-H"), "HIGH MUTATIONAL BURDEN": ("TMB-H", "TMB-H"),
    "TUMOR MUTATIONAL BURDEN HIGH": ("TMB-H", "TMB-H"), "TMB": ("TMB-H", "TMB-H"),
    "HIGH TUMOR MUTATIONAL BURDEN": ("TMB-H", "TMB-H"),
    "HRD": ("HRD", "HRD"), "HOMOLOGOUS RECOMBINATION DEFICIENCY": ("HRD", "HRD"),
}

#: gene-level words (upper case) → (key suffix, display, kind, level, parent suffix or None)
_WORDS: dict[str, tuple[str, str, str, str, str | None]] = {}
for _w, _v in {
    ("MUTATION", "MUTATIONS", "MUT", "ANY MUTATION", "SOMATIC MUTATION", "ACTIVATING MUTATION",
     "ONCOGENIC MUTATION", "VARIANT"): ("mutation", "mutation", "mutation", "kind", ""),
    ("AMPLIFICATION", "AMP", "AMPLIFIED", "COPY NUMBER GAIN", "GAIN"):
        ("amplification", "amplification", "amplification", "kind", ""),
    ("DELETION", "DEL", "LOSS", "COPY NUMBER LOSS", "HOMOZYGOUS DELETION", "DELETED",
     "BIALLELIC LOSS", "BIALLELIC INACTIVATION"):
        ("deletion", "deletion", "deletion", "kind", ""),
    ("FUSION", "FUSIONS", "REARRANGEMENT", "REARRANGEMENTS", "TRANSLOCATION", "FUS",
     "FUSION GENE"): ("fusion", "fusion", "fusion", "kind", ""),
    ("EXPRESSION", "EXPR"): ("expression", "expression", "expression", "kind", ""),
    ("OVEREXPRESSION", "HIGH EXPRESSION", "POSITIVE"):
        ("overexpression", "overexpression", "expression", "kind", "expression"),
    ("UNDEREXPRESSION", "LOW EXPRESSION", "NEGATIVE", "LOSS OF EXPRESSION"):
        ("underexpression", "underexpression", "expression", "kind", "expression"),
    ("WILD TYPE", "WILDTYPE", "WT", "WILD-TYPE"):
        ("wildtype", "wild type", "wildtype", "kind", None),
    ("LOSS-OF-FUNCTION", "LOSS OF FUNCTION", "INACTIVATING MUTATION", "INACTIVATION"):
        ("loss-of-function", "loss of function", "mutation", "kind", ""),
    ("GAIN-OF-FUNCTION", "GAIN OF FUNCTION"):
        ("gain-of-function", "gain of function", "mutation", "kind", "mutation"),
    ("TRUNCATING MUTATION", "TRUNCATING MUTATIONS", "FRAMESHIFT", "TRUNCATION",
     "FRAMESHIFT TRUNCATION", "FRAMESHIFT MUTATION"):
        ("truncating-mutation", "truncating mutation", "mutation", "kind", "mutation"),
    ("ITD", "INTERNAL TANDEM DUPLICATION"): ("ITD", "ITD", "mutation", "exon", "mutation"),
    ("ALTERATION", "ALTERATIONS", "ANY", "ABERRATION"): ("", "(any)", "any", "gene", None),
}.items():
    for _word in _w:
        _WORDS[_word] = _v
_NAMED_PROTEIN_WORDS = {"EXPRESSION", "OVEREXPRESSION", "UNDEREXPRESSION", "LOSS", "POSITIVE",
                        "NEGATIVE", "FUSION", "FUSIONS"}
_EXON_WORDS = {
    "DELETION": "deletion", "DEL": "deletion", "DELETIONS": "deletion",
    "INSERTION": "insertion", "INS": "insertion", "INSERTIONS": "insertion",
    "SKIPPING": "skipping", "SKIPPING MUTATION": "skipping", "SKIPPING MUTATIONS": "skipping",
    "DUPLICATION": "duplication", "DUP": "duplication",
    "INSERTION/DUPLICATION": "insertion",
}


@dataclass(frozen=True)
class AltSpec:
    """One node of the alteration hierarchy; ``parents`` reach up to the gene (or are empty)."""

    key: str
    name: str
    kind: str
    level: str
    gene: str | None = None  # approved symbol
    gene_id: str | None = None  # HGNC:<n> or gene:<symbol>
    protein_change: str | None = None
    hgvs_p: str | None = None
    parents: tuple[AltSpec, ...] = ()
    parsed: bool = True

    @property
    def id(self) -> str:
        return S.alteration_id(self.key)

    def props(self) -> dict[str, str | None]:
        return {"name": self.name, "gene": self.gene, "kind": self.kind, "level": self.level,
                "protein_change": self.protein_change, "hgvs_p": self.hgvs_p}

    def lineage(self) -> Iterator[AltSpec]:
        """This node and every ancestor, each once."""
        seen: set[str] = set()
        todo = [self]
        while todo:
            cur = todo.pop()
            if cur.key in seen:
                continue
            seen.add(cur.key)
            yield cur
            todo.extend(cur.parents)


class Gene:
    """A gene as the alteration parser needs it: approved symbol and node id."""

    def __init__(self, symbol: str, node_id: str):
        self.symbol, self.node_id = symbol, node_id

    @classmethod
    def of(cls, name: str, genes: GeneResolver | None, entrez: str | None = None) -> Gene:
        rec = genes.resolve(name, entrez) if genes else None
        if rec:
            return cls(rec.symbol, rec.node_id)
        return cls(name.strip(), S.gene_id(None, name.strip()))


# ---------------------------------------------------------------- builders (shared by loaders)
def gene_level(g: Gene) -> AltSpec:
    return AltSpec(g.symbol, f"{g.symbol} (any)", "any", "gene", g.symbol, g.node_id)


def kind_level(g: Gene, suffix: str) -> AltSpec:
    """``GENE:mutation``, ``GENE:amplification``, ``GENE:deletion``, ``GENE:fusion`` …"""
    entry = _WORDS.get(suffix.upper())
    if entry is None:
        raise ValueError(f"unknown alteration kind '{suffix}'")
    key, display, kind, level, parent = entry
    if key == "":
        return gene_level(g)
    if parent is None:
        parents: tuple[AltSpec, ...] = ()
    elif parent == "":
        parents = (gene_level(g),)
    else:
        parents = (kind_level(g, parent),)
    return AltSpec(f"{g.symbol}:{key}", f"{g.symbol} {display}", kind, level, g.symbol,
                   g.node_id, parents=parents)


def codon(g: Gene, ref: str, pos: str) -> AltSpec:
    return AltSpec(f"{g.symbol}:{ref}{pos}", f"{g.symbol} {ref}{pos}", "mutation", "codon",
                   g.symbol, g.node_id, parents=(kind_level(g, "mutation"),))


_EXON_SUFFIX = {"deletion": "del", "insertion": "ins", "duplication": "dup",
                "skipping": "-skipping"}


def exon(g: Gene, number: str, what: str = "mutation") -> AltSpec:
    """Curated spelling: ``EGFR:exon19del`` / ``EGFR:exon20ins`` / ``MET:exon14-skipping`` →
    ``EGFR:exon19`` (any exon 19 mutation) → ``EGFR:mutation``."""
    what = _EXON_WORDS.get(what.upper(), what.lower().replace(" ", "-"))
    if what in ("mutation", "mutations", "alteration", "variant"):
        return AltSpec(f"{g.symbol}:exon{number}", f"{g.symbol} exon {number} mutation",
                       "mutation", "exon", g.symbol, g.node_id,
                       parents=(kind_level(g, "mutation"),))
    suffix = _EXON_SUFFIX.get(what, f"-{what}")
    return AltSpec(f"{g.symbol}:exon{number}{suffix}", f"{g.symbol} exon {number} {what}",
                   "mutation", "exon", g.symbol, g.node_id, parents=(exon(g, number),))


def fusion(five: Gene, three: Gene) -> AltSpec:
    """A specific fusion, a kind of each partner's fusion (``EML4::ALK``)."""
    parents = tuple(kind_level(p, "fusion") for p in (three, five) if p.symbol)
    if five.symbol == three.symbol:
        parents = parents[:1]
    return AltSpec(f"{five.symbol}::{three.symbol}", f"{five.symbol}::{three.symbol}", "fusion",
                   "variant", three.symbol, three.node_id, parents=parents)


_SEPARATORS = re.compile(r"[\s_/-]+")


def signature(text: str) -> AltSpec | None:
    norm = _SEPARATORS.sub(" ", text.strip().upper()).strip()
    hit = SIGNATURES.get(norm) or SIGNATURES.get(text.strip().upper())
    if not hit:
        return None
    key, name = hit
    return AltSpec(key, name, "signature", "signature")


def protein_change(g: Gene, text: str) -> AltSpec | None:
    """``V600E`` / ``p.Val600Glu`` / ``p.(V600E)`` / ``E746_A750del`` → a variant or codon."""
    t = text.strip()
    if t.lower().startswith("p."):
        t = t[2:]
    t = t.strip("()")
    t = _THREE.sub(lambda m: THREE_TO_ONE[m.group(1)], t)
    if m := _CODON.match(t):
        return codon(g, m.group(1), m.group(2))
    if m := _SUB.match(t):
        ref, pos, alt = m.groups()
        alt = "*" if alt == "X" else alt
        ref = "*" if ref == "X" else ref
        change = f"{ref}{pos}{alt}"
        hgvs = f"p.{ONE_TO_THREE.get(ref, ref)}{pos}{ONE_TO_THREE.get(alt, alt)}"
        return AltSpec(f"{g.symbol}:{change}", f"{g.symbol} {change}", "mutation", "variant",
                       g.symbol, g.node_id, change, hgvs, parents=(codon(g, ref, pos),))
    if m := _MULTI_ALT.match(t):
        ref, pos, alts = m.groups()
        return AltSpec(f"{g.symbol}:{ref}{pos}{alts}", f"{g.symbol} {ref}{pos}{alts}", "mutation",
                       "variant", g.symbol, g.node_id, f"{ref}{pos}{alts}",
                       parents=(codon(g, ref, pos),))
    if _CODONS.match(t):
        return AltSpec(f"{g.symbol}:{t}", f"{g.symbol} {t}", "mutation", "codon", g.symbol,
                       g.node_id, parents=(kind_level(g, "mutation"),))
    if m := _FS.match(t):
        ref, pos = m.group(1).upper(), m.group(2)
        change = f"{ref}{pos}fs"
        return AltSpec(f"{g.symbol}:{change}", f"{g.symbol} {change}", "mutation", "variant",
                       g.symbol, g.node_id, change, f"p.{ONE_TO_THREE.get(ref, ref)}{pos}fs",
                       parents=(kind_level(g, "truncating mutation"),))
    if m := _INDEL.match(t):
        ref, pos, ref2, pos2, op, seq = m.groups()
        ref2 = ref2 or ""  # "V769_770insASV": the second residue is not named
        span = f"{ref.upper()}{pos}" + (f"_{ref2.upper()}{pos2}" if pos2 else "")
        change = f"{span}{op.lower()}{seq.upper()}"
        three = f"{ONE_TO_THREE.get(ref.upper(), ref)}{pos}" + (
            f"_{ONE_TO_THREE.get(ref2.upper(), ref2)}{pos2}" if pos2 else "")
        seq3 = "".join(ONE_TO_THREE.get(a, a) for a in seq.upper())
        return AltSpec(f"{g.symbol}:{change}", f"{g.symbol} {change}", "mutation", "variant",
                       g.symbol, g.node_id, change, f"p.{three}{op.lower()}{seq3}",
                       parents=(kind_level(g, "mutation"),))
    return None


def other(g: Gene, text: str) -> AltSpec:
    """Kept, not understood: a child of the gene node, flagged ``parsed=False``."""
    return AltSpec(f"{g.symbol}:{S.slug(text)}", f"{g.symbol} {text.strip()}", "any", "variant",
                   g.symbol, g.node_id, parents=(gene_level(g),), parsed=False)


# ---------------------------------------------------------------- the parser
def parse_alteration(text: str, gene: str | None = None, genes: GeneResolver | None = None,
                     entrez: str | None = None) -> AltSpec:
    """Parse one source's variant text in the context of its gene (if the source names one).

    ``gene`` may be an alias (HER2) or previous symbol; ``genes`` resolves it to HGNC. Without a
    gene, the text itself must name it (``BRAF V600E``, ``EML4::ALK``, ``ERBB2:amp``) or be a
    signature (``MSI-H``).
    """
    raw = text.strip()
    sig = signature(raw)
    if sig:
        return sig
    parts = re.split(r"\s+(?:AND|\+)\s+", raw, flags=re.I)
    if len(parts) > 1:
        comps = [parse_alteration(p, gene, genes, entrez) for p in parts]
        if all(c.parsed for c in comps):
            keys = sorted({c.key for c in comps})
            first = comps[0]
            kinds = {c.kind for c in comps}
            return AltSpec("+".join(keys), " and ".join(c.name for c in comps),
                           kinds.pop() if len(kinds) == 1 else "any", "compound", first.gene,
                           first.gene_id, parents=tuple(comps))
    ctx = Gene.of(gene, genes, entrez) if gene else None
    if ctx is None:
        first = raw.split(None, 1)[0]
        if "::" in first or (_FUSION.match(first) and genes is not None):
            found = _fusion(raw, None, genes)
            if found:
                return found
        head, _, rest = re.split(r"[\s:]", raw, maxsplit=1)[0], None, ""
        rest = raw[len(head):].lstrip(" :").strip()
        if not rest:
            return gene_level(Gene.of(head, genes))
        return parse_alteration(rest, head, genes)
    found = _in_gene(raw, ctx, genes)
    if found:
        return found
    return other(ctx, raw)


def _in_gene(raw: str, g: Gene, genes: GeneResolver | None) -> AltSpec | None:
    text = _PAREN.sub(" ", raw).strip() or raw
    upper = re.sub(r"\s+", " ", text.upper())
    if upper in _WORDS:
        return kind_level(g, upper)
    if found := protein_change(g, text):
        return found
    if m := _EXON.match(text):
        what = m.group(3).strip()
        return exon(g, m.group(1), what)
    if found := _fusion(text, g, genes):
        return found
    if (m := _FUSION_POINT.match(text)) and (point := protein_change(g, m.group(1))):
        # "ALK FUSION G1202R": a resistance mutation inside any fusion of the gene
        fus = kind_level(g, "fusion")
        return AltSpec(f"{g.symbol}:fusion:{point.key.split(':', 1)[1]}",
                       f"{g.symbol} fusion {m.group(1)}", "mutation", point.level, g.symbol,
                       g.node_id, point.protein_change, point.hgvs_p, parents=(point, fus))
    tokens = text.split(None, 1)
    if len(tokens) == 2:
        # "ALK FUSIONS", "BRAF V600E": the gene named again; "p16 EXPRESSION": a protein name
        first = Gene.of(tokens[0], genes)
        if first.symbol == g.symbol or tokens[1].upper() in _NAMED_PROTEIN_WORDS:
            inner = _in_gene(tokens[1], g, genes)
            if inner is not None:
                return inner
    if m := re.match(rf"^non-?\s*({_AA}\d+)$", text, re.I):  # "Non-V600": the rest of the gene
        return AltSpec(f"{g.symbol}:non-{m.group(1).upper()}", f"{g.symbol} non-{m.group(1)} "
                       "mutation", "mutation", "class", g.symbol, g.node_id,
                       parents=(kind_level(g, "mutation"),))
    m = re.match(r"^(.+?)\s+MUTATIONS?$", upper)
    if m:  # "TKD MUTATION", "KINASE DOMAIN MUTATION": a region of the gene
        region = S.slug(m.group(1))
        return AltSpec(f"{g.symbol}:{region}-mutation", f"{g.symbol} {text}", "mutation", "exon",
                       g.symbol, g.node_id, parents=(kind_level(g, "mutation"),))
    return None


def _fusion(text: str, ctx: Gene | None, genes: GeneResolver | None) -> AltSpec | None:
    m = _FUSION.match(text.strip())
    if not m:
        return None
    a, b, rest = m.group(1), m.group(2), (m.group(3) or "").strip()
    five, three = Gene.of(a, genes), Gene.of(b, genes)
    if genes is None:  # no HGNC table: partners must look like symbols, not like "V600"
        known = all(re.fullmatch(r"[A-Z][A-Z0-9]+", x) and not _CODON.match(x) for x in (a, b))
    else:
        known = bool(genes.resolve(a) and genes.resolve(b))
    if not known and not (ctx and ctx.symbol in (five.symbol, three.symbol)):
        return None
    if not known and genes and not (genes.resolve(a) or genes.resolve(b)):
        return None
    pair = fusion(five, three)
    if not rest or rest.upper() in ("FUSION", "FUSIONS", "REARRANGEMENT", "TRANSLOCATION"):
        return pair
    host = ctx if ctx and ctx.symbol in (five.symbol, three.symbol) else three
    point = protein_change(host, rest)
    if point is not None:
        return AltSpec(f"{pair.key}:{point.key.split(':', 1)[1]}", f"{pair.name} {rest}",
                       "mutation", point.level, host.symbol, host.node_id, point.protein_change,
                       point.hgvs_p, parents=(point, pair))
    return AltSpec(f"{pair.key}:{S.slug(rest)}", f"{pair.name} {rest}", "fusion", "variant",
                   three.symbol, three.node_id, parents=(pair,), parsed=False)


# ---------------------------------------------------------------- emitting records
NodeEmit = Callable[..., None]
EdgeEmit = Callable[..., None]


def emit(spec: AltSpec, node: NodeEmit, edge: EdgeEmit, seen: set[str]) -> None:
    """Alteration nodes for the whole lineage, with IN_GENE and IS_A edges (each once)."""
    for cur in spec.lineage():
        if cur.id in seen:
            continue
        seen.add(cur.id)
        node(cur.id, Label.ALTERATION, **cur.props())
        if cur.gene_id and cur.level in ("gene", "kind", "codon", "exon", "variant"):
            edge(cur.id, Rel.IN_GENE, cur.gene_id)
        for p in cur.parents:
            edge(cur.id, Rel.IS_A, p.id)


def genes_of(spec: AltSpec) -> dict[str, str]:
    """Gene node id → symbol for every gene the lineage touches (for Gene nodes)."""
    return {s.gene_id: s.gene for s in spec.lineage() if s.gene_id and s.gene}
