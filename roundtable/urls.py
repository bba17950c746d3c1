from django.contrib import admin
from django.urls import include, path

from roundtable.outbox_views import outbox
from roundtable.views import admin_login

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    # Before admin.site.urls, so the admin's own password form (no attempt limit) is never reached.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("dev/outbox/", outbox, name="outbox"),
    path("", include("deliberation.urls")),
]
