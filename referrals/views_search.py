"""The search page behind the header's search box: every role that sees people, never a commissioner."""

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from core import audit
from core.errors import DomainError
from core.forms import add_domain_error
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
    page, search_query = None, ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        try:
            people = search.search_people(request.user, query)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            page = Paginator(search.with_latest_referral(people, request.user), SEARCH_PAGE_SIZE).get_page(
                request.GET.get("page")
            )
            audit.audit_search(request, Person, query, page.object_list, page=page.number)
            search_query = urlencode({"q": query})
    return render(request, "referrals/search.html", {"form": form, "page": page, "search_query": search_query})
