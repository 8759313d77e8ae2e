"""The conformance table: one row per law (true parameters, input ranges, a NumPy reference).

Each row holds realistic true parameters, a realistic input range and an independent
NumPy implementation of the law's equation (direct, not log-space, formulas);
``test_conformance.py`` runs every test over the whole table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

import bayescale as bs
from bayescale.laws import Law

Array = np.ndarray


# ---- independent NumPy references (direct, not log-space, formulas) ------------------------

def _np_power(p, x):
    return p["A"] * x["x"] ** (-p["alpha"])


def _np_saturating(p, x):
    return p["E"] + p["A"] * x["x"] ** (-p["alpha"])


def _np_chinchilla(p, x):
    return p["E"] + p["A"] / x["N"] ** p["alpha"] + p["B"] / x["D"] ** p["beta"]


def _np_kaplan(p, x):
    return ((p["N_c"] / x["N"]) ** (p["alpha_N"] / p["alpha_D"])
            + p["D_c"] / x["D"]) ** p["alpha_D"]


def _np_bnsl(n_breaks: int):
    def ref(p, x):
        xx = x["x"]
        out = p["b"] * xx ** (-p["c0"])
        for i in range(1, n_breaks + 1):
            c, d, f = p[f"c{i}"], p[f"d{i}"], p[f"f{i}"]
            out = out * (1.0 + (xx / d) ** (1.0 / f)) ** (-c * f)
        return p["a"] + out

    return ref


def _np_m4(p, x):
    """Solve (y - eps_inf) / (eps_0 - y)**alpha = beta x**-gamma for y by Brent's method."""
    e_inf, e_0 = p["eps_inf"], p["eps_inf"] + p["delta"]
    out = []
    for xi in np.ravel(x["x"]):
        rhs = p["beta"] * xi ** (-p["gamma"])

        def g(y, rhs=rhs):
            return (y - e_inf) - rhs * (e_0 - y) ** p["alpha"]

        out.append(brentq(g, e_inf, e_0, xtol=1e-300, rtol=4 * np.finfo(float).eps,
                          maxiter=500))
    return np.reshape(out, np.shape(x["x"]))


def _np_coverage(p, x):
    return np.exp(p["a"] * x["k"] ** p["b"])


def _np_kaplan_single(inp: str, scale: str, expo: str):
    def ref(p, x):
        return (p[scale] / x[inp]) ** p[expo]

    return ref


def _np_henighan(p, x):
    return p["L_inf"] + (p["x_0"] / x["x"]) ** p["alpha"]


def _np_hestness(p, x):
    return p["gamma"] + p["delta"] * (1.0 + x["x"] / p["m_0"]) ** (-p["beta"])


def _np_step_lr(p, x):
    return p["a"] * x["N"] ** (-p["p_N"]) * x["D"] ** p["p_D"]


def _np_step_batch(p, x):
    return p["b"] * x["D"] ** p["q_D"]


def _np_fp_quant(p, x):
    penalty = (x["D"] ** p["beta"] / x["N"] ** p["alpha"] * np.log2(x["B"])
               / (p["gamma"] * (x["E"] + 0.5) ** p["delta"] * (x["M"] + 0.5) ** p["nu"]))
    return p["n"] / x["N"] ** p["alpha"] + p["d"] / x["D"] ** p["beta"] + p["eps"] + penalty


def _np_lr_anneal(p, x):
    return p["L0"] + p["A"] * x["S1"] ** (-p["alpha"]) - p["C"] * x["S2"]


def _np_data_constrained(p, x):
    n, d = x["N"], x["D"]
    u = np.minimum(x["U"], d)
    g = (p["alpha"] * p["A"] / (p["beta"] * p["B"])) ** (1 / (p["alpha"] + p["beta"]))
    u_n = np.minimum(n, g * (u * g) ** (p["beta"] / p["alpha"]))
    r_d, r_n = d / u - 1, n / u_n - 1
    d_eff = u + u * p["R_D_star"] * (1 - np.exp(-r_d / p["R_D_star"]))
    n_eff = u_n + u_n * p["R_N_star"] * (1 - np.exp(-r_n / p["R_N_star"]))
    return p["E"] + p["A"] / n_eff ** p["alpha"] + p["B"] / d_eff ** p["beta"]


def _np_data_filtering(n_pools: int):
    from bayescale.laws import data_filtering_error

    def ref(p, x):
        pool = np.clip(np.round(x["pool"]), 0, n_pools - 1).astype(int)
        n, size, pool = np.broadcast_arrays(x["n"], x["P"], pool)
        out = np.empty(n.shape)
        for idx in np.ndindex(n.shape):
            i = pool[idx]
            out[idx] = data_filtering_error(n[idx], size[idx], p["a"], -p[f"b{i}"],
                                            p[f"tau{i}"], p["d"])
        return out

    return ref


def _np_sigmoid_accuracy(floor: float, sign: float):
    def ref(p, x):
        z = sign * p["k"] * (np.log(x["x"]) - np.log(p["x_50"]))
        return floor + (1 - floor) * p["ceiling"] / (1 + np.exp(-z))

    return ref


# ---- the table -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    id: str
    law: Law
    params: Mapping[str, float]
    ranges: Mapping[str, tuple[float, float]]  # realistic range of each input
    reference: Callable[[Mapping[str, float], Mapping[str, Array]], Array]
    # per-parameter overrides of the guess tolerance (1e-3); none is needed today: on
    # noiseless data even the BNSL break sharpness is recovered to < 1e-3 (see
    # test_guess_recovers_noiseless_parameters). Loosen only for a weakly identified
    # parameter, with the reason next to the number.
    guess_rtol: Mapping[str, float] = field(default_factory=dict)
    extreme: tuple[float, float] = (1e-30, 1e30)
    n_guess: int = 40


EPOCH = {"E": 1.817, "A": 482.01, "B": 2085.43, "alpha": 0.3478, "beta": 0.3658}
# Reimplementation of the official BNSL fit to 4-digit addition (LAWS.md section 3).
BNSL_REF = {"a": 0.41388, "b": 2.27727, "c0": 0.055077, "c1": 5.66290, "d1": 612.584,
            "f1": 0.059193}

CHINCHILLA_FORMULA = bs.Law.from_formula("loss ~ E + A / N**alpha + B / D**beta")
# Large Language Monkeys coverage law c(k) = exp(a k^b), a, b < 0 (LAWS.md section 5).
COVERAGE_FORMULA = bs.Law.from_formula(
    "coverage ~ exp(a * k**b)", inputs=["k"],
    priors={"a": bs.Prior("Normal", -2.0, 2.0), "b": bs.Prior("Normal", -0.5, 0.5)})

