"""The 2026-11-30 audit, accounts: what an outsider tried over HTTP against sign-up, invitations, the
admin's sign-in and publication addresses (docs/reliability.md). Through Django's test client: the real
URLs, forms, sessions and allauth, as a browser would use them."""

import datetime
import re
import uuid

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from deliberation.models import Event, Invitation, Participant, Publication, Role
from deliberation.services.proposals import proposal_submit
from deliberation.services.roundtables import staff_seat_grant
from tests.factories import RoundtableFactory
from tests.support.ws import connect

pytestmark = pytest.mark.django_db(transaction=True)

INVITATION_LINK = re.compile(r"http://testserver(/invitation/\S+/)")


def verified_account(email: str, password: str = "x-Secret-123", **fields):  # noqa: S107
    user = get_user_model().objects.create_user(
        username=email.split("@")[0], email=email, password=password, **fields
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture(autouse=True)
def own_sign_in_counts(settings):
    """allauth counts failed sign-ins per address in the default cache, and every test client comes from
    127.0.0.1: each test counts its own (keys of their own, in memory or in Redis)."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"},
    }


@pytest.fixture
def roundtable():
    return RoundtableFactory(code="LED111")


@pytest.fixture
def organizer(roundtable):
    """An organizer signed in through allauth's form, as a person would."""
    verified_account("org@example.org")
    staff_seat_grant(
        roundtable=roundtable, user=get_user_model().objects.get(email="org@example.org"), role="organizer"
    )
    client = Client()
    signed_in = client.post("/accounts/login/", {"login": "org@example.org", "password": "x-Secret-123"})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/organize/"
    return client


def invite(organizer: Client, email: str, role: str = "moderator") -> str:
    mail.outbox.clear()
    sent = organizer.post("/r/LED111/organize/invite/", {"email": email, "role": role})
    assert sent.status_code == 302
    [message] = [m for m in mail.outbox if m.to == [email]]
    return INVITATION_LINK.search(message.body).group(1)


# Item 3: account pre-hijacking ------------------------------------------------------------------------


def test_signing_up_with_an_address_alone_gives_no_session_until_its_owner_proves_it():
    squatter = Client()
    signed_up = squatter.post(
        "/accounts/signup/", {"email": "mod@example.org", "password1": "Squat-Pass-991"}
    )

    assert signed_up.status_code == 302 and signed_up["Location"] == "/accounts/confirm-email/"
    assert squatter.get("/organize/").status_code == 302, "no session before the address is proven"
    again = squatter.post("/accounts/login/", {"login": "mod@example.org", "password": "Squat-Pass-991"})
    assert squatter.get("/organize/").status_code == 302, again.content.decode()[:300]
    assert squatter.get("/organize/new/")["Location"].startswith("/accounts/login/")


def test_an_invitation_never_hands_a_seat_to_an_account_that_only_typed_the_address(roundtable, organizer):
    """The audit's attack: sign up with the address an organizer will invite, stay signed in, wait. A
    session from before verification became mandatory is the squatter's best case; it is used here."""
    squatter_account = get_user_model().objects.create_user(
        username="squatter", email="mod@example.org", password="Squat-Pass-991"
    )
    EmailAddress.objects.create(user=squatter_account, email="mod@example.org", verified=False, primary=True)
    squatter = Client()
    squatter.force_login(squatter_account)

    link = invite(organizer, "mod@example.org")
    invitee = Client()
    accepted = invitee.post(link)

    assert accepted.status_code == 302 and accepted["Location"] == "/r/LED111/moderate/"
    seat = Participant.objects.get(roundtable=roundtable, role=Role.MODERATOR)
    assert seat.user != squatter_account
    assert EmailAddress.objects.get(email="mod@example.org").user == seat.user
    # The squatter's session and password open nothing of the roundtable's.
    for page in ("/r/LED111/organize/", "/r/LED111/moderate/", "/r/LED111/organize/audit.csv"):
        assert squatter.get(page).status_code in {302, 403}, page
    fresh = Client()
    fresh.post("/accounts/login/", {"login": "mod@example.org", "password": "Squat-Pass-991"})
    assert fresh.get("/r/LED111/moderate/").status_code in {302, 403}
    assert invitee.get("/r/LED111/moderate/").status_code == 200


def test_a_signed_in_account_with_the_address_unproven_does_not_accept_for_itself(roundtable, organizer):
    squatter_account = get_user_model().objects.create_user(username="sq", email="mod@example.org")
    EmailAddress.objects.create(user=squatter_account, email="mod@example.org", verified=False, primary=True)
    link = invite(organizer, "mod@example.org")
    # Whoever holds the emailed link proves the address: the seat goes to a proven account, never to the
    # unproven one that happened to be signed in.
    holder = Client()
    holder.force_login(squatter_account)
    holder.post(link)
    assert not Participant.objects.filter(user=squatter_account).exists()


# Item 15: account enumeration -------------------------------------------------------------------------


def test_sign_up_password_reset_and_sign_in_by_code_answer_alike_for_known_and_unknown_addresses():
    verified_account("known@example.org")

    def answers(email: str) -> list[tuple[int, str, str]]:
        seen = []
        for url, data in (
            ("/accounts/signup/", {"email": email, "password1": "Another-Pass-77"}),
            ("/accounts/password/reset/", {"email": email}),
            ("/accounts/login/code/", {"email": email}),
        ):
            client = Client()
            response = client.post(url, data, follow=True)
            text = re.sub(r'value="[^"]+"', "", response.content.decode()).replace(email, "ADDRESS")
            seen.append(
                (
                    response.status_code,
                    response.redirect_chain[-1][0] if response.redirect_chain else "",
                    text,
                )
            )
        return seen

    known, unknown = answers("known@example.org"), answers("nobody@example.org")

    for (url, _), k, u in zip([("signup", 0), ("reset", 0), ("code", 0)], known, unknown, strict=True):
        assert k[:2] == u[:2], url
        assert k[2] == u[2], f"{url}: the pages differ"
    assert "already registered" not in "".join(page for *_, page in known)


# Item 19: a staff member's public name -------------------------------------------------------------


async def _public_author_names(roundtable) -> list:
    client, snapshot = await connect(roundtable)
    await client.close()
    return [proposal["author"]["name"] for proposal in snapshot["proposals"]]


def test_a_staff_members_public_name_is_their_choice_or_their_role_never_their_email(roundtable, organizer):
    import asyncio

    chosen = invite(organizer, "maria.lopez@example.org")
    plain = invite(organizer, "jdoe1984@example.org")
    another = invite(organizer, "xy.z@example.org")
    first, second, third = Client(), Client(), Client()
    first.post(chosen, {"display_name": "  María  López "})
    second.post(plain, {"display_name": ""})
    third.post(another)
    question = roundtable.questions.get(order=1)
    for email in ("maria.lopez@example.org", "jdoe1984@example.org", "xy.z@example.org"):
        seat = Participant.objects.get(user__email=email)
        proposal_submit(
            roundtable_id=roundtable.pk,
            participant_id=seat.pk,
            question_id=question.pk,
            text=f"From {seat.pk}",
        )

    names = asyncio.run(_public_author_names(roundtable))

    # Two who chose no name are still told apart (staff see who edits which draft by name).
    assert sorted(names) == ["María López", "Moderator", "Moderator 2"]
    assert not any(local in name for name in names for local in ("jdoe", "maria.lopez", "xy.z"))


# Item 12: publication addresses ------------------------------------------------------------------------


def test_a_stranger_cannot_publish_at_another_roundtables_code(roundtable):
    verified_account("stranger@example.org")
    stranger = Client()
    stranger.post("/accounts/login/", {"login": "stranger@example.org", "password": "x-Secret-123"})
    created = stranger.post(
        "/organize/new/",
        {
            "languages": ["en"],
            "title_en": "Mine",
            "questions_en": "Who?",
            "capacity": "10",
            "time_zone": "UTC",
            "code": "squat-1",
        },
    )
    assert created.status_code == 302, created.content.decode()[:500]

    taken = stranger.post(
        "/r/SQUAT-1/document/publish/", {"slug": "led111", "organizers": "", "note": "", "confirmed": "yes"}
    )
    stranger.cookies["django_language"] = "fr"
    taken_fr = stranger.post(
        "/r/SQUAT-1/document/publish/", {"slug": "LED111", "organizers": "", "note": "", "confirmed": "yes"}
    )
    own = stranger.post(
        "/r/SQUAT-1/document/publish/", {"slug": "", "organizers": "", "note": "", "confirmed": "yes"}
    )

    assert taken.status_code == 400
    assert "This address belongs to another roundtable" in taken.content.decode()
    assert "Cette adresse appartient à une autre table ronde" in taken_fr.content.decode()
    assert own.status_code == 302 and own["Location"].startswith("/p/squat-1/")
    assert not Publication.objects.filter(slug="led111").exists()


# The admin's sign-in ---------------------------------------------------------------------------------


def test_the_admin_sign_in_goes_through_allauths_attempt_limit():
    verified_account("admin@example.org", password="Right-Admin-Pass-1", is_staff=True, is_superuser=True)
    attacker = Client()

    # Django admin's own form checked any number of passwords; it is no longer reachable.
    posted = attacker.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": "Right-Admin-Pass-1"}
    )
    assert posted.status_code == 302 and posted["Location"].startswith("/accounts/login/")
    assert attacker.get("/admin/").status_code == 302

    for guess in range(6):
        attacker.post("/accounts/login/", {"login": "admin@example.org", "password": f"guess-{guess}"})
    refused = attacker.post(
        "/accounts/login/", {"login": "admin@example.org", "password": "Right-Admin-Pass-1"}
    )

    assert "Too many failed login attempts" in refused.content.decode()
    assert attacker.get("/admin/").status_code == 302, "still not signed in"

    admin = Client(REMOTE_ADDR="192.0.2.50")
    signed_in = admin.post(
        "/accounts/login/?next=/admin/", {"login": "admin@example.org", "password": "Right-Admin-Pass-1"}
    )
    assert "Too many failed login attempts" in signed_in.content.decode(), "per account, from any address"


