"""Leave-future-out splits: where they cut."""

import numpy as np

from bayescale.engine._lfo import split_cuts


def test_cuts_span_the_log_range_of_a_dense_grid():
    s = np.log10(np.arange(1, 101))            # k = 1 ... 100: dense at large k
    cuts = split_cuts(s, min_train=4)
    assert cuts == sorted(cuts) and len(cuts) == len(set(cuts))
    assert min(cuts) < 0.8                      # a split forecasts > 1.2 decades ahead
    assert all(np.sum(s <= c) >= 4 for c in cuts) and max(cuts) < s.max()


def test_cuts_need_enough_training_points():
    s = np.array([0.0, 0.1, 0.2, 3.0, 3.1])
    assert split_cuts(s, min_train=4) == []
    assert split_cuts(s, min_train=3) == [0.2]
