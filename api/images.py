"""The ``Image`` member of image operations: bytes or an S3 object, to a decoded upright picture."""

from __future__ import annotations

import binascii
from collections.abc import Mapping
from typing import Any

from api.context import ServiceContext
from api.errors import InvalidParameterException
from api.validation import decode_blob
from pipelines.images import DecodedImage, decode_image
from workers.sources import S3ObjectRef

#: Rekognition's limits: 5 MB for image bytes in the request, 15 MB for an image in S3.
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_S3_IMAGE_BYTES = 15 * 1024 * 1024


def load_image(ctx: ServiceContext, image: Mapping[str, Any], member: str = "Image") -> DecodedImage:
    """Read and decode an ``Image`` member (exactly one of ``Bytes`` and ``S3Object``, as Rekognition
    requires). An unreadable object (SourceError) or picture (ImageDecodeError, ImageTooLarge: see the
    pixel budget of :mod:`pipelines.images`) propagates as the error Rekognition gives for it."""
    if "Bytes" in image and "S3Object" in image:
        raise InvalidParameterException(f"{member} must have either Bytes or S3Object, not both.")
    if "Bytes" in image:
        try:
            data = decode_blob(image["Bytes"])
        except (binascii.Error, TypeError) as err:
            raise InvalidParameterException(f"{member}.Bytes is not valid base64.") from err
    elif "S3Object" in image:
        ref = S3ObjectRef.from_request(image, member=member)
        data = ctx.sources.read_bytes(ref, MAX_S3_IMAGE_BYTES, "ImageTooLargeException")
    else:
        raise InvalidParameterException(f"{member} needs Bytes or S3Object.")
    return decode_image(data, ctx.settings.image_max_pixels)
