"""The base of every result: one posterior, its diagnostics, export and storage.

:class:`Result` is what :class:`~bayescale.Fit`, ``PassUntilFit``, ``CoverageFit`` and
``JointFit`` share: a :class:`~bayescale.result._posterior.Posterior` (its draws, sample
statistics and settings), diagnostics by one set of rules
(:func:`~bayescale.result._diagnostics.report`, ``RHAT_MAX``, ``ESS_PER_CHAIN`` and the
:class:`DiagnosticWarning`), ``ok``, ``to_arviz`` and ``save`` / ``bs.load`` through one
file format (:mod:`bayescale.result._file`: the format version, the integrity digest and
the checks on reading), and one HTML summary (:mod:`bayescale.result._html`). Each kind
adds only its own questions (``predict``, ``emergence``, ``compute_optimal``, ...) and
says how it is stored: the metadata beside the draws (:meth:`_file_meta`) and how it is
rebuilt from them (:meth:`_from_file`), and what heads its HTML (:meth:`_html_header`)
and is its own there (:meth:`_html_note`, :meth:`_html_sections`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, ClassVar

import pandas as pd

from bayescale.result._posterior import Posterior

__all__ = ["Result"]


class Result:
    """A result built on one posterior. Immutable; every method returns a value."""

    __slots__ = ()
    #: The ``kind`` a saved file records (``bs.load`` rebuilds the result by it).
    file_kind: ClassVar[str] = ""

    # ---- what each kind provides ------------------------------------------------
    def _posterior(self) -> Posterior:  # pragma: no cover - every kind defines it
        """The posterior the result reads."""
        raise NotImplementedError

    def _observed(self) -> Mapping[str, Any]:
        """The observed data for :meth:`to_arviz` (none by default)."""
        return {}

    def _file_meta(self) -> dict[str, Any]:  # pragma: no cover - every kind defines it
        """JSON metadata saved beside the draws: what :meth:`_from_file` reads back."""
        raise NotImplementedError

    @classmethod
    def _from_file(cls, meta: dict[str, Any], arrays: dict[str, dict[str, tuple]],
                   law: Any) -> Result:  # pragma: no cover - every kind defines it
        """The result the verified metadata and ``{group: {name: (dims, array)}}`` hold."""
        raise NotImplementedError

    def _html_header(self) -> Any:  # pragma: no cover - every kind defines it
        """The HTML's :class:`~bayescale.result._html.Header`: kind, subject, data size."""
        raise NotImplementedError

    def _html_note(self) -> str | None:
        """The HTML's calibration note (what bands beyond the data include); none here."""
        return None

    def _html_sections(self) -> list[tuple[str, str]]:
        """The kind's own parts of the HTML: ``(title, escaped html)`` pairs (none here)."""
        return []

    # ---- shared -------------------------------------------------------------------
    @property
    def num_chains(self) -> int:
        """Number of chains."""
        return self._posterior().num_chains

    def _convergence(self) -> dict[str, dict[str, float]]:
        return self._posterior().convergence()

    def _summary(self, names: Any, ci_prob: float) -> pd.DataFrame:
        return self._posterior().summary(names, ci_prob, conv=self._convergence())

    def _diagnose(self, warn: bool) -> dict[str, Any]:
        """The diagnostics, warning (at the caller of the caller) when ``warn``."""
        return self._posterior().diagnostics(warn=warn, conv=self._convergence(),
                                             stacklevel=4)

    @property
    def ok(self) -> bool:
        """True when no diagnostic failed (the rules of :attr:`bayescale.Fit.ok`)."""
        return self._diagnose(False)["ok"]

    def to_arviz(self) -> Any:
        """Return the posterior as an ArviZ ``DataTree`` (posterior, sample_stats, data)."""
        return self._posterior().to_arviz(self._observed())

    def _repr_html_(self) -> str:
        """Static, escaped HTML: header, parameters, diagnostics, note, own sections."""
        from bayescale.result._html import result_html

        return result_html(self)

    def save(self, path: str | os.PathLike) -> None:
        """Write the result to a netCDF file (draws + JSON metadata; no pickle).

        ``bs.load(path)`` reads it back, verified: the format version, the integrity
        digest and that the metadata matches the draws.
        """
        from bayescale.result._file import write

        write(self, path)
