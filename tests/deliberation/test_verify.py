"""A record anyone can verify (issue 19, part 2): a roundtable's events are hash-chained as they are
written, a published version states the head it was built from, and its re-analysis bundle lets
`python -m deliberation.verify` check the chain and recompute the document's figures, without a
database. Changing any vote, text or figure in a bundle makes it fail and say what changed; an erasure
leaves a mark on the chain, not a break."""

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.test import Client

from deliberation.chain import GENESIS, event_hash, leaf_digest
from deliberation.models import Event, Publication, Role, Roundtable
from deliberation.services import drafts, moderation, privacy, publications, statements
from deliberation.services.proposals import proposal_submit
from deliberation.services.votes import VoteRequest, vote_cast, votes_cast
from deliberation.verify import verify_bundle
from tests.factories import ParticipantFactory, RoundtableFactory

# Live: run again on PostgreSQL, where the published document comes back from JSONB (keys reordered,
# numbers re-encoded) and must still have the digest the chain committed to.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.live]
ROOT = Path(__file__).resolve().parents[2]


def ids(roundtable, person):
    return {"roundtable_id": roundtable.pk, "participant_id": person.pk}


@pytest.fixture
def session():
    """A real roundtable through the services: proposals, votes and a change of mind, a staff vote, a
    correction, a merge, a hidden proposal, a room check, conclusions citing a proposal, an erasure."""
    roundtable = RoundtableFactory(organizers=["UCLG Forum of Regions"])
    question = roundtable.questions.get(order=1)
    people = [
        ParticipantFactory(roundtable=roundtable, actor_type=actor_type, display_name=f"Person {n}")
        for n, actor_type in enumerate(
            ["government-local", "government-local", "academia-research", "citizen", "citizen", "citizen"]
        )
    ]
    mia = ParticipantFactory(roundtable=roundtable, display_name="Mia", role=Role.MODERATOR)
    olga = ParticipantFactory(roundtable=roundtable, display_name="Olga", role=Role.ORGANIZER)

    def submit(person, text):
        return proposal_submit(**ids(roundtable, person), question_id=question.pk, text=text).result[
            "proposal"
        ]

    fund = submit(people[0], "Create a common fund for local projects")
    data = submit(people[1], "Publish partnership data openly")
    twin = submit(people[2], "A shared fund for local projects")
    noise = submit(people[3], "Buy my product")
    gone = submit(people[5], "Meet every month in a different town")
    plan = [
        ("agree", "pass", "agree", "agree"),
        ("agree", "disagree", "disagree", "pass"),
        (None, "agree", "agree", "agree"),  # their vote on the twin moves to the fund when merged
        ("agree", "agree", "agree", None),
        ("pass", None, "agree", "disagree"),
        ("agree", "agree", None, "agree"),
    ]
    for person, choices in zip(people, plan, strict=True):
        for proposal, choice in zip((fund, data, twin, gone), choices, strict=True):
            if choice:
                vote_cast(**ids(roundtable, person), proposal_id=proposal, choice=choice)
    vote_cast(**ids(roundtable, people[1]), proposal_id=data, choice="agree")  # a change of mind
    vote_cast(**ids(roundtable, mia), proposal_id=fund, choice="disagree")  # staff: not counted
    moderation.proposal_edit(
        **ids(roundtable, mia), proposal_id=data, text="Publish all partnership data openly."
    )
    moderation.proposal_merge(**ids(roundtable, mia), proposal_id=twin, into_id=fund)
    moderation.proposal_hide(**ids(roundtable, mia), proposal_id=noise, reason="Off topic")
    check = statements.statement_put(
        **ids(roundtable, mia), question_id=question.pk, text="Partnerships need a shared fund"
    ).result["statement"]
    for person, choice in zip(people, ["agree", "agree", "disagree", "agree", "pass", "agree"], strict=True):
        statements.statement_respond(**ids(roundtable, person), statement_id=check, choice=choice)
    privacy.participant_erase(**ids(roundtable, people[5]))
    drafts.draft_save(
        **ids(roundtable, mia),
        question_id=question.pk,
        base_version=0,
        text=f"## Fund\n\nA common fund [#{fund}], checked with the room [check:1].\n",
    )
    return {
        "roundtable": roundtable,
        "question": question,
        "people": people,
        "mia": mia,
        "olga": olga,
        "fund": fund,
        "data": data,
        "twin": twin,
        "noise": noise,
        "gone": gone,
    }


def publish(session, tmp_path, name="bundle.zip"):
    publications.document_publish(**ids(session["roundtable"], session["olga"]), slug="led-verify")
    publication = Publication.objects.filter(roundtable=session["roundtable"]).order_by("-version").first()
    return download(publication, tmp_path, name)


