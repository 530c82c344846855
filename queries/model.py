"""The EXNEX hierarchical model with its hyperparameters integrated on a grid (no MCMC).

Model (Neuenschwander et al. 2016, Pharm Stat 15:123; the JAGS model of the R package
bhmbasket): for histology j with r_j responders of n_j, logit(p_j) = θ_j and

* **EX** with prior probability w: θ_j ~ N(μ, τ²), μ ~ N(ex_mean, ex_sd²),
  τ ~ half-normal(tau_scale);
* **NEX** with probability 1 − w: θ_j ~ N(nex_mean, nex_sd²), independently per histology.

Why a grid: no maintained Python package fits EXNEX without MCMC, and every analysis refits
every group. Given (μ, τ) the histologies are independent, so the EX/NEX indicators sum out
exactly: p(data | μ, τ) = Π_j [w·m_EX,j(μ, τ) + (1 − w)·m_NEX,j], with m the binomial
likelihood integrated over θ_j. θ and μ share one logit grid (step 0.1, so τ → 0, complete
pooling, is exact on it); τ has a grid of its own. Integrals over θ given (μ, τ) are
convolutions of the likelihood with a discrete normal kernel (scipy.fft), so a group costs a
few FFTs. Against a 0.02-step grid with 150 τ points, on the imatinib sarcoma data and a few
extreme groups (0/1, 45/60 + 8/12, 200/724), means and SDs agree within 0.0006 and tail
probabilities within 0.003, except next to a threshold for a histology of several hundred
patients, whose posterior is narrower than the step (0.011 for 200/724 at 0.3). Every
posterior is a distribution on the grid: mean, SD, quantiles and tail probabilities are sums
over it, and the posterior predictive of a new histology (EX with the prior weight w,
otherwise NEX) is one too. Default priors (``Priors.default``) follow the paper's advice: NEX
and the EX predictive worth one patient around (p0 + p1)/2, τ ~ HN(1).

``exnex_posterior`` and ``predictive`` keep their old names and inputs; their outputs now
come from this integrated model (``Posterior.ex`` is the moment-matched Beta of the new
histology's predictive, kept for callers that store two numbers).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import fft
from scipy.special import betaincc, expit, log_expit, logit
from scipy.stats import halfnorm, norm

from queries import memo
from queries.simon import DRUP_MIN, DRUP_MIN1, DRUP_N, DRUP_N1, two_stage_success

PRIOR_EX = 0.5
STEP = 0.1
THETA = np.round(np.arange(-9.0, 9.0 + STEP / 2, STEP), 10)  # logit grid for θ and μ
RATE = expit(THETA)
#: τ grid in units of the half-normal scale (finer near 0, where homogeneous data put τ)
TAU_UNITS = np.array([0.0, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, 1.25, 1.5, 1.8, 2.2, 2.7, 3.3,
                      4.2])
_T = len(THETA)
_NFFT = fft.next_fast_len(2 * _T - 1, real=True)  # no wrap-around onto the lags kept
_LOG_P, _LOG_Q = log_expit(THETA), log_expit(-THETA)
_EDGES = np.concatenate([[THETA[0] - STEP / 2], THETA + STEP / 2])


@dataclass(frozen=True)
class Priors:
    """EX: μ ~ N(ex_mean, ex_sd²), τ ~ HN(tau_scale); NEX: θ ~ N(nex_mean, nex_sd²); P(EX) = w."""

    ex_mean: float
    ex_sd: float
    tau_scale: float
    nex_mean: float
    nex_sd: float
    w: float = PRIOR_EX

    @classmethod
    def default(cls, p0: float, p1: float, tau_scale: float = 1.0,
                w: float = PRIOR_EX) -> Priors:
        """One patient's worth of information around m = (p0 + p1)/2 (Neuenschwander et al.
        2016, sec. 2.3): NEX variance 1/(m(1 − m)); the EX mean's variance is that minus τ's
        scale², so that a new EX histology's prior is also worth about one patient."""
        m = (p0 + p1) / 2
        var = 1 / (m * (1 - m))
        return cls(float(logit(m)), float(np.sqrt(var - tau_scale**2)), tau_scale,
                   float(logit(m)), float(np.sqrt(var)), w)


