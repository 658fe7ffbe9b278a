"""GOV.UK Frontend markup that Django forms need set on their widgets."""

from django import forms


def govuk_select_style(form: forms.Form, names: tuple[str, ...]) -> None:
    """Give each named select GOV.UK's classes, its error state, and ``aria-describedby`` pointing at its hint and
    error message (as the templates render them: ``id_<name>-hint``, ``id_<name>-error``). Call it when the form is
    made and again after cleaning, when the errors are known."""
    errors = form._errors or {}
    for name in names:
        if name not in form.fields:
            continue
        widget = form.fields[name].widget
        widget.attrs["class"] = "govuk-select" + (" govuk-select--error" if name in errors else "")
        described = [f"id_{name}-hint"] if form.fields[name].help_text else []
        described += [f"id_{name}-error"] if name in errors else []
        if described:
            widget.attrs["aria-describedby"] = " ".join(described)
        else:
            widget.attrs.pop("aria-describedby", None)
