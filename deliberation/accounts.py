"""Accounts of organizers and moderators (django-allauth): the one account per email address."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction


def account_for_email(*, email: str):
    """The account of a verified email address, made (without a password) if it has none yet."""
    User = get_user_model()
    with transaction.atomic():
        address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
        if address is not None:
            if not address.verified:
                address.verified = True
                address.save(update_fields=["verified"])
            return address.user
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(username=_free_username(email), email=email)
            user.set_unusable_password()
            user.save(update_fields=["password"])
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user


def _free_username(email: str) -> str:
    User = get_user_model()
    base = email.split("@")[0][:120] or "user"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate
