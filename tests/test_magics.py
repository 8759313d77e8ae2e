"""%bayescale magics in a fresh IPython shell."""

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.terminal.interactiveshell import TerminalInteractiveShell
from IPython.testing.globalipapp import start_ipython
from IPython.utils.capture import capture_output

import bayescale as bs

pytestmark = pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")


@pytest.fixture(scope="module")
def ip():
    # start_ipython() builds the one test shell of the process; a test file run earlier by
    # the same (xdist) worker may have built it already, and then it returns None
    shell = start_ipython() or TerminalInteractiveShell.instance()
    # a notebook front end renders HTML; the terminal test shell only plain text by default
    shell.display_formatter.active_types = ["text/plain", "text/html",
                                            "application/vnd.jupyter.widget-view+json"]
    shell.run_line_magic("load_ext", "bayescale")
    shell.user_ns["df"] = bs.datasets.example("saturating")
    shell.run_line_magic("config", "BayescaleMagics.num_samples = 150")
    shell.run_line_magic("config", "BayescaleMagics.num_warmup = 150")
    shell.run_line_magic("config", "BayescaleMagics.num_chains = 2")
    shell.run_line_magic("config", "BayescaleMagics.show_widget = False")
    yield shell
    shell.user_ns.pop("df", None)


def test_config_applies(ip):
    magics = next(m for m in ip.configurables if type(m).__name__ == "BayescaleMagics")
    assert magics.num_samples == 150 and magics.num_chains == 2


def test_fit_formula_stores_fit(ip):
    with capture_output() as cap:
        ip.run_line_magic("bayescale", 'fit df "loss ~ E + A * C**(-alpha)" --x C -o f1')
    fit = ip.user_ns["f1"]
    assert isinstance(fit, bs.Fit) and fit.num_draws == 300
    assert "stored the fit as 'f1'" in cap.stdout
    assert any("text/html" in o.data for o in cap.outputs)


def test_fit_law_with_predict(ip):
    with capture_output() as cap:
        ip.run_line_magic("bayescale", "fit df --law saturating_power --x C --y loss "
                          "--predict C=1e24,C=1e25 --samples 100 --seed 3 -o f2")
    fit = ip.user_ns["f2"]
    assert fit.num_draws == 200 and fit.settings["seed"] == 3
    tables = [o for o in cap.outputs if "text/html" in o.data]
    assert len(tables) == 2  # the summary and the prediction table
    html, text = tables[1].data["text/html"], tables[1].data["text/plain"]
    assert "<td>1e24</td>" in html and "<td>1e25</td>" in html and "e+" not in html
    assert text.split()[:5] == ["C", "mean", "median", "lower", "upper"] and "1e24" in text


def test_cell_magic(ip):
    cell = """
    data: df            # the DataFrame
    law: saturating_power
    x: C
    y: loss
    priors: alpha = LogNormal(-1.6, 0.5); E = LogNormal(0.6, 0.3)
    predict: C = 1e24
    samples: 120
    """
    with capture_output():
        ip.run_cell_magic("bayescale", "-o f3", cell)
    fit = ip.user_ns["f3"]
    assert fit.num_draws == 240
    assert set(fit.priors) == {"alpha", "E"}


def test_laws(ip):
    table = ip.run_line_magic("bayescale", "laws")
    assert isinstance(table, pd.DataFrame) and "chinchilla" in table.index


def test_widget_displayed(ip):
    ip.run_line_magic("config", "BayescaleMagics.show_widget = True")
    try:
        with capture_output() as cap:
            ip.run_line_magic("bayescale", 'fit df "loss ~ E + A * C**(-alpha)" --x C -o f4')
    finally:
        ip.run_line_magic("config", "BayescaleMagics.show_widget = False")
    assert isinstance(ip.user_ns["f4"], bs.Fit)
    assert cap.outputs


@pytest.mark.parametrize(("line", "match"), [
    ("", "missing a command"),
    ("fitt df", "unknown command 'fitt'"),
    ("fit", "needs a DataFrame name"),
    ("fit nope --law saturating_power --x C --y loss", "'nope' is not defined"),
    ("fit df", "either a formula or --law"),
    ('fit df "loss ~ E + A * C**(-alpha)" --law saturating_power', "either a formula or --law"),
    ("fit df --law saturating_power --x C --y loss --samples many", "expects an integer"),
    ("fit df --law saturating_power --x C --y loss --samples 0", "must be positive"),
    ("fit df --law saturating_power --x C --y loss --bogus 1", "unknown option '--bogus'"),
    ("fit df --law saturating_power --x C --y loss --predict C", "NAME=VALUE"),
    ("fit df --law saturating_power --x C --y loss --predict C=big", "not a number"),
    ("fit df --law saturating_pow --x C --y loss", "unknown law 'saturating_pow'"),
    ("fit df --law saturating_power --x CC --y loss", "input column 'CC'"),
    ('fit df "loss ~ E + os.system(C)" --x C', "only plain function calls"),
    ("fit df --law saturating_power --x C --y loss --samples", "needs a value"),
    ('fit df "unclosed', "cannot parse the line"),
    ("laws extra", "takes no arguments"),
    ("crossover f1", "needs two fit names"),
])
def test_usage_errors(ip, line, match):
    with pytest.raises(UsageError, match=match) as info:
        ip.run_line_magic("bayescale", line)
    assert "Usage:" in str(info.value)


