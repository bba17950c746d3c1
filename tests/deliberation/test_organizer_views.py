"""The organizer's and registration pages over HTTP: creating a roundtable, inviting a moderator by email,
the registration list and personal links, capacity, the audit log export, the projector page."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command

from deliberation.models import Event, Participant, Question, Registrant, Role, Roundtable
from deliberation.services.questions import question_phase_set
from tests.factories import ParticipantFactory, RoundtableFactory

pytestmark = pytest.mark.django_db

SEED_QUESTIONS = {
    "en": "\n".join(
        [
            "How can we guarantee balanced participation?",
            "Which governance instruments?",
            "How can governments help?",
            "Which planning mechanisms?",
        ]
    ),
    "es": "\n".join(
        [
            "¿Cómo garantizar la participación equilibrada?",
            "¿Qué instrumentos de gobernanza?",
            "¿Cómo pueden ayudar los gobiernos?",
            "¿Qué mecanismos de planificación?",
        ]
    ),
    "fr": "\n".join(
        [
            "Comment garantir une participation équilibrée ?",
            "Quels instruments de gouvernance ?",
            "Comment les gouvernements peuvent-ils aider ?",
            "Quels mécanismes de planification ?",
        ]
    ),
}


def create(client, **overrides):
    data = {
        "languages": ["en", "es", "fr"],
        "title_en": "Alliances and partnerships",
        "title_es": "Alianzas y partenariados",
        "title_fr": "Alliances et partenariats",
        "questions_en": SEED_QUESTIONS["en"],
        "questions_es": SEED_QUESTIONS["es"],
        "questions_fr": SEED_QUESTIONS["fr"],
        "capacity": "150",
        "registration_required": "on",
        "time_zone": "America/Argentina/Cordoba",
        "starts_at": "2021-05-26T09:55",
        "ends_at": "2021-05-26T11:25",
        "code": "led-2021",
        **overrides,
    }
    return client.post("/organize/new/", data)


def test_an_organizer_creates_a_roundtable_with_its_questions_languages_and_times(client, organizer):
    response = create(client)

    assert response.status_code == 302 and response["Location"] == "/r/LED-2021/organize/"
    roundtable = Roundtable.objects.get(code="LED-2021")
    assert roundtable.languages == ["en", "es", "fr"] and roundtable.capacity == 150
    assert roundtable.registration_required
    assert roundtable.starts_at == datetime.datetime(2021, 5, 26, 12, 55, tzinfo=datetime.UTC)
    assert roundtable.time_zone == "America/Argentina/Cordoba"
    assert [a["key"] for a in roundtable.actor_types][:2] == ["government-local", "government-regional"]
    assert len(roundtable.actor_types) == 10, "the forum card's multi-stakeholder set"
    questions = list(Question.objects.filter(roundtable=roundtable))
    assert [q.order for q in questions] == [1, 2, 3, 4]
    assert questions[1].text == {
        "en": "Which governance instruments?",
        "es": "¿Qué instrumentos de gobernanza?",
        "fr": "Quels instruments de gouvernance ?",
    }
    assert {q.state for q in questions} == {"closed"}
    assert Participant.objects.get(user=organizer).role == Role.ORGANIZER

    page = client.get(response["Location"]).content.decode()
    assert "http://testserver/r/LED-2021/" in page
    assert "<svg" in page and "QR code of the join link" in page
    assert "/r/LED-2021/moderate/" in client.get("/organize/").content.decode()


def test_questions_must_match_across_languages_with_a_translated_error(client, organizer):
    client.cookies["django_language"] = "es"
    response = create(client, questions_fr="Une seule question ?")

    assert response.status_code == 400
    assert "Da las mismas preguntas en cada idioma" in response.content.decode()
    assert not Roundtable.objects.exists()


def test_creating_needs_an_account(client):
    response = client.get("/organize/new/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_invited_moderator_accepts_from_the_email_and_lands_in_the_console(client, organizer):
    create(client)
    response = client.post(
        "/r/LED-2021/organize/invite/", {"email": "Mod@Example.org", "role": "moderator"}, follow=True
    )
    assert response.redirect_chain == [("/r/LED-2021/organize/", 302)], "reloading must not invite again"
    assert "Invitation sent to mod@example.org." in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["mod@example.org"]
    assert "invites you to moderate" in message.body and "te invita a moderar" in message.body
    link = re.search(r"http://testserver(/invitation/\S+/)", message.body).group(1)

    client.logout()
    assert "Accept and open the moderator console" in client.get(link).content.decode()
    accepted = client.post(link)

    assert accepted.status_code == 302 and accepted["Location"] == "/r/LED-2021/moderate/"
    seat = Participant.objects.get(user__email="mod@example.org")
    assert seat.role == Role.MODERATOR
    console = client.get("/r/LED-2021/moderate/")
    assert console.status_code == 200 and 'id="client-config"' in console.content.decode()
    # The console says the seat's public name and the role, in the reader's language (the name itself
    # is the role in the roundtable's first language when the account has none).
    assert "Your name in this roundtable: Moderator (Moderator)." in console.content.decode()
    french = client.get("/r/LED-2021/moderate/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Votre nom dans cette table ronde : Moderator (Modérateur·rice)." in french.content.decode()
    # Someone else holding the same link later gets nothing.
    other = get_user_model().objects.create_user(username="other", email="other@example.org")
    client.force_login(other)
    assert client.post(link)["Location"].startswith("/accounts/login/")
    assert not Participant.objects.filter(user=other).exists()


def test_registration_lets_in_only_listed_people_by_their_personal_links(client, organizer):
    create(client)
    upload = (
        b"email;name;actor_type\nana@example.org;Ana;government-local\nnot-an-email;X;sme\n"
        b"ben@example.org;;sme\nana@example.org;Ana;\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/r/LED-2021/organize/registration/",
        {"step": "upload", "file": SimpleUploadedFile("list.csv", upload, content_type="text/csv")},
        follow=True,
    )
    assert "Added 2, already listed 1, left out 1." in response.content.decode()
    assert "Lines left out: 3." in response.content.decode()
    sent = client.post("/r/LED-2021/organize/registration/", {"step": "send"}, follow=True)
    assert "Sent 2 personal links." in sent.content.decode()
    links = {
        m.to[0]: re.search(r"http://testserver(/r/LED-2021/me/\S+/)", m.body).group(1) for m in mail.outbox
    }

    client.logout()
    stranger = client.get("/r/LED-2021/")
    assert "This roundtable is for registered people only" in stranger.content.decode()
    refused = client.post("/r/LED-2021/join/", {"display_name": "Eve", "actor_type": "sme", "language": "en"})
    assert refused.status_code == 400 and not Participant.objects.filter(display_name="Eve").exists()

    form = client.get(links["ana@example.org"]).content.decode()
    assert 'value="Ana"' in form and "Registered as ana@example.org." in form
    token = Registrant.objects.get(email="ana@example.org").token
    joined = client.post(
        "/r/LED-2021/join/",
        {"display_name": "Ana", "actor_type": "government-local", "language": "es", "token": token},
    )
    assert joined.status_code == 302
    ana = Participant.objects.get(display_name="Ana")
    assert Registrant.objects.get(email="ana@example.org").participant == ana

    # The same link on another device is the same person, not a second seat.
    client.cookies.clear()
    again = client.get(links["ana@example.org"])
    assert again.status_code == 200 and "Take your seat" in again.content.decode(), "a GET only asks"
    assert client.post(links["ana@example.org"]).status_code == 302
    assert "Participas como Ana" in client.get("/r/LED-2021/").content.decode()
    assert Participant.objects.filter(role=Role.PARTICIPANT).count() == 1


def test_a_lost_link_is_sent_again_without_telling_who_is_registered(client):
    roundtable = RoundtableFactory(code="REG1", registration_required=True)
    Registrant.objects.create(roundtable=roundtable, email="ana@example.org", token="t-ana")

    known = client.post("/r/REG1/me/", {"email": "ANA@example.org"})
    unknown = client.post("/r/REG1/me/", {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 200
    assert "If this email is on the list" in known.content.decode()
    assert known.content.decode().count("on its way") == unknown.content.decode().count("on its way") == 1
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert "/r/REG1/me/t-ana/" in mail.outbox[0].body


def test_the_151st_person_of_a_150_seat_roundtable_is_told_in_their_language(client):
    roundtable = RoundtableFactory(code="FULL150", capacity=150)
    Participant.objects.bulk_create(
        Participant(roundtable=roundtable, display_name=f"P{n}", actor_type="citizen", language="en")
        for n in range(150)
    )
    # Moderators do not take participants' seats.
    ParticipantFactory(roundtable=roundtable, role=Role.MODERATOR)

    response = client.post(
        "/r/FULL150/join/", {"display_name": "Late", "actor_type": "sme", "language": "es"}
    )

    assert response.status_code == 400
    assert "Esta mesa redonda está completa: todos los lugares están ocupados." in response.content.decode()
    assert Participant.objects.filter(role=Role.PARTICIPANT).count() == 150


def test_the_audit_log_export_lists_who_did_what_and_when(client, organizer):
    create(client)
    roundtable = Roundtable.objects.get(code="LED-2021")
    seat = Participant.objects.get(user=organizer)
    question = roundtable.questions.get(order=1)
    question_phase_set(
        roundtable_id=roundtable.pk, participant_id=seat.pk, question_id=question.pk, state="collecting"
    )

    page = client.get("/r/LED-2021/organize/").content.decode()
    export = client.get("/r/LED-2021/organize/audit.csv")

    assert 'id="audit-log"' in page and "org@example.org" in page
    assert export["Content-Type"].startswith("text/csv")
    lines = export.content.decode().splitlines()
    assert lines[0] == "seq,at,actor,role,email,action,question,proposal,details"
    event = Event.objects.get(roundtable=roundtable, data__action="phase")
    assert lines[1].startswith(
        f"{event.seq},{event.created_at.isoformat()},Organizer,organizer,org@example.org,phase,1,"
    )
    assert '""to"": ""collecting""' in lines[1]
    assert (
        "Phase changed" in page
        and "From:</span> Closed" in page
        and "To:</span> Collecting proposals" in page
    ), "the page shows what changed, readably"


def test_the_projector_screen_is_public_and_in_the_chosen_language(client):
    RoundtableFactory(code="SCR1")

    page = client.get("/r/SCR1/screen/?lang=es").content.decode()

    assert '<html lang="es">' in page
    assert "<svg" in page and "SCR1" in page
    assert "Más apoyadas" in page
    assert '"socketPath": "/ws/r/SCR1/?view=public"' in page


def test_the_development_organizer_login_works(client):
    call_command("seed_roundtable")
    from io import StringIO

    out = StringIO()
    call_command("organizer_account", stdout=out)
    password = re.search(r"password: (\S+)", out.getvalue()).group(1)

    response = client.post(
        "/accounts/login/", {"login": "organizer@roundtable.localhost", "password": password}
    )

    assert response.status_code == 302
    assert client.get("/r/LED111/organize/").status_code == 200
    assert Roundtable.objects.get(code="LED111").registration_required, "the card's rule"


def test_an_organizer_sets_seats_and_the_reports_that_hold_a_proposal(client, organizer):
    create(client)
    roundtable = Roundtable.objects.get(code="LED-2021")
    Participant.objects.bulk_create(
        Participant(roundtable=roundtable, display_name=f"P{n}", actor_type="citizen", language="en")
        for n in range(3)
    )

    saved = client.post(
        "/r/LED-2021/organize/settings/", {"capacity": "40", "flag_threshold": "5"}, follow=True
    )
    too_few = client.post("/r/LED-2021/organize/settings/", {"capacity": "2", "flag_threshold": "5"})

    assert "Settings saved." in saved.content.decode()
    assert too_few.status_code == 400
    assert "3 people already have a seat" in too_few.content.decode()
    roundtable.refresh_from_db()
    assert (roundtable.capacity, roundtable.flag_threshold) == (40, 5)


def test_an_account_needs_no_password_and_signs_in_by_an_emailed_code(client):
    signed_up = client.post("/accounts/signup/", {"email": "new-organizer@example.org"})
    assert signed_up.status_code == 302, signed_up.content.decode()[:500]
    user = get_user_model().objects.get(email="new-organizer@example.org")
    assert not user.has_usable_password()
    client.logout()
    mail.outbox.clear()

    asked = client.post("/accounts/login/code/", {"email": "new-organizer@example.org"})
    assert asked.status_code == 302
    [message] = mail.outbox
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", message.body, re.MULTILINE).group(1)
    confirmed = client.post(asked["Location"], {"code": code})

    assert confirmed.status_code == 302 and confirmed["Location"] == "/organize/"
    assert client.get("/organize/").status_code == 200
