"""The analysis as the room lives it: runs scheduled by changes and claimed once, moderators' curation
surviving every re-run, bad curation refused with nothing written, and a Polis export imported."""

import csv
import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from deliberation.errors import ServiceError
from deliberation.models import Event, Proposal, Question, Role, Theme
from deliberation.selectors import audit_log, question_themes, roundtable_snapshot
from deliberation.services import analysis, moderation, themes
from deliberation.services.proposals import proposal_submit
from deliberation.services.votes import vote_cast
from tests.factories import ParticipantFactory, RoundtableFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
LABELLED = [
    json.loads(line) for line in (ROOT / "bench/data/themes-trilingual.jsonl").read_text().splitlines()
]


@pytest.fixture
def room():
    roundtable = RoundtableFactory()
    question = roundtable.questions.get(order=1)
    people = [
        ParticipantFactory(roundtable=roundtable, language=language) for language in ("en", "es", "fr") * 3
    ]
    moderator = ParticipantFactory(roundtable=roundtable, role=Role.MODERATOR)
    return roundtable, question, people, moderator


def submit(roundtable, question, author, text) -> int:
    return proposal_submit(
        roundtable_id=roundtable.pk, participant_id=author.pk, question_id=question.pk, text=text
    ).result["proposal"]


def fill(room, topics: set[str]) -> dict[str, list[int]]:
    roundtable, question, people, _ = room
    ids: dict[str, list[int]] = {}
    for index, row in enumerate(row for row in LABELLED if row["theme"] in topics):
        ids.setdefault(row["theme"], []).append(submit(roundtable, question, people[index % 9], row["text"]))
    return ids


def theme_of(question, proposal_id) -> dict:
    return next(
        theme for theme in question_themes(question_id=question.pk) if proposal_id in theme["proposals"]
    )


