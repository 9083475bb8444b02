"""Product pictures: checked with Pillow, stored with a WebP thumbnail under the tenant's prefix,
reordered, deleted; another tenant's host cannot fetch them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image

from audit.models import AuditEntry
from commerce.catalog.models import ProductImage
from commerce.catalog.tests.support_backoffice import picture
from tests.factories import ProductFactory


@pytest.fixture
def product(alpha):
    with schema_context(alpha.schema):
        return ProductFactory(sku="IMG-1")


def upload(client, product, file):
    return client.post(
        f"/backoffice/catalogue/products/{product.public_id}/images",
        {"image": file, "alt_text": "Front"},
    )


def test_upload_stores_picture_and_thumbnail_under_the_tenant_prefix(
    alpha, beta, admin_client, product, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    response = upload(admin_client, product, picture(1200, 800))
    assert response.status_code == 302
    with schema_context(alpha.schema):
        image = ProductImage.objects.get(product=product)
        assert image.image.name.startswith(f"tenants/t_alpha/catalog/{product.public_id}/")
        assert image.image.name.endswith(".png")
        assert image.thumbnail.name.startswith(f"tenants/t_alpha/catalog/{product.public_id}/")
        assert image.thumbnail.name.endswith(".webp")
        assert (image.alt_text, image.position) == ("Front", 1)
        assert AuditEntry.objects.filter(action="catalog.image_added").count() == 1
    with Image.open(tmp_path / image.thumbnail.name) as thumb:
        assert (thumb.format, thumb.size) == ("WEBP", (320, 213))
    own = alpha.client().get(f"/media/{image.thumbnail.name}")
    assert own.status_code == 200
    assert own["Content-Type"] == "image/webp"
    assert beta.client().get(f"/media/{image.thumbnail.name}").status_code == 404
    assert beta.client().get(f"/media/{image.image.name}").status_code == 404


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (
            SimpleUploadedFile("x.png", b"<svg onload=alert(1)>"),
            "The picture is not a readable image. Upload a PNG, JPEG or WebP file.",
        ),
        (picture(fmt="GIF"), "Product pictures must be PNG, JPEG or WebP; this file is GIF."),
        (
            picture(6100, 70),
            "The picture is 6100×70 pixels; keep each side at most 6000 and the whole under "
            "30 megapixels.",
        ),
        (
            picture(40, 400),
            "The picture is 40×400 pixels; each side needs at least 64 pixels to be useful in "
            "the catalogue.",
        ),
    ],
)
def test_bad_pictures_are_refused(alpha, admin_client, product, tmp_path, settings, file, message):
    settings.MEDIA_ROOT = tmp_path
    response = upload(admin_client, product, file)
    assert response.status_code == 400
    assert response.context["image_form"].errors["image"] == [message]
    with schema_context(alpha.schema):
        assert not ProductImage.objects.exists()
    assert list(tmp_path.rglob("*.*")) == []


def test_reorder_and_delete(
    alpha, admin_client, product, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    for fmt in ("PNG", "JPEG", "WEBP"):
        assert upload(admin_client, product, picture(fmt=fmt)).status_code == 302
    with schema_context(alpha.schema):
        first, second, third = ProductImage.objects.order_by("position")
    admin_client.post(f"/backoffice/catalogue/images/{third.public_id}/move", {"direction": "up"})
    with schema_context(alpha.schema):
        assert list(ProductImage.objects.order_by("position").values_list("pk", flat=True)) == [
            first.pk,
            third.pk,
            second.pk,
        ]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/backoffice/catalogue/images/{first.public_id}/delete")
    assert response.status_code == 302
    assert not (tmp_path / first.image.name).exists()
    assert not (tmp_path / first.thumbnail.name).exists()
    assert (tmp_path / second.image.name).exists()
    with schema_context(alpha.schema):
        assert list(ProductImage.objects.order_by("position").values_list("pk", flat=True)) == [
            third.pk,
            second.pk,
        ]


def test_other_staff_cannot_upload(alpha, validator_client, product, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    assert upload(validator_client, product, picture()).status_code == 403
    with schema_context(alpha.schema):
        assert not ProductImage.objects.exists()
