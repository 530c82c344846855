"""Tumour-agnostic signals: ranked groups, a forest plot per group, histology dependence.

The statistics are queries.agnostic's (exact CIs, heterogeneity, EXNEX-like posteriors); this page
only chooses parameters and draws.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from kg.csv_safe import csv_bytes
from kg.stores.selection import any_private, private_sources
from queries.agnostic import LABEL_ORDER
from queries.evidence_table import as_of_note
from ui import render, state

st.title("Tumour-agnostic signals")
key, art = state.page_setup()
as_of = state.as_of()
params = state.analysis_controls("sig")
if params is None:
    st.stop()
frozen = tuple(sorted(params.items()))

ranked, header = state.cached_analysis(key, "tumour_agnostic", as_of, frozen)
post, _ = state.cached_analysis(key, "histology_posteriors", as_of, frozen)
st.caption(as_of_note(header) + f" Levels: alteration {params['alteration_level']}, "
           f"tumour type {params['tumour_level']}, treatment {params['treatment_level']}; "
           f"p0={params['p0']:g}, p1={params['p1']:g}.")

labels = list(LABEL_ORDER)  # fixed options, so a choice survives a change of parameters
state.restore("sig_labels", "sig_group")
chosen = st.multiselect("Labels", labels, default=labels, key="sig_labels")
shown = ranked[ranked["label"].isin(chosen)].copy()
shown["private data"] = any_private(shown["sources"], private_sources(art))
st.markdown(f"**{len(shown)} group(s)** of {len(ranked)}")
st.dataframe(
    shown, hide_index=True, width="stretch",
    column_config={c: st.column_config.NumberColumn(format="percent")
                   for c in ("pooled_rate", "pooled_low", "pooled_high")})
st.download_button("Download CSV", csv_bytes(shown),
                   "rediscover_tumour_agnostic.csv", "text/csv", key="sig_download")

# ---------------------------------------------------------------- forest plot
st.subheader("Forest plot")
if shown.empty:
    st.info("No group to plot with these labels and parameters.")
else:
    # Options are keyed by the group itself, not its rank: ranks change with the as-of year
    # or the parameters, and a rank-keyed choice then named one group while plotting another.
    group_ids = shown["treatment_group"] + " | " + shown["alteration_group"]
    # The option text must not change with the year either: the browser holds a selectbox's
    # choice as its text, so a text with the rank in it named last year's group (issue 18).
    names = {g: f"{r.treatment_group} · {r.alteration_group_name}"
             for g, r in zip(group_ids, shown.itertuples(), strict=True)}
    if st.session_state.get("sig_group") not in names:
        st.session_state.pop("sig_group", None)
    pick = st.selectbox("Group", list(names), format_func=names.get, key="sig_group")
    group = shown[group_ids == pick].iloc[0]
    st.caption(f"Rank #{group['rank']} · {group['label']}")
    rows = post[(post["treatment_group"] == group["treatment_group"])
                & (post["alteration_group"] == group["alteration_group"])]
    rows = rows.sort_values("rate", ascending=True)
    labels_y = [f"{h} ({k}/{n})" for h, k, n in
                zip(render.plot_text(rows["histology_name"]), rows["k"], rows["n"], strict=True)]
    pooled_y = f"pooled ({group['k']}/{group['n']})"
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=rows["rate"], y=labels_y, mode="markers", name="observed rate, exact 95% CI",
        marker={"size": 9, "color": "#1f77b4"},
        error_x={"type": "data", "symmetric": False, "array": rows["high"] - rows["rate"],
                 "arrayminus": rows["rate"] - rows["low"]},
        customdata=rows[["trials", "sources", "result_ids"]].apply(render.plot_text).to_numpy(),
        hovertemplate="%{y}: %{x:.0%}<br>trials %{customdata[0]}<br>sources "
                      "%{customdata[1]}<br>%{customdata[2]}<extra></extra>"))
    fig.add_trace(go.Scatter(x=rows["post_mean"], y=labels_y, mode="markers",
                             name="posterior mean (borrowing)",
                             marker={"symbol": "x", "size": 9, "color": "#ff7f0e"}))
    fig.add_trace(go.Scatter(
        x=[group["pooled_rate"]], y=[pooled_y], mode="markers", name="pooled, exact 95% CI",
        marker={"symbol": "diamond", "size": 14, "color": "#d62728"},
        error_x={"type": "data", "symmetric": False,
                 "array": [group["pooled_high"] - group["pooled_rate"]],
                 "arrayminus": [group["pooled_rate"] - group["pooled_low"]]}))
    for x, name in ((params["p0"], "p0"), (params["p1"], "p1")):
        fig.add_vline(x=x, line_dash="dot", annotation_text=name)
    fig.update_xaxes(range=[0, 1], tickformat=".0%", title=params["endpoint"] + " rate")
    fig.update_layout(height=max(260, 40 * (len(rows) + 1) + 120),
                      legend={"orientation": "h", "y": 1.08, "x": 0})
    st.plotly_chart(fig, width="stretch", key="sig_forest")
    st.caption(f"Heterogeneity: exact p = {render.fmt_p(group['het_exact_p'])}, "
               f"I² = {render.fmt_p(group['i2'])}. "
               f"Supporting reports: {group['result_ids']}")

# ---------------------------------------------------------------- heatmap
st.subheader("Histology dependence (alteration × tumour type)")
dep, dep_header = state.cached_analysis(key, "histology_dependence", as_of, frozen)
share = dep_header.get("share_dependent")
if share == share and share is not None:
    st.markdown(f"**{dep_header.get('dependent_groups', 0)} of "
                f"{dep_header.get('tested_groups', 0)}** tested groups are histology-dependent "
                f"({share:.1%}); DRUP reported {dep_header.get('drup_share', 0.235):.1%}.")
if dep_header.get("explanation"):
    st.caption(dep_header["explanation"])
only_tested = st.toggle("Only groups tested in two or more histologies", value=True,
                        key="sig_heat_tested")
keep = shown[shown["n_histologies"] >= 2] if only_tested else shown
heat_rows = post.merge(keep[["treatment_group", "alteration_group"]],
                       on=["treatment_group", "alteration_group"])
if heat_rows.empty:
    st.info("No group to show: loosen the labels or the toggle above.")
else:
    grid = heat_rows.assign(group=render.plot_text(heat_rows["treatment_group"]) + " · "
                            + render.plot_text(heat_rows["alteration_group_name"]),
                            histology_name=render.plot_text(heat_rows["histology_name"]))
    rate = grid.pivot_table(index="group", columns="histology_name", values="rate",
                            aggfunc="first")
    text = grid.assign(kn=grid["k"].astype(int).astype(str) + "/"
                       + grid["n"].astype(int).astype(str)).pivot_table(
        index="group", columns="histology_name", values="kn", aggfunc="first")
    text = text.reindex(index=rate.index, columns=rate.columns)
    heat = go.Figure(go.Heatmap(
        z=rate.to_numpy(), x=list(rate.columns), y=list(rate.index),
        text=text.fillna("").to_numpy(), texttemplate="%{text}", colorscale="RdYlGn",
        zmin=0, zmax=1, colorbar={"title": "rate", "tickformat": ".0%"},
        hovertemplate="%{y}<br>%{x}: %{z:.0%} (%{text})<extra></extra>"))
    heat.update_layout(height=max(300, 28 * len(rate) + 220), xaxis={"tickangle": -40})
    st.plotly_chart(heat, width="stretch")
st.dataframe(dep, hide_index=True, width="stretch")
state.remember("sig_labels", "sig_group")
