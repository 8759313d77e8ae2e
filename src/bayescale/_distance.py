"""Where the data are, and how far new inputs lie beyond them (decades, ``log10``).

The distance that the discrepancy (:mod:`bayescale.discrepancy`) grows with: zero inside
the data, and outside the larger of the Euclidean distance from the box of the scale
inputs' ranges and how far the inputs lie beyond the data's range of a few coordinates
(products of inputs: the compute ``N D``, the epochs ``D / U``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["Coordinate", "box_distance", "coordinate", "coordinate_ranges", "data_distance",
           "default_coordinates", "scale_axis"]


def scale_axis(x: Mapping[str, np.ndarray], axis: Sequence[str]) -> np.ndarray:
    """Position along the scale axis: the sum of ``log10`` of the ``axis`` inputs."""
    return np.sum([np.log10(np.asarray(x[k], dtype=float)) for k in axis], axis=0)


def box_distance(x: Mapping[str, np.ndarray], axis: Sequence[str], low: Sequence[float],
                 high: Sequence[float]) -> np.ndarray:
    """Decades from the box ``[low, high]`` (``log10`` per axis input), Euclidean."""
    sq = 0.0
    for k, lo, hi in zip(axis, low, high, strict=True):
        lx = np.log10(np.asarray(x[k], dtype=float))
        sq = sq + (np.maximum(lx - hi, 0.0) + np.maximum(lo - lx, 0.0)) ** 2
    return np.sqrt(sq)


#: A coordinate: ``log10`` of a product of inputs with integer powers, e.g. the scale
#: axis ``N D`` as ``(("N", 1), ("D", 1))`` or the epochs ``D / U`` as ``(("D", 1), ("U", -1))``.
Coordinate = tuple[tuple[str, int], ...]


def coordinate(x: Mapping[str, np.ndarray], coord: Coordinate) -> np.ndarray:
    """Value of ``coord`` (``sum power * log10 input``) at inputs ``x``."""
    return np.sum([p * np.log10(np.asarray(x[k], dtype=float)) for k, p in coord], axis=0)


def data_distance(x: Mapping[str, np.ndarray], axis: Sequence[str], low: Sequence[float],
                  high: Sequence[float], coords: Sequence[Coordinate] = (),
                  coord_low: Sequence[float] = (), coord_high: Sequence[float] = ()
                  ) -> np.ndarray:
    """Decades between ``x`` and the data: the box distance, or further along a coordinate.

    The box of the axis inputs' ranges misses extrapolations that move along a
    combination of inputs while each stays inside its own range (Chinchilla at a larger
    compute ``N D`` with ``N`` and ``D`` each seen; more epochs ``D / U`` at seen ``D`` and
    ``U``). So the distance is the larger of the box distance and, for each coordinate,
    how far ``x`` lies beyond the data's range of it.
    """
    d = box_distance(x, axis, low, high)
    for c, lo, hi in zip(coords, coord_low, coord_high, strict=True):
        v = coordinate(x, c)
        d = np.maximum(d, np.maximum(v - hi, 0.0) + np.maximum(lo - v, 0.0))
    return d


def default_coordinates(axis: Sequence[str], law_name: str = "") -> tuple[Coordinate, ...]:
    """The coordinates checked besides the box: the scale axis, and the law's own.

    The scale axis (the product of the axis inputs) when there are several;
    ``data_constrained`` adds the epochs ``D / U``.
    """
    out: list[Coordinate] = []
    if len(axis) > 1:
        out.append(tuple((a, 1) for a in axis))
    out.extend(_LAW_COORDINATES.get(law_name, ()))
    return tuple(out)


_LAW_COORDINATES: dict[str, tuple[Coordinate, ...]] = {
    "data_constrained": ((("D", 1), ("U", -1)),),
}


def coordinate_ranges(x: Mapping[str, np.ndarray], coords: Sequence[Coordinate]
                      ) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The data's range (``min``, ``max``) of each coordinate at inputs ``x``."""
    vals = [coordinate(x, c) for c in coords]
    return (tuple(float(np.min(v)) for v in vals), tuple(float(np.max(v)) for v in vals))
