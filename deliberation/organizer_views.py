"""The organizer's pages: their roundtables, creating one, and one roundtable's set-up (join link and QR
code, moderators, registration list, audit log). Writes go through services; reads through selectors."""

import datetime
import json

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deliberation.access import allowed_to
from deliberation.audit_view import action_choices, action_label, audit_details_readable
from deliberation.csv_safe import CsvSafeWriter
from deliberation.errors import ServiceError
from deliberation.forms import (
    STEP_PHASE_CHOICES,
    InviteForm,
    RegistrantForm,
    RegistrantsUploadForm,
    RoundtableForm,
    RunStepFormSet,
    SettingsForm,
)
from deliberation.models import Participant, Roundtable, RunOfShow, RunOfShowState, RunStepKind
from deliberation.policy import Action
from deliberation.selectors import audit_log, audit_people, run_of_show_public, staff_roundtables
from deliberation.services.registration import registrant_add, registrants_import, registrants_invite
from deliberation.services.roundtables import (
    roundtable_configure,
    roundtable_create,
    roundtable_registration_set,
)
from deliberation.services.run_of_show import PlanStep, run_of_show_plan, run_of_show_suggested
from deliberation.services.staff import (
    invitation_accept,
    invitation_account,
    invitation_expired,
    invitation_get,
    invitation_revoke,
    staff_invite,
    staff_name_clean,
)
from deliberation.texts import text_in_language
from deliberation.views import personal_link_url


def _title(roundtable: Roundtable) -> str:
    return text_in_language(roundtable.title, translation.get_language(), roundtable.languages).text


@require_GET
@login_required
def organizer_home(request: HttpRequest) -> HttpResponse:
    seats = [
        {"roundtable": roundtable, "role": role, "title": _title(roundtable)}
        for roundtable, role in staff_roundtables(user=request.user)
    ]
    return render(request, "deliberation/organizer_home.html", {"seats": seats})


# Where a service's refusal belongs on the create form, when the form's own checks let it through.
CREATE_ERROR_FIELDS = {
    "code_invalid": "code",
    "code_taken": "code",
    "capacity_invalid": "capacity",
    "time_zone_invalid": "time_zone",
    "times_invalid": "ends_at",
}


@require_http_methods(["GET", "POST"])
@login_required
def roundtable_new(request: HttpRequest) -> HttpResponse:
    form = RoundtableForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            roundtable = roundtable_create(
                user=request.user,
                title=form.titles(),
                questions=form.questions(),
                languages=form.cleaned_data["languages"],
                capacity=form.cleaned_data["capacity"],
                registration_required=form.cleaned_data["registration_required"],
                starts_at=form.in_zone("starts_at"),
                ends_at=form.in_zone("ends_at"),
                time_zone=form.cleaned_data["time_zone"],
                code=form.cleaned_data["code"],
                actor_types=form.actor_types(),
                event_name=form.texts("event_name"),
                objectives=form.texts("description"),
            )
        except ServiceError as service_error:
            if service_error.code in CREATE_ERROR_FIELDS:
                form.add_error(CREATE_ERROR_FIELDS[service_error.code], service_error.message)
                form.full_clean_marks()
            else:
                error = service_error.message
        else:
            return redirect("deliberation:organize", code=roundtable.code)
    if request.method == "POST" and form.errors and error is None:
        error = ngettext(
            "%(count)s field needs your attention: it is marked below.",
            "%(count)s fields need your attention: they are marked below.",
            len(form.errors),
        ) % {"count": len(form.errors)}
    # The summary links to each field in error, in the form's order (as GOV.UK's error summary does).
    in_error = [
        {"id": form[name].auto_id, "label": form[name].label, "message": " ".join(messages_)}
        for name, messages_ in form.errors.items()
        if name in form.fields
    ]
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "error": error, "in_error": in_error}
    return render(request, "deliberation/roundtable_new.html", context, status=status)


def _join_url(request: HttpRequest, roundtable: Roundtable) -> str:
    return request.build_absolute_uri(reverse("deliberation:roundtable", args=[roundtable.code]))


