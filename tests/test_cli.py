"""The command line, run in-process."""

import re

import pandas as pd
import pytest

import bayescale as bs
from bayescale.cli import format_table, main


def test_laws_lists_registry(capsys):
    assert main(["laws"]) == 0
    out = capsys.readouterr().out
    for name in bs.laws.names():
        assert name in out
    assert "E + A / N**alpha + B / D**beta" in out
    # each law's source: the papers its description cites
    assert "source: Hoffmann et al. 2022" in out
    assert out.count("source: ") == len(bs.laws.names())
    assert "source: -" not in out, "a registry law cites no paper"


def test_law_sources_reads_citations():
    from bayescale.cli import law_sources

    assert law_sources("Kaplan et al. (2020) Eq. 1.1, after Hestness et al. 2017; "
                       "Kaplan et al. (2020) again") == "Kaplan et al. 2020; Hestness et al. 2017"
    assert law_sources("Smith and Jones 2019a, a user law") == "Smith and Jones 2019a"
    assert law_sources("no citation here") == "-"


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
    predict_table = text.split("Posterior predictive")[1]
    assert "1e24" in predict_table and "1e25" in predict_table
    assert "e+" not in text  # no 1.0000e+24: the one formatter prints every number
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


def test_tables_print_numbers_with_the_one_formatter():
    frame = pd.DataFrame({"C": [1e24, 5.76e23], "median": [1.93456, 2.0], "r_hat": [1.00234, 1.0],
                          "ess_bulk": [1234.6, 800.0], "n": [3, 4]})
    lines = format_table(frame, index=False).splitlines()
    assert lines[0].split() == ["C", "median", "r_hat", "ess_bulk", "n"]
    assert lines[1].split() == ["1e24", "1.93", "1.002", "1235", "3"]
    assert lines[2].split() == ["5.76e23", "2", "1", "800", "4"]


def _help(capsys, *argv):
    with pytest.raises(SystemExit) as info:
        main([*argv, "--help"])
    assert info.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # unwrapped


@pytest.mark.parametrize("command", ["fit", "demo"])
def test_sampler_options_have_help_and_defaults(capsys, command):
    text = _help(capsys, command)
    for option, words in (
            ("--samples N", "posterior draws per chain (default: 1000)"),
            ("--warmup N", "warm-up (adaptation) steps per chain, discarded (default: 1000)"),
            ("--chains N", "independent chains, for R-hat and ESS (default: 4)"),
            ("--seed INT", "random seed; the same seed gives the same fit (default: 0)")):
        assert f"{option} {words}" in text, (option, text)


def test_likelihood_option_lists_the_choices(capsys):
    text = _help(capsys, "fit")
    assert ("--likelihood NAME observation model: one of "
            + ", ".join(bs.likelihoods.names())) in text
    assert "binomial_<items>" in text and "(default: student_t_log" in text


@pytest.mark.parametrize(("argv", "message"), [
    (["--likelihood", "gaussain"], "argument --likelihood: unknown likelihood 'gaussain'; "
                                   "accepted: 'ar1_drift_normal_log'"),
    (["--chains", "0"], "argument --chains: must be an integer >= 1, got 0"),
    (["--samples", "many"], "argument --samples: expected an integer, got 'many'"),
    (["--warmup", "-1"], "argument --warmup: must be an integer >= 0, got -1"),
])
def test_bad_option_values_are_refused_before_fitting(capsys, argv, message):
    with pytest.raises(SystemExit) as info:
        main(["fit", "runs.csv", "--law", "saturating_power", *argv])
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_likelihood_option_takes_count_likelihoods():
    args = bs.cli.build_parser().parse_args(["fit", "r.csv", "--likelihood", "binomial_14042"])
    assert args.likelihood == "binomial_14042"


def test_errors_speak_the_command_lines_options(tmp_path, capsys):
    path = tmp_path / "runs.csv"
    bs.datasets.example("saturating").to_csv(path, index=False)
    assert main(["fit", str(path), "--law", "saturating_power", "--x", "C"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == ("bayescale fit: error: name the response column with --y COL, "
                           "e.g. --y loss")


@pytest.mark.parametrize(("message", "form", "said"), [
    ("use likelihood='normal'", "option", "use --likelihood normal"),
    ("use likelihood='normal'", "cell", "use likelihood: normal"),
    ("pass x=['N', 'D'] or x=...", "option", "pass --x N,D or --x COLS"),
    ("num_chains=2 and seed=3", "cell", "chains: 2 and seed: 3"),
    ("predict(N=1e10) and NAME=VALUE stay", "option", "predict(N=1e10) and NAME=VALUE stay"),
])
def test_speak_options(message, form, said):
    assert bs.cli.speak_options(message, form) == said


@pytest.mark.parametrize(("extra", "message"), [
    (["--predict", "Q=1"], r"cannot predict at \['Q'\]: this fit takes \['C'\]"),
    (["--out", "/nonexistent-folder/fit.nc"], "--out '/nonexistent-folder/fit.nc': folder"),
    (["--plot", "/nonexistent-folder/fit.png"], "--plot .*does not exist"),
    (["--out", "."], "is a folder; give a file name"),
    (["--predict", "C=nan"], r"input 'C' = nan must be finite and > 0"),
    (["--predict", "C=-5"], r"input 'C' = -5.0 must be finite and > 0"),
])
def test_arguments_are_checked_before_sampling(tmp_path, capsys, monkeypatch, extra, message):
    path = tmp_path / "runs.csv"
    bs.datasets.example("saturating").to_csv(path, index=False)
    monkeypatch.setattr(bs, "fit", lambda *a, **k: pytest.fail("sampling started"))
    rc = main(["fit", str(path), "--law", "saturating_power", "--x", "C", "--y", "loss",
               *extra])
    assert rc == 2
    assert re.search(message, capsys.readouterr().err)


def test_a_folder_is_not_a_data_file(tmp_path, capsys):
    assert main(["fit", str(tmp_path), "--law", "saturating_power"]) == 2
    assert "is a folder; give a CSV or Parquet file" in capsys.readouterr().err


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")
def test_the_fit_is_saved_before_a_later_step_fails(tmp_path, capsys, monkeypatch):
    path, out = tmp_path / "runs.csv", tmp_path / "fit.nc"
    bs.datasets.example("saturating").to_csv(path, index=False)

    def broken_plot(fit, path):  # every argument is valid: the plot fails after the fit
        raise ValueError("the plot step failed")

    monkeypatch.setattr(bs.cli, "_save_plot", broken_plot)
    rc = main(["fit", str(path), "--law", "saturating_power", "--x", "C", "--y", "loss",
               "--predict", "C=1e24", "--out", str(out), "--plot", str(tmp_path / "f.png"),
               "--samples", "50", "--warmup", "50", "--chains", "1", "--quiet"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "bayescale fit: error: the plot step failed" in err
    assert bs.load(out).num_draws == 50
    # warnings are said as the command's, with no source line of bayescale's own
    assert "bayescale fit: DiagnosticWarning: bayescale fit diagnostics: R-hat cannot" in err
    assert ".py:" not in err