def test_the_admin_signs_in_through_allauth_and_lands_in_the_admin():
    verified_account("admin2@example.org", password="Right-Admin-Pass-2", is_staff=True, is_superuser=True)
    admin = Client()
    to_login = admin.get("/admin/", follow=True)
    assert to_login.redirect_chain[-1][0].startswith("/accounts/login/?next=/admin/")
    signed_in = admin.post(
        "/accounts/login/?next=/admin/", {"login": "admin2@example.org", "password": "Right-Admin-Pass-2"}
    )
    assert signed_in["Location"] == "/admin/"
    assert admin.get("/admin/").status_code == 200
    # A signed-in account that is not staff is told no, not sent round a sign-in loop.
    verified_account("plain@example.org")
    plain = Client()
    plain.post("/accounts/login/", {"login": "plain@example.org", "password": "x-Secret-123"})
    assert plain.get("/admin/login/?next=/admin/").status_code == 403


# Invitations expire and can be withdrawn --------------------------------------------------------------


def test_an_invitation_expires(roundtable, organizer, settings):
    link = invite(organizer, "late@example.org")
    Invitation.objects.filter(email="late@example.org").update(
        created_at=timezone.now() - datetime.timedelta(days=settings.ROUNDTABLE_INVITATION_DAYS, minutes=1)
    )
    late = Client()
    late.cookies["django_language"] = "es"
    page = late.get(link)
    accepted = late.post(link)

    assert page.status_code == 410 and "Esta invitación ha caducado" in page.content.decode()
    assert accepted.status_code == 410
    assert not Participant.objects.filter(user__email="late@example.org").exists()
    assert not get_user_model().objects.filter(email="late@example.org").exists(), "no account made"
    assert "invitation expired" in organizer.get("/r/LED111/organize/").content.decode()


