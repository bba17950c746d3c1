import secrets

from django.core.management.base import BaseCommand, CommandError

from deliberation.accounts import account_for_email
from deliberation.models import Role
from deliberation.selectors import roundtable_get_by_code
from deliberation.services.roundtables import staff_seat_grant
from roundtable.outbox import OUTBOX_PATH, outbox_in_use


class Command(BaseCommand):
    help = (
        "Make (or reuse) an organizer account for a roundtable and give it a fresh password, printed once: "
        "a ready login for development. In production, invite organizers from the organizer page instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--code", default="LED111", help="The roundtable the account organizes.")
        parser.add_argument("--email", default="organizer@roundtable.localhost", help="The account's email.")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Where the server answers.")

    def handle(self, *args, code: str, email: str, base_url: str, **options):
        roundtable = roundtable_get_by_code(code=code)
        if roundtable is None:
            raise CommandError(f"no roundtable has the code {code!r}; run seed_roundtable first")
        user = account_for_email(email=email)
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save(update_fields=["password"])
        staff_seat_grant(roundtable=roundtable, user=user, role=Role.ORGANIZER)
        base = base_url.rstrip("/")
        self.stdout.write(
            f"  Organizer login for {roundtable.code}: {base}/accounts/login/\n"
            f"    email:    {email}\n"
            f"    password: {password}\n"
            f"  (or sign in by emailed code: {where_emails_go(base)})\n"
            f"  Then: {base}/r/{roundtable.code}/organize/ · {base}/r/{roundtable.code}/moderate/ · "
            f"{base}/r/{roundtable.code}/screen/"
        )


def where_emails_go(base: str) -> str:
    if outbox_in_use():
        return f"read the code in the development outbox, {base}{OUTBOX_PATH}"
    return "the code is printed on the server's console"
