"""The colour names DetectLabels answers with: CSS named colours and AWS's 12 simplified colour names.

**CSSColor.** The 147 CSS3 colour keywords (CSS Color Module Level 3 / SVG 1.1; CSS4's
``rebeccapurple`` is not among them) name 138 distinct colours: ``aqua``/``cyan`` and
``fuchsia``/``magenta`` are the same colour, and seven greys have a ``gray`` and a ``grey`` spelling.
Each colour is reported under one name, the one AWS answers with in a real DetectLabels response
(``darkslategrey``, ``dimgrey``, ``gray``): the ``grey`` spellings except ``gray`` itself, ``cyan`` and
``magenta`` (the names a reversed, alphabetically built name -> hex table keeps, plus its ``gray``
override). Names are lower case, hex codes ``#rrggbb`` in lower case, as in AWS's answers.

**SimplifiedColor.** AWS documents "one of 12 simplified color names" without publishing the list or
the mapping; its answers show lower-case names (``black``, ``grey``, ``green``, ``red``), with black
apart from grey. vidrek's 12 are the eleven basic colour terms (black, white, grey, red, pink, orange,
yellow, brown, green, blue, purple) plus ``teal`` (the twelfth colour Azure's vision API also reports).
Each CSS colour belongs to one of them by the common grouping of CSS named colours into colour families
(W3Schools' "HTML color groups"), with black taken out of the greys and the cyan family named teal (it
also takes ``teal``, ``darkcyan`` and ``lightseagreen`` from the greens).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pipelines.image_properties.lab import srgb_to_lab

#: The 12 simplified colour names, as AWS spells them (lower case, British "grey").
SIMPLIFIED_COLORS = (
    "black",
    "white",
    "grey",
    "red",
    "pink",
    "orange",
    "yellow",
    "brown",
    "green",
    "teal",
    "blue",
    "purple",
)


@dataclass(frozen=True, slots=True)
class NamedColor:
    """A CSS named colour: its keyword, its sRGB value and the simplified colour it belongs to."""

    css_name: str
    red: int
    green: int
    blue: int
    simplified: str

    @property
    def hex_code(self) -> str:
        """``#rrggbb``, lower case."""
        return f"#{self.red:02x}{self.green:02x}{self.blue:02x}"


