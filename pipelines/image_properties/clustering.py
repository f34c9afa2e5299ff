"""A small deterministic weighted k-means (Lloyd's algorithm with k-means++ seeding), numpy only.

Points carry weights so that an image can be clustered by its distinct colours (each weighted by its
pixel count) instead of pixel by pixel. The seeding draws from a generator with a fixed seed, so the
same points always give the same clusters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: Lloyd iterations at most; the clustering of a few thousand colours settles well before.
MAX_ITERATIONS = 40
#: Iterations stop when no centre moves farther than this (in L*a*b* units: below a just noticeable
#: difference).
TOLERANCE = 0.5
SEED = 0


@dataclass(frozen=True, slots=True)
class Clusters:
    """``centres`` [K, D]; ``weights`` [K] the total weight of each cluster's points (all > 0)."""

    centres: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float64]


def _squared_distances(
    points: npt.NDArray[np.float64], centres: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """[N, K] squared Euclidean distances (|p|^2 - 2 p.c + |c|^2, clipped at 0 against rounding)."""
    result = (points**2).sum(axis=1)[:, None] - 2.0 * points @ centres.T + (centres**2).sum(axis=1)[None, :]
    return np.asarray(np.maximum(result, 0.0), dtype=np.float64)


def _seed_centres(
    points: npt.NDArray[np.float64], weights: npt.NDArray[np.float64], k: int, rng: np.random.Generator
) -> npt.NDArray[np.float64]:
    """k-means++: the heaviest point first, then each next centre drawn with probability proportional to
    weight x squared distance to the nearest centre so far."""
    chosen = [int(np.argmax(weights))]
    nearest = _squared_distances(points, points[chosen])[:, 0]
    for _ in range(1, k):
        mass = weights * nearest
        total = float(mass.sum())
        if total <= 0.0:  # every point sits on a centre already
            break
        index = int(rng.choice(len(points), p=mass / total))
        chosen.append(index)
        nearest = np.minimum(nearest, _squared_distances(points, points[[index]])[:, 0])
    return points[chosen].copy()


def weighted_kmeans(points: npt.NDArray[np.float64], weights: npt.NDArray[np.float64], k: int) -> Clusters:
    """Cluster [N, D] ``points`` with positive ``weights`` into at most ``k`` clusters (fewer when there
    are fewer distinct points); clusters left empty are dropped."""
    if len(points) == 0 or k <= 0:
        return Clusters(np.empty((0, points.shape[1] if points.ndim == 2 else 0)), np.empty(0))
    rng = np.random.default_rng(SEED)
    centres = _seed_centres(points, weights, min(k, len(points)), rng)
    count = len(centres)
    for _ in range(MAX_ITERATIONS):
        assignment = _squared_distances(points, centres).argmin(axis=1)
        totals = np.asarray(np.bincount(assignment, weights=weights, minlength=count), dtype=np.float64)
        sums = np.stack(
            [
                np.bincount(assignment, weights=weights * points[:, d], minlength=count)
                for d in range(points.shape[1])
            ],
            axis=1,
        )
        filled = totals > 0
        moved = centres.copy()
        moved[filled] = sums[filled] / totals[filled, None]
        shift = float(np.sqrt(((moved - centres) ** 2).sum(axis=1)).max())
        centres = moved
        if shift <= TOLERANCE:
            break
    assignment = _squared_distances(points, centres).argmin(axis=1)
    totals = np.asarray(np.bincount(assignment, weights=weights, minlength=count), dtype=np.float64)
    kept = totals > 0
    return Clusters(centres[kept], totals[kept])
