"""Forms of the organizer's pages: they read and check what was typed; services decide and write."""

import zoneinfo

from django import forms
from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from deliberation.models import Role
from deliberation.selectors import code_could_exist, code_normalise
from deliberation.texts import LANGUAGE_NAMES, text_in_language


def _time_zones() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in sorted(zoneinfo.available_timezones())]


class FieldErrorsMixin:
    """Each field says what it needs to assistive technology too: its hint and, once in error, its message
    are named by aria-describedby (deliberation/organizer_field.html gives them these ids), and the field
    is aria-invalid."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _hinted(self)

    def full_clean(self) -> None:
        super().full_clean()
        self.full_clean_marks()

    def full_clean_marks(self) -> None:
        """Mark the fields in error (again, after a view added an error a service found)."""
        for name, field in self.fields.items():
            bound = self[name]
            described = [f"{bound.auto_id}-help"] if field.help_text else []
            if name in self.errors:
                described.insert(0, f"{bound.auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)


def _hinted(form: forms.Form) -> None:
    """Hints are named before any validation, too."""
    for name, field in form.fields.items():
        if field.help_text:
            field.widget.attrs.setdefault("aria-describedby", f"{form[name].auto_id}-help")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _seed_actor_types() -> list[dict[str, str]]:
    from deliberation.services.roundtables import seed_read

    return seed_read()["actor_types"]


class RoundtableForm(FieldErrorsMixin, forms.Form):
    """A new roundtable. The texts come per language: only the ticked languages' fields count (and only
    they are shown: deliberation/templates/deliberation/roundtable_new.html, frontend/js/roundtable_new.js).
    Actor types are typed one per line in each language, in the same order, starting from the forum's ten."""

    code = forms.CharField(
        label=_("Join code"),
        required=False,
        max_length=32,
        help_text=_("Letters and digits people type to join. Leave empty for a new random code."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=[(code, LANGUAGE_NAMES[code]) for code, _name in settings.LANGUAGES],
        widget=forms.CheckboxSelectMultiple,
        initial=["en", "es", "fr"],
        error_messages={"required": _("Tick at least one language.")},
    )
    capacity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=20000, initial=150)
    registration_required = forms.BooleanField(
        label=_("Only registered people may join (by their personal link)"), required=False
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zones, initial="UTC")
    starts_at = forms.DateTimeField(
        label=_("Starts"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        seed_types = _seed_actor_types()
        for code, _name in settings.LANGUAGES:
            language = LANGUAGE_NAMES[code]
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title in %(language)s") % {"language": language}, required=False, max_length=300
            )
            self.fields[f"event_name_{code}"] = forms.CharField(
                label=_("Event name in %(language)s (optional)") % {"language": language},
                required=False,
                max_length=300,
                help_text=_("The conference or programme this roundtable is part of."),
            )
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description in %(language)s (optional)") % {"language": language},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("What the roundtable is for: published with the proposal document."),
            )
            self.fields[f"questions_{code}"] = forms.CharField(
                label=_("Questions in %(language)s, one per line") % {"language": language},
                required=False,
                widget=forms.Textarea(attrs={"rows": 5}),
            )
            self.fields[f"actor_types_{code}"] = forms.CharField(
                label=_("Actor types in %(language)s, one per line") % {"language": language},
                required=False,
                widget=forms.Textarea(attrs={"rows": 10}),
                initial="\n".join(actor_type.get(code, "") for actor_type in seed_types),
                help_text=_(
                    "Who takes part, as people choose when they join: the same types in each language."
                ),
            )
        _hinted(self)
        codes = [code for code, _name in settings.LANGUAGES]
        if self.is_bound and not any(f"actor_types_{code}" in self.data for code in codes):
            # A form sent without the actor-type fields at all (a script, an older page) gets the ones the
            # page shows to start from: the forum's.
            self.data = self.data.copy()
            for code, _name in settings.LANGUAGES:
                self.data[f"actor_types_{code}"] = self.fields[f"actor_types_{code}"].initial

    def ticked(self) -> list[str]:
        """The languages ticked, as typed (for showing only their fields again after an error)."""
        if self.is_bound:
            return [code for code in self.data.getlist("languages") if code in LANGUAGE_NAMES]
        return list(self.fields["languages"].initial)

    def localized(self) -> list[dict]:
        ticked = self.ticked()
        return [
            {
                "code": code,
                "name": LANGUAGE_NAMES[code],
                "ticked": code in ticked,
                "fields": [
                    self[f"{name}_{code}"]
                    for name in ("title", "event_name", "description", "questions", "actor_types")
                ],
            }
            for code, _name in settings.LANGUAGES
        ]

    def clean(self) -> dict:
        from deliberation.errors import ServiceError
        from deliberation.services.roundtables import QUESTIONS_MAX, actor_types_check

        cleaned = super().clean()
        languages = cleaned.get("languages") or []
        for code in languages:
            if not cleaned.get(f"title_{code}", "").strip():
                self.add_error(
                    f"title_{code}", _("Give the title in %(language)s.") % {"language": LANGUAGE_NAMES[code]}
                )
            if not _lines(cleaned.get(f"questions_{code}", "")):
                self.add_error(
                    f"questions_{code}",
                    _("Give the questions in %(language)s, one per line.")
                    % {"language": LANGUAGE_NAMES[code]},
                )
            if not _lines(cleaned.get(f"actor_types_{code}", "")):
                self.add_error(
                    f"actor_types_{code}",
                    _("Give the actor types in %(language)s, one per line.")
                    % {"language": LANGUAGE_NAMES[code]},
                )
        # The same questions (and actor types) in every language: a count unlike the first language's is
        # marked on that language's field.
        for name, message in (
            ("questions", ServiceError("roundtable_questions_invalid", limit=QUESTIONS_MAX).message),
            (
                "actor_types",
                _("Give the same actor types in every language, one per line, in the same order."),
            ),
        ):
            counts = {code: len(_lines(cleaned.get(f"{name}_{code}", ""))) for code in languages}
            if counts and len(set(counts.values())) > 1:
                first = counts[languages[0]]
                for code, count in counts.items():
                    if count and count != first and f"{name}_{code}" not in self.errors:
                        self.add_error(f"{name}_{code}", message)
        if len(_lines(cleaned.get(f"questions_{languages[0]}", "") if languages else "")) > QUESTIONS_MAX:
            self.add_error(
                f"questions_{languages[0]}",
                ServiceError("roundtable_questions_invalid", limit=QUESTIONS_MAX).message,
            )
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", ServiceError("times_invalid").message)
        code = cleaned.get("code", "").strip()
        if code and not code.replace("-", "").replace("_", "").isalnum():
            self.add_error("code", ServiceError("code_invalid").message)
        if not self.errors and languages:
            try:
                actor_types_check(actor_types=self.actor_types(), languages=languages)
            except ServiceError as error:
                self.add_error(f"actor_types_{languages[0]}", error.message)
        return cleaned

    def in_zone(self, name: str):
        """The typed local time, in the chosen time zone."""
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        zone = zoneinfo.ZoneInfo(self.cleaned_data["time_zone"])
        return value.replace(tzinfo=None).replace(tzinfo=zone)

    def questions(self) -> dict[str, list[str]]:
        return {
            code: _lines(self.cleaned_data[f"questions_{code}"]) for code in self.cleaned_data["languages"]
        }

    def titles(self) -> dict[str, str]:
        return {code: self.cleaned_data[f"title_{code}"] for code in self.cleaned_data["languages"]}

    def texts(self, name: str) -> dict[str, str]:
        """An optional text per ticked language ("event_name", "description")."""
        return {code: self.cleaned_data[f"{name}_{code}"].strip() for code in self.cleaned_data["languages"]}

    def actor_types(self) -> list[dict[str, str]]:
        """The typed actor types with their keys: a type of the forum's card keeps the card's key (so its
        statistics compare across roundtables), a new one gets a key made from its first name."""
        languages = self.cleaned_data["languages"]
        rows = zip(*(_lines(self.cleaned_data[f"actor_types_{code}"]) for code in languages), strict=True)
        seed = _seed_actor_types()
        known = {
            (code, actor_type.get(code, "").casefold()): actor_type["key"]
            for actor_type in seed
            for code in languages
        }
        result, used = [], set()
        for names in rows:
            named = dict(zip(languages, names, strict=True))
            key = next(
                (
                    known[(code, text.casefold())]
                    for code, text in named.items()
                    if (code, text.casefold()) in known
                ),
                "",
            )
            key = key or slugify(named[languages[0]])[:60] or "type"
            base, number = key, 1
            while key in used:
                number += 1
                key = f"{base}-{number}"
            used.add(key)
            result.append({"key": key, **named})
        return result


