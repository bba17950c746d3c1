"""Check a re-analysis bundle: `python -m deliberation.verify bundle.zip`.

Plain Python (and numpy/scikit-learn for the opinion groups): no database, no Django settings. It

1. walks the hash chain in record/events.jsonl from the genesis: every disclosed record matches its
   digest, every event's hash covers the previous hash, its seq, its kind and its digests, and the event
   the document says it was built from has the hash the document states;
2. checks that document.json is the document the chain committed to when it was published;
3. replays the records up to that event (ballots, merges, erasures, room-check answers, proposals'
   status and text) and recomputes the document's figures with the functions the server uses
   (deliberation/document/figures.py, deliberation/analysis/opinions.py), then compares them with
   document.json and the CSV files.

It prints what it checked and every difference, naming the event seq, the proposal or the figure, and
exits 1 when anything differs (0 when everything matches, 2 when the file is no bundle)."""

import argparse
import csv
import io
import json
import sys
import zipfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from deliberation.chain import GENESIS, document_digest, event_hash, leaf_digest
from deliberation.document.figures import CHOICES, coverage_compute, tallies_count, tally_new

POLIS_VOTE = {"agree": 1, "disagree": -1, "pass": 0}


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class BundleError(Exception):
    """Not a bundle this tool can read."""


def _tally_text(tally: dict[str, int]) -> str:
    return ", ".join(f"{choice} {tally.get(choice, 0)}" for choice in CHOICES)


@dataclass
class Replay:
    """What the records say up to the head."""

    status: dict[int, dict[str, Any]] = field(default_factory=dict)  # proposal -> {question, status, seq}
    text: dict[int, tuple[int, str | None]] = field(default_factory=dict)  # proposal -> (seq, text or None)
    ballots: dict[tuple[str, int], str] = field(default_factory=dict)  # (voter, proposal) -> choice
    answers: dict[tuple[str, int], str] = field(default_factory=dict)  # (voter, statement) -> choice
    statements: dict[int, dict[str, Any]] = field(default_factory=dict)
    erased_proposals: set[int] = field(default_factory=set)
    # Ballots withheld by an erasure after the head: the document counted them, the record cannot show them.
    withheld_later: int = 0


def _read(bundle: zipfile.ZipFile, name: str) -> str:
    try:
        return bundle.read(name).decode("utf-8")
    except KeyError as missing:
        raise BundleError(f"{name} is missing") from missing


def chain_check(
    events: list[dict[str, Any]], chain: dict[str, Any], document: dict[str, Any], report: Report
) -> None:
    prev = chain.get("genesis", GENESIS)
    if prev != GENESIS:
        report.problems.append(f"record/chain.json: the genesis is {prev}, not {GENESIS}")
    expected_seq = 1
    for event in events:
        seq = event["seq"]
        if seq != expected_seq:
            report.problems.append(
                f"event seq {seq}: expected seq {expected_seq} (an event missing or added)"
            )
        expected_seq = seq + 1
        leaves = event["leaves"]
        for name, opened in event["disclosed"].items():
            if name not in leaves:
                report.problems.append(f"event seq {seq}: record '{name}' is not part of the event")
            elif leaf_digest(salt=opened["salt"], value=opened["value"]) != leaves[name]:
                report.problems.append(
                    f"event seq {seq}: record '{name}' was changed (it does not match its digest): "
                    f"{json.dumps(opened['value'], ensure_ascii=False)}"
                )
        computed = event_hash(prev=prev, seq=seq, kind=event["kind"], leaves=leaves)
        if computed != event["hash"]:
            report.problems.append(
                f"event seq {seq} ({event['kind']}): its hash does not cover its content "
                "and the previous hash"
            )
        prev = event["hash"]
    head = document.get("chain")
    if head is None:
        report.problems.append("document.json states no event it was built from (no 'chain')")
        return
    at_head = next((event for event in events if event["seq"] == head["seq"]), None)
    if head["seq"] == 0 and not events:
        pass
    elif at_head is None:
        report.problems.append(f"the document was built from event seq {head['seq']}, which the record lacks")
    elif at_head["hash"] != head["hash"]:
        report.problems.append(
            f"the document says event seq {head['seq']} has hash {head['hash']}, "
            f"the record says {at_head['hash']}"
        )
    if chain.get("head") != head:
        report.problems.append("record/chain.json and document.json state different heads")
    last = events[-1] if events else {"seq": 0, "hash": GENESIS}
    if chain.get("last") != {"seq": last["seq"], "hash": last["hash"]}:
        report.problems.append("record/chain.json's last event is not the record's last event")
    report.checked.append(
        f"chain: {len(events)} events from the genesis, "
        f"the document's head at seq {head['seq']}: {head['hash']}"
    )
    if chain.get("backfilled_through"):
        report.notes.append(
            f"events up to seq {chain['backfilled_through']} were written before the chain existed and were "
            "chained when it was introduced: they prove nothing changed after that, not before"
        )


