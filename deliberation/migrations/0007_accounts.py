"""Staff seats were named after their email address's local part, which every participant saw as the
author of their proposals (audit of 2026-11-30, item 19). Such names become the seat's role, in the
roundtable's first language, as new seats are named."""

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


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0006_machine_translation"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(staff_names_from_email_replace, migrations.RunPython.noop)]
