"""The published document carries the run of show: the plan and what actually happened ("Q2 ran 4
minutes over", "the break was skipped"), in the reader's language, on the page, in the PDF, the Markdown
and the JSON (valid against its schema)."""

import datetime
import io
import json

import jsonschema
import pypdf
import pytest
from django.test import Client
from django.utils import translation

from deliberation.document.build import document_build
from deliberation.document.export_markdown import document_markdown
from deliberation.document.export_pdf import document_pdf
from deliberation.document.files import document_schema_text
from deliberation.models import Publication, Role, RunOfShow, RunStep
from deliberation.services import publications
from deliberation.services.run_of_show import PlanStep, run_of_show_plan
from tests.factories import ParticipantFactory, RoundtableFactory

pytestmark = pytest.mark.django_db
SCHEMA = json.loads(document_schema_text())
START = datetime.datetime(2021, 5, 26, 12, 55, tzinfo=datetime.UTC)  # 9:55 in Córdoba (UTC-3)


def roundtable_planned(*, second_question_votes: bool):
    """The seed's times (9:55-11:25 in Córdoba) and a plan: Q1 collecting 20 min and voting 10, a coffee
    break of 10, Q2 collecting 20 (and voting 10), the closing 20. Returns the roundtable, its organizer."""
    roundtable = RoundtableFactory(
        starts_at=START,
        ends_at=START + datetime.timedelta(minutes=90),
        time_zone="America/Argentina/Cordoba",
        questions=["closed"] * 4,
    )
    organizer = ParticipantFactory(roundtable=roundtable, display_name="Olga", role=Role.ORGANIZER)
    first, second = (roundtable.questions.get(order=order).pk for order in (1, 2))
    steps = [
        PlanStep(kind="phase", planned_seconds=20 * 60, question_id=first, phase="collecting"),
        PlanStep(kind="phase", planned_seconds=10 * 60, question_id=first, phase="voting"),
        PlanStep(kind="break", planned_seconds=10 * 60, title={"en": "Coffee", "es": "Café", "fr": "Café"}),
        PlanStep(kind="phase", planned_seconds=20 * 60, question_id=second, phase="collecting"),
    ]
    if second_question_votes:
        steps.append(PlanStep(kind="phase", planned_seconds=10 * 60, question_id=second, phase="voting"))
    steps.append(PlanStep(kind="closing", planned_seconds=20 * 60, title={"en": "Closing", "es": "Cierre"}))
    run_of_show_plan(roundtable=roundtable, organizer=organizer, steps=steps)
    return roundtable, organizer


@pytest.fixture
def ran():
    """Q1 and Q2 collecting then voting, a break, the closing: Q2's collecting ran 4 minutes over, the
    break was skipped after a minute, the session ended at 11:27 for 11:25."""
    roundtable, organizer = roundtable_planned(second_question_votes=True)
    actual = [20, 10, 1, 24, 10, 27]  # minutes each step really took
    skipped = {2}
    moment = START
    for position, minutes in enumerate(actual):
        ended = moment + datetime.timedelta(minutes=minutes)
        RunStep.objects.filter(show__roundtable=roundtable, position=position).update(
            started_at=moment,
            ended_at=ended,
            skipped=position in skipped,
            extended_seconds=240 if position == 3 else 0,
        )
        moment = ended
    RunOfShow.objects.filter(roundtable=roundtable).update(
        state="finished", started_at=START, finished_at=moment
    )
    publications.document_publish(roundtable_id=roundtable.pk, participant_id=organizer.pk, slug="ran")
    return Publication.objects.get(slug="ran", version=1)


def test_the_json_records_the_plan_and_what_happened(ran):
    record = ran.document["run_of_show"]
    jsonschema.validate(ran.document, SCHEMA)
    assert record["state"] == "finished" and record["ended_at"] == "2021-05-26T14:27:00+00:00"
    q2 = record["steps"][3]
    assert (q2["question"], q2["phase"], q2["planned_seconds"], q2["actual_seconds"]) == (
        2,
        "collecting",
        1200,
        1440,
    )
    assert q2["extended_seconds"] == 240
    assert record["steps"][2]["skipped"] is True and record["steps"][2]["title"]["es"] == "Café"


@pytest.mark.parametrize(
    ("language", "sentences"),
    [
        ("en", ["Q2 ran 4 minutes over.", "Coffee was skipped.", "11:27, 2 minutes after the planned end"]),
        (
            "es",
            [
                "La P2 duró 4 minutos más de lo previsto.",
                "Se saltó «Café».",
                "2 minutos después del fin previsto",
            ],
        ),
        (
            "fr",
            [
                "La Q2 a duré 4 minutes de plus que prévu.",
                "« Café » a été passée.",
                "2 minutes après la fin prévue",
            ],
        ),
    ],
)
def test_page_pdf_and_markdown_say_what_happened_in_the_readers_language(ran, language, sentences):
    with translation.override(language):
        markdown = document_markdown(ran.document, language)
        pdf = document_pdf(ran.document, language)
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    page = Client().get(f"/p/ran/?lang={language}").content.decode()
    for shown in (markdown, " ".join(text.split()), page.replace("&#x27;", "'").replace("&quot;", '"')):
        for sentence in sentences:
            assert sentence in shown, (language, sentence)


