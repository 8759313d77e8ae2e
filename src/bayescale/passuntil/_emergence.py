"""Emergence classification from the curvature of ``F(N) = log(-log PU)`` in ``log N``.

Rule. The task-law fit (``curvature=True``) carries a shared quadratic term
``gamma * (x**2 - q)`` in centred ``x = log N - mean(log sizes)``; its size at the edge of
the observed range is ``kappa = gamma * h**2`` (``h``: half the observed ``log N``
range), i.e. how far, in units of F, the instance curves bend away from straight lines
over the data. With a region of practical equivalence ``rope`` (default 0.1: a bend
worth a 10% change in ``-log PU``)::

    P(linear)  = P(|kappa| <= rope | data)   the task follows the law
    P(concave) = P(kappa < -rope | data)     accelerated emergence (super-scaling)
    P(convex)  = P(kappa > +rope | data)     sub-scaling

and the label is the class with the largest posterior probability. The curvature is
that of the instance-level law, shared across instances: averaging heterogeneous
instances bends the task-level F even when every instance is linear, so the
instance-level term is the one that tests the law.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from bayescale._format import format_number

MEANING = {
    "linear": "follows the task scaling law",
    "concave": "accelerated emergence (super-scaling)",
    "convex": "sub-scaling",
}


@dataclass(frozen=True)
class Emergence:
    """Posterior emergence class of a task.

    Attributes
    ----------
    label : str
        ``"linear"``, ``"concave"`` (accelerated) or ``"convex"`` (sub-scaling).
    probs : mapping of str to float
        Posterior probability of each class.
    kappa_median, kappa_lower, kappa_upper : float
        Posterior median and 90% interval of the curvature ``kappa``.
    rope : float
        Half-width of the region of practical equivalence used.
    """

    label: str
    probs: Mapping[str, float]
    kappa_median: float
    kappa_lower: float
    kappa_upper: float
    rope: float

    @property
    def meaning(self) -> str:
        """Plain-words meaning of :attr:`label`."""
        return MEANING[self.label]

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a plain dict."""
        return {
            "label": self.label,
            "meaning": self.meaning,
            "probs": dict(self.probs),
            "kappa_median": self.kappa_median,
            "kappa_interval": (self.kappa_lower, self.kappa_upper),
            "rope": self.rope,
        }

    def _repr_html_(self) -> str:
        f = format_number
        probs = ", ".join(f"{html.escape(k)}: {f(v)}" for k, v in self.probs.items())
        kappa = (f"kappa = {f(self.kappa_median)} [{f(self.kappa_lower)}, "
                 f"{f(self.kappa_upper)}] (90%), rope = {f(self.rope)}")
        return (
            f"<div><b>Emergence:</b> {html.escape(self.label)} "
            f"({html.escape(self.meaning)})<br>P = {probs}<br>{html.escape(kappa)}</div>"
        )


def classify_curvature(kappa: np.ndarray, rope: float = 0.1) -> Emergence:
    """Classify posterior curvature draws ``kappa`` (see the module docstring).

    Parameters
    ----------
    kappa : numpy.ndarray
        Posterior draws of the curvature at the edge of the observed range.
    rope : float
        Half-width of the region of practical equivalence (> 0).

    Returns
    -------
    Emergence
    """
    try:
        rope = float(rope)
    except (TypeError, ValueError):
        raise ValueError(f"rope={rope!r} must be a positive number, e.g. 0.1.") from None
    if not (np.isfinite(rope) and rope > 0):
        raise ValueError(f"rope={rope:g} must be a positive number, e.g. 0.1.")
    k = np.asarray(kappa, dtype=float).ravel()
    probs = {
        "linear": float(np.mean(np.abs(k) <= rope)),
        "concave": float(np.mean(k < -rope)),
        "convex": float(np.mean(k > rope)),
    }
    label = max(probs, key=probs.__getitem__)
    lo, med, hi = np.quantile(k, [0.05, 0.5, 0.95])
    return Emergence(label, MappingProxyType(probs), float(med), float(lo), float(hi), rope)
