"""One way to print numbers: tables, HTML summaries, the CLI and the views.

The rules (mirrored in ``js/src/format.js``; both are tested against the same cases in
``js/test/format_cases.json``):

- ``digits`` significant digits (3 by default), rounded half away from zero on the
  exact binary value (as JavaScript's ``toExponential`` does), trailing zeros dropped;
- plain notation when the rounded value lies in ``[0.01, 10000)``: ``0.0123``, ``2.35``,
  ``1230``; otherwise scientific with a one-digit mantissa and a bare exponent:
  ``1.4e12``, ``5.76e23``, ``1e24``, ``-4.2e-5`` (never ``100e24`` or ``1.0000e+23``);
- ``0`` for zero, ``NaN``, ``inf`` and ``-inf`` for the rest.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext

__all__ = ["DEFAULT_DIGITS", "format_interval", "format_level", "format_number"]

#: Significant digits used when a caller gives none.
DEFAULT_DIGITS = 3
#: Rounded values with a decimal exponent in this range print in plain notation.
_PLAIN_EXPONENTS = range(-2, 4)
_NOTATIONS = ("auto", "sci", "plain")


def _digits_exponent(a: float, digits: int) -> tuple[str, int]:
    """Significant digits and decimal exponent of ``a > 0`` rounded to ``digits``."""
    exact = Decimal(a)  # the binary value, exactly
    e = exact.adjusted()
    with localcontext(prec=digits + 2):
        q = exact.quantize(Decimal(1).scaleb(e - digits + 1), rounding=ROUND_HALF_UP)
    ds = "".join(map(str, q.as_tuple().digits))
    if len(ds) > digits:  # rounded up to the next power of ten (9.996 -> 10.0)
        ds, e = ds[:digits], e + 1
    return ds, e


def format_number(value: float, digits: int = DEFAULT_DIGITS, notation: str = "auto") -> str:
    """Print a number with ``digits`` significant digits.

    Parameters
    ----------
    value : float
        The number (anything ``float()`` accepts).
    digits : int
        Significant digits, 1 to 17.
    notation : {"auto", "sci", "plain"}
        ``"auto"``: plain for rounded values in ``[0.01, 10000)``, scientific otherwise;
        ``"sci"``: always scientific (``2e3``); ``"plain"``: never (``2000``).

    Returns
    -------
    str
        For example ``"1.4e12"``, ``"5.76e23"``, ``"2.35"``, ``"0.0123"``, ``"-4.2e-5"``.

    Raises
    ------
    ValueError
        For ``digits`` outside 1 to 17 or an unknown ``notation``.
    """
    if not 1 <= digits <= 17:
        raise ValueError(f"digits must be between 1 and 17, got {digits!r}")
    if notation not in _NOTATIONS:
        raise ValueError(f"notation must be one of {_NOTATIONS}, got {notation!r}")
    v = float(value)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0"
    ds, e = _digits_exponent(abs(v), digits)
    sign = "-" if v < 0 else ""
    plain = notation == "plain" or (notation == "auto" and e in _PLAIN_EXPONENTS)
    if not plain:
        rest = ds[1:].rstrip("0")
        return f"{sign}{ds[0]}{'.' + rest if rest else ''}e{e}"
    if e >= 0:
        whole, frac = ds[:e + 1].ljust(e + 1, "0"), ds[e + 1:].rstrip("0")
    else:
        whole, frac = "0", ("0" * (-e - 1) + ds).rstrip("0")
    return f"{sign}{whole}{'.' + frac if frac else ''}"


def format_interval(lower: float, upper: float, digits: int = DEFAULT_DIGITS) -> str:
    """An interval as ``"lower – upper"`` (an en dash), each by :func:`format_number`."""
    return f"{format_number(lower, digits)} – {format_number(upper, digits)}"


def format_level(level: float) -> str:
    """A credible level as a percentage: ``0.95`` -> ``"95%"``, ``0.975`` -> ``"97.5%"``."""
    return f"{format_number(100 * float(level), 4, 'plain')}%"

