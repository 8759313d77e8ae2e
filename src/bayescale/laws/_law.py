"""The declarative :class:`Law` object and its parameters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import jax.numpy as jnp
import numpy as np

from bayescale._errors import BayescaleError, LawError
from bayescale.priors import DataStats, Prior, PriorLike

__all__ = ["CONSTRAINTS", "Law", "Param", "resolve_inputs"]

#: Accepted parameter constraints.
CONSTRAINTS = ("real", "positive", "unit")

MeanFn = Callable[[Mapping[str, Any], Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Param:
    """One parameter of a law.

    Parameters
    ----------
    name : str
        Parameter name, as used in formulas, priors and summaries.
    constraint : {"real", "positive", "unit"}
        The parameter's domain; a user prior must put its mass inside it.
    prior : Prior or callable
        Default prior, or a function of :class:`~bayescale.priors.DataStats` returning
        one (for priors scaled to the data).
    amplitude_of : (str, str, float), optional
        ``(input, exponent, sign)`` when the parameter multiplies ``input ** (sign *
        exponent)``. The engine then samples the amplitude at the data's geometric-mean
        input, which removes the amplitude-exponent correlation.
    scale_of : str, optional
        Name of the input whose units the parameter carries (a break location, a scale
        constant); the engine samples it relative to that input's geometric mean.
    doc : str
        One-line meaning, shown by ``bayescale laws``.
    """

    name: str
    constraint: str = "real"
    prior: PriorLike = field(default_factory=lambda: Prior("Normal", 0.0, 1.0))
    amplitude_of: tuple[str, str, float] | None = None
    scale_of: str | None = None
    doc: str = ""

    def __post_init__(self) -> None:
        if self.constraint not in CONSTRAINTS:
            raise LawError(
                f"parameter {self.name!r}: unknown constraint {self.constraint!r}; "
                f"accepted: {', '.join(CONSTRAINTS)}"
            )

    def default_prior(self, stats: DataStats) -> Prior:
        """Return the default prior, evaluated on ``stats`` if data-scaled."""
        return self.prior if isinstance(self.prior, Prior) else self.prior(stats)


@dataclass(frozen=True, eq=False)
class Law:
    """A scaling law: named parameters, inputs and a pure JAX mean function.

    Parameters
    ----------
    name : str
        Registry name (``"chinchilla"``) or a label for custom laws.
    params : tuple of Param
        Ordered parameters.
    inputs : tuple of str
        Names of the inputs the mean function reads (e.g. ``("N", "D")``).
    fn : callable
        ``fn(params, inputs) -> mean``; pure JAX (jit, vmap and grad safe), with
        ``params`` and ``inputs`` mappings of arrays that broadcast together.
    log_fn : callable, optional
        ``log(fn)`` computed stably (e.g. in log-sum-exp form); used by likelihoods on
        log y. Defaults to ``log(fn(...))``.
    guess : callable, optional
        ``guess(inputs, y) -> dict`` of starting values from NumPy data.
    formula : str
        The law in plain text, e.g. ``"L = E + A / N**alpha + B / D**beta"``.
    positive : bool
        Whether the mean is positive everywhere (log-scale likelihoods allowed).
    key : tuple, optional
        Identity for caching compiled samplers; defaults to ``("law", name, id(fn))``.
    positive_inputs : tuple of str, optional
        Inputs that must be > 0 (the law takes their logarithm). Defaults to all inputs;
        laws with inputs that may be zero or negative (bit counts, annealing areas) list
        only the others.
    description : str
        Longer text (reference, parameter meanings).
    """

    name: str
    params: tuple[Param, ...]
    inputs: tuple[str, ...]
    fn: MeanFn
    log_fn: MeanFn | None = None
    guess: Callable[[Mapping[str, np.ndarray], np.ndarray], dict[str, float]] | None = None
    formula: str = ""
    positive: bool = True
    key: tuple[Any, ...] = ()
    description: str = ""
    positive_inputs: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            raise LawError(f"law {self.name!r}: duplicate parameter names in {names}")
        if not self.inputs:
            raise LawError(f"law {self.name!r}: needs at least one input")
        clash = set(names) & set(self.inputs)
        if clash:
            raise LawError(f"law {self.name!r}: names used as both parameter and input: "
                           f"{sorted(clash)}")
        for p in self.params:
            if p.amplitude_of is not None:
                inp, expo, _ = p.amplitude_of
                if inp not in self.inputs or expo not in names:
                    raise LawError(f"law {self.name!r}: parameter {p.name!r} pivots on "
                                   f"unknown input/exponent {p.amplitude_of}")
            if p.scale_of is not None and p.scale_of not in self.inputs:
                raise LawError(f"law {self.name!r}: parameter {p.name!r} scales unknown "
                               f"input {p.scale_of!r}")
        if not self.key:
            object.__setattr__(self, "key", ("law", self.name, id(self.fn)))
        if self.positive_inputs is None:
            object.__setattr__(self, "positive_inputs", tuple(self.inputs))
        elif not set(self.positive_inputs) <= set(self.inputs):
            raise LawError(f"law {self.name!r}: positive_inputs {self.positive_inputs} must be "
                           f"among the inputs {self.inputs}")

    @property
    def param_names(self) -> tuple[str, ...]:
        """Names of the parameters, in order."""
        return tuple(p.name for p in self.params)

    def param(self, name: str) -> Param:
        """Return the parameter called ``name``."""
        for p in self.params:
            if p.name == name:
                return p
        raise LawError(f"law {self.name!r} has no parameter {name!r}; "
                       f"its parameters are {', '.join(self.param_names)}")

    def __call__(self, params: Mapping[str, Any], **inputs: Any) -> Any:
        """Evaluate the mean, e.g. ``law({"E": 1.7, ...}, N=1e9, D=2e10)``."""
        missing = [n for n in self.inputs if n not in inputs]
        if missing:
            raise LawError(f"law {self.name!r} needs inputs {list(self.inputs)}; "
                           f"missing {missing}")
        p = {k: jnp.asarray(v) for k, v in params.items()}
        x = {k: jnp.asarray(inputs[k]) for k in self.inputs}
        return self.fn(p, x)

    def log_mean(self, params: Mapping[str, Any], inputs: Mapping[str, Any]) -> Any:
        """Log of the mean, through ``log_fn`` when the law has one."""
        if self.log_fn is not None:
            return self.log_fn(params, inputs)
        return jnp.log(self.fn(params, inputs))

    #: ``Law.from_formula(formula, *, name=None, inputs=None, priors=None)``: the law of a
    #: formula string such as ``"loss ~ E + A / N**alpha"`` (the grammar:
    #: :func:`bayescale.laws.from_formula`). Bound by :mod:`bayescale.laws._formula`,
    #: which holds the parser and imports this module: the two do not import each other.
    from_formula: ClassVar[Callable[..., Law]]

    def __repr__(self) -> str:
        return (f"Law({self.name!r}, params={list(self.param_names)}, "
                f"inputs={list(self.inputs)})")

    def _repr_html_(self) -> str:
        import html

        rows = "".join(
            f"<tr><td>{html.escape(p.name)}</td><td>{html.escape(p.constraint)}</td>"
            f"<td>{html.escape(p.doc)}</td></tr>" for p in self.params)
        return (f"<div><b>{html.escape(self.name)}</b>: <code>{html.escape(self.formula)}"
                f"</code><table><tr><th>param</th><th>domain</th><th>meaning</th></tr>"
                f"{rows}</table></div>")


def resolve_inputs(law: Law, x_columns: tuple[str, ...], inputs: Mapping[str, Any]
                   ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Map user keywords (data column or law input names) to broadcast float arrays.

    Returns
    -------
    (by_input, by_column) : tuple of dict
    """
    col_of = dict(zip(law.inputs, x_columns, strict=True))
    inp_of = {c: i for i, c in col_of.items()}
    by_input: dict[str, Any] = {}
    for key, value in inputs.items():
        if key in inp_of:
            by_input[inp_of[key]] = value
        elif key in col_of:
            by_input[key] = value
        else:
            raise BayescaleError(
                f"unknown input {key!r}; this fit takes {list(x_columns)} (law inputs "
                f"{list(law.inputs)})")
    missing = [col_of[i] for i in law.inputs if i not in by_input]
    if missing:
        raise BayescaleError(f"give a value for every input; missing {missing}, e.g. "
                             f"predict({', '.join(f'{c}=1e10' for c in missing)})")
    arrays = [np.asarray(by_input[i], dtype=float) for i in law.inputs]
    arrays = np.broadcast_arrays(*[np.atleast_1d(a) for a in arrays])
    positive = set(law.positive_inputs or law.inputs)
    for i, a in zip(law.inputs, arrays, strict=True):
        good = np.isfinite(a) & ((a > 0) if i in positive else True)
        if not np.all(good):
            bad = a[~good].ravel()[0].item()
            need = "finite and > 0" if i in positive else "finite"
            raise BayescaleError(f"input {col_of[i]!r} = {bad!r} must be {need}")
    out = {i: a.ravel() for i, a in zip(law.inputs, arrays, strict=True)}
    return out, {col_of[i]: v for i, v in out.items()}
