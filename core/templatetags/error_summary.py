"""The page's one NHS.UK error summary (base.html puts it at the top of main): every bound form and formset in the
page's context with an error contributes its messages, in the order the view gave them. A page never renders a
summary of its own, so two forms on one page (a person and their referral) still give one summary."""

from django import forms, template
from django.forms.formsets import BaseFormSet

register = template.Library()


def _entries(form, prefix=""):
    first = next(iter(form.visible_fields()), None)
    anchors = getattr(form, "error_anchors", {})  # core.forms.add_domain_error: a refusal about part of the page
    for error in form.non_field_errors():
        yield prefix + error, anchors.get(error) or (first.error_anchor if first else "")
    for field in form.hidden_fields():
        for error in field.errors:
            yield prefix + error, ""
    for field in form.visible_fields():
        for error in field.errors:
            yield prefix + error, field.error_anchor


def _forms_in(context):
    seen = set()
    for value in context.flatten().values():
        # Only plain values are inspected: a lazy object (the CSRF token, the user) is never evaluated here.
        candidates = value if type(value) in (list, tuple) else [value]
        for candidate in candidates:
            if issubclass(type(candidate), forms.BaseForm | BaseFormSet) and id(candidate) not in seen:
                seen.add(id(candidate))
                yield candidate


def page_errors(context) -> list[tuple[str, str]]:
    entries = []
    for item in _forms_in(context):
        if isinstance(item, BaseFormSet):
            if not item.is_bound:
                continue
            entries += [(error, "") for error in item.non_form_errors()]
            label = getattr(item, "row_label", "Row")
            for number, row in enumerate(item.forms, start=1):
                entries += _entries(row, prefix=f"{label} {number}: ")
        else:
            entries += _entries(item)
    return entries


@register.inclusion_tag("includes/error_summary.html", takes_context=True)
def error_summary(context):
    return {"errors": page_errors(context)}
