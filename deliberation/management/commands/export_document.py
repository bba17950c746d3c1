"""Write a roundtable's proposal document to a file: its latest published version, or, before anything
is published, the current draft (marked as a draft in every format)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from deliberation.document.build import document_build
from deliberation.document.files import FORMAT_FILES, document_file_render, question_csv_names
from deliberation.models import Publication
from deliberation.selectors import roundtable_get_by_code


class Command(BaseCommand):
    help = "Export a roundtable's proposal document (latest published version, else the draft)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("code", help="The roundtable's code, as in /r/<code>/.")
        parser.add_argument("--format", required=True, choices=["md", "pdf", "json", "csv", "bundle"])
        parser.add_argument(
            "--output",
            required=True,
            help="The file to write; for csv, a folder that gets q<N>-comments.csv and q<N>-votes.csv.",
        )
        parser.add_argument(
            "--language", default="en", choices=["en", "es", "fr"], help="Interface language."
        )
        parser.add_argument(
            "--draft", action="store_true", help="The current draft even if a version is published."
        )

    def handle(
        self, *args, code: str, format: str, output: str, language: str, draft: bool, **options
    ) -> None:
        roundtable = roundtable_get_by_code(code=code)
        if roundtable is None:
            raise CommandError(f"No roundtable has the code {code!r}.")
        published = Publication.objects.filter(roundtable=roundtable).order_by("-version").first()
        document = (
            published.document
            if published is not None and not draft
            else document_build(roundtable=roundtable)
        )
        path = Path(output)
        with translation.override(language):
            if format == "csv":
                path.mkdir(parents=True, exist_ok=True)
                written = []
                for _order, *names in question_csv_names(document):
                    for name in names:
                        (path / name).write_bytes(document_file_render(document, name, language)[0])
                        written.append(name)
                self.stdout.write(f"{path}: {', '.join(written)}")
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(document_file_render(document, FORMAT_FILES[format], language)[0])
        state = f"version {document['version']}" if document["status"] == "published" else "draft"
        self.stdout.write(f"{path}: {state} of {roundtable.code}")
