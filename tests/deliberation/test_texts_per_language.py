"""Conclusions, commitments and room checks in every language (issue 18): each language's draft has its
own versions (merged or refused, never overwritten); with a translation server (a local one speaking
LibreTranslate's API) the other languages are proposed, marked machine-made until a moderator reviews or
corrects them; a machine never overwrites a person; without a server moderators write them by hand."""

import functools

import pytest
from asgiref.sync import async_to_sync
from django.utils import translation

from deliberation.document.build import document_build
from deliberation.document.live import question_draft
from deliberation.document.view import document_view
from deliberation.errors import ServiceError
from deliberation.models import Commitment, DraftRevision, Question, Role, Statement
from deliberation.services.drafts import commitment_add, draft_review, draft_save
from deliberation.services.statements import statement_put
from deliberation.services.texts import (
    draft_retranslate,
    markdown_translate,
    question_translations_wanted,
    translation_review,
    translation_save,
    translations_run_due,
)
from tests.factories import ParticipantFactory, RoundtableFactory

pytestmark = pytest.mark.django_db

CONCLUSION = "## Funding\n\nPartnerships need a shared fund [#12].\n"
CONCLUSION_FR = "## Financement\n\nLes partenariats ont besoin d'un fonds commun [#12].\n"


@pytest.fixture
def room():
    roundtable = RoundtableFactory()
    mod = ParticipantFactory(roundtable=roundtable, display_name="Mo", role=Role.MODERATOR, language="en")
    mia = ParticipantFactory(roundtable=roundtable, display_name="Mia", role=Role.MODERATOR, language="es")
    ana = ParticipantFactory(roundtable=roundtable, display_name="Ana", language="fr")
    question = roundtable.questions.get(order=1)
    return roundtable, question, {"mod": mod, "mia": mia, "ana": ana}


def ids(roundtable, who):
    return {"roundtable_id": roundtable.pk, "participant_id": who.pk}


def latest(question, language):
    return DraftRevision.objects.filter(question=question, language=language).order_by("-version").first()


def test_each_language_has_its_own_versions_and_a_concurrent_save_is_merged_or_refused(room):
    roundtable, question, people = room
    draft_save(
        **ids(roundtable, people["mod"]),
        question_id=question.pk,
        base_version=0,
        text=CONCLUSION,
        language="en",
    )
    spanish = "## Financiación\n\nUn fondo común.\n\n## Datos\n\nPor escribir.\n"
    first = draft_save(
        **ids(roundtable, people["mia"]), question_id=question.pk, base_version=0, text=spanish, language="es"
    )

    # Spanish starts at its own version 1, whatever English has.
    assert first.result == {"version": 1, "merged": False, "language": "es"}
    # Two moderators save Spanish from version 1 on different lines: merged, nobody's words lost.
    draft_save(
        **ids(roundtable, people["mia"]),
        question_id=question.pk,
        base_version=1,
        text=spanish.replace("Un fondo", "Un gran fondo"),
        language="es",
    )
    merged = draft_save(
        **ids(roundtable, people["mod"]),
        question_id=question.pk,
        base_version=1,
        text=spanish.replace("Por escribir", "Pronto"),
        language="es",
    )
    assert merged.result["merged"] is True
    assert latest(question, "es").text == "## Financiación\n\nUn gran fondo común.\n\n## Datos\n\nPronto.\n"
    # The same lines changed from the same version: refused, with both versions marked.
    with pytest.raises(ServiceError) as refused:
        draft_save(
            **ids(roundtable, people["mia"]),
            question_id=question.pk,
            base_version=1,
            text=spanish.replace("Un fondo", "Otro fondo"),
            language="es",
        )
    assert refused.value.code == "draft_conflict"
    assert "<<<<<<<" in refused.value.params["merged"]
    # English was not touched by any of it.
    assert latest(question, "en").version == 1 and latest(question, "en").text == CONCLUSION


def test_a_language_outside_the_roundtable_is_refused_and_nothing_is_written(room):
    roundtable, question, people = room
    roundtable.languages = ["en", "es"]
    roundtable.save()
    with pytest.raises(ServiceError) as refused:
        draft_save(
            **ids(roundtable, people["mod"]),
            question_id=question.pk,
            base_version=0,
            text="Texte",
            language="fr",
        )
    assert refused.value.code == "language_invalid"
    assert not DraftRevision.objects.exists()