def test_the_table_gives_each_step_planned_and_actual_times_in_the_roundtables_zone(ran):
    with translation.override("en"):
        markdown = document_markdown(ran.document, "en")
    assert (
        "| Q2 · Collecting proposals | 20 min | 10:26 | 24 min | 4 minutes over · extended by 4 min |"
        in markdown
    )
    assert "| Coffee | 10 min | 10:25 | 1 min | Skipped |" in markdown
    assert "| Q1 · Collecting proposals | 20 min | 09:55 | 20 min | On time |" in markdown


def test_a_roundtable_without_a_plan_has_no_run_of_show_section():
    roundtable = RoundtableFactory()
    document = document_build(roundtable=roundtable)
    assert document["run_of_show"] is None
    jsonschema.validate(document, SCHEMA)
    with translation.override("en"):
        assert "Run of show" not in document_markdown(document, "en")


@pytest.fixture
def went_back(monkeypatch):
    """The same plan driven through the services on a clock the test turns: Q1's collecting and voting
    end on time, the break starts at 10:25, and 3 minutes into it a moderator presses Back: Q1's voting
    runs again from 10:28 (its first run 10:15-10:25 kept), the break is undone. Returns the roundtable,
    its organizer and the clock's hand."""
    from django.utils import timezone

    from deliberation.services import run_of_show as ros

    roundtable, organizer = roundtable_planned(second_question_votes=False)
    # Django's clock, turned by hand (the services read it through timezone.now).
    hand = {"now": START}
    monkeypatch.setattr(timezone, "now", lambda: hand["now"])
    who = {"roundtable_id": roundtable.pk, "participant_id": organizer.pk}

    def at(minutes):
        hand["now"] = START + datetime.timedelta(minutes=minutes)

    def on_time():
        show = RunOfShow.objects.get(roundtable=roundtable)
        hand["now"] = show.step_ends_at
        assert ros.run_of_show_fire(show_id=show.pk, due=show.step_ends_at) is not None

    ros.run_of_show_start(**who)
    on_time()  # 10:15: voting
    on_time()  # 10:25: the break
    at(33)
    ros.run_of_show_back(**who)  # 10:28: voting again, the break undone
    return roundtable, organizer, on_time, who


def test_a_step_undone_by_back_says_it_ran_and_for_how_long_never_not_held(went_back):
    roundtable, organizer, on_time, _who = went_back
    # Published mid-session (the break is still to come again).
    document = document_build(roundtable=roundtable)
    jsonschema.validate(document, SCHEMA)
    coffee = document["run_of_show"]["steps"][2]
    assert coffee["started_at"] is None
    assert [(run["reason"], run["seconds"]) for run in coffee["earlier_runs"]] == [("undone", 180)]
    with translation.override("en"):
        markdown = document_markdown(document, "en")
    assert "Not held" not in markdown.split("| Coffee |")[1].split("\n")[0]
    assert (
        "| Coffee | 10 min | 10:25 | 3 min | "
        "Ran 3 min from 10:25, until the session went back · To run again |" in markdown
    )
    # Q1's voting ran once on time and is running again.
    assert (
        "| Q1 · Voting | 10 min | 10:15 | 10 min | "
        "Ran 10 min from 10:15, then again from the start · Under way |" in markdown
    )
    assert "Coffee ran 3 min from 10:25, then the session went back to the step before it." in markdown

    # The session goes on to its end: the break runs again, whole; then Q2 and the closing on time.
    on_time()  # 10:38: the break again
    on_time()  # 10:48: Q2
    on_time()  # 11:08: the closing
    on_time()  # 11:28: the end
    assert RunOfShow.objects.get(roundtable=roundtable).state == "finished"
    publications.document_publish(roundtable_id=roundtable.pk, participant_id=organizer.pk, slug="back")
    published = Publication.objects.get(slug="back", version=1).document
    jsonschema.validate(published, SCHEMA)
    coffee = published["run_of_show"]["steps"][2]
    assert coffee["actual_seconds"] == 13 * 60, "both runs of the break count"
    voting = published["run_of_show"]["steps"][1]
    assert [run["reason"] for run in voting["earlier_runs"]] == ["repeated"]
    assert voting["actual_seconds"] == 20 * 60
    # In the table (page and Markdown), and in the summary (page, Markdown and PDF).
    in_table = {
        "en": [
            "Ran 3 min from 10:25, until the session went back · 3 minutes over",
            "Ran 10 min from 10:15, then again from the start · 10 minutes over",
        ],
        "es": ["Duró 3 min desde las 10:25, hasta que la sesión volvió atrás"],
        "fr": ["A duré 3 min à partir de 10:25, jusqu'au retour en arrière"],
    }
    in_summary = {
        "en": ["Coffee ran 3 min from 10:25, then the session went back to the step before it."],
        "es": ["«Café» duró 3 min desde las 10:25; luego la sesión volvió al paso anterior."],
        "fr": ["« Café » a duré 3 min à partir de 10:25, puis la séance est revenue à l'étape précédente."],
    }
    for language in ("en", "es", "fr"):
        with translation.override(language):
            markdown = document_markdown(published, language)
            pdf = document_pdf(published, language)
        text = " ".join(
            " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split()
        )
        page = Client().get(f"/p/back/?lang={language}").content.decode()
        page = page.replace("&#x27;", "'").replace("&quot;", '"')
        for shown in (markdown, page):
            for sentence in in_table[language]:
                assert sentence in shown, (language, sentence)
        for shown in (markdown, text, page):
            for sentence in in_summary[language]:
                assert sentence in shown, (language, sentence)
            assert "Not held" not in shown and "No se celebró" not in shown and "Non tenue" not in shown
