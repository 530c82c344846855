"""Data access the Streamlit pages share: the cached artefact, table builders and links.

Pages stay thin: they read widgets, call these helpers and draw. The helpers that build frames are
plain functions over the Artefact API (testable without Streamlit); the ``cached_*`` wrappers add
Streamlit caching keyed on the artefact's path and ``built_at``, so a rebuild (a new path) is
picked up on the next rerun while repeated renders reuse the frames.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import streamlit as st

from kg import identifiers
from kg.artefact import CURRENT, Artefact, ArtefactMissing, default_root
from kg.schema import Label, Rel
from queries.cohorts import cohort_frame, current_results, report_frame
from queries.estimates import clopper_pearson
from queries.hierarchy import alteration_descendants, tumour_descendants

#: (artefact path, built_at): what every cached frame is keyed on.
Key = tuple[str, str]

COHORT_TIER = "trial cohort"
AS_OF_STATE = "as_of"
ALL_YEARS = "all (no cut-off)"

#: One colour per label for the graph explorer and legends.
LABEL_COLOURS = {
    Label.GENE: "#1f77b4", Label.ALTERATION: "#ff7f0e", Label.DRUG: "#2ca02c",
    Label.REGIMEN: "#98df8a", Label.TUMOUR_TYPE: "#d62728", Label.DISEASE: "#ff9896",
    Label.TRIAL: "#9467bd", Label.COHORT: "#8c564b", Label.RESULT: "#e377c2",
    Label.EVIDENCE: "#7f7f7f", Label.PUBLICATION: "#bcbd22",
}


# ------------------------------------------------------------------ loading and caching
def artefact_key(root: Path | None = None) -> Key:
    """Path and build time of the published graph under ``root`` (cheap: reads the manifest)."""
    root = root or default_root()
    link = root / CURRENT
    manifest = link / "manifest.json"
    if not manifest.exists():
        raise ArtefactMissing(f"no built graph under {root}: run `kg build` first "
                              "(or set REDISCOVER_BUILD_DIR)")
    built_at = json.loads(manifest.read_text()).get("built_at", "")
    return str(link.resolve()), built_at


@st.cache_resource(show_spinner="Opening the graph …", max_entries=4)
def _open(path: str, built_at: str) -> Artefact:
    """One Artefact per published build; ``built_at`` is part of the key on purpose."""
    return Artefact(Path(path))


def artefact(key: Key) -> Artefact:
    return _open(*key)


def page_setup() -> tuple[Key, Artefact] | None:
    """Key and artefact for a page, or an error box and None when nothing is built yet."""
    try:
        key = artefact_key()
    except ArtefactMissing as exc:
        st.error(str(exc))
        return None
    return key, artefact(key)


def as_of() -> int | None:
    """The year chosen in the sidebar (None = everything known)."""
    value = st.session_state.get(AS_OF_STATE, ALL_YEARS)
    return None if value in (None, ALL_YEARS) else int(value)


def as_of_note(header: dict) -> str:
    """What an as_of run left out, so nothing is silently dropped."""
    if header.get("as_of") is None:
        return "All reports known to the graph."
    note = (f"As of {header['as_of']}: {header['excluded_after_as_of']} later report(s) and "
            f"{header['excluded_no_year']} report(s) without a year were left out.")
    if "evidence_excluded_no_year" in header:
        note += (f" Knowledgebase items left out: {header['evidence_excluded_after_as_of']} "
                 f"later, {header['evidence_excluded_no_year']} without a year.")
    return note


@st.cache_data(show_spinner=False, max_entries=8)
def cached_years(key: Key) -> list[int]:
    art = artefact(key)
    years = pd.concat([art.nodes(Label.RESULT)["year"], art.nodes(Label.EVIDENCE)["year"]])
    return sorted({int(y) for y in years.dropna()}, reverse=True)


# ------------------------------------------------------------------ provenance and links
def origin(source: object, private: object) -> str:
    """How a row's origin is shown: committee (private) rows are always marked as such."""
    src = "" if source is None or pd.isna(source) else str(source)
    if bool(private) if not pd.isna(private) else False:
        return f"🔒 private · {src}"
    return src


