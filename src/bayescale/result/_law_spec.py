"""How a saved fit names its law and priors: to JSON, and back with bounded options."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

from bayescale._errors import BayescaleError, FitFileError
from bayescale.laws import _registry
from bayescale.laws._formula import from_formula
from bayescale.laws._law import Law
from bayescale.priors import Prior

__all__ = ["_law_from_spec", "_law_spec", "_prior"]

#: Bounds on the options of registered law factories stored in a file: building a law is
#: cheap only for small ones (``bnsl`` with a million breaks would not finish).
_OPTION_BOUNDS = {"n_breaks": (1, 8), "n_pools": (1, 32)}
#: Registered law factories: the options that their laws' keys carry, in order.
_FACTORY_OPTIONS = {"bnsl": ("n_breaks",), "sigmoid_accuracy": ("floor", "increasing"),
                    "data_filtering": ("n_pools",)}


def _law_spec(law: Law) -> dict[str, Any]:
    if law.key and law.key[0] == "formula":
        # the response's name is kept in the law's text only ("loss = E + A / C ** alpha")
        response = (law.formula or "").partition(" = ")[0].strip()
        return {"kind": "formula", "formula": law.key[1], "inputs": list(law.key[2]),
                "priors": {k: v.to_dict() for k, v in law.key[3]}, "name": law.name,
                "response": response if response.isidentifier() else "y"}
    if law.key and law.key[0] == "law" and law.key[1] in _FACTORY_OPTIONS:
        names = _FACTORY_OPTIONS[law.key[1]]
        return {"kind": "registry", "name": law.key[1],
                "options": dict(zip(names, law.key[2:2 + len(names)], strict=True))}
    if law.name in _registry.names() and _registry.get(law.name) is law:
        return {"kind": "registry", "name": law.name, "options": {}}
    return {"kind": "custom", "name": law.name, "formula": law.formula}


def _check_options(name: str, options: Any) -> dict[str, Any]:
    if not isinstance(options, dict):
        raise FitFileError(f"the options of law {name!r} are not a mapping: {options!r}")
    allowed = _FACTORY_OPTIONS.get(name, ())
    bad = sorted(set(options) - set(allowed))
    if bad:
        raise FitFileError(f"law {name!r} takes the options {list(allowed)}, the file "
                           f"gives {bad}")
    for key, value in options.items():
        if key in _OPTION_BOUNDS:
            lo, hi = _OPTION_BOUNDS[key]
            if (isinstance(value, bool) or not isinstance(value, Integral)
                    or not lo <= value <= hi):
                raise FitFileError(f"law {name!r}: option {key}={value!r} is out of the "
                                   f"range a saved fit may hold (an integer {lo}..{hi})")
        elif key == "floor" and not (isinstance(value, Real) and not isinstance(value, bool)
                                     and 0 <= value < 1):
            raise FitFileError(f"law {name!r}: option floor={value!r} must be in [0, 1)")
        elif key == "increasing" and not isinstance(value, bool):
            raise FitFileError(f"law {name!r}: option increasing={value!r} must be a bool")
    return options


def _law_from_spec(spec: dict[str, Any], law: Law | None) -> Law:
    if law is not None:
        if not isinstance(law, Law):
            raise BayescaleError(f"law= must be a bayescale Law, got {type(law).__name__}")
        return law
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str | None):
        raise FitFileError(f"the law is not described by a mapping with a name: {spec!r}")
    kind = spec.get("kind")
    if kind in ("registry", "custom") and not isinstance(spec.get("name"), str):
        raise FitFileError(f"the {kind} law is stored without its name")
    if kind == "registry":
        return _registry.get(spec["name"], **_check_options(spec["name"],
                                                            spec.get("options", {})))
    if kind == "formula":
        if not isinstance(spec.get("formula"), str) or not isinstance(spec.get("inputs"),
                                                                      list):
            raise FitFileError("the formula law is stored without its formula or inputs")
        priors = spec.get("priors", {})
        if not isinstance(priors, dict):
            raise FitFileError(f"the formula's priors are not a mapping: {priors!r}")
        priors = {k: _prior(k, v) for k, v in priors.items()}
        # files written before the response was stored: the formula as it is ("y" unless
        # it names one before "~")
        text, response = spec["formula"], spec.get("response")
        if response is not None:
            if not isinstance(response, str) or not response.isidentifier():
                raise FitFileError(f"the formula's response name {response!r} is not a "
                                   "plain name")
            text = f"{response} ~ {text}"
        return from_formula(text, name=spec.get("name"),
                            inputs=tuple(spec["inputs"]), priors=priors or None)
    if kind == "custom":
        raise FitFileError(f"this file holds a fit of the custom law {spec['name']!r}, which "
                           "is not in the registry; pass it: bs.load(path, law=my_law)")
    raise FitFileError(f"unknown kind of law {kind!r}; accepted: 'registry', 'formula', "
                       "'custom'")


def _prior(name: Any, spec: Any) -> Prior:
    if not isinstance(name, str) or not isinstance(spec, dict):
        raise FitFileError(f"the prior of {name!r} is not a prior description: {spec!r}")
    try:
        if not isinstance(spec.get("args"), list) or not isinstance(spec.get("family"), str):
            raise TypeError("a family name and a list of arguments are needed")
        return Prior.from_dict(spec)
    except (BayescaleError, KeyError, TypeError, ValueError) as exc:
        raise FitFileError(f"the prior of {name!r} does not parse ({exc})") from None
