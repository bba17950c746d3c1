from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0006_machine_translation"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="command",
            field=models.CharField(blank=True, default="", max_length=48),
        ),
        migrations.AddField(
            model_name="event",
            name="rewrote_history",
            field=models.BooleanField(default=False),
        ),
    ]
