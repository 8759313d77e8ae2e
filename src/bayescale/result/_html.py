"""Static, escaped HTML summary of a fit (survives stripped notebooks)."""

from __future__ import annotations

import html
from typing import Any

from bayescale._format import format_level, format_number

__all__ = ["fit_html"]

_STYLE = ("font-family: var(--jp-ui-font-family, sans-serif); "
          "color: var(--jp-ui-font-color1, inherit);")


def fit_html(fit: Any, ci_prob: float = 0.9) -> str:
    """Render the parameter table and diagnostics as escaped HTML (no scripts)."""
    s = fit.summary(ci_prob=ci_prob)
    d = fit.diagnostics()
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in ("parameter", "median",
                                                  f"{format_level(ci_prob)} interval", "r_hat",
                                                  "ess_bulk"))
    rows = []
    for name, r in s.iterrows():
        bad = (r["r_hat"] > 1.01) or (r["ess_bulk"] < d["ess_threshold"])
        style = ' style="color: var(--jp-error-color1, #c62828)"' if bad else ""
        med, lo, hi = (format_number(r[k]) for k in ("median", "lower", "upper"))
        rows.append(f"<tr{style}><td>{e(str(name))}</td><td>{e(med)}</td>"
                    f"<td>[{e(lo)}, {e(hi)}]</td><td>{e(format_number(r['r_hat'], 4))}</td>"
                    f"<td>{e(f'{r['ess_bulk']:.0f}')}</td></tr>")
    status = "ok" if fit.ok else "check diagnostics"
    diag = (f"{d['divergences']} divergences · max R-hat {format_number(d['max_r_hat'], 4)} · "
            f"min bulk ESS {d['min_ess_bulk']:.0f} · {format_number(d['mean_leapfrog_steps'])} "
            f"leapfrog steps/draw · {status}")
    title = (f"{fit.law.name}: {fit.law.formula} — {fit.likelihood.name}, "
             f"{fit.dataset.n} points, {fit.num_chains} chains × "
             f"{fit.num_draws // fit.num_chains} draws")
    from bayescale.result._calibration import calibration_text

    return (f'<div class="bayescale-fit" style="{_STYLE}"><p><b>{e(title)}</b></p>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"<p>{e(diag)}</p><p>{e(calibration_text(fit.discrepancy))}</p></div>")