def test_with_a_server_the_other_languages_are_machine_translated_then_reviewed_or_corrected(
    room, translator
):
    roundtable, question, people = room
    draft_save(
        **ids(roundtable, people["mod"]),
        question_id=question.pk,
        base_version=0,
        text=CONCLUSION,
        language="en",
    )
    assert Question.objects.get(pk=question.pk).translations_due_at is not None

    assert translations_run_due() == 1

    spanish, french = latest(question, "es"), latest(question, "fr")
    # Line by line: the heading stays a heading, the citation survives, each is marked as a machine's.
    assert spanish.text == "## Financiación\n\nLas alianzas necesitan un fondo común [#12].\n"
    assert french.text == "## Financement\n\nLes partenariats ont besoin d'un fonds commun [#12].\n"
    assert (spanish.machine, spanish.source_language, spanish.source_version, spanish.author) == (
        True,
        "en",
        1,
        None,
    )
    assert spanish.reviewed_at is None
    assert Question.objects.get(pk=question.pk).translations_due_at is None

    # Mia reads the Spanish and stands by it: reviewed, by her, now.
    draft_review(**ids(roundtable, people["mia"]), question_id=question.pk, language="es", version=1)
    spanish.refresh_from_db()
    assert (spanish.reviewed_by_name, spanish.reviewed_at is not None) == ("Mia", True)
    # Mo corrects the French: his version, still a translation of English version 1, reviewed by him.
    draft_save(
        **ids(roundtable, people["mod"]),
        question_id=question.pk,
        base_version=1,
        text=french.text.replace("ont besoin d'un", "veulent un"),
        language="fr",
    )
    corrected = latest(question, "fr")
    assert (corrected.version, corrected.machine, corrected.source_language) == (2, False, "en")
    assert corrected.reviewed_by_name == "Mo"

    # English changes: what people stand by (Spanish reviewed, French corrected) is never replaced by a
    # machine on its own; both are marked out of date, and the pass asks the server nothing for them.
    asked = len(translator.requests)
    draft_save(
        **ids(roundtable, people["mod"]),
        question_id=question.pk,
        base_version=1,
        text=CONCLUSION + "\nOpen a joint fund\n",
        language="en",
    )
    translations_run_due()
    assert len(translator.requests) == asked
    assert latest(question, "es").version == 1 and latest(question, "es").reviewed_by_name == "Mia"
    assert latest(question, "fr").version == 2 and latest(question, "fr").text == corrected.text
    views = question_draft(question=question)["languages"]
    assert {language: view["outdated"] for language, view in views.items()} == {
        "en": False,
        "es": True,
        "fr": True,
    }
    assert (views["fr"]["corrected"], views["es"]["corrected"]) == (True, False)


def test_a_review_names_the_version_read_and_only_a_machine_text_is_reviewed(room, translator):
    roundtable, question, people = room
    draft_save(
        **ids(roundtable, people["mod"]),
        question_id=question.pk,
        base_version=0,
        text=CONCLUSION,
        language="en",
    )
    translations_run_due()
    draft_save(
        **ids(roundtable, people["mod"]),
        question_id=question.pk,
        base_version=1,
        text="Funding\n",
        language="en",
    )
    translations_run_due()

    # A newer translation arrived while Mia read version 1: she is told, nothing is marked.
    with pytest.raises(ServiceError) as stale:
        draft_review(**ids(roundtable, people["mia"]), question_id=question.pk, language="es", version=1)
    assert stale.value.code == "review_stale"
    assert stale.value.params == {"version": 2}
    assert latest(question, "es").reviewed_at is None
    with pytest.raises(ServiceError) as written:
        draft_review(**ids(roundtable, people["mia"]), question_id=question.pk, language="en", version=2)
    assert written.value.code == "review_not_machine"
    # A participant may not review.
    with pytest.raises(ServiceError) as forbidden:
        draft_review(**ids(roundtable, people["ana"]), question_id=question.pk, language="es", version=2)
    assert forbidden.value.code == "forbidden"