@dataclass(frozen=True)
class GridDistribution:
    """A distribution of a response rate as masses on the logit grid ``THETA``."""

    mass: np.ndarray = field(repr=False)

    @property
    def mean(self) -> float:
        return float(self.mass @ RATE)

    @property
    def sd(self) -> float:
        return float(np.sqrt(max(self.mass @ RATE**2 - self.mean**2, 0.0)))

    def p_above(self, rate: float) -> float:
        return float(1 - _cdf(self.mass[None, :], rate)[0, 0])

    def quantile(self, q: float | np.ndarray) -> np.ndarray:
        return _quantiles(self.mass[None, :], np.atleast_1d(q))[0]


@dataclass(frozen=True)
class TwoStageDesign:
    """Stage 1 of n1, continue on ≥ min1 successes; declared active on ≥ min_total of n."""

    n1: int
    min1: int
    n: int
    min_total: int

    @classmethod
    def simon(cls, n1: int, r1: int, n: int, r: int) -> TwoStageDesign:
        """Simon's (r1/n1, r/n): stop when ≤ r1 of n1, active when > r of n."""
        return cls(n1, r1 + 1, n, r + 1)


DRUP = TwoStageDesign(DRUP_N1, DRUP_MIN1, DRUP_N, DRUP_MIN)


@dataclass(frozen=True)
class Success:
    """P(a new cohort succeeds) integrated over a predictive, and how sure that figure is.

    From ``success_of(posterior)``: ``low``/``high``/``sd`` are the 10% and 90% quantiles and
    the SD of P(success | μ, τ) over the posterior of the hyperparameters — what the data leave
    unknown about the group, narrowing as histologies accrue (the NEX half of a new
    histology's mixture is prior only, so the spread stays within w of the mean). From
    ``success_probability(dist)``: the probabilities at the distribution's 10%/90% rates."""

    prob: float
    low: float
    high: float
    sd: float


@dataclass(frozen=True)
class ExFit:
    """A Beta(a, b) summary of a group's new-histology predictive (two storable numbers)."""

    a: float
    b: float

    @property
    def mean(self) -> float:
        return self.a / (self.a + self.b)


@dataclass(frozen=True)
class Posterior:
    """Per-histology posteriors (arrays aligned with the input order) and the group's
    predictive for a new histology (``predictive``: EX/NEX mixture at the prior weight;
    ``predictive_ex``: its exchangeable part alone)."""

    mean: np.ndarray
    sd: np.ndarray
    q025: np.ndarray
    median: np.ndarray
    q975: np.ndarray
    p_above_p0: np.ndarray
    p_above_p1: np.ndarray
    p_below_p0: np.ndarray
    w_exchangeable: np.ndarray
    mass: np.ndarray = field(repr=False)
    predictive: GridDistribution
    predictive_ex: GridDistribution
    ex: ExFit
    hyper: np.ndarray = field(repr=False)  # posterior mass of (τ, μ) on (TAU_UNITS, THETA)
    priors: Priors

    def histology(self, j: int) -> GridDistribution:
        return GridDistribution(self.mass[j])


def fit(r: np.ndarray, n: np.ndarray, priors: Priors, p0: float, p1: float) -> Posterior:
    """The EXNEX posterior of histologies with r of n responders under ``priors``."""
    return fit_many([(r, n)], priors, p0, p1)[0]


_FITS: OrderedDict[tuple, Posterior] = OrderedDict()
_MAX_FITS = 4096
_STACK = 128
memo.also_clear(_FITS.clear)


