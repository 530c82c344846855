"""Drawing for the pages: forest plots, the pyvis network page, display text. No queries here."""

from __future__ import annotations

import html
import json
import re

import pandas as pd

from kg.schema import Label

#: One colour per label for the graph explorer and its legend.
LABEL_COLOURS = {
    Label.GENE: "#1f77b4", Label.ALTERATION: "#ff7f0e", Label.DRUG: "#2ca02c",
    Label.REGIMEN: "#98df8a", Label.TUMOUR_TYPE: "#d62728", Label.DISEASE: "#ff9896",
    Label.TRIAL: "#9467bd", Label.COHORT: "#8c564b", Label.RESULT: "#e377c2",
    Label.EVIDENCE: "#7f7f7f", Label.PUBLICATION: "#bcbd22",
}


def plot_text(values: pd.Series) -> pd.Series:
    """Data text for Plotly labels: Plotly reads a little HTML in text, so data is entity-escaped
    (it shows ``<script>`` as those characters; nothing is interpreted)."""
    return values.fillna("").astype(str).map(html.escape)


def _label(values: pd.Series) -> pd.Series:
    """Escaped plot labels; a newline in the data's label becomes a line break."""
    return plot_text(values).str.replace("\n", "<br>", regex=False)


def forest_figure(rates: pd.DataFrame, x_title: str = "objective response rate"):
    """One forest plot: a row per cohort (``cohort_label``), its rate and exact CI, coloured by
    trial. Needs columns orr, ci_low, ci_high, cohort_label, trial_name, result, n_response,
    n_evaluable, origin, source_file, source_row."""
    import plotly.graph_objects as go

    traces = []
    for trial, part in rates.groupby("trial_name", sort=True):
        hover = part[["result", "n_response", "n_evaluable", "origin", "source_file",
                      "source_row"]].astype(str).apply(plot_text).to_numpy()
        traces.append(go.Scatter(
            x=part["orr"], y=_label(part["cohort_label"]), mode="markers",
            name=html.escape(str(trial)), customdata=hover,
            error_x={"type": "data", "symmetric": False, "array": part["ci_high"] - part["orr"],
                     "arrayminus": part["orr"] - part["ci_low"]},
            hovertemplate="%{y}<br>%{x:.0%} (%{customdata[1]}/%{customdata[2]})<br>"
                          "%{customdata[0]}<br>%{customdata[3]} · %{customdata[4]} row "
                          "%{customdata[5]}<extra></extra>"))
    fig = go.Figure(data=traces)
    fig.update_xaxes(range=[0, 1], tickformat=".0%", title=x_title)
    fig.update_yaxes(categoryorder="array", automargin=True,
                     categoryarray=list(_label(rates["cohort_label"]))[::-1])
    fig.update_layout(height=max(260, 40 * len(rates) + 140), legend_title_text="trial",
                      showlegend=True,  # also for one trial: the legend names it
                      legend={"orientation": "h", "y": -0.15, "x": 0},
                      margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig


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


def legend_html(labels: list[str]) -> str:
    """Colour swatches for the labels drawn (text is escaped)."""
    items = [f'<span style="color:{LABEL_COLOURS.get(lab, "#999999")}">●</span> '
             f"{html.escape(str(lab))}" for lab in labels]
    return " &nbsp; ".join(items) + " &nbsp; ◆ private committee data"


def display_rows(columns: list[str], rows: list[tuple]) -> pd.DataFrame:
    """Query rows as a frame; nodes, maps and lists become JSON text (shown, never rendered)."""
    def cell(v: object) -> object:
        return json.dumps(v, default=str) if isinstance(v, dict | list | tuple) else v

    return pd.DataFrame([[cell(v) for v in r] for r in rows], columns=columns)


def json_safe(df: pd.DataFrame) -> pd.DataFrame:
    """NaN in text columns becomes None, so the browser's JSON never carries a NaN."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out


def sources_frame(manifest: dict) -> pd.DataFrame:
    rows = [{"source": s.get("name"), "version": s.get("version"), "licence": s.get("licence"),
             "citation": s.get("citation"), "private": bool(s.get("private")),
             "files": "; ".join(f.get("path", "") for f in s.get("files", [])),
             "nodes": s.get("node_count"), "edges": s.get("edge_count")}
            for s in manifest.get("sources", [])]
    return pd.DataFrame(rows)


def fmt_p(value: object) -> str:
    """A p-value or statistic for text; 'not computable' instead of 'nan'."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "not computable"
    return "not computable" if v != v else f"{v:.3g}"
