"""API views: parse, call a selector or service, serialise. Nothing else."""

from __future__ import annotations

from typing import cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.models import ApiKey
from api.permissions import HasScope
from sso.models import User


class MeOutput(serializers.Serializer):
    id = serializers.UUIDField(help_text="The user's public id.")
    email = serializers.EmailField()
    full_name = serializers.CharField()
    kind = serializers.CharField(help_text="staff or buyer")
    staff_role = serializers.CharField(allow_blank=True)
    auth = serializers.ChoiceField(choices=["session", "api_key"])
    api_key = serializers.DictField(required=False, help_text="The key in use, if any.")
    portal = serializers.DictField()


class MeView(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    required_scope = "read"

    @extend_schema(
        operation_id="me_retrieve",
        summary="Who am I",
        description="The user (or the API key's owner) making this request, and the portal.",
        responses=MeOutput,
    )
    def get(self, request: Request) -> Response:
        user = cast(User, request.user)
        tenant = request.tenant  # type: ignore[attr-defined]
        data = {
            "id": user.public_id,
            "email": user.email,
            "full_name": user.full_name,
            "kind": user.kind,
            "staff_role": user.staff_role,
            "auth": "api_key" if isinstance(request.auth, ApiKey) else "session",
            "portal": {"name": tenant.name, "domain": tenant.primary_domain},
        }
        if isinstance(request.auth, ApiKey):
            data["api_key"] = {
                "name": request.auth.name,
                "prefix": request.auth.prefix,
                "scopes": request.auth.scopes,
            }
        return Response(MeOutput(data).data)
