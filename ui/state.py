"""What the pages share: the cached artefact and frames, the as_of control, deep links, and
the analysis-parameter widgets. Queries live in queries/, drawing in ui/render.py.

Cached frames are keyed on the artefact's path and ``built_at`` (``Key``), so a rebuild (a new
path) is picked up on the next rerun while repeated renders reuse the frames. Widget values are
mirrored into the URL (``st.query_params``), so every page and selection has a link.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import streamlit as st

from kg.artefact import CURRENT, Artefact, ArtefactMissing, default_root
from kg.schema import Label
from queries.analyses import ANALYSES, PARAMS
from queries.params import QueryParameterError, Thresholds

#: (artefact path, built_at): what every cached frame is keyed on.
Key = tuple[str, str]
AS_OF_STATE = "as_of"
ALL_YEARS = "all (no cut-off)"


# ------------------------------------------------------------------ artefact
def artefact_key(root: Path | None = None) -> Key:
    """Path and build time of the published graph under ``root`` (cheap: reads the manifest)."""
    root = root or default_root()
    manifest = root / CURRENT / "manifest.json"
    if not manifest.exists():
        raise ArtefactMissing(f"no built graph under {root}: run `kg build` first "
                              "(or set REDISCOVER_BUILD_DIR)")
    return str((root / CURRENT).resolve()), json.loads(manifest.read_text()).get("built_at", "")


@st.cache_resource(show_spinner="Opening the graph …", max_entries=4)
def _open(path: str, built_at: str) -> Artefact:
    """One Artefact per published build; ``built_at`` is part of the key on purpose."""
    return Artefact(Path(path))


def artefact(key: Key) -> Artefact:
    return _open(*key)


def page_setup() -> tuple[Key, Artefact]:
    """Key and artefact for a page; when nothing is built yet, an error box and the page stops."""
    try:
        key = artefact_key()
    except ArtefactMissing as exc:
        st.error(str(exc))
        st.stop()
    return key, artefact(key)


# ------------------------------------------------------------------ deep links
def restore(*keys: str) -> None:
    """Before the widgets are drawn: take their values from the URL on a fresh session."""
    for k in keys:
        if k in st.query_params and k not in st.session_state:
            raw = st.query_params.get_all(k)
            try:
                values = [json.loads(v) for v in raw]
            except json.JSONDecodeError:
                values = raw
            st.session_state[k] = values if len(values) > 1 or k.endswith("_list") \
                else values[0]


def remember(*keys: str) -> None:
    """After the widgets: write their current values into the URL (a link to this view)."""
    for k in keys:
        v = st.session_state.get(k)
        if v is None or v == [] or v == "":
            st.query_params.pop(k, None)
        elif isinstance(v, list):
            st.query_params[k] = [json.dumps(x) for x in v]
        else:
            st.query_params[k] = json.dumps(v)


def as_of() -> int | None:
    """The year chosen in the sidebar (None = everything known)."""
    value = st.session_state.get(AS_OF_STATE, ALL_YEARS)
    return None if value in (None, ALL_YEARS) else int(value)


# ------------------------------------------------------------------ cached queries
@st.cache_data(show_spinner=False, max_entries=8)
def cached_years(key: Key) -> list[int]:
    art = artefact(key)
    years = pd.concat([art.nodes(Label.RESULT)["year"], art.nodes(Label.EVIDENCE)["year"]])
    return sorted({int(y) for y in years.dropna()}, reverse=True)


@st.cache_data(show_spinner=False, max_entries=32)
def cached_options(key: Key, labels: tuple[Label, ...]) -> dict[str, str]:
    """id → "name (id)" for the selectboxes, sorted by name. With drugs, a one-drug regimen is
    left out (its drug stands for it): sotorasib is offered once."""
    art = artefact(key)
    frames = []
    for label in labels:
        df = art.nodes(label)
        if label == Label.REGIMEN and Label.DRUG in labels:
            df = df[df["n_drugs"].fillna(1) > 1]
        frames.append(df[["id", "name"]])
    df = pd.concat(frames).drop_duplicates("id")
    df = df.assign(name=df["name"].fillna(df["id"]))
    df = df.sort_values("name", key=lambda s: s.str.lower())
    return {i: f"{n} ({i})" for i, n in zip(df["id"], df["name"], strict=True)}


@st.cache_data(show_spinner=False, max_entries=8)
def cached_drug_classes(key: Key) -> list[str]:
    from queries.selection import _drug_classes

    return _drug_classes(artefact(key))


@st.cache_data(show_spinner="Collecting evidence …", max_entries=16)
def cached_evidence_table(key: Key, as_of_year: int | None, current_only: bool) -> pd.DataFrame:
    from queries.evidence_table import evidence_table

    return evidence_table(artefact(key), as_of_year, current_only)


@st.cache_data(show_spinner=False, max_entries=16)
def cached_as_of_header(key: Key, as_of_year: int | None) -> dict:
    from queries.evidence_table import as_of_header

    return as_of_header(artefact(key), as_of_year)


@st.cache_data(show_spinner=False, max_entries=8)
def cached_current(key: Key, as_of_year: int | None) -> tuple[pd.DataFrame, dict]:
    from queries.cohorts import current_results

    return current_results(artefact(key), as_of_year)


@st.cache_data(show_spinner=False, max_entries=4)
def cached_stats(key: Key) -> dict:
    from queries.summary import graph_stats

    return graph_stats(artefact(key))


@st.cache_data(show_spinner=False, max_entries=64)
def cached_search(key: Key, text: str) -> tuple[pd.DataFrame, int]:
    from queries.neighbourhood import search_nodes

    return search_nodes(artefact(key), text)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_neighbourhood(key: Key, centre: str, depth: int, rels: tuple[str, ...],
                         max_nodes: int) -> tuple[pd.DataFrame, pd.DataFrame, int, str]:
    """Neighbourhood plus its pyvis page (0.3 s to generate; cached per view)."""
    from queries.neighbourhood import neighbourhood
    from ui.render import network_html

    nodes, edges, total = neighbourhood(artefact(key), centre, depth, rels, max_nodes)
    return nodes, edges, total, network_html(nodes, edges)


@st.cache_data(show_spinner="Running the analysis …", max_entries=64)
def cached_analysis(key: Key, name: str, as_of_year: int | None, params: tuple
                    ) -> tuple[pd.DataFrame, dict]:
    df = ANALYSES[name].run(artefact(key), as_of_year, **dict(params))
    return df, dict(df.attrs.get("header", {}))


@st.cache_data(show_spinner="Pooling …", max_entries=32)
def cached_pool(key: Key, treatment: str, alteration: str, tumour_type: str, endpoint: str,
                as_of_year: int | None) -> tuple[pd.DataFrame | None, dict]:
    """queries.pooled for one drug, regimen or drug class (``class:<name>``) × alteration ×
    tumour type; (None, {"error": …}) for a choice the analysis refuses, an empty frame when
    no cohort matches."""
    from queries.pooled import pooled

    art = artefact(key)
    if treatment.startswith("class:"):
        which = {"drug_class": treatment[len("class:"):]}
    else:
        label = art.label_of(treatment)
        which = {"drug" if label == Label.DRUG else "regimen": treatment}
    try:
        df = pooled(art, alteration=alteration, tumour_type=tumour_type, endpoint=endpoint,
                    as_of=as_of_year, **which)
    except QueryParameterError as exc:
        return None, {"error": str(exc)}
    except KeyError as exc:  # queries.pooled fails on an empty selection: say so instead
        return pd.DataFrame(), {"note": f"no cohort matched ({exc!r} from queries.pooled)"}
    return df, dict(df.attrs.get("header", {}))


@st.cache_data(show_spinner="Building the profile …", max_entries=16)
def cached_profile(key: Key, tumour_type: str, alterations: tuple[str, ...],
                   as_of_year: int | None):
    from queries.profile import profile

    return profile(artefact(key), tumour_type, list(alterations), as_of_year)


@st.cache_resource(show_spinner="Building the LadybugDB cache of this graph …", max_entries=4)
def _ladybug_cache(path: str, built_at: str) -> str:
    """Streamlit locks per key, so one writer makes the cache (kg.stores.ladybug.ensure_cache)."""
    from kg.stores.ladybug import ensure_cache

    return str(ensure_cache(_open(path, built_at)))


def ladybug_file(art: Artefact) -> Path:
    """The build's LadybugDB file, created on first use."""
    key = (str(art.path), art.manifest.get("built_at", ""))
    path = Path(_ladybug_cache(*key))
    if not path.exists():  # removed since it was cached: make it again
        _ladybug_cache.clear()
        path = Path(_ladybug_cache(*key))
    return path


