"""The search page behind the header's search box: every role that sees people, never a commissioner."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from core import audit
from core.errors import DomainError
from core.forms import add_domain_error
from core.pagination import paginate
from core.visibility import scope_for
from referrals import search
from referrals.models import Person

SEARCH_PAGE_SIZE = 25


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Find a person",
        max_length=search.MAX_QUERY_LENGTH,
        help_text="A name (a misspelt one is fine), date of birth, client ID, NHS number or episode ID",
        error_messages={"required": search.NOTHING_TO_SEARCH},
    )


def may_search(user) -> bool:
    return scope_for(user).identifiable


@login_required
def person_search(request):
    if not may_search(request.user):
        raise PermissionDenied
    form = SearchForm(request.GET if "q" in request.GET else None)
    page = None
    if form.is_valid():
        query = form.cleaned_data["q"]
        try:
            people = search.search_people(request.user, query)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            # Offset pages: the order is likeness, and few look past the first page of a search.
            page = paginate(request, search.with_latest_referral(people, request.user), page_size=SEARCH_PAGE_SIZE)
            audit.audit_search(request, Person, query, page.rows, page=page.number)
    return render(request, "referrals/search.html", {"form": form, "page": page})
