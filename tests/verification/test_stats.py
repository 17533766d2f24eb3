"""The arithmetic of the verification sample, checked against hand computations."""

from __future__ import annotations

import math
import random

import pytest

from app.verification import stats


class TestWilson:
    def test_eight_of_ten_matches_the_textbook_interval(self) -> None:
        # Wilson (1927), 95%: 8/10 → 0.4902 to 0.9433 (Newcombe 1998, table I).
        low, high = stats.wilson(8, 10) or (0, 0)
        assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)

    def test_by_hand(self) -> None:
        z, n, p = 1.959963984540054, 50, 0.9
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        assert stats.wilson(45, 50) == pytest.approx((centre - half, centre + half))

    def test_all_confirmed_still_has_a_lower_bound_below_one(self) -> None:
        low, high = stats.wilson(20, 20) or (0, 0)
        assert high == 1.0
        assert 0.83 < low < 0.84  # 20 / (20 + 1.96²) = 0.8389

    def test_nothing_decided_has_no_interval(self) -> None:
        assert stats.wilson(0, 0) is None


class TestSuggestedSize:
    def test_unbounded_campaign_needs_385(self) -> None:
        # z² · 0.25 / 0.05² = 384.15 → 385
        assert stats.suggested_size(10**9) == 385
        assert stats.suggested_size(1_000_000) == 384

    def test_finite_population_correction(self) -> None:
        # n0 = 384.146; n = n0 / (1 + (n0 - 1) / 1000) = 277.7 → 278
        assert stats.suggested_size(1000) == 278

    def test_small_campaign_is_called_back_almost_whole(self) -> None:
        assert stats.suggested_size(10) == 10
        assert stats.suggested_size(0) == 0


class TestAllocate:
    def test_shares_are_in_proportion(self) -> None:
        shares = stats.allocate(12, {"a": 60, "b": 30, "c": 30}, random.Random(1))
        assert shares == {"a": 6, "b": 3, "c": 3}

    def test_each_share_is_its_quota_rounded(self) -> None:
        strata = {"a": 47, "b": 31, "c": 13, "d": 9}
        for seed in range(20):
            shares = stats.allocate(37, strata, random.Random(seed))
            assert sum(shares.values()) == 37
            for k, n in strata.items():
                assert abs(shares[k] - 37 * n / 100) < 1

    def test_never_more_than_a_stratum_holds(self) -> None:
        shares = stats.allocate(50, {"a": 3, "b": 100}, random.Random(0))
        assert shares["a"] <= 3
        assert sum(shares.values()) == 50


class TestBinomialTail:
    def test_by_hand(self) -> None:
        # P(X >= 2), X ~ Bin(3, 0.5) = (3 + 1) / 8
        assert stats.binomial_upper_tail(2, 3, 0.5) == pytest.approx(0.5)
        exact = sum(math.comb(10, i) * 0.12**i * 0.88 ** (10 - i) for i in range(6, 11))
        assert stats.binomial_upper_tail(6, 10, 0.12) == pytest.approx(exact)

    def test_edges(self) -> None:
        assert stats.binomial_upper_tail(0, 10, 0.3) == 1.0
        assert stats.binomial_upper_tail(11, 10, 0.3) == 0.0
        assert stats.binomial_upper_tail(1, 10, 0.0) == 0.0

    def test_large_n_does_not_overflow(self) -> None:
        assert 0 < stats.binomial_upper_tail(900, 5000, 0.15) < 1e-3


class TestFlag:
    def test_others_rate_leaves_the_recorder_out(self) -> None:
        # campaign: 10 denied of 100 decided; the recorder: 8 of 20 → others 2 of 80
        assert stats.others_rate(10, 100, 8, 20) == pytest.approx(3 / 82)

    def test_many_denials_are_flagged_with_their_p_value(self) -> None:
        p_value, flagged = stats.flag(8, 20, 3 / 82)
        assert flagged
        assert p_value == pytest.approx(stats.binomial_upper_tail(8, 20, 3 / 82))

    def test_one_denial_where_nobody_else_had_any_is_not_a_flag(self) -> None:
        rate = stats.others_rate(1, 100, 1, 25)  # 1 / 77
        assert stats.flag(1, 25, rate)[1] is False

    def test_a_rate_like_everyone_elses_is_not_a_flag(self) -> None:
        assert stats.flag(3, 30, stats.others_rate(12, 120, 3, 30))[1] is False

    def test_nothing_decided_has_no_p_value(self) -> None:
        assert stats.flag(0, 0, 0.1) == (None, False)
