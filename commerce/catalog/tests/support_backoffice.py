"""Helpers shared by the back-office catalogue tests (fixtures are imported by each module)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image

from conftest import TEST_PASSWORD
from sso.services import user_create


def staff(tenant, role: str, email: str):
    with schema_context(tenant.schema):
        return user_create(
            actor=None,
            email=email,
            full_name=role.title(),
            password=TEST_PASSWORD,
            kind="staff",
            staff_role=role,
        )


def client_for(tenant, user):
    client = tenant.client()
    with schema_context(tenant.schema):
        client.force_login(user)
    return client


def picture(width=640, height=480, fmt="PNG", name=None) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#7a1f5c").save(buffer, format=fmt)
    return SimpleUploadedFile(name or f"photo.{fmt.lower()}", buffer.getvalue())


def csv_file(text: str, name: str = "upload.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
