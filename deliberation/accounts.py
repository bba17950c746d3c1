"""Accounts of organizers and moderators (django-allauth): the one account per email address.

An address counts only once its owner has proven it (allauth's mandatory verification at sign-up, a
sign-in code, or an invitation's emailed token). An account that merely typed an address proves
nothing: anyone could have made it before the owner was invited (pre-hijacking)."""

import secrets

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction


def account_email_verified(*, user, email: str) -> bool:
    """Has this account's owner proven `email`?"""
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def account_for_email(*, email: str):
    """The account of a proven address; the caller holds the proof (an emailed token, or an operator's
    command line). If no account has proven it, any account that only claims it loses the claim, and a
    new account (without a password: it signs in by emailed code) gets the address, verified."""
    User = get_user_model()
    with transaction.atomic():
        proven = EmailAddress.objects.filter(email__iexact=email, verified=True).select_related("user")
        proven = proven.first()
        if proven is not None:
            return proven.user
        # An operator made staff accounts (createsuperuser) and typed their address: that is proof enough.
        operator_made = User.objects.filter(email__iexact=email, is_staff=True).first()
        if operator_made is not None:
            EmailAddress.objects.filter(email__iexact=email).delete()
            EmailAddress.objects.create(user=operator_made, email=email, verified=True, primary=True)
            return operator_made
        EmailAddress.objects.filter(email__iexact=email, verified=False).delete()
        User.objects.filter(email__iexact=email).update(email="")
        # The username is never shown; it is not made from the address either.
        user = User.objects.create_user(username=f"account-{secrets.token_hex(8)}", email=email)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user
