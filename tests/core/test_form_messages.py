"""Issue 14: forms that do not mislead. Every form gets, from core/forms.py and the page's one error summary,
messages that name their field, an empty choice in words, and values shown as recorded."""

import pytest
from django import forms
from django.template import Context, Template

from core.templatetags.error_summary import page_errors
from core.templatetags.values import address_lines, or_not_recorded


class DrinkingForm(forms.Form):
    alcohol_days = forms.IntegerField(label="Alcohol drinking days", min_value=0, max_value=28)
    units = forms.DecimalField(label="Units on a drinking day", max_value=100, required=False)
    reason = forms.CharField(label="Reason for referral", max_length=5)
    team = forms.ChoiceField(label="Team", choices=[("", "---------"), ("a", "Team A")])
    optional_team = forms.ChoiceField(label="Other team", required=False, choices=[("", "---------"), ("a", "A")])
    confirm = forms.BooleanField(label="The date is right")


def _messages(data):
    form = DrinkingForm(data)
    form.is_valid()
    return {name: list(form[name].errors) for name in form.fields if form[name].errors}


def test_an_empty_form_names_every_field():
    assert _messages({}) == {
        "alcohol_days": ["Enter alcohol drinking days"],
        "reason": ["Enter reason for referral"],
        "team": ["Select team"],
        "confirm": ["Tick the box: The date is right"],
    }


def test_out_of_range_answers_name_their_field_and_limit():
    answers = {"alcohol_days": "29", "units": "100.5", "reason": "too long", "team": "z", "confirm": "on"}
    assert _messages(answers) == {
        "alcohol_days": ["Alcohol drinking days must be 28 or fewer"],
        "units": ["Units on a drinking day must be 100 or less"],
        "reason": ["Reason for referral must be 5 characters or fewer"],
        "team": ["Team: select one of the options"],
    }
    assert _messages({**answers, "alcohol_days": "-1"})["alcohol_days"] == ["Alcohol drinking days must be 0 or more"]
    assert _messages({**answers, "alcohol_days": "two"})["alcohol_days"] == [
        "Alcohol drinking days must be a whole number, like 3"
    ]


def test_a_message_the_form_wrote_itself_is_kept():
    form = DrinkingForm({})
    form.fields["reason"].error_messages["required"] = "Say why the person was referred"
    form.is_valid()
    assert list(form["reason"].errors) == ["Say why the person was referred"]


def test_no_select_offers_dashes():
    page = str(DrinkingForm())
    assert "---------" not in page
    assert "Select an option" in page
    assert ">None</option>" in page


def test_two_forms_on_a_page_give_one_summary_in_the_order_of_the_page():
    first, second = DrinkingForm({}, prefix="person"), DrinkingForm({"referral-alcohol_days": "30"}, prefix="referral")
    errors = page_errors(Context({"person_form": first, "referral_form": second, "unbound": DrinkingForm()}))
    assert errors[0] == ("Enter alcohol drinking days", "id_person-alcohol_days")
    assert ("Alcohol drinking days must be 28 or fewer", "id_referral-alcohol_days") in errors
    page = Template("{% error_summary %}").render(Context({"person_form": first, "referral_form": second}))
    assert page.count('class="nhsuk-error-summary"') == 1
    assert "This field is required" not in page


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, 0), (0.0, 0.0), (None, "Not recorded"), ("", "Not recorded"), ([], "Not recorded"), ("GP", "GP")],
)
def test_zero_is_shown_as_recorded(value, shown):
    assert or_not_recorded(value) == shown


def test_an_address_shows_no_empty_line():
    assert address_lines("1 High Street\n\n  \nLeeds", "LS1 1AA") == "1 High Street<br>Leeds<br>LS1 1AA"
    assert address_lines("", "") == "Not recorded"
    assert address_lines("<b>1</b>", "") == "&lt;b&gt;1&lt;/b&gt;"