def download(publication, tmp_path, name):
    response = Client().get(f"/p/{publication.slug}/v{publication.version}/bundle.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    path = tmp_path / name
    path.write_bytes(b"".join(response) if response.streaming else response.content)
    return path


def rewrite(path: Path, tmp_path: Path, change) -> Path:
    """A copy of the bundle with change(files) applied to its decoded files."""
    with zipfile.ZipFile(path) as bundle:
        files = {name: bundle.read(name).decode() for name in bundle.namelist()}
    change(files)
    out = tmp_path / f"tampered-{len(list(tmp_path.iterdir()))}.zip"
    with zipfile.ZipFile(out, "w") as bundle:
        for name, text in files.items():
            bundle.writestr(name, text)
    return out


def events_of(files):
    return [json.loads(line) for line in files["record/events.jsonl"].splitlines()]


def events_put(files, events):
    files["record/events.jsonl"] = "".join(json.dumps(event, sort_keys=True) + "\n" for event in events)


def document_edit(files, edit):
    document = json.loads(files["document.json"])
    edit(document)
    files["document.json"] = json.dumps(document, indent=2)


def problems(path) -> list[str]:
    return verify_bundle(str(path), opinions=False).problems


def test_a_published_roundtable_verifies_and_states_its_head_everywhere(session, tmp_path):
    path = publish(session, tmp_path)
    report = verify_bundle(str(path))
    assert report.problems == []
    assert any("proposal tallies" in line for line in report.checked), report.checked
    roundtable = Roundtable.objects.get(pk=session["roundtable"].pk)
    publication = Publication.objects.get(roundtable=roundtable)
    head = Event.objects.get(roundtable=roundtable, seq=publication.chain_seq)
    assert publication.chain_hash == head.hash and publication.document["chain"] == {
        "seq": head.seq,
        "hash": head.hash,
    }
    assert roundtable.chain_head == Event.objects.filter(roundtable=roundtable).order_by("-seq")[0].hash

    # The page, the Markdown and the PDF say it, in the reader's language.
    page = Client().get(f"/p/{publication.slug}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Établi à partir du registre des événements" in page and head.hash in page
    markdown = Client().get(f"/p/{publication.slug}/v1/document.md?lang=es").content.decode()
    assert "Elaborado a partir del registro de eventos" in markdown and head.hash in markdown
    import pypdf

    pdf = Client().get(f"/p/{publication.slug}/v1/document.pdf?lang=en")
    text = "".join(
        "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    assert "Builtfromtheeventrecord" in text and head.hash[:16] in text

    # The bundle names nobody: no display name, no participant id, no salt of a layer.
    with zipfile.ZipFile(path) as bundle:
        record = bundle.read("record/events.jsonl").decode()
    for person in session["people"]:
        assert person.display_name not in record
    assert "Mia" not in record and "Olga" not in record
    # A proposal's text as the document shows it; the wording a moderator corrected stays a digest.
    assert (
        "Publish all partnership data openly." in record and "Publish partnership data openly" not in record
    )
    events = [json.loads(line) for line in record.splitlines()]
    disclosed = {name for event in events for name in event["disclosed"]}
    assert not disclosed & {"data", "staff", "private", "actor"}
    ballots = [event["disclosed"]["ballot"]["value"] for event in events if "ballot" in event["disclosed"]]
    assert ballots and all(set(ballot) == {"proposal", "question", "voter", "choice"} for ballot in ballots)
    assert not {str(person.pk) for person in session["people"]} & {ballot["voter"] for ballot in ballots}


def test_the_verify_command_runs_without_django_on_a_downloaded_bundle(session, tmp_path):
    path = publish(session, tmp_path)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO", "DATABASE"))}
    run = subprocess.run(
        [sys.executable, "-m", "deliberation.verify", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "OK: the record verifies" in run.stdout
    no_django = subprocess.run(
        [sys.executable, "-c", "import sys, deliberation.verify; print('django' in sys.modules)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert no_django.stdout.strip() == "False", no_django.stderr

    tally = rewrite(
        path,
        tmp_path,
        lambda files: document_edit(
            files, lambda d: d["questions"][0]["proposals"][0]["tally"].update(agree=99)
        ),
    )
    run = subprocess.run(
        [sys.executable, "-m", "deliberation.verify", "--no-opinions", str(tally)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert "DIFFERS" in run.stdout and "tally in the document is agree 99" in run.stdout


def _ballot_seq(events, proposal):
    return next(
        event["seq"]
        for event in events
        if "ballot" in event["disclosed"] and event["disclosed"]["ballot"]["value"]["proposal"] == proposal
    )


def test_changing_any_vote_text_or_figure_fails_and_names_it(session, tmp_path):
    path = publish(session, tmp_path)
    fund, data = session["fund"], session["data"]
    with zipfile.ZipFile(path) as bundle:
        events = [json.loads(line) for line in bundle.read("record/events.jsonl").decode().splitlines()]
    seq = _ballot_seq(events, fund)

    def flip_ballot(files):
        changed = events_of(files)
        for event in changed:
            if event["seq"] == seq:
                ballot = event["disclosed"]["ballot"]["value"]
                ballot["choice"] = "disagree" if ballot["choice"] == "agree" else "agree"
        events_put(files, changed)

    def flip_ballot_and_its_digest(files):
        flip_ballot(files)
        changed = events_of(files)
        for event in changed:
            if event["seq"] == seq:
                opened = event["disclosed"]["ballot"]
                event["leaves"]["ballot"] = leaf_digest(salt=opened["salt"], value=opened["value"])
        events_put(files, changed)

    def rewrite_history(files):
        # A consistent forgery of one event (its ballot, digest and hash): the next one no longer follows.
        flip_ballot_and_its_digest(files)
        changed = events_of(files)
        for index, event in enumerate(changed):
            if event["seq"] == seq:
                prev = changed[index - 1]["hash"] if index else GENESIS
                event["hash"] = event_hash(prev=prev, seq=seq, kind=event["kind"], leaves=event["leaves"])
        events_put(files, changed)

    def drop_event(files):
        events_put(files, [event for event in events_of(files) if event["seq"] != seq])

    def edit_text_record(files):
        changed = events_of(files)
        for event in changed:
            opened = event["disclosed"].get(f"text:{data}")
            if opened:
                opened["value"]["text"] = "Keep partnership data secret"
        events_put(files, changed)

    def proposal(document, pk):
        return next(p for q in document["questions"] for p in q["proposals"] if p["id"] == pk)

    def doc_vote(document):
        vote = next(v for v in document["votes"] if v["proposal"] == fund)
        vote["choice"] = "disagree" if vote["choice"] == "agree" else "agree"

    def csv_vote(files):
        lines = files["q1/votes.csv"].splitlines()
        last = lines[-1].rsplit(",", 1)
        lines[-1] = f"{last[0]},{'1' if last[1] != '1' else '-1'}"
        files["q1/votes.csv"] = "\n".join(lines) + "\n"

    cases = [
        (flip_ballot, [f"event seq {seq}: record 'ballot' was changed", f"proposal #{fund}: tally"]),
        (flip_ballot_and_its_digest, [f"event seq {seq} (vote.cast): its hash does not cover"]),
        (rewrite_history, [f"event seq {seq + 1} (", f"proposal #{fund}: tally"]),
        (drop_event, [f"expected seq {seq}"]),
        (edit_text_record, [f"record 'text:{data}' was changed", f"proposal #{data}: its text"]),
        (
            lambda files: document_edit(files, lambda d: proposal(d, data).update(text="Keep it secret")),
            ["document.json is not the document published as version 1", f"proposal #{data}: its text"],
        ),
        (
            lambda files: document_edit(files, lambda d: proposal(d, fund)["tally"].update(agree=1)),
            [f"proposal #{fund}: tally in the document is agree 1"],
        ),
        (lambda files: document_edit(files, doc_vote), ["question 1: the document's list of votes"]),
        (csv_vote, ["q1/votes.csv: its votes are not the document's votes"]),
        (
            lambda files: document_edit(files, lambda d: d["questions"][0]["coverage"].update(support=1.0)),
            ["question 1: coverage in the document"],
        ),
        (
            lambda files: document_edit(
                files, lambda d: d["questions"][0]["checks"][0]["tally"].update(agree=9)
            ),
            ["question 1: room check 1 in the document is agree 9"],
        ),
        (
            lambda files: document_edit(
                files, lambda d: d["questions"][0]["checks"][0].update(text="Agreed")
            ),
            ["question 1: room check 1's text differs from the record's"],
        ),
        (
            lambda files: document_edit(files, lambda d: d["participation"].update(votes=1)),
            ["participation: the document counts 1 votes"],
        ),
        (
            lambda files: document_edit(files, lambda d: d["chain"].update(seq=d["chain"]["seq"] - 1)),
            ["record/chain.json and document.json state different heads"],
        ),
    ]
    assert problems(path) == []
    for change, expected in cases:
        found = problems(rewrite(path, tmp_path, change))
        for words in expected:
            assert any(words in line for line in found), (words, found)


def test_an_erasure_leaves_a_mark_not_a_break(session, tmp_path):
    roundtable = session["roundtable"]
    first = publish(session, tmp_path, "v1.zip")
    leaver = session["people"][3]
    seqs = list(
        Event.objects.filter(roundtable=roundtable, actor=leaver, kind="vote.cast").values_list(
            "seq", flat=True
        )
    )
    assert seqs
    privacy.participant_erase(**ids(roundtable, leaver))

    # The chain still holds, from the genesis to the erasure, over what the erasure rewrote.
    prev = GENESIS
    for event in Event.objects.filter(roundtable=roundtable).order_by("seq"):
        assert (
            event_hash(prev=prev, seq=event.seq, kind=event.kind, leaves=event.chain["leaves"]) == event.hash
        )
        prev = event.hash
        if event.seq in seqs:
            # Nothing left to guess their vote back from: no value, no salt.
            assert "ballot" not in event.chain["records"] and "ballot" not in event.chain["salts"]
            assert "ballot" in event.chain["leaves"]
    erased = Event.objects.filter(roundtable=roundtable, kind="participant.erased").order_by("-seq")[0]
    assert set(seqs) <= set(erased.chain["records"]["erasure"]["withheld"])

    # Version 1, published before, still verifies: the votes it counted are marked as erased since.
    publication = Publication.objects.get(roundtable=roundtable, version=1)
    again = download(publication, tmp_path, "v1-again.zip")
    report = verify_bundle(str(again), opinions=False)
    assert report.problems == [] and any("erased later" in note for note in report.notes), report.notes
    with zipfile.ZipFile(again) as bundle:
        events = {
            json.loads(line)["seq"]: json.loads(line)
            for line in bundle.read("record/events.jsonl").decode().splitlines()
        }
    assert all("ballot" not in events[seq]["disclosed"] for seq in seqs)
    assert first.exists()

    # A version published after it is recomputed exactly.
    publications.document_publish(**ids(roundtable, session["olga"]), note="After an erasure")
    second = download(Publication.objects.get(roundtable=roundtable, version=2), tmp_path, "v2.zip")
    report = verify_bundle(str(second), opinions=False)
    assert report.problems == [] and not any("erased later" in note for note in report.notes)
    # Version 1's bundle, kept by a reader: its history is still the start of this one.
    assert verify_bundle(str(second), opinions=False, earlier=str(first)).problems == []

    def other_history(files):
        chain = json.loads(files["record/chain.json"])
        chain["last"]["hash"] = "f" * 64
        files["record/chain.json"] = json.dumps(chain)

    forged = rewrite(first, tmp_path, other_history)
    found = verify_bundle(str(second), opinions=False, earlier=str(forged)).problems
    assert any("history was rewritten" in line for line in found), found

    # A ballot dropped by the publisher is not an erasure: it is named.
    with zipfile.ZipFile(second) as bundle:
        lines = bundle.read("record/events.jsonl").decode().splitlines()
    victim = next(json.loads(line)["seq"] for line in lines if '"ballot": {"salt"' in line)

    def withhold(files):
        changed = events_of(files)
        for event in changed:
            if event["seq"] == victim:
                del event["disclosed"]["ballot"]
        events_put(files, changed)

    found = problems(rewrite(second, tmp_path, withhold))
    assert any(
        f"event seq {victim}: its ballot is withheld, and no erasure lists it" in line for line in found
    )


def test_votes_written_in_one_batch_are_chained_in_seq_order():
    roundtable = RoundtableFactory()
    question = roundtable.questions.get(order=1)
    people = [ParticipantFactory(roundtable=roundtable) for _ in range(5)]
    proposal = proposal_submit(**ids(roundtable, people[0]), question_id=question.pk, text="A fund").result[
        "proposal"
    ]
    before = Roundtable.objects.get(pk=roundtable.pk).chain_head
    outcomes = votes_cast(
        roundtable_id=roundtable.pk,
        votes=[
            VoteRequest(participant_id=person.pk, proposal_id=proposal, choice="agree") for person in people
        ]
        + [VoteRequest(participant_id=people[0].pk, proposal_id=proposal, choice="pass")],
    )
    seqs = [outcome.seq for outcome in outcomes]
    events = list(Event.objects.filter(roundtable=roundtable, seq__in=seqs).order_by("seq"))
    prev = before
    for event in events:
        assert event.hash == event_hash(
            prev=prev, seq=event.seq, kind=event.kind, leaves=event.chain["leaves"]
        )
        ballot = event.chain["records"]["ballot"]
        assert (
            leaf_digest(salt=event.chain["salts"]["ballot"], value=ballot) == event.chain["leaves"]["ballot"]
        )
        prev = event.hash
    assert [event.chain["records"]["ballot"]["choice"] for event in events] == ["agree"] * 5 + ["pass"]
    voters = [event.chain["records"]["ballot"]["voter"] for event in events]
    assert voters[0] == voters[-1] and len(set(voters)) == 5, "one pseudonym per person in a question"
    assert Roundtable.objects.get(pk=roundtable.pk).chain_head == prev
