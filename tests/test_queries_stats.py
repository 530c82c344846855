"""Statistical building blocks against hand-computed and published values."""

from __future__ import annotations

import math
from math import comb

import numpy as np
import pytest

from queries.estimates import (
    _exact_2xk,
    _monte_carlo_2xk,
    clopper_pearson,
    heterogeneity_exact,
    i_squared,
)
from queries.params import QueryParameterError, Thresholds
from queries.simon import (
    drup_rule_characteristics,
    patients_to_decide,
    simon_designs,
    two_stage_success,
)


def test_clopper_pearson_closed_forms_and_table_values():
    # r = 0 and r = n have closed forms: 1 - (alpha/2)^(1/n) and (alpha/2)^(1/n)
    assert clopper_pearson(0, 10) == pytest.approx((0.0, 1 - 0.025 ** (1 / 10)), abs=1e-9)
    assert clopper_pearson(10, 10) == pytest.approx((0.025 ** (1 / 10), 1.0), abs=1e-9)
    assert clopper_pearson(0, 10)[1] == pytest.approx(0.3085, abs=1e-4)
    # textbook values: 5/10 -> 0.1871-0.8129; 8/19 -> 0.2025-0.6650 (exact binomial tables)
    assert clopper_pearson(5, 10) == pytest.approx((0.1871, 0.8129), abs=1e-4)
    assert clopper_pearson(8, 19) == pytest.approx((0.2025, 0.6650), abs=1e-4)
    assert all(math.isnan(x) for x in clopper_pearson(0, 0))


def test_exact_heterogeneity_matches_fisher_for_two_groups_and_hand_enumeration():
    # 0/10 vs 8/19: two-sided Fisher p = sum of hypergeometric tables no likelier than observed
    p = heterogeneity_exact([0, 8], [10, 19])
    total, r = 29, 8
    probs = [comb(10, x) * comb(19, r - x) / comb(total, r) for x in range(0, 9)]
    assert p == pytest.approx(sum(q for q in probs if q <= probs[0] * (1 + 1e-7)), rel=1e-9)
    # three equal groups: the observed table is the likeliest -> p = 1
    assert heterogeneity_exact([2, 2, 2], [5, 5, 5]) == pytest.approx(1.0)
    # 3 groups by hand: enumerate all (a, b, c) with a + b + c = 3, each of 3 patients
    n, obs = [3, 3, 3], (3, 0, 0)
    tables = [(a, b, 3 - a - b) for a in range(4) for b in range(4 - a) if 3 - a - b <= 3]
    pr = {t: comb(3, t[0]) * comb(3, t[1]) * comb(3, t[2]) / comb(9, 3) for t in tables}
    expected = sum(v for v in pr.values() if v <= pr[obs] * (1 + 1e-7))
    assert heterogeneity_exact(list(obs), n) == pytest.approx(expected)
    assert math.isnan(heterogeneity_exact([3], [10]))
    assert math.isnan(heterogeneity_exact([0, 0], [5, 6]))


@pytest.mark.parametrize("r, n", [([1, 6, 2, 0, 4], [10, 14, 9, 8, 12]),
                                  ([3, 9, 2, 5], [20, 25, 18, 30])])
def test_monte_carlo_fallback_estimates_the_exact_p(r, n):
    """The fallback used for large tables agrees with full enumeration where both can run
    (20,000 draws: standard error below 0.004 at these p-values), and is deterministic."""
    r_arr, n_arr = np.array(r), np.array(n)
    exact = _exact_2xk(r_arr, n_arr)
    estimate = _monte_carlo_2xk(r_arr, n_arr)
    assert exact is not None
    assert abs(estimate - exact) < 0.012
    assert estimate == _monte_carlo_2xk(r_arr, n_arr)


