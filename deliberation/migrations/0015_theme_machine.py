import hashlib

from django.db import migrations, models


def _fingerprint(text: str) -> str:
    # deliberation.texts.text_fingerprint as it is at this migration.
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def machine_labels_find(apps, schema_editor):
    """Existing themes: a label is a machine's when it is the translation kept on one of the theme's
    proposals (translations["theme-name"]) of that proposal's own label, as `themes_relabel` took it."""
    Theme = apps.get_model("deliberation", "Theme")
    Proposal = apps.get_model("deliberation", "Proposal")
    for theme in Theme.objects.exclude(labels={}).iterator():
        machine = {}
        for language, translations in Proposal.objects.filter(theme=theme).values_list(
            "language", "translations"
        ):
            names = (translations or {}).get("theme-name")
            name = theme.labels.get(language)
            if not isinstance(names, dict) or not name or names.get("of") != _fingerprint(name):
                continue
            for target, label in theme.labels.items():
                if target != language and target not in machine and names.get(target) == label:
                    machine[target] = language
        if machine:
            theme.machine = machine
            theme.save(update_fields=["machine"])


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0014_run_step_earlier_runs"),
    ]

    operations = [
        migrations.AddField(
            model_name="theme",
            name="machine",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(machine_labels_find, migrations.RunPython.noop),
    ]
