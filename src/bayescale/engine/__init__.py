"""The sampling engine: law + likelihood + priors + data -> NUTS posterior."""

from bayescale.engine._data import bucket
from bayescale.engine._fit import fit, prepare
from bayescale.engine._many import fit_many
from bayescale.engine._potential import trace_count

__all__ = ["bucket", "fit", "fit_many", "prepare", "trace_count"]