class SettingsForm(FieldErrorsMixin, forms.Form):
    capacity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=20000)
    flag_threshold = forms.IntegerField(
        label=_("Reports before a proposal is held for review"),
        min_value=1,
        max_value=100,
        help_text=_(
            "When this many participants report a proposal, it leaves the public screens "
            "until a moderator decides."
        ),
    )


class InviteForm(FieldErrorsMixin, forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(Role.MODERATOR, _("Moderator")), (Role.ORGANIZER, _("Organizer"))],
        initial=Role.MODERATOR,
    )


class RegistrantForm(FieldErrorsMixin, forms.Form):
    email = forms.EmailField(label=_("Email"))
    display_name = forms.CharField(label=_("Name (optional)"), required=False, max_length=60)
    actor_type = forms.ChoiceField(label=_("Actor type (optional)"), required=False, choices=[])

    def __init__(self, *args, roundtable, language: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor_type"].choices = [("", _("Not given: they choose when they join"))] + [
            (kind["key"], text_in_language(kind, language, roundtable.languages).text)
            for kind in roundtable.actor_types
        ]


class RegistrantsUploadForm(FieldErrorsMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One person per line: email, then optionally name and actor type (a header row is fine)."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _hinted(self)


class JoinCodeForm(forms.Form):
    """The home page's code, as people type it (spaces and lower case are fine: "led 111" is LED111). A
    CharField refuses a NUL byte before anything reaches the database."""

    code = forms.CharField(max_length=64, strip=True)

    def clean_code(self) -> str:
        code = code_normalise(self.cleaned_data["code"])
        if not code_could_exist(code):
            raise forms.ValidationError(_("No roundtable has this code. Check it and try again."))
        return code


class LinkRequestForm(forms.Form):
    email = forms.EmailField(label=_("The email you registered with"))


class PublishForm(FieldErrorsMixin, forms.Form):
    slug = forms.CharField(
        label=_("Address of the public page"),
        max_length=80,
        required=False,
        help_text=_("The page will be /p/<address>/. It is fixed by the first version."),
    )
    organizers = forms.CharField(
        label=_("Organizers, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(
        label=_("What changed in this version"),
        max_length=300,
        required=False,
        help_text=_("For a correction: say what it corrects. Readers see it with the differences."),
    )


# --- The run of show's plan (issue 19). ------------------------------------------------------------------

STEP_PHASE_CHOICES = [
    ("collecting", _("Collecting proposals")),
    ("voting", _("Voting")),
    ("locked", _("Locked")),
]
STEP_KIND_CHOICES = [
    ("phase", _("Question phase")),
    ("break", _("Break")),
    ("closing", _("Closing")),
]
STEP_MAX_MINUTES = 240


class RunStepForm(FieldErrorsMixin, forms.Form):
    """One step of the plan: a question in a phase, a break or the closing block, for some minutes. The
    titles (breaks and the closing) are typed in each of the roundtable's languages."""

    # A blank choice, so the empty rows at the end (for new steps) are left out when left alone.
    kind = forms.ChoiceField(label=_("Kind of step"), choices=[("", "—"), *STEP_KIND_CHOICES])
    question = forms.TypedChoiceField(
        label=_("Question"), choices=[], coerce=int, required=False, empty_value=None
    )
    phase = forms.ChoiceField(label=_("Phase"), choices=[("", "—"), *STEP_PHASE_CHOICES], required=False)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=STEP_MAX_MINUTES)

    def __init__(self, *args, questions: list[tuple[int, str]], languages: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.languages = languages
        self.fields["question"].choices = [("", "—"), *questions]
        for language in languages:
            self.fields[f"title_{language}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": LANGUAGE_NAMES.get(language, language)},
                max_length=80,
                required=False,
            )
        self.fields["minutes"].widget.attrs.update(size=4, inputmode="numeric")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == "phase":
            if not data.get("question"):
                self.add_error("question", _("Pick the question of this phase."))
            if not data.get("phase"):
                self.add_error("phase", _("Pick the phase."))
        return data

    def step_fields(self) -> list:
        """The fields of one row in the order the table shows them."""
        return [self[name] for name in ("kind", "question", "phase", "minutes")]

    def title_fields(self) -> list:
        return [self[f"title_{language}"] for language in self.languages]

    @property
    def shows_titles(self) -> bool:
        """A question phase is named from its question and phase: its row asks for no titles (a step
        changed into a break without one is called "Break" on every screen)."""
        return self["kind"].value() != "phase"

    def titles(self) -> dict[str, str]:
        return {
            language: self.cleaned_data.get(f"title_{language}", "").strip()
            for language in self.languages
            if self.cleaned_data.get(f"title_{language}", "").strip()
        }


class BaseRunStepFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "ORDER" in form.fields:
            form.fields["ORDER"].label = _("Position")
            form.fields["ORDER"].widget.attrs.update(size=3, inputmode="numeric")
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")


RunStepFormSet = forms.formset_factory(
    RunStepForm,
    formset=BaseRunStepFormSet,
    extra=2,
    can_order=True,
    can_delete=True,
    max_num=60,
    validate_max=True,
    absolute_max=80,
)
