"""The proposal document: moderators' concurrent drafts (merged or refused with both versions marked,
nothing lost), citations resolving to the right proposals and counts, sanitising, publishing freezing a
version, and every export opened by a parser."""

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import jsonschema
import pypdf
import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from deliberation.analysis.opinions import opinion_groups, polis_votes_read
from deliberation.document.build import document_build
from deliberation.document.export_data import document_bundle, polis_comments_csv, polis_votes_csv
from deliberation.document.export_markdown import document_markdown
from deliberation.document.export_pdf import document_pdf
from deliberation.document.files import document_schema_text
from deliberation.errors import ServiceError
from deliberation.models import DraftRevision, Event, Publication, Role
from deliberation.services import drafts, publications, statements
from deliberation.services.proposals import proposal_submit
from deliberation.services.votes import vote_cast
from tests.factories import ParticipantFactory, RoundtableFactory

pytestmark = pytest.mark.django_db(transaction=True)
SCHEMA = json.loads(document_schema_text())


@pytest.fixture
def room():
    roundtable = RoundtableFactory(organizers=["UCLG Forum of Regions", "CONGOPE"])
    question = roundtable.questions.get(order=1)
    people = [
        ParticipantFactory(roundtable=roundtable, actor_type=actor_type, language="es")
        for actor_type in ("government-local", "government-local", "academia-research", "citizen")
    ]
    mia = ParticipantFactory(roundtable=roundtable, display_name="Mia", role=Role.MODERATOR)
    leo = ParticipantFactory(roundtable=roundtable, display_name="Leo", role=Role.MODERATOR)
    organizer = ParticipantFactory(roundtable=roundtable, display_name="Olga", role=Role.ORGANIZER)
    return roundtable, question, people, mia, leo, organizer


def ids(roundtable, person):
    return {"roundtable_id": roundtable.pk, "participant_id": person.pk}


def submit(roundtable, question, person, text):
    return proposal_submit(**ids(roundtable, person), question_id=question.pk, text=text).result["proposal"]


BASE = "## Partnerships\n\nA shared fund.\n\n## Funding\n\nTo be written.\n"


def test_two_moderators_saving_different_lines_from_one_version_are_merged(room):
    roundtable, question, _, mia, leo, _ = room
    drafts.draft_save(**ids(roundtable, mia), question_id=question.pk, base_version=0, text=BASE)
    first = drafts.draft_save(
        **ids(roundtable, mia),
        question_id=question.pk,
        base_version=1,
        text=BASE.replace("A shared", "One shared"),
    )
    second = drafts.draft_save(
        **ids(roundtable, leo),
        question_id=question.pk,
        base_version=1,
        text=BASE.replace("To be written", "Banks"),
    )
    assert (first.result["version"], second.result) == (2, {"version": 3, "merged": True, "language": "en"})
    latest = DraftRevision.objects.get(question=question, version=3)
    assert "One shared fund." in latest.text and "Banks." in latest.text, "both moderators' words kept"
    assert latest.merged and latest.author == leo


def test_saving_the_same_line_from_an_old_version_is_refused_with_both_versions_marked(room):
    roundtable, question, _, mia, leo, _ = room
    drafts.draft_save(**ids(roundtable, mia), question_id=question.pk, base_version=0, text=BASE)
    drafts.draft_save(
        **ids(roundtable, mia),
        question_id=question.pk,
        base_version=1,
        text=BASE.replace("A shared", "Mia's"),
    )
    with pytest.raises(ServiceError) as refused:
        drafts.draft_save(
            **ids(roundtable, leo),
            question_id=question.pk,
            base_version=1,
            text=BASE.replace("A shared", "Leo's"),
        )
    assert refused.value.code == "draft_conflict"
    assert refused.value.params["version"] == 2 and refused.value.params["author"] == "Mia"
    marked = refused.value.params["merged"]
    assert "Mia's fund." in marked and "Leo's fund." in marked and "<<<<<<<" in marked
    assert "Mia" in refused.value.message
    assert DraftRevision.objects.filter(question=question).count() == 2, "nothing written"

    # Leo's save with the markers still in is refused; once he resolves them, it is version 3.
    with pytest.raises(ServiceError) as markers:
        drafts.draft_save(**ids(roundtable, leo), question_id=question.pk, base_version=2, text=marked)
    assert markers.value.code == "draft_markers"
    resolved = BASE.replace("A shared fund.", "Mia's fund, and Leo's fund.")
    result = drafts.draft_save(**ids(roundtable, leo), question_id=question.pk, base_version=2, text=resolved)
    assert result.result == {"version": 3, "merged": False, "language": "en"}


