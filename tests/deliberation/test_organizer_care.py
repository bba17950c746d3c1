"""Issue 15, items 4-6, over HTTP as an organizer uses them: the audit log records every organizer and
moderator action with translated labels and readable details, filters by action and by person, and
exports them; a registration list is read forgivingly and every refused line says why; the create form
marks each field in error, reads only the ticked languages and sets actor types, the event name and the
description; publishing first lists what is missing and asks for confirmation."""

import csv
import html
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from deliberation.models import Event, Participant, Publication, Registrant, Roundtable
from deliberation.services.drafts import draft_save
from deliberation.services.moderation import proposal_flag
from deliberation.services.privacy import participant_anonymise, participant_erase
from deliberation.services.proposals import proposal_submit
from deliberation.services.questions import question_phase_set
from deliberation.services.staff import invitation_accept
from deliberation.services.statements import statement_put
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

QUESTIONS = {
    "en": "How can we guarantee balanced participation?\nWhich governance instruments?",
    "es": "¿Cómo garantizar la participación equilibrada?\n¿Qué instrumentos de gobernanza?",
    "fr": "Comment garantir une participation équilibrée ?\nQuels instruments de gouvernance ?",
}
# What the audit log used to show instead of labels (issue 15), and the new actions' codes.
RAW_CODES = (
    "publication.created",
    "draft.updated",
    "commitments.updated",
    ">put<",
    "registrant.add",
    "registrants.upload",
    "links.send",
    "invitation.create",
    "registration.rule",
    "roundtable.settings",
    "roundtable.create",
    "draft.save",
    "statement.put",
    "publication.create",
)


def create(client, **overrides):
    data = {
        "languages": ["en", "es", "fr"],
        "title_en": "Alliances and partnerships",
        "title_es": "Alianzas y partenariados",
        "title_fr": "Alliances et partenariats",
        "questions_en": QUESTIONS["en"],
        "questions_es": QUESTIONS["es"],
        "questions_fr": QUESTIONS["fr"],
        "capacity": "150",
        "time_zone": "UTC",
        "code": "led-care",
        **overrides,
    }
    return client.post("/organize/new/", data)


def upload(client, text: str, *, code: str = "LED-CARE", follow: bool = True):
    file = SimpleUploadedFile("list.csv", text.encode(), content_type="text/csv")
    return client.post(f"/r/{code}/organize/registration/", {"step": "upload", "file": file}, follow=follow)


def audit_table(page: str) -> str:
    found = re.search(r'<table class="data audit-table" id="audit-log">.*?</table>', page, re.S)
    assert found, "the audit log has entries"
    return html.unescape(found.group(0))


def organize_page(client, language: str = "en", query: str = "") -> str:
    client.cookies["django_language"] = language
    return html.unescape(client.get(f"/r/LED-CARE/organize/{query}").content.decode())


# 4. The audit log ---------------------------------------------------------------------------------------


