"""IMAGE_PROPERTIES on synthetic images with known answers and on real photos (pipelines.image_properties)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import skimage.color
import skimage.data
from PIL import Image, ImageColor, ImageFilter

from pipelines.detection import RGBImage
from pipelines.geometry import BoundingBox
from pipelines.image_properties.colors import CSS_COLORS, SIMPLIFIED_COLORS, nearest_css_colors
from pipelines.image_properties.lab import srgb_to_lab
from pipelines.image_properties.properties import box_colors, image_properties
from pipelines.image_properties.quality import MeasuredImage, image_quality
from pipelines.image_properties.results import image_properties_item

RED = (255, 0, 0)
BLUE = (0, 0, 255)
#: The centre quarter of an image.
CENTRE = BoundingBox(left=0.25, top=0.25, width=0.5, height=0.5)


def astronaut() -> RGBImage:
    """scikit-image's astronaut photo, 512 x 512."""
    return np.asarray(skimage.data.astronaut(), dtype=np.uint8)  # type: ignore[no-untyped-call]


def coffee() -> RGBImage:
    """scikit-image's cup of coffee on a wooden table, 400 x 600."""
    return np.asarray(skimage.data.coffee(), dtype=np.uint8)  # type: ignore[no-untyped-call]


def flat(color: tuple[int, int, int], size: tuple[int, int] = (80, 100)) -> RGBImage:
    """A (height, width) image of one colour; 100 pixels wide, so colours are taken without shrinking."""
    return np.full((*size, 3), color, dtype=np.uint8)


def half_red_half_blue() -> RGBImage:
    image = flat(RED)
    image[:, 50:] = BLUE
    return image


def square_on_background(inside: tuple[int, int, int], outside: tuple[int, int, int]) -> RGBImage:
    """``outside`` with the :data:`CENTRE` quarter painted ``inside``."""
    image = flat(outside)
    image[20:60, 25:75] = inside
    return image


def blurred(rgb: RGBImage, radius: float) -> RGBImage:
    return np.array(Image.fromarray(rgb).filter(ImageFilter.GaussianBlur(radius)))


def sharpness_of(rgb: RGBImage) -> float:
    return image_quality(MeasuredImage.of(rgb)).sharpness


def photos(shared_media: Path) -> dict[str, RGBImage]:
    found = {"astronaut": astronaut(), "coffee": coffee()}
    for path in sorted((shared_media / "images").glob("*.jpg")):
        found[path.name] = np.asarray(Image.open(path).convert("RGB"))
    return found


# --- dominant colours ------------------------------------------------------------------------------


def test_half_red_half_blue_has_two_dominant_colours_of_half_the_pixels_each() -> None:
    colors = image_properties(half_red_half_blue(), []).dominant_colors
    assert {c.color.css_name for c in colors} == {"red", "blue"}
    assert {c.color.simplified for c in colors} == {"red", "blue"}
    assert [c.pixel_percent for c in colors] == pytest.approx([50.0, 50.0], abs=1.0)
    by_name = {c.color.css_name: c.color for c in colors}
    assert (by_name["red"].red, by_name["red"].green, by_name["red"].blue) == RED
    assert by_name["blue"].hex_code == "#0000ff"


def test_colours_come_most_frequent_first_and_max_colours_keeps_the_first() -> None:
    image = flat((0, 128, 0))  # green, 3/4 of the pixels
    image[:20] = (255, 255, 0)  # yellow, the top quarter
    colors = image_properties(image, []).dominant_colors
    assert [(c.color.css_name, round(c.pixel_percent)) for c in colors] == [("green", 75), ("yellow", 25)]
    photo = astronaut()
    ten = image_properties(photo, []).dominant_colors
    three = image_properties(photo, [], max_colors=3).dominant_colors
    assert len(ten) == 10
    assert three == ten[:3]
    assert image_properties(photo, [], max_colors=0).dominant_colors == ()
    percents = [c.pixel_percent for c in ten]
    assert percents == sorted(percents, reverse=True) and sum(percents) <= 100.0 + 1e-9


