"""The audit of 2026-11-30, accounts. Staff seats were named after their email address's local part, which
every participant saw as the author of their proposals (item 19): such names become the seat's role, in
the roundtable's first language, as new seats are named. Accounts that never proved their address are
signed out (item 3)."""

from django.db import migrations
from django.utils import translation

ROLE_LABELS = {"moderator": "Moderator", "organizer": "Organizer"}


def staff_names_from_email_replace(apps, schema_editor):
    Participant = apps.get_model("deliberation", "Participant")
    seats = Participant.objects.filter(role__in=list(ROLE_LABELS), user__isnull=False).select_related(
        "user", "roundtable"
    )
    for seat in seats:
        local_part = (seat.user.email or "").split("@")[0][:60]
        if local_part and seat.display_name == local_part:
            languages = seat.roundtable.languages or ["en"]
            with translation.override(languages[0]):
                seat.display_name = translation.gettext(ROLE_LABELS[seat.role])
            seat.save(update_fields=["display_name"])


def unproven_accounts_sign_out(apps, schema_editor):
    """Sessions of accounts that never proved their address were opened when verification was optional:
    end them, so an account squatting someone's address keeps nothing from before (audit item 3)."""
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    EmailAddress = apps.get_model("account", "EmailAddress")
    User = apps.get_model("auth", "User")
    kept = set(EmailAddress.objects.filter(verified=True).values_list("user_id", flat=True))
    # Operators made staff accounts themselves (createsuperuser).
    kept |= set(User.objects.filter(is_staff=True).values_list("pk", flat=True))
    decoder = SessionStore()
    ended = []
    for session in Session.objects.all().iterator():
        user_id = decoder.decode(session.session_data).get("_auth_user_id")
        if user_id is not None and int(user_id) not in kept:
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0007_socket"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(staff_names_from_email_replace, migrations.RunPython.noop),
        migrations.RunPython(unproven_accounts_sign_out, migrations.RunPython.noop),
    ]
