"""Declarative scaling laws and their registry.

Examples
--------
>>> import bayescale as bs
>>> "chinchilla" in bs.laws.names()
True
>>> law = bs.laws.get("saturating_power")
>>> float(law({"E": 1.0, "A": 2.0, "alpha": 0.5}, x=4.0))
2.0
"""

from bayescale.laws._adversarial import ADVERSARIAL, adversarial_control, attack_resistance
from bayescale.laws._bnsl import bnsl
from bayescale.laws._chinchilla import chinchilla, kaplan_nd
from bayescale.laws._classics import (
    henighan,
    hestness,
    hestness_regions,
    kaplan_c,
    kaplan_d,
    kaplan_n,
    reducible_loss,
)
from bayescale.laws._data_constrained import (
    DATA_CONSTRAINED,
    data_constrained,
    effective_data,
    effective_params,
)
from bayescale.laws._data_filtering import (
    MAX_EPOCHS,
    best_pool_mix,
    data_filtering,
    data_filtering_error,
)
from bayescale.laws._downstream import sigmoid_accuracy
from bayescale.laws._formula import from_formula
from bayescale.laws._fp_quant import FP_QUANT, fp_best_layout, fp_critical_data, fp_quant
from bayescale.laws._law import CONSTRAINTS, Law, Param
from bayescale.laws._lr_anneal import lr_anneal, lr_anneal_frame, lr_areas
from bayescale.laws._lr_batch import LR_BATCH, lr_batch, lr_batch_peak, lr_for_batch
from bayescale.laws._lr_sensitivity import (
    LR_SENSITIVITY,
    lr_optimum,
    lr_sensitivity,
    lr_sensitivity_at,
    lr_window,
    lr_within_prob,
)
from bayescale.laws._m4 import m4
from bayescale.laws._noisy_data import NOISY_DATA, noisy_data, noisy_worth
from bayescale.laws._power import power_law, saturating_power
from bayescale.laws._pruning import PRUNED_DATA, pruned_data, pruning_regime
from bayescale.laws._registry import get, names, register, resolve
from bayescale.laws._retrieval import (
    RETRIEVAL_DATASTORE,
    retrieval_datastore,
    retrieval_optimal,
)
from bayescale.laws._steplaw import STEP_LAW, step_law, step_law_batch, step_law_lr
from bayescale.laws._trajectory import (
    KAPLAN_TRAJECTORY,
    kaplan_critical_batch,
    kaplan_loss_curve,
    kaplan_min_loss,
    kaplan_steps_to_loss,
    kaplan_trajectory,
)

__all__ = [
    "ADVERSARIAL",
    "CONSTRAINTS",
    "DATA_CONSTRAINED",
    "FP_QUANT",
    "KAPLAN_TRAJECTORY",
    "LR_BATCH",
    "LR_SENSITIVITY",
    "MAX_EPOCHS",
    "NOISY_DATA",
    "PRUNED_DATA",
    "RETRIEVAL_DATASTORE",
    "STEP_LAW",
    "Law",
    "Param",
    "adversarial_control",
    "attack_resistance",
    "best_pool_mix",
    "bnsl",
    "chinchilla",
    "data_constrained",
    "data_filtering",
    "data_filtering_error",
    "effective_data",
    "effective_params",
    "fp_best_layout",
    "fp_critical_data",
    "fp_quant",
    "from_formula",
    "get",
    "henighan",
    "hestness",
    "hestness_regions",
    "kaplan_c",
    "kaplan_critical_batch",
    "kaplan_d",
    "kaplan_loss_curve",
    "kaplan_min_loss",
    "kaplan_n",
    "kaplan_nd",
    "kaplan_steps_to_loss",
    "kaplan_trajectory",
    "lr_anneal",
    "lr_anneal_frame",
    "lr_areas",
    "lr_batch",
    "lr_batch_peak",
    "lr_for_batch",
    "lr_optimum",
    "lr_sensitivity",
    "lr_sensitivity_at",
    "lr_window",
    "lr_within_prob",
    "m4",
    "names",
    "noisy_data",
    "noisy_worth",
    "power_law",
    "pruned_data",
    "pruning_regime",
    "reducible_loss",
    "register",
    "resolve",
    "retrieval_datastore",
    "retrieval_optimal",
    "saturating_power",
    "sigmoid_accuracy",
    "step_law",
    "step_law_batch",
    "step_law_lr",
]

for _law in (power_law, saturating_power, chinchilla, kaplan_nd, m4):
    register(_law)
register(bnsl, name="bnsl")
# the literature's laws (issue 8)
for _law in (kaplan_n, kaplan_d, kaplan_c, henighan, hestness, step_law_lr, step_law_batch,
             fp_quant, lr_anneal, data_constrained):
    register(_law)
register(sigmoid_accuracy, name="sigmoid_accuracy")
register(data_filtering, name="data_filtering")
# issue 21
register(kaplan_trajectory)
register(lr_sensitivity)
register(pruned_data)
register(noisy_data)
register(lr_batch)
register(adversarial_control, name="adversarial_control")
register(retrieval_datastore)
del _law