def join_qr_svg(url: str, *, title: str, scale: int = 6, scalable: bool = False) -> str:
    """The join link as an inline SVG QR code (no image request, no script). `scalable`: a viewBox
    instead of a fixed size, so the code fills (and is centred in) whatever size the page gives it."""
    return mark_safe(  # noqa: S308 - segno writes the SVG itself; the title is escaped below
        segno.make(url, error="m").svg_inline(
            scale=scale,
            border=2,
            title=format_html("{}", title),
            dark="#000",
            light="#fff",
            omitsize=scalable,
        )
    )


@require_GET
@allowed_to(Action.STAFF_INVITE)
def organize(request: HttpRequest, roundtable: Roundtable, organizer: Participant) -> HttpResponse:
    return _organize_page(request, roundtable)


def _done(request: HttpRequest, roundtable: Roundtable, message: str) -> HttpResponse:
    """After a change, back to the page by a redirect, so reloading it does not send the form again."""
    messages.success(request, message)
    return redirect("deliberation:organize", code=roundtable.code)


def _invite_form(data=None) -> InviteForm:
    # Two forms on the page ask for an email: their ids must differ, or a label focuses the other one.
    return InviteForm(data, auto_id="invite_%s")


def _registrant_form(roundtable: Roundtable, data=None) -> RegistrantForm:
    return RegistrantForm(
        data, roundtable=roundtable, language=translation.get_language(), auto_id="registrant_%s"
    )


def _audit_filters(request: HttpRequest) -> tuple[str, int | None]:
    action = request.GET.get("action", "")
    person = request.GET.get("person", "")
    return action, int(person) if person.isdigit() else None


def _audit_rows(request: HttpRequest, roundtable: Roundtable, *, limit: int | None) -> list[dict]:
    action, person = _audit_filters(request)
    language = translation.get_language()
    return [
        {
            **row,
            "action_label": action_label(row["action"]),
            "details_readable": audit_details_readable(
                row["details"], action=row["action"], roundtable=roundtable, language=language
            ),
        }
        for row in audit_log(roundtable=roundtable, limit=limit, action=action, actor_id=person)
    ]


def _actor_type_label(roundtable: Roundtable, key: str, language: str) -> str:
    found = next((kind for kind in roundtable.actor_types if kind["key"] == key), None)
    return text_in_language(found, language, roundtable.languages).text if found else ""


def _organize_page(request: HttpRequest, roundtable: Roundtable, **forms) -> HttpResponse:
    join_url = _join_url(request, roundtable)
    language = translation.get_language()
    registrants = [
        {
            "registrant": registrant,
            "actor_type": _actor_type_label(roundtable, registrant.actor_type, language),
        }
        for registrant in roundtable.registrants.select_related("participant")
    ]
    action, person = _audit_filters(request)
    shown = list(messages.get_messages(request))
    context = {
        "notices": [message for message in shown if message.level != messages.WARNING],
        "refused_lines": [message for message in shown if message.level == messages.WARNING],
        "roundtable": roundtable,
        "title": _title(roundtable),
        "join_url": join_url,
        "qr": join_qr_svg(join_url, title=_("QR code of the join link %(url)s") % {"url": join_url}),
        "staff": roundtable.participants.filter(role__in=["moderator", "organizer"]).select_related("user"),
        "invitations": [
            {"invitation": invitation, "expired": invitation_expired(invitation=invitation)}
            for invitation in roundtable.invitations.filter(accepted_at=None)
        ],
        "invite_form": forms.get("invite_form") or _invite_form(),
        "settings_form": forms.get("settings_form")
        or SettingsForm(
            initial={"capacity": roundtable.capacity, "flag_threshold": roundtable.flag_threshold}
        ),
        "registrant_form": forms.get("registrant_form") or _registrant_form(roundtable),
        "upload_form": forms.get("upload_form") or RegistrantsUploadForm(),
        "registrants": registrants,
        "registrants_joined": sum(1 for row in registrants if row["registrant"].participant_id),
        "audit": _audit_rows(request, roundtable, limit=AUDIT_PAGE_ROWS),
        "audit_actions": action_choices(),
        "audit_people": audit_people(roundtable=roundtable),
        "audit_action": action,
        "audit_person": person,
        "audit_filtered": bool(action or person),
        "audit_export_query": request.GET.urlencode(),
        "error": forms.get("error"),
        **_plan_context(roundtable, forms.get("plan_formset")),
    }
    status = 400 if forms.get("error") else 200
    return render(request, "deliberation/organize.html", context, status=status)


