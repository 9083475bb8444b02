"""Checking uploaded product pictures with Pillow and making their thumbnails."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

from commerce.catalog.errors import ImageError

MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_IMAGE_SIDE = 6000
MIN_IMAGE_SIDE = 64
MAX_IMAGE_PIXELS = 30_000_000
THUMBNAIL_SIDE = 320
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


@dataclass(frozen=True)
class CheckedImage:
    extension: str
    width: int
    height: int


def check_image(upload: UploadedFile) -> CheckedImage:
    """Refuse anything that is not a PNG, JPEG or WebP picture of sensible size."""
    if upload.size is not None and upload.size > MAX_IMAGE_BYTES:
        raise ImageError(
            "image_too_large",
            f"The picture is {upload.size / 1024 / 1024:.1f} MB; upload one of at most 8 MB.",
            field="image",
        )
    try:
        with Image.open(upload) as image:
            fmt = image.format or ""
            width, height = image.size
            if width * height <= MAX_IMAGE_PIXELS:
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ImageError(
            "image_unreadable",
            "The picture is not a readable image. Upload a PNG, JPEG or WebP file.",
            field="image",
        ) from exc
    finally:
        upload.seek(0)
    if fmt not in IMAGE_FORMATS:
        raise ImageError(
            "image_format",
            "Product pictures must be PNG, JPEG or WebP; "
            f"this file is {fmt or 'of an unknown type'}.",
            field="image",
        )
    if max(width, height) > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
        raise ImageError(
            "image_dimensions",
            f"The picture is {width}×{height} pixels; keep each side at most {MAX_IMAGE_SIDE} "
            f"and the whole under {MAX_IMAGE_PIXELS // 1_000_000} megapixels.",
            field="image",
        )
    if min(width, height) < MIN_IMAGE_SIDE:
        raise ImageError(
            "image_too_small",
            f"The picture is {width}×{height} pixels; each side needs at least "
            f"{MIN_IMAGE_SIDE} pixels to be useful in the catalogue.",
            field="image",
        )
    return CheckedImage(IMAGE_FORMATS[fmt], width, height)


def make_thumbnail(upload: UploadedFile) -> ContentFile[bytes]:
    """A WebP at most ``THUMBNAIL_SIDE`` pixels on its longer side (EXIF rotation applied)."""
    upload.seek(0)
    with Image.open(upload) as image:
        picture = ImageOps.exif_transpose(image) or image
        picture = picture.convert("RGBA" if "A" in picture.getbands() else "RGB")
        picture.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        buffer = io.BytesIO()
        picture.save(buffer, format="WEBP", quality=82, method=4)
    upload.seek(0)
    return ContentFile(buffer.getvalue(), name="thumb.webp")
