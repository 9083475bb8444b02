"""Every API error is a JSON body with a code and a message; domain errors become 4xx."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError, NotFound, PermissionDenied


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, NotFound):
        return Response(exc.as_dict(), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        return Response(exc.as_dict(), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=status.HTTP_422_UNPROCESSABLE_ENTITY)
    if isinstance(exc, ValidationError):
        return Response(_validation_body(exc.detail), status=status.HTTP_422_UNPROCESSABLE_ENTITY)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data = {
            "code": getattr(detail, "code", "error"),
            "message": str(detail),
            "field": None,
        }
    return response


def _flatten(detail: Any, field: str = "") -> list[dict[str, str]]:
    if isinstance(detail, dict):
        return [
            p
            for key, value in detail.items()
            for p in _flatten(value, f"{field}.{key}" if field else str(key))
        ]
    if isinstance(detail, list):
        return [p for value in detail for p in _flatten(value, field)]
    return [{"field": "" if field == "non_field_errors" else field, "message": str(detail)}]


def _validation_body(detail: Any) -> dict[str, Any]:
    """A serializer's errors as ``{code, message, field, problems: [{field, message}]}``."""
    problems = _flatten(detail)
    first = problems[0] if problems else {"field": "", "message": "Invalid input."}
    return {
        "code": "invalid",
        "message": first["message"],
        "field": first["field"] or None,
        "problems": problems,
    }