def _plan_formset(roundtable: Roundtable, data=None, initial=None) -> RunStepFormSet:
    questions = [
        (
            question.pk,
            _("Q%(number)s") % {"number": question.order}
            + " · "
            + _short(text_in_language(question.text, translation.get_language(), roundtable.languages).text),
        )
        for question in roundtable.questions.order_by("order")
    ]
    return RunStepFormSet(
        data,
        initial=initial,
        prefix="plan",
        form_kwargs={"questions": questions, "languages": roundtable.languages},
    )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _plan_initial(roundtable: Roundtable, show: RunOfShow | None) -> list[dict]:
    """The saved plan, or (before any) a suggested one that fits the roundtable's start and end."""
    if show is not None:
        steps = [
            PlanStep(
                kind=step.kind,
                planned_seconds=step.planned_seconds,
                question_id=step.question_id,
                phase=step.phase,
                title=step.title,
            )
            for step in show.steps.order_by("position")
        ]
    else:
        steps = run_of_show_suggested(roundtable=roundtable)
    return [
        {
            "kind": step.kind,
            "question": step.question_id,
            "phase": step.phase,
            "minutes": max(1, round(step.planned_seconds / 60)),
            "ORDER": number,
            **{
                f"title_{language}": (step.title or {}).get(language, "") for language in roundtable.languages
            },
        }
        for number, step in enumerate(steps, start=1)
    ]


def _step_label(step: dict) -> str:
    """ "Q1 · Collecting proposals", or a break's or the closing's title in the reader's language."""
    if step["kind"] == RunStepKind.PHASE:
        short = _("Q%(number)s") % {"number": step["question_order"]}
        return f"{short} · {dict(STEP_PHASE_CHOICES)[step['phase']]}"
    titles = step["title"]
    return (
        titles.get(translation.get_language())
        or next(iter(titles.values()), "")
        or str(dict(RunStepKind.choices)[step["kind"]])
    )


def _plan_context(roundtable: Roundtable, formset: RunStepFormSet | None) -> dict:
    """The run of show section: the plan against the roundtable's start and end, and its form (while
    the plan may change: before the session starts, or once it is over)."""
    show = RunOfShow.objects.filter(roundtable=roundtable).first()
    value = run_of_show_public(roundtable=roundtable)
    editable = show is None or show.state in (RunOfShowState.PLANNED, RunOfShowState.FINISHED)
    if formset is None and editable:
        formset = _plan_formset(roundtable, initial=_plan_initial(roundtable, show))
    zone = roundtable.time_zone
    rows = [
        {
            "number": number,
            "label": _step_label(step),
            "minutes": round(step["planned_seconds"] / 60),
            "starts": datetime.datetime.fromisoformat(step["planned_start"])
            if step["planned_start"]
            else None,
            "started_at": datetime.datetime.fromisoformat(step["started_at"]) if step["started_at"] else None,
            "current": value["current"] == number - 1,
        }
        for number, step in enumerate(value["steps"] if value else [], start=1)
    ]
    if value:
        planned_seconds = sum(step["planned_seconds"] for step in value["steps"])
    else:
        # Nothing saved yet: the suggestion the form shows.
        planned_seconds = sum(step.planned_seconds for step in run_of_show_suggested(roundtable=roundtable))
    slot = (
        int((roundtable.ends_at - roundtable.starts_at).total_seconds())
        if roundtable.starts_at and roundtable.ends_at
        else None
    )
    return {
        "plan": value,
        "plan_saved": show is not None,
        "plan_editable": editable,
        "plan_formset": formset,
        "plan_state_label": dict(RunOfShowState.choices)[show.state] if show else "",
        "plan_minutes": round(planned_seconds / 60),
        "plan_slot_minutes": round(slot / 60) if slot is not None else None,
        "plan_zone": zone,
        "plan_projected_end": datetime.datetime.fromisoformat(value["projected_end"])
        if value and value["projected_end"]
        else None,
        "plan_rows": rows,
        # Each row of the form with its planned start, while the form shows the saved plan as it is.
        "plan_form_rows": [
            (
                form,
                rows[index]["starts"]
                if show is not None and not formset.is_bound and index < len(rows)
                else None,
            )
            for index, form in enumerate(formset)
        ]
        if formset is not None
        else [],
    }