def fit_many(groups: list[tuple[np.ndarray, np.ndarray]], priors: Priors, p0: float,
             p1: float) -> list[Posterior]:
    """:func:`fit` for several groups (r, n) at once: the FFTs of all their histologies run as
    one stack (numpy's per-call overhead, group by group, was most of the model's time). Every
    row is transformed on its own, so a group's posterior does not depend on its company.
    Cached per group: histology_posteriors fits each group once, gaps asks again."""
    keys = [(tuple(np.asarray(r, dtype=float)), tuple(np.asarray(n, dtype=float)), priors, p0,
             p1) for r, n in groups]
    todo = [k for k in dict.fromkeys(keys) if k not in _FITS]
    while todo:  # stacks of at most _STACK histologies (larger ones outgrow the CPU caches)
        size, end = 0, 0
        while end < len(todo) and (end == 0 or size + len(todo[end][0]) <= _STACK):
            size += len(todo[end][0])
            end += 1
        chunk, todo = todo[:end], todo[end:]
        fitted = _fit_stack([k[0] for k in chunk], [k[1] for k in chunk], priors, p0, p1)
        for key, post in zip(chunk, fitted, strict=True):
            _FITS[key] = post
    while len(_FITS) > _MAX_FITS:
        _FITS.popitem(last=False)
    return [_FITS[k] for k in keys]


def _fit_stack(rs: list[tuple], ns: list[tuple], priors: Priors, p0: float,
               p1: float) -> list[Posterior]:
    for r, n in zip(rs, ns, strict=True):
        k, size = np.array(r), np.array(n)
        if np.any(size < 0) or np.any(k < 0) or np.any(k > size):
            raise ValueError(f"responders must lie in 0..n: r={list(r)}, n={list(n)}")
    bounds = np.cumsum([0, *(len(r) for r in rs)])
    k = np.array([x for r in rs for x in r], dtype=float)
    size = np.array([x for n in ns for x in n], dtype=float)
    w = priors.w
    kernels = _kernels(priors.tau_scale)
    log_lik = k[:, None] * _LOG_P + (size - k)[:, None] * _LOG_Q
    lik = np.exp(log_lik - log_lik.max(axis=1, keepdims=True))      # (J, T), scaled per row
    nex = _nex_mass(priors.nex_mean, priors.nex_sd)
    m_ex = _convolve(_rfft(lik)[:, None, :] * kernels)               # (J, tau, mu)
    shares, posts, w_posts = [], [], []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):           # one group at a time
        m_nex = lik[a:b] @ nex                                       # (J,)
        both = np.maximum(w * m_ex[a:b] + (1 - w) * m_nex[:, None, None], 1e-300)
        log_post = _log_hyperprior(priors) + np.log(both).sum(axis=0)  # (tau, mu)
        post = np.exp(log_post - log_post.max())
        post /= post.sum()
        share = post / both                      # ∝ P(μ, τ | all data but histology j)
        w_posts.append((share * w * m_ex[a:b]).sum(axis=(1, 2)))
        shares.append(share)
        posts.append(post)
    share_all = np.concatenate(shares) if shares else np.zeros((0, *m_ex.shape[1:]))
    spread = _convolve((_rfft(share_all) * kernels).sum(axis=1))     # (J, T)
    pred_ex_all = _convolve((_rfft(np.stack(posts)) * kernels).sum(axis=1))  # (groups, T)
    out = []
    for g, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        share = shares[g]
        mass = lik[a:b] * (w * spread[a:b] + (1 - w) * nex * share.sum(axis=(1, 2))[:, None])
        mass = _normalise(mass)
        pred_ex = _normalise(pred_ex_all[g])
        pred = GridDistribution(w * pred_ex + (1 - w) * nex)
        q = _quantiles(mass, np.array([0.025, 0.5, 0.975]))
        mean = mass @ RATE
        above = 1 - _cdf(mass, np.array([p0, p1]))
        arrays = {"mean": mean, "sd": np.sqrt(np.maximum(mass @ RATE**2 - mean**2, 0)),
                  "q025": q[:, 0], "median": q[:, 1], "q975": q[:, 2],
                  "p_above_p0": above[:, 0], "p_above_p1": above[:, 1],
                  "p_below_p0": 1 - above[:, 0], "w_exchangeable": w_posts[g], "mass": mass}
        for x in (*arrays.values(), pred.mass, pred_ex, posts[g]):
            x.flags.writeable = False  # the result is cached and shared
        out.append(Posterior(**arrays, predictive=pred, predictive_ex=GridDistribution(pred_ex),
                             ex=_beta_summary(pred), hyper=posts[g], priors=priors))
    return out