def test_every_organizer_action_is_recorded_and_shown_with_translated_labels_no_raw_keys(client, organizer):
    assert create(client).status_code == 302
    roundtable = Roundtable.objects.get(code="LED-CARE")
    seat = Participant.objects.get(user=organizer)
    base = "/r/LED-CARE/organize/"
    client.post(f"{base}settings/", {"capacity": "120", "flag_threshold": "4"})
    client.post(f"{base}invite/", {"email": "mod@example.org", "role": "moderator"})
    invitation = roundtable.invitations.get()
    client.post(f"{base}invite/", {"email": "gone@example.org", "role": "moderator"})
    client.post(
        f"{base}invitation/revoke/", {"invitation": roundtable.invitations.get(email="gone@example.org").pk}
    )
    client.post(f"{base}registration/", {"step": "rule", "registration_required": "on"})
    client.post(f"{base}registration/", {"step": "add", "email": "ana@example.org", "actor_type": "sme"})
    upload(client, "email,actor type\nben@example.org,Gobierno local\n")
    client.post(f"{base}registration/", {"step": "send"})
    question = roundtable.questions.get(order=1)
    draft_save(
        roundtable_id=roundtable.pk,
        participant_id=seat.pk,
        question_id=question.pk,
        base_version=0,
        text="Done.",
    )
    statement_put(
        roundtable_id=roundtable.pk, participant_id=seat.pk, question_id=question.pk, text="We agree"
    )
    client.post(
        "/r/LED-CARE/document/publish/",
        {"slug": "led-care", "organizers": "", "note": "", "confirmed": "yes"},
    )
    assert Publication.objects.filter(roundtable=roundtable).exists()
    assert invitation.email == "mod@example.org"

    english = audit_table(organize_page(client, "en"))
    for label in (
        "Roundtable created",
        "Settings changed",
        "Moderator or organizer invited",
        "Invitation withdrawn",
        "Registration rule changed",
        "Person added to the registration list",
        "Registration list uploaded",
        "Personal links sent",
        "Conclusions saved",
        "Room check put to the room",
        "Document published",
    ):
        assert label in english, label
    for raw in RAW_CODES:
        assert raw not in english, f"raw key {raw} on the page"
    # Readable details: what changed, in words.
    assert "Seats:</span> 150 → 120" in english
    assert "Reports before review:</span> 3 → 4" in english
    assert (
        "Email:</span> ana@example.org" in english
        and "Actor type:</span> Small or medium enterprise" in english
    )
    assert "Added:</span> 1" in english and "Links sent:</span> 2" in english
    assert "Only registered people may join:</span> yes" in english
    assert "Languages:</span> English, Español, Français" in english

    spanish = audit_table(organize_page(client, "es"))
    assert "Persona añadida a la lista de inscripción" in spanish
    assert "Lista de inscripción subida" in spanish and "Enlaces personales enviados" in spanish
    assert "Conclusiones guardadas" in spanish and "Documento publicado" in spanish
    assert (
        "Plazas:</span> 150 → 120" in spanish and "Tipo de actor:</span> Pequeña o mediana empresa" in spanish
    )
    french = audit_table(organize_page(client, "fr"))
    assert "Personne ajoutée à la liste d'inscription" in french
    assert "Liens personnels envoyés" in french and "Vérification de la salle proposée" in french
    assert "Invitation retirée" in french and "Places :</span> 150 → 120" in french
    for raw in RAW_CODES:
        assert raw not in spanish and raw not in french


def test_the_audit_log_filters_by_action_and_by_person_and_exports_what_it_shows(client, organizer):
    create(client)
    roundtable = Roundtable.objects.get(code="LED-CARE")
    seat = Participant.objects.get(user=organizer)
    client.post("/r/LED-CARE/organize/invite/", {"email": "mod@example.org", "role": "moderator"})
    moderator_user = get_user_model().objects.create_user(username="mod", email="mod@example.org")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=moderator_user, email="mod@example.org", verified=True, primary=True)
    moderator = invitation_accept(
        invitation=roundtable.invitations.get(), user=moderator_user, display_name="Mia"
    )
    first, second = roundtable.questions.order_by("order")
    question_phase_set(
        roundtable_id=roundtable.pk, participant_id=seat.pk, question_id=first.pk, state="collecting"
    )
    question_phase_set(
        roundtable_id=roundtable.pk, participant_id=moderator.pk, question_id=second.pk, state="voting"
    )

    everything = organize_page(client)
    assert '<option value="phase">Phase changed</option>' in everything
    assert f'<option value="{moderator.pk}">Mia · Moderator</option>' in everything

    phases = audit_table(organize_page(client, query="?action=phase"))
    assert phases.count("Phase changed") == 2 and "Roundtable created" not in phases
    assert "Moderator or organizer invited" not in phases
    mias = audit_table(organize_page(client, query=f"?person={moderator.pk}"))
    assert mias.count("<tr>") == 2, "the header row and Mia's one entry"
    assert "Mia" in mias and "To:</span> Voting" in mias and "org@example.org" not in mias
    both = organize_page(client, query=f"?action=phase&person={seat.pk}")
    assert audit_table(both).count("Phase changed") == 1
    assert f'href="/r/LED-CARE/organize/audit.csv?action=phase&person={seat.pk}"' in both
    nothing = organize_page(client, query="?action=publication.create")
    assert "No entry matches." in nothing

    export = client.get(f"/r/LED-CARE/organize/audit.csv?action=phase&person={seat.pk}").content.decode()
    rows = list(csv.DictReader(io.StringIO(export)))
    assert [row["action"] for row in rows] == ["phase"] and rows[0]["email"] == "org@example.org"
    whole = list(csv.DictReader(io.StringIO(client.get("/r/LED-CARE/organize/audit.csv").content.decode())))
    actions = [row["action"] for row in whole]
    assert actions == ["phase", "phase", "invitation.create", "roundtable.create"], "the codes, for programs"
    assert '"email": "mod@example.org"' in whole[2]["details"]


