"""The arithmetic of the verification sample: its size, its strata, the interval, the flag.

Pure functions over counts, so that the tests can check them against a hand computation and
``bench/verification.py`` can simulate thousands of campaigns without a database.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Mapping
from typing import TypeVar

Z95 = 1.959963984540054
"""The two-sided 95% normal quantile."""
MARGIN = 0.05
"""The half-width the suggested sample size aims at: ±5 points."""
FLAG_P = 0.01
"""A recorder is flagged when their denials are this improbable under the campaign's rate."""

K = TypeVar("K", bound=Hashable)


def suggested_size(population: int, *, margin: float = MARGIN, z: float = Z95) -> int:
    """How many households to call back for a ±``margin`` 95% interval of the confirmed rate.

    The worst case p = 0.5 (n₀ = z²/4m² ≈ 385 for ±5 points), shrunk by the finite-population
    correction n = n₀ / (1 + (n₀ − 1)/N), since a campaign has only N such households.
    """
    if population <= 0:
        return 0
    n0 = z * z * 0.25 / (margin * margin)
    return min(population, math.ceil(n0 / (1 + (n0 - 1) / population)))


def allocate(size: int, strata: Mapping[K, int], rng: random.Random) -> dict[K, int]:
    """Split ``size`` over the strata in proportion to their sizes (largest remainders).

    Every stratum gets its exact quota size·Nᵢ/N rounded down or up, never more than it holds;
    the remainders go to the largest fractions, ties broken at random.
    """
    total = sum(strata.values())
    size = min(size, total)
    if size <= 0:
        return dict.fromkeys(strata, 0)
    quotas = {k: size * n / total for k, n in strata.items()}
    shares = {k: min(strata[k], math.floor(q)) for k, q in quotas.items()}
    left = size - sum(shares.values())
    order = sorted(strata, key=lambda k: (-(quotas[k] - shares[k]), rng.random()))
    for k in order:
        if left == 0:
            break
        if shares[k] < strata[k]:
            shares[k] += 1
            left -= 1
    return shares


def wilson(successes: int, n: int, *, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of successes/n; None when n is 0.

    centre = (p̂ + z²/2n) / (1 + z²/n), half-width = z·√(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n).
    """
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def binomial_upper_tail(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p), summed in log space (safe for large n)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [
        math.lgamma(n + 1)
        - math.lgamma(i + 1)
        - math.lgamma(n - i + 1)
        + i * log_p
        + (n - i) * log_q
        for i in range(k, n + 1)
    ]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def others_rate(denied_all: int, decided_all: int, denied: int, decided: int) -> float:
    """The denial rate of everyone else in the campaign, with one denial and one confirmation
    added (Laplace), so that a campaign where nobody else was denied does not flag on one.

    Leaving the recorder out matters: a recorder who ticks many doors falsely raises the
    campaign's own rate and would hide behind it (``bench/verification.py`` measures both).
    """
    return (denied_all - denied + 1) / (decided_all - decided + 2)


def flag(denied: int, decided: int, rate: float | None) -> tuple[float | None, bool]:
    """A recorder's p-value and whether they are flagged.

    p = P(X ≥ denied), X ~ Binomial(decided, the campaign's denial rate): how likely this many
    denials would be if the recorder's visits were as true as everyone's. Flagged below
    ``FLAG_P`` (and only with at least one denial).
    """
    if not decided or rate is None:
        return None, False
    p_value = binomial_upper_tail(denied, decided, rate)
    return p_value, denied > 0 and p_value < FLAG_P
