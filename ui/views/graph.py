"""Graph explorer: any node's neighbourhood, drawn with pyvis, capped when too large."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kg.schema import REL_CLASSES
from ui import data

MAX_NODES = 150

st.title("Graph explorer")
setup = data.page_setup()
if setup is None:
    st.stop()
key, art = setup

query = st.text_input("Find a node (name or id)", value=st.session_state.get("gx_query", "BRAF"),
                      key="gx_query")
hits = data.search_nodes(art, query)
if hits.empty:
    st.warning(f"No node matches '{query}'.")
    st.stop()
choices = {i: f"{n} · {lab} · {i}" for i, n, lab in
           zip(hits["id"], hits["name"].fillna(""), hits["label"], strict=True)}
centre = st.selectbox(f"Node ({len(hits)} match(es), first 200 shown)", list(choices),
                      format_func=choices.get, key="gx_node")
c1, c2, c3 = st.columns([1, 3, 1])
depth = c1.slider("Depth", 1, 3, 1, key="gx_depth")
rels = c2.multiselect("Relations", [str(r) for r in REL_CLASSES], key="gx_rels",
                      placeholder="all relations")
max_nodes = c3.number_input("Max nodes", 10, 500, MAX_NODES, step=10, key="gx_max")

nodes, edges, total, page = data.cached_neighbourhood(key, centre, depth, tuple(rels),
                                                     int(max_nodes))
if total > len(nodes):
    st.warning(f"The neighbourhood has {total} nodes; showing the {len(nodes)} closest. "
               "Lower the depth or choose relations to see the rest.")
st.caption(f"{len(nodes)} node(s), {len(edges)} edge(s). Colours: " + ", ".join(
    f"{lab}" for lab in sorted(nodes["label"].dropna().unique())) + ". ◆ = private committee data.")
st.iframe(page, height=640)

node = art.node(centre) or {}
st.subheader("Selected node")
props = [(k, str(v)) for k, v in node.items() if v not in (None, "")]
st.table(pd.DataFrame(props, columns=["property", "value"]).set_index("property"))
st.subheader("Nodes shown")
st.dataframe(nodes, hide_index=True, width="stretch")
