from django.forms.renderers import TemplatesSetting


class NhsFormRenderer(TemplatesSetting):
    """Renders every form field with the NHS.UK frontend markup (label, hint, error message)."""

    form_template_name = "nhsuk/forms/form.html"
    field_template_name = "nhsuk/forms/field.html"
