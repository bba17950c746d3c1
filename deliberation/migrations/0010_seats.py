from django.db import migrations, models
from django.db.models import F


def seats_already_there_count_as_connected(apps, schema_editor):
    # Seats older than this migration were never tracked: treat them as connected, or the next join
    # would remove every one of them as a seat that never opened a socket.
    Participant = apps.get_model("deliberation", "Participant")
    Participant.objects.update(connected_at=F("joined_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0009_published_data"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="connected_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(seats_already_there_count_as_connected, migrations.RunPython.noop),
    ]
