"""Issue 14: every form a page shows, found from the URL configuration (core.route_walk), is submitted empty and
with out-of-range answers. Each message must name its field in words, never Django's generic "This field is
required." or "Ensure this value is less than or equal to 28."; a page shows one error summary, above its heading."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

from django.db import transaction

from assessment.services import SECTIONS
from core import route_walk
from core.choices import Role
from core.field_errors import GENERIC_MESSAGES

# The role that fills each form in a real service comes first; the first role a page shows a form to submits it.
ROLES = [
    Role.DATA_ADMIN,
    Role.TEAM_MANAGER,
    Role.KEYWORKER,
    Role.ASSESSOR,
    Role.PRESCRIBER,
    Role.HARM_REDUCTION_WORKER,
    Role.REFERRER,
]
# A path's text part, filled with each value the page knows instead of the walk's "x".
TEXT_PARTS = {"<slug:section>": list(SECTIONS)}
GENERIC = {message.split("%")[0].strip() for messages in GENERIC_MESSAGES.values() for message in messages}
SMALL_WORDS = {"the", "and", "for", "of", "a", "an", "to", "in", "on", "or", "is", "was", "be", "this", "with", "from"}


@dataclass
class Group:
    label: str = ""
    errors: list = field(default_factory=list)


@dataclass
class Form:
    action: str
    fields: dict = field(default_factory=dict)  # name -> (kind, value)
    visible: int = 0


class Page(HTMLParser):
    """The parts of a page the walk reads: its POST forms, its error summaries and each form group's label and
    error messages."""

    def __init__(self):
        super().__init__()
        self.forms, self.groups, self.summaries, self.summary_links = [], [], 0, []
        self.heading_after_summary = None
        self._depth, self._group_depth, self._text_into, self._text, self._text_depth = 0, None, None, "", 0
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag not in ("input", "br", "img", "meta", "link", "hr"):
            self._depth += 1
        if "nhsuk-error-summary" in classes:
            self.summaries += 1
        if tag == "h1" and self.heading_after_summary is None:
            self.heading_after_summary = self.summaries > 0
        if tag == "div" and "nhsuk-form-group" in classes and self._group_depth is None:
            self._group_depth = self._depth
            self.groups.append(Group())
        if tag in ("label", "legend") and self._group_depth is not None and not self.groups[-1].label:
            self._start_text("label")
        if tag == "span" and "nhsuk-error-message" in classes and self._group_depth is not None:
            self._start_text("error")
        if tag == "a" and self.summaries and (attrs.get("href") or "").startswith("#") and self._in_summary():
            self._start_text("summary")
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = Form(action=attrs.get("action") or "")
            self.forms.append(self._form)
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("radio", "checkbox") and "checked" not in attrs:
                self._form.fields.setdefault(name, (kind, None))
            else:
                self._form.fields[name] = (kind, attrs.get("value", ""), attrs.get("inputmode"))
            self._form.visible += kind not in ("hidden", "submit")
        elif tag in ("select", "textarea") and name:
            self._form.fields[name] = (tag, "")
            self._form.visible += 1

    def _in_summary(self):
        return self.summaries and not self.heading_after_summary

    def _start_text(self, into):
        self._text_into, self._text, self._text_depth = into, "", self._depth

    def handle_data(self, data):
        if self._text_into:
            self._text += data

    def handle_endtag(self, tag):
        if self._text_into and self._depth == self._text_depth:
            text = " ".join(self._text.replace("Error:", "").split())
            if self._text_into == "label":
                self.groups[-1].label = text
            elif self._text_into == "error":
                self.groups[-1].errors.append(text)
            else:
                self.summary_links.append(text)
            self._text_into = None
        if tag == "form":
            self._form = None
        if tag not in ("input", "br", "img", "meta", "link", "hr"):
            if self._group_depth == self._depth:
                self._group_depth = None
            self._depth -= 1


def _words(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z0-9]+", text.lower()) if word not in SMALL_WORDS}


def _submission(form: Form, csrf: str, *, out_of_range: bool) -> dict:
    data = {"csrfmiddlewaretoken": csrf}
    for name, (kind, value, *rest) in form.fields.items():
        if kind == "hidden":
            data[name] = value
        elif (out_of_range and kind in ("number",)) or (out_of_range and rest and rest[0] == "numeric"):
            data[name] = "99999"
        elif out_of_range and kind == "select":
            data[name] = "999999"
    return data


def _problems(url: str, what: str, body: str) -> list[str]:
    page = Page()
    page.feed(body)
    problems = []
    if page.summaries > 1:
        problems.append(f"{url} ({what}): {page.summaries} error summaries")
    if page.summaries and page.heading_after_summary is False:
        problems.append(f"{url} ({what}): the error summary is below the heading")
    for message in page.summary_links:
        if any(message.startswith(generic) for generic in GENERIC if generic):
            problems.append(f"{url} ({what}): generic message {message!r}")
    for group in page.groups:
        for message in group.errors:
            if not _words(message) & _words(group.label):
                problems.append(f"{url} ({what}): {message!r} does not name its field {group.label!r}")
    return problems


def _urls():
    for route in route_walk.routes():
        if route.path.startswith(("/api/", "/admin/", "/sign-in/")):
            continue
        paths = [route.path]
        for part, values in TEXT_PARTS.items():
            paths = [path.replace(part, value) for path in paths for value in values] if part in route.path else paths
        yield from (route_walk.fill(path, route_walk.IN_SCOPE) for path in paths)


def _records_with_forms():
    """Beyond the route walk's data set: the in-scope episode's assessment, recovery plan and modality, with the
    same primary key, so their forms are walked too."""
    from assessment.factories import AssessmentFactory
    from recovery_plans.factories import ModalityFactory, PlanVersionFactory, RecoveryPlanFactory
    from referrals.models import Episode

    episode = Episode.objects.get(pk=route_walk.IN_SCOPE)
    AssessmentFactory(pk=route_walk.IN_SCOPE, episode=episode)
    PlanVersionFactory(pk=route_walk.IN_SCOPE, plan=RecoveryPlanFactory(episode=episode))
    ModalityFactory(pk=route_walk.IN_SCOPE, episode=episode)


def _form_pages(clients):
    """(url, role, client, page) for each page a role gets a form with questions on."""
    for url in _urls():
        for role in ROLES:
            response = clients[role].get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            page = Page()
            page.feed(response.content.decode())
            if any(form.visible for form in page.forms):
                yield url, role, clients[role], page
                break


def test_every_form_names_the_field_of_each_message(db):
    problems, walked = [], []
    with transaction.atomic():
        users, _people, _treatment_detail = route_walk._data_set()
        _records_with_forms()
        clients = {role: route_walk._signed_in(users[role]) for role in ROLES}
        for url, role, client, page in _form_pages(clients):
            for form in (form for form in page.forms if form.visible):
                action = urljoin(url, form.action) if form.action else url
                csrf = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
                for out_of_range in (False, True):
                    with transaction.atomic():
                        response = client.post(action, _submission(form, csrf, out_of_range=out_of_range))
                        transaction.set_rollback(True)
                    what = f"{role}, {'out of range' if out_of_range else 'empty'}"
                    if response.status_code >= 500:
                        problems.append(f"{action} ({what}): {response.status_code}")
                    elif response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
                        problems += _problems(action, what, response.content.decode())
                walked.append(action)
        transaction.set_rollback(True)
    # The walk reaches the forms staff fill most (a guard against a walk that silently finds nothing).
    assert len(walked) > 40, walked
    assert problems == []


def test_the_parser_reads_a_message_that_does_not_name_its_field():
    body = (
        '<div class="nhsuk-form-group"><label class="nhsuk-label" for="id_days">Alcohol drinking days</label>'
        '<span class="nhsuk-error-message" id="id_days_error">This field is required.</span></div>'
    )
    assert _problems("/x/", "empty", body) == [
        "/x/ (empty): 'This field is required.' does not name its field 'Alcohol drinking days'"
    ]
