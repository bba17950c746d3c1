"""Events written before audiences existed: `private` held the actor's own fields directly
({"mine": true}, {"my_vote": "agree"}); it now maps a participant id to that person's fields. And
`proposal.submitted` data gains the `id`, `question` and `action` every proposal event now carries.
Without this, replaying an older roundtable's history to a client would fail."""

from django.db import migrations


def forwards(apps, schema_editor):
    Event = apps.get_model("deliberation", "Event")
    for event in Event.objects.exclude(private={}).iterator():
        if event.actor_id is not None and not all(key.isdigit() for key in event.private):
            event.private = {str(event.actor_id): event.private}
            event.save(update_fields=["private"])
    for event in Event.objects.filter(kind="proposal.submitted").iterator():
        proposal = event.data.get("proposal")
        if proposal and "id" not in event.data:
            event.data = {"id": proposal["id"], "question": proposal["question"], "action": "submit", **event.data}
            event.save(update_fields=["data"])


def backwards(apps, schema_editor):
    Event = apps.get_model("deliberation", "Event")
    for event in Event.objects.exclude(private={}).iterator():
        if event.actor_id is not None and list(event.private) == [str(event.actor_id)]:
            event.private = event.private[str(event.actor_id)]
            event.save(update_fields=["private"])


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0002_facilitation")]

    operations = [migrations.RunPython(forwards, backwards)]