def test_an_erased_participant_address_leaves_the_audit_log(client, organizer):
    create(client, registration_required="on")
    client.post("/r/LED-CARE/organize/registration/", {"step": "add", "email": "ana@example.org"})
    registrant = Registrant.objects.get(email="ana@example.org")
    joined = client.post(
        "/r/LED-CARE/join/",
        {"display_name": "Ana", "actor_type": "sme", "language": "en", "token": registrant.token},
    )
    assert joined.status_code == 302
    ana = Participant.objects.get(display_name="Ana")
    export = client.get("/r/LED-CARE/organize/audit.csv").content.decode()
    assert "ana@example.org" in export

    participant_erase(roundtable_id=ana.roundtable_id, participant_id=ana.pk)

    export = client.get("/r/LED-CARE/organize/audit.csv").content.decode()
    assert "ana@example.org" not in export
    entry = Event.objects.get(kind="registration.updated", data__action="registrant.add")
    assert entry.staff["audit"]["erased"] is True
    assert "Erased at the person's request:</span> yes" in audit_table(organize_page(client))


def test_a_report_by_a_participant_who_became_anonymous_names_no_one_in_the_log(client, organizer):
    create(client)
    roundtable = Roundtable.objects.get(code="LED-CARE")
    seat = Participant.objects.get(user=organizer)
    question = roundtable.questions.get(order=1)
    question_phase_set(
        roundtable_id=roundtable.pk, participant_id=seat.pk, question_id=question.pk, state="collecting"
    )
    ana = ParticipantFactory(roundtable=roundtable, display_name="Ana Flagger")
    ben = ParticipantFactory(roundtable=roundtable, display_name="Ben")
    proposal = proposal_submit(
        roundtable_id=roundtable.pk, participant_id=ben.pk, question_id=question.pk, text="Shared budgets"
    ).result["proposal"]
    proposal_flag(roundtable_id=roundtable.pk, participant_id=ana.pk, proposal_id=proposal)
    assert "Ana Flagger" in audit_table(organize_page(client))

    participant_anonymise(roundtable_id=roundtable.pk, participant_id=ana.pk)

    page = organize_page(client)
    assert "Ana Flagger" not in page
    reported = next(row for row in audit_table(page).split("<tr>") if "Reported" in row)
    assert "anonymous participant" in reported


def test_organizer_events_name_no_one_in_their_public_layer(client, organizer):
    create(client)
    client.post("/r/LED-CARE/organize/registration/", {"step": "add", "email": "ana@example.org"})
    client.post("/r/LED-CARE/organize/invite/", {"email": "mod@example.org", "role": "moderator"})
    for event in Event.objects.filter(kind__in=["registration.updated", "invitation.created"]):
        assert "@" not in str(event.data) and set(event.data) == {"action"}
        assert "@" in str(event.staff)