def document_check(events: list[dict[str, Any]], document: dict[str, Any], report: Report) -> None:
    if document.get("status") != "published":
        report.notes.append("a draft: no publication commits to this document, its figures are checked below")
        return
    for event in events:
        opened = event["disclosed"].get("document")
        if opened and opened["value"].get("version") == document.get("version"):
            if document_digest(document) != opened["value"]["sha256"]:
                report.problems.append(
                    f"document.json is not the document published as version {document['version']} "
                    f"(committed at event seq {event['seq']}): something in it was changed"
                )
            else:
                report.checked.append(
                    f"document.json is version {document['version']} as published (event seq {event['seq']})"
                )
            return
    report.problems.append(f"no event of the record publishes version {document.get('version')}")


def replay(events: list[dict[str, Any]], head: int, report: Report) -> Replay:
    state = Replay()
    erasures: dict[int, int] = {}  # withheld seq -> the erasure's seq
    for event in events:
        opened = event["disclosed"].get("erasure")
        if opened:
            for seq in opened["value"].get("withheld", []):
                erasures[seq] = event["seq"]
    for event in events:
        seq, leaves, disclosed = event["seq"], event["leaves"], event["disclosed"]
        if seq > head:
            break
        value = {name: opened["value"] for name, opened in disclosed.items()}
        if "ballot" in leaves:
            if "ballot" in value:
                ballot = value["ballot"]
                if value.get("counted") is not False:
                    state.ballots[ballot["voter"], ballot["proposal"]] = ballot["choice"]
            elif value.get("counted") is False:
                pass  # staff's ballot: the document counts participants only
            elif seq in erasures:
                if erasures[seq] > head:
                    state.withheld_later += 1
            else:
                report.problems.append(f"event seq {seq}: its ballot is withheld, and no erasure lists it")
        if "answer" in leaves:
            if "answer" in value:
                answer = value["answer"]
                state.answers[answer["voter"], answer["statement"]] = answer["choice"]
            elif seq in erasures:
                if erasures[seq] > head:
                    state.withheld_later += 1
            else:
                report.problems.append(
                    f"event seq {seq}: its room-check answer is withheld, and no erasure lists it"
                )
        for name in leaves:
            kind, _, number = name.partition(":")
            if kind == "proposal" and name in value:
                state.status[int(number)] = {**value[name], "seq": seq}
            elif kind == "proposal":
                report.problems.append(f"event seq {seq}: proposal #{number}'s status is withheld")
            elif kind == "text":
                state.text[int(number)] = (seq, value[name]["text"] if name in value else None)
            elif kind == "statement" and name in value:
                state.statements[int(number)] = value[name]
        if "merge" in value:
            merged, into = value["merge"]["proposal"], value["merge"]["into"]
            for voter, proposal in [key for key in state.ballots if key[1] == merged]:
                choice = state.ballots.pop((voter, proposal))
                # As the server merges: a vote follows unless its voter already voted on the survivor.
                state.ballots.setdefault((voter, into), choice)
        if "erasure" in value:
            gone = set(value["erasure"].get("proposals", []))
            state.erased_proposals |= gone
            state.ballots = {key: choice for key, choice in state.ballots.items() if key[1] not in gone}
    return state


