"""Hostile text through every input reaches every page and export as text, never as markup or a formula.
Pages rendered on the server are checked here; the live screens, which render in the browser, are
checked in Chromium (tests/browser/test_hostile_content.py)."""

import csv
import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from deliberation.models import Participant, Proposal, Roundtable
from deliberation.services.moderation import proposal_edit, proposal_flag, proposal_hide
from deliberation.services.proposals import proposal_submit
from deliberation.services.questions import question_phase_set
from deliberation.sessions import session_participant_remember

pytestmark = pytest.mark.django_db

SCRIPT = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
FORMULA = '=HYPERLINK("http://evil.example","x")'
# A display name is 60 characters at most: a formula and markup in one.
HOSTILE_NAME = '=1+1<img src=x onerror="window.__pwned=1">'
RAW_MARKUP = re.compile(r"<script>window\.__pwned|<img src=x onerror")


def assert_no_markup(page: str, where: str) -> None:
    assert not RAW_MARKUP.search(page), f"raw markup reached {where}"


def test_hostile_text_from_every_input_is_shown_as_text_everywhere(client):
    organizer = get_user_model().objects.create_user(username="o", email="o@example.org")
    client.force_login(organizer)
    created = client.post(
        "/organize/new/",
        {
            "languages": ["en"],
            "title_en": f"Title {SCRIPT}",
            "questions_en": f"Question {SCRIPT}",
            "capacity": "50",
            "time_zone": "UTC",
            "code": "HOSTILE",
        },
    )
    assert created.status_code == 302
    roundtable = Roundtable.objects.get(code="HOSTILE")
    organizer_seat = Participant.objects.get(user=organizer)
    client.post(
        "/r/HOSTILE/organize/registration/",
        {"step": "add", "email": "eve@example.org", "display_name": "<script>window.__pwned=1</script>"},
    )
    csv_file = SimpleUploadedFile("list.csv", f"email,name\nmal@example.org,{FORMULA}\n".encode())
    client.post("/r/HOSTILE/organize/registration/", {"step": "upload", "file": csv_file})

    participant = type(client)()
    joined = participant.post(
        "/r/HOSTILE/join/", {"display_name": HOSTILE_NAME, "actor_type": "sme", "language": "en"}
    )
    assert joined.status_code == 302
    author = Participant.objects.get(actor_type="sme")
    question = roundtable.questions.get().pk
    ids = {"roundtable_id": roundtable.pk}
    question_phase_set(**ids, participant_id=organizer_seat.pk, question_id=question, state="collecting")
    proposal = proposal_submit(**ids, participant_id=author.pk, question_id=question, text=f"Idea {SCRIPT}")
    proposal_id = proposal.result["proposal"]
    proposal_edit(**ids, participant_id=organizer_seat.pk, proposal_id=proposal_id, text=f"Edited {SCRIPT}")
    proposal_hide(
        **ids, participant_id=organizer_seat.pk, proposal_id=proposal_id, reason=f"{FORMULA} {SCRIPT}"
    )
    assert Proposal.objects.get(pk=proposal_id).text == f"Edited {SCRIPT}", (
        "stored as typed (one line), escaped when shown"
    )
    other = proposal_submit(**ids, participant_id=organizer_seat.pk, question_id=question, text="Plain")
    proposal_flag(**ids, participant_id=author.pk, proposal_id=other.result["proposal"])  # in the audit log

    staff_pages = ["/organize/", "/r/HOSTILE/organize/", "/r/HOSTILE/moderate/", "/r/HOSTILE/screen/"]
    for path in staff_pages:
        page = client.get(path).content.decode()
        assert_no_markup(page, path)
    organize = client.get("/r/HOSTILE/organize/").content.decode()
    assert "<td>&lt;script&gt;window.__pwned=1&lt;/script&gt;</td>" in organize
    assert "Title &lt;script&gt;" in organize

    for path in ["/r/HOSTILE/", "/r/HOSTILE/privacy/"]:
        page = participant.get(path).content.decode()
        assert_no_markup(page, path)
    joined_page = participant.get("/r/HOSTILE/").content.decode()
    assert "&lt;img src=x onerror=" in joined_page, "the name is shown, escaped"
    assert_no_markup(type(client)().get("/r/HOSTILE/").content.decode(), "the join form")

    # Exports: JSON is data, not markup; the CSV never starts a cell with a formula.
    own = json.loads(participant.get("/r/HOSTILE/privacy/data.json").content)
    assert own["you"]["display_name"] == HOSTILE_NAME
    audit = list(csv.reader(io.StringIO(client.get("/r/HOSTILE/organize/audit.csv").content.decode())))
    cells = [cell for row in audit[1:] for cell in row]
    assert not [cell for cell in cells if cell[:1] in {"=", "+", "-", "@"}], (
        "a formula would run in a spreadsheet"
    )
    assert '\'=1+1<img src=x onerror="window.__pwned=1">' in cells, "the name, defused, not dropped"


def test_a_hostile_display_name_is_escaped_on_its_own_participant_page(client):
    """The page greets the person by the name they typed: that name is shown, escaped, never run."""
    roundtable = Roundtable.objects.create(
        code="H2", languages=["en"], actor_types=[{"key": "sme", "en": "SME"}]
    )
    roundtable.questions.create(order=1, text={"en": "Q"}, state="collecting")
    hostile = Participant.objects.create(
        roundtable=roundtable, display_name=SCRIPT, actor_type="sme", language="en"
    )
    session = client.session
    session_participant_remember(session=session, participant=hostile)
    session.save()
    page = client.get("/r/H2/").content.decode()
    assert_no_markup(page, "the participant page")
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