def link_for(curie: object) -> str | None:
    """Web address of an id (pubmed, doi, NCT, CIViC …): the IRI the RDF export publishes."""
    if curie is None or pd.isna(curie) or not str(curie).strip():
        return None
    return identifiers.link(str(curie).strip())


def first_nct(ids: object) -> str | None:
    """The first ClinicalTrials.gov id in a ``;``-separated list."""
    if ids is None or pd.isna(ids):
        return None
    for part in str(ids).replace(",", ";").split(";"):
        if part.strip().upper().startswith("NCT"):
            return part.strip().upper()
    return None


# ------------------------------------------------------------------ hierarchy
def descendants(art: Artefact, node_id: str) -> set[str]:
    """The node and everything below it (queries.hierarchy): BRAF V600 covers V600E,
    Lung covers NSCLC."""
    if art.label_of(node_id) == Label.TUMOUR_TYPE:
        return tumour_descendants(art, node_id)
    return alteration_descendants(art, node_id)


def regimens_for(art: Artefact, drug_or_regimen: str) -> set[str]:
    """A regimen itself, or every regimen that includes a drug."""
    if art.label_of(drug_or_regimen) == Label.DRUG:
        inc = art.edges(Rel.INCLUDES)
        return set(inc.loc[inc["dst"] == drug_or_regimen, "src"])
    return {drug_or_regimen}


def gene_symbols(art: Artefact) -> pd.Series:
    """Alteration id → gene symbol (IN_GENE), for the gene filter and the table."""
    e = art.edges(Rel.IN_GENE).drop_duplicates("src")
    genes = art.nodes(Label.GENE).set_index("id")
    symbol = genes["symbol"].fillna(genes["name"])
    return e.set_index("src")["dst"].map(symbol)


def options(art: Artefact, *labels: Label) -> dict[str, str]:
    """id → "name (id)" for the selectboxes, sorted by name."""
    frames = [art.nodes(label)[["id", "name"]] for label in labels]
    df = pd.concat(frames).drop_duplicates("id")
    df = df.assign(name=df["name"].fillna(df["id"]))
    df = df.sort_values("name", key=lambda s: s.str.lower())
    return {i: f"{n} ({i})" for i, n in zip(df["id"], df["name"], strict=True)}


@st.cache_data(show_spinner=False, max_entries=32)
def cached_options(key: Key, labels: tuple[Label, ...]) -> dict[str, str]:
    return options(artefact(key), *labels)