def exnex_posterior(r: np.ndarray, n: np.ndarray, p0: float, p1: float,
                    prior_ex: float = PRIOR_EX) -> Posterior:
    """The integrated EXNEX posterior under ``Priors.default(p0, p1)`` with P(EX) = prior_ex."""
    return fit(r, n, Priors.default(p0, p1, w=prior_ex), p0, p1)


def exnex_posteriors(groups: list[tuple[np.ndarray, np.ndarray]], p0: float, p1: float,
                     prior_ex: float = PRIOR_EX) -> list[Posterior]:
    """:func:`exnex_posterior` of several groups (r, n), fitted together (:func:`fit_many`)."""
    return fit_many(groups, Priors.default(p0, p1, w=prior_ex), p0, p1)


def predictive(ex: ExFit | GridDistribution, p0: float) -> tuple[float, float]:
    """Predictive mean rate of a new histology and P(rate > p0): exact for a grid
    predictive (``Posterior.predictive``), the Beta summary's otherwise."""
    if isinstance(ex, GridDistribution):
        return ex.mean, ex.p_above(p0)
    return ex.mean, float(betaincc(ex.a, ex.b, p0))


def success_probability(dist: GridDistribution, design: TwoStageDesign = DRUP) -> Success:
    """P(a cohort run under ``design`` succeeds) with its rate drawn from ``dist``: the
    beta-binomial-like sum over the rate grid of the design's per-rate success probability."""
    per_rate = _per_rate_success(design)
    prob = float(dist.mass @ per_rate)
    low, high = np.interp(dist.quantile(np.array([0.1, 0.9])), RATE, per_rate)
    sd = float(np.sqrt(max(dist.mass @ per_rate**2 - prob**2, 0.0)))
    return Success(prob, float(low), float(high), sd)


def success_of(post: Posterior, design: TwoStageDesign = DRUP) -> Success:
    """P(a new histology's cohort succeeds under ``design``), integrated over the group's
    predictive (``prob``), with its uncertainty over the hyperparameters (``Success``).

    Given (μ, τ) a new histology's rate is EX, N(μ, τ²) on the logit scale, with the prior
    weight w, else NEX; its success probability is the per-rate one averaged over that mixture
    (a convolution of the per-rate curve with the τ kernel). Weighted by the posterior of
    (μ, τ) its mean is ``prob``, equal to ``success_probability(post.predictive)``."""
    given = _success_given_hyper(design, post.priors)
    mass = post.hyper.ravel()
    prob = float(mass @ given)
    order = np.argsort(given)
    cum = np.cumsum(mass[order])
    low, high = np.interp([0.1, 0.9], cum - mass[order] / 2, given[order])
    sd = float(np.sqrt(max(mass @ given**2 - prob**2, 0.0)))
    return Success(prob, float(low), float(high), sd)


@lru_cache(maxsize=64)
def _success_given_hyper(design: TwoStageDesign, priors: Priors) -> np.ndarray:
    """P(success | μ, τ) of a new histology per (τ, μ) cell, flattened (see ``success_of``)."""
    per_rate = _per_rate_success(design)
    given_ex = _convolve(_rfft(per_rate) * _kernels(priors.tau_scale))[0]        # (tau, mu)
    nex = _nex_mass(priors.nex_mean, priors.nex_sd) @ per_rate
    out = (priors.w * given_ex + (1 - priors.w) * nex).ravel()
    out.flags.writeable = False
    return out


