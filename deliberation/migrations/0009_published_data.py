"""Versions published before the audit of 2026-11-30 (issue 16, items 4 and 18) numbered each person once
for the whole document, as author and as voter: joined with the live screen's author names, that gave
named people's votes and the authors of anonymous questions. They are rewritten once, as a new version
would be written now: random voter and author pseudonyms per question, never equal; no author on an
anonymous question; breakdowns by actor type without groups smaller than the minimum. Their texts and
tallies do not change. A version already in the new form (its questions say whether they are anonymous)
is left as it is."""

import random

from django.conf import settings
from django.db import migrations

from deliberation.analysis.breakdowns import OTHER, make_up_fold, tallies_fold

PSEUDONYM_RANGE = range(1, 2**31)


def document_unlink(document: dict, *, anonymous: set[int], minimum: int) -> dict:
    questions = document.get("questions", [])
    question_of = {
        proposal["id"]: question["id"] for question in questions for proposal in question["proposals"]
    }
    old_authors = {int(key): value for key, value in document.get("authors", {}).items()}
    voters = sorted({(question_of[vote["proposal"]], vote["voter"]) for vote in document.get("votes", [])})
    authors = sorted(
        {
            (question_of[proposal], number)
            for proposal, number in old_authors.items()
            if number is not None and proposal in question_of and question_of[proposal] not in anonymous
        }
    )
    numbers = random.SystemRandom().sample(PSEUDONYM_RANGE, len(voters) + len(authors))
    voter_numbers = dict(zip(voters, numbers, strict=False))
    author_numbers = dict(zip(authors, numbers[len(voters) :], strict=False))
    for vote in document.get("votes", []):
        vote["voter"] = voter_numbers[question_of[vote["proposal"]], vote["voter"]]
    document["authors"] = {
        str(proposal): author_numbers.get((question_of.get(proposal), number))
        for proposal, number in old_authors.items()
    }
    people = {row["key"]: row["people"] for row in document.get("participation", {}).get("by_actor_type", [])}
    for question in questions:
        question["anonymous"] = question["id"] in anonymous
        for proposal in question["proposals"]:
            proposal["by_actor_type"] = tallies_fold(proposal.get("by_actor_type", {}), minimum=minimum)
            if question["anonymous"] and people.get(proposal.get("actor_type"), 0) < minimum:
                proposal["actor_type"] = OTHER
        for check in question.get("checks", []):
            check["by_actor_type"] = tallies_fold(check.get("by_actor_type", {}), minimum=minimum)
        groups = question.get("opinion_groups", [])
        folded = make_up_fold(
            {index: group.get("by_actor_type", {}) for index, group in enumerate(groups)}, minimum=minimum
        )
        for index, group in enumerate(groups):
            group["by_actor_type"] = folded[index]
    return document


def published_documents_unlink(apps, schema_editor) -> None:
    Publication = apps.get_model("deliberation", "Publication")
    Question = apps.get_model("deliberation", "Question")
    minimum = settings.ROUNDTABLE_BREAKDOWN_MIN_GROUP
    for publication in Publication.objects.all().iterator():
        document = publication.document
        questions = document.get("questions", [])
        if not questions or all("anonymous" in question for question in questions):
            continue
        ids = [question["id"] for question in questions]
        named = set(Question.objects.filter(pk__in=ids, anonymous=False).values_list("pk", flat=True))
        # A question no longer there is treated as anonymous: nothing says its authors were named.
        publication.document = document_unlink(document, anonymous=set(ids) - named, minimum=minimum)
        publication.save(update_fields=["document"])


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0008_accounts"),
    ]

    operations = [
        migrations.RunPython(published_documents_unlink, migrations.RunPython.noop),
    ]