# ------------------------------------------------------------------ statistics (from queries/)
def exact_ci(successes: pd.Series, trials: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Clopper–Pearson 95 % interval per row (queries.estimates; NaN where counts are missing)."""
    k = pd.to_numeric(successes, errors="coerce").astype(float)
    n = pd.to_numeric(trials, errors="coerce").astype(float)
    cis = [clopper_pearson(r, m) if r == r and m == m else (float("nan"),) * 2
           for r, m in zip(k, n, strict=True)]
    return (pd.Series([c[0] for c in cis], index=k.index, dtype=float),
            pd.Series([c[1] for c in cis], index=k.index, dtype=float))


# ------------------------------------------------------------------ evidence table
EVIDENCE_COLUMNS = [
    "kind", "id", "name", "origin", "trial_name", "gene", "alteration_name", "regimen_name",
    "tumour_type_name", "tier", "direction", "year", "n_evaluable", "n_response", "n_benefit",
    "orr", "orr_ci_low", "orr_ci_high", "outcome", "publication", "publication_link",
    "nct", "nct_link", "record_link", "source_file", "source_row",
    # filter keys (ids), kept at the end
    "trial", "alteration", "regimen", "tumour_type", "private",
]


def cohort_rows(art: Artefact, as_of_year: int | None, current_only: bool = True) -> pd.DataFrame:
    """Cohort reports (current per cohort by default) in the evidence-table shape."""
    if current_only:
        df, _ = current_results(art, as_of_year)
    else:
        reports = report_frame(art)
        if as_of_year is not None:
            reports = reports[reports["year"].notna() & (reports["year"] <= as_of_year)]
        df = cohort_frame(art).merge(reports.drop(columns=["name", "private"]), on="cohort")
    trials = art.nodes(Label.TRIAL).set_index("id")["registry_ids"]
    genes = gene_symbols(art)
    out = pd.DataFrame({
        "kind": "cohort report",
        "id": df["result"], "name": df["arm"],
        "origin": [origin(s, p) for s, p in zip(df["result_source"], df["private"], strict=True)],
        "trial_name": df["trial_name"], "gene": df["alteration"].map(genes),
        "alteration_name": df["alteration_name"], "regimen_name": df["regimen_name"],
        "tumour_type_name": df["tumour_type_name"], "tier": COHORT_TIER,
        "direction": pd.NA, "year": df["year"],
        "n_evaluable": df["n_evaluable"], "n_response": df["n_response"],
        "n_benefit": df["n_benefit"],
        "outcome": df["outcome_call"],
        "publication": df["citation"],
        "nct": df["trial"].map(trials).map(first_nct),
        "record_link": df["source_url"],
        "source_file": df["source_file"], "source_row": df["source_row"],
        "trial": df["trial"], "alteration": df["alteration"], "regimen": df["regimen"],
        "tumour_type": df["tumour_type"], "private": df["private"].fillna(False).astype(bool),
    })
    n = pd.to_numeric(out["n_evaluable"], errors="coerce")
    out["orr"] = pd.to_numeric(out["n_response"], errors="coerce") / n.where(n > 0)
    out["orr_ci_low"], out["orr_ci_high"] = exact_ci(out["n_response"], out["n_evaluable"])
    return out


def knowledgebase_rows(art: Artefact, as_of_year: int | None) -> pd.DataFrame:
    """Evidence nodes, one row per (evidence, alteration, regimen, tumour type) they name."""
    ev = art.nodes(Label.EVIDENCE)
    ev = ev.assign(year=ev["id"].map(evidence_years(art)))
    if as_of_year is not None:
        ev = ev[ev["year"].notna() & (ev["year"] <= as_of_year)]
    if ev.empty:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)

    def targets(rel: Rel, name: str) -> pd.DataFrame:
        e = art.edges(rel)
        return e[["src", "dst"]].rename(columns={"src": "id", "dst": name})

    df = ev.rename(columns={"source": "evidence_source"})
    for rel, name in ((Rel.FOR_ALTERATION, "alteration"), (Rel.FOR_REGIMEN, "regimen"),
                      (Rel.IN_TUMOUR, "tumour_type"), (Rel.REPORTED_IN, "publication")):
        df = df.merge(targets(rel, name), on="id", how="left")
    names = art.all_nodes["name"]
    out = pd.DataFrame({
        "kind": "knowledgebase evidence",
        "id": df["id"], "name": df["name"], "origin": df["evidence_source"].astype("string"),
        "trial_name": pd.NA, "gene": df["alteration"].map(gene_symbols(art)),
        "alteration_name": df["alteration"].map(names), "regimen_name": df["regimen"].map(names),
        "tumour_type_name": df["tumour_type"].map(names).fillna(df["disease_name"]),
        "tier": df["common_tier"], "direction": df["direction"], "year": df["year"],
        "n_evaluable": pd.NA, "n_response": pd.NA, "n_benefit": pd.NA,
        "orr": float("nan"), "orr_ci_low": float("nan"), "orr_ci_high": float("nan"),
        "outcome": df["significance"], "publication": df["publication"],
        "nct": df["nct_ids"].map(first_nct), "record_link": df["id"].map(link_for),
        "source_file": pd.NA, "source_row": pd.NA,
        "trial": pd.NA, "alteration": df["alteration"], "regimen": df["regimen"],
        "tumour_type": df["tumour_type"], "private": False,
    })
    return out


def add_links(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(publication_link=df["publication"].map(link_for),
                     nct_link=df["nct"].map(link_for))[EVIDENCE_COLUMNS]


def evidence_years(art: Artefact) -> pd.Series:
    """Evidence id → year: its own, else its earliest publication's (the rule queries.evidence
    uses for as_of), so that the browser and the analyses agree on what was known when."""
    ev = art.nodes(Label.EVIDENCE)
    rep = art.edges(Rel.REPORTED_IN)
    pubs = art.nodes(Label.PUBLICATION).set_index("id")["year"]
    pub_year = rep.assign(year=rep["dst"].map(pubs)).dropna(subset=["year"]).groupby("src")[
        "year"].min()
    own = ev.set_index("id")["year"].astype("Float64")
    return own.fillna(own.index.to_series().map(pub_year).astype("Float64"))


def as_of_header(art: Artefact, as_of_year: int | None) -> dict:
    """What an as_of view leaves out: reports (queries.cohorts) and knowledgebase items."""
    _, header = current_results(art, as_of_year)
    years = evidence_years(art)
    header["evidence_excluded_no_year"] = (int(years.isna().sum())
                                           if as_of_year is not None else 0)
    header["evidence_excluded_after_as_of"] = (int((years > as_of_year).fillna(False).sum())
                                               if as_of_year is not None else 0)
    return header


@st.cache_data(show_spinner=False, max_entries=16)
def cached_as_of_header(key: Key, as_of_year: int | None) -> dict:
    return as_of_header(artefact(key), as_of_year)


def evidence_table(art: Artefact, as_of_year: int | None, current_only: bool = True
                   ) -> pd.DataFrame:
    frames = [cohort_rows(art, as_of_year, current_only), knowledgebase_rows(art, as_of_year)]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    table = add_links(pd.concat(frames, ignore_index=True))
    # A committee's own rows first: they are what its members come to check.
    return table.sort_values(["private", "kind", "id"], ascending=[False, True, True],
                             ignore_index=True)


@st.cache_data(show_spinner="Collecting evidence …", max_entries=16)
def cached_evidence_table(key: Key, as_of_year: int | None, current_only: bool) -> pd.DataFrame:
    return evidence_table(artefact(key), as_of_year, current_only)


def filter_evidence(df: pd.DataFrame, art: Artefact, *, gene: str | None = None,
                    alteration: str | None = None, drug_or_regimen: str | None = None,
                    tumour_type: str | None = None, trials: Iterable[str] = (),
                    tiers: Iterable[str] = ()) -> pd.DataFrame:
    """Rows matching every given filter; alteration and tumour type include their sub-types."""
    keep = pd.Series(True, index=df.index)
    if gene:
        keep &= df["gene"] == gene
    if alteration:
        keep &= df["alteration"].isin(descendants(art, alteration))
    if drug_or_regimen:
        keep &= df["regimen"].isin(regimens_for(art, drug_or_regimen))
    if tumour_type:
        keep &= df["tumour_type"].isin(descendants(art, tumour_type))
    trials = list(trials)
    if trials:
        keep &= df["trial"].isin(trials)
    tiers = list(tiers)
    if tiers:
        keep &= df["tier"].isin(tiers)
    return df[keep].drop_duplicates("id").reset_index(drop=True)


# ------------------------------------------------------------------ overview
@st.cache_data(show_spinner=False, max_entries=8)
def cached_current(key: Key, as_of_year: int | None) -> tuple[pd.DataFrame, dict]:
    return current_results(artefact(key), as_of_year)


@st.cache_data(show_spinner=False, max_entries=4)
def cached_stats(key: Key) -> dict:
    from queries.summary import graph_stats

    return graph_stats(artefact(key))


def response_rates(current: pd.DataFrame) -> pd.DataFrame:
    """Per-cohort response rate with exact CI, for the by-trial comparison chart."""
    df = current[current["n_evaluable"].fillna(0) > 0].copy()
    df = df[df["n_response"].notna()]
    df["orr"] = df["n_response"].astype(float) / df["n_evaluable"].astype(float)
    df["ci_low"], df["ci_high"] = exact_ci(df["n_response"], df["n_evaluable"])
    private = df["private"].fillna(False).astype(bool)
    df["cohort_label"] = (private.map({True: "[private committee] ", False: ""})
                          + df["regimen_name"].fillna("?") + " · "
                          + df["alteration_name"].fillna("?") + " · "
                          + df["tumour_type_name"].fillna("?") + " · " + df["arm"].fillna(""))
    df["origin"] = [origin(s, p) for s, p in zip(df["result_source"], df["private"], strict=True)]
    return df.sort_values(["trial_name", "orr"], ascending=[True, False], ignore_index=True)


def rate_figure(rates: pd.DataFrame):
    """Dot-and-whisker chart of per-cohort rates with exact CIs, one colour per trial.

    Built from graph_objects traces (plotly.express took 1.5 s for 85 trials), and cached by
    ``cached_rate_figure``."""
    import plotly.graph_objects as go

    traces = []
    for trial, part in rates.groupby("trial_name", sort=True):
        hover = part[["result", "n_response", "n_evaluable", "origin", "source_file",
                      "source_row"]].astype(str).apply(plot_text).to_numpy()
        traces.append(go.Scatter(
            x=part["orr"], y=plot_text(part["cohort_label"]), mode="markers",
            name=html.escape(str(trial)), customdata=hover,
            error_x={"type": "data", "symmetric": False, "array": part["ci_high"] - part["orr"],
                     "arrayminus": part["orr"] - part["ci_low"]},
            hovertemplate="%{y}<br>%{x:.0%} (%{customdata[1]}/%{customdata[2]})<br>"
                          "%{customdata[0]}<br>%{customdata[3]} · %{customdata[4]} row "
                          "%{customdata[5]}<extra></extra>"))
    fig = go.Figure(data=traces)
    fig.update_xaxes(range=[0, 1], tickformat=".0%", title="objective response rate")
    fig.update_yaxes(categoryorder="array",
                     categoryarray=list(plot_text(rates["cohort_label"]))[::-1])
    fig.update_layout(height=max(300, 22 * len(rates) + 120), legend_title_text="trial")
    return fig


@st.cache_data(show_spinner=False, max_entries=32)
def cached_rate_figure(key: Key, as_of_year: int | None, trials: tuple[str, ...]):
    current, _ = cached_current(key, as_of_year)
    rates = response_rates(current)
    return rate_figure(rates[rates["trial_name"].isin(trials)])


def plot_text(values: pd.Series) -> pd.Series:
    """Data text for Plotly labels: Plotly reads a little HTML in text, so data is entity-escaped
    (it shows ``<script>`` as those characters; nothing is interpreted)."""
    return values.fillna("").astype(str).map(html.escape)


def sources_frame(manifest: dict) -> pd.DataFrame:
    rows = []
    for s in manifest.get("sources", []):
        rows.append({
            "source": s.get("name"), "version": s.get("version"),
            "licence": s.get("licence"), "citation": s.get("citation"),
            "private": bool(s.get("private")),
            "files": "; ".join(f.get("path", "") for f in s.get("files", [])),
            "nodes": s.get("node_count"), "edges": s.get("edge_count"),
        })
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ graph neighbourhood
def search_nodes(art: Artefact, text: str, limit: int = 200) -> pd.DataFrame:
    """Nodes whose id or name contains ``text`` (case-insensitive), exact matches first."""
    nodes = art.all_nodes
    if not text.strip():
        return nodes.head(limit)
    t = text.strip().lower()
    name = nodes["name"].fillna("").str.lower()
    ident = nodes["id"].str.lower()
    hit = name.str.contains(t, regex=False) | ident.str.contains(t, regex=False)
    found = nodes[hit].assign(_exact=(name[hit] == t) | (ident[hit] == t))
    return found.sort_values(["_exact", "name"], ascending=[False, True]).drop(
        columns="_exact").head(limit)


def neighbourhood(art: Artefact, centre: str, depth: int = 1, rels: Iterable[str] = (),
                  max_nodes: int = 150) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Nodes and edges within ``depth`` steps of ``centre`` over the chosen relations.

    Returns (nodes, edges, total_found): when more than ``max_nodes`` nodes are reachable the
    closest ones are kept (breadth first) and ``total_found`` says how many there were.
    """
    edges = art.all_edges
    rels = list(rels)
    if rels:
        edges = edges[edges["rel"].isin(rels)]
    hops = {centre: 0}
    frontier = {centre}
    for step in range(1, depth + 1):
        touching = edges[edges["src"].isin(frontier) | edges["dst"].isin(frontier)]
        nxt = (set(touching["src"]) | set(touching["dst"])) - set(hops)
        for n in nxt:
            hops[n] = step
        frontier = nxt
        if not frontier:
            break
    total = len(hops)
    ordered = sorted(hops, key=lambda n: (hops[n], n))[:max_nodes]
    kept = set(ordered)
    info = art.all_nodes.reindex(ordered)[["label", "name", "source"]]
    node_df = info.assign(id=ordered, hops=[hops[n] for n in ordered]).reset_index(drop=True)
    private = _private_ids(art)
    node_df["private"] = node_df["id"].isin(private)
    edge_df = edges[edges["src"].isin(kept) & edges["dst"].isin(kept)].reset_index(drop=True)
    return node_df[["id", "label", "name", "hops", "source", "private"]], edge_df, total


