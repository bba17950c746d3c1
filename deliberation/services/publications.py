"""An organizer publishes the proposal document: the whole document is assembled and frozen as a new
version under the roundtable's slug (`/p/<slug>/`). A version never changes; a correction is the next
version, and its page shows what changed."""

import re

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from deliberation.chain import document_digest
from deliberation.document.build import document_build
from deliberation.document.live import publication_view
from deliberation.errors import ServiceError
from deliberation.models import Publication, Roundtable
from deliberation.policy import Action
from deliberation.services.commands import CommandResult, command_begin, text_clean
from deliberation.services.events import event_record

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,78}[a-z0-9])$")
NOTE_MAX_CHARS = 300
ORGANIZER_MAX_CHARS = 120
ORGANIZERS_MAX = 20


def organizers_clean(*, lines: list[str]) -> list[str]:
    cleaned = [text_clean(text=line, max_chars=ORGANIZER_MAX_CHARS) for line in lines if line.strip()]
    if len(cleaned) > ORGANIZERS_MAX:
        raise ServiceError("organizers_invalid", limit=ORGANIZERS_MAX)
    return cleaned


def citations_unresolved(document: dict) -> list[str]:
    """Citations in the conclusions that point at nothing (a hidden proposal, a theme merged away)."""
    missing = []
    for question in document["questions"]:
        proposals = {proposal["id"] for proposal in question["proposals"]}
        themes = {theme["number"] for theme in question["themes"]}
        checks = {check["number"] for check in question["checks"]}
        cited = question["citations"]
        missing += [f"[#{number}]" for number in cited["proposals"] if number not in proposals]
        missing += [f"[theme:{number}]" for number in cited["themes"] if number not in themes]
        missing += [f"[check:{number}]" for number in cited["checks"] if number not in checks]
    return missing


def document_publish(
    *,
    roundtable_id: int,
    participant_id: int | None,
    slug: str = "",
    note: str = "",
    organizers: list[str] | None = None,
) -> CommandResult:
    """Freeze the document as it is now as the next version. The first version fixes the slug."""
    cleaned_note = text_clean(text=note, max_chars=NOTE_MAX_CHARS) if note.strip() else ""
    cleaned_organizers = organizers_clean(lines=organizers) if organizers is not None else None
    with transaction.atomic():
        roundtable, actor, _ = command_begin(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.DOCUMENT_PUBLISH,
            command_id=None,
        )
        earlier = Publication.objects.filter(roundtable=roundtable).order_by("-version").first()
        if earlier is not None:
            chosen = earlier.slug
        else:
            chosen = (slug.strip().lower() or slugify(roundtable.code))[:80]
            if not SLUG.match(chosen):
                raise ServiceError("slug_invalid")
            if Publication.objects.filter(slug=chosen).exclude(roundtable=roundtable).exists():
                raise ServiceError("slug_taken")
            # A roundtable's code is its address-to-be (/p/<code>/ is the default): nobody else takes it
            # first, whether or not that roundtable has published yet.
            if Roundtable.objects.filter(code__iexact=chosen).exclude(pk=roundtable.pk).exists():
                raise ServiceError("slug_reserved")
        full = Roundtable.objects.get(pk=roundtable.pk)
        if cleaned_organizers is not None and cleaned_organizers != full.organizers:
            full.organizers = cleaned_organizers
            full.save(update_fields=["organizers"])
        document = document_build(roundtable=full)
        if missing := citations_unresolved(document):
            raise ServiceError("document_citation_unknown", citations=", ".join(missing))
        version = (
            Publication.objects.filter(slug=chosen).aggregate(highest=Max("version"))["highest"] or 0
        ) + 1
        now = timezone.now()
        document.update(
            status="published", version=version, slug=chosen, published_at=now.isoformat(), note=cleaned_note
        )
        publication = Publication.objects.create(
            roundtable=roundtable,
            slug=chosen,
            version=version,
            document=document,
            note=cleaned_note,
            published_by=actor,
            published_at=now,
            chain_seq=document["chain"]["seq"],
            chain_hash=document["chain"]["hash"],
        )
        event = event_record(
            roundtable=roundtable,
            kind="publication.created",
            data={"publication": publication_view(publication)},
            staff={"audit": {"slug": chosen, "version": version, "note": cleaned_note}},
            actor=actor,
            # The chain commits to the document as published: a reader holding its bundle can tell
            # whether document.json is that document, byte for byte once canonically encoded.
            records={"document": {"version": version, "sha256": document_digest(document)}},
        )
    return CommandResult(seq=event.seq, result={"slug": chosen, "version": version})
