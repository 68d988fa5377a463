"""`/api/v1/search/?q=`: the header's search box for API clients, with the page's scope, paging and audit."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView

from core import audit
from referrals import search
from referrals.models import Person
from referrals.views_search import may_search


class PersonFoundSerializer(serializers.ModelSerializer):
    likeness = serializers.FloatField(help_text="How alike the name is (0 to 1 a word); exact identifiers 1.")
    latest_episode_id = serializers.CharField(
        allow_null=True, help_text="EPISODID of the latest referral you may read."
    )
    latest_team = serializers.CharField(allow_null=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "client_id",
            "given_name",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "nhs_number",
            "likeness",
            "latest_episode_id",
            "latest_team",
        ]
        read_only_fields = fields


class PersonSearchView(GenericAPIView):
    """People you may open matching `q`, likest first; open one at /api/v1/people/{id}/."""

    serializer_class = PersonFoundSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                str,
                required=True,
                description="A name (fuzzy), date of birth (12/03/1985), client ID, NHS number or episode ID.",
            )
        ]
    )
    def get(self, request):
        if not may_search(request.user):
            raise PermissionDenied
        query = request.query_params.get("q", "")
        people = search.with_latest_referral(search.search_people(request.user, query), request.user)
        page = self.paginate_queryset(people)
        audit.audit_search(request, Person, query, page, page=request.query_params.get("page", "1"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
