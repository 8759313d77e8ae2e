import subprocess
import sys

import pytest

from bayescale.widgets import _bundle


def test_uses_the_built_files(tmp_path):
    (tmp_path / "widget.js").write_text("export default {render(){}}")
    (tmp_path / "widget.css").write_text(".bs-root{}")
    assert _bundle.esm(tmp_path) == tmp_path / "widget.js"
    assert _bundle.css(tmp_path) == tmp_path / "widget.css"


def test_falls_back_to_a_build_hint(tmp_path, monkeypatch):
    monkeypatch.delenv("BAYESCALE_REQUIRE_BUNDLE", raising=False)
    code = _bundle.esm(tmp_path)
    assert isinstance(code, str)
    assert code.startswith("export default")
    assert "npm --prefix js ci && npm --prefix js run build" in code
    assert _bundle.css(tmp_path) == ""


@pytest.mark.parametrize("value", ["1", "true"])
def test_required_bundle_raises(tmp_path, monkeypatch, value):
    monkeypatch.setenv("BAYESCALE_REQUIRE_BUNDLE", value)
    with pytest.raises(_bundle.BundleMissingError, match="npm --prefix js ci"):
        _bundle.esm(tmp_path)


def test_import_bayescale_survives_a_missing_bundle(tmp_path):
    """A fresh interpreter whose static folder is empty still imports bayescale and the view."""
    code = (
        "from bayescale.widgets import _bundle\n"
        f"_bundle.static_dir = lambda: __import__('pathlib').Path({str(tmp_path)!r})\n"
        "import bayescale\n"
        "from bayescale.widgets import ExtrapolationWidget\n"
        "assert 'not built' in ExtrapolationWidget._esm, ExtrapolationWidget._esm\n"
        "print('ok')\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "BAYESCALE_REQUIRE_BUNDLE"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=False, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
