from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from deliberation.errors import ServiceError
from deliberation.models import Question
from deliberation.selectors import roundtable_get_by_code
from deliberation.services.analysis import question_analyse
from deliberation.services.polis_import import polis_import


class Command(BaseCommand):
    help = "Import a Polis export (a folder with comments.csv and votes.csv) into a roundtable's question."

    def add_arguments(self, parser):
        parser.add_argument("code", help="The roundtable's code.")
        parser.add_argument("directory", type=Path, help="Folder holding comments.csv and votes.csv.")
        parser.add_argument("--question", type=int, default=1, help="Question number (1 = the first).")
        parser.add_argument(
            "--analyse",
            action="store_true",
            help="Compute themes and opinion groups now, not at the next run.",
        )

    def handle(self, *args, code: str, directory: Path, question: int, analyse: bool, **options):
        roundtable = roundtable_get_by_code(code=code)
        if roundtable is None:
            raise CommandError(f"no roundtable with code {code}")
        target = Question.objects.filter(roundtable=roundtable, order=question).first()
        if target is None:
            raise CommandError(f"roundtable {code} has no question {question}")
        try:
            result = polis_import(question=target, directory=directory)
        except (OSError, ServiceError) as error:
            raise CommandError(f"cannot import {directory}: {error}") from error
        # Commands run without an active language: ngettext gives English's own two forms.
        counts = (
            ngettext("%(count)s proposal", "%(count)s proposals", result.proposals)
            % {"count": result.proposals},
            ngettext("%(count)s vote", "%(count)s votes", result.votes) % {"count": result.votes},
            ngettext("%(count)s participant", "%(count)s participants", result.participants)
            % {"count": result.participants},
        )
        self.stdout.write(
            f"Imported {counts[0]}, {counts[1]} and {counts[2]} into {code} question {question}."
        )
        if analyse:
            question_analyse(question_id=target.pk)
            target.refresh_from_db()
            self.stdout.write(
                f"Themes: {target.themes.count()}; opinion groups: {len(target.opinions.get('groups', []))}."
            )
