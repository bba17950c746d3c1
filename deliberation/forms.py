"""Forms of the organizer's pages: they read and check what was typed; services decide and write."""

import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from deliberation.models import Role
from deliberation.selectors import code_could_exist, code_normalise
from deliberation.texts import LANGUAGE_NAMES


def _time_zones() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in sorted(zoneinfo.available_timezones())]


class RoundtableForm(forms.Form):
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
        for code, _name in settings.LANGUAGES:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title in %(language)s") % {"language": LANGUAGE_NAMES[code]},
                required=False,
                max_length=300,
            )
            self.fields[f"questions_{code}"] = forms.CharField(
                label=_("Questions in %(language)s, one per line") % {"language": LANGUAGE_NAMES[code]},
                required=False,
                widget=forms.Textarea(attrs={"rows": 5}),
            )

    def localized(self) -> list[tuple[str, str, forms.BoundField, forms.BoundField]]:
        return [
            (code, LANGUAGE_NAMES[code], self[f"title_{code}"], self[f"questions_{code}"])
            for code, _name in settings.LANGUAGES
        ]

    def in_zone(self, name: str):
        """The typed local time, in the chosen time zone."""
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        zone = zoneinfo.ZoneInfo(self.cleaned_data["time_zone"])
        return value.replace(tzinfo=None).replace(tzinfo=zone)

    def questions(self) -> dict[str, list[str]]:
        return {
            code: [
                line.strip() for line in self.cleaned_data[f"questions_{code}"].splitlines() if line.strip()
            ]
            for code in self.cleaned_data["languages"]
        }

    def titles(self) -> dict[str, str]:
        return {code: self.cleaned_data[f"title_{code}"] for code in self.cleaned_data["languages"]}


class SettingsForm(forms.Form):
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


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(Role.MODERATOR, _("Moderator")), (Role.ORGANIZER, _("Organizer"))],
        initial=Role.MODERATOR,
    )


class RegistrantForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    display_name = forms.CharField(label=_("Name (optional)"), required=False, max_length=60)


class RegistrantsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One person per line: email, then optionally name and actor type (a header row is fine)."
        ),
    )


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


class PublishForm(forms.Form):
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
