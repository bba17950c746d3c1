"""The published document on paper says what the page says: citations read "theme 1" and "room check 1"
(never "[theme:1]"), no heading ends a page, no page holds only a placeholder, the footer carries the
whole title, nothing reads "—" where a figure is missing, and a version has one date wherever it is
shown. Real PDFs (reportlab) read back with pypdf; the page through Django's test client."""

import copy
import datetime
import io
import re
from pathlib import Path

import pypdf
import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import translation
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from deliberation.document.export_markdown import document_markdown
from deliberation.document.export_pdf import FOOTER_LINES, FOOTER_SIZE, document_pdf, footer_lines
from deliberation.document.view import document_view
from deliberation.models import Publication, Role, Theme
from deliberation.services import drafts, publications, statements
from deliberation.services.proposals import proposal_submit
from deliberation.services.votes import vote_cast
from tests.factories import ParticipantFactory, RoundtableFactory

pytestmark = pytest.mark.django_db(transaction=True)
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

PLACEHOLDER = {
    "en": "No conclusions were written for this question.",
    "es": "No se escribieron conclusiones para esta pregunta.",
    "fr": "Aucune conclusion n'a été rédigée pour cette question.",
}


def ids(roundtable, person):
    return {"roundtable_id": roundtable.pk, "participant_id": person.pk}


@pytest.fixture
def published():
    """Question 1 with proposals, votes, a theme, a room check and conclusions citing all three; question
    2 with conclusions but no proposal; questions 3 and 4 with nothing. Published as version 1."""
    roundtable = RoundtableFactory(
        organizers=["UCLG Forum of Regions", "CONGOPE"], time_zone="America/Argentina/Cordoba"
    )
    first, second = roundtable.questions.get(order=1), roundtable.questions.get(order=2)
    people = [
        ParticipantFactory(roundtable=roundtable, actor_type=actor_type, language="es")
        for actor_type in ("government-local", "academia-research", "citizen")
    ]
    mia = ParticipantFactory(roundtable=roundtable, display_name="Mia", role=Role.MODERATOR)
    organizer = ParticipantFactory(roundtable=roundtable, display_name="Olga", role=Role.ORGANIZER)
    fund = proposal_submit(
        **ids(roundtable, people[0]), question_id=first.pk, text="Crear un fondo común para proyectos locales"
    ).result["proposal"]
    data = proposal_submit(
        **ids(roundtable, people[1]), question_id=first.pk, text="Publish partnership data openly"
    ).result["proposal"]
    for person in people:
        vote_cast(**ids(roundtable, person), proposal_id=fund, choice="agree")
        vote_cast(**ids(roundtable, person), proposal_id=data, choice="pass")
    theme = Theme.objects.create(question=first, number=1, name="Common fund")
    first.proposals.filter(pk=fund).update(theme=theme)
    check = statements.statement_put(
        **ids(roundtable, mia), question_id=first.pk, text="A fund run by the partners"
    ).result["statement"]
    statements.statement_respond(**ids(roundtable, people[0]), statement_id=check, choice="agree")
    drafts.draft_save(
        **ids(roundtable, mia),
        question_id=first.pk,
        base_version=0,
        text=f"## Funding\n\nA joint fund [#{fund}], the theme [theme:1] as the room agreed [check:1].\n",
    )
    drafts.draft_save(
        **ids(roundtable, mia), question_id=second.pk, base_version=0, text="To be discussed next time."
    )
    publications.document_publish(**ids(roundtable, organizer), slug="paper")
    return Publication.objects.get(slug="paper", version=1), fund


def pages_text(body: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages]


def flat(text: str) -> str:
    """Lines wrap wherever the page ends them: compare without whitespace."""
    return "".join(text.split())


def pdf_of(document, language: str) -> bytes:
    with translation.override(language):
        return document_pdf(document, language)


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_citations_read_in_the_pdf_and_the_markdown_as_on_the_page(published, language):
    publication, fund = published
    page = Client().get(f"/p/paper/?lang={language}").content.decode()
    labels = re.findall(r'<a class="citation"[^>]*>([^<]+)</a>', page)
    assert len(labels) == 3, page
    assert labels[0] == f"#{fund}"
    text = flat(" ".join(pages_text(pdf_of(publication.document, language))))
    for label in labels:
        assert flat(label) in text, label
    assert "[theme:" not in text and "[check:" not in text and "[#" not in text
    with translation.override(language):
        markdown = document_markdown(publication.document, language)
    assert f"[#{fund}](#proposal-{fund})" in markdown
    assert f"[{labels[1]}](#q1-theme-1)" in markdown
    assert f"[{labels[2]}](#q1-check-1)" in markdown
    assert "[theme:" not in markdown and "[check:" not in markdown


