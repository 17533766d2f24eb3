"""Verification simulation: how often the flag catches a recorder who ticks doors falsely.

A campaign's door visits are split among recorders; one of them ticks 30% of their doors
"reached" without having spoken to anyone. Residents are called back at the suggested sample
size (±5 points, 95%), drawn exactly as ``POST /campaigns/{id}/verifications`` draws it
(stratified over recorders in proportion, ``app.verification.service.stratified``), and flagged
exactly as the coverage answer flags them (``app.verification.stats.flag``: binomial tail of
the recorder's denials under the denial rate of the rest of the campaign, p < 0.01).

Residents are imperfect witnesses: even after a true visit, some deny it (they forgot, or the
person who answered was not the one called back), and some cannot be reached at all.

Printed per scenario: how often the false recorder is flagged (the catch rate) and how often an
honest one is (false alarms), for Doorstep's rule and, on the same draws, two baselines: the
same tail under the campaign's overall rate (the recorder included), and a plain rule that
flags whoever's confirmed rate is more than 10 points below the campaign's.

    .venv/bin/python bench/verification.py [--trials 2000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.verification import stats
from app.verification.repository import Candidate
from app.verification.service import stratified

FALSE_SHARE = 0.30
"""The share of the false recorder's doors ticked without a visit."""
RULE = "Doorstep: tail, others' rate"
RULES = (RULE, "tail under overall rate", "baseline: 10 points below")


@dataclass(frozen=True)
class Scenario:
    """A campaign: how many recorders, each with how many door visits, and the witnesses."""

    name: str
    recorders: int
    visits_each: int
    forgetful: float = 0.03  # a true visit denied anyway
    unreachable: float = 0.20  # nobody answers the call-back


SCENARIOS = (
    Scenario("small compound: 4 recorders x 50 doors", 4, 50),
    Scenario("mid compound: 8 recorders x 120 doors", 8, 120),
    Scenario("large compound: 12 recorders x 250 doors", 12, 250),
    Scenario("many recorders: 20 recorders x 40 doors", 20, 40),
    Scenario("mid, forgetful residents (8% deny true visits)", 8, 120, forgetful=0.08),
    Scenario("mid, half unreachable", 8, 120, unreachable=0.5),
)


@dataclass
class Tally:
    caught: int = 0
    honest_flags: int = 0
    honest_seen: int = 0

    def rates(self, trials: int) -> tuple[float, float]:
        return self.caught / trials, self.honest_flags / max(self.honest_seen, 1)


def one_campaign(s: Scenario, rng: random.Random, flag_rules: dict[str, Tally]) -> int:
    """Simulate one campaign; update each rule's tally; the sample size used."""
    candidates = []
    falsely_ticked: set[int] = set()
    household = 0
    for recorder in range(s.recorders):
        for _ in range(s.visits_each):
            household += 1
            candidates.append(Candidate(household, uuid.UUID(int=household), recorder))
            if recorder == 0 and rng.random() < FALSE_SHARE:
                falsely_ticked.add(household)
    size = stats.suggested_size(len(candidates))
    sample = stratified(candidates, size, rng)
    counts = {r: [0, 0] for r in range(s.recorders)}  # confirmed, denied
    for c in sample:
        if rng.random() < s.unreachable:
            continue
        denies = c.household_id in falsely_ticked or rng.random() < s.forgetful
        counts[c.recorder_id][1 if denies else 0] += 1  # type: ignore[index]
    confirmed = sum(c for c, _ in counts.values())
    denied = sum(d for _, d in counts.values())
    decided = confirmed + denied
    rate = denied / decided if decided else None
    overall = confirmed / decided if decided else 0.0
    for recorder, (c, d) in counts.items():
        flagged = {
            RULE: stats.flag(d, c + d, stats.others_rate(denied, decided, d, c + d))[1],
            "tail under overall rate": stats.flag(d, c + d, rate)[1],
            "baseline: 10 points below": bool(c + d) and c / (c + d) < overall - 0.10,
        }
        for name, tally in flag_rules.items():
            if recorder == 0:
                tally.caught += flagged[name]
            else:
                tally.honest_seen += 1
                tally.honest_flags += flagged[name]
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"One recorder ticks {FALSE_SHARE:.0%} of doors falsely; {args.trials} campaigns each.\n")
    header = (
        f"{'scenario':<50} {'doors':>6} {'sample':>6} {'each':>5}  {'rule':<28}"
        f" {'caught':>7} {'false alarms':>12}"
    )
    print(header)
    print("-" * len(header))
    for s in SCENARIOS:
        rules = {name: Tally() for name in RULES}
        size = 0
        for _ in range(args.trials):
            size = one_campaign(s, rng, rules)
        doors = s.recorders * s.visits_each
        for i, (name, tally) in enumerate(rules.items()):
            caught, false_alarms = tally.rates(args.trials)
            lead = (
                f"{s.name:<50} {doors:>6} {size:>6} {size / s.recorders:>5.0f}"
                if i == 0
                else " " * 70
            )
            print(f"{lead}  {name:<28} {caught:>7.1%} {false_alarms:>12.2%}")
    print(
        "\ncaught: share of campaigns in which the false recorder was flagged;"
        " false alarms: share of honest recorders flagged."
    )


if __name__ == "__main__":
    main()