# 5. Registration that forgives -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "separator"),
    [
        ("E-mail;Full Name;Actor_Type", ";"),
        ("correo,nombre,tipo de actor", ","),
        ("Courriel;Nom;Type d\u2019acteur", ";"),
        ("email\tname\tactor type", "\t"),
    ],
)
def test_a_list_is_read_with_loose_headers_and_actor_types_by_key_or_label_in_any_language(
    client, organizer, header, separator
):
    create(client)
    lines = [
        header,
        "ana@example.org;Ana;Gobierno local",
        "ben@example.org;Ben;Local government",
        "cleo@example.org;Cléo;gouvernement LOCAL",
        "dan@example.org;Dan;academia-research",
        "eva@example.org;Eva;Pequena o Mediana Empresa",
    ]
    response = upload(client, "\n".join(line.replace(";", separator) for line in lines))

    assert "Added 5, already listed 0, left out 0." in response.content.decode()
    kinds = dict(Registrant.objects.values_list("email", "actor_type"))
    assert kinds == {
        "ana@example.org": "government-local",
        "ben@example.org": "government-local",
        "cleo@example.org": "government-local",
        "dan@example.org": "academia-research",
        "eva@example.org": "sme",
    }
    assert Registrant.objects.get(email="cleo@example.org").display_name == "Cléo"


def test_every_refused_line_is_reported_with_its_number_and_reason_in_the_readers_language(client, organizer):
    create(client)
    text = (
        "Email,Name,Actor type\n"
        "ana@example.org,Ana,Gobierno local\n"
        "not-an-email,X,sme\n"
        ",Nobody,sme\n"
        "ben@example.org,Ben,Ministry of Magic\n"
    )
    page = html.unescape(upload(client, text).content.decode())

    assert "Added 1, already listed 0, left out 3." in page
    assert "Lines left out: 3, 4, 5." in page
    assert "Line 3: “not-an-email” is not an email address." in page
    assert "Line 4: no email address." in page
    assert "Line 5: “Ministry of Magic” is not one of this roundtable's actor types." in page
    assert not Registrant.objects.filter(email="ben@example.org").exists()

    client.cookies["django_language"] = "es"
    spanish = html.unescape(upload(client, text.replace("ana@", "ana2@")).content.decode())
    assert "Línea 5: «Ministry of Magic» no es uno de los tipos de actor de esta mesa redonda." in spanish
    assert "Línea 4: falta la dirección de correo." in spanish
    client.cookies["django_language"] = "fr"
    french = html.unescape(upload(client, text.replace("ana@", "ana3@")).content.decode())
    assert "Ligne 3 : « not-an-email » n'est pas une adresse e-mail." in french


def test_the_registered_list_shows_actor_types_and_the_join_form_preselects_the_registrants(
    client, organizer
):
    create(client, registration_required="on")
    client.post(
        "/r/LED-CARE/organize/registration/",
        {"step": "add", "email": "ana@example.org", "display_name": "Ana", "actor_type": "academia-research"},
    )
    upload(client, "email,actor type\nben@example.org,Gobierno regional\n")

    client.cookies["django_language"] = "es"
    page = client.get("/r/LED-CARE/organize/").content.decode()
    table = re.search(
        r'<table class="data">\s*<caption id="registrants-caption">.*?</table>', page, re.S
    ).group(0)
    assert '<th scope="col">Tipo de actor</th>' in table
    assert "<td>Academia o centro de investigación</td>" in table and "<td>Gobierno regional</td>" in table
    assert 'id="registrant_actor_type"' in page, "the one-person form asks for an actor type too"

    token = Registrant.objects.get(email="ben@example.org").token
    client.logout()
    form = client.get(f"/r/LED-CARE/me/{token}/").content.decode()
    assert re.search(r'<option value="government-regional"\s+selected>', form), "preselected"
    select = re.search(r'<select id="actor_type".*?</select>', form, re.S).group(0)
    assert select.count(" selected") == 1, "that one only"


