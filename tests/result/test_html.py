"""One HTML renderer for every result (issue 19, item 2): header, table, diagnostics, note,
and each kind's own sections. Built from synthetic draws: nothing is sampled here."""

from __future__ import annotations

import re

import numpy as np
import pytest

import bayescale as bs
import bayescale.passuntil as pu
from bayescale.analysis._joint import JointFit, _joint_law, _view
from bayescale.data import Dataset
from bayescale.passuntil._coverage_model import DERIVED, CoverageDesign
from bayescale.passuntil._result import TaskDesign
from bayescale.result import Fit
from bayescale.result._base import Result
from bayescale.result._html import Header, facts_html, render, result_html
from bayescale.result._posterior import Posterior

EVIL = "<script>alert(1)</script>"
CHAINS, DRAWS = 2, 1000


def _draws(rng, loc, scale, *shape):
    return loc + scale * rng.standard_normal((CHAINS, DRAWS, *shape))


def _stats(divergences: int = 0) -> dict[str, np.ndarray]:
    div = np.zeros((CHAINS, DRAWS), bool)
    div.flat[:divergences] = True
    return {"diverging": div, "n_steps": np.full((CHAINS, DRAWS), 7)}


def _fit(law, x, y, post, divergences=0) -> Fit:
    lik = bs.likelihoods.get("normal_log")
    ds = Dataset({k: np.asarray(v, float) for k, v in x.items()}, np.asarray(y, float),
                 tuple(x), "loss")
    return Fit(law=law, likelihood=lik, priors={}, dataset=ds, posterior=post,
               sample_stats=_stats(divergences), settings={"max_tree_depth": 10})


def _fit_of(name: str = "saturating", divergences: int = 0) -> Fit:
    rng = np.random.default_rng(0)
    law = bs.Law.from_formula("loss ~ E + A * C**(-alpha)", name=name)
    post = {"E": _draws(rng, 1.7, 0.01), "A": _draws(rng, 5.76e23, 1e21),
            "alpha": _draws(rng, 0.34, 0.01), "sigma": np.abs(_draws(rng, 0.02, 0.001))}
    c = np.geomspace(1e18, 1e22, 12)
    return _fit(law, {"C": c}, 1.7 + 5.76e23 * c**-0.34, post, divergences)


def _passuntil(curvature: bool = True) -> pu.PassUntilFit:
    sizes = [1e8, 3e8, 1e9]
    recs = pu.simulate(pu.task_law(sizes, np.full(4, 200.0), np.full(4, 0.3)), N=sizes, r=2,
                       K_max=100_000, seed=1)
    design = TaskDesign.from_records(recs, curvature=curvature, kappa_sd=0.5)
    rng = np.random.default_rng(1)
    s = design.n_instances
    samples = {"mu_F0": _draws(rng, 1.0, 0.1), "mu_log_alpha": _draws(rng, -1.2, 0.1),
               "sigma_F0": np.abs(_draws(rng, 0.5, 0.05)),
               "sigma_log_alpha": np.abs(_draws(rng, 0.2, 0.02)),
               "rho": _draws(rng, 0.0, 0.1), "F0": _draws(rng, 1.0, 0.1, s),
               "log_alpha": _draws(rng, -1.2, 0.1, s)}
    if curvature:
        samples["kappa"] = _draws(rng, -0.4, 0.05)
    dims = {"F0": (("instance", design.instances),),
            "log_alpha": (("instance", design.instances),)}
    stats = _stats()
    post = Posterior(samples, stats.pop("diverging"), dims, stats, {"max_tree_depth": 10})
    return pu.PassUntilFit(records=recs, posterior=post, design=design)


def _coverage(models=("small", "large")) -> pu.CoverageFit:
    p = np.random.default_rng(2).beta(0.3, 3.0, size=(len(models), 50))
    counts = pu.simulate_counts(p, n=20, model=list(models), seed=1)
    design = CoverageDesign("beta", False, counts.models, counts.sizes, 0.0)
    rng = np.random.default_rng(3)
    m = len(design.models)
    names = (*design.params, *DERIVED["beta"])
    samples = {k: _draws(rng, 0.5, 0.05, m) for k in names}
    dims = {k: (("model", design.models),) for k in names}
    stats = _stats()
    post = Posterior(samples, stats.pop("diverging"), dims, stats, {"max_tree_depth": 10})
    return pu.CoverageFit(counts=counts, posterior=post, design=design)


def _joint(labels=("slow", "fast")) -> JointFit:
    base = bs.Law.from_formula("loss ~ E + A * C**(-alpha)", name="saturating")
    shared = ("E",)
    law = _joint_law(base, shared)
    rng = np.random.default_rng(4)
    post = {n: _draws(rng, 1.0, 0.01) for n in law.param_names}
    post["sigma"] = np.abs(_draws(rng, 0.02, 0.001))
    c = np.geomspace(1.0, 1e4, 10)
    x = {"C": np.concatenate([c, c]), "group": np.repeat([0.0, 1.0], 10)}
    joint = _fit(law, x, np.concatenate([1.3 + 1.5 * c**-0.3, 1.3 + 3 * c**-0.6]), post)
    views = [_view(joint, base, shared, g, "token", labels[g]) for g in (0, 1)]
    return JointFit(views[0], views[1], joint, shared, labels)