def test_an_organizer_withdraws_an_invitation_its_link_stops_working_and_the_audit_log_says_so(
    roundtable, organizer
):
    link = invite(organizer, "gone@example.org")
    invitation = Invitation.objects.get(email="gone@example.org")
    page = organizer.get("/r/LED111/organize/").content.decode()
    assert "Withdraw the invitation of gone@example.org" in page

    withdrawn = organizer.post(
        "/r/LED111/organize/invitation/revoke/", {"invitation": invitation.pk}, follow=True
    )
    twice = organizer.post("/r/LED111/organize/invitation/revoke/", {"invitation": invitation.pk})
    organizer.cookies["django_language"] = "es"
    audit_es = organizer.get("/r/LED111/organize/").content.decode()
    export = organizer.get("/r/LED111/organize/audit.csv").content.decode()

    assert "The invitation of gone@example.org is withdrawn." in withdrawn.content.decode()
    assert twice.status_code == 400 and "already accepted or withdrawn" in twice.content.decode()
    assert "Invitación retirada" in audit_es
    assert "invitation.revoke" in export and "gone@example.org" in export
    event = Event.objects.get(kind="invitation.revoked")
    assert "gone@example.org" not in str(event.data), "the public layer names no one"
    assert Client().post(link).status_code == 404
    assert not Participant.objects.filter(user__email="gone@example.org").exists()