def test_i_squared_zero_for_identical_rates_and_high_for_opposed():
    assert i_squared([10, 10, 10], [30, 30, 30])[0] == pytest.approx(0.0)
    i2, tau2 = i_squared([2, 30], [40, 40])
    # Q by hand on the logit scale: effects ln(2/38), ln(30/10); variances 1/2+1/38, 1/30+1/10
    e = np.log([2 / 38, 30 / 10])
    v = np.array([1 / 2 + 1 / 38, 1 / 30 + 1 / 10])
    w = 1 / v
    mean = (w * e).sum() / w.sum()
    q = (w * (e - mean) ** 2).sum()
    assert i2 == pytest.approx((q - 1) / q, rel=1e-6)
    assert tau2 > 0


# Simon (1989) Table 1/2, alpha = 0.05, beta = 0.20: (p0, p1) -> optimal, minimax r1/n1, r/n
SIMON = [
    ((0.05, 0.25), (0, 9, 2, 17), (0, 12, 2, 16)),
    ((0.10, 0.30), (1, 10, 5, 29), (1, 15, 5, 25)),
    ((0.10, 0.25), (2, 18, 7, 43), (2, 22, 7, 40)),
    ((0.20, 0.40), (3, 13, 12, 43), (4, 18, 10, 33)),
    ((0.30, 0.50), (5, 15, 18, 46), (6, 19, 16, 39)),
]


@pytest.mark.parametrize(("rates", "optimal", "minimax"), SIMON)
def test_simon_designs_match_published_tables(rates, optimal, minimax):
    d = simon_designs(*rates, alpha=0.05, beta=0.20)
    o, m = d["optimal"], d["minimax"]
    assert (o.r1, o.n1, o.r, o.n) == optimal
    assert (m.r1, m.n1, m.r, m.n) == minimax
    assert o.alpha <= 0.05 and o.power >= 0.80 and m.alpha <= 0.05 and m.power >= 0.80


def test_simon_optimal_expected_size_published():
    d = simon_designs(0.10, 0.30)
    assert d["optimal"].en0 == pytest.approx(15.0, abs=0.05)
    assert d["optimal"].pet0 == pytest.approx(0.74, abs=0.005)
    assert d["minimax"].en0 == pytest.approx(19.5, abs=0.05)


def _drup_by_hand(p: float) -> float:
    def pmf(k, n):
        return comb(n, k) * p**k * (1 - p) ** (n - k)

    return sum(pmf(x1, 8) * sum(pmf(x2, 16) for x2 in range(max(0, 5 - x1), 17))
               for x1 in range(1, 9))


def test_drup_rule_operating_characteristics_by_hand():
    oc = drup_rule_characteristics(0.10, 0.30)
    assert oc["type_i_error"] == pytest.approx(_drup_by_hand(0.10), rel=1e-12)
    assert oc["power"] == pytest.approx(_drup_by_hand(0.30), rel=1e-12)
    assert oc["pet0"] == pytest.approx(0.9**8)
    assert oc["en0"] == pytest.approx(8 + (1 - 0.9**8) * 16)
    assert two_stage_success(0.0) == 0.0


@pytest.mark.parametrize(("n", "k", "state", "needed"), [
    (5, 0, "stage 1 open", 3),
    (5, 1, "stage 2 open", 19),
    (8, 0, "stopped at stage 1 (0 of >= 8)", 0),
    (10, 2, "stage 2 open", 14),
    (22, 2, "cannot reach 5 of 24", 0),
    (12, 5, "success (>= 5 with benefit)", 0),
])
def test_patients_to_decide_under_8_to_24(n, k, state, needed):
    out = patients_to_decide(n, k)
    assert (out["state"], out["needed"]) == (state, needed)


def test_threshold_validation_is_clear():
    with pytest.raises(QueryParameterError, match="p0=0.3 >= p1=0.2"):
        Thresholds(p0=0.3, p1=0.2)
    with pytest.raises(QueryParameterError, match="prob"):
        Thresholds(prob=0.3)
    with pytest.raises(QueryParameterError):
        simon_designs(0.3, 0.3)