CASES = [
    # Kaplan et al. (2020) L(N) = (N_c / N)^alpha_N with N_c = 8.8e13, i.e. A = N_c^alpha_N.
    Case("power_law", bs.laws.get("power_law"), {"A": 8.8e13 ** 0.076, "alpha": 0.076},
         {"x": (1e6, 1e11)}, _np_power),
    # Henighan et al. (2020) math extrapolation: L = 0.28 + (N / 1.1e4)^-0.16.
    Case("saturating_power", bs.laws.get("saturating_power"),
         {"E": 0.28, "A": 1.1e4 ** 0.16, "alpha": 0.16}, {"x": (1e5, 1e10)}, _np_saturating),
    # Epoch AI's (Besiroglu et al. 2024) estimate on Chinchilla's range of N and D.
    Case("chinchilla", bs.laws.get("chinchilla"), EPOCH,
         {"N": (7e7, 1.6e10), "D": (5e9, 5e11)}, _np_chinchilla),
    # Kaplan Table 2 joint fit on Kaplan's ranges (768 to 1.5e9 params, 22M to 23B tokens).
    Case("kaplan_nd", bs.laws.get("kaplan_nd"),
         {"N_c": 6.4e13, "D_c": 1.8e13, "alpha_N": 0.076, "alpha_D": 0.103},
         {"N": (1e3, 1.5e9), "D": (2.2e7, 2.3e10)}, _np_kaplan),
    # 4-digit addition (training-set size 160..928, extended to 2000 past the break).
    Case("bnsl", bs.laws.get("bnsl"), BNSL_REF, {"x": (100.0, 2000.0)}, _np_bnsl(1)),
    # Two breaks: a steepening at 1e4 then a flattening (negative slope change) at 1e6.
    Case("bnsl2", bs.laws.bnsl(2),
         {"a": 0.05, "b": 4.0, "c0": 0.1, "c1": 0.5, "d1": 1e4, "f1": 0.3, "c2": -0.35,
          "d2": 1e6, "f2": 0.5},
         {"x": (1e2, 1e8)}, _np_bnsl(2), n_guess=60),
    # M4 learning curve: error from eps_0 = 0.9 down towards eps_inf = 0.05 over 10..1e6 samples.
    Case("m4", bs.laws.get("m4"),
         {"eps_inf": 0.05, "delta": 0.85, "alpha": 0.8, "beta": 20.0, "gamma": 0.5},
         {"x": (10.0, 1e6)}, _np_m4),
    Case("formula_chinchilla", CHINCHILLA_FORMULA, EPOCH,
         {"N": (7e7, 1.6e10), "D": (5e9, 5e11)}, _np_chinchilla),
    # Coverage for k = 1..1e4 attempts. Extreme inputs start at k = 1: k < 1 attempt is
    # meaningless, and for k -> 0 the true log-coverage a k^b (-3e12 at k = 1e-30) is finite
    # but a formula law has no log-space form, so exp underflows to 0 and its log to -inf.
    Case("formula_coverage", COVERAGE_FORMULA, {"a": -3.0, "b": -0.4}, {"k": (1.0, 1e4)},
         _np_coverage, extreme=(1.0, 1e30)),
]
CASES += [
    # Kaplan et al. (2020) single-variable laws, published constants on Kaplan's ranges
    # (768..1.5e9 non-embedding parameters, 22M..23B tokens, ~1e-8..10 PF-days).
    Case("kaplan_n", bs.laws.get("kaplan_n"), {"N_c": 8.8e13, "alpha_N": 0.076},
         {"N": (1e3, 1.5e9)}, _np_kaplan_single("N", "N_c", "alpha_N")),
    Case("kaplan_d", bs.laws.get("kaplan_d"), {"D_c": 5.4e13, "alpha_D": 0.095},
         {"D": (2.2e7, 2.3e10)}, _np_kaplan_single("D", "D_c", "alpha_D")),
    Case("kaplan_c", bs.laws.get("kaplan_c"), {"C_c": 3.1e8, "alpha_C": 0.050},
         {"C": (1e-8, 10.0)}, _np_kaplan_single("C", "C_c", "alpha_C")),
    # Henighan et al. (2020) math extrapolation law L = 0.28 + (N / 1.1e4)^-0.16.
    Case("henighan", bs.laws.get("henighan"), {"L_inf": 0.28, "x_0": 1.1e4, "alpha": 0.16},
         {"x": (1e5, 1e12)}, _np_henighan),
    # Hestness-style error curve: best guess 0.9, irreducible 0.05, all three regions.
    Case("hestness", bs.laws.get("hestness"),
         {"gamma": 0.05, "delta": 0.85, "m_0": 1e3, "beta": 0.35}, {"x": (10.0, 1e8)},
         _np_hestness),
    # Step Law published constants (Li et al. 2025) over 1e8..1e10 params, 1e10..1e12 tokens.
    Case("step_law_lr", bs.laws.get("step_law_lr"), {"a": 1.79, "p_N": 0.713, "p_D": 0.307},
         {"N": (1e8, 1e10), "D": (1e10, 1e12)}, _np_step_lr),
    Case("step_law_batch", bs.laws.get("step_law_batch"), {"b": 0.58, "q_D": 0.571},
         {"D": (1e9, 1e12)}, _np_step_batch),
    # Sun et al. (2025) published constants on their ranges (41M..1.2B params, 10..100B
    # tokens), 1..5 exponent bits, 1..7 mantissa bits, blocks of 16..1024 elements.
    Case("fp_quant", bs.laws.get("fp_quant"), dict(bs.laws.FP_QUANT),
         {"N": (4e7, 1.2e9), "D": (1e10, 1e11), "E": (1.0, 5.0), "M": (1.0, 7.0),
          "B": (16.0, 1024.0)}, _np_fp_quant, n_guess=80),
    # Learning-rate annealing law at the magnitudes of a 100M GPT (peak lr 1e-3, 34k steps).
    Case("lr_anneal", bs.laws.get("lr_anneal"),
         {"L0": 2.78, "A": 1.1, "alpha": 1.0, "C": 0.18},
         {"S1": (1.0, 30.0), "S2": (1e-3, 1.0)}, _np_lr_anneal),
    # Muennighoff et al. (2023) published fit; D / U from 0.01 to 1e4 epochs.
    Case("data_constrained", bs.laws.get("data_constrained"), dict(bs.laws.DATA_CONSTRAINED),
         {"N": (1e7, 1e10), "D": (1e9, 1e12), "U": (1e8, 1e11)}, _np_data_constrained,
         n_guess=60),
    # Accuracy vs FLOPs (units of 1e21) with no chance floor (generation tasks).
    Case("sigmoid_accuracy", bs.laws.get("sigmoid_accuracy"),
         {"k": 1.2, "x_50": 30.0, "ceiling": 0.9}, {"x": (0.1, 1e4)},
         _np_sigmoid_accuracy(0.0, 1.0)),
    # Goyal et al. (2024) data filtering: CLIP error vs samples seen (10M..1B) from pools of
    # 10M..200M samples (up to 100 epochs); one pool (the pool input rounds to 0).
    Case("data_filtering", bs.laws.get("data_filtering"),
         {"a": 0.01, "d": 0.1, "b0": 0.1, "tau0": 2.0},
         {"n": (1e7, 1e9), "P": (1e7, 2e8), "pool": (0.5, 1.4)}, _np_data_filtering(1)),
    # Three pools of decreasing utility and increasing half-life; pool index 0..2.
    Case("data_filtering3", bs.laws.data_filtering(3),
         {"a": 0.01, "d": 0.1, "b0": 0.15, "tau0": 1.5, "b1": 0.1, "tau1": 3.0,
          "b2": 0.06, "tau2": 6.0},
         {"n": (1e7, 1e9), "P": (1e7, 2e8), "pool": (0.2, 2.4)}, _np_data_filtering(3),
         n_guess=90),
    # Four-choice accuracy falling with the loss (x = loss in nats).
    Case("sigmoid_accuracy_floor0.25_decreasing",
         bs.laws.sigmoid_accuracy(0.25, increasing=False),
         {"k": 8.0, "x_50": 2.5, "ceiling": 0.95}, {"x": (1.8, 4.0)},
         _np_sigmoid_accuracy(0.25, -1.0)),
]


