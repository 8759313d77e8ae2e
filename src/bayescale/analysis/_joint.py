"""Two curves fitted jointly: :func:`fit_joint` and its :class:`JointFit`.

:func:`fit_joint` fits two curves measured on shared data with shared parameters (one
NUTS run) and returns one view per curve, paired draw by draw for
:func:`~bayescale.analysis.crossover` (which reads curves through
:func:`bayescale.analysis._curves.curve_draws`).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError, one_of
from bayescale.data import Dataset, as_frame
from bayescale.laws._law import Law
from bayescale.laws._registry import resolve
from bayescale.priors import Prior
from bayescale.result._base import Result
from bayescale.result._html import Header, frame_html

__all__ = ["JointFit", "fit_joint"]

_SUFFIX = ("_a", "_b")
GROUP = "group"


def _rename(name: str, shared: Sequence[str], g: int) -> str:
    return name if name in shared else name + _SUFFIX[g]


def _joint_law(law: Law, shared: Sequence[str]) -> Law:
    """Law of ``(inputs..., group)`` with ``shared`` parameters and per-group copies.

    Group 0 uses ``<name>_a``, group 1 ``<name>_b`` for every parameter not in
    ``shared``; the mean of each group is the original law's.
    """
    bad = [s for s in shared if s not in law.param_names]
    if bad:
        raise BayescaleError(f"shared parameter(s) {bad} are not in law {law.name!r}; "
                             f"accepted: {one_of(law.param_names)}")
    if GROUP in law.inputs or GROUP in law.param_names:
        raise BayescaleError(f"law {law.name!r} already uses the name {GROUP!r}")
    shared = tuple(shared)
    own = [p for p in law.param_names if p not in shared]
    taken = set(law.param_names) | set(law.inputs)
    clash = [p + s for p in own for s in _SUFFIX if p + s in taken]
    if clash:
        raise BayescaleError(f"law {law.name!r}: per-group names {clash} clash with its "
                             "parameters or inputs")
    params = []
    for g, p in [(g, p) for g in (0, 1) for p in law.params if g == 0 or p.name not in shared]:
        amp = p.amplitude_of  # (input, exponent, sign): the exponent follows the copy
        if amp is not None:
            amp = None if (p.name in shared and amp[1] not in shared) else (
                amp[0], _rename(amp[1], shared, g), amp[2])
        params.append(dataclasses.replace(p, name=_rename(p.name, shared, g), amplitude_of=amp))

    def split(p, x):
        b = x[GROUP] > 0.5
        q = {n: (p[n] if n in shared else jnp.where(b, p[n + "_b"], p[n + "_a"]))
             for n in law.param_names}
        return q, {k: x[k] for k in law.inputs}

    def guess(inputs, y):
        b = np.asarray(inputs[GROUP]) > 0.5
        parts = [law.guess({k: np.asarray(inputs[k])[m] for k in law.inputs}, y[m])
                 for m in (~b, b)]
        out = {}
        for n in law.param_names:
            ga, gb = parts[0][n], parts[1][n]
            out |= {n: 0.5 * (ga + gb)} if n in shared else {n + "_a": ga, n + "_b": gb}
        return out

    return Law(
        name=f"joint({law.name}; shared {', '.join(shared) or 'none'})",
        params=tuple(params), inputs=(*law.inputs, GROUP),
        fn=lambda p, x: law.fn(*split(p, x)),
        log_fn=lambda p, x: law.log_mean(*split(p, x)),
        guess=guess if law.guess is not None else None,
        formula=f"{law.formula} per group; shared: {', '.join(shared) or 'none'}",
        positive=law.positive, key=("joint", law.key, shared),
        positive_inputs=tuple(law.positive_inputs or law.inputs),
        description=f"Two curves of {law.name!r} fitted jointly.")


@dataclasses.dataclass(frozen=True)
class JointFit(Result):
    """Result of :func:`fit_joint`; ``a, b = fit_joint(...)`` unpacks the two views.

    Each view is a :class:`~bayescale.Fit` of the original law on its own data, holding
    the joint draws of the shared and its own parameters in the joint draw order, so
    :func:`crossover` pairs the two views draw by draw. Built on the base of every
    result (:class:`bayescale.result._base.Result`): ``summary``, ``diagnostics``,
    ``ok`` and ``to_arviz`` are the joint fit's, and ``save(path)`` / ``bs.load(path)``
    round-trip the whole (the joint fit, the shared names, the labels, the pairing).

    Attributes
    ----------
    a, b : Fit
        Per-curve views.
    joint : Fit
        The fit of the combined law (inputs plus ``group``, 0 for A and 1 for B).
    shared : tuple of str
        Shared parameters.
    labels : (str, str)
        Names of the two curves.
    """

    a: Any
    b: Any
    joint: Any
    shared: tuple[str, ...]
    labels: tuple[str, str]

    file_kind = "joint"

    def __iter__(self):
        return iter((self.a, self.b))

    # ---- the shared posterior and its file (the joint fit's) ------------------------
    def _posterior(self) -> Any:
        return self.joint._posterior()

    def _convergence(self) -> dict[str, dict[str, float]]:
        return self.joint._convergence()

    def summary(self, ci_prob: float = 0.9, var_names: Sequence[str] | None = None
                ) -> pd.DataFrame:
        """The joint fit's posterior summary (see :meth:`bayescale.Fit.summary`)."""
        return self.joint.summary(ci_prob, var_names)

    def diagnostics(self) -> dict[str, Any]:
        """The joint fit's diagnostics (see :meth:`bayescale.Fit.diagnostics`)."""
        return self.joint.diagnostics()

    def to_arviz(self) -> Any:
        """The joint fit's ArviZ DataTree (see :meth:`bayescale.Fit.to_arviz`)."""
        return self.joint.to_arviz()

    def _file_meta(self) -> dict[str, Any]:
        from bayescale.result._io import fit_meta
        from bayescale.result._law_spec import _law_spec

        return {**fit_meta(self.joint),
                "joint": {"law": _law_spec(self.a.law), "shared": list(self.shared),
                          "labels": list(self.labels), "token": self.a.settings["joint_id"]}}

    @classmethod
    def _from_file(cls, meta: dict[str, Any], arrays: dict[str, dict[str, tuple]],
                   law: Any) -> JointFit:
        from bayescale._errors import FitFileError
        from bayescale.result import Fit
        from bayescale.result._law_spec import _law_from_spec

        spec = meta.get("joint")
        if (not isinstance(spec, dict) or not isinstance(spec.get("token"), str)
                or not all(isinstance(spec.get(k), list) and all(isinstance(v, str)
                                                                 for v in spec[k])
                           for k in ("shared", "labels")) or len(spec["labels"]) != 2):
            raise FitFileError("the joint fit's shared names, labels or pairing are malformed")
        base, shared = _law_from_spec(spec["law"], law), tuple(spec["shared"])
        joint = Fit._from_file(meta, arrays, _joint_law(base, shared))
        labels = (spec["labels"][0], spec["labels"][1])
        views = [_view(joint, base, shared, g, spec["token"], labels[g]) for g in (0, 1)]
        return cls(views[0], views[1], joint, shared, labels)

    # ---- its HTML (bayescale.result._html renders it) -------------------------------
    def _html_header(self) -> Header:
        law, (la, lb) = self.a.law, self.labels
        return Header("Joint fit", f"{law.name}: {law.formula} — {self.joint.likelihood.name} "
                      f"(shared: {', '.join(self.shared) or 'none'})",
                      f"{la}: {self.a.dataset.n} points, {lb}: {self.b.dataset.n} points")

    def _html_note(self) -> str | None:
        return self.joint._html_note()

    def _html_sections(self) -> list[tuple[str, str]]:
        own = [n for n in self.a.law.param_names if n not in self.shared]
        curves = pd.DataFrame({"points": [self.a.dataset.n, self.b.dataset.n],
                               "parameters": [", ".join(n + s for n in own) or "none"
                                              for s in _SUFFIX]},
                              index=pd.Index(self.labels, name="curve"))
        return [("curves", frame_html(curves))]

    def crossover(self, over: tuple[str, float, float], **kwargs: Any) -> Any:
        """:func:`crossover` of the two views (labels default to the curve names)."""
        from bayescale.analysis._crossover import crossover

        kwargs.setdefault("labels", self.labels)
        return crossover(self.a, self.b, over, **kwargs)