def test_commitments_and_room_checks_get_every_language_and_a_review(room, translator):
    roundtable, question, people = room
    commitment = commitment_add(
        **ids(roundtable, people["mod"]),
        question_id=question.pk,
        what="Open a joint fund",
        actor_type="government-local",
        language="en",
    ).result["commitment"]
    statement = statement_put(
        **ids(roundtable, people["mod"]),
        question_id=question.pk,
        text="Partnerships need a shared fund",
        language="en",
    ).result["statement"]

    translations_run_due()

    texts = Commitment.objects.get(pk=commitment).translations
    assert texts["es"]["text"] == "Abrir un fondo conjunto" and texts["es"]["machine"] is True
    assert texts["fr"]["text"] == "Ouvrir un fonds commun" and texts["fr"]["reviewed_at"] is None
    check = Statement.objects.get(pk=statement)
    assert check.translations["fr"]["text"] == "Les partenariats ont besoin d'un fonds commun"
    # Nothing is left to translate: the pass does not ask the server again.
    asked = len(translator.requests)
    assert question_translations_wanted(question_id=question.pk) == []
    translations_run_due()
    assert len(translator.requests) == asked

    translation_review(**ids(roundtable, people["mia"]), kind="statement", item_id=statement, language="fr")
    check.refresh_from_db()
    assert check.translations["fr"]["reviewed_by"] == "Mia" and check.translations["fr"]["machine"] is True
    # Reviewing it again changes nothing; a text written by a person has nothing to review.
    assert (
        translation_review(
            **ids(roundtable, people["mia"]), kind="statement", item_id=statement, language="fr"
        ).seq
        is None
    )
    translation_save(
        **ids(roundtable, people["mia"]),
        kind="commitment",
        item_id=commitment,
        language="es",
        text="Abrir un fondo común",
    )
    with pytest.raises(ServiceError) as written:
        translation_review(
            **ids(roundtable, people["mia"]), kind="commitment", item_id=commitment, language="es"
        )
    assert written.value.code == "review_not_machine"


def test_without_a_server_moderators_write_the_other_languages_by_hand(room):
    roundtable, question, people = room
    statement = statement_put(
        **ids(roundtable, people["mod"]),
        question_id=question.pk,
        text="Partnerships need a shared fund",
        language="en",
    ).result["statement"]
    # Nothing is due: no server is configured, nothing would ever be sent.
    assert Question.objects.get(pk=question.pk).translations_due_at is None

    translation_save(
        **ids(roundtable, people["mia"]),
        kind="statement",
        item_id=statement,
        language="es",
        text="  Las alianzas   necesitan un fondo común ",
    )
    entry = Statement.objects.get(pk=statement).translations["es"]
    assert entry["text"] == "Las alianzas necesitan un fondo común"
    assert (entry["machine"], entry["author"], entry["reviewed_by"]) == (False, "Mia", "Mia")

    # Bad input: a clear error and nothing written half-way.
    for language, text, code in [
        ("en", "Partnerships need one fund", "text_language_original"),
        ("de", "Partnerschaften", "language_invalid"),
        ("fr", "   ", "text_empty"),
        ("fr", "x" * 501, "text_too_long"),
    ]:
        with pytest.raises(ServiceError) as refused:
            translation_save(
                **ids(roundtable, people["mia"]),
                kind="statement",
                item_id=statement,
                language=language,
                text=text,
            )
        assert refused.value.code == code
    assert set(Statement.objects.get(pk=statement).translations) == {"es"}
    with pytest.raises(ServiceError) as forbidden:
        translation_save(
            **ids(roundtable, people["ana"]), kind="statement", item_id=statement, language="fr", text="Oui"
        )
    assert forbidden.value.code == "forbidden"


def test_a_failing_server_writes_nothing_and_the_question_is_tried_again_later(room, translator):
    roundtable, question, people = room
    translator.mode = "error"
    draft_save(
        **ids(roundtable, people["mod"]),
        question_id=question.pk,
        base_version=0,
        text=CONCLUSION,
        language="en",
    )

    translations_run_due()

    assert not DraftRevision.objects.filter(machine=True).exists()
    due = Question.objects.get(pk=question.pk).translations_due_at
    assert due is not None
    # Not due again at once: the next tick does not hammer a server that is down.
    assert translations_run_due() == 0


