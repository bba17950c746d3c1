import os
import secrets

from django.db import migrations, models

import deliberation.models
from deliberation.chain import GENESIS, SALT_BYTES, event_hash, leaf_digest
from deliberation.services.chaining import event_records

BATCH = 500


def chain_existing_events(apps, schema_editor):
    """Events written before the chain existed are chained now, from genesis, in seq order, as they stand
    today (docs/architecture.md: such a chain proves nothing changed after this migration, not before)."""
    Roundtable = apps.get_model("deliberation", "Roundtable")
    Event = apps.get_model("deliberation", "Event")
    Participant = apps.get_model("deliberation", "Participant")
    for roundtable in Roundtable.objects.all().iterator():
        # Each roundtable its own key (the field default gave every existing row the same one).
        roundtable.chain_key = secrets.token_hex(32)
        roles = dict(Participant.objects.filter(roundtable=roundtable).values_list("pk", "role"))
        prev = GENESIS
        pending = []
        for event in Event.objects.filter(roundtable=roundtable).order_by("seq").iterator():
            values = {
                "data": event.data,
                "staff": event.staff,
                "private": event.private,
                "actor": {"id": event.actor_id, "command_id": event.command_id, "command": event.command},
            }
            records = event_records(
                kind=event.kind,
                data=event.data,
                staff=event.staff,
                private=event.private,
                actor_id=event.actor_id,
                actor_role=roles.get(event.actor_id),
                key=roundtable.chain_key,
            )
            values.update(records)
            salts = {name: os.urandom(SALT_BYTES).hex() for name in values}
            leaves = {name: leaf_digest(salt=salts[name], value=value) for name, value in values.items()}
            event.hash = event_hash(prev=prev, seq=event.seq, kind=event.kind, leaves=leaves)
            event.chain = {"leaves": leaves, "salts": salts, "records": records, "backfilled": True}
            prev = event.hash
            pending.append(event)
            if len(pending) >= BATCH:
                Event.objects.bulk_update(pending, ["hash", "chain"])
                pending = []
        if pending:
            Event.objects.bulk_update(pending, ["hash", "chain"])
        roundtable.chain_head = prev
        roundtable.save(update_fields=["chain_key", "chain_head"])


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0011_run_of_show"),
    ]

    operations = [
        migrations.AddField(
            model_name="roundtable",
            name="chain_head",
            field=models.CharField(default=GENESIS, max_length=64),
        ),
        migrations.AddField(
            model_name="roundtable",
            name="chain_key",
            field=models.CharField(default=deliberation.models.chain_key_new, max_length=64),
        ),
        migrations.AddField(
            model_name="event",
            name="hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="event",
            name="chain",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="publication",
            name="chain_seq",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="publication",
            name="chain_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
    ]
