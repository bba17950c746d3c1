import threading

import pytest
from django.db import IntegrityError, close_old_connections, connection

from deliberation.errors import ServiceError
from deliberation.models import Event, Participant, Vote
from deliberation.services.participants import participant_join
from deliberation.services.proposals import proposal_submit
from deliberation.services.votes import vote_cast
from tests.factories import ParticipantFactory, ProposalFactory, RoundtableFactory


@pytest.mark.django_db
def test_the_database_refuses_a_second_vote_row_for_the_same_person_and_proposal():
    proposal = ProposalFactory()
    voter = ParticipantFactory(roundtable=proposal.author.roundtable)
    Vote.objects.create(proposal=proposal, participant=voter, choice="agree")
    with pytest.raises(IntegrityError):
        Vote.objects.create(proposal=proposal, participant=voter, choice="disagree")


@pytest.mark.django_db
def test_event_seqs_are_gapless_and_each_command_writes_one_event():
    roundtable = RoundtableFactory()
    ana = ParticipantFactory(roundtable=roundtable)
    question = roundtable.questions.get(order=1)
    results = [
        proposal_submit(
            roundtable_id=roundtable.pk, participant_id=ana.pk, question_id=question.pk, text=f"P{i}"
        )
        for i in range(5)
    ]
    assert [r.seq for r in results] == [1, 2, 3, 4, 5]
    assert list(Event.objects.values_list("seq", flat=True)) == [1, 2, 3, 4, 5]


@pytest.mark.django_db
def test_proposal_text_is_cleaned_to_one_plain_line():
    roundtable = RoundtableFactory()
    ana = ParticipantFactory(roundtable=roundtable)
    result = proposal_submit(
        roundtable_id=roundtable.pk,
        participant_id=ana.pk,
        question_id=roundtable.questions.get(order=1).pk,
        text="  Open\u202e data\x00 \n\n portals  ",
    )
    assert Event.objects.get(seq=result.seq).data["proposal"]["text"] == "Open data portals"


@pytest.mark.django_db
def test_the_seat_after_the_last_one_is_refused_with_a_clear_error():
    roundtable = RoundtableFactory(capacity=2)
    for name in ("A", "B"):
        participant_join(roundtable=roundtable, display_name=name, actor_type="sme", language="en")
    with pytest.raises(ServiceError) as refused:
        participant_join(roundtable=roundtable, display_name="C", actor_type="sme", language="en")
    assert refused.value.code == "roundtable_full"
    assert Participant.objects.filter(roundtable=roundtable).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"display_name": "  ", "actor_type": "sme", "language": "en"}, "display_name_invalid"),
        ({"display_name": "x" * 61, "actor_type": "sme", "language": "en"}, "display_name_invalid"),
        ({"display_name": "Ana", "actor_type": "astronaut", "language": "en"}, "actor_type_invalid"),
        ({"display_name": "Ana", "actor_type": "sme", "language": "de"}, "language_invalid"),
    ],
)
def test_joining_with_bad_details_writes_nothing(fields, code):
    roundtable = RoundtableFactory()
    with pytest.raises(ServiceError) as refused:
        participant_join(roundtable=roundtable, **fields)
    assert refused.value.code == code
    assert not Participant.objects.exists() and not Event.objects.exists()


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_the_same_person_voting_from_two_tabs_at_once_leaves_exactly_one_vote():
    proposal = ProposalFactory()
    roundtable = proposal.author.roundtable
    voter = ParticipantFactory(roundtable=roundtable)
    barrier = threading.Barrier(2)
    failures = []

    def tab(choices):
        try:
            barrier.wait()
            for choice in choices:
                vote_cast(
                    roundtable_id=roundtable.pk,
                    participant_id=voter.pk,
                    proposal_id=proposal.pk,
                    choice=choice,
                )
        except Exception as error:
            failures.append(error)
        finally:
            close_old_connections()
            connection.close()

    tabs = [threading.Thread(target=tab, args=(["agree", "disagree"] * 25,)) for _ in range(2)]
    for t in tabs:
        t.start()
    for t in tabs:
        t.join()

    assert failures == []
    assert Vote.objects.filter(proposal=proposal, participant=voter).count() == 1
    last = Event.objects.filter(kind="vote.cast").order_by("-seq").first()
    assert last.data["tally"] == {"agree": 0, "disagree": 1, "pass": 0}
