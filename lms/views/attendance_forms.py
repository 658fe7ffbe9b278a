"""The attendance pages' forms: the Teams report upload and the group screening's first step (what, when, where).

Messages follow the GOV.UK pattern: they say what to do. The forms check what the manager typed; whether the item
can be recorded that way is ``lms.services.attendance.attendance_check_item``'s call.
"""

import datetime

from django import forms
from django.utils import timezone

from lms.attendance import MAX_REPORT_BYTES, AttendanceFileInvalid, AttendanceReport, parse_attendance_report
from lms.selectors.attendance import LearningChoice
from lms.views.govuk_forms import govuk_select_style


class TeamsReportForm(forms.Form):
    webinar = forms.ChoiceField(
        label="Webinar",
        error_messages={"required": "Choose the webinar", "invalid_choice": "Choose a webinar from the list"},
    )
    report = forms.FileField(
        label="Teams attendance report",
        help_text=(
            "In Teams, open the meeting, choose Attendance, then Download. Upload that .csv file as it is "
            f"(at most {MAX_REPORT_BYTES // (1024 * 1024)} MB)."
        ),
        error_messages={
            "required": "Choose the attendance report file",
            "empty": "The file is empty. Download the attendance report from Teams again.",
            "invalid": "Choose the attendance report file",
        },
    )

    def __init__(self, *args, webinars: list[LearningChoice], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["webinar"].choices = [("", "Choose the webinar")] + [(str(w.pk), w.label) for w in webinars]
        govuk_select_style(self, ("webinar",))

    def _post_clean(self):
        super()._post_clean()
        govuk_select_style(self, ("webinar",))

    def clean_report(self) -> AttendanceReport:
        upload = self.cleaned_data["report"]
        if upload.size > MAX_REPORT_BYTES:  # refused before a byte of it is read
            raise forms.ValidationError(
                f"The file is {upload.size / (1024 * 1024):.1f} MB; an attendance report can be at most "
                f"{MAX_REPORT_BYTES // (1024 * 1024)} MB. Check you chose the attendance report (a .csv file)."
            )
        data = upload.read(MAX_REPORT_BYTES + 1)
        try:
            report = parse_attendance_report(data)
        except AttendanceFileInvalid as error:
            raise forms.ValidationError(error.message) from None
        self.file_name = upload.name[:100]
        return report


class ScreeningForm(forms.Form):
    """What was shown, on which day, to staff of which jobcentre (the attendees are ticked in the next step)."""

    item = forms.ChoiceField(
        label="What was shown",
        help_text="A module, human library film or webinar recording.",
        error_messages={"required": "Choose what was shown", "invalid_choice": "Choose what was shown from the list"},
    )
    on_day = forms.CharField(required=False, max_length=2)
    on_month = forms.CharField(required=False, max_length=2)
    on_year = forms.CharField(required=False, max_length=4)
    site = forms.ChoiceField(
        label="Jobcentre",
        help_text="Whose staff were there. For a meeting with staff from several jobcentres, record each in turn.",
        error_messages={"required": "Choose the jobcentre", "invalid_choice": "Choose a jobcentre from the list"},
    )

    def __init__(self, *args, items: list[LearningChoice], sites: list, **kwargs):
        super().__init__(*args, **kwargs)
        kinds: dict[str, list] = {}
        for item in items:
            kinds.setdefault(item.kind, []).append((str(item.pk), item.title))
        self.fields["item"].choices = [("", "Choose what was shown"), *kinds.items()]
        site_choices = [(str(site.pk), str(site)) for site in sites]
        if len(site_choices) == 1:
            self.fields["site"].initial = site_choices[0][0]
            self.fields["site"].choices = site_choices
        else:
            self.fields["site"].choices = [("", "Choose the jobcentre"), *site_choices]
        self.date_error: str | None = None
        govuk_select_style(self, ("item", "site"))

    def _post_clean(self):
        super()._post_clean()
        govuk_select_style(self, ("item", "site"))

    def clean(self):
        cleaned = super().clean()
        parts = [(self.data.get(f"on_{part}") or "").strip() for part in ("day", "month", "year")]
        on = None
        names = ("day", "month", "year")
        missing = [name for name, value in zip(names, parts, strict=True) if not value]
        if len(missing) == 3:
            self.date_error = "Enter the date of the team meeting"
        elif missing:
            self.date_error = f"The date of the team meeting must include a {' and '.join(missing)}"
        else:
            try:
                if not all(part.isdigit() for part in parts) or len(parts[2]) != 4:
                    raise ValueError
                on = datetime.date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                self.date_error = "The date of the team meeting must be a real date, for example 27 3 2026"
        if on is not None and on > timezone.localdate():
            self.date_error = "The date of the team meeting must be today or in the past"
            on = None
        if self.date_error:
            self.add_error("on_day", self.date_error)
        cleaned["on"] = on
        return cleaned

    def date_input(self) -> dict:
        return {
            "prefix": "on",
            "legend": "Date of the team meeting",
            "hint": f"For example, {timezone.localdate():%-d %-m %Y}",
            "error": self.date_error,
            "day": self.data.get("on_day", ""),
            "month": self.data.get("on_month", ""),
            "year": self.data.get("on_year", ""),
        }
