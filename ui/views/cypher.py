"""Cypher console: read-only queries on LadybugDB (always) or Neo4j (when NEO4J_URI is set).

The engines, their read-only opening, the timeout, the row cap and the range() guard live in
kg/stores/cypher_engines.py (shared with `kg cypher`); this page only collects the inputs.
"""

from __future__ import annotations

import json
import os

import streamlit as st

from ui import render, state

st.title("Cypher console")
key, art = state.page_setup()

from kg.stores.cypher_engines import (  # noqa: E402 - after the graph check, for a clear error
    DEFAULT_LIMIT,
    DEFAULT_TIMEOUT_S,
    CypherError,
    open_engine,
)
from queries.cypher_library import LibraryError, list_queries  # noqa: E402

examples = {q.name: q for q in list_queries()}


def use_example() -> None:
    """Copy the chosen library query and its default parameters into the editors."""
    q = examples.get(st.session_state.get("cy_example"))
    if q is not None:
        st.session_state["cy_text"] = q.text
        st.session_state["cy_params"] = json.dumps(q.defaults())


first = next(iter(examples.values()), None)
st.session_state.setdefault("cy_text", first.text if first else "MATCH (n) RETURN count(n) AS n")
st.session_state.setdefault("cy_params", json.dumps(first.defaults()) if first else "{}")

engines = ["ladybug"] + (["neo4j"] if os.environ.get("NEO4J_URI") else [])
c1, c2, c3, c4 = st.columns([2, 3, 1, 1])
engine = c1.radio("Engine", engines, horizontal=True, key="cy_engine",
                  help="Neo4j appears when NEO4J_URI is set. Both are opened read-only.")
c2.selectbox("Example from queries/cypher/", list(examples), index=0 if examples else None,
             key="cy_example", on_change=use_example,
             format_func=lambda n: f"{examples[n].title} ({n})")
timeout_s = c3.number_input("Timeout (s)", 1.0, 300.0, min(DEFAULT_TIMEOUT_S, 30.0),
                            key="cy_timeout")
limit = c4.number_input("Row cap", 1, DEFAULT_LIMIT, min(DEFAULT_LIMIT, 1000), key="cy_limit")
chosen = examples.get(st.session_state.get("cy_example"))
if chosen is not None:
    st.caption(chosen.description + "".join(
        f"  \n`${p.name}`: {p.help}" for p in chosen.params))
text = st.text_area("Query", key="cy_text", height=220)
params_text = st.text_area("Parameters (JSON object)", key="cy_params", height=68)

if st.button("Run", type="primary", key="cy_run"):
    try:
        params = json.loads(params_text or "{}")
        if not isinstance(params, dict):
            raise ValueError("parameters must be a JSON object")
    except (json.JSONDecodeError, ValueError) as exc:
        st.error(f"Parameters: {exc}")
        st.stop()
    try:
        if engine == "ladybug":
            try:
                path = state.ladybug_file(art)
            except (KeyError, RuntimeError, OSError) as exc:
                raise CypherError("ladybug", f"could not build the LadybugDB cache of this graph "
                                  f"({exc!r}); rebuild it with `kg build`") from exc
            runner = open_engine("ladybug", ladybug_path=path)
        else:
            from kg.stores.neo4j import connection_from_env

            uri, auth = connection_from_env()
            runner = open_engine("neo4j", uri=uri, auth=auth)
        try:
            result = runner.run(text, params, timeout_s=float(timeout_s), limit=int(limit))
        finally:
            runner.close()
    except (CypherError, LibraryError, ValueError) as exc:
        st.error(str(exc))
        st.stop()
    st.success(f"{len(result.rows)} row(s) from {result.engine} in {result.seconds:.3f} s"
               + (f" · stopped at the row cap of {int(limit)}" if result.truncated else ""))
    st.dataframe(render.display_rows(result.columns, result.rows), hide_index=True,
                 width="stretch")