def test_a_proposal_schedules_one_run_that_exactly_one_claim_wins(room):
    roundtable, question, people, _ = room
    submit(roundtable, question, people[0], "Open budgets")
    submit(roundtable, question, people[1], "Presupuestos abiertos")
    question.refresh_from_db()
    scheduled = question.analysis_due_at
    assert scheduled is not None, "the first change schedules a run"
    assert analysis.analyses_due() == [], "not before its time"
    Question.objects.filter(pk=question.pk).update(
        analysis_due_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    [(question_id, due)] = analysis.analyses_due()
    assert analysis.analysis_claim(question_id=question_id, due=due) is True
    assert analysis.analysis_claim(question_id=question_id, due=due) is False


def test_the_language_a_proposal_is_written_in_is_detected_whatever_the_authors_interface(room):
    roundtable, question, people, _ = room
    english_speaker = people[0]
    proposal_id = submit(
        roundtable, question, english_speaker, "Crear una mesa permanente con las empresas del barrio"
    )
    assert Proposal.objects.get(pk=proposal_id).language == "es"


def test_curated_decisions_survive_every_rerun(room):
    roundtable, question, people, moderator = room
    ids = fill(room, {"funding", "data", "training", "environment"})
    analysis.question_analyse(question_id=question.pk)
    staff = {"roundtable_id": roundtable.pk, "participant_id": moderator.pk}

    fund = theme_of(question, ids["funding"][0])
    data = theme_of(question, ids["data"][0])
    training = theme_of(question, ids["training"][0])
    assert fund["number"] != data["number"] != training["number"]
    themes.theme_rename(
        **staff, question_id=question.pk, number=fund["number"], name="Money for partnerships"
    )
    themes.theme_lock(**staff, question_id=question.pk, number=data["number"], locked=True)
    stray = ids["environment"][0]
    themes.proposal_move(**staff, proposal_id=stray, number=training["number"])
    locked_members = theme_of(question, ids["data"][0])["proposals"]

    # More proposals arrive, among them more about data and money, and the run is repeated.
    extra = [
        submit(roundtable, question, people[2], "Open data portals shared by every municipality"),
        submit(
            roundtable, question, people[4], "Un fondo regional para financiar proyectos de los municipios"
        ),
    ]
    analysis.question_analyse(question_id=question.pk)
    analysis.question_analyse(question_id=question.pk)

    after = {theme["number"]: theme for theme in question_themes(question_id=question.pk)}
    assert after[fund["number"]]["name"] == "Money for partnerships"
    assert after[data["number"]]["locked"] is True
    assert after[data["number"]]["proposals"] == locked_members, "a locked theme neither gains nor loses"
    assert stray in after[training["number"]]["proposals"], "a moved proposal stays where it was put"
    assert extra[1] in after[fund["number"]]["proposals"], "new proposals still join the curated theme"
    themed = {member for theme in question_themes(question_id=question.pk) for member in theme["proposals"]}
    assert set(extra) <= themed, "every new proposal has a theme"


def test_merge_and_split_keep_their_members_through_reruns(room):
    roundtable, question, _, moderator = room
    ids = fill(room, {"funding", "data", "inclusion"})
    analysis.question_analyse(question_id=question.pk)
    staff = {"roundtable_id": roundtable.pk, "participant_id": moderator.pk}
    fund, data = theme_of(question, ids["funding"][0]), theme_of(question, ids["data"][0])
    themes.theme_merge(**staff, question_id=question.pk, number=data["number"], into=fund["number"])
    merged = set(theme_of(question, ids["funding"][0])["proposals"])
    assert set(data["proposals"]) | set(fund["proposals"]) == merged
    split_off = sorted(set(data["proposals"]))[:3]
    new_number = themes.theme_split(
        **staff, question_id=question.pk, number=fund["number"], proposal_ids=split_off
    ).result["theme"]
    analysis.question_analyse(question_id=question.pk)
    after = {theme["number"]: theme for theme in question_themes(question_id=question.pk)}
    assert after[new_number]["proposals"] == split_off
    assert set(after[fund["number"]]["proposals"]) == merged - set(split_off)
    # Each curation is in the audit log under the moderator's name; automatic runs are not.
    actions = [
        row["action"] for row in audit_log(roundtable=roundtable) if row["action"].startswith("theme.")
    ]
    assert actions == ["theme.split", "theme.merge"]


def test_bad_curation_is_refused_with_a_reason_and_nothing_written(room):
    roundtable, question, _, moderator = room
    ids = fill(room, {"funding", "data"})
    analysis.question_analyse(question_id=question.pk)
    staff = {"roundtable_id": roundtable.pk, "participant_id": moderator.pk}
    fund = theme_of(question, ids["funding"][0])
    before = (Event.objects.count(), question_themes(question_id=question.pk))
    attempts = {
        "theme_split_all": lambda: themes.theme_split(
            **staff, question_id=question.pk, number=fund["number"], proposal_ids=fund["proposals"]
        ),
        "theme_merge_self": lambda: themes.theme_merge(
            **staff, question_id=question.pk, number=fund["number"], into=fund["number"]
        ),
        "theme_not_found": lambda: themes.theme_rename(
            **staff, question_id=question.pk, number=999, name="X"
        ),
        "theme_split_invalid": lambda: themes.theme_split(
            **staff, question_id=question.pk, number=fund["number"], proposal_ids=[ids["data"][0]]
        ),
    }
    for code, attempt in attempts.items():
        with pytest.raises(ServiceError) as raised:
            attempt()
        assert raised.value.code == code
    themes.theme_lock(**staff, question_id=question.pk, number=fund["number"], locked=True)
    with pytest.raises(ServiceError) as raised:
        themes.proposal_move(**staff, proposal_id=ids["data"][0], number=fund["number"])
    assert raised.value.code == "theme_locked"
    assert str(raised.value.message) != "theme_locked", "a sentence for people, not the code"
    assert question_themes(question_id=question.pk)[0]["proposals"] == before[1][0]["proposals"]
    participant = ParticipantFactory(roundtable=roundtable)
    with pytest.raises(ServiceError) as raised:
        themes.theme_rename(
            roundtable_id=roundtable.pk,
            participant_id=participant.pk,
            question_id=question.pk,
            number=1,
            name="Mine",
        )
    assert raised.value.code == "forbidden"


def test_a_hidden_proposal_leaves_its_theme_and_a_corrected_one_is_embedded_again(room):
    roundtable, question, _, moderator = room
    ids = fill(room, {"funding", "data"})
    analysis.question_analyse(question_id=question.pk)
    staff = {"roundtable_id": roundtable.pk, "participant_id": moderator.pk}
    target = ids["funding"][1]
    moderation.proposal_hide(**staff, proposal_id=target, reason="Off topic")
    assert all(target not in theme["proposals"] for theme in question_themes(question_id=question.pk))
    edited = ids["data"][0]
    old_vector = bytes(Proposal.objects.get(pk=edited).vector)
    moderation.proposal_edit(**staff, proposal_id=edited, text="Budgets of every partner published online")
    analysis.question_analyse(question_id=question.pk)
    assert bytes(Proposal.objects.get(pk=edited).vector) != old_vector


def test_balance_counts_who_spoke_and_voted_by_actor_type(room):
    roundtable, question, people, _ = room
    submit(roundtable, question, people[0], "Open budgets")
    analysis.question_analyse(question_id=question.pk)
    roundtable.refresh_from_db()
    rows = {
        row["key"]: row
        for row in roundtable_snapshot(roundtable=roundtable, viewer=None)["balance"]["actor_types"]
    }
    assert rows[people[0].actor_type]["spoke"] == 1
    assert sum(row["joined"] for row in rows.values()) == 9
    assert roundtable_snapshot(roundtable=roundtable, viewer=None)["balance"]["basis"] == "joined"


def test_a_polis_export_is_imported_and_analysed(room):
    roundtable, question, _, moderator = room
    out = StringIO()
    call_command(
        "import_polis",
        roundtable.code,
        str(ROOT.parent / "shared/polis-open-data/15-per-hour-seattle"),
        "--question",
        "1",
        "--analyse",
        stdout=out,
    )
    with (ROOT.parent / "shared/polis-open-data/15-per-hour-seattle/comments.csv").open(
        encoding="utf-8"
    ) as stream:
        comments = list(csv.DictReader(stream))
    assert f"Imported {len(comments)} proposals" in out.getvalue()
    visible = Proposal.objects.filter(question=question, status="visible").count()
    assert visible == sum(1 for row in comments if row["moderated"] != "-1"), (
        "moderated-out comments arrive hidden"
    )
    question.refresh_from_db()
    assert 2 <= len(question.opinions["groups"]) <= 5
    assert Theme.objects.filter(question=question).exists()
    snapshot = roundtable_snapshot(roundtable=roundtable, viewer=moderator)
    [entry] = [entry for entry in snapshot["opinions"] if entry["question"] == question.pk]
    assert entry["opinions"]["participants_in"] > 100
    assert "people" not in entry["opinions"], "nobody's place is published with their id"


def _two_bloc_votes(room, ids):
    roundtable, _, people, _ = room
    for person_index, person in enumerate(people[:6]):
        for index, proposal_id in enumerate(ids["funding"] + ids["data"]):
            agree = (index < len(ids["funding"])) == (person_index % 2 == 0)
            vote_cast(
                roundtable_id=roundtable.pk,
                participant_id=person.pk,
                proposal_id=proposal_id,
                choice="agree" if agree else "disagree",
            )


def test_dots_that_only_move_are_republished_at_most_every_refresh_interval(room, settings):
    roundtable, question, people, _ = room
    ids = fill(room, {"funding", "data"})
    _two_bloc_votes(room, ids)
    analysis.question_analyse(question_id=question.pk)
    published = Event.objects.filter(kind="opinions.updated").count()
    assert published == 1
    # One person passes on one proposal: the dots move, the groups and what marks them do not.
    vote_cast(
        roundtable_id=roundtable.pk, participant_id=people[0].pk, proposal_id=ids["data"][0], choice="pass"
    )
    analysis.question_analyse(question_id=question.pk)
    assert Event.objects.filter(kind="opinions.updated").count() == published, "not within the interval"
    settings.ROUNDTABLE_OPINIONS_REFRESH_SECONDS = 0
    analysis.question_analyse(question_id=question.pk)
    assert Event.objects.filter(kind="opinions.updated").count() == published + 1, "once it has passed"
    # A snapshot read now agrees with the events sent.
    latest = Event.objects.filter(kind="opinions.updated").latest("seq")
    [entry] = [
        e
        for e in roundtable_snapshot(roundtable=roundtable, viewer=None)["opinions"]
        if e["question"] == question.pk
    ]
    assert entry["opinions"] == latest.data["opinions"]


def test_when_only_who_takes_part_changes_the_room_gets_the_balance_not_the_map_again(room):
    roundtable, question, _, _ = room
    ids = fill(room, {"funding", "data"})
    _two_bloc_votes(room, ids)
    analysis.question_analyse(question_id=question.pk)
    map_event = Event.objects.filter(kind="opinions.updated").latest("seq")
    roundtable.refresh_from_db()
    joined_before = roundtable_snapshot(roundtable=roundtable, viewer=None)["balance"]
    ParticipantFactory(roundtable=roundtable, actor_type="sme")

    events = analysis.question_analyse(question_id=question.pk)

    assert [event.kind for event in events] == ["balance.updated"]
    assert Event.objects.filter(kind="opinions.updated").latest("seq") == map_event, "the map is not resent"
    balance = events[0].data["balance"]
    roundtable.refresh_from_db()
    assert balance == roundtable_snapshot(roundtable=roundtable, viewer=None)["balance"] != joined_before
    assert {row["key"]: row["joined"] for row in balance["actor_types"]}["sme"] == 1
    assert set(events[0].data) == {"balance"}, "the balance alone, without the map"
    assert analysis.question_analyse(question_id=question.pk) == [], "nothing changed, nothing sent"


def test_the_public_map_leaves_out_each_proposals_place_which_only_the_console_draws(room):
    roundtable, question, people, moderator = room
    ids = fill(room, {"funding", "data"})
    _two_bloc_votes(room, ids)
    analysis.question_analyse(question_id=question.pk)
    event = Event.objects.filter(kind="opinions.updated").latest("seq")
    assert "proposals" not in event.data["opinions"] and event.data["opinions"]["points"]
    assert set(event.staff["opinions"]["proposals"]) == {str(pk) for pk in ids["funding"] + ids["data"]}
    for viewer, placed in ((people[0], False), (None, False), (moderator, True)):
        entries = roundtable_snapshot(roundtable=roundtable, viewer=viewer)["opinions"]
        [entry] = [entry for entry in entries if entry["question"] == question.pk]
        assert ("proposals" in entry["opinions"]) is placed


def test_each_person_finds_their_own_place_on_the_map_and_only_theirs(room):
    roundtable, question, people, _ = room
    ids = fill(room, {"funding", "data"})
    _two_bloc_votes(room, ids)
    analysis.question_analyse(question_id=question.pk)
    event = Event.objects.filter(roundtable=roundtable, kind="opinions.updated").latest("seq")
    # One text for everyone: no private copy of the map per person.
    assert event.private == {}
    points = event.data["opinions"]["points"]
    assert len(points) == 6
    places = {}
    for person in people[:6]:
        key = roundtable_snapshot(roundtable=roundtable, viewer=person)["me"]["opinion_keys"][
            str(question.pk)
        ]
        [own] = [point for point in points if point[3] == key]
        places[person.pk] = own[2]
    assert len(set(places.values())) == 2
    assert {places[p.pk] for p in people[0:6:2]} != {places[p.pk] for p in people[1:6:2]}
    assert roundtable_snapshot(roundtable=roundtable, viewer=people[6])["me"]["opinion_keys"][
        str(question.pk)
    ] not in {point[3] for point in points}, "someone who did not vote has no point"


def test_themes_are_named_in_every_language_of_the_room_through_the_translation_server(room, translator):
    roundtable, question, people, _ = room
    # Funding in English and Spanish only, training in all three: French readers of the funding theme
    # can only get its name from the server.
    for row in LABELLED:
        if (row["theme"] == "funding" and row["lang"] != "fr") or row["theme"] == "training":
            submit(roundtable, question, people[row["id"] % 9], row["text"])
    analysis.question_analyse(question_id=question.pk)
    named = [theme for theme in question_themes(question_id=question.pk) if not theme["unsorted"]]
    assert len(named) >= 2
    for theme in named:
        assert set(theme["labels"]) == {"en", "es", "fr"}
        sources = [language for language, label in theme["labels"].items() if not label.startswith("[")]
        # The fake server marks what it translates "[es→fr] ...": one language is the proposal's own,
        # the two others are that name translated.
        assert len(sources) == 1, theme["labels"]
        name = theme["labels"][sources[0]]
        assert all(label.endswith(name) for label in theme["labels"].values())
        # The snapshot says which names the server made, and from which language.
        assert theme["machine"] == {
            language: sources[0] for language in theme["labels"] if language != sources[0]
        }
    asked = len(translator.requests)
    assert asked == 2 * len(named)

    # Kept: the next runs ask nothing again while the names stay.
    analysis.question_analyse(question_id=question.pk)
    assert len(translator.requests) == asked


def test_a_failing_translation_server_leaves_the_names_of_each_language_and_the_run_whole(room, translator):
    translator.mode = "error"
    _, question, _, _ = room
    ids = fill(room, {"funding", "data"})
    analysis.question_analyse(question_id=question.pk)
    fund = theme_of(question, ids["funding"][0])
    # The run happened; names come from the proposals of each language instead.
    assert set(fund["labels"]) == {"en", "es", "fr"}
    assert not any(label.startswith("[") for label in fund["labels"].values())
    assert fund["machine"] == {}, "people's words: no machine mark"
    assert len(translator.requests) == 1, "after one failure the server is left alone for a while"


def test_a_group_of_one_is_unsorted_until_a_moderator_names_it(room):
    roundtable, question, _, moderator = room
    ids = fill(room, {"funding", "data"})
    analysis.question_analyse(question_id=question.pk)
    staff = {"roundtable_id": roundtable.pk, "participant_id": moderator.pk}
    fund = theme_of(question, ids["funding"][0])
    assert fund["unsorted"] is False
    alone = themes.theme_split(
        **staff, question_id=question.pk, number=fund["number"], proposal_ids=[ids["funding"][0]]
    ).result["theme"]
    after = {theme["number"]: theme for theme in question_themes(question_id=question.pk)}
    assert after[alone]["unsorted"] is True
    assert after[alone]["labels"] == {}
    themes.theme_rename(**staff, question_id=question.pk, number=alone, name="Joint fund")
    assert theme_of(question, ids["funding"][0])["unsorted"] is False
