"""``/reports/assignments/``: list, set and remove assignments. Editors and national reporting only."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe
from wagtail.models import Page

from lms.models import Assignment, District, Jobcentre, JobcentreGroup, JobRole, ScopeLevel
from lms.selectors.reports import ITEM_KINDS, report_items
from lms.services.assignments import assignment_create, assignment_delete
from lms.views.report_forms import item_choices

AUDIENCES = [
    (ScopeLevel.NATIONAL, "Everyone"),
    (ScopeLevel.GROUP, "A group"),
    (ScopeLevel.DISTRICT, "A district"),
    (ScopeLevel.SITE, "A jobcentre"),
]


class AssignmentForm(forms.Form):
    item = forms.ChoiceField(
        label="Learning",
        error_messages={"required": "Choose the learning to assign", "invalid_choice": "Choose the learning to assign"},
    )
    level = forms.ChoiceField(
        label="Who must complete it",
        choices=AUDIENCES,
        error_messages={"required": "Choose who must complete it", "invalid_choice": "Choose who must complete it"},
    )
    group = forms.ModelChoiceField(
        JobcentreGroup.objects.filter(is_active=True), label="Group", required=False, empty_label="Choose a group"
    )
    district = forms.ModelChoiceField(
        District.objects.filter(is_active=True), label="District", required=False, empty_label="Choose a district"
    )
    jobcentre = forms.ModelChoiceField(
        Jobcentre.objects.filter(is_active=True), label="Jobcentre", required=False, empty_label="Choose a jobcentre"
    )
    job_role = forms.ChoiceField(
        label="Job role",
        required=False,
        choices=[("", "Every job role"), *JobRole.choices],
        help_text="Assign it to one job role only, or to everyone in the audience.",
    )
    due_day = forms.CharField(required=False, max_length=2)
    due_month = forms.CharField(required=False, max_length=2)
    due_year = forms.CharField(required=False, max_length=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = item_choices(report_items())
        self.fields["item"].choices = [("", "Choose the learning")] + choices[1:]  # no "all required learning"
        self.due_error = None
        self._style()

    def _post_clean(self):
        super()._post_clean()
        self._style()

    def _style(self) -> None:
        errors = self._errors or {}
        for name in ("item", "group", "district", "jobcentre", "job_role"):
            error = name in errors
            self.fields[name].widget.attrs["class"] = "govuk-select" + (" govuk-select--error" if error else "")
            if error:
                self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}-error"

    def clean(self):
        cleaned = super().clean()
        level = cleaned.get("level")
        unit_field = {ScopeLevel.GROUP: "group", ScopeLevel.DISTRICT: "district", ScopeLevel.SITE: "jobcentre"}
        if level in unit_field and not cleaned.get(unit_field[level]):
            name = unit_field[level]
            self.add_error(name, f"Choose a {self.fields[name].label.lower()}")
        cleaned["unit"] = cleaned.get(unit_field[level]) if level in unit_field else None
        parts = [(self.data.get(f"due_{part}") or "").strip() for part in ("day", "month", "year")]
        due_on = None
        if not any(parts):
            self.due_error = "Enter the date it must be completed by"
        else:
            try:
                if len(parts[2]) != 4:
                    raise ValueError
                due_on = datetime.date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                self.due_error = "The due date must be a real date, for example 31 3 2026"
        if due_on is not None and due_on < datetime.date.today():
            self.due_error = "The due date must be today or in the future"
        if self.due_error:
            self.add_error("due_day", self.due_error)
        cleaned["due_on"] = due_on
        return cleaned

    def date_input(self) -> dict:
        return {
            "prefix": "due",
            "legend": "Due date",
            "hint": "For example, 31 3 2026",
            "error": self.due_error,
            "day": self.data.get("due_day", ""),
            "month": self.data.get("due_month", ""),
            "year": self.data.get("due_year", ""),
        }


def _kind(item) -> str:
    return ITEM_KINDS.get(item.content_type.model, "Page")


@require_safe
@login_required
@permission_required("lms.view_assignment", raise_exception=True)
def assignment_list(request):
    assignments = Assignment.objects.select_related(
        "item__content_type", "group", "district", "jobcentre", "created_by"
    ).order_by("due_on", "pk")
    rows = [
        {
            "assignment": assignment,
            "kind": _kind(assignment.item),
            "audience": str(assignment.jobcentre or assignment.district or assignment.group or "Everyone"),
            "overdue": assignment.due_on < datetime.date.today(),
        }
        for assignment in assignments
    ]
    return render(request, "lms/reports/assignments/list.html", {"rows": rows})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("lms.add_assignment", raise_exception=True)
def assignment_new(request):
    form = AssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assignment = assignment_create(
            item=Page.objects.get(pk=int(data["item"])),
            level=data["level"],
            unit=data["unit"],
            job_role=data["job_role"],
            due_on=data["due_on"],
            created_by=request.user,
        )
        messages.success(request, f"Assigned: {assignment}")
        return redirect("reports:assignments")
    return render(request, "lms/reports/assignments/new.html", {"form": form, "date": form.date_input()})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("lms.delete_assignment", raise_exception=True)
def assignment_remove(request, pk: int):
    assignment = get_object_or_404(Assignment.objects.select_related("item"), pk=pk)
    if request.method == "POST":
        description = str(assignment)
        assignment_delete(assignment=assignment, deleted_by=request.user)
        messages.success(request, f"Removed: {description}")
        return redirect("reports:assignments")
    return render(request, "lms/reports/assignments/delete.html", {"assignment": assignment})