def test_participants_cannot_draft_and_a_retry_saves_once(room):
    roundtable, question, people, mia, _, _ = room
    with pytest.raises(ServiceError) as refused:
        drafts.draft_save(**ids(roundtable, people[0]), question_id=question.pk, base_version=0, text="Mine")
    assert refused.value.code == "forbidden"
    for _ in range(2):
        drafts.draft_save(
            **ids(roundtable, mia), question_id=question.pk, base_version=0, text="Once", command_id="c1"
        )
    assert Event.objects.filter(kind="draft.updated").count() == 1


def _voted_room(room):
    roundtable, question, people, _mia, _leo, _organizer = room
    fund = submit(roundtable, question, people[0], "Crear un fondo común para proyectos locales")
    data = submit(roundtable, question, people[2], "Publish partnership data openly")
    for person, (on_fund, on_data) in zip(
        people,
        [("agree", "pass"), ("agree", "disagree"), ("disagree", "agree"), ("agree", "agree")],
        strict=True,
    ):
        vote_cast(**ids(roundtable, person), proposal_id=fund, choice=on_fund)
        vote_cast(**ids(roundtable, person), proposal_id=data, choice=on_data)
    return fund, data


def test_citations_resolve_to_the_cited_proposals_with_their_counts_by_actor_type_and_group(room, settings):
    # Actor types with fewer than two voters are counted together (the default minimum, 3, would fold
    # every type of this four-person room).
    settings.ROUNDTABLE_BREAKDOWN_MIN_GROUP = 2
    roundtable, question, people, mia, _, _ = room
    fund, _data = _voted_room(room)
    # Opinion groups as a run stores them: people 0, 1 in group A; 2, 3 in group B.
    question.opinions = {
        "groups": [{"id": 0, "size": 2, "actor_types": {"government-local": 2}}, {"id": 1, "size": 2}],
        "consensus": [{"proposal": fund, "score": 0.5}],
        "state": {
            "members": {
                str(people[0].pk): 0,
                str(people[1].pk): 0,
                str(people[2].pk): 1,
                str(people[3].pk): 1,
            }
        },
    }
    question.save(update_fields=["opinions"])
    drafts.draft_save(
        **ids(roundtable, mia), question_id=question.pk, base_version=0, text=f"We agree on a fund [#{fund}]."
    )
    document = document_build(roundtable=roundtable)
    section = document["questions"][0]
    assert section["citations"]["proposals"] == [fund]
    cited = next(p for p in section["proposals"] if p["id"] == fund)
    assert cited["tally"] == {"agree": 3, "disagree": 1, "pass": 0}
    assert cited["by_actor_type"] == {
        "_other": {"agree": 1, "disagree": 1, "pass": 0},  # academia-research and citizen, one each
        "government-local": {"agree": 2, "disagree": 0, "pass": 0},
    }
    assert cited["by_group"] == {
        "A": {"agree": 2, "disagree": 0, "pass": 0},
        "B": {"agree": 1, "disagree": 1, "pass": 0},
    }
    assert cited["consensus"] is True
    # Coverage: 3 of the 5 agree votes went to the cited proposal.
    assert section["coverage"]["support"] == 0.6
    with translation.override("en"):
        markdown = document_markdown(document, "en")
    assert f"[#{fund}](#proposal-{fund})" in markdown
    assert "agree 3 · disagree 1 · pass 0" in markdown
    assert "Group A: agree 2 · disagree 0 · pass 0" in markdown
    assert "Other actor types: agree 1 · disagree 1 · pass 0" in markdown
    assert "Written in Spanish" in markdown and "Crear un fondo común" in markdown


