"""Receivers of Django's signals: each calls one function that does the work."""

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from deliberation.realtime.signout import session_sockets_close


@receiver(user_logged_out)
def staff_sockets_close_on_sign_out(sender, request, user, **kwargs) -> None:
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        session_sockets_close(session_key=session_key)
