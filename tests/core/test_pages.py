"""The NHS.UK page layer: sign-in, the home page, the layout every page shares and the form kit."""

import datetime

import pytest
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains, assertRedirects

from core.two_factor import mark_demo_enrolled
from core.widgets import NhsDateField

PASSWORD = "a-long-enough-test-password"
STYLESHEET = "vendor/nhsuk-frontend-10.6.1/nhsuk-frontend.min.css"


@pytest.fixture
def keyworker(db):
    user = get_user_model().objects.create_user(
        username="kim.keyworker", password=PASSWORD, first_name="Kim", last_name="Okafor"
    )
    user.groups.add(Group.objects.get_or_create(name="Keyworker")[0])
    return user


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


class ReferralForm(forms.Form):
    date_of_birth = NhsDateField(label="Date of birth")
    name = forms.CharField(help_text="As written on their ID")
    contact = forms.ChoiceField(choices=[("phone", "Phone"), ("letter", "Letter")], widget=forms.RadioSelect)
    team = forms.ChoiceField(choices=[("", "Choose a team"), ("arm", "ARM")])
    notes = forms.CharField(widget=forms.Textarea, required=False)
    consent = forms.BooleanField(label="They agree to a referral")


def date_data(day, month, year):
    return {"date_of_birth_day": day, "date_of_birth_month": month, "date_of_birth_year": year}


def test_sign_in_page_has_labelled_fields_and_the_nhsuk_stylesheet(client, db):
    response = client.get(reverse("login"))

    assertInHTML('<label class="nhsuk-label" for="id_username">Username</label>', response.content.decode())
    assertContains(response, f'<link rel="stylesheet" href="/static/{STYLESHEET}">', html=False)
    assertContains(response, '<html lang="en-GB">')
    assertContains(response, 'href="#maincontent"')
    assertNotContains(response, "nhsuk-error-summary")
    assert finders.find(STYLESHEET), "the vendored NHS.UK stylesheet is missing: run `make frontend`"


def test_sign_in_page_does_not_move_the_focus(client, db):
    response = client.get(reverse("login"))

    assertNotContains(response, "autofocus")


def test_wrong_password_shows_the_error_summary(client, keyworker):
    response = sign_in(client, "kim.keyworker", "not-the-password")

    assert response.status_code == 200
    assertContains(response, 'class="nhsuk-error-summary" data-module="nhsuk-error-summary" tabindex="-1"')
    assertContains(response, '<a href="#id_username">Enter a correct username and password.')
    assertContains(response, "<title>Error: Sign in \N{EN DASH} Recovery Record</title>")


def test_empty_sign_in_names_each_missing_field(client, db):
    response = sign_in(client, "", "")

    assertContains(response, '<a href="#id_username">Enter your username</a>', html=True)
    assertContains(response, '<a href="#id_password">Enter your password</a>', html=True)
    assertContains(response, "nhsuk-form-group--error", count=2)


def test_signing_in_leads_to_the_home_page_with_the_users_name(client, keyworker, settings):
    # A demo-enrolled account: the second step itself is tested in test_two_factor.py.
    settings.TWO_FACTOR_TRUST_DEMO_DEVICES = True
    mark_demo_enrolled(keyworker)
    response = sign_in(client, "kim.keyworker", PASSWORD)
    assertRedirects(response, reverse("home"))

    response = client.get(reverse("home"))
    assertContains(response, "<h1>Your work</h1>", html=True)
    assertContains(response, "Kim Okafor")
    assertContains(response, "(Keyworker)")
    sign_out = f'<form class="nhsuk-header__account-form" action="{reverse("logout")}" method="post"'
    assertContains(response, sign_out)
    assertContains(response, 'aria-current="page"', count=1)


def test_sign_out_by_post_ends_the_session(client, keyworker):
    client.force_login(keyworker)

    response = client.post(reverse("logout"))

    assertRedirects(response, reverse("login"), fetch_redirect_response=False)
    assertRedirects(client.get(reverse("home")), f"{reverse('login')}?next=/")


def test_home_requires_sign_in(client, db):
    assertRedirects(client.get(reverse("home")), f"{reverse('login')}?next=/")


def test_only_data_admins_get_the_administration_card(client, keyworker, data_admin):
    client.force_login(keyworker)
    assertNotContains(client.get(reverse("home")), reverse("admin:index"))

    client.force_login(data_admin)
    assertContains(client.get(reverse("home")), f'href="{reverse("admin:index")}"')


def test_home_page_cards_say_what_each_page_is_for(client, keyworker):
    client.force_login(keyworker)

    response = client.get(reverse("home"))

    assertInHTML(
        '<p class="nhsuk-card__description">The people you key-work, with what is due and overdue for each.</p>',
        response.content.decode(),
    )


def test_a_card_without_a_description_has_no_empty_line():
    html = render_to_string("includes/card.html", {"label": "Clinic", "url": "/clinic/", "description": ""})

    assertInHTML('<a class="nhsuk-card__link" href="/clinic/">Clinic</a>', html)
    assert "nhsuk-card__description" not in html