@st.cache_data(show_spinner=False, max_entries=64)
def cached_neighbourhood(key: Key, centre: str, depth: int, rels: tuple[str, ...],
                         max_nodes: int) -> tuple[pd.DataFrame, pd.DataFrame, int, str]:
    """Neighbourhood plus its pyvis page (0.3 s to generate; cached per view)."""
    nodes, edges, total = neighbourhood(artefact(key), centre, depth, rels, max_nodes)
    return nodes, edges, total, network_html(nodes, edges)


def _private_ids(art: Artefact) -> set[str]:
    out: set[str] = set()
    for label in (Label.COHORT, Label.RESULT):
        df = art.nodes(label)
        out |= set(df.loc[df["private"].fillna(False).astype(bool), "id"])
    return out


def network_html(nodes: pd.DataFrame, edges: pd.DataFrame, height_px: int = 620) -> str:
    """A self-contained pyvis page (vis-network inlined, works offline).

    Labels and titles go in as data: pyvis JSON-encodes them (``<`` becomes ``\\u003c``) and
    vis-network draws labels on a canvas and tooltips as text, so no markup from data runs.
    Nothing from data goes into ``heading`` (pyvis does not escape it).
    """
    from pyvis.network import Network

    net = Network(height=f"{height_px}px", width="100%", directed=True,
                  cdn_resources="in_line", bgcolor="#ffffff")
    for row in nodes.itertuples(index=False):
        name = row.name if isinstance(row.name, str) and row.name else row.id
        label = name if len(name) <= 60 else name[:57] + "…"
        tip = f"{row.label}: {name}\nid: {row.id}\nsource: {row.source}"
        if row.private:
            tip += "\nprivate committee data"
        net.add_node(row.id, label=label, title=tip,
                     color=LABEL_COLOURS.get(row.label, "#999999"),
                     size=22 if row.hops == 0 else 12,
                     shape="diamond" if row.private else "dot")
    for row in edges.itertuples(index=False):
        net.add_edge(row.src, row.dst, title=row.rel, label=row.rel, arrows="to",
                     font={"size": 9})
    net.set_options(json.dumps({
        "physics": {"stabilization": {"iterations": 150}},
        "interaction": {"hover": True, "navigationButtons": False},
    }))
    return _CDN_TAG.sub("", net.generate_html())