KINDS = {"fit": _fit_of, "passuntil": _passuntil, "coverage": _coverage, "joint": _joint}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_renders_through_the_one_renderer(kind):
    res = KINDS[kind]()
    assert type(res)._repr_html_ is Result._repr_html_
    html = res._repr_html_()
    assert html == result_html(res)
    assert f'class="bayescale-result bayescale-{res.file_kind}"' in html
    head = res._html_header()
    assert isinstance(head, Header) and f"<b>{head.kind}</b>" in html
    assert f"{CHAINS} chains × {DRAWS} draws" in html
    # the table: every parameter of the summary, with its interval, R-hat and ESS
    assert "<th>90% interval</th><th>r_hat</th><th>ess_bulk</th>" in html
    for name in res.summary().index:
        assert f"<td>{name}</td>" in html
    # the diagnostics line, by the rules of every result
    assert "0 divergences · max R-hat " in html and "leapfrog steps/draw · ok" in html
    assert "<script" not in html


def test_each_kind_adds_only_its_own_sections():
    fit = _fit_of()
    assert fit._html_sections() == []
    assert "bands beyond the data: law + noise only" in fit._repr_html_()
    assert "<b>Fit</b> · <b>saturating: loss = E + A * C ** (-alpha) — normal_log, 12 points" in (
        fit._repr_html_())
    task = _passuntil()._repr_html_()
    assert "PassUntil task-law fit" in task and "PassUntilRecords(" in task
    assert "<b>emergence</b>" in task and "Emergence:</b> concave" in task
    assert "emergence" not in _passuntil(curvature=False)._repr_html_()
    cov = _coverage()._repr_html_()
    assert "Coverage-law fit" in cov and "beta law, per model" in cov
    assert "<b>across sizes</b>: False" in cov and "small, large" in cov
    assert "alpha[small]" in cov
    joint = _joint()._repr_html_()
    assert "Joint fit" in joint and "shared: E" in joint
    assert "slow: 10 points, fast: 10 points" in joint
    assert "<b>curves</b>" in joint and "A_a, alpha_a" in joint and "A_b, alpha_b" in joint
    assert "E_a" not in joint  # the shared parameter has one copy


def test_every_user_string_is_escaped():
    assert EVIL not in _fit_of(EVIL)._repr_html_()
    assert "&lt;script&gt;" in _fit_of(EVIL)._repr_html_()
    cov = _coverage(models=(EVIL, "b&c"))._repr_html_()
    assert EVIL not in cov and "&lt;script&gt;" in cov and "b&amp;c" in cov
    joint = _joint(labels=(EVIL, "<i>b</i>"))._repr_html_()
    assert EVIL not in joint and "<i>" not in joint and "&lt;i&gt;b&lt;/i&gt;" in joint
    assert "<b>" not in facts_html({"<b>": "<b>"}).replace("<li><b>", "")


def test_a_failed_diagnostic_is_shown_with_its_remedy():
    html = _fit_of(divergences=3)._repr_html_()
    assert "3 divergences" in html and "check diagnostics" in html
    assert re.search(r"<li>3 divergent transition\(s\): .*raise target_accept_prob", html)
    assert "var(--jp-error-color1" in html


def test_numbers_print_through_the_one_formatter():
    html = _fit_of()._repr_html_()
    assert re.search(r"<td>A</td><td>5\.76e23</td><td>\[5\.7\de23, 5\.7\de23\]</td>", html)
    assert "e+" not in html


def test_render_takes_the_parts_of_any_result():
    import pandas as pd

    summary = pd.DataFrame({"median": [1.0], "lower": [0.5], "upper": [2.0],
                            "r_hat": [1.001], "ess_bulk": [812.4]}, index=["<p>"])
    diag = {"divergences": 0, "max_r_hat": 1.001, "min_ess_bulk": 812.4,
            "mean_leapfrog_steps": 7.0, "ess_threshold": 400.0}
    html = render(Header("Kind", "a <law>", "3 points"), summary, diag, chains=4, draws=4000,
                  ok=True, note="a note", sections=[("extra", "<em>own</em>")])
    assert "<b>Kind</b> · <b>a &lt;law&gt;, 3 points, 4 chains × 1000 draws</b>" in html
    assert "<td>&lt;p&gt;</td><td>1</td><td>[0.5, 2]</td><td>1.001</td><td>812</td>" in html
    assert "<p>a note</p>" in html and "<p><b>extra</b></p><em>own</em>" in html
