"""The order of the "next proposal to vote on" card: chosen by the server for each person (few votes
first, then what tells opinion groups apart, with each person's own randomness), through the selector and
through the real socket."""

import pytest
from channels.db import database_sync_to_async

from deliberation.errors import ServiceError
from deliberation.models import ProposalStatus, QuestionState, Vote
from deliberation.vote_order import vote_order_for
from tests.factories import ParticipantFactory, ProposalFactory, RoundtableFactory
from tests.support.ws import connect


def order_of(person, question) -> list[int]:
    return vote_order_for(
        roundtable_id=person.roundtable_id, participant_id=person.pk, question_id=question.pk
    )["order"]


def votes_on(proposal, count: int, choice: str = "agree") -> None:
    for _ in range(count):
        voter = ParticipantFactory(roundtable=proposal.question.roundtable)
        Vote.objects.create(proposal=proposal, participant=voter, choice=choice)


@pytest.mark.django_db
def test_own_voted_hidden_and_pending_proposals_are_left_out_and_the_count_says_what_is_left():
    roundtable = RoundtableFactory()
    question = roundtable.questions.get(order=1)
    ana, author = ParticipantFactory(roundtable=roundtable), ParticipantFactory(roundtable=roundtable)
    own = ProposalFactory(author=ana)
    voted = ProposalFactory(author=author)
    Vote.objects.create(proposal=voted, participant=ana, choice="pass")
    ProposalFactory(author=author, status=ProposalStatus.HIDDEN, hidden_reason="Off topic")
    ProposalFactory(author=author, status=ProposalStatus.PENDING)
    open_ones = {ProposalFactory(author=author).pk for _ in range(3)}

    answer = vote_order_for(roundtable_id=roundtable.pk, participant_id=ana.pk, question_id=question.pk)

    assert set(answer["order"]) == open_ones
    assert own.pk not in answer["order"] and voted.pk not in answer["order"]
    assert answer["left"] == 3
    # Voting on one takes it out of the next answer.
    Vote.objects.create(proposal_id=answer["order"][0], participant=ana, choice="agree")
    assert len(order_of(ana, question)) == 2


@pytest.mark.django_db
def test_proposals_with_few_votes_come_first_for_everyone():
    roundtable = RoundtableFactory()
    question = roundtable.questions.get(order=1)
    author = ParticipantFactory(roundtable=roundtable)
    many = [ProposalFactory(author=author) for _ in range(4)]
    for proposal in many:
        votes_on(proposal, 8)
    few = [ProposalFactory(author=author) for _ in range(3)]
    votes_on(few[0], 1)
    votes_on(few[1], 4)
    few_ids = {proposal.pk for proposal in few}

    for _ in range(12):
        person = ParticipantFactory(roundtable=roundtable)
        order = order_of(person, question)
        assert set(order[:3]) == few_ids, "the three proposals with fewer than five votes lead"
        assert len(order) == 7


@pytest.mark.django_db
def test_two_people_get_different_orders_and_one_person_the_same_order_twice():
    roundtable = RoundtableFactory()
    question = roundtable.questions.get(order=1)
    author = ParticipantFactory(roundtable=roundtable)
    for _ in range(8):
        ProposalFactory(author=author)
    ana, ben = ParticipantFactory(roundtable=roundtable), ParticipantFactory(roundtable=roundtable)

    assert order_of(ana, question) != order_of(ben, question)
    assert order_of(ana, question) == order_of(ana, question), "a reload does not reshuffle"
    firsts = {order_of(ParticipantFactory(roundtable=roundtable), question)[0] for _ in range(20)}
    assert len(firsts) >= 4, "the first card is spread over the proposals, not the same for the room"


@pytest.mark.django_db
def test_proposals_that_tell_opinion_groups_apart_weigh_more_among_well_voted_ones():
    roundtable = RoundtableFactory()
    question = roundtable.questions.get(order=1)
    author = ParticipantFactory(roundtable=roundtable)
    proposals = [ProposalFactory(author=author) for _ in range(4)]
    for proposal in proposals:
        votes_on(proposal, 3, "agree")
        votes_on(proposal, 3, "disagree")
    divisive, *centred = proposals
    question.opinions = {
        "proposals": {
            str(divisive.pk): {"position": [0.85, 0.4]},
            **{str(p.pk): {"position": [0.02, -0.01]} for p in centred},
        }
    }
    question.save(update_fields=["opinions"])

    first = [order_of(ParticipantFactory(roundtable=roundtable), question)[0] for _ in range(60)]

    # Equal weights would lead with it a quarter of the time (15 of 60).
    assert first.count(divisive.pk) >= 30, first.count(divisive.pk)


