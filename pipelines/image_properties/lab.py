"""sRGB -> CIE L*a*b* (D65), the perceptual space in which colours are clustered and named: a Euclidean
distance there is roughly how different two colours look (a distance of ~2.3 is just noticeable)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

#: Linear sRGB -> CIE XYZ (IEC 61966-2-1, D65 white).
_SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
#: The D65 reference white in XYZ (Y = 1).
_D65_WHITE = np.array([0.95047, 1.0, 1.08883])
_EPSILON = (6 / 29) ** 3


def srgb_to_lab(rgb: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    """[..., 3] sRGB values in 0-255 -> [..., 3] L*a*b* (L* 0-100; a*, b* about -128..127)."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = (linear @ _SRGB_TO_XYZ.T) / _D65_WHITE
    f = np.where(xyz > _EPSILON, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    lightness = 116.0 * f[..., 1] - 16.0
    a = 500.0 * (f[..., 0] - f[..., 1])
    b = 200.0 * (f[..., 1] - f[..., 2])
    return np.stack([lightness, a, b], axis=-1)
