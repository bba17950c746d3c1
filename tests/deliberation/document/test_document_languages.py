"""A conclusion written in English is published in English, Spanish and French (issue 18): each language
its own text, the machine-made ones marked as such until a moderator reviewed them, who and when in the
JSON, a visible mark on the page, in the PDF and in the Markdown. Without a translation server the
document says in which language a text is. Every count takes its language's plural form."""

import html
import io
import json

import jsonschema
import pypdf
import pytest
from django.test import Client
from django.utils import translation

from deliberation.document.build import document_build
from deliberation.document.export_markdown import document_markdown
from deliberation.document.files import document_schema_text
from deliberation.document.view import document_view
from deliberation.models import Publication, Role
from deliberation.services import drafts, publications, statements, texts
from deliberation.services.proposals import proposal_submit
from deliberation.services.votes import vote_cast
from tests.factories import ParticipantFactory, ProposalFactory, RoundtableFactory, ThemeFactory

pytestmark = pytest.mark.django_db(transaction=True)
SCHEMA = json.loads(document_schema_text())


@pytest.fixture
def room():
    roundtable = RoundtableFactory()
    question = roundtable.questions.get(order=1)
    ana = ParticipantFactory(roundtable=roundtable, actor_type="government-local", language="es")
    mo = ParticipantFactory(roundtable=roundtable, display_name="Mo", role=Role.MODERATOR, language="en")
    mia = ParticipantFactory(roundtable=roundtable, display_name="Mia", role=Role.MODERATOR, language="es")
    olga = ParticipantFactory(roundtable=roundtable, display_name="Olga", role=Role.ORGANIZER)
    fund = proposal_submit(
        roundtable_id=roundtable.pk,
        participant_id=ana.pk,
        question_id=question.pk,
        text="Crear un fondo común",
    ).result["proposal"]
    return roundtable, question, {"ana": ana, "mo": mo, "mia": mia, "olga": olga}, fund


def ids(roundtable, person):
    return {"roundtable_id": roundtable.pk, "participant_id": person.pk}


def page(slug, language):
    return html.unescape(Client().get(f"/p/{slug}/?lang={language}").content.decode())


def pdf_text(slug, language):
    body = Client().get(f"/p/{slug}/v1/document.pdf?lang={language}").content
    return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(body)).pages)


def test_a_conclusion_written_in_english_is_published_in_three_languages_with_its_marks(room, translator):
    roundtable, question, people, fund = room
    mo, mia = ids(roundtable, people["mo"]), ids(roundtable, people["mia"])
    drafts.draft_save(
        **mo,
        question_id=question.pk,
        base_version=0,
        text=f"## Funding\n\nPartnerships need a shared fund [#{fund}].\n",
        language="en",
    )
    drafts.commitment_add(
        **mo, question_id=question.pk, what="Open a joint fund", actor_type="government-local", language="en"
    )
    check = statements.statement_put(
        **mo, question_id=question.pk, text="Partnerships need a shared fund", language="en"
    ).result["statement"]
    texts.translations_run_due()
    # Mia reviews the Spanish conclusions and the French room check; the rest stays the machine's.
    drafts.draft_review(**mia, question_id=question.pk, language="es", version=1)
    texts.translation_review(**mia, kind="statement", item_id=check, language="fr")
    statements.statement_close(**mo, statement_id=check)
    publications.document_publish(**ids(roundtable, people["olga"]), slug="three-languages")

    document = Publication.objects.get().document
    jsonschema.validate(document, SCHEMA)
    conclusions = document["questions"][0]["conclusions"]
    assert (conclusions["language"], conclusions["version"]) == ("en", 1)
    by_language = conclusions["texts"]
    assert by_language["en"]["machine"] is False and by_language["en"]["translated_from"] is None
    assert (
        by_language["es"]["markdown"]
        == f"## Financiación\n\nLas alianzas necesitan un fondo común [#{fund}].\n"
    )
    assert (by_language["es"]["machine"], by_language["es"]["reviewed_by"]) == (True, "Mia")
    assert by_language["es"]["reviewed_at"]
    assert (by_language["fr"]["machine"], by_language["fr"]["reviewed_by"]) == (True, None)
    commitment = document["questions"][0]["commitments"][0]
    assert commitment["language"] == "en" and commitment["texts"]["fr"]["text"] == "Ouvrir un fonds commun"
    assert document["questions"][0]["checks"][0]["texts"]["fr"]["reviewed_by"] == "Mia"

    english, spanish, french = (page("three-languages", code) for code in ("en", "es", "fr"))
    # Each language reads its own text; English, the original, carries no mark.
    assert "Partnerships need a shared fund" in english and "Machine translation" not in english
    assert "Las alianzas necesitan un fondo común" in spanish
    assert "Traducción automática (original: inglés), revisada por Mia el" in spanish
    # The original is one press away under the translation, named in its own language.
    assert '<summary>Ver el original</summary><p class="original-label">Original (English)</p>' in spanish
    assert "Partnerships need a shared fund" in spanish
    # The Spanish commitment was not reviewed: said so beside it.
    assert (
        "Abrir un fondo conjunto" in spanish
        and "Traducción automática (original: inglés), sin revisar." in spanish
    )
    assert "Les partenariats ont besoin d'un fonds commun" in french
    assert "Traduction automatique (original : anglais), non relue." in french
    assert "Traduction automatique (original : anglais), relue par Mia le" in french, (
        "the reviewed room check"
    )

    with translation.override("fr"):
        markdown = document_markdown(document, "fr")
    assert "### Conclusions\n\n*Traduction automatique (original : anglais), non relue.*" in markdown
    assert "Ouvrir un fonds commun (Traduction automatique" in markdown
    french_pdf = pdf_text("three-languages", "fr")
    assert "Les partenariats ont besoin d'un fonds commun" in french_pdf
    assert "Traduction automatique (original : anglais), non relue." in french_pdf
    spanish_pdf = pdf_text("three-languages", "es")
    assert "revisada por Mia" in spanish_pdf and "Partnerships need" not in spanish_pdf


