"""Opinion groups as Pol.is computes them, on a synthetic room and on real Polis conversations."""

import csv
import json
import random
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

from deliberation.analysis.opinions import OpinionPrevious, opinion_groups, polis_votes_read
from tests.support.servers import python_module

ROOT = Path(__file__).resolve().parents[3]
# The four real conversations beside the project (CC BY 4.0, attribution in their README there).
POLIS = ROOT.parent / "shared" / "polis-open-data"


def two_blocs(seed: int = 3, people: int = 40, proposals: int = 12):
    """Half the room agrees with the first six proposals and rejects the rest; the other half the
    opposite; everyone agrees with proposal 99. Each person skips some proposals."""
    rng = random.Random(seed)
    votes = []
    for person in range(people):
        bloc = person % 2
        for proposal in range(proposals):
            if rng.random() < 0.2:
                continue
            side = 1 if (proposal < proposals // 2) == (bloc == 0) else -1
            votes.append((f"u{person}", proposal, side if rng.random() > 0.1 else 0))
        votes.append((f"u{person}", 99, 1))
    return votes


def test_two_blocs_are_found_with_what_represents_each_and_what_all_agree_on():
    result = opinion_groups(two_blocs())
    assert result["k"] == 2
    groups = {person: place["group"] for person, place in result["people"].items()}
    blocs = {person: int(person[1:]) % 2 for person in groups}
    assert adjusted_rand_score(list(blocs.values()), list(groups.values())) == 1.0
    assert [item["proposal"] for item in result["consensus"]][:1] == [99]
    group_of_bloc_zero = groups["u0"]
    representative = result["groups"][group_of_bloc_zero]["representative"]
    assert representative, "each group has representative proposals"
    assert all((item["proposal"] < 6) == (item["direction"] == "agree") for item in representative), (
        representative
    )
    assert result["proposals"][99]["kind"] == "consensus"
    assert {item["proposal"] for item in result["divisive"]} <= set(range(12))


def test_too_few_voters_form_no_groups():
    votes = [(f"u{person}", proposal, 1) for person in range(3) for proposal in range(8)]
    result = opinion_groups(votes)
    assert result["groups"] == []
    assert result["participants_in"] == 3


def test_groups_keep_their_letters_and_the_map_its_orientation_between_runs():
    votes = two_blocs()
    first = opinion_groups(votes)
    previous = OpinionPrevious(
        components=first["components"],
        centres=first["centres"],
        members={str(person): place["group"] for person, place in first["people"].items()},
    )
    # A few more votes arrive, from a new person of bloc 1.
    more = [*votes, *[("u1000", proposal, -1 if proposal < 6 else 1) for proposal in range(12)]]
    second = opinion_groups(more, previous=previous)
    assert all(
        second["people"][person]["group"] == place["group"] for person, place in first["people"].items()
    )
    for index in range(2):
        assert (
            sum(a * b for a, b in zip(first["components"][index], second["components"][index], strict=False))
            > 0
        )


def test_groups_agree_with_the_groups_polis_itself_found_on_a_real_conversation():
    folder = POLIS / "15-per-hour-seattle"
    ours = opinion_groups(polis_votes_read(str(folder / "votes.csv")))
    with (folder / "participants-votes.csv").open(encoding="utf-8") as stream:
        theirs = {row["participant"]: row["group-id"] for row in csv.DictReader(stream) if row["group-id"]}
    common = [person for person in ours["people"] if person in theirs]
    assert len(common) > 100
    agreement = adjusted_rand_score([theirs[p] for p in common], [ours["people"][p]["group"] for p in common])
    assert agreement > 0.6


def test_command_line_prints_each_participants_group_and_the_groups_comments():
    done = python_module("deliberation.analysis.opinions", str(POLIS / "brexit-consensus" / "votes.csv"))
    assert done.returncode == 0, done.stderr
    output = done.stdout
    result = json.loads(output)
    assert len(result["participants"]) > 100
    assert set(result["participants"].values()) == {group["id"] for group in result["groups"]}
    assert all(group["representative"] for group in result["groups"])
    assert result["consensus"]
    assert result["settings"]["min_votes"] == 7


def test_command_line_refuses_a_file_that_is_not_a_polis_export(tmp_path):
    source = tmp_path / "votes.csv"
    source.write_text("a,b\n1,2\n", encoding="utf-8")
    result = python_module("deliberation.analysis.opinions", str(source))
    assert result.returncode != 0
    assert "not a Polis votes export" in result.stderr
