"""A participant downloads their own contributions, and can be anonymised or erased: everywhere,
including the event log that replays rebuild screens from."""

import json

import pytest

from deliberation.analysis.embedding import content_words, encoder_name
from deliberation.models import Event, Participant, Proposal, Registrant, Vote
from deliberation.selectors import proposal_tally, roundtable_snapshot
from deliberation.services.analysis import proposals_embed, vector_cache
from deliberation.services.moderation import proposal_edit, proposal_flag
from deliberation.services.proposals import proposal_submit
from deliberation.services.statements import statement_put, statement_respond
from deliberation.services.votes import vote_cast
from deliberation.sessions import session_participant_remember
from tests.factories import ParticipantFactory, RoundtableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(client):
    roundtable = RoundtableFactory(code="PRIV1")
    ana = ParticipantFactory(roundtable=roundtable, display_name="Ana Quispe", language="es")
    ben = ParticipantFactory(roundtable=roundtable, display_name="Ben")
    moderator = ParticipantFactory(roundtable=roundtable, role="moderator")
    question = roundtable.questions.get(order=1).pk
    ids = {"roundtable_id": roundtable.pk}
    ana_idea = proposal_submit(
        **ids, participant_id=ana.pk, question_id=question, text="Presupuesto abierto"
    ).result
    ben_idea = proposal_submit(**ids, participant_id=ben.pk, question_id=question, text="Open data").result
    vote_cast(**ids, participant_id=ana.pk, proposal_id=ben_idea["proposal"], choice="disagree")
    vote_cast(**ids, participant_id=ben.pk, proposal_id=ana_idea["proposal"], choice="agree")
    proposal_flag(**ids, participant_id=ana.pk, proposal_id=ben_idea["proposal"])
    proposal_edit(
        **ids, participant_id=moderator.pk, proposal_id=ana_idea["proposal"], text="Presupuesto abierto anual"
    )
    check = statement_put(
        **ids, participant_id=moderator.pk, question_id=question, text="Un presupuesto abierto cada año"
    ).result
    statement_respond(**ids, participant_id=ana.pk, statement_id=check["statement"], choice="agree")
    Registrant.objects.create(roundtable=roundtable, email="ana@example.org", token="t", participant=ana)
    session = client.session
    session_participant_remember(session=session, participant=ana)
    session.save()
    return roundtable, ana, ben, ana_idea["proposal"], ben_idea["proposal"]


def event_log_text(roundtable) -> str:
    return json.dumps(
        [[e.data, e.staff, e.private] for e in Event.objects.filter(roundtable=roundtable)],
        ensure_ascii=False,
    )


def test_a_participant_downloads_exactly_their_own_contributions(client, room):
    _roundtable, _ana, _ben, _ana_idea, ben_idea = room

    response = client.get("/r/PRIV1/privacy/data.json")

    assert response["Content-Disposition"] == 'attachment; filename="my-contributions-PRIV1.json"'
    data = json.loads(response.content)
    assert data["you"]["display_name"] == "Ana Quispe"
    assert [p["text"] for p in data["proposals"]] == ["Presupuesto abierto anual"]
    assert data["votes"] == [{"proposal": ben_idea, "proposal_text": "Open data", "choice": "disagree"}]
    assert [r["proposal"] for r in data["reports"]] == [ben_idea]
    assert [(a["question"], a["check"], a["statement"], a["choice"]) for a in data["room_checks"]] == [
        (1, 1, "Un presupuesto abierto cada año", "agree")
    ]
    assert "ana@example.org" not in response.content.decode(), "no email in what the roundtable shows"
    page = client.get("/r/PRIV1/privacy/").content.decode()
    assert "Tus propuestas: 1; tus votos: 1; tus reportes: 1" in page
    assert "Tus respuestas a las consultas a la sala: 1" in page


