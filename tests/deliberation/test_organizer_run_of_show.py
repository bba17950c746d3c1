"""The run of show's section of the organizer page: a suggested plan that fits the session, saved as it
is or changed, translated errors on the fields in error, nothing saved half-way, read-only while the
session runs."""

import re

import pytest

from deliberation.models import Event, Question, RunOfShow
from deliberation.services.run_of_show import run_of_show_start
from tests.deliberation.test_organizer_views import create

pytestmark = pytest.mark.django_db

URL = "/r/LED-2021/organize/run-of-show/"


def form_data(page: str) -> dict[str, str]:
    """What the browser would send for the plan form as the page shows it (inputs and selected options)."""
    form = page[page.index('action="/r/LED-2021/organize/run-of-show/"') :]
    form = form[: form.index("</form>")]
    data = {}
    for name, value in re.findall(r'<input[^>]*name="(plan-[^"]+)"[^>]*value="([^"]*)"', form):
        data[name] = value
    for name, body in re.findall(r'<select name="(plan-[^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


def test_the_page_suggests_a_plan_fitting_the_ninety_minutes_and_saves_it(client, organizer):
    create(client)
    page = client.get("/r/LED-2021/organize/").content.decode()
    assert "The session is planned from 09:55 to 11:25 (America/Argentina/Cordoba): 90 minutes." in page
    assert "The plan takes 90 minutes." in page
    data = form_data(page)
    assert data["plan-TOTAL_FORMS"] == "15", "13 steps and 2 empty rows for new ones"
    minutes = [data[f"plan-{index}-minutes"] for index in range(13)]
    assert minutes == ["12", "5", "3"] * 4 + ["10"]
    assert data["plan-12-title_es"] == "Cierre" and data["plan-12-title_fr"] == "Clôture"

    response = client.post(URL, data)
    assert response.status_code == 302
    show = RunOfShow.objects.get(roundtable__code="LED-2021")
    assert show.steps.count() == 13 and show.state == "planned"
    assert Event.objects.filter(kind="run_of_show.updated").count() == 1
    assert "The plan is saved." in client.get("/r/LED-2021/organize/").content.decode()


def test_steps_are_moved_removed_and_added_from_the_form(client, organizer):
    create(client)
    data = form_data(client.get("/r/LED-2021/organize/").content.decode())
    data["plan-12-ORDER"] = "0"  # the closing first, for the sake of it
    data["plan-11-DELETE"] = "on"
    data.update({"plan-13-kind": "break", "plan-13-minutes": "7", "plan-13-title_en": "Stretch"})
    assert client.post(URL, data).status_code == 302
    steps = list(RunOfShow.objects.get().steps.order_by("position"))
    assert steps[0].kind == "closing" and steps[-1].title == {"en": "Stretch"}
    assert len(steps) == 13 and steps[-1].planned_seconds == 7 * 60


def test_a_phase_without_its_question_is_marked_in_the_readers_language_and_nothing_is_saved(
    client, organizer
):
    create(client)
    client.cookies["django_language"] = "es"
    data = form_data(client.get("/r/LED-2021/organize/").content.decode())
    data["plan-4-question"] = ""
    data["plan-5-minutes"] = "0"
    response = client.post(URL, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Revise el plan: los pasos con errores están marcados." in page
    assert "Elija la pregunta de esta fase." in page
    assert re.search(r'name="plan-4-question"[^>]*aria-invalid="true"', page) or re.search(
        r'aria-invalid="true"[^>]*name="plan-4-question"', page
    )
    assert 'aria-describedby="id_plan-4-question-error"' in page
    assert not RunOfShow.objects.exists()


def test_the_plan_is_read_only_while_the_session_runs(client, organizer):
    create(client)
    data = form_data(client.get("/r/LED-2021/organize/").content.decode())
    client.post(URL, data)
    seat = organizer_seat(organizer)
    run_of_show_start(roundtable_id=seat.roundtable_id, participant_id=seat.pk)
    page = client.get("/r/LED-2021/organize/").content.decode()
    assert 'action="/r/LED-2021/organize/run-of-show/"' not in page
    assert "The session is under way" in page and 'aria-current="step"' in page
    refused = client.post(URL, data)
    assert refused.status_code == 400 and "its plan can no longer be changed here" in refused.content.decode()
    assert Question.objects.get(roundtable=seat.roundtable, order=1).state == "collecting"


def test_moderators_cannot_plan(client, organizer):
    from django.contrib.auth import get_user_model

    from tests.factories import ParticipantFactory

    create(client)
    seat = organizer_seat(organizer)
    moderator = get_user_model().objects.create_user(username="mo", email="mo@example.org")
    ParticipantFactory(roundtable=seat.roundtable, user=moderator, role="moderator")
    client.force_login(moderator)
    assert client.post(URL, {"step": "default"}).status_code == 403
    assert not RunOfShow.objects.exists()


def organizer_seat(user):
    from deliberation.models import Participant

    return Participant.objects.get(user=user)
