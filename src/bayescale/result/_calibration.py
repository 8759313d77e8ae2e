"""The report of a fit's leave-future-out calibration (``fit.calibration()``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bayescale.discrepancy import Discrepancy

__all__ = ["calibration_frame", "calibration_text"]

_COLUMNS = ["cut", "n_train", "n_test", "max_decades", "bias", "coverage_90_before",
            "coverage_90_after"]
_Z90 = 1.6448536269514722


def calibration_frame(disc: Discrepancy | None, *, seed: int = 0) -> pd.DataFrame:
    """One row per split (see :meth:`bayescale.Fit.calibration`)."""
    if disc is None:
        frame = pd.DataFrame(columns=_COLUMNS)
        frame.attrs["method"] = "none"
        return frame
    rng = np.random.default_rng([seed, 7])
    rows = []
    for sp in disc.splits:
        sd = np.sqrt(sp.variance)
        before = np.abs(sp.error) <= _Z90 * sd
        sim = disc.paths(sp.distance, 4000, seed) + sd * rng.standard_normal((4000, sd.size))
        lo, hi = np.quantile(sim, [0.05, 0.95], axis=0)
        after = (sp.error >= lo) & (sp.error <= hi)
        rows.append([sp.cut, sp.n_train, sp.distance.size, float(sp.distance.max()),
                     float(sp.error.mean()), float(before.mean()), float(after.mean())])
    frame = pd.DataFrame(rows, columns=_COLUMNS)
    frame.attrs |= {"method": "leave-future-out drift" if disc.calibrated else "prior only",
                    "axis": disc.axis, **disc.summary()}
    return frame


def calibration_text(disc: Discrepancy | None) -> str:
    """One line for summaries and HTML: what the bands beyond the data include."""
    if disc is None:
        return "bands beyond the data: law + noise only (no discrepancy)"
    s = disc.summary()
    axis = " x ".join(disc.axis)
    how = (f"learnt from {len(disc.splits)} leave-future-out splits" if disc.calibrated
           else "prior only (too few points for leave-future-out splits)")
    slope = (f", random slope sd {s['drift_slope']:.3g} per decade" if disc.random_slope
             else "")
    return (f"bands beyond the data include the law's drift along {axis}: "
            f"mean {s['drift_mean']:+.3g} per decade, random walk scale "
            f"{s['drift_tau']:.3g} per sqrt(decade){slope}, {how}")