def test_a_moderator_cannot_withdraw_invitations(roundtable, organizer):
    invite(organizer, "other@example.org")
    invitation = Invitation.objects.get(email="other@example.org")
    verified_account("mod2@example.org")
    staff_seat_grant(
        roundtable=roundtable, user=get_user_model().objects.get(email="mod2@example.org"), role="moderator"
    )
    moderator = Client()
    moderator.post("/accounts/login/", {"login": "mod2@example.org", "password": "x-Secret-123"})
    refused = moderator.post("/r/LED111/organize/invitation/revoke/", {"invitation": invitation.pk})
    assert refused.status_code == 403
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_upgrading_renames_staff_seats_that_were_named_after_their_email():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("deliberation", "0007_socket")])
    old = executor.loader.project_state([("deliberation", "0007_socket")]).apps
    roundtable = old.get_model("deliberation", "Roundtable").objects.create(
        code="OLD7", languages=["es", "en"]
    )
    users = old.get_model("auth", "User").objects
    seats = old.get_model("deliberation", "Participant").objects
    named = seats.create(
        roundtable=roundtable,
        user=users.create(username="a", email="jdoe1984@example.org"),
        display_name="jdoe1984",
        role="moderator",
        language="es",
    )
    chosen = seats.create(
        roundtable=roundtable,
        user=users.create(username="b", email="ana@example.org"),
        display_name="Ana Ruiz",
        role="organizer",
        language="es",
    )

    # A squatter's session from when verification was optional, and a proven account's.
    from django.contrib.sessions.backends.db import SessionStore

    squatter = users.create(username="sq", email="victim@example.org")
    EmailAddress.objects.create(user_id=squatter.pk, email="victim@example.org", verified=False, primary=True)
    EmailAddress.objects.create(user_id=chosen.user_id, email="ana@example.org", verified=True, primary=True)
    sessions = {}
    for name, user_id in (("squatter", squatter.pk), ("proven", chosen.user_id)):
        store = SessionStore()
        store["_auth_user_id"] = str(user_id)
        store.create()
        sessions[name] = store.session_key

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Participant.objects.get(pk=named.pk).display_name == "Moderador/a"
    assert Participant.objects.get(pk=chosen.pk).display_name == "Ana Ruiz"
    assert not SessionStore().exists(sessions["squatter"]), "the squatter is signed out"
    assert SessionStore().exists(sessions["proven"])


def test_a_name_too_long_is_refused_with_a_translated_error_and_no_seat(roundtable, organizer):
    link = invite(organizer, "long@example.org")
    invitee = Client()
    invitee.cookies["django_language"] = "fr"
    refused = invitee.post(link, {"display_name": "N" * 61})

    assert refused.status_code == 400
    assert "Un nom compte au plus 60 caractères." in refused.content.decode()
    assert not get_user_model().objects.filter(email="long@example.org").exists(), "nothing made half-way"
    assert invitee.post(link, {"display_name": "Noor"}).status_code == 302
    assert Participant.objects.get(user__email="long@example.org").display_name == "Noor"