def test_nearly_pure_colours_are_named_by_the_nearest_css_colour() -> None:
    named = nearest_css_colors(srgb_to_lab(np.array([(250, 5, 5), (0, 0, 120), (250, 250, 250), (3, 3, 3)])))
    assert [c.css_name for c in named] == ["red", "navy", "white", "black"]
    assert [c.simplified for c in named] == ["red", "blue", "white", "black"]


def test_photo_colours_are_plausible_and_the_same_every_time() -> None:
    photo = coffee()  # a cup of coffee on a brown wooden table
    first = image_properties(photo, [])
    assert first == image_properties(photo, [])
    simplified = [c.color.simplified for c in first.dominant_colors[:3]]
    assert simplified.count("brown") >= 2, simplified


def test_the_css_table_is_css3_with_one_name_per_colour_in_twelve_simplified_colours() -> None:
    pillow = {name: ImageColor.getrgb(name) for name in ImageColor.colormap}
    for color in CSS_COLORS:
        assert pillow[color.css_name] == (color.red, color.green, color.blue), color.css_name
    ours = {(c.red, c.green, c.blue) for c in CSS_COLORS}
    assert len(ours) == len(CSS_COLORS) == 138
    assert {rgb for name, rgb in pillow.items() if name != "rebeccapurple"} == ours
    assert len(SIMPLIFIED_COLORS) == 12 and {c.simplified for c in CSS_COLORS} == set(SIMPLIFIED_COLORS)
    # the spellings AWS answers with
    names = {c.css_name for c in CSS_COLORS}
    assert {"darkslategrey", "dimgrey", "gray", "cyan", "magenta"} <= names
    assert not {"darkslategray", "dimgray", "grey", "aqua", "fuchsia"} & names


def test_lab_conversion_agrees_with_scikit_image() -> None:
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, size=(500, 3), dtype=np.uint8)
    expected = skimage.color.rgb2lab(rgb[None].astype(np.float64) / 255.0)[0]
    assert srgb_to_lab(rgb) == pytest.approx(expected, abs=0.05)


# --- quality ---------------------------------------------------------------------------------------


def test_a_flat_grey_image_is_not_sharp_and_has_no_contrast() -> None:
    quality = image_quality(MeasuredImage.of(flat((128, 128, 128))))
    assert quality.sharpness == pytest.approx(0.0, abs=1e-6)
    assert quality.contrast == pytest.approx(0.0, abs=1e-6)
    assert quality.brightness == pytest.approx(50.2, abs=0.1)


def test_brightness_and_contrast_span_0_to_100() -> None:
    assert image_quality(MeasuredImage.of(flat((0, 0, 0)))).brightness == pytest.approx(0.0)
    assert image_quality(MeasuredImage.of(flat((255, 255, 255)))).brightness == pytest.approx(100.0)
    half_black = flat((255, 255, 255))
    half_black[:, :50] = 0
    quality = image_quality(MeasuredImage.of(half_black))
    assert quality.contrast == pytest.approx(100.0)
    assert quality.brightness == pytest.approx(50.0)
    photo = astronaut()
    darker = (photo * 0.5).astype(np.uint8)
    assert (
        image_quality(MeasuredImage.of(darker)).brightness < image_quality(MeasuredImage.of(photo)).brightness
    )


def test_a_blurred_photo_is_less_sharp_than_the_original(shared_media: Path) -> None:
    for name, photo in photos(shared_media).items():
        original = sharpness_of(photo)
        slightly, strongly = sharpness_of(blurred(photo, 1.5)), sharpness_of(blurred(photo, 4.0))
        assert 50.0 < original <= 100.0, name
        assert strongly < slightly < original - 10.0, (name, original, slightly, strongly)


def test_quality_values_are_percentages_on_real_photos(shared_media: Path) -> None:
    for name, photo in photos(shared_media).items():
        item = image_properties_item(image_properties(photo, [CENTRE]))
        for part in (item, item["Foreground"], item["Background"]):
            assert all(0.0 <= value <= 100.0 for value in part["Quality"].values()), name