def _votes_by_voter(pairs: list[tuple[Any, int, str]]) -> Counter:
    """The multiset of each voter's set of (proposal, choice): equal for two lists of the same votes under
    any renaming of the voters."""
    by_voter: dict[Any, set[tuple[int, str]]] = defaultdict(set)
    for voter, proposal, choice in pairs:
        by_voter[voter].add((proposal, choice))
    return Counter(frozenset(votes) for votes in by_voter.values())


def figures_check(
    document: dict[str, Any], state: Replay, files: dict[str, str], report: Report, *, opinions: bool
) -> None:
    loose = state.withheld_later
    if loose:
        report.notes.append(
            f"{loose} ballots or answers counted by this version were erased later at their voters' request: "
            "the figures they touch are checked as bounds "
            "(at least what the record shows, at most that many more)"
        )

    def same(tally: dict[str, int], recomputed: dict[str, int]) -> bool:
        if not loose:
            return all(tally.get(choice, 0) == recomputed[choice] for choice in CHOICES)
        extra = sum(tally.get(choice, 0) - recomputed[choice] for choice in CHOICES)
        return all(tally.get(choice, 0) >= recomputed[choice] for choice in CHOICES) and extra <= loose

    checked = Counter()
    all_votes = 0
    for question in document["questions"]:
        order, qid = question["order"], question["id"]
        ids = [proposal["id"] for proposal in question["proposals"]]
        visible = {
            pk
            for pk, status in state.status.items()
            if status["question"] == qid
            and status["status"] == "visible"
            and pk not in state.erased_proposals
        }
        for pk in sorted(visible - set(ids)):
            report.problems.append(
                f"question {order}: proposal #{pk} is visible in the record but not in the document"
            )
        for proposal in question["proposals"]:
            pk = proposal["id"]
            status = state.status.get(pk)
            if status is None or status["question"] != qid:
                report.problems.append(
                    f"question {order}: proposal #{pk} is not in the record for this question"
                )
            elif status["status"] != "visible" and pk not in state.erased_proposals:
                report.problems.append(
                    f"question {order}: proposal #{pk} is in the document, "
                    f"but the record has it {status['status']}"
                )
            seq, text = state.text.get(pk, (None, None))
            if seq is None:
                report.problems.append(f"proposal #{pk}: the record has no text for it")
            elif text is None:
                report.notes.append(f"proposal #{pk}: its text was erased from the record (event seq {seq})")
            elif text != proposal["text"]:
                report.problems.append(
                    f"proposal #{pk}: its text in the document differs from the record's (event seq {seq})"
                )
            else:
                checked["texts"] += 1
        current = [(voter, pk, choice) for (voter, pk), choice in state.ballots.items() if pk in set(ids)]
        tallies = tallies_count(
            votes=((pk, voter, choice) for voter, pk, choice in current), proposal_ids=ids
        )
        all_votes += len(current)
        for proposal in question["proposals"]:
            pk = proposal["id"]
            if not same(proposal["tally"], tallies[pk]):
                report.problems.append(
                    f"proposal #{pk}: tally in the document is {_tally_text(proposal['tally'])}; "
                    f"the record gives {_tally_text(tallies[pk])}"
                )
            else:
                checked["tallies"] += 1
            for breakdown in ("by_actor_type", "by_group"):
                total = tally_new()
                for part in proposal.get(breakdown, {}).values():
                    for choice in CHOICES:
                        total[choice] += part.get(choice, 0)
                if any(total[choice] > proposal["tally"].get(choice, 0) for choice in CHOICES):
                    report.problems.append(
                        f"proposal #{pk}: its {breakdown} counts more votes than its tally"
                    )
        coverage = coverage_compute(
            tallies=tallies,
            themes={theme["number"]: theme["proposals"] for theme in question["themes"]},
            cited_proposals=question["citations"]["proposals"],
            cited_themes=question["citations"]["themes"],
        )
        if loose:
            pass  # the erased ballots' agree votes may have been among the cited ones: no exact figure
        elif coverage != question["coverage"]:
            report.problems.append(
                f"question {order}: coverage in the document is {question['coverage']}; "
                f"the record gives {coverage}"
            )
        else:
            checked["coverage"] += 1
        # The document's own vote list (and votes.csv) must be these votes, under its voter pseudonyms.
        listed = [
            (vote["voter"], vote["proposal"], vote["choice"])
            for vote in document["votes"]
            if vote["proposal"] in set(ids)
        ]
        if not loose and _votes_by_voter(listed) != _votes_by_voter(current):
            report.problems.append(
                f"question {order}: the document's list of votes is not the record's ballots"
            )
        csv_name = f"q{order}/votes.csv"
        if csv_name in files:
            rows = list(csv.DictReader(io.StringIO(files[csv_name])))
            from_csv = sorted((row["voter-id"], int(row["comment-id"]), int(row["vote"])) for row in rows)
            expected = sorted((str(voter), pk, POLIS_VOTE[choice]) for voter, pk, choice in listed)
            if from_csv != expected:
                report.problems.append(f"{csv_name}: its votes are not the document's votes")
        comments_name = f"q{order}/comments.csv"
        if comments_name in files:
            tally_of = {proposal["id"]: proposal["tally"] for proposal in question["proposals"]}
            for row in csv.DictReader(io.StringIO(files[comments_name])):
                tally = tally_of.get(int(row["comment-id"]))
                if tally is None or (int(row["agrees"]), int(row["disagrees"])) != (
                    tally["agree"],
                    tally["disagree"],
                ):
                    report.problems.append(
                        f"{comments_name}: comment {row['comment-id']}'s counts are not the document's"
                    )
        _checks_check(question, state, report, checked, same)
        if opinions:
            _opinions_check(question, current, document.get("algorithms", {}).get("opinions", {}), report)
    if not loose and document["participation"]["votes"] != all_votes:
        report.problems.append(
            f"participation: the document counts {document['participation']['votes']} votes; "
            f"the record gives {all_votes}"
        )
    proposals = sum(len(question["proposals"]) for question in document["questions"])
    if document["participation"]["proposals"] != proposals:
        report.problems.append(
            f"participation: the document counts {document['participation']['proposals']} proposals "
            f"and lists {proposals}"
        )
    report.checked.append(
        f"{checked['tallies']} proposal tallies, {checked['texts']} proposal texts, {checked['coverage']} "
        f"coverage figures, {checked['checks']} room checks, the vote total and the vote lists"
    )