def test_missing_page_uses_the_nhsuk_layout(client, keyworker):
    client.force_login(keyworker)

    response = client.get("/no-such-page/")

    assertContains(response, "<h1>Page not found</h1>", status_code=404, html=True)
    assertContains(response, "nhsuk-header", status_code=404)


def test_form_errors_render_the_summary_and_nhsuk_form_groups():
    form = ReferralForm(data={**date_data("30", "2", "2024"), "name": ""})

    html = str(form)
    # The page's one summary comes from base.html's {% error_summary %}, above the heading, not from the form.
    summary = Template("{% error_summary %}").render(Context({"form": form}))

    assert "nhsuk-error-summary" not in html
    assert summary.count('class="nhsuk-error-summary"') == 1
    assertInHTML('<a href="#id_date_of_birth_day">Date of birth must be a real date</a>', summary)
    assertInHTML('<a href="#id_name">Enter name</a>', summary)
    assertInHTML('<a href="#id_contact_0">Select contact</a>', summary)
    assert html.count("nhsuk-form-group--error") == 5
    assertInHTML(
        '<span class="nhsuk-error-message" id="id_name_error">'
        '<span class="nhsuk-u-visually-hidden">Error: </span>Enter name</span>',
        html,
    )
    assertInHTML('<div class="nhsuk-hint" id="id_name_helptext">As written on their ID</div>', html)
    assert 'class="nhsuk-input nhsuk-input--error"' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html


def test_fields_get_the_nhsuk_control_classes():
    html = str(ReferralForm())

    assert 'class="nhsuk-select"' in html
    assert 'class="nhsuk-textarea"' in html
    assert '<div class="nhsuk-radios" data-module="nhsuk-radios">' in html
    first_radio = '<input type="radio" name="contact" value="phone" class="nhsuk-radios__input" required'
    assertInHTML(f'{first_radio} id="id_contact_0">', html)
    assertInHTML('<label class="nhsuk-label nhsuk-radios__label" for="id_contact_0">Phone</label>', html)
    assert 'class="nhsuk-checkboxes__input"' in html
    assert "nhsuk-error-summary" not in html


def test_date_input_renders_day_month_and_year_boxes():
    form = ReferralForm(initial={"date_of_birth": datetime.date(1984, 3, 15)})

    html = str(form["date_of_birth"].as_field_group())

    assert '<fieldset class="nhsuk-fieldset" role="group">' in html
    year_label = '<label class="nhsuk-label nhsuk-date-input__label" for="id_date_of_birth_year">'
    assertInHTML(f"{year_label}Year</label>", html)
    assertInHTML(
        '<input type="text" name="date_of_birth_day" value="15" inputmode="numeric" autocomplete="off" required'
        ' class="nhsuk-input nhsuk-date-input__input nhsuk-input--width-2" id="id_date_of_birth_day">',
        html,
    )
    assert 'name="date_of_birth_year" value="1984"' in html


def test_date_input_parses_a_leap_day():
    form = ReferralForm(data=date_data("29", "2", "2024"))

    form.is_valid()

    assert "date_of_birth" not in form.errors
    assert form.cleaned_data["date_of_birth"] == datetime.date(2024, 2, 29)


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("30", "2", "2024", "Date of birth must be a real date"),
        ("29", "2", "2023", "Date of birth must be a real date"),
        ("1", "x", "2024", "Date of birth must be a real date"),
        ("1", "2", "24", "Date of birth: enter the year as 4 numbers"),
        ("1", "", "2024", "Date of birth must include a month"),
        ("", "", "2024", "Date of birth must include a day and a month"),
        ("", "", "", "Enter the date of birth"),
    ],
)
def test_date_input_refuses_what_is_not_a_date(day, month, year, message):
    form = ReferralForm(data=date_data(day, month, year))

    assert not form.is_valid()
    assert form.errors["date_of_birth"] == [message]


def test_date_input_keeps_what_was_typed_and_marks_every_box():
    html = str(ReferralForm(data=date_data("30", "2", "2024"))["date_of_birth"].as_field_group())

    assert 'name="date_of_birth_day" value="30"' in html
    assert html.count("nhsuk-input--error") == 3
    assert 'aria-describedby="id_date_of_birth_error"' in html


def test_messages_show_as_notification_banners(rf, keyworker):
    request = rf.get("/")
    request.user = keyworker
    request.session = {}
    request._messages = FallbackStorage(request)
    messages.success(request, "Referral saved")
    messages.warning(request, "The plan review is overdue")

    html = render_to_string("core/home.html", request=request)

    assert 'class="nhsuk-notification-banner nhsuk-notification-banner--success"' in html
    assertInHTML('<p class="nhsuk-notification-banner__heading">Referral saved</p>', html)
    assertInHTML('<h2 class="nhsuk-notification-banner__title" id="notification-title-2">Important</h2>', html)


def test_server_error_page_needs_no_context():
    html = render_to_string("500.html")

    assertInHTML("<h1>Sorry, there is a problem with the service</h1>", html)
    assert f"/static/{STYLESHEET}" in html