def test_a_large_image_is_measured_box_averaged_to_at_most_1024_pixels() -> None:
    photo = coffee()  # 400 x 600; twice that is measured after 2 x 2 box averaging
    doubled = np.asarray(Image.fromarray(photo).resize((1200, 800), Image.Resampling.NEAREST))
    assert MeasuredImage.of(doubled).shape == (400, 600)
    assert sharpness_of(doubled) == pytest.approx(sharpness_of(photo), abs=1e-3)


# --- foreground, background, instances ------------------------------------------------------------


def test_foreground_is_the_union_of_the_boxes_and_background_the_rest() -> None:
    image = square_on_background(RED, BLUE)
    properties = image_properties(image, [CENTRE])
    assert properties.foreground is not None and properties.background is not None
    assert [(c.color.css_name, round(c.pixel_percent)) for c in properties.foreground.dominant_colors] == [
        ("red", 100)
    ]
    assert [(c.color.css_name, round(c.pixel_percent)) for c in properties.background.dominant_colors] == [
        ("blue", 100)
    ]
    assert [c.color.css_name for c in properties.dominant_colors] == ["blue", "red"]  # 3/4 and 1/4


def test_foreground_and_background_have_their_own_brightness_and_sharpness() -> None:
    photo = astronaut()
    image = blurred(photo, 5.0)
    image[128:384, 128:384] = photo[128:384, 128:384]  # a sharp centre on a blurred surround
    image[:, :100] = 255  # and a white band in the background
    properties = image_properties(image, [CENTRE])
    assert properties.foreground is not None and properties.background is not None
    foreground, background = properties.foreground.quality, properties.background.quality
    assert foreground.sharpness > background.sharpness + 10.0
    assert background.brightness > foreground.brightness
    assert foreground.contrast is None and background.contrast is None


def test_with_nothing_detected_there_is_no_foreground_and_the_background_is_the_whole_image() -> None:
    image = half_red_half_blue()
    properties = image_properties(image, [])
    assert properties.foreground is None
    assert properties.background is not None
    assert properties.background.dominant_colors == properties.dominant_colors
    whole = image_properties(image, [BoundingBox(0.0, 0.0, 1.0, 1.0)])
    assert whole.background is None and whole.foreground is not None


def test_an_instance_box_has_the_colours_inside_it() -> None:
    image = square_on_background(RED, BLUE)
    assert [(c.color.css_name, round(c.pixel_percent)) for c in box_colors(image, CENTRE)] == [("red", 100)]
    left_half = BoundingBox(0.0, 0.0, 0.5, 1.0)
    colors = box_colors(half_red_half_blue(), left_half, max_colors=3)
    assert [c.color.css_name for c in colors] == ["red"]
    assert box_colors(image, BoundingBox(0.5, 0.5, 0.0, 0.0)) == ()


# --- Rekognition JSON ------------------------------------------------------------------------------


def test_the_json_has_aws_shape() -> None:
    item = image_properties_item(image_properties(square_on_background(RED, BLUE), [CENTRE], max_colors=3))
    assert set(item) == {"Quality", "DominantColors", "Foreground", "Background"}
    assert set(item["Quality"]) == {"Brightness", "Sharpness", "Contrast"}
    for part in ("Foreground", "Background"):
        assert set(item[part]) == {"Quality", "DominantColors"}
        assert set(item[part]["Quality"]) == {"Brightness", "Sharpness"}
    for color in item["DominantColors"]:
        assert set(color) == {
            "Red",
            "Green",
            "Blue",
            "HexCode",
            "CSSColor",
            "SimplifiedColor",
            "PixelPercent",
        }
        assert all(isinstance(color[c], int) for c in ("Red", "Green", "Blue"))
        assert re.fullmatch(r"#[0-9a-f]{6}", color["HexCode"])
        assert color["HexCode"] == "#{:02x}{:02x}{:02x}".format(color["Red"], color["Green"], color["Blue"])
    assert "Foreground" not in image_properties_item(image_properties(flat((90, 120, 150)), []))
