"""Simon two-stage designs (exact binomial search) and the DRUP-like 8 → 24 rule.

Simon (1989, Control Clin Trials 10:1-10): stage 1 treats n1 patients and stops for futility
when at most r1 respond; otherwise n patients in total are treated and the drug is rejected when
at most r respond. Among designs with type I error ≤ alpha at p0 and power ≥ 1 − beta at p1,
*optimal* minimises the expected sample size under p0 and *minimax* the maximum n (ties broken
by expected size). The search is exhaustive over n ≤ ``n_max``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np
from scipy.stats import binom

from queries.params import check_thresholds

#: DRUP-like rule: stage 1 of 8; expand to 24 when at least 1 of 8 benefits; success when at
#: least 5 of 24 benefit.
DRUP_N1, DRUP_MIN1, DRUP_N, DRUP_MIN = 8, 1, 24, 5


@dataclass(frozen=True)
class SimonDesign:
    kind: str
    r1: int
    n1: int
    r: int
    n: int
    en0: float
    pet0: float
    alpha: float
    power: float

    def as_text(self) -> str:
        return (f"{self.kind}: stop if <= {self.r1}/{self.n1}; success if > {self.r}/{self.n} "
                f"(EN0 {self.en0:.1f}, alpha {self.alpha:.3f}, power {self.power:.3f})")

    def as_dict(self) -> dict:
        return asdict(self)


class _Tails:
    """Binomial pmfs and upper tails P(X > k) for every size up to n_max, padded so that any
    integer k indexes them (k < 0 gives 1, k >= m gives 0): the search then needs no scipy call
    in its inner loop."""

    def __init__(self, p: float, n_max: int):
        self.pad = n_max + 1
        self.pmf = [binom.pmf(np.arange(m + 1), m, p) for m in range(n_max + 1)]
        self.sf = []
        for m in range(n_max + 1):
            tail = binom.sf(np.arange(m + 1), m, p)
            self.sf.append(np.concatenate([np.ones(self.pad), tail, np.zeros(2 * self.pad)]))

    def reject(self, n1: int, r1: int, n2: int) -> np.ndarray:
        """P(X1 > r1 and X1 + X2 > r) for every r in 0..n1+n2."""
        x1 = np.arange(r1 + 1, n1 + 1)
        rs = np.arange(n1 + n2 + 1)
        idx = rs[None, :] - x1[:, None] + self.pad
        return self.pmf[n1][r1 + 1:] @ self.sf[n2][idx]


@lru_cache(maxsize=64)
def simon_designs(p0: float, p1: float, alpha: float = 0.05, beta: float = 0.20,
                  n_max: int = 100) -> dict[str, SimonDesign]:
    """The optimal and minimax designs; raises ValueError when none exists up to n_max.

    For a fixed stage 1 (n1, r1) both the expected size under p0 and the maximum size grow
    with the stage-2 size, so only the smallest valid stage 2 needs keeping: the scan over
    n2 stops there."""
    check_thresholds(p0, p1)
    t0, t1 = _Tails(p0, n_max), _Tails(p1, n_max)
    best: dict[str, SimonDesign | None] = {"optimal": None, "minimax": None}
    for n1 in range(1, n_max):
        cdf0 = np.cumsum(t0.pmf[n1])
        cdf1 = np.cumsum(t1.pmf[n1])
        for r1 in range(0, n1):
            if 1 - cdf1[r1] < 1 - beta:  # stage 1 alone already costs too much power
                break
            pet0 = float(cdf0[r1])
            for n2 in range(1, n_max - n1 + 1):
                rej0, rej1 = t0.reject(n1, r1, n2), t1.reject(n1, r1, n2)
                ok = np.nonzero((rej0 <= alpha) & (rej1 >= 1 - beta))[0]
                ok = ok[ok >= r1]
                if not len(ok):
                    continue
                r = int(ok.min())
                d = SimonDesign("", r1, n1, r, n1 + n2, n1 + (1 - pet0) * n2, pet0,
                                float(rej0[r]), float(rej1[r]))
                cur = best["optimal"]
                if cur is None or (round(d.en0, 9), d.n) < (round(cur.en0, 9), cur.n):
                    best["optimal"] = d
                cur = best["minimax"]
                if cur is None or (d.n, round(d.en0, 9)) < (cur.n, round(cur.en0, 9)):
                    best["minimax"] = d
                break
    if best["optimal"] is None or best["minimax"] is None:
        raise ValueError(f"no Simon design with n <= {n_max} for p0={p0}, p1={p1}, "
                         f"alpha={alpha}, beta={beta}")
    return {k: SimonDesign(k, *list(asdict(v).values())[1:]) for k, v in best.items()}


def two_stage_success(p: float | np.ndarray, n1: int = DRUP_N1, min1: int = DRUP_MIN1,
                      n: int = DRUP_N, min_total: int = DRUP_MIN) -> float | np.ndarray:
    """P(declared active) under a two-stage rule: ≥ min1 of n1 then ≥ min_total of n.

    ``p`` may be an array of true rates (one answer each, in one vectorised call)."""
    rates = np.asarray(p, dtype=float)
    x1 = np.arange(min1, n1 + 1)
    pm1 = binom.pmf(x1, n1, rates[..., None])
    tail = binom.sf(min_total - x1 - 1, n - n1, rates[..., None])
    success = (pm1 * tail).sum(axis=-1)
    return float(success) if success.ndim == 0 else success


def drup_rule_characteristics(p0: float, p1: float) -> dict:
    """Type I error, power, stage-1 stop probabilities and expected size of the 8 → 24 rule."""
    check_thresholds(p0, p1)
    pet0 = float(binom.pmf(0, DRUP_N1, p0))
    return {
        "rule": f">= {DRUP_MIN1}/{DRUP_N1} then >= {DRUP_MIN}/{DRUP_N}",
        "type_i_error": two_stage_success(p0),
        "power": two_stage_success(p1),
        "pet0": pet0,
        "pet1": float(binom.pmf(0, DRUP_N1, p1)),
        "en0": DRUP_N1 + (1 - pet0) * (DRUP_N - DRUP_N1),
    }


def patients_to_decide(n: int, k: int) -> dict:
    """Where a (pooled) cohort with n evaluable patients and k successes stands under 8 → 24.

    The order of patients in a pooled cohort is unknown, so the rule is applied to totals:
    stage 1 is passed once k ≥ 1 (or failed once n ≥ 8 with k = 0); the final verdict is known
    early when k ≥ 5 (success) or when even all remaining patients up to 24 could not reach 5.
    ``needed`` is how many more evaluable patients the next decision needs (0 = decided)."""
    if n >= DRUP_N1 and k < DRUP_MIN1:
        return {"state": "stopped at stage 1 (0 of >= 8)", "needed": 0, "decided": True}
    if k >= DRUP_MIN:
        return {"state": "success (>= 5 with benefit)", "needed": 0, "decided": True}
    if k + max(0, DRUP_N - n) < DRUP_MIN:
        return {"state": "cannot reach 5 of 24", "needed": 0, "decided": True}
    if k < DRUP_MIN1:
        return {"state": "stage 1 open", "needed": DRUP_N1 - n, "decided": False}
    return {"state": "stage 2 open", "needed": max(0, DRUP_N - n), "decided": False}