# ------------------------------------------------------------------ analysis parameters
NUMBER_LABELS = {"p0": "p0 (uninteresting rate)", "p1": "p1 (target rate)",
                 "prob": "Posterior probability bar", "k": "k (tumour types for agnostic)",
                 "min_n": "Minimum evaluable per histology"}


def analysis_controls(prefix: str) -> dict | None:
    """Widgets for the analyses' levels and thresholds (choices and defaults from the registry
    in queries/analyses.py); None (with an error) when invalid."""
    levels = ("endpoint", "alteration_level", "tumour_level", "treatment_level")
    numbers = {"p0": (0.01, 0.99, 0.05), "p1": (0.01, 0.99, 0.05), "prob": (0.5, 0.99, 0.05),
               "k": (1, 20, 1), "min_n": (1, 100, 1)}
    restore(*(f"{prefix}_{n}" for n in (*levels, *numbers)))
    values: dict = {}
    with st.expander("Analysis parameters (levels and thresholds)", expanded=False):
        for col, name in zip(st.columns(len(levels)), levels, strict=True):
            p = PARAMS[name]
            values[name] = col.selectbox(name.replace("_", " ").capitalize(), p.choices,
                                         index=p.choices.index(p.default), help=p.help,
                                         key=f"{prefix}_{name}")
        for col, (name, (low, high, step)) in zip(st.columns(len(numbers)), numbers.items(),
                                                  strict=True):
            p = PARAMS[name]
            values[name] = col.number_input(NUMBER_LABELS[name], low, high, p.default, step,
                                            help=p.help, key=f"{prefix}_{name}")
    remember(*(f"{prefix}_{n}" for n in (*levels, *numbers)))
    try:
        Thresholds(p0=values["p0"], p1=values["p1"], prob=values["prob"], k=int(values["k"]),
                   min_n=int(values["min_n"]))
    except QueryParameterError as exc:
        st.error(str(exc))
        return None
    values["k"], values["min_n"] = int(values["k"]), int(values["min_n"])
    return values