#: pyvis's template still fetches Bootstrap from a CDN (only for menus we do not use): drop it,
#: so the page makes no outside request.
_CDN_TAG = re.compile(r"<link\s[^>]*href=\"https://cdn[^\"]*\"[^>]*/>"
                      r"|<script\s[^>]*src=\"https://cdn[^\"]*\"[^>]*>\s*</script>")


# ------------------------------------------------------------------ Cypher console
@st.cache_resource(show_spinner="Building the LadybugDB cache of this graph …", max_entries=4)
def _ladybug_cache(path: str, built_at: str) -> str:
    """Create the build's LadybugDB file once (Streamlit locks per key, so one writer)."""
    from kg.stores.ladybug import default_path, export_ladybug

    art = _open(path, built_at)
    target = default_path(art)
    if not target.exists():
        # The local cache mirrors the local artefact, committee rows included; it is not an
        # export (kg export ladybug leaves private rows out unless asked).
        export_ladybug(art, target, include_private=True)
    return str(target)


def ladybug_file(art: Artefact) -> Path:
    """The build's LadybugDB file, created on first use."""
    key = (str(art.path), art.manifest.get("built_at", ""))
    path = Path(_ladybug_cache(*key))
    if not path.exists():  # removed since it was cached: make it again
        _ladybug_cache.clear()
        path = Path(_ladybug_cache(*key))
    return path


