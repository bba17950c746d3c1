from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0013_texts_per_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="runstep",
            name="earlier_runs",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
