"""Exceptions raised by bayescale for bad input, and its warnings.

Every error names the bad value and says what is accepted.
"""

from __future__ import annotations

from collections.abc import Iterable


class BayescaleError(ValueError):
    """Base class for bayescale's input errors."""


class DataError(BayescaleError):
    """Data that cannot be fitted: missing columns, non-finite or out-of-domain values."""


class LawError(BayescaleError):
    """An unknown law, a bad law definition or a formula that cannot be parsed safely."""


class PriorError(BayescaleError):
    """An unknown prior family, a prior for an unknown parameter or bad prior arguments."""


class FitFileError(BayescaleError):
    """A saved fit that cannot be loaded: unreadable, malformed or inconsistent."""


class BayescaleWarning(UserWarning):
    """Base class for bayescale's warnings about its own machinery."""


class CacheWarning(BayescaleWarning):
    """An on-disk cache entry was ignored (corrupt or unwritable); the fit goes on."""


def one_of(valid: Iterable[str]) -> str:
    """Format a list of valid names for an error message."""
    names = sorted(valid)
    return ", ".join(repr(n) for n in names) if names else "(none)"
