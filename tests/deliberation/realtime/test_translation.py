"""Machine translation of proposals through the live protocol, against a local server speaking
LibreTranslate's API: off by default, a translation is kept until the text changes, a failing or stalled
server gets a clear error in the person's language and leaves the socket (and everyone else) working."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from deliberation.models import DraftRevision, Proposal, ProposalStatus
from deliberation.services.moderation import proposal_edit
from deliberation.services.statements import statement_put
from tests.factories import ParticipantFactory, ProposalFactory, RoundtableFactory
from tests.support.ws import connect

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

FUND_ES = "Crear un fondo común de inversión para proyectos locales"


@database_sync_to_async
def room():
    roundtable = RoundtableFactory()
    ana = ParticipantFactory(roundtable=roundtable, display_name="Ana", language="es")
    ben = ParticipantFactory(roundtable=roundtable, display_name="Ben", language="en")
    chloe = ParticipantFactory(roundtable=roundtable, display_name="Chloé", language="fr")
    moderator = ParticipantFactory(roundtable=roundtable, role="moderator", actor_type="")
    fund = ProposalFactory(author=ana, text=FUND_ES, language="es")
    pending = ProposalFactory(author=ana, text="Otra idea", language="es", status=ProposalStatus.PENDING)
    return roundtable, {"ana": ana, "ben": ben, "chloe": chloe, "moderator": moderator}, fund, pending


async def test_a_proposal_is_translated_into_the_readers_language_and_kept_until_it_is_edited(translator):
    roundtable, people, fund, _pending = await room()
    ben, _ = await connect(roundtable, people["ben"])
    moderator, _ = await connect(roundtable, people["moderator"])

    reply = await ben.command("proposal.translate", proposal=fund.pk, language="en")

    assert reply["type"] == "ack", reply
    assert reply["result"] == {
        "proposal": fund.pk,
        "source": "es",
        "language": "en",
        "text": "Create a common investment fund for local projects",
        "provider": "LibreTranslate",
    }
    assert translator.requests == [
        {"q": FUND_ES, "source": "es", "target": "en", "format": "text", "api_key": "secret-key"}
    ]
    # Asked again (by Ben or a moderator): answered from what was kept, the server is not asked twice.
    again = await moderator.command("proposal.translate", proposal=fund.pk, language="en")
    assert again["result"]["text"] == reply["result"]["text"]
    assert len(translator.requests) == 1
    # The original is untouched: everyone still votes on the Spanish text.
    stored = await database_sync_to_async(Proposal.objects.get)(pk=fund.pk)
    assert stored.text == FUND_ES

    # A moderator edits the proposal: the kept translation is of a text that no longer exists.
    await database_sync_to_async(proposal_edit)(
        roundtable_id=roundtable.pk,
        participant_id=people["moderator"].pk,
        proposal_id=fund.pk,
        text="Crear un fondo común para proyectos locales",
    )
    edited = await ben.command("proposal.translate", proposal=fund.pk, language="en")
    assert edited["result"]["text"] == "[es→en] Crear un fondo común para proyectos locales"
    assert len(translator.requests) == 2
    await ben.close()
    await moderator.close()


async def test_refusals_say_why_in_the_persons_language(translator):
    roundtable, people, fund, pending = await room()
    chloe, _ = await connect(roundtable, people["chloe"])
    ana, _ = await connect(roundtable, people["ana"])

    same = await ana.command("proposal.translate", proposal=fund.pk, language="es")
    unknown_language = await chloe.command("proposal.translate", proposal=fund.pk, language="de")
    # Someone else's proposal held for review does not exist for Chloé; its author may translate it.
    hidden_from_her = await chloe.command("proposal.translate", proposal=pending.pk, language="fr")
    own = await ana.command("proposal.translate", proposal=pending.pk, language="fr")

    assert (same["code"], same["message"]) == (
        "translation_same_language",
        "Esta propuesta ya está escrita en ese idioma.",
    )
    assert unknown_language["code"] == "language_invalid"
    assert (hidden_from_her["code"], hidden_from_her["message"]) == (
        "proposal_not_found",
        "Cette proposition n'existe pas.",
    )
    assert own["type"] == "ack"
    await chloe.close()
    await ana.close()


@pytest.mark.parametrize("mode", ["error", "garbage", "slow", "wrong-key"])
async def test_a_failing_translation_server_gets_a_clear_error_and_the_socket_keeps_working(
    translator, settings, mode
):
    roundtable, people, fund, _pending = await room()
    chloe, _ = await connect(roundtable, people["chloe"])
    translator.mode, translator.delay = mode, 3.0
    if mode == "wrong-key":
        settings.ROUNDTABLE_TRANSLATE_API_KEY = "not-the-key"

    reply = await chloe.command("proposal.translate", proposal=fund.pk, language="fr")

    assert (reply["type"], reply["code"]) == ("error", "translation_unavailable")
    assert reply["message"].startswith("Le service de traduction n'a pas répondu.")
    stored = await database_sync_to_async(Proposal.objects.get)(pk=fund.pk)
    assert stored.translations == {}, "nothing kept from a failed answer"
    # Still connected and taking part.
    vote = await chloe.command("vote.cast", proposal=fund.pk, choice="agree")
    assert vote["type"] == "ack"
    await chloe.close()


async def test_waiting_on_the_translation_server_holds_up_nobody_else(translator):
    roundtable, people, fund, _pending = await room()
    chloe, _ = await connect(roundtable, people["chloe"])
    ben, _ = await connect(roundtable, people["ben"])
    translator.mode, translator.delay = "slow", 0.8

    translating = asyncio.create_task(chloe.command("proposal.translate", proposal=fund.pk, language="fr"))
    await asyncio.sleep(0.1)
    vote = await ben.command("vote.cast", proposal=fund.pk, choice="agree")
    assert vote["type"] == "ack"
    assert not translating.done(), "Ben's vote went through while Chloé's translation was still waiting"
    reply = await translating
    assert reply["result"]["text"] == f"[es→fr] {FUND_ES}"
    await chloe.close()
    await ben.close()


async def test_translation_is_off_unless_a_server_is_configured():
    roundtable, people, fund, _pending = await room()
    ben, _ = await connect(roundtable, people["ben"])

    reply = await ben.command("proposal.translate", proposal=fund.pk, language="en")

    assert (reply["code"], reply["message"]) == (
        "translation_off",
        "Machine translation is not set up for this roundtable.",
    )
    await ben.close()


async def test_while_a_translation_waits_the_same_persons_votes_go_through(translator):
    roundtable, people, fund, _pending = await room()
    chloe, _ = await connect(roundtable, people["chloe"])
    translator.mode, translator.delay = "slow", 0.8

    await chloe.send({"type": "proposal.translate", "id": "t1", "proposal": fund.pk, "language": "fr"})
    vote = await chloe.command("vote.cast", proposal=fund.pk, choice="agree")

    assert vote["type"] == "ack"
    assert not [frame for frame in chloe.unread if frame.get("id") == "t1"], "the vote was answered first"
    translated = await chloe.reply_to("t1")
    assert translated["result"]["text"] == f"[es→fr] {FUND_ES}"
    # At most four wait at once on one socket: a fifth is asked to slow down, and nothing is lost.
    for n in range(5):
        await chloe.send({"type": "proposal.translate", "id": f"w{n}", "proposal": fund.pk, "language": "en"})
    refused = await chloe.reply_to("w4")
    assert (refused["code"], refused["retryable"]) == ("rate_limited", True)
    waited = {"w0", "w1", "w2", "w3"}
    answers = {frame["id"]: frame for frame in chloe.unread if frame.get("id") in waited}
    while len(answers) < 4:  # in whatever order the server answers them
        frame = await chloe.receive()
        if frame.get("id") in waited:
            answers[frame["id"]] = frame
    assert sorted(answers) == ["w0", "w1", "w2", "w3"]
    assert all(answer["type"] == "ack" for answer in answers.values())
    await chloe.close()


async def test_a_room_check_is_put_in_one_language_and_each_person_may_read_it_in_theirs(translator):
    roundtable, people, _fund, _pending = await room()
    question = await database_sync_to_async(lambda: roundtable.questions.get(order=1).pk)()
    put = await database_sync_to_async(statement_put)(
        roundtable_id=roundtable.pk,
        participant_id=people["moderator"].pk,
        question_id=question,
        text=FUND_ES,
    )
    ben, snapshot = await connect(roundtable, people["ben"])
    check = next(item for item in snapshot["statements"] if item["id"] == put.result["statement"])
    assert check["language"] == "es", "the language a check is written in is detected, as for proposals"

    reply = await ben.command("statement.translate", statement=check["id"], language="en")
    unknown = await ben.command("statement.translate", statement=999999, language="en")

    assert reply["result"] == {
        "statement": check["id"],
        "source": "es",
        "language": "en",
        "text": "Create a common investment fund for local projects",
        "provider": "LibreTranslate",
    }
    assert unknown["code"] == "statement_not_found"
    # Answering is still on the check itself.
    answer = await ben.command("statement.respond", statement=check["id"], choice="agree")
    assert answer["type"] == "ack"
    await ben.close()


async def _draft_event(client, language: str, version: int) -> dict:
    """The `draft.updated` of that language's version, skipping others (the translation pass runs in
    this process too and may add French meanwhile)."""
    # One frame may carry several events (and the replies may have read some already).
    pending = [event for frame in client.unread if frame["type"] == "events" for event in frame["events"]]
    client.unread = [frame for frame in client.unread if frame["type"] != "events"]
    while True:
        for index, event in enumerate(pending):
            data = event["data"]
            if event["kind"] == "draft.updated" and (data["language"], data["version"]) == (
                language,
                version,
            ):
                if pending[index + 1 :]:
                    client.unread.append({"type": "events", "events": pending[index + 1 :]})
                return data["draft"]
        frame = await client.receive()
        pending = frame["events"] if frame["type"] == "events" else []


async def test_an_out_of_date_translation_is_marked_on_the_socket_and_translated_again_on_request(translator):
    """The save of the original marks the other languages out of date in its one event; a moderator's
    `draft.retranslate` waits on the server, then writes the new version in one event, not out of date."""
    roundtable, people, _fund, _pending = await room()
    question = await database_sync_to_async(lambda: roundtable.questions.get(order=1).pk)()
    moderator, _ = await connect(roundtable, people["moderator"])
    await moderator.command(
        "draft.save", question=question, base_version=0, text="Open a joint fund", language="en"
    )
    # Spanish written by hand (a translation of English version 1), then English changes.
    await moderator.command(
        "draft.save", question=question, base_version=0, text="Un fondo, sí.", language="es"
    )
    changed = await moderator.command(
        "draft.save", question=question, base_version=1, text="Partnerships need a shared fund", language="en"
    )
    assert changed["type"] == "ack", changed
    draft = await _draft_event(moderator, "en", 2)
    assert draft["languages"]["es"]["outdated"] is True and draft["languages"]["en"]["outdated"] is False
    # A participant's socket gets no draft at all (drafts are staff's).
    ben, snapshot = await connect(roundtable, people["ben"])
    assert "drafts" not in snapshot

    again = await moderator.command("draft.retranslate", question=question, language="es")
    refused = await moderator.command("draft.retranslate", question=question, language="en")
    not_staff = await ben.command("draft.retranslate", question=question, language="es")

    assert again["type"] == "ack" and again["result"] == {"version": 2, "language": "es"}, again
    spanish = (await _draft_event(moderator, "es", 2))["languages"]["es"]
    assert (spanish["text"], spanish["machine"], spanish["outdated"]) == (
        "Las alianzas necesitan un fondo común\n",
        True,
        False,
    )
    assert (refused["code"], not_staff["code"]) == ("text_language_original", "forbidden")
    # A fresh snapshot says what the events said.
    _, fresh = await connect(roundtable, people["moderator"])
    assert (
        next(item for item in fresh["drafts"] if item["question"] == question)["languages"]["es"] == spanish
    )
    await moderator.close()
    await ben.close()


async def test_a_retried_translate_again_asks_the_server_once_and_takes_effect_once(translator):
    """The moderator's socket drops while "Translate again" waits on a slow server; the console resends the
    same command id on its next socket, and once more after the answer came (its `ack` lost): the server
    is asked once, one version is written, and every delivery is answered with the same `ack`."""
    roundtable, people, _fund, _pending = await room()
    question = await database_sync_to_async(lambda: roundtable.questions.get(order=1).pk)()
    first, _ = await connect(roundtable, people["moderator"])
    await first.command(
        "draft.save", question=question, base_version=0, text="Open a joint fund", language="en"
    )
    await first.command("draft.save", question=question, base_version=0, text="Un fondo, sí.", language="es")
    await first.command(
        "draft.save", question=question, base_version=1, text="Partnerships need a shared fund", language="en"
    )

    earlier = len(translator.requests)

    def asked_for_spanish() -> int:
        # The translation pass of this process may ask for French meanwhile: only Spanish is counted.
        return sum(request["target"] == "es" for request in translator.requests[earlier:])

    translator.mode, translator.delay = "slow", 0.6
    frame = {"type": "draft.retranslate", "id": "again-1", "question": question, "language": "es"}
    await first.send(frame)
    for _ in range(50):
        if asked_for_spanish():
            break
        await asyncio.sleep(0.02)
    assert asked_for_spanish() == 1
    await first.close()  # the network drops while the server translates

    second, _ = await connect(roundtable, people["moderator"])
    await second.send(frame)
    resent = await second.reply_to("again-1")
    assert resent["type"] == "ack" and resent["result"] == {"version": 2, "language": "es"}, resent
    # Its ack lost too: sent once more, after the answer was written.
    third, _ = await connect(roundtable, people["moderator"])
    await third.send(frame)
    again = await third.reply_to("again-1")

    assert (again["type"], again["seq"], again["result"]) == ("ack", resent["seq"], resent["result"])
    assert asked_for_spanish() == 1, translator.requests
    spanish = await database_sync_to_async(
        lambda: list(DraftRevision.objects.filter(language="es").values_list("version", "machine"))
    )()
    assert sorted(spanish) == [(1, False), (2, True)]
    await second.close()
    await third.close()