def _np_kaplan_trajectory(p, x):
    """Solve L = (N_c/N)^alpha_N + (S_c (1 + B_*/(B L^(1/alpha_B))) / S)^alpha_S by Brent."""
    out = []
    n, s, b = np.broadcast_arrays(x["N"], x["S"], x["B"])
    for ni, si, bi in zip(n.ravel(), s.ravel(), b.ravel(), strict=True):
        floor = (p["N_c"] / ni) ** p["alpha_N"]

        def g(lv, ni=ni, si=si, bi=bi, floor=floor):
            ll = np.exp(lv)
            b_crit = p["B_star"] / ll ** (1 / p["alpha_B"])
            return ll - floor - (p["S_c"] * (1 + b_crit / bi) / si) ** p["alpha_S"]

        top = floor + (p["S_c"] * (1 + p["B_star"] / (bi * floor ** (1 / p["alpha_B"])))
                       / si) ** p["alpha_S"]  # the right side at L = floor: an upper bound
        out.append(np.exp(brentq(g, np.log(floor), np.log(top), xtol=1e-15,
                                 rtol=4 * np.finfo(float).eps, maxiter=500)))
    return np.reshape(out, n.shape)


def _np_lr_sensitivity(p, x):
    best = p["A"] * x["N"] ** (-p["alpha"])
    eta_opt = p["eta_c"] * x["N"] ** (-p["beta"])
    return best + p["s_c"] * x["N"] ** p["gamma"] * np.log(x["eta"] / eta_opt) ** 2


def _np_pruned_data(p, x):
    return p["E"] + p["A"] * (1 + p["q"] * x["P"] / p["P_0"]) ** (-1 / p["q"])


def _np_noisy_data(p, x):
    w = 1 / (1 + (x["sigma"] / p["sigma_50"]) ** p["k"])
    return p["E"] + p["A"] * (x["D_clean"] + w * x["D_noisy"]) ** (-p["alpha"])


