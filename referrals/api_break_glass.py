"""Break-glass through the API: the same service, rules and audit as the page."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from referrals.services import break_glass


class BreakGlassRequestSerializer(serializers.Serializer):
    client_id = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    nhs_number = serializers.CharField(max_length=14, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=2000)


class BreakGlassAccessSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id", help_text="Open it at /api/v1/people/{person}/.")
    granted_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class BreakGlassView(APIView):
    """Emergency access to a person outside one's scope, for a stated reason, for a few hours."""

    @extend_schema(request=BreakGlassRequestSerializer, responses={201: BreakGlassAccessSerializer})
    def post(self, request):
        if not break_glass.may_break_glass(request.user):
            raise PermissionDenied
        serializer = BreakGlassRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        person = break_glass.find_person(client_id=data["client_id"], nhs_number_value=data["nhs_number"])
        access = break_glass.break_glass_open(actor=request.user, person=person, reason=data["reason"])
        return Response(BreakGlassAccessSerializer(access).data, status=status.HTTP_201_CREATED)