def test_the_organizer_page_has_no_duplicate_ids(client, organizer):
    create(client)
    page = client.get("/r/LED-CARE/organize/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    assert '<label for="invite_email">' in page and '<label for="registrant_email">' in page


# 6. Create and publish with care ----------------------------------------------------------------------


def test_only_the_ticked_languages_fields_count_and_the_others_are_hidden_after_an_error(client, organizer):
    response = create(client, languages=["en", "es"], title_fr="", questions_fr="", title_es="")

    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(r'<fieldset lang="fr" class="language-fields" data-language="fr"\s+hidden>', page)
    assert re.search(r'<fieldset lang="es" class="language-fields" data-language="es"\s*>', page)
    # The empty Spanish title is marked where it is, with its message named by the field.
    assert '<p class="form-error field-error" id="id_title_es-error">Give the title in Español.</p>' in page
    field = re.search(r'<input[^>]*name="title_es"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="id_title_es-error"' in field
    assert "1 field needs your attention: it is marked below." in page
    assert 'name="title_fr"' in page and "id_title_fr-error" not in page, "no error for an unticked language"

    created = create(client, languages=["en", "es"], title_fr="", questions_fr="")
    assert created.status_code == 302
    assert Roundtable.objects.get(code="LED-CARE").languages == ["en", "es"]


def test_each_field_in_error_is_marked_in_the_readers_language(client, organizer):
    client.cookies["django_language"] = "fr"
    page = create(
        client,
        questions_es="¿Una sola?",
        capacity="0",
        starts_at="2021-05-26T10:00",
        ends_at="2021-05-26T09:00",
        code="no spaces!",
        actor_types_en="Local government\nAcademia",
        actor_types_es="Gobierno local",
        actor_types_fr="Gouvernement local\nUniversité",
    ).content.decode()
    page = html.unescape(page)

    for name in ("questions_es", "capacity", "ends_at", "code", "actor_types_es"):
        field = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', page).group(0)
        assert 'aria-invalid="true"' in field, name
        assert f"id_{name}-error" in field.split('aria-describedby="')[1].split('"')[0], name
        assert f'id="id_{name}-error"' in page, name
    assert "Donnez les mêmes questions dans chaque langue" in page
    assert "La fin doit venir après le début." in page
    assert "Donnez les mêmes types d'acteurs dans chaque langue" in page
    assert "5 champs demandent votre attention" in page
    # Fields that were fine are not marked.
    title = re.search(r'<input[^>]*name="title_en"[^>]*>', page).group(0)
    assert "aria-invalid" not in title
    assert not Roundtable.objects.exists()


def test_organizers_set_actor_types_event_name_and_description(client, organizer):
    page = client.get("/organize/new/").content.decode()
    assert "Local government\nRegional government" in page, "the forum's ten to start from"
    assert "Gobierno local\nGobierno regional" in page

    response = create(
        client,
        languages=["en", "es"],
        actor_types_en="Local government\nYouth organisations\nAcademia",
        actor_types_es="Gobierno local\nOrganizaciones juveniles\nAcademia",
        event_name_en="5th World Forum of Local Economic Development",
        event_name_es="V Foro Mundial de Desarrollo Económico Local",
        description_en="Alliances for local development.",
        description_es="Alianzas para el desarrollo local.",
    )

    assert response.status_code == 302
    roundtable = Roundtable.objects.get(code="LED-CARE")
    assert roundtable.actor_types == [
        {"key": "government-local", "en": "Local government", "es": "Gobierno local"},
        {"key": "youth-organisations", "en": "Youth organisations", "es": "Organizaciones juveniles"},
        {"key": "academia", "en": "Academia", "es": "Academia"},
    ]
    assert roundtable.event_name == {
        "en": "5th World Forum of Local Economic Development",
        "es": "V Foro Mundial de Desarrollo Económico Local",
    }
    assert roundtable.objectives == {
        "en": "Alliances for local development.",
        "es": "Alianzas para el desarrollo local.",
    }
    client.logout()
    join = client.get("/r/LED-CARE/").content.decode()
    assert '<option value="youth-organisations">Youth organisations</option>' in join


def test_publishing_first_lists_what_is_missing_then_asks_for_confirmation(client, organizer):
    create(client)
    roundtable = Roundtable.objects.get(code="LED-CARE")
    seat = Participant.objects.get(user=organizer)
    first, _second = roundtable.questions.order_by("order")
    draft_save(
        roundtable_id=roundtable.pk,
        participant_id=seat.pk,
        question_id=first.pk,
        base_version=0,
        text="We agree.",
    )
    statement_put(
        roundtable_id=roundtable.pk, participant_id=seat.pk, question_id=first.pk, text="Budgets first"
    )

    review = client.get("/r/LED-CARE/document/").content.decode()
    assert "Before you publish: what is missing" in review
    assert "1 question has no conclusions yet:" in review and "Question 2" in review
    assert "1 room check is still open" in review and "Question 1, room check 1" in review
    assert "Budgets first" in review

    asked = client.post("/r/LED-CARE/document/publish/", {"slug": "led-care", "organizers": "", "note": "v1"})
    assert asked.status_code == 200 and not Publication.objects.exists()
    page = asked.content.decode()
    assert "Publish version 1 now?" in page and "Yes, publish version 1" in page
    assert page.index("Before you publish") < page.index("Yes, publish version 1"), "what is missing first"
    assert 'name="confirmed" value="yes"' in page and 'name="note" value="v1"' in page

    client.cookies["django_language"] = "es"
    spanish = client.post("/r/LED-CARE/document/publish/", {"slug": "led-care", "organizers": "", "note": ""})
    assert "¿Publicar la versión 1 ahora?" in spanish.content.decode()
    assert "1 pregunta no tiene conclusiones todavía:" in spanish.content.decode()

    done = client.post(
        "/r/LED-CARE/document/publish/",
        {"slug": "led-care", "organizers": "", "note": "v1", "confirmed": "yes"},
    )
    assert done.status_code == 302 and Publication.objects.get().note == "v1"


def test_with_nothing_missing_the_review_says_so(client, organizer):
    create(client, languages=["en"], questions_en="Only one?")
    roundtable = Roundtable.objects.get(code="LED-CARE")
    seat = Participant.objects.get(user=organizer)
    draft_save(
        roundtable_id=roundtable.pk,
        participant_id=seat.pk,
        question_id=roundtable.questions.get().pk,
        base_version=0,
        text="Done.",
    )
    review = client.get("/r/LED-CARE/document/").content.decode()
    assert "Every question has conclusions and no room check is open." in review
    assert "Before you publish" not in review


def test_only_the_latest_revision_of_the_conclusions_counts(client, organizer):
    create(client, languages=["en"], questions_en="Only one?")
    roundtable = Roundtable.objects.get(code="LED-CARE")
    seat = Participant.objects.get(user=organizer)
    question = roundtable.questions.get()
    for version, text in enumerate(["Done.", "   "]):
        draft_save(
            roundtable_id=roundtable.pk,
            participant_id=seat.pk,
            question_id=question.pk,
            base_version=version,
            text=text,
        )
    review = client.get("/r/LED-CARE/document/").content.decode()
    assert "1 question has no conclusions yet:" in review, "emptied since: an earlier text does not count"
    draft_save(
        roundtable_id=roundtable.pk,
        participant_id=seat.pk,
        question_id=question.pk,
        base_version=2,
        text="Again.",
    )
    assert "Every question has conclusions" in client.get("/r/LED-CARE/document/").content.decode()
