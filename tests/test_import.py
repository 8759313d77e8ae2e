"""``import bayescale`` stays light: ArviZ, matplotlib, scipy.signal and the widgets load
on first use (the import-time target lives in ``benchmarks/bench_import.py``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

HEAVY = ("arviz", "arviz_base", "arviz_stats", "arviz_plots", "matplotlib", "scipy.signal",
         "anywidget", "ipywidgets", "IPython", "bayescale.widgets")


def _run(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON object on its last line."""
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_does_not_load_heavy_modules():
    out = _run(f"""
        import json, sys
        import bayescale
        print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))
    """)
    assert out == [], f"`import bayescale` imported {', '.join(out)}"


def test_lazy_names_still_work():
    out = _run("""
        import json, sys
        import bayescale as bs

        before = "arviz" in sys.modules
        from bayescale import load
        from bayescale.result import load as load2
        from bayescale.result._io import load as load3
        lazy = {name: getattr(bs, name) is not None for name in bs.__all__}
        print(json.dumps({
            "before": before,
            "load": load is load2 is load3 is bs.load is bs.result.load,
            "lazy": lazy,
            "dir": sorted(set(bs.__all__) - set(dir(bs))),
            "widgets": bs.widgets.__name__,
            "explore": bs.explore is bs.widgets.explore,
            "widget_names": [n for n in bs.widgets.__all__ if getattr(bs.widgets, n) is None],
            "passuntil": bs.passuntil.__name__,
            "datasets": bs.datasets.__name__,
        }))
    """)
    assert out["before"] is False
    assert out["load"] is True
    assert all(out["lazy"].values()), out["lazy"]
    assert out["dir"] == []
    assert out["widgets"] == "bayescale.widgets"
    assert out["explore"] is True
    assert out["widget_names"] == []
    assert out["passuntil"] == "bayescale.passuntil"
    assert out["datasets"] == "bayescale.datasets"


def test_missing_attribute_raises():
    out = _run("""
        import json
        import bayescale, bayescale.result
        errors = []
        for mod in (bayescale, bayescale.result):
            try:
                mod.no_such_name
            except AttributeError as err:
                errors.append(str(err))
        print(json.dumps(errors))
    """)
    assert len(out) == 2 and all("no_such_name" in e for e in out), out
