"""Batch layout of fit_many: equal batches, shapes that other curve counts reuse."""

from __future__ import annotations

from bayescale.engine._batching import curve_bucket, equal_batches


def test_equal_batches_share_one_shape():
    chunks, shape = equal_batches(1000, 512)
    assert [len(c) for c in chunks] == [500, 500] and shape == 512
    chunks, shape = equal_batches(10, 4)
    assert [len(c) for c in chunks] == [4, 4, 2] and shape == 4
    assert [i for c in chunks for i in c] == list(range(10))
    assert equal_batches(20, 512) == ([list(range(20))], 24)
    assert equal_batches(10_000, 512)[1] == 512 and len(equal_batches(10_000, 512)[0]) == 20
    chunks, shape = equal_batches(100, 512, parts=2)  # one batch per core
    assert [len(c) for c in chunks] == [50, 50] and shape == 56
    assert [len(c) for c in equal_batches(10, 512, parts=4)[0]] == [5, 5]  # >= 8 curves a batch


def test_curve_bucket_pads_short_curves_to_multiples_of_four():
    assert [curve_bucket(n) for n in (1, 4, 5, 10, 16, 17)] == [4, 4, 8, 12, 16, 23]
