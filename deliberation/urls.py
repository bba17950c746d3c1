from django.urls import include, path
from django.views.generic import RedirectView

from deliberation import console_views, document_views, merge_views, organizer_views, privacy_views, views

app_name = "deliberation"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url="/static/favicon.svg", permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("organize/", organizer_views.organizer_home, name="organizer_home"),
    path("organize/new/", organizer_views.roundtable_new, name="roundtable_new"),
    path("invitation/<str:token>/", organizer_views.invitation, name="invitation"),
    path("r/<str:code>/", views.roundtable_page, name="roundtable"),
    path("r/<str:code>/join/", views.roundtable_join, name="join"),
    path("r/<str:code>/language/", views.participant_language, name="language"),
    path("r/<str:code>/me/<str:token>/", views.personal_link, name="personal_link"),
    path("r/<str:code>/me/", views.personal_link_request, name="personal_link_request"),
    path("r/<str:code>/privacy/", privacy_views.privacy, name="privacy"),
    path("r/<str:code>/privacy/data.json", privacy_views.own_data, name="own_data"),
    path("r/<str:code>/privacy/anonymise/", privacy_views.anonymise, name="anonymise"),
    path("r/<str:code>/privacy/erase/", privacy_views.erase, name="erase"),
    path("r/<str:code>/moderate/", console_views.moderate, name="moderate"),
    path("r/<str:code>/moderate/merge-preview/", merge_views.merge_preview_view, name="merge_preview"),
    path("r/<str:code>/screen/", console_views.screen, name="screen"),
    path("r/<str:code>/organize/", organizer_views.organize, name="organize"),
    path("r/<str:code>/organize/invite/", organizer_views.organize_invite, name="organize_invite"),
    path(
        "r/<str:code>/organize/invitation/revoke/",
        organizer_views.organize_invitation_revoke,
        name="organize_invitation_revoke",
    ),
    path(
        "r/<str:code>/organize/run-of-show/",
        organizer_views.organize_run_of_show,
        name="organize_run_of_show",
    ),
    path("r/<str:code>/organize/settings/", organizer_views.organize_settings, name="organize_settings"),
    path(
        "r/<str:code>/organize/registration/",
        organizer_views.organize_registration,
        name="organize_registration",
    ),
    path("r/<str:code>/organize/audit.csv", organizer_views.audit_export, name="audit_export"),
    path("r/<str:code>/document/", document_views.document_review, name="document_review"),
    path("r/<str:code>/document/publish/", document_views.document_publish_view, name="document_publish"),
    path(
        "r/<str:code>/document/draft/<str:filename>",
        document_views.document_draft_file,
        name="document_draft_file",
    ),
    path("p/<slug:slug>/", document_views.publication, name="publication"),
    path("p/<slug:slug>/v<int:version>/", document_views.publication, name="publication_version"),
    path(
        "p/<slug:slug>/v<int:version>/<str:filename>",
        document_views.publication_file,
        name="publication_file",
    ),
]
