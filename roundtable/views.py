"""The admin's sign-in goes through allauth's, so it has allauth's limits on failed attempts (per
address and per account, in the shared cache) instead of Django admin's own form, which has none."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def admin_login(request: HttpRequest) -> HttpResponse:
    """Every method: a POST of a password here is never checked."""
    wanted = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        wanted = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(wanted, login_url=reverse("account_login"))
    if request.user.is_active and request.user.is_staff:
        return redirect(wanted)
    # Signed in, but not staff: sending them to sign in again would loop back here.
    raise PermissionDenied