def test_the_labels_are_the_readers_language(published):
    publication, _ = published
    text = flat(" ".join(pages_text(pdf_of(publication.document, "es"))))
    assert flat("tema 1") in text
    assert flat("theme 1") not in text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_page_ends_on_a_heading_or_holds_only_a_placeholder(published, language):
    """The conclusions grow a paragraph at a time, so page ends fall after every kind of block."""
    publication, _ = published
    with translation.override(language):
        view = document_view(publication.document, language)
    headings = [flat(f"{question.heading}: {question.text}") for question in view.questions]
    headings += [flat(word) for word in ("Funding", "Participation")]
    with translation.override(language):
        from django.utils.translation import gettext as _

        headings += [
            flat(_(word))
            for word in ("Conclusions", "Commitments", "Checked with the room", "Cited proposals", "Themes")
        ]
    placeholder = flat(PLACEHOLDER[language])
    title, page_word = flat(view.title), {"en": "Page", "fr": "Page"}[language]
    page_ends = set()
    for paragraphs in range(0, 44, 2):
        document = copy.deepcopy(publication.document)
        extra = "".join(
            f"\n\nParagraph {n}: the partners agreed on a shared fund for local projects, run jointly."
            for n in range(paragraphs)
        )
        conclusions = document["questions"][0]["conclusions"]
        conclusions["markdown"] += extra
        # Each language's own text is what its reader gets (issue 18).
        for text in conclusions.get("texts", {}).values():
            text["markdown"] += extra
        texts = pages_text(pdf_of(document, language))
        for number, text in enumerate(texts, start=1):
            body = flat(text).replace(title, "").replace(f"{page_word}{number}", "")
            if number < len(texts):
                page_ends.add(body[-60:])
                ending = [heading for heading in headings if body.endswith(heading)]
                assert not ending, f"{paragraphs} paragraphs: page {number} ends on {ending}"
            rest = body.replace(placeholder, "")
            for heading in headings:
                rest = rest.replace(heading, "")
            assert rest, f"{paragraphs} paragraphs: page {number} holds only headings or a placeholder"
    assert len(page_ends) >= 5, "page ends fell after many different blocks"


def test_the_footer_carries_the_whole_title_on_every_page(published):
    publication, _ = published
    with translation.override("en"):
        title = document_view(publication.document, "en").title
    assert len(title) > 110, "the seed's long title, the one that was cut"
    body = pdf_of(publication.document, "en")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "document-paper-en.pdf").write_bytes(body)  # kept for review, page by page
    texts = pages_text(body)
    assert len(texts) >= 2
    for number, text in enumerate(texts, start=1):
        assert flat(text).count(flat(title)) >= (2 if number == 1 else 1), f"page {number}: {text[:300]}"


def test_a_title_too_long_for_two_lines_ends_at_a_word_with_an_ellipsis():
    title = " ".join(["Alliances and partnerships between actors towards co-responsibility"] * 8)
    width = A4[0] - 60 * mm
    lines = footer_lines(title, width)
    assert len(lines) == FOOTER_LINES
    assert lines[-1].endswith(" …")
    assert all(stringWidth(line, "Doc", FOOTER_SIZE) <= width for line in lines)
    shown = " ".join(lines)[: -len(" …")]
    assert title.startswith(shown) and title[len(shown)] == " ", "cut between words"


def test_no_dash_stands_for_a_missing_figure(published):
    publication, _ = published
    with translation.override("en"):
        view = document_view(publication.document, "en")
        markdown = document_markdown(publication.document, "en")
    second = view.questions[1]
    assert second.coverage == "No proposal had support yet."
    assert view.questions[2].coverage == "", "no conclusions: the placeholder says it, no figures"
    assert view.questions[0].coverage == ("The conclusions cite 100 % of the support and 1 of 1 theme."), (
        "the fund had every agree vote; one theme, in the singular"
    )
    page = Client().get("/p/paper/?lang=en").content.decode()
    text = " ".join(pages_text(pdf_of(publication.document, "en")))
    for shown in (page, markdown, text):
        assert "—" not in shown
        assert "0 of 0 themes" not in shown


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_a_version_has_one_date_on_its_page(published, language):
    """Published at 01:30 UTC on 27 May: 22:30 on 26 May in Córdoba, the roundtable's zone."""
    publication, _ = published
    moment = datetime.datetime(2021, 5, 27, 1, 30, tzinfo=datetime.UTC)
    document = publication.document
    document["published_at"] = moment.isoformat()
    Publication.objects.filter(pk=publication.pk).update(published_at=moment, document=document)
    caches["documents"].clear()
    page = Client().get(f"/p/paper/v1/?lang={language}").content.decode()
    status = re.search(r'<p class="document-status">(.*?)</p>', page).group(1)
    listed = re.findall(r"<time datetime=[^>]*>(.*?)</time>", page)
    assert len(listed) == 1
    assert listed[0] in status, (listed, status)
    assert "26" in listed[0] and "27" not in listed[0]


def test_a_label_and_its_value_are_punctuated_as_each_language_writes_them(published):
    """French puts a space before the colon (from the catalogue, like "Participant·es : 8" on screens)."""
    publication, _ = published
    expected = {
        "en": ["Question 1: How", "Support: agree 3", "Theme 1: Common fund"],
        "es": ["Pregunta 1: ¿Cómo", "Tema 1: Common fund"],
        "fr": ["Question 1 : Comment", "Soutien : d'accord 3", "Thème 1 : Common fund"],
    }
    for language, parts in expected.items():
        with translation.override(language):
            markdown = document_markdown(publication.document, language)
        page = Client().get(f"/p/paper/?lang={language}").content.decode()
        pdf = " ".join(" ".join(text.split()) for text in pages_text(pdf_of(publication.document, language)))
        for part in parts:
            assert part in markdown, (language, part)
            assert part.replace("'", "&#x27;") in re.sub(r"<[^>]+>", "", page), (language, part)
            assert part in pdf, (language, part)