def _checks_check(question, state: Replay, report: Report, checked: Counter, same) -> None:
    order = question["order"]
    by_number = {
        statement["number"]: statement
        for statement in state.statements.values()
        if statement["question"] == question["id"]
    }
    for check in question["checks"]:
        statement = by_number.get(check["number"])
        if statement is None:
            report.problems.append(f"question {order}: room check {check['number']} is not in the record")
            continue
        if statement["text"] != check["text"]:
            report.problems.append(
                f"question {order}: room check {check['number']}'s text differs from the record's"
            )
        counted = tally_new()
        for (_voter, statement_id), choice in state.answers.items():
            if statement_id == statement["id"]:
                counted[choice] += 1
        if not same(check["tally"], counted):
            report.problems.append(
                f"question {order}: room check {check['number']} in the document is "
                f"{_tally_text(check['tally'])}; the record gives {_tally_text(counted)}"
            )
        else:
            checked["checks"] += 1


def _opinions_check(question, current: list[tuple[str, int, str]], settings: dict, report: Report) -> None:
    # numpy and scikit-learn: imported only when asked.
    from deliberation.analysis.opinions import OpinionSettings, opinion_groups

    order = question["order"]
    known = OpinionSettings.__dataclass_fields__
    used = OpinionSettings(**{key: value for key, value in settings.items() if key in known})
    groups = opinion_groups([(voter, pk, POLIS_VOTE[choice]) for voter, pk, choice in current], settings=used)
    recomputed = sorted(group["size"] for group in groups["groups"])
    stated = sorted(group["size"] for group in question["opinion_groups"])
    if recomputed == stated:
        if stated:
            report.checked.append(f"question {order}: opinion groups of sizes {stated} recomputed")
        else:
            report.checked.append(f"question {order}: no opinion groups, and none on a fresh run")
    else:
        # Not an error by itself: the live map keeps its previous run's groups steady (a new k must win by
        # a margin) and may predate the last votes; a fresh run on the final votes can differ.
        report.notes.append(
            f"question {order}: opinion groups in the document have sizes {stated or 'none'}; "
            f"a fresh run on the record's ballots gives {recomputed or 'none'} "
            "(the live map may predate the last votes, and keeps earlier runs' groups steady)"
        )


