"""Text that respects people, on the server: count strings in the right plural form in English, Spanish
and French (and handed to the browser with the rule that chooses them), join codes as people type them,
and emoji sequences kept whole by the text clean-up while what it exists to remove still goes."""

import json
import re

import pytest
from django.utils import translation
from django.utils.translation import ngettext

from deliberation.client_strings import client_strings, console_strings, screen_strings
from deliberation.errors import ServiceError
from deliberation.models import Proposal
from deliberation.plurals import count_forms, plural_rule
from deliberation.services.commands import text_clean
from deliberation.services.drafts import draft_text_clean
from deliberation.services.proposals import proposal_submit
from deliberation.services.questions import question_phase_set
from tests.factories import ParticipantFactory, RoundtableFactory

WOMAN_FARMER = "\U0001f469\U0001f3fd\u200d\U0001f33e"  # 👩🏽‍🌾: woman, medium skin tone, ZWJ, sheaf of rice
RAINBOW_FLAG = "\U0001f3f3\ufe0f\u200d\U0001f308"  # 🏳️‍🌈
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 👨‍👩‍👧

EXPECTED = {
    # language: {count: (characters left, proposals, people)}
    "en": {
        0: ("0 characters left", "0 proposals", "0 people"),
        1: ("1 character left", "1 proposal", "1 person"),
        2: ("2 characters left", "2 proposals", "2 people"),
    },
    "es": {
        0: ("Quedan 0 caracteres", "0 propuestas", "0 personas"),
        1: ("Queda 1 carácter", "1 propuesta", "1 persona"),
        2: ("Quedan 2 caracteres", "2 propuestas", "2 personas"),
    },
    # French puts 0 with 1 (« 0 proposition »), unlike English and Spanish.
    "fr": {
        0: ("0 caractère restant", "0 proposition", "0 personne"),
        1: ("1 caractère restant", "1 proposition", "1 personne"),
        2: ("2 caractères restants", "2 propositions", "2 personnes"),
    },
}
COUNT_STRINGS = (
    ("%(count)s character left", "%(count)s characters left"),
    ("%(count)s proposal", "%(count)s proposals"),
    ("%(count)s person", "%(count)s people"),
)


def _choose(rule: str, n: int) -> int:
    """The browser's choice, done the same way in Python: gettext's C expression for n."""
    import gettext

    return int(gettext.c2py(rule)(n))


@pytest.mark.parametrize("language", ["en", "es", "fr"])
@pytest.mark.parametrize("count", [0, 1, 2])
def test_count_strings_take_the_plural_form_of_each_language(language, count):
    with translation.override(language):
        server = tuple(ngettext(one, many, count) % {"count": count} for one, many in COUNT_STRINGS)
        # What the browser is handed: every form, and the rule that picks one for a number.
        rule = client_strings()["_pluralRule"]
        browser = tuple(
            count_forms(one, many)[_choose(rule, count)] % {"count": count} for one, many in COUNT_STRINGS
        )
    assert server == EXPECTED[language][count]
    assert browser == EXPECTED[language][count], "the browser picks the form the server would"


def test_each_language_hands_the_browser_its_catalogs_rule_and_every_form():
    assert plural_rule("en") == ("(n != 1)", 2)
    assert plural_rule("es") == ("(n != 1)", 2)
    assert plural_rule("fr") == ("(n > 1)", 2)
    with translation.override("fr"):
        strings = client_strings()
        assert strings["_pluralRule"] == "(n > 1)"
        assert strings["charactersLeft"] == ["%(count)s caractère restant", "%(count)s caractères restants"]
        assert strings["participants"] == ["%(count)s participant·e", "%(count)s participant·es"]
        assert console_strings()["flags"] == ["%(count)s signalement", "%(count)s signalements"]
        assert screen_strings()["themeSize"] == ["%(count)s proposition", "%(count)s propositions"]
    with translation.override("es"):
        new = client_strings()["newProposals"]
        assert new == ["%(count)s propuesta nueva", "%(count)s propuestas nuevas"]
        assert client_strings()["groupSize"] == ["%(count)s persona", "%(count)s personas"]
    # Every count string the screens show is a list of forms, never one "%(count)s …s" for all numbers.
    for strings in (client_strings(), console_strings(), screen_strings()):
        for key in ("participants", "themeSize", "groupSize"):
            assert isinstance(strings[key], list) and len(strings[key]) == 2, key
    # The projector's counts too: forms for the language's plural rule, not one string per 0, 1 and more.
    for key in ("moreProposals", "moreThemes", "moreActorTypes", "checkAnswers", "themeProposals"):
        assert isinstance(screen_strings()[key], list) and len(screen_strings()[key]) == 2, key


# Join codes as people type them -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["led 111", "LED 111", " led111 ", "Led\u00a0111", "l e d 1 1 1"])
def test_the_home_page_finds_a_roundtable_whatever_the_spaces_and_case(client, typed):
    RoundtableFactory(code="LED111")

    response = client.post("/", {"code": typed})

    assert response.status_code == 302
    assert response["Location"] == "/r/LED111/"


@pytest.mark.django_db
def test_a_wrong_code_is_refused_and_stays_in_the_field_to_be_corrected(client):
    RoundtableFactory(code="LED111")

    response = client.post("/", {"code": "led 112"})

    content = response.content.decode()
    assert response.status_code == 400
    assert "No roundtable has this code. Check it and try again." in content
    field = re.search(r"<input id=\"code\"[^>]*>", content).group()
    assert 'value="led 112"' in field and 'aria-invalid="true"' in field


@pytest.mark.django_db
def test_a_code_with_a_space_in_the_address_opens_the_roundtable(client):
    RoundtableFactory(code="LED111")

    page = client.get("/r/led%20111/")

    assert page.status_code == 200
    assert 'id="join-form"' in page.content.decode()