_FAMILIES: dict[str, tuple[tuple[str, str], ...]] = {
    "pink": (
        ("pink", "#ffc0cb"),
        ("lightpink", "#ffb6c1"),
        ("hotpink", "#ff69b4"),
        ("deeppink", "#ff1493"),
        ("palevioletred", "#db7093"),
        ("mediumvioletred", "#c71585"),
    ),
    "purple": (
        ("lavender", "#e6e6fa"),
        ("thistle", "#d8bfd8"),
        ("plum", "#dda0dd"),
        ("orchid", "#da70d6"),
        ("violet", "#ee82ee"),
        ("magenta", "#ff00ff"),
        ("mediumorchid", "#ba55d3"),
        ("darkorchid", "#9932cc"),
        ("darkviolet", "#9400d3"),
        ("blueviolet", "#8a2be2"),
        ("darkmagenta", "#8b008b"),
        ("purple", "#800080"),
        ("mediumpurple", "#9370db"),
        ("mediumslateblue", "#7b68ee"),
        ("slateblue", "#6a5acd"),
        ("darkslateblue", "#483d8b"),
        ("indigo", "#4b0082"),
    ),
    "red": (
        ("lightsalmon", "#ffa07a"),
        ("salmon", "#fa8072"),
        ("darksalmon", "#e9967a"),
        ("lightcoral", "#f08080"),
        ("indianred", "#cd5c5c"),
        ("crimson", "#dc143c"),
        ("red", "#ff0000"),
        ("firebrick", "#b22222"),
        ("darkred", "#8b0000"),
    ),
    "orange": (
        ("orange", "#ffa500"),
        ("darkorange", "#ff8c00"),
        ("coral", "#ff7f50"),
        ("tomato", "#ff6347"),
        ("orangered", "#ff4500"),
    ),
    "yellow": (
        ("gold", "#ffd700"),
        ("yellow", "#ffff00"),
        ("lightyellow", "#ffffe0"),
        ("lemonchiffon", "#fffacd"),
        ("lightgoldenrodyellow", "#fafad2"),
        ("papayawhip", "#ffefd5"),
        ("moccasin", "#ffe4b5"),
        ("peachpuff", "#ffdab9"),
        ("palegoldenrod", "#eee8aa"),
        ("khaki", "#f0e68c"),
        ("darkkhaki", "#bdb76b"),
    ),
    "green": (
        ("greenyellow", "#adff2f"),
        ("chartreuse", "#7fff00"),
        ("lawngreen", "#7cfc00"),
        ("lime", "#00ff00"),
        ("limegreen", "#32cd32"),
        ("palegreen", "#98fb98"),
        ("lightgreen", "#90ee90"),
        ("mediumspringgreen", "#00fa9a"),
        ("springgreen", "#00ff7f"),
        ("mediumseagreen", "#3cb371"),
        ("seagreen", "#2e8b57"),
        ("forestgreen", "#228b22"),
        ("green", "#008000"),
        ("darkgreen", "#006400"),
        ("yellowgreen", "#9acd32"),
        ("olivedrab", "#6b8e23"),
        ("darkolivegreen", "#556b2f"),
        ("mediumaquamarine", "#66cdaa"),
        ("darkseagreen", "#8fbc8f"),
    ),
    "teal": (
        ("cyan", "#00ffff"),
        ("lightcyan", "#e0ffff"),
        ("paleturquoise", "#afeeee"),
        ("aquamarine", "#7fffd4"),
        ("turquoise", "#40e0d0"),
        ("mediumturquoise", "#48d1cc"),
        ("darkturquoise", "#00ced1"),
        ("lightseagreen", "#20b2aa"),
        ("darkcyan", "#008b8b"),
        ("teal", "#008080"),
    ),
    "blue": (
        ("cadetblue", "#5f9ea0"),
        ("steelblue", "#4682b4"),
        ("lightsteelblue", "#b0c4de"),
        ("lightblue", "#add8e6"),
        ("powderblue", "#b0e0e6"),
        ("lightskyblue", "#87cefa"),
        ("skyblue", "#87ceeb"),
        ("cornflowerblue", "#6495ed"),
        ("deepskyblue", "#00bfff"),
        ("dodgerblue", "#1e90ff"),
        ("royalblue", "#4169e1"),
        ("blue", "#0000ff"),
        ("mediumblue", "#0000cd"),
        ("darkblue", "#00008b"),
        ("navy", "#000080"),
        ("midnightblue", "#191970"),
    ),
    "brown": (
        ("cornsilk", "#fff8dc"),
        ("blanchedalmond", "#ffebcd"),
        ("bisque", "#ffe4c4"),
        ("navajowhite", "#ffdead"),
        ("wheat", "#f5deb3"),
        ("burlywood", "#deb887"),
        ("tan", "#d2b48c"),
        ("rosybrown", "#bc8f8f"),
        ("sandybrown", "#f4a460"),
        ("goldenrod", "#daa520"),
        ("darkgoldenrod", "#b8860b"),
        ("peru", "#cd853f"),
        ("chocolate", "#d2691e"),
        ("olive", "#808000"),
        ("saddlebrown", "#8b4513"),
        ("sienna", "#a0522d"),
        ("brown", "#a52a2a"),
        ("maroon", "#800000"),
    ),
    "white": (
        ("white", "#ffffff"),
        ("snow", "#fffafa"),
        ("honeydew", "#f0fff0"),
        ("mintcream", "#f5fffa"),
        ("azure", "#f0ffff"),
        ("aliceblue", "#f0f8ff"),
        ("ghostwhite", "#f8f8ff"),
        ("whitesmoke", "#f5f5f5"),
        ("seashell", "#fff5ee"),
        ("beige", "#f5f5dc"),
        ("oldlace", "#fdf5e6"),
        ("floralwhite", "#fffaf0"),
        ("ivory", "#fffff0"),
        ("antiquewhite", "#faebd7"),
        ("linen", "#faf0e6"),
        ("lavenderblush", "#fff0f5"),
        ("mistyrose", "#ffe4e1"),
    ),
    "grey": (
        ("gainsboro", "#dcdcdc"),
        ("lightgrey", "#d3d3d3"),
        ("silver", "#c0c0c0"),
        ("darkgrey", "#a9a9a9"),
        ("gray", "#808080"),
        ("dimgrey", "#696969"),
        ("lightslategrey", "#778899"),
        ("slategrey", "#708090"),
        ("darkslategrey", "#2f4f4f"),
    ),
    "black": (("black", "#000000"),),
}


def _named(name: str, hex_code: str, simplified: str) -> NamedColor:
    value = int(hex_code[1:], 16)
    return NamedColor(name, value >> 16, (value >> 8) & 0xFF, value & 0xFF, simplified)


#: The 138 distinct CSS3 named colours, each under the one name vidrek reports.
CSS_COLORS: tuple[NamedColor, ...] = tuple(
    _named(name, hex_code, family) for family, entries in _FAMILIES.items() for name, hex_code in entries
)

_CSS_LAB = srgb_to_lab(np.array([(c.red, c.green, c.blue) for c in CSS_COLORS], dtype=np.float64))


def nearest_css_colors(lab: npt.NDArray[np.float64]) -> list[NamedColor]:
    """The CSS colour nearest to each of the [N, 3] L*a*b* colours (CIE76: Euclidean distance in Lab)."""
    if len(lab) == 0:
        return []
    distances = ((lab[:, None, :] - _CSS_LAB[None, :, :]) ** 2).sum(axis=2)
    return [CSS_COLORS[int(i)] for i in distances.argmin(axis=1)]
