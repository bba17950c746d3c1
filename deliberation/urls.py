from django.urls import include, path

from deliberation import views

app_name = "deliberation"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("r/<str:code>/", views.roundtable_page, name="roundtable"),
    path("r/<str:code>/join/", views.roundtable_join, name="join"),
    path("r/<str:code>/language/", views.participant_language, name="language"),
]