@require_POST
@allowed_to(Action.RUN_OF_SHOW_PLAN)
def organize_run_of_show(
    request: HttpRequest, roundtable: Roundtable, organizer: Participant
) -> HttpResponse:
    """Save the plan typed in the form, or (`step=default`) the suggested one."""
    formset = None
    if request.POST.get("step") == "default":
        steps = run_of_show_suggested(roundtable=roundtable)
    else:
        formset = _plan_formset(roundtable, request.POST)
        if not formset.is_valid():
            return _organize_page(
                request,
                roundtable,
                plan_formset=formset,
                error=_("Check the plan: the steps in error are marked."),
            )
        steps = [
            PlanStep(
                kind=form.cleaned_data["kind"],
                planned_seconds=form.cleaned_data["minutes"] * 60,
                question_id=form.cleaned_data.get("question"),
                phase=form.cleaned_data.get("phase") or "",
                title=form.titles(),
            )
            for form in formset.ordered_forms
        ]
    try:
        run_of_show_plan(roundtable=roundtable, organizer=organizer, steps=steps)
    except ServiceError as error:
        return _organize_page(request, roundtable, plan_formset=formset, error=error.message)
    return _done(request, roundtable, _("The plan is saved."))


# The organizer page shows the latest entries (of the chosen action or person); the CSV has them all.
AUDIT_PAGE_ROWS = 100


@require_POST
@allowed_to(Action.ROUNDTABLE_CONFIGURE)
def organize_settings(request: HttpRequest, roundtable: Roundtable, organizer: Participant) -> HttpResponse:
    form = SettingsForm(request.POST)
    if not form.is_valid():
        return _organize_page(request, roundtable, settings_form=form, error=_("Check the form."))
    try:
        roundtable_configure(roundtable=roundtable, organizer=organizer, **form.cleaned_data)
    except ServiceError as error:
        return _organize_page(request, roundtable, settings_form=form, error=error.message)
    return _done(request, roundtable, _("Settings saved."))


@require_POST
@allowed_to(Action.STAFF_INVITE)
def organize_invite(request: HttpRequest, roundtable: Roundtable, organizer: Participant) -> HttpResponse:
    form = _invite_form(request.POST)
    if not form.is_valid():
        return _organize_page(request, roundtable, invite_form=form, error=_("Check the form."))
    invited = staff_invite(
        roundtable=roundtable,
        inviter=organizer,
        email=form.cleaned_data["email"],
        role=form.cleaned_data["role"],
        link=lambda token: request.build_absolute_uri(reverse("deliberation:invitation", args=[token])),
    )
    return _done(request, roundtable, _("Invitation sent to %(email)s.") % {"email": invited.email})


@require_POST
@allowed_to(Action.STAFF_INVITE)
def organize_invitation_revoke(
    request: HttpRequest, roundtable: Roundtable, organizer: Participant
) -> HttpResponse:
    try:
        revoked = invitation_revoke(
            roundtable=roundtable, organizer=organizer, invitation_id=int(request.POST.get("invitation", "0"))
        )
    except ValueError:
        return _organize_page(request, roundtable, error=_("Check the form."))
    except ServiceError as error:
        return _organize_page(request, roundtable, error=error.message)
    message = _("The invitation of %(email)s is withdrawn.") % {"email": revoked.email}
    return _done(request, roundtable, message)


