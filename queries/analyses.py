"""The analyses, their parameters and defaults, in one registry.

Read by the CLI (``kg query <name>`` options), the UI (parameter widgets) and the README's
analysis table (``python -m queries.analyses``), so a default is stated once. ``run`` passes an
analysis only the parameters its function takes (read from its signature).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from kg.artefact import Artefact
from queries.params import (
    ALTERATION_LEVELS,
    ENDPOINTS,
    TREATMENT_LEVELS,
    TUMOUR_LEVELS,
    Thresholds,
    check_choice,
)

_T = Thresholds()


@dataclass(frozen=True)
class Param:
    name: str
    default: object
    help: str
    choices: tuple[str, ...] = ()

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")


PARAMS: dict[str, Param] = {p.name: p for p in (
    Param("endpoint", "response", "response (objective response) or benefit (clinical "
          "benefit as each report defines it).", ENDPOINTS),
    Param("alteration_level", "codon", "Alteration hierarchy level groups are formed at.",
          ALTERATION_LEVELS),
    Param("tumour_level", "main_type", "OncoTree level histologies are compared at (or a depth "
          "0-7).", TUMOUR_LEVELS),
    Param("treatment_level", "drug_class", "How treatments are grouped.", TREATMENT_LEVELS),
    Param("p0", _T.p0, "Uninteresting rate."),
    Param("p1", _T.p1, "Target rate."),
    Param("prob", _T.prob, "Posterior probability that counts as 'likely'."),
    Param("k", _T.k, "Main tumour types with activity a tumour-agnostic signal needs."),
    Param("min_n", _T.min_n, "Evaluable patients before a histology is judged."),
    Param("alpha", _T.alpha, "Type I error of the Simon designs."),
    Param("beta", _T.beta, "Type II error of the Simon designs."),
    Param("pfs_months", 6.0, "Median PFS (months) a durable benefit needs."),
)}
THRESHOLD_NAMES = ("p0", "p1", "prob", "k", "min_n", "alpha", "beta")
MODEL_PARAMS = ("endpoint", "alteration_level", "tumour_level", "treatment_level", *
                THRESHOLD_NAMES[:5])


@dataclass(frozen=True)
class Analysis:
    name: str
    function: str  # module.function in queries/
    title: str
    summary: str  # what it answers (README)
    params: tuple[str, ...]
    columns: tuple[str, ...]  # default terminal columns (fit 100 columns)

    def load(self) -> Callable[..., pd.DataFrame]:
        module, fn = self.function.rsplit(".", 1)
        return getattr(importlib.import_module(module), fn)

    def defaults(self) -> dict[str, object]:
        return {p: PARAMS[p].default for p in self.params}

    def run(self, art: Artefact, as_of: int | None = None, include_private: bool = True,
            **values: object) -> pd.DataFrame:
        """Call the analysis with its defaults overridden by ``values``."""
        fn = self.load()
        accepted = inspect.signature(fn).parameters
        given = self.defaults() | {k: v for k, v in values.items() if v is not None}
        for name, value in given.items():
            if PARAMS[name].choices and name != "tumour_level":
                check_choice(name.replace("_", " "), str(value), PARAMS[name].choices)
        kwargs: dict[str, object] = {"as_of": as_of, "include_private": include_private}
        if "thresholds" in accepted:
            kwargs["thresholds"] = Thresholds(**{n: given.get(n, getattr(_T, n))
                                                 for n in THRESHOLD_NAMES})
        kwargs |= {k: v for k, v in given.items() if k in accepted}
        return fn(art, **{k: v for k, v in kwargs.items() if k in accepted})


ANALYSES: dict[str, Analysis] = {a.name: a for a in (
    Analysis("cohort_outcomes", "queries.outcomes.cohort_outcomes", "Cohort outcomes",
             "ORR/CBR per cohort with exact (Clopper–Pearson) 95% CIs", (),
             ("trial_name", "arm", "alteration_name", "tumour_type_name", "n_response",
              "n_evaluable", "orr", "orr_low", "orr_high")),
    Analysis("group_outcomes", "queries.outcomes.group_outcomes", "Group outcomes",
             "ORR/CBR rolled up per treatment × alteration level × OncoTree level (was "
             "`cohort_outcomes --rollup`)",
             ("alteration_level", "tumour_level", "treatment_level"),
             ("treatment_group", "alteration_group_name", "histology_name", "orr_k", "orr_n",
              "orr", "orr_low", "orr_high")),
    Analysis("tumour_agnostic", "queries.agnostic.tumour_agnostic",
             "Groups ranked as tumour-agnostic signals",
             "groups labelled agnostic / histology-dependent / inactive / insufficient data, "
             "with pooled exact CI, exact heterogeneity test, I² and supporting result ids",
             MODEL_PARAMS,
             ("rank", "label", "treatment_group", "alteration_group_name", "n_types_active",
              "k", "n", "pooled_rate", "pooled_low", "pooled_high", "het_exact_p")),
    Analysis("histology_posteriors", "queries.agnostic.histology_posteriors",
             "Per group and histology: counts, exact CI and the EXNEX-like posterior",
             "per group and histology: counts, exact CI, hierarchical-model (EXNEX-like) posterior",
             MODEL_PARAMS,
             ("treatment_group", "alteration_group_name", "histology_name", "k", "n", "rate",
              "low", "high", "post_mean", "p_above_p1")),
    Analysis("histology_dependence", "queries.agnostic.histology_dependence",
             "Groups where tissue context matters (share beside DRUP's 23.5%)",
             "where tissue context matters (histologies above p1, weaker ones), our share "
             "beside DRUP's 23.5%", MODEL_PARAMS,
             ("treatment_group", "alteration_group_name", "strongest_histology",
              "weakest_histology", "het_exact_p", "i2")),
    Analysis("gaps", "queries.gaps.gaps", "Untested, planned and inconclusive triples",
             "untested, planned or inconclusive (treatment, alteration, tumour type) triples "
             "with support", MODEL_PARAMS,
             ("status", "treatment_group", "alteration_group_name", "histology_name",
              "n_supporting", "pred_response", "evidence_tier")),
    Analysis("candidate_cohorts", "queries.gaps.candidate_cohorts",
             "Candidate new cohorts with rationale and Simon designs",
             "candidates ranked, each with its rationale rows, Simon optimal and minimax "
             "designs and the 8 → 24 rule's type I error and power",
             (*MODEL_PARAMS, "alpha", "beta"),
             ("rank", "treatment_group", "alteration_group_name", "histology_name",
              "success_prob", "success_low", "success_high", "support_histologies",
              "evidence_tier", "flag")),
    Analysis("durability", "queries.durability.durability", "Durability",
             "cohorts that met a 16-week benefit endpoint without median PFS ≥ 6 months",
             ("pfs_months", "p0", "p1"),
             ("trial_name", "arm", "tumour_type_name", "n_benefit", "n_evaluable", "cbr",
              "median_pfs_months", "pfs_status")),
)}

#: Default columns of outputs that are not in the registry's generic form.
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    "pooled": ("trial_name", "arm", "regimen_name", "alteration_match", "tumour_type", "k", "n",
               "rate", "low", "high", "pooled", "flags"),
    "evidence": ("kind", "alteration_name", "regimen_name", "tumour_type_name", "tier",
                 "year", "n_response", "n_evaluable", "outcome"),
}


def default_columns(name: str) -> tuple[str, ...]:
    if name in ANALYSES:
        return ANALYSES[name].columns
    return EXTRA_COLUMNS.get(name, ())


#: Commands with their own options (ui/commands/query.py), listed after the registry's rows.
OTHER_COMMANDS = (
    ("pooled", "every contributing cohort from every trial with counts and source, pooled exact "
     "CI, between-trial heterogeneity, patients still needed under 8 → 24",
     "`--drug`/`--regimen`/`--drug-class`, `--alteration`, `--tumour-type TISSUE` (every "
     "tumour type), `--endpoint response`"),
    ("simon", "Simon two-stage designs and the 8 → 24 rule's operating characteristics",
     "`--p0 0.1`, `--p1 0.3`, `--alpha 0.05`, `--beta 0.2`"),
)
README_START, README_END = "<!-- analyses:start -->", "<!-- analyses:end -->"


def readme_table() -> str:
    """The README's table of analyses and their options with defaults (between the markers
    README_START and README_END; regenerate with ``python -m queries.analyses``)."""
    lines = ["| analysis | what it answers | options (default) |", "|---|---|---|"]
    for a in ANALYSES.values():
        opts = ", ".join(f"`{PARAMS[p].option} {PARAMS[p].default}`" for p in a.params) or "–"
        lines.append(f"| `{a.name}` | {a.summary} | {opts} |")
    lines += [f"| `{name}` | {summary} | {opts} |" for name, summary, opts in OTHER_COMMANDS]
    return "\n".join(lines)


def update_readme(path: str = "README.md") -> None:
    """Rewrite the table between the README's markers."""
    from pathlib import Path

    text = Path(path).read_text()
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    Path(path).write_text(f"{head}{README_START}\n{readme_table()}\n{README_END}{tail}")


if __name__ == "__main__":
    update_readme()
