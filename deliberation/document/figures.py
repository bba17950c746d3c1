"""The document's figures as pure functions of plain data (no database, no Django): document/build.py
computes them from the roundtable's tables, and `python -m deliberation.verify` recomputes them from the
events in a bundle with these same functions, so the two cannot drift apart."""

from collections.abc import Iterable
from typing import Any

CHOICES = ("agree", "disagree", "pass")


def tally_new() -> dict[str, int]:
    return dict.fromkeys(CHOICES, 0)


def tallies_count(
    *, votes: Iterable[tuple[int, Any, str]], proposal_ids: Iterable[int]
) -> dict[int, dict[str, int]]:
    """Each proposal's tally from its current votes, (proposal, voter, choice) with one vote per voter and
    proposal; a proposal nobody voted on has a tally of zeros, a vote on a proposal not listed is left out."""
    tallies = {proposal: tally_new() for proposal in proposal_ids}
    for proposal, _voter, choice in votes:
        if proposal in tallies:
            tallies[proposal][choice] += 1
    return tallies


def coverage_compute(
    *,
    tallies: dict[int, dict[str, int]],
    themes: dict[int, list[int]],
    cited_proposals: list[int],
    cited_themes: list[int],
) -> dict[str, Any]:
    """How much of what the room supported the conclusions cite: the share of all agree votes that went
    to proposals cited directly or through their theme, and the share of themes cited directly or
    through one of their proposals. None when there is nothing to cover yet."""
    covered = {proposal for proposal in cited_proposals if proposal in tallies}
    for number in cited_themes:
        covered.update(themes.get(number, []))
    total_agree = sum(tally["agree"] for tally in tallies.values())
    cited_agree = sum(tallies[proposal]["agree"] for proposal in covered)
    themes_covered = [
        number for number, proposals in themes.items() if number in cited_themes or covered & set(proposals)
    ]
    return {
        "support": round(cited_agree / total_agree, 4) if total_agree else None,
        "themes": round(len(themes_covered) / len(themes), 4) if themes else None,
        "themes_cited": len(themes_covered),
        "themes_total": len(themes),
    }
