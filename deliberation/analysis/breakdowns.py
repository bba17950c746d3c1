"""Public breakdowns by actor type without small groups: where an actor type has one or two people in
what is counted, its row would be their answer. Every public breakdown of answers by actor type goes
through here (room checks live and in the document, votes per proposal in the document, who is in each
opinion group).

The rule: a key is shown on its own only when at least `minimum` people are counted under it; the others
are added up under OTHER. Since the overall total is public too, OTHER is itself a group that could be
read by subtraction: when it holds fewer than `minimum`, the smallest shown key joins it, and so on; if
everything together is still fewer than `minimum`, the breakdown is withheld (an empty result)."""

from collections import Counter
from collections.abc import Mapping

# Not a possible actor type key (those are slugs): the readers label it "Other actor types".
OTHER = "_other"


def keys_fold(sizes: Mapping[str, int], *, minimum: int) -> dict[str, str]:
    """key -> the key it is shown under (itself or OTHER); keys left out are withheld."""
    shown = {key for key, size in sizes.items() if size >= minimum}
    folded = set(sizes) - shown

    def other_size() -> int:
        return sum(sizes[key] for key in folded)

    while folded and other_size() < minimum and shown:
        smallest = min(shown, key=lambda key: (sizes[key], key))
        shown.remove(smallest)
        folded.add(smallest)
    mapping = {key: key for key in shown}
    if folded and other_size() >= minimum:
        mapping.update({key: OTHER for key in folded})
    return mapping


def tallies_fold(tallies: Mapping[str, Mapping[str, int]], *, minimum: int) -> dict[str, dict[str, int]]:
    """{key: {choice: count}} with small keys folded: the people counted under a key are its answers."""
    mapping = keys_fold({key: sum(tally.values()) for key, tally in tallies.items()}, minimum=minimum)
    folded: dict[str, Counter] = {}
    for key, tally in tallies.items():
        if key in mapping:
            folded.setdefault(mapping[key], Counter({choice: 0 for choice in tally})).update(tally)
    return {key: dict(folded[key]) for key in sorted(folded)}


def make_up_fold(groups: Mapping[int, Mapping[str, int]], *, minimum: int) -> dict[int, dict[str, int]]:
    """{group: {key: people}} with keys that have fewer than `minimum` people over all groups folded."""
    totals: Counter = Counter()
    for make_up in groups.values():
        totals.update(make_up)
    mapping = keys_fold(totals, minimum=minimum)
    folded: dict[int, dict[str, int]] = {}
    for group, make_up in groups.items():
        counts: Counter = Counter()
        for key, count in make_up.items():
            if key in mapping:
                counts[mapping[key]] += count
        folded[group] = dict(sorted(counts.items()))
    return folded
