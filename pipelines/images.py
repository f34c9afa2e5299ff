"""Still images for the image operations (DetectLabels, DetectFaces, IndexFaces ...): bytes -> upright RGB.

Pixel budget. A few kilobytes of PNG can describe a picture of 100 million pixels (a 77 KB PNG of 8900x8900
decodes to 240 MB of RGB, and took ~1 GB with the copies made on the way), so the size is checked before
anything is decoded: Pillow's ``Image.open`` reads only the header. A picture of more than ``max_pixels``
pixels (the ``VIDREK_IMAGE_MAX_PIXELS`` setting) is

* a JPEG: decoded at 1/2, 1/4 or 1/8 of its size by the JPEG decoder itself (DCT scaling: the full-size
  picture never exists in memory), the first scale that fits the budget. Rekognition's answers are
  ratios of the picture's size, so boxes and landmarks stay where they are; only detail is lost.
* anything else (PNG): refused with ``ImageTooLargeException`` (:class:`ImageTooLarge`), which
  Rekognition documents for an image whose "size or resolution exceeds the allowed limit".

Independently of the budget, a side longer than :data:`MAX_SIDE` pixels (Rekognition's documented limit for
DetectLabels and DetectModerationLabels) is refused, and Pillow's own decompression-bomb guard
(``Image.MAX_IMAGE_PIXELS``) is set to the same bound for every image this process opens.

Memory per decoded image: about ``max_pixels`` x 3 bytes for the RGB array plus, while it is made, one
decoded copy (3-4 bytes per pixel): ~150-250 MB at the default 25 million pixels.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from pipelines.detection import RGBImage
from pipelines.errors import InvalidInput

#: Formats Rekognition's image operations accept.
SUPPORTED_FORMATS = ("JPEG", "PNG")

#: Longest side accepted, in pixels (Rekognition: "The maximum image dimensions for DetectLabels is 10K
#: pixels for both width and height").
MAX_SIDE = 10_000

#: Default pixel budget (width x height) of a decoded picture: a 6000x4000 photo is decoded at full size.
DEFAULT_MAX_PIXELS = 25_000_000

#: JPEG DCT scaling factors the decoder offers, smallest reduction first.
_JPEG_SCALES = (1, 2, 4, 8)

# Pillow's decompression-bomb guard, for every image opened in this process: a warning above this many
# pixels (an error in decode_image) and DecompressionBombError above twice as many.
Image.MAX_IMAGE_PIXELS = MAX_SIDE * MAX_SIDE


class ImageDecodeError(InvalidInput):
    """The bytes are not a JPEG or PNG image that can be decoded; the message says why."""

    wire_error = "InvalidImageFormatException"


class ImageTooLarge(InvalidInput):
    """The picture has more pixels than may be decoded (the message gives its size and the limit)."""

    wire_error = "ImageTooLargeException"


@dataclass(frozen=True, eq=False)
class DecodedImage:
    """An upright RGB picture: EXIF orientation is applied, as Rekognition does for its boxes.

    ``scale`` is the JPEG decoder's reduction (1: full size; 2, 4, 8: the picture was larger than the
    pixel budget and ``rgb`` is that many times smaller on each side).
    """

    rgb: RGBImage
    format: str
    scale: int = 1

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])


def jpeg_scale(width: int, height: int, max_pixels: int) -> int | None:
    """The smallest JPEG reduction (1, 2, 4 or 8) that brings ``width`` x ``height`` within ``max_pixels``;
    None when even 1/8 does not."""
    for scale in _JPEG_SCALES:
        if math.ceil(width / scale) * math.ceil(height / scale) <= max_pixels:
            return scale
    return None


def decode_image(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> DecodedImage:
    """Decode JPEG or PNG ``data`` to upright RGB within the pixel budget (module docstring).

    Raises :class:`ImageDecodeError` (not a JPEG/PNG, corrupt) or :class:`ImageTooLarge`.
    """
    if not data:
        raise ImageDecodeError("The image is empty (0 bytes).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            if image.format not in SUPPORTED_FORMATS:
                raise ImageDecodeError(
                    f"Request has invalid image format: {image.format or 'unknown'}; use JPEG or PNG."
                )
            image_format = str(image.format)
            scale = _scale_within_budget(image, max_pixels)
            if scale > 1:
                image.draft(image.mode, (image.width // scale, image.height // scale))
            image.load()
            ImageOps.exif_transpose(image, in_place=True)
            if image.mode != "RGB":
                image = image.convert("RGB")
            # One copy into the array (no intermediate copies of a large picture).
            rgb = np.asarray(image, dtype=np.uint8)
            image.close()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as err:
        raise ImageTooLarge(
            f"Image size is too large: its resolution exceeds the limit of {MAX_SIDE}x{MAX_SIDE} pixels."
        ) from err
    except UnidentifiedImageError as err:
        raise ImageDecodeError(
            "Request has invalid image format: the bytes are not a JPEG or PNG image."
        ) from err
    except (OSError, SyntaxError, ValueError) as err:
        raise ImageDecodeError(f"Request has invalid image format: the image is corrupt ({err}).") from err
    return DecodedImage(rgb=np.ascontiguousarray(rgb), format=image_format, scale=scale)


def _scale_within_budget(image: Image.Image, max_pixels: int) -> int:
    """How much the decoder must reduce ``image`` (only its header read so far) to fit the budget."""
    width, height = image.size
    if width > MAX_SIDE or height > MAX_SIDE:
        raise ImageTooLarge(
            f"Image size is too large: {width}x{height} pixels; the longest side may be {MAX_SIDE} pixels."
        )
    if width * height <= max_pixels:
        return 1
    scale = jpeg_scale(width, height, max_pixels) if image.format == "JPEG" else None
    if scale is None:
        raise ImageTooLarge(
            f"Image size is too large: {width}x{height} = {width * height} pixels, more than the "
            f"{max_pixels} this server decodes (VIDREK_IMAGE_MAX_PIXELS). Send a smaller picture, or a JPEG."
        )
    return scale