def test_a_script_in_a_proposal_or_a_draft_never_reaches_a_page_or_a_file(room):
    roundtable, question, people, mia, _, organizer = room
    bad = submit(roundtable, question, people[0], "<script>alert('p')</script> fund")
    drafts.draft_save(
        **ids(roundtable, mia),
        question_id=question.pk,
        base_version=0,
        text=f"<script>alert('d')</script>\n\n[click](javascript:alert(1)) <img src=x onerror=alert(2)>"
        f" [#{bad}]",
    )
    publications.document_publish(**ids(roundtable, organizer))
    page = Client().get("/p/" + Publication.objects.get().slug + "/").content.decode()
    assert "<script>alert" not in page
    assert 'href="javascript' not in page, "the link is dropped; its text stays as text"
    assert "<img" not in page
    assert "&lt;script&gt;alert(&#x27;p&#x27;)" in page or "&lt;script&gt;alert('p')" in page, "shown as text"
    document = Publication.objects.get().document
    with translation.override("en"):
        markdown = document_markdown(document, "en")
    assert "<script>" not in markdown and "<img" not in markdown


def _pdf_text(body: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)


def _page(path: str) -> str:
    """A page without its per-request CSRF token (the language switch is a form)."""
    html = Client().get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_publishing_freezes_a_version_and_a_correction_is_a_new_one_with_its_changes(room):
    roundtable, question, people, mia, _, organizer = room
    fund, _ = _voted_room(room)
    drafts.draft_save(
        **ids(roundtable, mia), question_id=question.pk, base_version=0, text=f"A fund [#{fund}]."
    )
    first = publications.document_publish(**ids(roundtable, organizer), slug="led-alliances")
    assert first.result == {"slug": "led-alliances", "version": 1}
    frozen = Publication.objects.get(version=1).document
    page_before = _page("/p/led-alliances/v1/")

    # The room goes on: more votes, a new draft. Version 1 does not move.
    vote_cast(**ids(roundtable, people[2]), proposal_id=fund, choice="agree")
    drafts.draft_save(
        **ids(roundtable, mia), question_id=question.pk, base_version=1, text=f"A common fund [#{fund}]."
    )
    assert Publication.objects.get(version=1).document == frozen
    caches["documents"].clear()  # drawn again from the database, not from what the process kept
    assert _page("/p/led-alliances/v1/") == page_before

    second = publications.document_publish(**ids(roundtable, organizer), slug="ignored", note="Wording")
    assert second.result == {"slug": "led-alliances", "version": 2}, "the first version fixed the address"
    latest = Client().get("/p/led-alliances/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Changes since version 1" in latest and "A common fund" in latest and "Wording" in latest
    assert "Version 2, published" in latest
    older = Client().get("/p/led-alliances/v1/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "versión 2" in older.lower()


def test_a_versions_pages_and_files_are_kept_per_language_and_served_the_same(room):
    roundtable, question, _people, mia, _, organizer = room
    fund, _ = _voted_room(room)
    drafts.draft_save(
        **ids(roundtable, mia), question_id=question.pk, base_version=0, text=f"A fund [#{fund}]."
    )
    publications.document_publish(**ids(roundtable, organizer), slug="kept")
    reader = Client()

    first = reader.get("/p/kept/v1/document.pdf?lang=fr")
    again = reader.get("/p/kept/v1/document.pdf?lang=fr")
    spanish = reader.get("/p/kept/v1/document.pdf?lang=es")

    assert again.content == first.content
    for header in ("Content-Type", "Content-Disposition", "Content-Language"):
        assert again[header] == first[header]
    assert first["Content-Disposition"] == 'attachment; filename="kept-v1-document.pdf"'
    assert (first["Content-Language"], spanish["Content-Language"]) == ("fr", "es")
    assert spanish.content != first.content, "each language is drawn and kept on its own"
    assert "d'accord" in _pdf_text(first.content) and "de acuerdo" in _pdf_text(spanish.content)
    assert "Version 1" in _page("/p/kept/v1/")
    french_page = reader.get("/p/kept/v1/?lang=fr").content.decode()
    assert "Téléchargements" in french_page and "Downloads" not in french_page
    assert reader.get("/p/kept/v1/nothing.txt").status_code == 404


def test_publishing_refuses_citations_of_nothing_and_an_address_taken(room):
    roundtable, question, _, mia, _, organizer = room
    drafts.draft_save(**ids(roundtable, mia), question_id=question.pk, base_version=0, text="See [#999999].")
    with pytest.raises(ServiceError) as refused:
        publications.document_publish(**ids(roundtable, organizer))
    assert refused.value.code == "document_citation_unknown" and "[#999999]" in refused.value.message
    drafts.draft_save(**ids(roundtable, mia), question_id=question.pk, base_version=1, text="Fine.")
    other = RoundtableFactory()
    other_organizer = ParticipantFactory(roundtable=other, role=Role.ORGANIZER)
    publications.document_publish(**ids(other, other_organizer), slug="taken")
    with pytest.raises(ServiceError) as taken:
        publications.document_publish(**ids(roundtable, organizer), slug="taken")
    assert taken.value.code == "slug_taken"
    with pytest.raises(ServiceError) as moderator:
        publications.document_publish(**ids(roundtable, mia))
    assert moderator.value.code == "forbidden"
    assert not Publication.objects.filter(roundtable=roundtable).exists()


def test_a_commitment_names_one_of_the_roundtables_actor_types_or_an_organisation(room):
    roundtable, question, _, mia, _, _ = room
    for fields, code in (
        ({"actor_type": "astronaut"}, "actor_type_invalid"),
        ({}, "commitment_responsible_missing"),
    ):
        with pytest.raises(ServiceError) as refused:
            drafts.commitment_add(**ids(roundtable, mia), question_id=question.pk, what="A fund", **fields)
        assert refused.value.code == code
    assert not question.commitments.exists()
    drafts.commitment_add(
        **ids(roundtable, mia), question_id=question.pk, what="A fund", actor_type="government-local"
    )
    assert question.commitments.get().actor_type == "government-local"


def test_every_export_opens_in_its_parser_and_says_the_same(room, tmp_path):
    roundtable, question, people, mia, _, organizer = room
    fund, data = _voted_room(room)
    statement = statements.statement_put(
        **ids(roundtable, mia), question_id=question.pk, text="Partnerships need a shared fund"
    ).result["statement"]
    statements.statement_respond(**ids(roundtable, people[0]), statement_id=statement, choice="agree")
    statements.statement_respond(**ids(roundtable, people[2]), statement_id=statement, choice="disagree")
    drafts.commitment_add(
        **ids(roundtable, mia),
        question_id=question.pk,
        what="Open a joint fund",
        actor_type="government-local",
    )
    drafts.draft_save(
        **ids(roundtable, mia),
        question_id=question.pk,
        base_version=0,
        text=f"## Fund\n\nA common fund for local projects [#{fund}] [check:1].\n\n- first\n- second\n",
    )
    publications.document_publish(**ids(roundtable, organizer), slug="led-exports")
    document = Publication.objects.get().document

    jsonschema.validate(document, SCHEMA)
    text = json.dumps(document)
    for person in people:
        assert person.display_name not in text
    assert "@" not in text, "no email anywhere"

    with translation.override("fr"):
        pdf = pypdf.PdfReader(io.BytesIO(document_pdf(document, "fr")))
    extracted = " ".join(page.extract_text() for page in pdf.pages)
    # Lines wrap wherever the page ends them: compare without whitespace.
    flat = "".join(extracted.split())
    for expected in (
        "A common fund for local projects",
        "Crear un fondo común",
        "Open a joint fund",
        "Version 1",
        "d'accord 3 · pas d'accord 1 · passe 0",  # the cited proposal's support, in French
    ):
        assert "".join(expected.split()) in flat, expected
    assert "Conclusions" in extracted and "Engagements" in extracted, "French interface"
    assert pdf.metadata.title

    comments = list(csv.DictReader(io.StringIO(polis_comments_csv(document, 1))))
    assert {int(row["comment-id"]) for row in comments} == {fund, data}
    assert {row["agrees"] for row in comments if int(row["comment-id"]) == fund} == {"3"}
    votes_path = tmp_path / "votes.csv"
    votes_path.write_text(polis_votes_csv(document, 1))
    stream = polis_votes_read(str(votes_path))
    assert len(stream) == 8 and {vote for _, _, vote in stream} == {1, -1, 0}
    assert opinion_groups(stream)["participants_in"] == 4, "re-analysable: the four voters come back"

    with translation.override("es"):
        bundle = zipfile.ZipFile(
            io.BytesIO(document_bundle(document, language="es", schema=document_schema_text()))
        )
    names = set(bundle.namelist())
    assert {
        "document.json",
        "document.md",
        "settings.json",
        "q1/comments.csv",
        "q1/votes.csv",
        "q1/proposals.jsonl",
    } <= names
    settings_used = json.loads(bundle.read("settings.json"))
    assert settings_used["opinions"]["min_votes"] == 7 and "neighbours" in settings_used["themes"]
    assert "Conclusiones" in bundle.read("document.md").decode()


def test_the_command_line_exports_the_draft_before_publishing_and_the_version_after(room, tmp_path):
    roundtable, question, _, mia, _, organizer = room
    empty = RoundtableFactory(code="EMPTY1")
    call_command("export_document", "EMPTY1", "--format", "md", "--output", str(tmp_path / "empty.md"))
    markdown = (tmp_path / "empty.md").read_text()
    assert "Draft, not published" in markdown and "Question 4" in markdown
    assert empty.title["en"] in markdown

    drafts.draft_save(**ids(roundtable, mia), question_id=question.pk, base_version=0, text="Agreed text.")
    call_command("export_document", roundtable.code, "--format", "json", "--output", str(tmp_path / "d.json"))
    assert json.loads((tmp_path / "d.json").read_text())["status"] == "draft"
    publications.document_publish(**ids(roundtable, organizer))
    for fmt, name in (("json", "p.json"), ("pdf", "p.pdf"), ("md", "p.md")):
        call_command(
            "export_document",
            roundtable.code,
            "--format",
            fmt,
            "--output",
            str(tmp_path / name),
            "--language",
            "es",
        )
    assert json.loads((tmp_path / "p.json").read_text())["version"] == 1
    slug = Publication.objects.get(roundtable=roundtable).slug
    download = Client().get(f"/p/{slug}/v1/document.json?lang=es")
    assert download.content == (tmp_path / "p.json").read_bytes(), (
        "a download and an export are the same file"
    )
    pdf = Client().get(f"/p/{slug}/v1/document.pdf?lang=es")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert Client().get(f"/p/{slug}/v1/nothing.txt").status_code == 404
    assert "Agreed text." in "".join(
        page.extract_text() for page in pypdf.PdfReader(tmp_path / "p.pdf").pages
    )
    assert "Versión 1" in (tmp_path / "p.md").read_text()
    call_command("export_document", roundtable.code, "--format", "csv", "--output", str(tmp_path / "csv"))
    assert sorted(path.name for path in Path(tmp_path / "csv").iterdir())[:2] == [
        "q1-comments.csv",
        "q1-votes.csv",
    ]
