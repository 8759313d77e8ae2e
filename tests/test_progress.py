"""The progress bar: a compiling phase without an ETA, then sampling on its own clock."""

import time

from bayescale._progress import progress_bar, progress_enabled


def test_compiling_phase_then_sampling(capsys):
    with progress_bar(100, "NUTS law", True) as update:
        time.sleep(0.25)                  # "compiling": no step reported yet
        shown = capsys.readouterr().err
        assert "NUTS law: compiling" in shown
        assert "it/s" not in shown and "<" not in shown   # no rate, no ETA
        update(10)
        update(50)
    out = capsys.readouterr().err
    assert "NUTS law: sampling" in out and "it/s" in out       # rate and ETA now


def test_sampling_clock_starts_at_the_first_step(monkeypatch):
    from tqdm import auto

    bars = []
    real = auto.tqdm

    def spy(*args, **kwargs):
        bars.append(real(*args, **kwargs))
        return bars[-1]

    monkeypatch.setattr(auto, "tqdm", spy)
    with progress_bar(10, "x", True) as update:
        time.sleep(0.3)
        update(1)
        bar = bars[0]
        assert bar.format_dict["elapsed"] < 0.2        # compile time is not sampling time
        assert bar.n == 1 and bar.total == 10


def test_disabled_and_auto(monkeypatch):
    with progress_bar(10, "x", False) as update:
        update(5)                                       # a no-op
    monkeypatch.setenv("CI", "true")
    assert progress_enabled(None) is False and progress_enabled(True) is True
