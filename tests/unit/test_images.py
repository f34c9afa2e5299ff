from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipelines.images import MAX_SIDE, ImageDecodeError, ImageTooLarge, decode_image, jpeg_scale


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


# --- the pixel budget ------------------------------------------------------------------------------


def test_pillow_refuses_pictures_beyond_the_largest_side_squared() -> None:
    assert Image.MAX_IMAGE_PIXELS == MAX_SIDE * MAX_SIDE


def test_a_png_over_the_budget_is_too_large_before_it_is_decoded() -> None:
    bomb = encode(Image.new("L", (8900, 8900)), "PNG", optimize=True)  # ~80 KB, 79 million pixels
    with pytest.raises(ImageTooLarge, match="8900x8900"):
        decode_image(bomb)
    with pytest.raises(ImageTooLarge, match="2000x2000"):
        decode_image(encode(Image.new("L", (2000, 2000)), "PNG"), max_pixels=1_000_000)


def test_a_side_above_10000_pixels_is_too_large_whatever_the_budget() -> None:
    with pytest.raises(ImageTooLarge, match="10000"):
        decode_image(encode(Image.new("L", (10_001, 10)), "PNG"), max_pixels=100_000_000)


def test_a_jpeg_over_the_budget_is_decoded_smaller_with_its_content_in_place() -> None:
    picture = Image.new("RGB", (4000, 3000), "white")
    picture.paste((255, 0, 0), (0, 0, 2000, 1500))  # the top-left quarter is red
    decoded = decode_image(encode(picture, "JPEG", quality=90), max_pixels=1_000_000)
    assert (decoded.width, decoded.height, decoded.scale) == (1000, 750, 4)
    assert tuple(decoded.rgb[100, 100]) > (200, 0, 0) and decoded.rgb[100, 100, 1] < 60
    assert decoded.rgb[600, 900].min() > 200  # white where the original is white
    full = decode_image(encode(picture, "JPEG", quality=90), max_pixels=12_000_000)
    assert (full.width, full.height, full.scale) == (4000, 3000, 1)


def test_jpeg_scales_are_the_smallest_reduction_that_fits() -> None:
    assert jpeg_scale(6000, 4000, 25_000_000) == 1
    assert jpeg_scale(8000, 6000, 25_000_000) == 2
    assert jpeg_scale(10_000, 10_000, 2_000_000) == 8
    assert jpeg_scale(10_000, 10_000, 100_000) is None
