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

from bayescale.laws._bnsl import bnsl
from bayescale.laws._chinchilla import chinchilla, kaplan_nd
from bayescale.laws._formula import from_formula
from bayescale.laws._law import CONSTRAINTS, Law, Param
from bayescale.laws._m4 import m4
from bayescale.laws._power import power_law, saturating_power
from bayescale.laws._registry import get, names, register, resolve

__all__ = [
    "CONSTRAINTS",
    "Law",
    "Param",
    "bnsl",
    "chinchilla",
    "from_formula",
    "get",
    "kaplan_nd",
    "m4",
    "names",
    "power_law",
    "register",
    "resolve",
    "saturating_power",
]

for _law in (power_law, saturating_power, chinchilla, kaplan_nd, m4):
    register(_law)
register(bnsl, name="bnsl")
del _law
