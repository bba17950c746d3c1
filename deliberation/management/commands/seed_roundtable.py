from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from deliberation.services.roundtables import BUNDLED_SEED, roundtable_load_seed, seed_read


class Command(BaseCommand):
    help = "Load a seed roundtable (default: session 1.1.1 of the 5th World Forum of LED, code LED111)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, help="Seed card (JSON); defaults to the bundled 1.1.1 card.")
        parser.add_argument("--code", default="LED111", help="Join code of the roundtable.")
        parser.add_argument(
            "--capacity", type=int, help="Seats, instead of the card's (a plenary, a benchmark)."
        )
        parser.add_argument(
            "--open-registration",
            action="store_true",
            help="Let anyone with the code join, although the card requires registration (a demo, a test).",
        )

    def handle(
        self, *args, file: Path | None, code: str, capacity: int | None, open_registration: bool, **options
    ):
        path = file or BUNDLED_SEED
        try:
            seed = seed_read(path)
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read seed {path}: {error}") from error
        if capacity is not None:
            seed["session"]["capacity"] = capacity
        roundtable, created = roundtable_load_seed(
            seed=seed, code=code, registration_required=False if open_registration else None
        )
        verb = "Loaded" if created else "Already loaded, left unchanged:"
        count = roundtable.questions.count()
        questions = ngettext("%(count)s question", "%(count)s questions", count) % {"count": count}
        self.stdout.write(f"{verb} roundtable {roundtable.code} ({questions})")