@lru_cache(maxsize=64)
def _per_rate_success(design: TwoStageDesign) -> np.ndarray:
    out = two_stage_success(RATE, design.n1, design.min1, design.n, design.min_total)
    out.flags.writeable = False
    return out


@lru_cache(maxsize=16)
def _kernels(tau_scale: float) -> np.ndarray:
    """FFTs of the discrete normal kernels N(0, τ²) on the grid's offsets, one per τ."""
    offsets = np.arange(-(_T - 1), _T) * STEP
    out = np.zeros((len(TAU_UNITS), _NFFT))
    for i, tau in enumerate(TAU_UNITS * tau_scale):
        if tau < STEP / 4:
            out[i, _T - 1] = 1.0       # narrower than the grid: all mass on the same point
        else:
            kern = np.exp(-0.5 * (offsets / tau) ** 2)
            out[i, :len(offsets)] = kern / kern.sum()
    return fft.rfft(out)[None, :, :]


def _rfft(values: np.ndarray) -> np.ndarray:
    """FFT of the grid values zero-padded to the convolution length (padded here: scipy's
    own padding of a stack of short rows cost 6x the transform)."""
    buf = np.zeros((*values.shape[:-1], _NFFT))
    buf[..., :_T] = values
    return fft.rfft(buf)


def _convolve(spectrum: np.ndarray) -> np.ndarray:
    """Back from the FFT, keeping the lags that land on the grid; float noise clipped at 0."""
    return np.maximum(fft.irfft(spectrum, _NFFT)[..., _T - 1:2 * _T - 1], 0.0)


@lru_cache(maxsize=16)
def _log_hyperprior(priors: Priors) -> np.ndarray:
    """log prior mass of each (τ, μ) grid cell: normal μ, half-normal τ (trapezoid in τ)."""
    tau = TAU_UNITS * priors.tau_scale
    width = np.gradient(tau)
    width[[0, -1]] /= 2 if len(tau) > 1 else 1
    log_tau = halfnorm.logpdf(tau, scale=priors.tau_scale) + np.log(width)
    log_mu = norm.logpdf(THETA, priors.ex_mean, priors.ex_sd)
    return log_tau[:, None] + log_mu[None, :]


@lru_cache(maxsize=16)
def _nex_mass(mean: float, sd: float) -> np.ndarray:
    return _normalise(norm.pdf(THETA, mean, sd))


def _normalise(mass: np.ndarray) -> np.ndarray:
    return mass / mass.sum(axis=-1, keepdims=True)


def _cumulative(mass: np.ndarray) -> np.ndarray:
    """P(θ ≤ cell edge) per row, each grid mass spread evenly over its cell."""
    out = np.zeros((len(mass), _T + 1))
    np.cumsum(mass, axis=1, out=out[:, 1:])
    return out


def _cdf(mass: np.ndarray, rates: float | np.ndarray) -> np.ndarray:
    """P(rate ≤ x) per row: the cell-wise linear interpolation of ``_cumulative``."""
    cum = _cumulative(mass)
    x = np.clip(logit(np.atleast_1d(rates)), _EDGES[0], _EDGES[-1])
    pos = (x - _EDGES[0]) / STEP
    i = np.minimum(pos.astype(int), _T - 1)
    return cum[:, i] + (pos - i) * mass[:, i]


def _quantiles(mass: np.ndarray, qs: np.ndarray) -> np.ndarray:
    return expit(np.array([np.interp(qs, c, _EDGES) for c in _cumulative(mass)]))


def _beta_summary(dist: GridDistribution) -> ExFit:
    m, v = dist.mean, dist.sd**2
    s = m * (1 - m) / v - 1
    return ExFit(m * s, (1 - m) * s)
