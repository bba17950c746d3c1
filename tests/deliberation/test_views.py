"""The join flow and pages over HTTP, as a browser without JavaScript sees them."""

import pytest
from django.urls import reverse

from deliberation.models import Participant
from tests.factories import ParticipantFactory, RoundtableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def roundtable():
    return RoundtableFactory(code="LED111")


def join(client, code="LED111", **fields):
    data = {"display_name": "Ana", "actor_type": "government-local", "language": "es", **fields}
    return client.post(reverse("deliberation:join", kwargs={"code": code}), data)


def test_joining_lands_on_the_questions_in_the_chosen_language(client, roundtable):
    response = join(client)
    assert response.status_code == 302

    page = client.get(response["Location"])

    content = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="es">' in content
    assert "Participas como Ana (Gobierno local)." in content
    assert "¿Cómo garantizar la participación equilibrada" in content
    assert Participant.objects.get().language == "es"


def test_coming_back_restores_the_same_participant_and_joining_twice_makes_no_second_one(client, roundtable):
    join(client)
    join(client, display_name="Someone else")

    page = client.get("/r/led111/")

    assert Participant.objects.count() == 1
    assert "Ana" in page.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"display_name": "   "}, "Escribe un nombre visible de 1 a 60 caracteres."),
        ({"actor_type": "astronaut"}, "Elige uno de los tipos de actor de la lista."),
    ],
)
def test_a_bad_join_shows_a_translated_error_and_keeps_what_was_typed(client, roundtable, fields, message):
    typed = {"display_name": "Ana María", **fields}
    response = join(client, **typed)

    content = response.content.decode()
    assert response.status_code == 400
    assert message in content
    assert 'role="alert"' in content
    assert f'value="{typed["display_name"]}"' in content
    assert not Participant.objects.exists()


def test_a_full_roundtable_says_so_in_the_persons_language(client):
    full = RoundtableFactory(code="FULL1", capacity=1)
    ParticipantFactory(roundtable=full)

    response = join(client, code="FULL1", language="fr")

    assert response.status_code == 400
    assert "Cette table ronde est complète : toutes les places sont prises." in response.content.decode()


def test_an_unknown_code_gets_a_helpful_page(client):
    response = client.get("/r/NOPE/")
    assert response.status_code == 404
    assert "No roundtable has the code “NOPE”" in response.content.decode()


def test_the_home_page_takes_a_code(client, roundtable):
    assert client.post("/", {"code": "led111"})["Location"] == "/r/LED111/"
    wrong = client.post("/", {"code": "ZZZ"})
    assert wrong.status_code == 400
    assert "No roundtable has this code" in wrong.content.decode()


def test_switching_language_keeps_the_participant(client, roundtable):
    join(client)
    response = client.post(reverse("deliberation:language", kwargs={"code": "LED111"}), {"language": "fr"})
    page = client.get(response["Location"])

    assert '<html lang="fr">' in page.content.decode()
    assert "Vous participez en tant que Ana (Gouvernement local)." in page.content.decode()
    assert Participant.objects.get().language == "fr"


def test_the_participant_page_carries_its_client_strings_as_data_not_script(client, roundtable):
    join(client, language="en")
    content = client.get("/r/LED111/").content.decode()
    assert '<script id="client-config" type="application/json">' in content
    assert '"socketPath": "/ws/r/LED111/"' in content
    assert "<script>" not in content, "inline script would break a content security policy"


def test_accounts_for_organizers_and_moderators_are_wired_with_login_by_email_code(client):
    login = client.get("/accounts/login/")
    assert login.status_code == 200
    assert 'type="email"' in login.content.decode()
    assert client.get("/accounts/login/code/").status_code == 200
