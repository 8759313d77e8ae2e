"""CompileOnce: one compilation per signature, shared by threads, ahead of the call."""

from __future__ import annotations

import threading

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from bayescale.engine._compile_once import CompileOnce


def _counted():
    traces = []

    def f(x, tree):
        traces.append(x.shape)  # runs once per trace
        return jnp.sin(x).sum() + tree["a"] * 2.0

    return CompileOnce(jax.jit(f)), traces


def test_threads_share_one_compilation() -> None:
    fn, traces = _counted()
    barrier = threading.Barrier(4)
    out = [None] * 4

    def call(i: int) -> None:
        barrier.wait()
        out[i] = float(fn(np.full(8, float(i)), {"a": np.float64(i)}))

    threads = [threading.Thread(target=call, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert traces == [(8,)]
    assert out == pytest.approx([8 * np.sin(i) + 2 * i for i in range(4)])
    fn(np.zeros(3), {"a": np.float64(0)})  # a new shape compiles again
    assert traces == [(8,), (3,)]


def test_prefetch_compiles_ahead_and_the_call_reuses_it() -> None:
    fn, traces = _counted()
    fn.prefetch(np.zeros(5), {"a": np.float64(0)})
    assert float(fn(np.ones(5), {"a": np.float64(1)})) == pytest.approx(5 * np.sin(1) + 2)
    assert traces == [(5,)]


def test_a_failed_compilation_is_raised_then_retried() -> None:
    calls = []

    def f(x):
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("first trace fails")
        return x + 1

    fn = CompileOnce(jax.jit(f))
    with pytest.raises(ValueError, match="first trace"):
        fn(np.zeros(2))
    np.testing.assert_array_equal(fn(np.zeros(2)), np.ones(2))