def test_without_a_server_the_document_says_which_language_a_text_is_in(room):
    roundtable, question, people, fund = room
    mo, mia = ids(roundtable, people["mo"]), ids(roundtable, people["mia"])
    drafts.draft_save(
        **mo, question_id=question.pk, base_version=0, text=f"A shared fund [#{fund}].", language="en"
    )
    check = statements.statement_put(
        **mo, question_id=question.pk, text="Partnerships need a shared fund", language="en"
    ).result["statement"]
    # A moderator writes the Spanish room check by hand: no machine mark, a person's translation.
    texts.translation_save(
        **mia, kind="statement", item_id=check, language="es", text="Las alianzas necesitan un fondo común"
    )
    statements.statement_close(**mo, statement_id=check)
    publications.document_publish(**ids(roundtable, people["olga"]), slug="by-hand")

    french, spanish = page("by-hand", "fr"), page("by-hand", "es")
    assert "Écrite en anglais" in french and "A shared fund" in french
    assert "Machine" not in spanish and "Traducción automática" not in spanish
    assert "Las alianzas necesitan un fondo común" in spanish
    assert "Traducción (original: inglés) de Mia" in spanish


def test_every_count_takes_its_languages_plural_form(room):
    roundtable, _question, people, fund = room
    vote_cast(**ids(roundtable, people["ana"]), proposal_id=fund, choice="agree")
    document = document_build(roundtable=roundtable)

    summaries = {}
    for language in ("en", "es", "fr"):
        with translation.override(language):
            view = document_view(document, language)
        summaries[language] = view.participation_summary
    assert summaries == {
        "en": "1 person took part: 1 proposal by 1 person, 1 vote by 1 person.",
        "es": "1 persona participó: 1 propuesta de 1 persona, 1 voto de 1 persona.",
        "fr": "1 personne a participé : 1 proposition de 1 personne, 1 vote de 1 personne.",
    }


def test_theme_names_a_translation_server_made_say_so_in_every_output(room):
    """Theme 1's name was written in Spanish (a proposal's words) and translated by the server into English
    and French; theme 2 has a moderator's name, which is never a machine's. The JSON says which names are
    the server's; the page, the Markdown and the PDF mark them where they are read."""
    roundtable, question, people, fund = room
    ana = people["ana"]
    other_fund = ProposalFactory(author=ana, question=question, text="Un fondo común, ya", language="es")
    data = [
        ProposalFactory(author=ana, question=question, text="Open data on one platform", language="en"),
        ProposalFactory(author=ana, question=question, text="Datos abiertos para todos", language="es"),
    ]
    ThemeFactory(
        question=question,
        number=1,
        labels={"es": "Crear un fondo común", "en": "Create a common fund", "fr": "Créer un fonds commun"},
        machine={"en": "es", "fr": "es"},
        proposals=[fund, other_fund],
    )
    ThemeFactory(
        question=question,
        number=2,
        name="Open data for all",
        labels={"en": "Open data on one platform", "fr": "Des données ouvertes"},
        machine={"fr": "en"},
        proposals=data,
    )
    drafts.draft_save(
        **ids(roundtable, people["mo"]),
        question_id=question.pk,
        base_version=0,
        text=f"A shared fund [#{fund}] [theme:1].",
        language="en",
    )
    publications.document_publish(**ids(roundtable, people["olga"]), slug="theme-names")

    document = Publication.objects.get().document
    jsonschema.validate(document, SCHEMA)
    themes = {theme["number"]: theme for theme in document["questions"][0]["themes"]}
    assert themes[1]["machine"] == {"en": "es", "fr": "es"}

    french, spanish = page("theme-names", "fr"), page("theme-names", "es")
    assert (
        'Thème 1 : Créer un fonds commun (2 propositions) <span class="theme-mark">'
        "Traduction automatique (original : espagnol).</span>"
    ) in french
    # The cited proposal's line names its theme with the short mark; the citation's title too.
    assert "Thème 1 : Créer un fonds commun (traduction automatique)" in french
    # Spanish reads the proposal's own words; a moderator's name is never marked, in any language.
    assert "Tema 1: Crear un fondo común (2 propuestas)</li>" in spanish
    for reader in (french, spanish):
        assert "Open data for all (2 " in reader
        assert "Des données ouvertes" not in reader
    assert "theme-mark" not in spanish and "traducción automática" not in spanish

    with translation.override("fr"):
        markdown = document_markdown(document, "fr")
    assert (
        "Thème 1 : Créer un fonds commun (2 propositions) *Traduction automatique (original : espagnol).*"
    ) in markdown
    french_pdf = pdf_text("theme-names", "fr")
    assert (
        "Créer un fonds commun (2 propositions) Traduction automatique (original : espagnol)." in french_pdf
    )
    assert "Crear un fondo común (2 propuestas)" in pdf_text("theme-names", "es")
