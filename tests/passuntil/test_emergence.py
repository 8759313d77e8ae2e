import numpy as np
import pytest
from passuntil_sim import NUTS, simulate_task

import bayescale.passuntil as pu
from bayescale.passuntil._emergence import classify_curvature


def test_classify_curvature_rule():
    rng = np.random.default_rng(0)
    assert classify_curvature(rng.normal(0.0, 0.03, 4000)).label == "linear"
    acc = classify_curvature(rng.normal(-0.4, 0.05, 4000))
    assert acc.label == "concave" and acc.probs["concave"] > 0.99
    assert acc.meaning.startswith("accelerated")
    sub = classify_curvature(rng.normal(0.4, 0.05, 4000), rope=0.2)
    assert sub.label == "convex" and sub.to_dict()["rope"] == 0.2
    assert sum(sub.probs.values()) == pytest.approx(1.0)
    assert "accelerated" in acc._repr_html_()
    with pytest.raises(ValueError, match="rope=-1 must be a positive number"):
        classify_curvature(np.zeros(10), rope=-1)


# 40 instances x 6 sizes with r = 2 per record: a curvature of +-0.1 (the rope) is
# resolved with posterior sd ~0.035 (20 instances with r in {1, 2} give ~0.05)
@pytest.mark.slow
@pytest.mark.parametrize(("curvature", "label"), [(0.0, "linear"), (-0.3, "concave")])
def test_emergence_on_simulated_curves(curvature, label):
    recs, _ = simulate_task(21, n_instances=40, r=2, curvature=curvature)
    em = pu.fit(recs, seed=0, **NUTS).emergence()
    assert em.label == label
    assert em.probs[label] > 0.9