def test_markdown_keeps_its_structure_and_citations_through_translation():
    def lossy(text):
        # A server that drops bracketed citations and shouts.
        return text.replace("[#12]", "").replace("[theme:3]", "").upper().strip()

    text = "## Funding\n\n- Shared fund [#12] and [theme:3]\n> Quoted\n\n[#12]\n"
    assert (
        markdown_translate(text, lambda texts: [lossy(item) for item in texts])
        == "## FUNDING\n\n- SHARED FUND  AND [#12] [theme:3]\n> QUOTED\n\n[#12]\n"
    )


def test_without_a_server_a_translation_by_hand_goes_out_of_date_and_is_not_called_reviewed(room):
    roundtable, question, people = room
    mod, mia = ids(roundtable, people["mod"]), ids(roundtable, people["mia"])
    draft_save(**mod, question_id=question.pk, base_version=0, text=CONCLUSION, language="en")
    # Mia writes the Spanish by hand: a translation of English version 1, hers, not a second original.
    draft_save(**mia, question_id=question.pk, base_version=0, text="Un fondo común [#12].", language="es")
    spanish = latest(question, "es")
    assert (spanish.machine, spanish.source_language, spanish.source_version) == (False, "en", 1)
    assert question_draft(question=question)["languages"]["es"]["outdated"] is False

    edited = draft_save(
        **mod, question_id=question.pk, base_version=1, text=CONCLUSION + "\nAnd more.\n", language="en"
    )

    # The one event of that save carries the mark; no server, so nothing is due.
    event = roundtable.events.get(seq=edited.seq)
    assert event.staff["draft"]["languages"]["es"]["outdated"] is True
    assert Question.objects.get(pk=question.pk).translations_due_at is None
    document = document_build(roundtable=roundtable)
    entry = document["questions"][0]["conclusions"]["texts"]["es"]
    assert (entry["outdated"], entry["corrected"], entry["reviewed_by"]) == (True, False, "Mia")
    with translation.override("es"):
        view = document_view(document, "es")
    mark = view.questions[0].conclusions_mark
    assert (
        mark
        == "Traducción de una versión anterior (original: inglés); el original ha cambiado desde entonces."
    )
    assert "revisad" not in mark

    # Mia reads the English again and says the Spanish still holds: reviewed against version 2.
    draft_review(**mia, question_id=question.pk, language="es", version=1)
    spanish.refresh_from_db()
    assert (spanish.source_version, spanish.reviewed_by_name) == (2, "Mia")
    assert question_draft(question=question)["languages"]["es"]["outdated"] is False
    # The original itself is never "reviewed".
    with pytest.raises(ServiceError) as written:
        draft_review(**mia, question_id=question.pk, language="en", version=2)
    assert written.value.code == "review_not_machine"


def test_a_correction_saved_after_the_original_changed_answers_to_the_new_original(room, translator):
    roundtable, question, people = room
    mod, mia = ids(roundtable, people["mod"]), ids(roundtable, people["mia"])
    draft_save(**mod, question_id=question.pk, base_version=0, text=CONCLUSION, language="en")
    translations_run_due()
    draft_review(**mia, question_id=question.pk, language="fr", version=1)
    draft_save(**mod, question_id=question.pk, base_version=1, text="Funding\n", language="en")
    assert question_draft(question=question)["languages"]["fr"]["outdated"] is True

    draft_save(**mia, question_id=question.pk, base_version=1, text="Financement\n", language="fr")

    french = question_draft(question=question)["languages"]["fr"]
    assert (french["outdated"], french["source_version"], french["corrected"]) == (False, 2, True)


