"""One static, escaped HTML summary for every result (it survives stripped notebooks).

:func:`result_html` is what ``_repr_html_`` of every result shows (the base's,
:meth:`bayescale.result._base.Result._repr_html_`), in one layout: a header (the kind,
the law or model, the data's size, chains x draws), the parameter table, the diagnostics
(divergences, R-hat, ESS, the warning state and each problem with its remedy, by the
rules of :mod:`bayescale.result._diagnostics`), the calibration note where the result has
one, and the sections its kind adds (:meth:`~bayescale.result._base.Result._html_sections`).
Every string is escaped and every number printed by :func:`bayescale._format.format_number`;
there are no scripts.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import pandas as pd

from bayescale._format import format_level, format_number
from bayescale.result._diagnostics import RHAT_MAX, problems

__all__ = ["Header", "count", "facts_html", "fit_header", "fit_html", "frame_html", "render",
           "result_html", "table_html"]

_STYLE = ("font-family: var(--jp-ui-font-family, sans-serif); "
          "color: var(--jp-ui-font-color1, inherit);")
_BAD = ' style="color: var(--jp-error-color1, #c62828)"'
_e = html.escape


class Header(NamedTuple):
    """What heads a result's HTML: its kind, what was fitted, and to how much data."""

    kind: str
    subject: str
    size: str


def count(value: float) -> str:
    """A count (an ESS, a number of draws) as a whole number, NaN as ``NaN``."""
    v = float(value)
    return format_number(round(v), 17, "plain") if math.isfinite(v) else format_number(v)


def result_html(result: Any, ci_prob: float = 0.9) -> str:
    """The HTML summary of any result (a :class:`~bayescale.result._base.Result`).

    Parameters
    ----------
    result : Result
        The result; its hooks ``_html_header``, ``_html_note`` and ``_html_sections``
        give what is its own.
    ci_prob : float
        Probability of the table's intervals.

    Returns
    -------
    str
    """
    diag = result._diagnose(False)
    return render(result._html_header(), result.summary(ci_prob=ci_prob), diag,
                  chains=int(diag["num_chains"]), draws=int(diag["num_draws"]),
                  ok=bool(diag["ok"]), notes=[text for text, _ in problems(diag)],
                  note=result._html_note(), sections=result._html_sections(),
                  ci_prob=ci_prob, kind=result.file_kind)


def fit_header(fit: Any) -> Header:
    """The header of a :class:`~bayescale.Fit` (law, formula, likelihood, points)."""
    return Header("Fit", f"{fit.law.name}: {fit.law.formula} — {fit.likelihood.name}",
                  f"{fit.dataset.n} points")


def fit_html(fit: Any, ci_prob: float = 0.9) -> str:
    """The HTML of an object with a fit's attributes (``summary``, ``diagnostics``, ...).

    A :class:`~bayescale.Fit` renders through :func:`result_html`; this reads only the
    public attributes (``summary``, ``diagnostics``, ``ok``, ``law``, ``likelihood``,
    ``dataset``, ``discrepancy``).
    """
    from bayescale.result._calibration import calibration_text

    diag = fit.diagnostics()
    notes = [] if fit.ok else [text for text, _ in problems(diag)]
    return render(fit_header(fit), fit.summary(ci_prob=ci_prob), diag,
                  chains=fit.num_chains, draws=fit.num_draws, ok=bool(fit.ok), notes=notes,
                  note=calibration_text(fit.discrepancy), ci_prob=ci_prob)


def render(header: Header, summary: pd.DataFrame, diag: Mapping[str, Any], *,
           chains: int, draws: int, ok: bool, notes: Sequence[str] = (), note: str | None = None,
           sections: Sequence[tuple[str, str]] = (), ci_prob: float = 0.9,
           kind: str = "fit") -> str:
    """Assemble the HTML from its parts (all text escaped here; ``sections`` are HTML).

    Parameters
    ----------
    header : Header
        Kind, subject and data size.
    summary : pandas.DataFrame
        Rows are parameters; columns ``median``, ``lower``, ``upper``, ``r_hat``,
        ``ess_bulk``.
    diag : mapping
        The diagnostics (:func:`bayescale.result._diagnostics.report`).
    chains, draws : int
        The number of chains and of all draws.
    ok : bool
        Whether no diagnostic failed.
    notes : sequence of str
        The diagnostics' problems with their remedies.
    note : str, optional
        The calibration note (what the bands beyond the data include).
    sections : sequence of (str, str)
        The kind's own sections: a title (escaped here) and escaped HTML.
    ci_prob : float
        Probability of the table's intervals.
    kind : str
        The CSS class suffix (``bayescale-<kind>``).

    Returns
    -------
    str
    """
    per = f"{chains} chains × {draws // max(chains, 1)} draws"
    title = f"{header.subject}, {header.size}, {per}" if header.size else header.subject
    status = "ok" if ok else "check diagnostics"
    line = (f"{diag['divergences']} divergences · max R-hat "
            f"{format_number(diag['max_r_hat'], 4)} · min bulk ESS "
            f"{count(diag['min_ess_bulk'])} · "
            f"{format_number(diag['mean_leapfrog_steps'])} leapfrog steps/draw · {status}")
    items = "".join(f"<li>{_e(t)}</li>" for t in notes)
    parts = [f'<div class="bayescale-result bayescale-{_e(kind)}" style="{_STYLE}">',
             f"<p><b>{_e(header.kind)}</b> · <b>{_e(title)}</b></p>",
             table_html(summary, diag, ci_prob),
             f"<p{'' if ok else _BAD}>{_e(line)}</p>",
             f"<ul>{items}</ul>" if items else "",
             f"<p>{_e(note)}</p>" if note else ""]
    parts += [f"<p><b>{_e(name)}</b></p>{body}" for name, body in sections]
    return "".join(parts) + "</div>"


def table_html(summary: pd.DataFrame, diag: Mapping[str, Any], ci_prob: float) -> str:
    """The parameter table: median, interval, R-hat, bulk ESS (failing rows in red)."""
    cols = ("parameter", "median", f"{format_level(ci_prob)} interval", "r_hat", "ess_bulk")
    head = "".join(f"<th>{_e(c)}</th>" for c in cols)
    rows = []
    for name, r in summary.iterrows():
        bad = (r["r_hat"] > RHAT_MAX) or (r["ess_bulk"] < diag["ess_threshold"])
        med, lo, hi = (format_number(r[k]) for k in ("median", "lower", "upper"))
        rows.append(f"<tr{_BAD if bad else ''}><td>{_e(str(name))}</td><td>{_e(med)}</td>"
                    f"<td>[{_e(lo)}, {_e(hi)}]</td>"
                    f"<td>{_e(format_number(r['r_hat'], 4))}</td>"
                    f"<td>{_e(count(r['ess_bulk']))}</td></tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def facts_html(facts: Mapping[str, Any]) -> str:
    """A list of ``name: value`` facts (numbers by :func:`format_number`), escaped."""
    def text(v: Any) -> str:
        if isinstance(v, bool) or not isinstance(v, int | float):
            return str(v)
        return format_number(v)

    items = "".join(f"<li><b>{_e(str(k))}</b>: {_e(text(v))}</li>" for k, v in facts.items())
    return f"<ul>{items}</ul>"


def frame_html(frame: pd.DataFrame) -> str:
    """A DataFrame as an escaped table, numbers by :func:`format_number`."""
    return frame.to_html(float_format=format_number, escape=True, border=0)
