"""Broken neural scaling laws (Caballero et al. 2022) with any number of breaks."""

from __future__ import annotations

from functools import cache
from numbers import Integral

import jax.numpy as jnp
import numpy as np
from jax.nn import softplus

from bayescale._errors import LawError
from bayescale.laws import _priors as P
from bayescale.laws._guess import polish
from bayescale.laws._law import Law, Param
from bayescale.priors import DataStats, Prior

__all__ = ["bnsl"]


def _break_location(i: int, n: int):
    def prior(stats: DataStats) -> Prior:
        lx0, half = stats.log_x0["x"], jnp.maximum(stats.log_x_halfspan["x"], 0.5)
        offset = (2.0 * (i + 1) / (n + 1) - 1.0) * half
        return Prior("LogNormal", lx0 + offset, 1.5 * half)

    return prior


def bnsl(n_breaks: int = 1) -> Law:
    """Build the broken neural scaling law with ``n_breaks`` breaks.

    ``y = a + b x^{-c0} prod_{i=1..n} (1 + (x / d_i)^{1 / f_i})^{-c_i f_i}``, evaluated as
    ``log y = logaddexp(log a, log b - c0 log x - sum_i c_i f_i softplus((log x - log
    d_i) / f_i))``. ``a`` is the limit, ``b`` and ``c0`` the first segment's offset and
    slope, ``c_i`` the change of log-log slope at break ``i``, ``d_i`` its location and
    ``f_i`` its sharpness (smaller is sharper).

    Parameters
    ----------
    n_breaks : int, default 1
        Number of breaks (>= 1).

    Returns
    -------
    Law
    """
    if isinstance(n_breaks, bool) or not isinstance(n_breaks, Integral) or n_breaks < 1:
        raise LawError(f"bnsl: n_breaks must be an integer >= 1, got {n_breaks!r}")
    return _build(int(n_breaks))


@cache
def _build(n: int) -> Law:
    """Build (once per ``n``: one Law, hence one compiled sampler) the ``n``-break BNSL."""
    params = [
        Param("a", "positive", P.irreducible, doc="limit as x -> infinity"),
        Param("b", "positive", P.amplitude, amplitude_of=("x", "c0", -1.0),
              doc="offset of the first segment"),
        Param("c0", "real", Prior("Normal", 0.3, 1.0), doc="slope of the first segment"),
    ]
    for i in range(1, n + 1):
        params += [
            Param(f"c{i}", "real", Prior("Normal", 0.0, 3.0), doc=f"slope change at break {i}"),
            Param(f"d{i}", "positive", _break_location(i - 1, n), scale_of="x",
                  doc=f"location of break {i}"),
            Param(f"f{i}", "positive", Prior("LogNormal", np.log(0.3), 1.0),
                  doc=f"sharpness of break {i}"),
        ]

    def log_fn(p, x):
        lx = jnp.log(x["x"])
        acc = jnp.log(p["b"]) - p["c0"] * lx
        for i in range(1, n + 1):
            f = p[f"f{i}"]
            acc = acc - p[f"c{i}"] * f * softplus((lx - jnp.log(p[f"d{i}"])) / f)
        return jnp.logaddexp(jnp.log(p["a"]), acc)

    def guess(inputs, y):
        x = np.asarray(inputs["x"])
        ymin = float(np.min(y))
        starts = []
        for q in np.linspace(0.2, 0.9, 8):
            for f in (0.05, 0.3, 1.0):
                for c in (0.5, 3.0):
                    s = {"a": 0.5 * ymin, "b": float(np.max(y)), "c0": 0.05}
                    for i in range(1, n + 1):
                        qi = min(q + 0.1 * (i - 1), 0.95)
                        s |= {f"c{i}": c, f"d{i}": float(np.quantile(x, qi)), f"f{i}": f}
                    starts.append(s)
        best = polish(law, inputs, y, starts)
        # the law is invariant under permuting breaks: return them ordered by location,
        # the order the break-location priors assume
        order = sorted(range(1, n + 1), key=lambda i: best[f"d{i}"])
        out = {k: best[k] for k in ("a", "b", "c0")}
        for new, old in enumerate(order, start=1):
            out |= {f"{k}{new}": best[f"{k}{old}"] for k in ("c", "d", "f")}
        return out

    law = Law(
        name="bnsl" if n == 1 else f"bnsl{n}",
        params=tuple(params),
        inputs=("x",),
        fn=lambda p, x: jnp.exp(log_fn(p, x)),
        log_fn=log_fn,
        guess=guess,
        formula="y = a + b * x**(-c0) * prod_i (1 + (x / d_i)**(1 / f_i))**(-c_i * f_i)",
        key=("law", "bnsl", n),
        description=f"Broken neural scaling law with {n} break(s) (Caballero et al. 2022).",
    )
    return law