def display_rows(columns: list[str], rows: list[tuple]) -> pd.DataFrame:
    """Query rows as a frame; nodes, maps and lists become JSON text (shown, never rendered)."""
    def cell(v: object) -> object:
        return json.dumps(v, default=str) if isinstance(v, dict | list | tuple) else v

    return pd.DataFrame([[cell(v) for v in r] for r in rows], columns=columns)


# ------------------------------------------------------------------ analyses (queries/)
#: Choices offered for the analyses' parameters (validated again by queries.params).
ANALYSIS_DEFAULTS = {"endpoint": "response", "alteration_level": "codon",
                     "tumour_level": "main_type", "treatment_level": "drug_class"}


def analysis_controls(prefix: str) -> dict | None:
    """Widgets for the analyses' levels and thresholds; None (with an error) when invalid."""
    from queries.params import (
        ALTERATION_LEVELS,
        ENDPOINTS,
        TREATMENT_LEVELS,
        TUMOUR_LEVELS,
        QueryParameterError,
        Thresholds,
    )

    d = Thresholds()
    with st.expander("Analysis parameters (levels and thresholds)", expanded=False):
        c1, c2, c3, c4 = st.columns(4)
        endpoint = c1.selectbox("Endpoint", ENDPOINTS, key=f"{prefix}_endpoint",
                                help="response = objective response; benefit = clinical "
                                     "benefit as each report defines it")
        alteration_level = c2.selectbox("Alteration level", ALTERATION_LEVELS,
                                        index=ALTERATION_LEVELS.index("codon"),
                                        key=f"{prefix}_alt_level")
        tumour_level = c3.selectbox("Tumour-type level", TUMOUR_LEVELS,
                                    index=TUMOUR_LEVELS.index("main_type"),
                                    key=f"{prefix}_tumour_level")
        treatment_level = c4.selectbox("Treatment grouping", TREATMENT_LEVELS,
                                       index=TREATMENT_LEVELS.index("drug_class"),
                                       key=f"{prefix}_treatment_level")
        c1, c2, c3, c4, c5 = st.columns(5)
        p0 = c1.number_input("p0 (uninteresting rate)", 0.01, 0.99, d.p0, 0.05,
                             key=f"{prefix}_p0")
        p1 = c2.number_input("p1 (target rate)", 0.01, 0.99, d.p1, 0.05, key=f"{prefix}_p1")
        prob = c3.number_input("Posterior probability bar", 0.5, 0.99, d.prob, 0.05,
                               key=f"{prefix}_prob")
        k = c4.number_input("k (tumour types for agnostic)", 1, 20, d.k, key=f"{prefix}_k")
        min_n = c5.number_input("Minimum evaluable per histology", 1, 100, d.min_n,
                                key=f"{prefix}_min_n")
    try:
        Thresholds(p0=p0, p1=p1, prob=prob, k=int(k), min_n=int(min_n))
    except QueryParameterError as exc:
        st.error(str(exc))
        return None
    return {"endpoint": endpoint, "alteration_level": alteration_level,
            "tumour_level": tumour_level, "treatment_level": treatment_level,
            "p0": float(p0), "p1": float(p1), "prob": float(prob), "k": int(k),
            "min_n": int(min_n)}


