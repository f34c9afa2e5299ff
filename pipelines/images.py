"""Still images for the image operations (DetectLabels, DetectFaces, IndexFaces ...): bytes -> upright RGB."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from pipelines.detection import RGBImage
from pipelines.errors import InvalidInput

#: Formats Rekognition's image operations accept.
SUPPORTED_FORMATS = ("JPEG", "PNG")

#: Largest picture decoded, in pixels (width x height). Rekognition documents no pixel limit, but a
#: 5 MB PNG can hold a decompression bomb; above this the image is refused as invalid.
MAX_PIXELS = 80_000_000


class ImageDecodeError(InvalidInput):
    """The bytes are not a JPEG or PNG image that can be decoded; the message says why."""

    wire_error = "InvalidImageFormatException"


@dataclass(frozen=True, eq=False)
class DecodedImage:
    """An upright RGB picture: EXIF orientation is applied, as Rekognition does for its boxes."""

    rgb: RGBImage
    format: str

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])


def decode_image(data: bytes) -> DecodedImage:
    if not data:
        raise ImageDecodeError("The image is empty (0 bytes).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in SUPPORTED_FORMATS:
                raise ImageDecodeError(
                    f"Request has invalid image format: {image.format or 'unknown'}; use JPEG or PNG."
                )
            if image.width * image.height > MAX_PIXELS:
                raise ImageDecodeError(
                    f"The image has {image.width}x{image.height} pixels, too many to decode."
                )
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError) as err:
        raise ImageDecodeError(
            "Request has invalid image format: the bytes are not a JPEG or PNG image."
        ) from err
    except (OSError, SyntaxError, ValueError) as err:
        raise ImageDecodeError(f"Request has invalid image format: the image is corrupt ({err}).") from err
    rgb = np.ascontiguousarray(np.asarray(upright.convert("RGB"), dtype=np.uint8))
    return DecodedImage(rgb=rgb, format=str(image.format))