@pytest.mark.django_db
def test_the_join_page_has_one_language_selector(client):
    RoundtableFactory(code="LED111")

    content = client.get("/r/LED111/").content.decode()

    assert content.count("<select") == 2, "who you are, and your language"
    assert content.count('name="language"') == 1
    assert "language-switch" not in content


# Emoji sequences kept whole ----------------------------------------------------------------------------


@pytest.mark.parametrize("emoji", [WOMAN_FARMER, RAINBOW_FLAG, FAMILY])
def test_the_clean_up_keeps_the_joiner_inside_an_emoji_sequence(emoji):
    assert text_clean(text=f"Farmers {emoji} first", max_chars=500) == f"Farmers {emoji} first"
    assert draft_text_clean(text=f"Farmers {emoji}\n") == f"Farmers {emoji}\n"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("pass\u200dword", "password"),  # a joiner between letters hides nothing useful: removed
        ("\u200d\U0001f33e", "\U0001f33e"),  # at the start, joining nothing
        ("\U0001f469\u200d", "\U0001f469"),  # at the end
        ("\U0001f469\u200d\u200d\U0001f33e", "\U0001f469\U0001f33e"),  # two in a row join nothing
        ("a\u200bb\u200cc\u200ed\u200ff", "abcdf"),  # zero-width space, non-joiner, direction marks
        ("\u202eevil\u202c txt", "evil txt"),  # direction overrides
        ("bell\x07 and\x00 nul", "bell and nul"),  # control characters
    ],
)
def test_the_clean_up_still_removes_what_it_exists_to_remove(typed, kept):
    assert text_clean(text=typed, max_chars=500) == kept


@pytest.mark.django_db
def test_a_proposal_with_a_zwj_emoji_is_stored_and_published_whole():
    roundtable = RoundtableFactory(code="LED111")
    organizer = ParticipantFactory(roundtable=roundtable, role="organizer")
    author = ParticipantFactory(roundtable=roundtable)
    question = roundtable.questions.order_by("order").first()
    question_phase_set(
        roundtable_id=roundtable.pk, participant_id=organizer.pk, question_id=question.pk, state="collecting"
    )

    outcome = proposal_submit(
        roundtable_id=roundtable.pk,
        participant_id=author.pk,
        question_id=question.pk,
        text=f"Women farmers {WOMAN_FARMER} lead the local food pact",
    )

    stored = Proposal.objects.get(pk=outcome.result["proposal"])
    assert stored.text == f"Women farmers {WOMAN_FARMER} lead the local food pact"
    assert WOMAN_FARMER in json.dumps(stored.text, ensure_ascii=False)


def test_the_length_limit_counts_what_is_stored_and_refuses_rather_than_cuts():
    fits = "x" * 496 + WOMAN_FARMER  # 4 code points: 500 in all
    assert text_clean(text=fits, max_chars=500) == fits
    with pytest.raises(ServiceError) as refused:
        text_clean(text=fits + "y", max_chars=500)
    assert refused.value.code == "text_too_long"


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [
        ("en", "1 person already has a seat", "3 people already have a seat"),
        ("es", "1 persona ya tiene un lugar", "3 personas ya tienen un lugar"),
        ("fr", "1 personne a déjà une place", "3 personnes ont déjà une place"),
    ],
)
def test_a_server_error_with_a_count_takes_the_plural_form(language, one, many):
    with translation.override(language):
        assert ServiceError("capacity_below_seated", seated=1).message.startswith(one)
        assert ServiceError("capacity_below_seated", seated=3).message.startswith(many)
        # Messages without a count are filled as before.
        assert "500" in ServiceError("text_too_long", limit=500).message


# A placeholder that holds a count, then a counted noun, in a string without plural forms: what makes
# "1 propositions". Limits and durations are never 1 ("at most 500 characters") and are left out.
UNPLURALISED_COUNT = re.compile(
    r"%\((?!limit\)|minimum\)|maximum\)|seconds\))\w+\)s (?:\w+ )?"
    r"(proposals|themes|votes|people|groups|answers|reports|participants|characters|questions|actions"
    r"|checks|commitments|versions|languages|opinion groups)\b"
)


def test_no_string_builds_a_count_without_plural_forms():
    """Every msgid of our catalog (server pages, document, errors, the browser's strings) that puts a
    count before a noun has plural forms (ngettext, count_forms)."""
    import polib

    from tests.deliberation.test_i18n_catalogs import LOCALE

    po = polib.pofile(str(LOCALE / "fr" / "LC_MESSAGES" / "django.po"))
    single = [entry.msgid for entry in po if not entry.msgid_plural and not entry.obsolete]
    assert len(single) > 300
    assert [msgid for msgid in single if UNPLURALISED_COUNT.search(msgid)] == []
    # And the pattern does find what it is for.
    assert UNPLURALISED_COUNT.search(
        "The draft cites %(support)s of the support and %(cited)s of %(total)s themes."
    )


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("en", "The draft cites 0 % of the support and 0 of 1 theme.", "0 of 2 themes."),
        ("es", "El borrador cita 0 % del apoyo y 0 de 1 tema.", "0 de 2 temas."),
        ("fr", "Le brouillon cite 0 % du soutien et 0 thème sur 1.", "0 des 2 thèmes."),
    ],
)
def test_the_consoles_coverage_counts_its_themes_in_each_language(language, one, two):
    with translation.override(language):
        forms = console_strings()["coverageFigure"]
        rule, _ = plural_rule(language)
    figures = {"support": "0 %", "cited": 0}
    assert forms[_choose(rule, 1)] % {**figures, "total": 1} == one
    assert (forms[_choose(rule, 2)] % {**figures, "total": 2}).endswith(two)