def run_analysis(art: Artefact, name: str, as_of_year: int | None, params: dict
                 ) -> tuple[pd.DataFrame, dict]:
    """Call one analysis of queries/ with the page's parameters; (frame, header)."""
    from queries.agnostic import histology_dependence, histology_posteriors, tumour_agnostic
    from queries.gaps import candidate_cohorts, gaps
    from queries.params import Thresholds

    fn = {"tumour_agnostic": tumour_agnostic, "histology_posteriors": histology_posteriors,
          "histology_dependence": histology_dependence, "candidate_cohorts": candidate_cohorts,
          "gaps": gaps}[name]
    p = dict(params)
    t = Thresholds(p0=p.pop("p0"), p1=p.pop("p1"), prob=p.pop("prob"), k=p.pop("k"),
                   min_n=p.pop("min_n"))
    df = fn(art, as_of=as_of_year, thresholds=t, **p)
    return df, dict(df.attrs.get("header", {}))


@st.cache_data(show_spinner="Running the analysis …", max_entries=64)
def cached_analysis(key: Key, name: str, as_of_year: int | None, params: tuple
                    ) -> tuple[pd.DataFrame, dict]:
    return run_analysis(artefact(key), name, as_of_year, dict(params))


@st.cache_data(show_spinner="Pooling …", max_entries=32)
def cached_pool(key: Key, treatment: str, alteration: str, tumour_type: str, endpoint: str,
                as_of_year: int | None) -> tuple[pd.DataFrame | None, dict]:
    """queries.pooled for one drug (or regimen) × alteration × tumour type.

    Returns (None, {"error": message}) for a choice the analysis refuses, and an empty frame
    when no cohort matches (the analysis itself raises on an empty selection)."""
    from queries.params import QueryParameterError
    from queries.pooled import pooled

    art = artefact(key)
    which = "drug" if art.label_of(treatment) == Label.DRUG else "regimen"
    try:
        df = pooled(art, alteration=alteration, tumour_type=tumour_type, endpoint=endpoint,
                    as_of=as_of_year, **{which: treatment})
    except QueryParameterError as exc:
        return None, {"error": str(exc)}
    except KeyError as exc:
        # queries.pooled fails on an empty selection (its boolean mask of no rows selects no
        # columns); say so instead of breaking the page.
        return pd.DataFrame(), {"note": f"no cohort matched ({exc!r} from queries.pooled)"}
    return df, dict(df.attrs.get("header", {}))


def has_private(sources: pd.Series) -> pd.Series:
    """Rows built partly from a committee's own (private) table."""
    return sources.fillna("").astype(str).str.contains("committee:", regex=False)


def rationale_rows(table: pd.DataFrame, ids: Iterable[str]) -> pd.DataFrame:
    """The evidence-table rows behind a proposal (result and evidence ids), in the given order.

    Ids the table does not hold (e.g. a derived remainder unit) are listed with kind 'not found'
    rather than dropped."""
    ids = [i for i in dict.fromkeys(ids) if i]
    found = table.drop_duplicates("id").set_index("id")
    rows = []
    for i in ids:
        if i in found.index:
            rows.append(found.loc[i].to_dict() | {"id": i})
        else:
            rows.append({"id": i, "kind": "not found"})
    return pd.DataFrame(rows, columns=EVIDENCE_COLUMNS).drop(
        columns=["trial", "alteration", "regimen", "tumour_type"])


def split_ids(text: object) -> list[str]:
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return []
    return [x.strip() for x in str(text).split(";") if x.strip()]
