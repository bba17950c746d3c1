"""Receivers of Django's signals: each calls one function that does the work."""

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from deliberation.realtime.signout import account_sockets_close, session_sockets_close


@receiver(user_logged_out)
def staff_sockets_close_on_sign_out(sender, request, user, **kwargs) -> None:
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        session_sockets_close(session_key=session_key)


@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def staff_sockets_close_on_password_change(sender, request, user, **kwargs) -> None:
    account_sockets_close(user_id=user.pk)
