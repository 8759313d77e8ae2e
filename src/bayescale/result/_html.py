"""Static, escaped HTML summary of a fit (survives stripped notebooks)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from bayescale.result._fit import Fit

__all__ = ["fit_html"]

_STYLE = ("font-family: var(--jp-ui-font-family, sans-serif); "
          "color: var(--jp-ui-font-color1, inherit);")


def _fmt(v: float) -> str:
    if v != v:  # nan
        return "–"
    a = abs(v)
    return f"{v:.4g}" if (a == 0 or 1e-3 <= a < 1e5) else f"{v:.3e}"


def fit_html(fit: Fit, ci_prob: float = 0.9) -> str:
    """Render the parameter table and diagnostics as escaped HTML (no scripts)."""
    s = fit.summary(ci_prob=ci_prob)
    d = fit.diagnostics()
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in ("parameter", "median",
                                                  f"{ci_prob:.0%} interval", "r_hat",
                                                  "ess_bulk"))
    rows = []
    for name, r in s.iterrows():
        bad = (r["r_hat"] > 1.01) or (r["ess_bulk"] < d["ess_threshold"])
        style = ' style="color: var(--jp-error-color1, #c62828)"' if bad else ""
        rows.append(f"<tr{style}><td>{e(str(name))}</td><td>{e(_fmt(r['median']))}</td>"
                    f"<td>[{e(_fmt(r['lower']))}, {e(_fmt(r['upper']))}]</td>"
                    f"<td>{e(_fmt(r['r_hat']))}</td><td>{e(f'{r['ess_bulk']:.0f}')}</td></tr>")
    status = "ok" if fit.ok else "check diagnostics"
    diag = (f"{d['divergences']} divergences · max R-hat {_fmt(d['max_r_hat'])} · "
            f"min bulk ESS {d['min_ess_bulk']:.0f} · {d['mean_leapfrog_steps']:.1f} "
            f"leapfrog steps/draw · {status}")
    title = (f"{fit.law.name}: {fit.law.formula} — {fit.likelihood.name}, "
             f"{fit.dataset.n} points, {fit.num_chains} chains × "
             f"{fit.num_draws // fit.num_chains} draws")
    from bayescale.result._calibration import calibration_text

    return (f'<div class="bayescale-fit" style="{_STYLE}"><p><b>{e(title)}</b></p>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"<p>{e(diag)}</p><p>{e(calibration_text(fit.discrepancy))}</p></div>")