# It awaits the server off the database thread (database_sync_to_async), which wants real commits.
@pytest.mark.django_db(transaction=True)
def test_translate_again_replaces_an_out_of_date_text_at_a_moderators_request(room, translator):
    roundtable, question, people = room
    mod, mia = ids(roundtable, people["mod"]), ids(roundtable, people["mia"])
    draft_save(**mod, question_id=question.pk, base_version=0, text=CONCLUSION, language="en")
    translations_run_due()
    draft_save(**mia, question_id=question.pk, base_version=1, text="Un fondo, sí.\n", language="es")
    draft_save(**mod, question_id=question.pk, base_version=1, text="Open a joint fund\n", language="en")
    translations_run_due()
    assert latest(question, "es").text == "Un fondo, sí.\n", "a person's text is not replaced on its own"

    done = async_to_sync(draft_retranslate)(
        **mia, question_id=question.pk, language="es", command_id="again-1"
    )

    spanish = latest(question, "es")
    assert done.result == {"version": 3, "language": "es"}
    assert (spanish.text, spanish.machine, spanish.reviewed_at) == ("Abrir un fondo conjunto\n", True, None)
    assert (spanish.source_language, spanish.source_version) == ("en", 2)
    assert question_draft(question=question)["languages"]["es"]["outdated"] is False
    # The same command again is answered with the first answer, nothing written twice.
    again = async_to_sync(draft_retranslate)(
        **mia, question_id=question.pk, language="es", command_id="again-1"
    )
    assert again.seq == done.seq and latest(question, "es").version == 3
    # Never over the original, never by a participant.
    with pytest.raises(ServiceError) as original:
        async_to_sync(draft_retranslate)(**mia, question_id=question.pk, language="en")
    assert original.value.code == "text_language_original"
    with pytest.raises(ServiceError) as forbidden:
        async_to_sync(draft_retranslate)(
            **ids(roundtable, people["ana"]), question_id=question.pk, language="es"
        )
    assert forbidden.value.code == "forbidden"


@pytest.mark.django_db(transaction=True)
def test_translate_again_retried_after_a_failure_asks_again_and_after_success_answers_from_the_log(
    room, translator, settings
):
    roundtable, question, people = room
    mod = ids(roundtable, people["mod"])
    draft_save(**mod, question_id=question.pk, base_version=0, text=CONCLUSION, language="en")
    retranslate = functools.partial(
        async_to_sync(draft_retranslate), **mod, question_id=question.pk, language="fr", command_id="again-1"
    )
    translator.mode = "error"
    with pytest.raises(ServiceError) as down:
        retranslate()
    assert down.value.code == "translation_unavailable"
    asked = len(translator.requests)

    # The same command id once the server is back: a new try, not the first one's error.
    translator.mode = "ok"
    first = retranslate()
    assert len(translator.requests) == asked + 1
    assert DraftRevision.objects.filter(question=question, language="fr").count() == 1

    # Sent again after it took effect, with the server switched off meanwhile: the first ack, not an error.
    settings.ROUNDTABLE_TRANSLATE_URL = ""
    again = retranslate()
    assert (again.seq, again.result) == (first.seq, first.result)
    assert len(translator.requests) == asked + 1
    assert DraftRevision.objects.filter(question=question, language="fr").count() == 1


# It awaits the server off the database thread (database_sync_to_async), which wants real commits.
@pytest.mark.django_db(transaction=True)
def test_translate_again_without_a_server_or_with_a_failing_one_writes_nothing(room, translator, settings):
    roundtable, question, people = room
    mod = ids(roundtable, people["mod"])
    draft_save(**mod, question_id=question.pk, base_version=0, text=CONCLUSION, language="en")
    translator.mode = "error"
    with pytest.raises(ServiceError) as down:
        async_to_sync(draft_retranslate)(**mod, question_id=question.pk, language="fr")
    assert down.value.code == "translation_unavailable"
    settings.ROUNDTABLE_TRANSLATE_URL = ""
    with pytest.raises(ServiceError) as off:
        async_to_sync(draft_retranslate)(**mod, question_id=question.pk, language="fr")
    assert off.value.code == "translation_off"
    assert not DraftRevision.objects.filter(language="fr").exists()


def test_a_conclusions_lines_commitments_and_room_checks_go_in_one_request_per_language(room, translator):
    roundtable, question, people = room
    mod = ids(roundtable, people["mod"])
    draft_save(**mod, question_id=question.pk, base_version=0, text=CONCLUSION, language="en")
    commitment_add(
        **mod, question_id=question.pk, what="Open a joint fund", actor_type="government-local", language="en"
    )
    statement_put(**mod, question_id=question.pk, text="Partnerships need a shared fund", language="en")

    translations_run_due()

    # Two target languages: two requests, each carrying every text as LibreTranslate's list `q`.
    assert sorted(request["target"] for request in translator.requests) == ["es", "fr"]
    for request in translator.requests:
        assert request["q"] == [
            "Funding",
            "Partnerships need a shared fund [#12].",
            "Open a joint fund",
            "Partnerships need a shared fund",
        ]
    assert latest(question, "fr").text == CONCLUSION_FR
    assert Statement.objects.get().translations["es"]["text"] == "Las alianzas necesitan un fondo común"
