import numpy as np
import pandas as pd
import pytest

import bayescale.passuntil as pu
from bayescale._errors import DataError


def _df(**over):
    df = pd.DataFrame(
        {
            "size": [1e8, 1e8, 1e9, 1e9],
            "item": ["a", "b", "a", "b"],
            "passes": [2, 2, 2, 1],
            "attempts": [5000, 100_000, 40, 777],
            "cap": [100_000] * 4,
        }
    )
    for k, v in over.items():
        df[k] = v
    return df


def _records(df, **kw):
    return pu.PassUntilRecords.from_dataframe(
        df, N="size", instance="item", r="passes", K="attempts", K_max="cap", **kw
    )


def test_records_from_dataframe_infers_censoring_at_the_cap():
    recs = _records(_df())
    assert recs.censored.tolist() == [False, True, False, False]
    assert recs.instances == ("a", "b")
    assert recs.sizes.tolist() == [1e8, 1e9]
    assert recs.n_censored == 1
    np.testing.assert_allclose(recs.pu(), [2 / 5000, np.nan, 2 / 40, 1 / 777])
    back = recs.to_dataframe()
    assert list(back.columns) == ["N", "instance", "r", "K", "K_max", "censored"]
    assert "1 censored" in repr(recs)


def test_records_explicit_censoring_column_and_scalar_cap():
    df = _df(cens=[False, False, False, False]).drop(columns="cap")
    recs = pu.PassUntilRecords.from_dataframe(
        df,
        N="size",
        instance="item",
        r="passes",
        K="attempts",
        K_max=100_000,
        censored="cens",
    )
    assert not recs.censored.any()  # r-th pass exactly at the cap


def test_records_are_immutable():
    recs = _records(_df())
    with pytest.raises(AttributeError):
        recs.K = recs.K  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        recs.K[0] = 3


@pytest.mark.parametrize(
    ("over", "match"),
    [
        ({"attempts": [5000, 100_000, 40, 1.5]}, r"column 'attempts', row 3: value 1.5"),
        ({"attempts": [5000, 200_000, 40, 7]}, r"column 'attempts', row 1: .*no larger than"),
        ({"passes": [2, 0, 2, 1]}, r"column 'passes', row 1: value 0 .*integers >= 1"),
        ({"size": [1e8, -1.0, 1e9, 1e9]}, r"column 'size', row 1: .*positive model sizes"),
        ({"item": ["a", None, "a", "b"]}, r"column 'item', row 1: .*non-missing labels"),
        ({"attempts": [1, 100_000, 40, 7]}, r"column 'attempts', row 0: .*at least 'passes'"),
        ({"size": ["x", 1e8, 1e9, 1e9]}, r"column 'size', row 0: value 'x' .*numbers"),
    ],
)
def test_records_errors_name_column_row_and_accepted(over, match):
    with pytest.raises(DataError, match=match):
        _records(_df(**over))


def test_records_missing_column_lists_columns():
    with pytest.raises(DataError, match=r"column 'K' \(the K\) is not in the DataFrame"):
        pu.PassUntilRecords.from_dataframe(_df(), N="size", instance="item", r="passes")


def test_censored_rows_must_sit_at_the_cap():
    with pytest.raises(DataError, match="the cap K_max on censored rows"):
        _records(_df(c=[False, True, True, False]), censored="c")


def test_counts_validation_thinning_and_coverage():
    df = pd.DataFrame(
        {
            "m": ["x"] * 3 + ["y"] * 3,
            "prob": [1, 2, 3] * 2,
            "n": [200] * 6,
            "c": [10, 0, 200, 5, 5, 5],
            "N": [1e8] * 3 + [1e9] * 3,
        }
    )
    counts = pu.PassCounts.from_dataframe(df, model="m", problem="prob", N="N")
    assert counts.models == ("x", "y")
    assert counts.sizes.tolist() == [1e8, 1e9]
    cov = counts.coverage([1, 10])
    expected = np.mean(pu.pass_at_k(200, [10, 0, 200], 10))
    assert cov.query("model == 'x' and k == 10").coverage.item() == pytest.approx(expected)
    thin = counts.thin(50, seed=3)
    assert thin.n.tolist() == [50] * 6
    assert thin.c[1] == 0 and thin.c[2] == 50 and np.all(thin.c <= 50)
    assert counts.thin(50, seed=3).c.tolist() == thin.c.tolist()  # seeded
    assert len(counts.subset("y")) == 3
    with pytest.raises(ValueError, match=r"unknown model\(s\) \['z'\]"):
        counts.subset("z")
    with pytest.raises(ValueError, match="k=500 exceeds the 200 samples"):
        counts.coverage(500)


@pytest.mark.parametrize(
    ("over", "match"),
    [
        ({"c": [10, 0, 201]}, r"column 'c', row 2: value 201 .*integers in 0..n"),
        ({"prob": [1, 1, 3]}, r"column 'prob', row 1: .*one row per \(model, problem\)"),
        ({"n": [0, 200, 200]}, r"column 'n', row 0: value 0"),
    ],
)
def test_counts_errors(over, match):
    df = pd.DataFrame({"m": ["x"] * 3, "prob": [1, 2, 3], "n": [200] * 3, "c": [10, 0, 200]})
    for k, v in over.items():
        df[k] = v
    with pytest.raises(DataError, match=match):
        pu.PassCounts.from_dataframe(df, model="m", problem="prob")


def test_counts_one_size_per_model():
    df = pd.DataFrame(
        {"model": ["x", "x"], "problem": [1, 2], "n": [5, 5], "c": [1, 2], "N": [1e8, 2e8]}
    )
    with pytest.raises(DataError, match="one size per model"):
        pu.PassCounts.from_dataframe(df, N="N")