@pytest.mark.parametrize(("cell", "match"), [
    ("law: saturating_power\nx: C\ny: loss", "needs a 'data: DATAFRAME' line"),
    ("data: df\nx: C\ny: loss", "exactly one of 'law: NAME'"),
    ("data: df\nlaw: saturating_power\nformula: loss ~ E", "exactly one of"),
    ("data: df\nlaw saturating_power", "expected 'key: value'"),
    ("data: df\nmodel: saturating_power", "unknown key 'model'"),
    ("data: df\nlaw: saturating_power\nx: C\ny: loss\npriors: alpha = Beta(2)",
     "takes 2 argument"),
    ("data: df\nlaw: saturating_power\nx: C\ny: loss\npriors: alpha = 3", "Family"),
    ("data: df\nlaw: saturating_power\nx: C\ny: loss\npriors: gamma = Normal(0, 1)",
     "unknown parameter"),
])
def test_cell_usage_errors(ip, cell, match):
    with pytest.raises(UsageError, match=match):
        ip.run_cell_magic("bayescale", "", cell)


def test_passuntil_coverage(ip):
    import numpy as np

    rng = np.random.default_rng(0)
    p = rng.beta(0.3, 3.0, size=60)
    c = rng.binomial(200, p)
    ip.user_ns["counts"] = pd.DataFrame({"model": "m", "problem": np.arange(60), "n": 200,
                                         "c": c})
    result = ip.run_line_magic("bayescale", "passuntil counts --law beta -o cov")
    assert ip.user_ns["cov"] is result
    pred = result.predict(k=[1, 100])
    assert {"k", "median", "lower", "upper"} <= set(pred.columns)
    with pytest.raises(UsageError, match="column"):
        ip.run_line_magic("bayescale", "passuntil counts --n samples")


def test_errors_speak_the_line_magics_syntax(ip):
    with pytest.raises(UsageError) as info:
        ip.run_line_magic("bayescale", "fit df --law saturating_power --x C")
    first = str(info.value).splitlines()[0]
    assert first == "name the response column with --y COL, e.g. --y loss", first


def test_errors_speak_the_cell_magics_keys(ip):
    with pytest.raises(UsageError) as info:
        ip.run_cell_magic("bayescale", "", "data: df\nlaw: saturating_power\nx: C")
    first = str(info.value).splitlines()[0]
    assert first == "name the response column with y: COL, e.g. y: loss", first


@pytest.mark.parametrize(("line", "match"), [
    ("fit df --law saturating_power --x C --y loss --predict Q=1",
     r"cannot predict at \['Q'\]: this fit takes \['C'\]"),
    ("fit df --law saturating_power --x C --y loss -o 1bad", "Python variable name.*'1bad'"),
    ("fit df --law saturating_power --x C --y loss -o class", "Python variable name"),
    ("fit df --law saturating_power --x C --y loss --likelihood gaussianish", "gaussianish"),
])
def test_bad_arguments_are_refused_before_sampling(ip, monkeypatch, line, match):
    monkeypatch.setattr(bs, "fit", lambda *a, **k: pytest.fail("sampling started"))
    with pytest.raises(UsageError, match=match):
        ip.run_line_magic("bayescale", line)


@pytest.mark.parametrize(("cell", "match"), [
    ("data: df\nlaw: saturating_power\nx: C\ny: loss\npredict: Q = 1", r"\['Q'\]"),
    ("data: df\nlaw: saturating_power\nx: C\ny: loss\nout: 1bad", "Python variable name"),
])
def test_bad_cells_are_refused_before_sampling(ip, monkeypatch, cell, match):
    monkeypatch.setattr(bs, "fit", lambda *a, **k: pytest.fail("sampling started"))
    with pytest.raises(UsageError, match=match):
        ip.run_cell_magic("bayescale", "", cell)


def test_warnings_are_said_as_the_magics(ip, capsys):
    ip.run_line_magic("bayescale", "fit df --law saturating_power --x C --y loss --chains 1 "
                                   "--samples 50 --warmup 50 -o one_chain --no-widget")
    err = capsys.readouterr().err
    assert "%bayescale: DiagnosticWarning: bayescale fit diagnostics: R-hat cannot" in err
    assert ".py:" not in err
    assert isinstance(ip.user_ns["one_chain"], bs.Fit)
