from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipelines.images import ImageDecodeError, decode_image


def encode(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def test_real_jpeg_decodes_to_rgb(shared_media: Path) -> None:
    decoded = decode_image((shared_media / "images" / "dog.jpg").read_bytes())
    assert decoded.format == "JPEG"
    assert (decoded.width, decoded.height) == (768, 576)
    assert decoded.rgb.dtype == np.uint8 and decoded.rgb.shape == (576, 768, 3)


def test_exif_orientation_is_applied() -> None:
    image = Image.new("RGB", (40, 20), "white")
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    decoded = decode_image(encode(image, "JPEG", exif=exif))
    assert (decoded.width, decoded.height) == (20, 40)


def test_png_with_alpha_becomes_rgb() -> None:
    decoded = decode_image(encode(Image.new("RGBA", (10, 10), (255, 0, 0, 128)), "PNG"))
    assert decoded.format == "PNG" and decoded.rgb.shape == (10, 10, 3)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"this is text, not an image", "invalid image format"),
        (encode(Image.new("RGB", (10, 10)), "GIF"), "GIF"),
        (encode(Image.new("RGB", (64, 64)), "JPEG")[:200], "corrupt"),
    ],
)
def test_bad_images_are_refused_with_a_reason(data: bytes, words: str) -> None:
    with pytest.raises(ImageDecodeError, match=words):
        decode_image(data)