@require_POST
@allowed_to(Action.REGISTRATION_MANAGE)
def organize_registration(
    request: HttpRequest, roundtable: Roundtable, organizer: Participant
) -> HttpResponse:
    """The registration list: the rule, one person, a CSV file, or sending everyone their link."""
    step = request.POST.get("step")
    link = lambda token: personal_link_url(request, roundtable, token)  # noqa: E731
    try:
        if step == "rule":
            required = request.POST.get("registration_required") == "on"
            roundtable_registration_set(roundtable=roundtable, organizer=organizer, required=required)
            message = (
                _("Registration is now required.") if required else _("Anyone with the code may now join.")
            )
        elif step == "add":
            form = _registrant_form(roundtable, request.POST)
            if not form.is_valid():
                return _organize_page(request, roundtable, registrant_form=form, error=_("Check the form."))
            _registrant, added = registrant_add(
                roundtable=roundtable, organizer=organizer, **form.cleaned_data
            )
            message = (
                _("%(email)s is on the list.") if added else _("%(email)s was already on the list.")
            ) % {"email": form.cleaned_data["email"]}
        elif step == "upload":
            form = RegistrantsUploadForm(request.POST, request.FILES)
            if not form.is_valid():
                return _organize_page(request, roundtable, upload_form=form, error=_("Check the form."))
            report = registrants_import(
                roundtable=roundtable, organizer=organizer, data=form.cleaned_data["file"].read()
            )
            message = _("Added %(added)s, already listed %(already)s, left out %(rejected)s.") % {
                "added": report.added,
                "already": report.already,
                "rejected": len(report.rejected),
            }
            if report.rejected:
                message += " " + _("Lines left out: %(lines)s.") % {
                    "lines": ", ".join(str(number) for number, _code, _value in report.rejected[:20])
                }
                for number, code, value in report.rejected[:REFUSED_LINES_SHOWN]:
                    messages.warning(request, refused_line_text(number=number, code=code, value=value))
        elif step == "send":
            sent = registrants_invite(roundtable=roundtable, organizer=organizer, link=link)
            message = ngettext("Sent %(count)s personal link.", "Sent %(count)s personal links.", sent) % {
                "count": sent
            }
        else:
            return redirect("deliberation:organize", code=roundtable.code)
    except ServiceError as error:
        return _organize_page(request, roundtable, error=error.message)
    return _done(request, roundtable, message)


REFUSED_LINES_SHOWN = 50


def refused_line_text(*, number: int, code: str, value: str) -> str:
    """Why a line of an uploaded list was left out, in the reader's language."""
    if code == "email_invalid":
        if not value:
            return _("Line %(line)s: no email address.") % {"line": number}
        return _("Line %(line)s: “%(value)s” is not an email address.") % {"line": number, "value": value}
    if code == "actor_type_invalid":
        return _("Line %(line)s: “%(value)s” is not one of this roundtable's actor types.") % {
            "line": number,
            "value": value,
        }
    return _("Line %(line)s: %(reason)s") % {"line": number, "reason": ServiceError(code).message}


@require_GET
@allowed_to(Action.AUDIT_READ)
def audit_export(request: HttpRequest, roundtable: Roundtable, organizer: Participant) -> HttpResponse:
    """The whole log (or the entries of the action or person chosen on the page), codes and JSON details."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{roundtable.code}.csv"'
    writer = CsvSafeWriter(response)
    writer.writerow(["seq", "at", "actor", "role", "email", "action", "question", "proposal", "details"])
    action, person = _audit_filters(request)
    for row in audit_log(roundtable=roundtable, action=action, actor_id=person):
        writer.writerow(
            [
                row["seq"],
                row["at"].isoformat(),
                row["actor"] or "",
                row["role"] or "",
                row["email"],
                row["action"],
                row["question"] or "",
                row["proposal"] or "",
                json.dumps(row["details"], ensure_ascii=False, sort_keys=True),
            ]
        )
    return response


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation link: the emailed token proves the address, so opening it (and confirming, a POST,
    so mail scanners that follow links accept nothing) signs the invitee in and gives them the seat,
    under the public name they choose here (never one made from their address)."""
    found = invitation_get(token=token)
    if found is None:
        return render(request, "deliberation/invitation.html", {"invalid": True}, status=404)
    context = {"invitation": found, "title": _title(found.roundtable)}
    if invitation_expired(invitation=found):
        context["error"] = ServiceError("invitation_expired").message
        return render(request, "deliberation/invitation.html", {**context, "expired": True}, status=410)
    if request.method == "GET":
        return render(request, "deliberation/invitation.html", context)
    signed_in = request.user if request.user.is_authenticated else None
    display_name = request.POST.get("display_name", "")
    try:
        # A name that will be refused is refused before any account is made or signed in.
        staff_name_clean(display_name=display_name)
        user = invitation_account(invitation=found, signed_in=signed_in)
        if user is None:
            return redirect_to_login(request.get_full_path())
        if user != signed_in:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        invitation_accept(invitation=found, user=user, display_name=display_name)
    except ServiceError as error:
        context.update(error=error.message, display_name=display_name)
        return render(request, "deliberation/invitation.html", context, status=400)
    return redirect("deliberation:moderate", code=found.roundtable.code)
