"""The law registry: names, lookup with helpful errors, factories and registration."""

from __future__ import annotations

import functools

import numpy as np
import pytest

import bayescale as bs
from bayescale.laws import _registry

BUILTIN = ["bnsl", "chinchilla", "kaplan_nd", "m4", "power_law", "saturating_power"]


@pytest.fixture
def scratch_registry(monkeypatch):
    """A private copy of the registry, restored after the test."""
    monkeypatch.setattr(_registry, "_LAWS", dict(_registry._LAWS))


def test_names_sorted_and_complete():
    names = bs.laws.names()
    assert names == sorted(names)
    assert set(BUILTIN) <= set(names)


@pytest.mark.parametrize("name", BUILTIN)
def test_get_returns_a_law_of_that_name(name):
    law = bs.laws.get(name)
    assert isinstance(law, bs.Law)
    assert law.name == name


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(bs.LawError, match="unknown law 'chinchila'") as info:
        bs.laws.get("chinchila")
    message = str(info.value)
    for name in BUILTIN:
        assert repr(name) in message
    assert "loss ~ E + A / N**alpha" in message  # points at custom formulas


def test_get_rejects_non_string_names():
    with pytest.raises(bs.LawError, match="must be a string, got int"):
        bs.laws.get(3)


def test_options_only_for_factories():
    with pytest.raises(bs.LawError, match=r"'chinchilla' takes no options, got \['n_breaks'\]"):
        bs.laws.get("chinchilla", n_breaks=2)
    with pytest.raises(bs.LawError, match="bad options for law 'bnsl'"):
        bs.laws.get("bnsl", breaks=2)


def test_bnsl_factory():
    one = bs.laws.get("bnsl")
    assert one is bs.laws.bnsl(1) is bs.laws.bnsl() is bs.laws.bnsl(n_breaks=1)
    two = bs.laws.get("bnsl", n_breaks=2)
    assert two is bs.laws.bnsl(2)  # cached: one compiled sampler per number of breaks
    assert two.name == "bnsl2"
    assert two.param_names == ("a", "b", "c0", "c1", "d1", "f1", "c2", "d2", "f2")
    assert two.key != one.key


def test_bnsl_accepts_numpy_integers():
    assert bs.laws.bnsl(np.int64(2)) is bs.laws.bnsl(2)


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True, None])
def test_bnsl_needs_a_positive_integer_number_of_breaks(bad):
    with pytest.raises(bs.LawError, match=r"n_breaks must be an integer >= 1, got"):
        bs.laws.bnsl(bad)
    with pytest.raises(bs.LawError, match=r"n_breaks must be an integer >= 1"):
        bs.laws.get("bnsl", n_breaks=bad)


def test_register_duplicate_raises(scratch_registry):
    law = bs.Law.from_formula("loss ~ E + A / N**alpha", name="chinchilla")
    with pytest.raises(bs.LawError, match="a law named 'chinchilla' is already registered; "
                                          "pass overwrite=True"):
        bs.laws.register(law)
    assert bs.laws.get("chinchilla") is not law


def test_register_new_and_overwrite(scratch_registry):
    law = bs.Law.from_formula("loss ~ E + A / N**alpha", name="my_law")
    bs.laws.register(law)
    assert "my_law" in bs.laws.names()
    assert bs.laws.get("my_law") is law
    assert bs.laws.resolve("my_law") is law
    other = bs.Law.from_formula("loss ~ E + A / N**beta", name="my_law")
    bs.laws.register(other, overwrite=True)
    assert bs.laws.get("my_law") is other


def test_register_needs_a_name(scratch_registry):
    with pytest.raises(bs.LawError, match="needs a name"):
        bs.laws.register(functools.partial(bs.laws.bnsl, 2))  # no .name, no __name__
    before = bs.laws.names()
    bs.laws.register(lambda: bs.laws.bnsl(3), name="bnsl3")
    assert bs.laws.names() == sorted([*before, "bnsl3"])
    assert bs.laws.get("bnsl3") is bs.laws.bnsl(3)


def test_registration_is_undone_by_the_fixture():
    assert "my_law" not in bs.laws.names()
    assert "bnsl3" not in bs.laws.names()


def test_resolve():
    law = bs.laws.get("m4")
    assert bs.laws.resolve(law) is law
    assert bs.laws.resolve("m4") is law
    custom = bs.laws.resolve("loss ~ E + A / C**alpha", inputs=("C",))
    assert custom.inputs == ("C",)
    with pytest.raises(bs.LawError, match="unknown law 'nope'"):
        bs.laws.resolve("nope")
    with pytest.raises(bs.LawError, match="must be a Law, a registered name or a formula"):
        bs.laws.resolve(42)