@pytest.mark.django_db
def test_while_tallies_are_hidden_the_order_does_not_follow_agreement():
    roundtable = RoundtableFactory()
    question = roundtable.questions.get(order=1)
    question.tallies_hidden = True
    question.save(update_fields=["tallies_hidden"])
    author = ParticipantFactory(roundtable=roundtable)
    ana = ParticipantFactory(roundtable=roundtable)
    proposals = [ProposalFactory(author=author) for _ in range(5)]
    for proposal in proposals:
        votes_on(proposal, 6, "disagree")
    people = [ana, *(ParticipantFactory(roundtable=roundtable) for _ in range(9))]
    before = order_of(ana, question)
    # The same counts of votes, now two proposals agreed with: the order cannot tell. (All of them agreed
    # with would not show it: equal weights give the same order whatever the agreement.)
    agreed = {proposal.pk for proposal in proposals[:2]}
    Vote.objects.filter(proposal__in=proposals[:2]).update(choice="agree")
    assert order_of(ana, question) == before
    # The same votes with the tallies shown: the two agreed with lead for nearly everyone.
    question.tallies_hidden = False
    question.save(update_fields=["tallies_hidden"])
    leading = sum(set(order_of(person, question)[:2]) == agreed for person in people)
    assert leading >= 5, "the check above would see agreement if the order followed it"


@pytest.mark.django_db
def test_a_question_not_taking_votes_offers_nothing_and_another_roundtables_question_is_refused():
    roundtable = RoundtableFactory(questions=[QuestionState.LOCKED, QuestionState.CLOSED])
    author = ParticipantFactory(roundtable=roundtable)
    ProposalFactory(author=author)
    ana = ParticipantFactory(roundtable=roundtable)
    assert vote_order_for(
        roundtable_id=roundtable.pk, participant_id=ana.pk, question_id=roundtable.questions.get(order=1).pk
    ) == {"question": roundtable.questions.get(order=1).pk, "order": [], "left": 0}
    elsewhere = RoundtableFactory().questions.get(order=1)
    with pytest.raises(ServiceError) as refused:
        vote_order_for(roundtable_id=roundtable.pk, participant_id=ana.pk, question_id=elsewhere.pk)
    assert refused.value.code == "question_not_found"


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
async def test_the_socket_answers_vote_order_with_the_persons_own_order():
    def scene():
        roundtable = RoundtableFactory()
        author = ParticipantFactory(roundtable=roundtable)
        ids = [ProposalFactory(author=author).pk for _ in range(6)]
        people = [ParticipantFactory(roundtable=roundtable) for _ in range(2)]
        return roundtable, roundtable.questions.get(order=1).pk, ids, people

    roundtable, question, ids, (ana, ben) = await database_sync_to_async(scene)()
    ana_client, _ = await connect(roundtable, ana)
    ben_client, _ = await connect(roundtable, ben)
    watcher, _ = await connect(roundtable)

    ana_reply = await ana_client.command("vote.order", question=question)
    ben_reply = await ben_client.command("vote.order", question=question)
    refused = await watcher.command("vote.order", question=question)

    assert ana_reply["type"] == "ack" and ana_reply["seq"] is None, "a read writes no event"
    assert sorted(ana_reply["result"]["order"]) == sorted(ids) and ana_reply["result"]["left"] == 6
    assert sorted(ben_reply["result"]["order"]) == sorted(ids)
    assert ana_reply["result"]["order"] != ben_reply["result"]["order"]
    assert (refused["type"], refused["code"]) == ("error", "not_joined")
    # Ana votes on her first card: her next answer no longer holds it.
    first = ana_reply["result"]["order"][0]
    assert (await ana_client.command("vote.cast", proposal=first, choice="agree"))["type"] == "ack"
    again = await ana_client.command("vote.order", question=question)
    assert first not in again["result"]["order"] and again["result"]["left"] == 5
    for client in (ana_client, ben_client, watcher):
        await client.close()
