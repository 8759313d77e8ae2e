"""Layers only look down: the import-linter contracts, and the seams between the layers."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import bayescale as bs
from bayescale.result import _upward

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


@pytest.mark.parametrize("name", sorted(_upward.UPWARD))
def test_every_upward_convenience_resolves(name: str):
    module, _, attribute = _upward.UPWARD[name].partition(":")
    target = _upward.resolve(name)
    assert target is getattr(sys.modules[module], attribute)
    assert callable(target)


def test_unknown_convenience_lists_the_registered_ones():
    with pytest.raises(bs.BayescaleError, match="'compute_optimal'"):
        _upward.resolve("no_such_view")
    with pytest.raises(bs.BayescaleError, match=r"package\.module:attribute"):
        _upward.register("fit_widget", "bayescale.widgets")


def test_register_replaces_a_default(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(_upward.UPWARD, "fit_widget", "builtins:dict")
    assert _upward.resolve("fit_widget") is dict
    _upward.register("fit_widget", "collections:OrderedDict")
    from collections import OrderedDict

    assert _upward.resolve("fit_widget") is OrderedDict


@pytest.mark.parametrize(("public", "engine"), [(bs.fit, bs.engine.sample),
                                                (bs.fit_many, bs.engine.sample_many)])
def test_public_fit_takes_the_engines_arguments(public, engine):
    """``bs.fit`` forwards every argument to the engine: same names, kinds and defaults."""
    def params(fn):
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]

    assert params(public) == params(engine)


def test_diagnostic_names_stay_where_users_find_them():
    from bayescale.engine import _diagnostics as engine_diag
    from bayescale.result import _diagnostics as result_diag

    assert bs.result.DiagnosticWarning is engine_diag.DiagnosticWarning
    assert result_diag.RHAT_MAX == engine_diag.RHAT_MAX == 1.01
    assert result_diag.stuck_chains is engine_diag.stuck_chains


def test_passuntil_has_no_sampler_and_no_exemption():
    """passuntil's models run on the engine (issue 19, item 1): no NUTS runner of its own,
    and the contract that it does not import numpyro.infer holds without exemptions."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contract = next(c for c in config["contracts"] if c["id"] == "passuntil-no-sampler")
    assert contract["forbidden_modules"] == ["numpyro.infer"]
    assert not contract.get("ignore_imports")
    package = ROOT / "src" / "bayescale" / "passuntil"
    assert not (package / "_nuts.py").exists()
    assert not any("numpyro.infer" in p.read_text() for p in package.glob("*.py"))
