"""The command line, run in-process."""

import pytest

import bayescale as bs
from bayescale.cli import main


def test_laws_lists_registry(capsys):
    assert main(["laws"]) == 0
    out = capsys.readouterr().out
    for name in bs.laws.names():
        assert name in out
    assert "E + A / N**alpha + B / D**beta" in out


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")
def test_fit_predict_save_plot(tmp_path, capsys):
    path = tmp_path / "runs.csv"
    bs.datasets.example("saturating").to_csv(path, index=False)
    out_nc, out_png = tmp_path / "fit.nc", tmp_path / "fit.png"
    rc = main(["fit", str(path), "--law", "saturating_power", "--x", "C", "--y", "loss",
               "--predict", "C=1e24,C=1e25", "--out", str(out_nc), "--plot", str(out_png),
               "--samples", "300", "--warmup", "300", "--chains", "2", "--quiet"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "saturating_power" in text and "Posterior predictive" in text
    assert out_png.stat().st_size > 1000
    fit = bs.load(out_nc)
    assert fit.num_draws == 600


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")
def test_fit_formula(tmp_path, capsys):
    path = tmp_path / "runs.csv"
    bs.datasets.example("saturating").to_csv(path, index=False)
    rc = main(["fit", str(path), "--formula", "loss ~ E + A * C**(-alpha)", "--x", "C",
               "--samples", "200", "--warmup", "200", "--chains", "2", "--quiet"])
    assert rc == 0
    assert "alpha" in capsys.readouterr().out


@pytest.mark.slow
def test_demo(tmp_path, capsys):
    png = tmp_path / "demo.png"
    assert main(["demo", "--plot", str(png), "--quiet", "--samples", "500", "--warmup", "500"]) == 0
    out = capsys.readouterr().out
    assert "Compute-optimal allocation" in out and "N_opt" in out
    assert png.exists()
