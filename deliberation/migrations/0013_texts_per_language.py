import django.db.models.deletion
from django.db import migrations, models

LANGUAGES = [("en", "English"), ("es", "Spanish"), ("fr", "French")]


def drafts_written_in_the_first_language(apps, schema_editor):
    # Drafts older than this migration had one text per question, written in whatever the moderators
    # chose; the roundtable's first language is the best guess and a moderator can write the others.
    DraftRevision = apps.get_model("deliberation", "DraftRevision")
    for revision in DraftRevision.objects.select_related("question__roundtable"):
        languages = revision.question.roundtable.languages or ["en"]
        revision.language = languages[0]
        revision.save(update_fields=["language"])


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0012_event_chain"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="translations_due_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(fields=["translations_due_at"], name="question_translations_due"),
        ),
        migrations.RemoveConstraint(
            model_name="draftrevision",
            name="draft_revision_version_unique",
        ),
        migrations.AlterModelOptions(
            name="draftrevision",
            options={"ordering": ["question", "language", "version"]},
        ),
        migrations.AddField(
            model_name="draftrevision",
            name="language",
            field=models.CharField(choices=LANGUAGES, default="", max_length=8),
            preserve_default=False,
        ),
        migrations.RunPython(drafts_written_in_the_first_language, migrations.RunPython.noop),
        migrations.AddField(
            model_name="draftrevision",
            name="machine",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="draftrevision",
            name="source_language",
            field=models.CharField(blank=True, choices=LANGUAGES, default="", max_length=8),
        ),
        migrations.AddField(
            model_name="draftrevision",
            name="source_version",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="draftrevision",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="deliberation.participant",
            ),
        ),
        migrations.AddField(
            model_name="draftrevision",
            name="reviewed_by_name",
            field=models.CharField(blank=True, default="", max_length=120),
        ),
        migrations.AddField(
            model_name="draftrevision",
            name="reviewed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="draftrevision",
            constraint=models.UniqueConstraint(
                fields=("question", "language", "version"), name="draft_revision_version_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="draftrevision",
            constraint=models.CheckConstraint(
                condition=models.Q(machine=False) | ~models.Q(source_language=""),
                name="draft_revision_machine_has_source",
            ),
        ),
        migrations.AddField(
            model_name="commitment",
            name="language",
            field=models.CharField(blank=True, choices=LANGUAGES, default="", max_length=8),
        ),
        migrations.AddField(
            model_name="commitment",
            name="translations",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
    ]
