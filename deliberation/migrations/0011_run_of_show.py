import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0010_seats"),
    ]

    operations = [
        migrations.CreateModel(
            name="RunOfShow",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("running", "Running"),
                            ("paused", "Paused"),
                            ("finished", "Finished"),
                        ],
                        default="planned",
                        max_length=16,
                    ),
                ),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("current", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("step_ends_at", models.DateTimeField(blank=True, null=True)),
                ("paused_remaining", models.PositiveIntegerField(blank=True, null=True)),
                ("paused_at", models.DateTimeField(blank=True, null=True)),
                (
                    "roundtable",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="run_of_show",
                        to="deliberation.roundtable",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["step_ends_at"], name="run_of_show_step_due")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("state__in", ["planned", "running", "paused", "finished"])),
                        name="run_of_show_state_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("state", "running"), _negated=True),
                            models.Q(("step_ends_at__isnull", False), ("current__isnull", False)),
                            _connector="OR",
                        ),
                        name="run_of_show_running_has_an_end",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("state", "paused"), _negated=True),
                            models.Q(("paused_remaining__isnull", False), ("current__isnull", False)),
                            _connector="OR",
                        ),
                        name="run_of_show_paused_has_remaining",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="RunStep",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField()),
                (
                    "kind",
                    models.CharField(
                        choices=[("phase", "Question phase"), ("break", "Break"), ("closing", "Closing")],
                        max_length=16,
                    ),
                ),
                (
                    "phase",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("closed", "Closed"),
                            ("collecting", "Collecting proposals"),
                            ("voting", "Voting"),
                            ("locked", "Locked"),
                        ],
                        default="",
                        max_length=16,
                    ),
                ),
                ("title", models.JSONField(blank=True, default=dict)),
                ("planned_seconds", models.PositiveIntegerField()),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("ended_at", models.DateTimeField(blank=True, null=True)),
                ("skipped", models.BooleanField(default=False)),
                ("extended_seconds", models.PositiveIntegerField(default=0)),
                (
                    "question",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="deliberation.question",
                    ),
                ),
                (
                    "show",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="steps",
                        to="deliberation.runofshow",
                    ),
                ),
            ],
            options={
                "ordering": ["show", "position"],
                "constraints": [
                    models.UniqueConstraint(fields=("show", "position"), name="run_step_position_unique"),
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["phase", "break", "closing"])),
                        name="run_step_kind_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("kind", "phase"),
                                ("question__isnull", False),
                                ("phase__in", ["collecting", "voting", "locked"]),
                            ),
                            models.Q(
                                models.Q(("kind", "phase"), _negated=True),
                                ("question__isnull", True),
                                ("phase", ""),
                            ),
                            _connector="OR",
                        ),
                        name="run_step_phase_has_question",
                    ),
                ],
            },
        ),
    ]
