"""Sharing a record through the API: the same service, rules and audit as the pages."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import AuditedReadMixin
from referrals.models import Person, RecordShare
from referrals.roles import SHARE_RECIPIENT_ROLES
from referrals.services import sharing


class RecordShareSerializer(serializers.ModelSerializer):
    client_id = serializers.CharField(source="person.client_id", read_only=True)
    worker_username = serializers.CharField(source="worker.username", read_only=True)
    shared_by_username = serializers.CharField(source="shared_by.username", read_only=True)

    class Meta:
        model = RecordShare
        fields = [
            "id",
            "person",
            "client_id",
            "worker",
            "worker_username",
            "shared_by_username",
            "team",
            "reason",
            "starts_on",
            "ends_on",
            "ended_on",
            "end_reason",
        ]
        read_only_fields = fields


class RecordShareCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="ID of a person your team works with.")
    worker = serializers.IntegerField(help_text="ID of the worker outside your team to share with.")
    reason = serializers.CharField(max_length=2000)
    ends_on = serializers.DateField(help_text="Last day the worker can open the record (inclusive).")


class MayHoldOrListShares(permissions.BasePermission):
    """The page's rule: managers and data admins list shares, the roles that can receive one list theirs."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user.is_authenticated and (sharing.may_list_shares(user) or user.has_role(*SHARE_RECIPIENT_ROLES)))


class RecordShareViewSet(AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Records shared with a worker outside the team. A team manager lists their teams' shares and a data admin
    every share; anyone else lists the live shares made to them."""

    queryset = RecordShare.objects.none()  # names the model for the schema; get_queryset scopes the rows
    serializer_class = RecordShareSerializer
    permission_classes = [MayHoldOrListShares]
    keyset_ordering = ("-created_at", "-pk")

    def get_queryset(self):
        user = self.request.user
        if sharing.may_list_shares(user):
            return sharing.shares_visible_to(user).order_by("-created_at", "-id")
        return sharing.shares_with(user)

    @extend_schema(request=RecordShareCreateSerializer, responses={201: RecordShareSerializer})
    def create(self, request):
        serializer = RecordShareCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        person = get_object_or_404(Person.objects.visible_to(request.user), pk=data["person"])
        if not sharing.may_share_person(request.user, person):
            raise PermissionDenied("You can share only the records of people your team works with.")
        worker = get_user_model().objects.filter(pk=data["worker"]).first()
        share = sharing.share_record(
            actor=request.user, person=person, worker=worker, reason=data["reason"], ends_on=data["ends_on"]
        )
        return Response(RecordShareSerializer(share).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RecordShareSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End a live share now (a manager of the sharing team, or a data admin)."""
        share = get_object_or_404(sharing.shares_visible_to(request.user), pk=pk)
        share = sharing.end_share(actor=request.user, share=share)
        return Response(RecordShareSerializer(share).data)
