"""Bad input gets a clear error naming the value and what is accepted (API and CLI)."""

import numpy as np
import pytest

import bayescale as bs
from bayescale.cli import main


@pytest.fixture
def df():
    return bs.datasets.example("saturating")


def _kw():
    return dict(num_chains=1, num_warmup=10, num_samples=10, progress=False)


@pytest.mark.parametrize(("mutate", "match"), [
    (lambda d: d.assign(loss=d["loss"].where(d.index != 3, np.nan)),
     r"column 'loss', row 3: value nan is not a finite number"),
    (lambda d: d.assign(C=d["C"].where(d.index != 2, np.inf)), r"column 'C', row 2"),
    (lambda d: d.assign(C=d["C"].where(d.index != 5, 0.0)),
     r"column 'C', row 5: value 0.0 must be > 0 because the law takes its logarithm"),
    (lambda d: d.assign(loss=d["loss"].where(d.index != 1, -2.0)), r"column 'loss', row 1"),
    (lambda d: d.assign(C=d["C"].astype(object).where(d.index != 4, "big")),
     r"column 'C', row 4: value 'big' is not a finite number"),
    (lambda d: d.head(3), r"3 data point\(s\) cannot identify this model"),
])
def test_bad_values(df, mutate, match):
    with pytest.raises(bs.DataError, match=match):
        bs.fit(mutate(df), "saturating_power", x="C", y="loss", **_kw())


def test_missing_and_misspelled_columns(df):
    with pytest.raises(bs.DataError, match=r"input column 'c' is not in the data.*mean 'C'"):
        bs.fit(df, "saturating_power", x="c", y="loss", **_kw())
    with pytest.raises(bs.DataError, match=r"response column 'los'.*Did you mean 'loss'"):
        bs.fit(df, "saturating_power", x="C", y="los", **_kw())
    with pytest.raises(bs.DataError, match=r"takes 2 input\(s\) \['N', 'D'\]"):
        bs.fit(df, "chinchilla", x="C", y="loss", **_kw())
    with pytest.raises(bs.BayescaleError, match="name the response column"):
        bs.fit(df, "saturating_power", x="C", **_kw())


def test_unknown_names(df):
    with pytest.raises(bs.LawError, match=r"unknown law 'chinchila'.*'chinchilla'"):
        bs.fit(df, "chinchila", x="C", y="loss", **_kw())
    with pytest.raises(bs.PriorError, match=r"unknown parameter\(s\) \['gamma'\].*'alpha'"):
        bs.fit(df, "saturating_power", x="C", y="loss", priors={"gamma": bs.Prior("Normal", 0, 1)},
               **_kw())
    with pytest.raises(bs.PriorError, match="unknown prior family 'Normall'"):
        bs.Prior("Normall", 0, 1)
    with pytest.raises(bs.PriorError, match="takes 2 argument"):
        bs.Prior("Beta", 2)
    with pytest.raises(bs.PriorError, match="outside the parameter's domain"):
        bs.fit(df, "saturating_power", x="C", y="loss",
               priors={"alpha": bs.Prior("Normal", 0, 1)}, **_kw())
    with pytest.raises(bs.BayescaleError, match="unknown likelihood 'poisson'"):
        bs.fit(df, "saturating_power", x="C", y="loss", likelihood="poisson", **_kw())
    with pytest.raises(bs.PriorError, match="unknown published fit 'kaplan'"):
        bs.priors.from_published("kaplan")


@pytest.mark.parametrize(("formula", "match"), [
    ("loss ~ E + foo(C)", "unknown function 'foo'"),
    ("loss ~ E + C.real", "construct Attribute"),
    ("loss ~ __import__('os')", "unknown function '__import__'"),
    ("loss ~ (lambda q: q)(C)", "only plain function calls"),
    ("loss ~ E + C[0]", "construct Subscript"),
])
def test_dangerous_formulas(df, formula, match):
    with pytest.raises(bs.LawError, match=match) as info:
        bs.fit(df, formula, x="C", **_kw())
    assert "Accepted:" in str(info.value)


def test_bad_settings(df):
    with pytest.raises(bs.BayescaleError, match="num_chains must be an integer >= 1"):
        bs.fit(df, "saturating_power", x="C", y="loss", num_chains=0)
    with pytest.raises(bs.BayescaleError, match="target_accept_prob"):
        bs.fit(df, "saturating_power", x="C", y="loss", target_accept_prob=1.2)
    with pytest.raises(bs.DataError, match="must be a pandas DataFrame"):
        bs.fit(42, "saturating_power", x="C", y="loss")


@pytest.fixture
def csv(tmp_path, df):
    path = tmp_path / "runs.csv"
    df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("args", "match"), [
    (["--law", "nope", "--x", "C", "--y", "loss"], "unknown law 'nope'"),
    (["--law", "saturating_power", "--x", "CC", "--y", "loss"], "input column 'CC'"),
    (["--formula", "loss ~ E + os.system(C)", "--x", "C"], "only plain function calls"),
    (["--law", "saturating_power", "--x", "C", "--y", "loss", "--predict", "C=abc"],
     "not a number"),
    (["--x", "C", "--y", "loss"], "exactly one of --law"),
])
def test_cli_errors(csv, capsys, args, match):
    assert main(["fit", str(csv), *args, "--samples", "10", "--warmup", "10", "--quiet"]) == 2
    assert match in capsys.readouterr().err


def test_cli_bad_values(tmp_path, df, capsys):
    path = tmp_path / "bad.csv"
    df.assign(loss=df["loss"].where(df.index != 2, -1)).to_csv(path, index=False)
    assert main(["fit", str(path), "--law", "saturating_power", "--x", "C", "--y", "loss",
                 "--quiet"]) == 2
    assert "column 'loss', row 2" in capsys.readouterr().err
    assert main(["fit", str(tmp_path / "none.csv"), "--law", "saturating_power", "--x", "C",
                 "--y", "loss", "--quiet"]) == 2
    assert "does not exist" in capsys.readouterr().err