def earlier_check(path: str, events: list[dict[str, Any]], report: Report) -> None:
    """An earlier bundle's last event must be on this chain, with the same hash: the history it held
    was not rewritten since."""
    try:
        with zipfile.ZipFile(path) as bundle:
            last = json.loads(_read(bundle, "record/chain.json"))["last"]
    except (zipfile.BadZipFile, OSError, json.JSONDecodeError, KeyError) as error:
        raise BundleError(f"{path}: {error}") from error
    here = next((event for event in events if event["seq"] == last["seq"]), None)
    if here is None or here["hash"] != last["hash"]:
        report.problems.append(
            f"the earlier bundle ends at event seq {last['seq']} with hash {last['hash']}; this record "
            + ("has no such event" if here is None else f"has {here['hash']} there: history was rewritten")
        )
    else:
        report.checked.append(f"the earlier bundle's last event (seq {last['seq']}) is on this chain")


def verify_bundle(path: str, *, opinions: bool = True, earlier: str | None = None) -> Report:
    report = Report()
    try:
        with zipfile.ZipFile(path) as bundle:
            document = json.loads(_read(bundle, "document.json"))
            chain = json.loads(_read(bundle, "record/chain.json"))
            events = [json.loads(line) for line in _read(bundle, "record/events.jsonl").splitlines() if line]
            files = {
                name: bundle.read(name).decode("utf-8")
                for name in bundle.namelist()
                if name.endswith((".csv",))
            }
    except (zipfile.BadZipFile, OSError, json.JSONDecodeError) as error:
        raise BundleError(str(error)) from error
    chain_check(events, chain, document, report)
    if earlier is not None:
        earlier_check(earlier, events, report)
    document_check(events, document, report)
    head = (document.get("chain") or {}).get("seq", 0)
    state = replay(events, head, report)
    figures_check(document, state, files, report, opinions=opinions)
    report.notes.append(
        "not checkable from public data, by design: who took part and who spoke (people are not in the "
        "record), breakdowns by actor type and by opinion group (only that they add up within each tally)"
    )
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deliberation.verify", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "bundle", help="a re-analysis bundle (bundle.zip) downloaded from a published document"
    )
    parser.add_argument("--no-opinions", action="store_true", help="skip re-running the opinion groups")
    parser.add_argument(
        "--earlier",
        metavar="OLDER.zip",
        help="a bundle downloaded before: check its history is unchanged here",
    )
    args = parser.parse_args(argv)
    try:
        report = verify_bundle(args.bundle, opinions=not args.no_opinions, earlier=args.earlier)
    except BundleError as error:
        print(f"not a bundle this tool can check: {error}", file=sys.stderr)
        return 2
    for line in report.checked:
        print(f"checked  {line}")
    for line in report.notes:
        print(f"note     {line}")
    for line in report.problems:
        print(f"DIFFERS  {line}")
    print(
        "OK: the record verifies and every figure checked matches."
        if report.ok
        else f"FAILED: {len(report.problems)} differences."
    )
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