def _np_adversarial(p, x):
    model = np.clip(np.round(x["model"]), 0, 1).astype(int)
    chi = np.exp(p["mu"] + p["tau"] * np.where(model == 0, p["z0"], p["z1"]))
    return x["a"] * x["bits_in"] / (chi * x["bits_out"])


def _np_retrieval(p, x):
    red = p["A"] / x["N"] ** p["alpha"] + p["B"] / x["D"] ** p["beta"]
    return p["E"] + red * (1 + x["S"] / p["S_0"]) ** (-p["gamma"])


def _np_lr_batch(p, x):
    u = x["B"] / p["B_noise"]
    return p["eta_0"] * u ** p["p"] / (1 + u)


# issue 21
CASES += [
    # Kaplan et al. (2020) trajectory constants; 1M..1B params, 1e2..1e5 steps, batches
    # of 1e4..1e7 tokens (both sides of B_crit ~ 1e5..1e7 at these losses).
    Case("kaplan_trajectory", bs.laws.get("kaplan_trajectory"),
         dict(bs.laws.KAPLAN_TRAJECTORY),
         {"N": (1e6, 1e9), "S": (1e2, 1e5), "B": (1e4, 1e7)}, _np_kaplan_trajectory),
    # learning-rate basins (reference values of the law's docstring): peak LR 1e-4..3e-2
    # around the optimum (3e-3 at 1e8, falling as N^-0.3), 1e7..1e10 parameters.
    Case("lr_sensitivity", bs.laws.get("lr_sensitivity"), dict(bs.laws.LR_SENSITIVITY),
         {"eta": (1e-4, 3e-2), "N": (1e7, 1e10)}, _np_lr_sensitivity),
    # data pruning: error against 1e2..1e5 kept examples, crossing from the exponential
    # (q P / P_0 = 0.025) to the power-law regime (25; exponent 1/q = 2).
    Case("pruned_data", bs.laws.get("pruned_data"),
         {"E": 0.02, "A": 0.9, "P_0": 2e3, "q": 0.5}, {"P": (1e2, 1e5)}, _np_pruned_data),
    # clean and noisy images (reference values): 1e3..1e6 of each, noise 0.02..1 (pixels
    # in [-1, 1]; 0.2 is 14.15 dB), so the utility runs from 0.99 down to 0.06
    Case("noisy_data", bs.laws.get("noisy_data"), dict(bs.laws.NOISY_DATA),
         {"D_clean": (1e3, 1e6), "D_noisy": (1e3, 1e6), "sigma": (0.02, 1.0)},
         _np_noisy_data),
    # best learning rate against batch size: the Adam surge (p = 1/2) with B_noise = 512,
    # batches of 8..65536 sequences on both sides of the peak
    Case("lr_batch", bs.laws.get("lr_batch"), dict(bs.laws.LR_BATCH["adam"]),
         {"B": (8.0, 65536.0)}, _np_lr_batch),
    # attacks on activations: 1..100 attacked tokens, 512..4096 float16 dimensions
    # (8192..65536 bits), vocabularies of 1e3..2.6e5 (10..18 bits), two models (index
    # 0..1: about half the draws of 0.2..1.4 round to each) of chi 16 and 25
    Case("adversarial_control", bs.laws.get("adversarial_control"),
         dict(bs.laws.ADVERSARIAL),
         {"a": (1.0, 100.0), "bits_in": (8192.0, 65536.0), "bits_out": (10.0, 18.0),
          "model": (0.2, 1.4)}, _np_adversarial),
    # retrieval datastores (reference values: Epoch's Chinchilla with S_0 = 1e9 tokens,
    # gamma = 0.05) on Chinchilla's N and D ranges, datastores of 1e7..1.4e12 tokens
    Case("retrieval_datastore", bs.laws.get("retrieval_datastore"),
         dict(bs.laws.RETRIEVAL_DATASTORE),
         {"N": (7e7, 1.6e10), "D": (5e9, 5e11), "S": (1e7, 1.4e12)}, _np_retrieval,
         n_guess=60),
]
IDS = [c.id for c in CASES]
REGISTRY_CASES = {"power_law", "saturating_power", "chinchilla", "kaplan_nd", "bnsl", "m4"}
