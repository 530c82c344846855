"""The integrated EXNEX model (queries.model) against a published analysis and its properties."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import betaln, comb
from scipy.stats import binom, norm

from queries.model import (
    DRUP,
    RATE,
    TAU_UNITS,
    THETA,
    GridDistribution,
    Priors,
    TwoStageDesign,
    exnex_posterior,
    fit,
    success_of,
    success_probability,
)
from queries.simon import two_stage_success

# Chugh et al. 2009 (J Clin Oncol 27:3148), imatinib in 10 sarcoma subtypes, as entered in the
# bhmbasket vignette "Reproducing Parts of Neuenschwander et al. (2016)" (CRAN package
# bhmbasket 1.1.0, github.com/cran/bhmbasket commit 100b1f28ea158dee22933106655c4ee8dc69f513,
# vignettes/reproduceExNex.Rmd, createTrial(...)).
CHUGH_N = np.array([15, 13, 12, 28, 29, 29, 26, 5, 2, 20])
CHUGH_R = np.array([2, 0, 1, 6, 7, 3, 5, 1, 0, 3])
# Priors of Neuenschwander et al. 2016 (Pharm Stat 15:123), Appendix 5.3, as set in the same
# vignette: mu_mean = -1.735 with precision 0.146 (the second EX component has weight 0),
# tau ~ half-normal(1), NEX mean -1.734 with precision 0.128, w = 0.5.
CHUGH_PRIORS = Priors(ex_mean=-1.735, ex_sd=0.146**-0.5, tau_scale=1.0, nex_mean=-1.734,
                      nex_sd=0.128**-0.5, w=0.5)
# getEstimates(chugh_analysis) as printed in inst/doc/reproduceExNex.html at that commit
# (JAGS, 5e4 MCMC iterations, seed 123; the vignette says these equal the paper's Appendix 5.3
# to the second decimal): posterior mean and SD of each subtype's response rate.
PUBLISHED_MEAN = [0.15077467, 0.05287414, 0.12699904, 0.18849350, 0.20512931, 0.13140558,
                  0.17669509, 0.17857554, 0.13019866, 0.15732452]
PUBLISHED_SD = [0.06293024, 0.05895604, 0.06781268, 0.06009882, 0.06550208, 0.05094556,
                0.05732098, 0.10398925, 0.11375943, 0.05807734]
# Monte Carlo tolerance: an MCMC mean carries an error of about sd / sqrt(ESS); with SDs up to
# 0.114 and an effective sample size of a few thousand draws that is ~0.002, so 0.003 absolute.
MC_TOL = 0.003


def test_imatinib_sarcoma_matches_published_exnex():
    post = fit(CHUGH_R, CHUGH_N, CHUGH_PRIORS, 0.1, 0.3)
    assert post.mean == pytest.approx(PUBLISHED_MEAN, abs=MC_TOL)
    assert post.sd == pytest.approx(PUBLISHED_SD, abs=MC_TOL)


@pytest.mark.parametrize("j", [0, 1, 2])
def test_more_responders_never_lower_the_histology_posterior(j):
    """Own posterior only: the others' may fall as histology j turns into an outlier, since
    EXNEX then moves it to NEX and they borrow less from it (the model's robustness)."""
    n = np.array([20, 25, 15])
    base = np.array([3, 5, 2])
    means, above = [], []
    for rj in range(n[j] + 1):
        r = base.copy()
        r[j] = rj
        post = exnex_posterior(r, n, 0.1, 0.3)
        means.append(post.mean[j])
        above.append(post.p_above_p0[j])
    assert np.all(np.diff(means) > 0)
    assert np.all(np.diff(above) >= -1e-12)
    assert means[-1] > means[0] + 0.3


def test_one_histology_has_a_wider_predictive_than_five_with_the_same_rate():
    one = exnex_posterior(np.array([6]), np.array([30]), 0.1, 0.3)
    five = exnex_posterior(np.full(5, 6), np.full(5, 30), 0.1, 0.3)
    for a, b in ((one.predictive, five.predictive), (one.predictive_ex, five.predictive_ex)):
        assert a.sd > b.sd
        lo_a, hi_a = a.quantile(np.array([0.1, 0.9]))
        lo_b, hi_b = b.quantile(np.array([0.1, 0.9]))
        assert hi_a - lo_a > hi_b - lo_b
    # five concordant histologies at 6/30 = 0.2 put the exchangeable predictive near 0.2
    assert five.predictive_ex.mean == pytest.approx(0.2, abs=0.02)


def test_success_over_a_wide_predictive_is_below_success_at_its_mean():
    # ALK inhibitor -> melanoma-like: two active histologies (NSCLC-like 45/60, ALCL-like 8/12)
    post = exnex_posterior(np.array([45, 8]), np.array([60, 12]), 0.1, 0.3)
    pred = post.predictive_ex
    at_mean = two_stage_success(pred.mean)
    integrated = success_probability(pred, DRUP)
    assert at_mean > 0.99
    assert integrated.prob < at_mean - 0.02
    assert integrated.low < integrated.prob < integrated.high


@pytest.mark.parametrize("design", [DRUP, TwoStageDesign.simon(1, 10, 5, 29)])
def test_success_probability_equals_the_beta_binomial_sum(design):
    """For a Beta(a, b) rate the success probability has a closed form: sum over stage-1
    counts x1 >= min1 and stage-2 counts x2 >= min_total - x1 of
    C(n1, x1) C(n2, x2) B(a + x1 + x2, b + n - x1 - x2) / B(a, b)."""
    a, b = 2.0, 6.0
    dens = np.exp((a - 1) * np.log(RATE) + (b - 1) * np.log1p(-RATE) - betaln(a, b))
    mass = dens * RATE * (1 - RATE)          # density on the logit scale
    dist = GridDistribution(mass / mass.sum())
    n2 = design.n - design.n1
    exact = sum(comb(design.n1, x1) * comb(n2, x2)
                * np.exp(betaln(a + x1 + x2, b + design.n - x1 - x2) - betaln(a, b))
                for x1 in range(design.min1, design.n1 + 1)
                for x2 in range(max(design.min_total - x1, 0), n2 + 1))
    assert success_probability(dist, design).prob == pytest.approx(exact, abs=1e-4)


def test_an_outlying_histology_leans_on_its_own_data():
    post = exnex_posterior(np.array([22, 15, 1]), np.array([40, 35, 30]), 0.1, 0.3)
    assert post.p_above_p1[0] > 0.9          # melanoma-like 22/40
    assert post.p_below_p0[2] > 0.8          # colorectal-like 1/30: likely below p0
    assert post.w_exchangeable[2] < 0.5      # the outlier is more likely NEX
    assert np.all((post.q025 < post.median) & (post.median < post.q975))


def test_counts_outside_0_to_n_are_refused():
    with pytest.raises(ValueError, match="responders must lie in 0..n"):
        exnex_posterior(np.array([5]), np.array([3]), 0.1, 0.3)


def test_success_uncertainty_is_over_the_hyperparameters_and_narrows_with_histologies():
    """P(success | μ, τ) recomputed independently for each grid cell — a new histology's
    rate is EX N(μ, τ²) with weight 1/2, else NEX — with scipy's binomial for the 8 → 24 rule;
    its posterior mean is the integrated success probability. One histology of 12/30 leaves
    μ and τ loose; five of 12/30 pin them, so the 10-90% band is several times narrower."""
    def rule(p):  # >= 1 of 8, then >= 5 of 24
        return sum(binom.pmf(x1, 8, p) * binom.sf(4 - x1, 16, p) for x1 in range(1, 9))

    one = exnex_posterior(np.array([12]), np.array([30]), 0.1, 0.3)
    pri = one.priors
    nex = norm.pdf(THETA, pri.nex_mean, pri.nex_sd)
    per_rate = rule(RATE)
    by_cell = np.zeros(one.hyper.shape)
    for i, tau in enumerate(TAU_UNITS * pri.tau_scale):
        for j, mu in enumerate(THETA):
            if one.hyper[i, j] < 1e-9:
                continue
            ex = (np.exp(-0.5 * ((THETA - mu) / tau) ** 2) if tau > 0.025
                  else (mu == THETA).astype(float))
            by_cell[i, j] = (0.5 * ex / ex.sum() + 0.5 * nex / nex.sum()) @ per_rate
    s_one = success_of(one, DRUP)
    assert s_one.prob == pytest.approx(float((one.hyper * by_cell).sum()), abs=2e-3)
    s_five = success_of(exnex_posterior(np.full(5, 12), np.full(5, 30), 0.1, 0.3), DRUP)
    assert s_one.low < s_one.prob < s_one.high
    assert (s_one.high - s_one.low) > 3 * (s_five.high - s_five.low)