def _view(joint: Any, law: Law, shared: Sequence[str], g: int, token: str, label: str) -> Any:
    from bayescale.result import Fit

    ds = joint.dataset
    m = ds.x[GROUP] == float(g)
    x = {k: ds.x[k][m] for k in law.inputs}
    view_ds = Dataset(x, ds.y[m], tuple(ds.x_columns[:-1]), ds.y_column)
    post = {n: joint.posterior[_rename(n, shared, g)] for n in law.param_names}
    post |= {n: joint.posterior[n] for n in joint.likelihood.noise_names}
    mode = {n: joint.mode[_rename(n, shared, g)] for n in law.param_names
            if _rename(n, shared, g) in joint.mode}
    return Fit(law=law, likelihood=joint.likelihood, priors={}, dataset=view_ds,
               posterior=post, sample_stats=dict(joint.sample_stats),
               settings={**joint.settings, "joint_id": token, "joint_group": label,
                         "shared": list(shared)}, mode=mode, timing=joint.timing)


def fit_joint(data_a: Any, data_b: Any, law: Law | str, *, x: str | Sequence[str],
              y: str, shared: Sequence[str] = ("E",), labels: tuple[str, str] = ("A", "B"),
              likelihood: str | None = None, priors: Mapping[str, Prior] | None = None,
              **fit_kwargs: Any) -> JointFit:
    """Fit two curves of one law jointly, sharing some parameters (one NUTS run).

    Use it when the two curves were measured on shared data (same evaluation set,
    same tokenizer), so that, for example, their irreducible loss ``E`` is one
    quantity: the shared parameters are learned from both curves and the
    difference between the curves is not blurred by their separate uncertainty.

    Parameters
    ----------
    data_a, data_b : DataFrame, mapping or path
        The two curves (same columns).
    law : Law or str
        The law of both curves (registry name, formula or :class:`~bayescale.Law`).
    x : str or sequence of str
        Input column(s), in the law's input order.
    y : str
        Response column.
    shared : sequence of str, default ("E",)
        Law parameters common to both curves; the others get copies ``<name>_a`` and
        ``<name>_b``. The noise parameters are shared.
    labels : (str, str)
        Names of the two curves.
    likelihood : str, optional
        As in :func:`bayescale.fit`.
    priors : dict of str to Prior, optional
        Prior overrides: an unshared parameter's name sets both copies' priors;
        ``<name>_a`` / ``<name>_b`` set one.
    **fit_kwargs
        Passed to :func:`bayescale.fit` (``num_chains``, ``num_samples``, ``seed``, ...).

    Returns
    -------
    JointFit

    Examples
    --------
    >>> a, b = bs.fit_joint(df_a, df_b, "saturating_power", x="C", y="loss")  # doctest: +SKIP
    >>> bs.crossover(a, b, over=("C", 1e18, 1e24))  # doctest: +SKIP
    """
    from bayescale.result import fit

    cols = [c.strip() for c in x.split(",")] if isinstance(x, str) else list(x)
    base = resolve(law, inputs=tuple(cols))
    if isinstance(shared, str):
        shared = (shared,)
    shared = tuple(shared)
    jl = _joint_law(base, shared)
    gcol = GROUP if GROUP not in cols and GROUP != y else "_group"
    own = [n for n in base.param_names if n not in shared]
    pri = {}
    for k, v in (priors or {}).items():   # an unshared name sets both copies
        pri |= {k + "_a": v, k + "_b": v} if k in own else {k: v}
    frames = []
    for g, (data, which) in enumerate(((data_a, "data_a"), (data_b, "data_b"))):
        frame = as_frame(data)
        missing = [c for c in [*cols, y] if c not in frame.columns]
        if missing:
            raise BayescaleError(f"{which} lacks column(s) {missing}; its columns are "
                                 f"{[str(c) for c in frame.columns]}")
        frames.append(frame[[*cols, y]].assign(**{gcol: float(g)}))
    joint = fit(pd.concat(frames, ignore_index=True), jl, x=[*cols, gcol], y=y,
                likelihood=likelihood, priors=pri, **fit_kwargs)
    token = uuid.uuid4().hex
    labels = (str(labels[0]), str(labels[1]))
    views = [_view(joint, base, shared, g, token, labels[g]) for g in (0, 1)]
    return JointFit(views[0], views[1], joint, shared, labels)
