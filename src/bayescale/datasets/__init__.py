"""Example and public scaling-law datasets.

- :func:`example` simulates built-in examples from published constants (always offline,
  deterministic for a seed); :func:`example_truth` returns the generating constants.
- :func:`load` reads the public datasets listed by :func:`names` from a local directory
  (``path=`` or the ``BAYESCALE_DATA`` environment variable) or downloads them from
  their upstream GitHub repository at a pinned commit, checked by SHA-256.

Examples
--------
>>> from bayescale import datasets
>>> df = datasets.example("chinchilla")
>>> sorted(datasets.example_truth("chinchilla"))[:3]
['A', 'B', 'E']
>>> "chinchilla-epoch" in datasets.names()
True
"""

from __future__ import annotations

from ._examples import example, example_truth
from ._load import load, names

__all__ = ["example", "example_truth", "load", "names"]
