"""The reports' filter form (GET) and the GOV.UK date input it uses. Messages say what to do, as GOV.UK asks."""

import datetime

from django import forms

from lms.models import JobRole
from lms.selectors.reports import ITEM_KINDS, ItemChoice, ReportFilters
from lms.selectors.reports.common import SORT_KEYS
from lms.views.govuk_forms import govuk_select_style

ALL_REQUIRED = ""
FORMATS = ("csv", "xlsx")


def item_choices(items: list[ItemChoice]) -> list:
    """A select's choices: all required learning, then the items grouped by kind (Series, Module, …)."""
    grouped = [
        (kind, [(str(item.pk), item.title) for item in items if item.kind == kind]) for kind in ITEM_KINDS.values()
    ]
    return [(ALL_REQUIRED, "All required learning")] + [(kind, options) for kind, options in grouped if options]


class ReportFilterForm(forms.Form):
    item = forms.ChoiceField(
        label="Learning",
        required=False,
        help_text="A series, module, film or webinar – or all the learning assigned to each person.",
        error_messages={"invalid_choice": "Choose a piece of learning from the list"},
    )
    district = forms.ChoiceField(
        label="District", required=False, error_messages={"invalid_choice": "Choose a district from the list"}
    )
    job_role = forms.ChoiceField(
        label="Job role",
        required=False,
        choices=[("", "All job roles"), *JobRole.choices],
        error_messages={"invalid_choice": "Choose a job role from the list"},
    )
    assigned = forms.BooleanField(label="Only count staff it is assigned to", required=False)
    from_day = forms.CharField(required=False, max_length=2)
    from_month = forms.CharField(required=False, max_length=2)
    from_year = forms.CharField(required=False, max_length=4)
    to_day = forms.CharField(required=False, max_length=2)
    to_month = forms.CharField(required=False, max_length=2)
    to_year = forms.CharField(required=False, max_length=4)
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in SORT_KEYS])
    dir = forms.ChoiceField(required=False, choices=[("asc", "asc"), ("desc", "desc")])
    format = forms.ChoiceField(
        required=False,
        choices=[("", "page"), *((name, name) for name in FORMATS)],
        error_messages={"invalid_choice": "Download as CSV or XLSX"},
    )

    #: The date inputs' parts, for the template: (prefix, legend, hint).
    DATE_INPUTS = (
        ("from", "Completed from", "For example, 1 4 2025"),
        ("to", "Completed to", "For example, 31 3 2026"),
    )

    def __init__(self, *args, items: list[ItemChoice], districts=None, district_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = item_choices(items)
        if districts is None:
            del self.fields["district"]
        else:
            every = [("", "Choose a district" if district_required else "All districts in your area")]
            self.fields["district"].choices = every + [(str(district.pk), str(district)) for district in districts]
            if district_required:
                self.fields["district"].required = True
                self.fields["district"].error_messages["required"] = "Choose a district"
        self.date_errors: dict[str, str] = {}
        self._style()

    def _post_clean(self):
        super()._post_clean()
        self._style()

    def _style(self) -> None:
        govuk_select_style(self, ("item", "district", "job_role"))

    def _date(self, prefix: str, label: str) -> datetime.date | None:
        parts = [self.cleaned_data.get(f"{prefix}_{part}", "").strip() for part in ("day", "month", "year")]
        if not any(parts):
            return None
        names = ("day", "month", "year")
        missing = [name for name, value in zip(names, parts, strict=True) if not value]
        if missing:
            self._date_error(prefix, f"{label} must include a {' and '.join(missing)}", first=missing[0])
            return None
        if not all(value.isdigit() for value in parts) or len(parts[2]) != 4:
            self._date_error(prefix, f"{label} must be a real date, for example 1 4 2025")
            return None
        try:
            return datetime.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            self._date_error(prefix, f"{label} must be a real date, for example 1 4 2025")
            return None

    def _date_error(self, prefix: str, message: str, first: str = "day") -> None:
        self.date_errors[prefix] = message
        self.add_error(f"{prefix}_{first}", message)

    def clean(self):
        cleaned = super().clean()
        completed_from = self._date("from", "Completed from")
        completed_to = self._date("to", "Completed to")
        today = datetime.date.today()
        if completed_from and completed_from > today and "from" not in self.date_errors:
            self._date_error("from", "Completed from must be today or in the past")
        if completed_from and completed_to and completed_to < completed_from:
            self._date_error("to", "Completed to must be the same as or after completed from")
        cleaned["completed_from"], cleaned["completed_to"] = completed_from, completed_to
        return cleaned

    def filters(self, *, district_id: int | None = None) -> ReportFilters:
        data = self.cleaned_data
        return ReportFilters(
            item_id=int(data["item"]) if data.get("item") else None,
            district_id=district_id,
            job_role=data.get("job_role") or "",
            assigned_only=bool(data.get("assigned")),
            completed_from=data.get("completed_from"),
            completed_to=data.get("completed_to"),
            sort=data.get("sort") or "name",
            descending=data.get("dir") == "desc",
        )

    def date_input(self, prefix: str) -> dict:
        """What the GOV.UK date input template needs for ``prefix``: its parts' values and any error."""
        return {
            "prefix": prefix,
            "error": self.date_errors.get(prefix),
            "day": self.data.get(f"{prefix}_day", ""),
            "month": self.data.get(f"{prefix}_month", ""),
            "year": self.data.get(f"{prefix}_year", ""),
        }

    @property
    def date_inputs(self) -> list[dict]:
        return [
            {**self.date_input(prefix), "legend": legend, "hint": hint} for prefix, legend, hint in self.DATE_INPUTS
        ]