def test_anonymising_removes_the_name_everywhere_and_keeps_the_contributions(client, room):
    roundtable, ana, ben, ana_idea, _ben_idea = room
    assert "Ana Quispe" in event_log_text(roundtable)

    response = client.post("/r/PRIV1/privacy/anonymise/", {"confirm": "yes"}, follow=True)

    assert "Tu nombre ya no aparece" in response.content.decode()
    assert "Ana Quispe" not in event_log_text(roundtable)
    seen_by_ben = {p["id"]: p for p in roundtable_snapshot(roundtable=roundtable, viewer=ben)["proposals"]}
    assert seen_by_ben[ana_idea]["author"] == {"name": None, "actor_type": "civil-society"}
    assert seen_by_ben[ana_idea]["tally"]["agree"] == 1, "the contribution stays"
    assert Vote.objects.filter(participant=ana).count() == 1
    # The registration keeps its one seat (a new seat per anonymisation would be a second vote).
    assert Registrant.objects.get(email="ana@example.org").participant == ana
    event = Event.objects.filter(roundtable=roundtable).last()
    assert event.kind == "participant.anonymised"
    assert event.data["proposals"][str(ana_idea)]["author"]["name"] is None


def test_erasing_deletes_the_contributions_and_their_trace_in_the_log(client, room):
    roundtable, ana, _ben, ana_idea, ben_idea = room
    unconfirmed = client.post("/r/PRIV1/privacy/erase/", {})
    assert unconfirmed.status_code == 302 and Participant.objects.filter(pk=ana.pk).exists()

    response = client.post("/r/PRIV1/privacy/erase/", {"confirm": "yes"}, follow=True)

    assert "Se eliminaron tus propuestas, votos y reportes" in response.content.decode()
    assert not Participant.objects.filter(pk=ana.pk).exists()
    assert not Proposal.objects.filter(pk=ana_idea).exists()
    assert proposal_tally(proposal_id=ben_idea) == {"agree": 0, "disagree": 0, "pass": 0}
    log = event_log_text(roundtable)
    for trace in ("Ana Quispe", "Presupuesto abierto"):
        assert trace not in log, trace
    events = Event.objects.filter(roundtable=roundtable)
    assert not [e.seq for e in events if str(ana.pk) in e.private], "her own parts (her votes) are gone"
    assert not events.filter(actor_id=ana.pk).exists()
    event = Event.objects.filter(roundtable=roundtable).last()
    assert event.kind == "participant.erased" and event.data["proposals"][str(ana_idea)] is None
    assert event.data["participants"]["total"] == 1
    assert "join-form" in client.get("/r/PRIV1/").content.decode(), "the browser no longer holds a seat"
    seqs = list(Event.objects.filter(roundtable=roundtable).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1)), "the log stays gapless"


def test_erasing_takes_the_proposals_vectors_out_of_the_vector_cache(
    client, room, settings, tmp_path, django_capture_on_commit_callbacks
):
    """With a vector cache (ROUNDTABLE_VECTOR_CACHE_DIR), an erased proposal's vectors do not outlive it
    there (once the erasure commits); another person's stay."""
    _roundtable, _ana, _ben, ana_idea, ben_idea = room
    settings.ROUNDTABLE_VECTOR_CACHE_DIR = str(tmp_path)
    question = Proposal.objects.get(pk=ana_idea).question_id
    proposals_embed(question_id=question)
    cache = vector_cache()
    mine, theirs = Proposal.objects.get(pk=ana_idea), Proposal.objects.get(pk=ben_idea)
    encoder = encoder_name()
    assert cache.get(encoder, mine.text) is not None and cache.get(encoder, theirs.text) is not None

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/r/PRIV1/privacy/erase/", {"confirm": "yes"})

    assert not Proposal.objects.filter(pk=ana_idea).exists()
    assert cache.get(encoder, mine.text) is None
    assert cache.get(encoder, content_words(mine.text, mine.language)) is None
    assert cache.get(encoder, theirs.text) is not None


def test_a_moderator_cannot_erase_themselves_here(client, room):
    roundtable = room[0]
    moderator = roundtable.participants.get(role="moderator")
    session = client.session
    session_participant_remember(session=session, participant=moderator)
    session.save()
    response = client.post("/r/PRIV1/privacy/erase/", {"confirm": "yes"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Participant.objects.filter(pk=moderator.pk).exists()
