"""Graph explorer: any node's neighbourhood, drawn with pyvis, capped when too large."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kg.schema import REL_CLASSES
from queries.neighbourhood import SEARCH_LIMIT
from ui import render, state

MAX_NODES = 150
WIDGETS = ("gx_query", "gx_node", "gx_depth", "gx_rels", "gx_max")

st.title("Graph explorer")
key, art = state.page_setup()
state.restore(*WIDGETS)
st.session_state.setdefault("gx_query", "BRAF")

query = st.text_input("Find a node (name or id)", key="gx_query")
hits, n_hits = state.cached_search(key, query)
if hits.empty:
    st.warning(f"No node matches '{query}'.")
    st.stop()
choices = {i: f"{n} · {lab} · {i}" for i, n, lab in
           zip(hits["id"], hits["name"].fillna(""), hits["label"], strict=True)}
if st.session_state.get("gx_node") not in choices:
    st.session_state.pop("gx_node", None)
found = (f"{n_hits} matches; the first {SEARCH_LIMIT} are listed: type more to narrow"
         if n_hits > len(hits) else f"{n_hits} match(es)")
centre = st.selectbox(f"Node ({found})", list(choices), format_func=choices.get,
                      key="gx_node")
c1, c2, c3 = st.columns([1, 3, 1])
depth = c1.slider("Depth", 1, 3, 1, key="gx_depth")
rels = c2.multiselect("Relations", [str(r) for r in REL_CLASSES], key="gx_rels",
                      placeholder="all relations")
max_nodes = c3.number_input("Max nodes", 10, 500, MAX_NODES, step=10, key="gx_max")
state.remember(*WIDGETS)

nodes, edges, total, page = state.cached_neighbourhood(key, centre, depth, tuple(rels),
                                                      int(max_nodes))
if total > len(nodes):
    st.warning(f"The neighbourhood has {total} nodes; showing the {len(nodes)} closest. "
               "Lower the depth or choose relations to see the rest.")
st.caption(f"{len(nodes)} node(s), {len(edges)} edge(s).")
st.markdown(render.legend_html(sorted(nodes["label"].dropna().unique())),
            unsafe_allow_html=True)
st.iframe(page, height=640)

node = art.node(centre) or {}
st.subheader("Selected node")
props = [(k, str(v)) for k, v in node.items() if v not in (None, "")]
st.table(pd.DataFrame(props, columns=["property", "value"]).set_index("property"))
st.subheader("Nodes shown")
st.dataframe(nodes, hide_index=True, width="stretch")
