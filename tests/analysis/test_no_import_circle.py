"""analysis's modules form no import circle (issue 19, item 4): crossover reads curves
through analysis._curves, and the acyclic contract covers bayescale.analysis."""

from __future__ import annotations

import tomllib
from pathlib import Path

import bayescale.analysis as analysis
from bayescale.analysis import _crossover, _curves

ROOT = Path(__file__).resolve().parents[2]


def test_the_acyclic_contract_skips_no_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contract = next(c for c in config["contracts"] if c["id"] == "acyclic")
    assert not contract.get("skip_descendants")
    assert not contract.get("ignore_imports")


def test_crossover_reads_curves_from_their_own_module():
    assert analysis.curve_draws is _curves.curve_draws is _crossover.curve_draws
    source = (ROOT / "src" / "bayescale" / "analysis" / "_crossover.py").read_text()
    assert "analysis._joint" not in source
