"""``%bayescale`` line and cell magics (load with ``%load_ext bayescale``).

Line forms::

    %bayescale fit DF "loss ~ E + A / N**alpha" [--law NAME] [--x COLS] [--y COL]
               [--predict N=1e11,...] [--samples 1000] [--warmup 1000] [--chains 4]
               [--seed 0] [-o NAME] [--no-widget]
    %bayescale laws
    %bayescale crossover FIT_A FIT_B --over C=1e18:1e25 [--better lower|higher] [-o NAME]
    %bayescale passuntil DF [--n COL --c COL | --r COL --K COL --cap COL] [--N COL] ...

Cell form (one ``key: value`` per line; ``#`` starts a comment)::

    %%bayescale [-o NAME] [--no-widget]
    data: df
    law: chinchilla              # or  formula: loss ~ E + A / N**alpha
    x: N, D
    y: loss
    priors: alpha = LogNormal(-1.1, 0.5); E = Normal(1.8, 0.1)
    predict: N = 7e10, D = 1.4e12
    samples: 500

Defaults come from ``%config BayescaleMagics.num_samples = 500`` (also ``num_warmup``,
``num_chains``, ``seed``, ``progress``, ``show_widget``).
"""

from __future__ import annotations

import shlex
import sys
import warnings
from typing import Any

from IPython.core.magic import Magics, line_cell_magic, magics_class, needs_local_scope
from IPython.display import HTML, display
from traitlets import Bool, Int

from bayescale._errors import BayescaleError
from bayescale._magic_args import (
    _CELL_KEYS,
    _check_name,
    _fail,
    _floats,
    _is_number,
    _parse_assignments,
    _prior,
)

__all__ = ["BayescaleMagics", "load_ipython_extension", "unload_ipython_extension"]

@magics_class
class BayescaleMagics(Magics):
    """IPython magics for quick Bayesian scaling-law fits."""

    num_samples = Int(1000, help="Posterior draws per chain.").tag(config=True)
    num_warmup = Int(1000, help="Warm-up steps per chain.").tag(config=True)
    num_chains = Int(4, help="Number of chains.").tag(config=True)
    seed = Int(0, help="Random seed.").tag(config=True)
    progress = Bool(True, help="Show a progress bar (off anyway when CI is set).").tag(
        config=True)
    show_widget = Bool(True, help="Display the interactive widget after a fit.").tag(
        config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        if shell is not None:
            kwargs.setdefault("config", shell.config)
        super().__init__(shell=shell, **kwargs)

    @needs_local_scope
    @line_cell_magic
    def bayescale(self, line: str, cell: str | None = None, local_ns: Any = None) -> Any:
        """Fit scaling laws from notebooks; see the module docstring for every form."""
        ns = {**self.shell.user_ns, **(local_ns or {})}
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise _fail(f"cannot parse the line: {exc}") from None
        if cell is not None:
            return self._cell(words, cell, ns)
        if not words:
            raise _fail("missing a command")
        cmd, rest = words[0], words[1:]
        handlers = {"fit": self._fit_line, "laws": self._laws, "crossover": self._crossover,
                    "passuntil": self._passuntil}
        if cmd not in handlers:
            raise _fail(f"unknown command {cmd!r}; accepted: {', '.join(sorted(handlers))}")
        return handlers[cmd](rest, ns)

    # ---- helpers -------------------------------------------------------------------
    def _lookup(self, name: str, ns: dict[str, Any], what: str) -> Any:
        if name not in ns:
            raise _fail(f"{what} {name!r} is not defined in the notebook")
        return ns[name]

    def _options(self, args: list[str], spec: dict[str, bool]) -> tuple[list[str], dict]:
        """Split ``--opt value`` / flags from positionals; ``spec`` maps option -> takes value."""
        pos, opts, i = [], {}, 0
        while i < len(args):
            a = args[i]
            if a.startswith("-") and not _is_number(a):
                key = {"-o": "--out"}.get(a, a)
                if key not in spec:
                    raise _fail(f"unknown option {a!r}; accepted: {', '.join(sorted(spec))}")
                if spec[key]:
                    if i + 1 >= len(args):
                        raise _fail(f"option {a} needs a value")
                    opts[key], i = args[i + 1], i + 2
                    continue
                opts[key] = True
            else:
                pos.append(a)
            i += 1
        return pos, opts

    def _int(self, opts: dict, key: str, default: int) -> int:
        if key not in opts:
            return default
        try:
            value = int(opts[key])
        except ValueError:
            raise _fail(f"{key} expects an integer, got {opts[key]!r}") from None
        if value < (0 if key == "--seed" or key == "--warmup" else 1):
            raise _fail(f"{key} must be positive, got {value}")
        return value

    def _run_fit(self, data: Any, law: Any, *, x: Any, y: Any, priors: Any, likelihood: Any,
                 samples: int, warmup: int, chains: int, seed: int, form: str = "option") -> Any:
        import bayescale as bs

        try:
            with warnings.catch_warnings(record=True) as said:
                warnings.simplefilter("always")
                fit = bs.fit(data, law, x=x, y=y, priors=priors, likelihood=likelihood,
                             num_samples=samples, num_warmup=warmup, num_chains=chains,
                             seed=seed, progress=self.progress)
            for w in said:  # said as the magic's, not at a source line of bayescale's
                print(f"%bayescale: {w.category.__name__}: {w.message}", file=sys.stderr)
            return fit
        except BayescaleError as exc:
            raise _fail(str(exc), form) from None

    def _check(self, data: Any, law: Any, *, predict: dict | None, form: str = "option",
               **kw: Any) -> None:
        """Validate data, law and the names to predict at before the fit (no sampling)."""
        from bayescale.cli import check_before_fit

        try:
            check_before_fit(data, law, predict=predict or {}, **kw)
        except BayescaleError as exc:
            raise _fail(str(exc), form) from None

    def _show(self, fit: Any, predict: dict | None, out: str | None, widget: bool) -> None:
        name = out or "bayescale_fit"
        self.shell.user_ns[name] = fit
        if widget:
            try:
                display(fit.widget())
            except Exception as exc:
                display(HTML(fit._repr_html_()))
                print(f"(widget unavailable: {exc})")
        else:
            display(HTML(fit._repr_html_()))
        if predict:
            try:
                frame = fit.predict(**predict)
            except BayescaleError as exc:
                raise _fail(str(exc)) from None
            display(_table(frame), raw=True)
        print(f"stored the fit as {name!r}")

    # ---- commands ------------------------------------------------------------------
    def _fit_line(self, args: list[str], ns: dict[str, Any]) -> None:
        spec = {"--law": True, "--x": True, "--y": True, "--predict": True, "--samples": True,
                "--warmup": True, "--chains": True, "--seed": True, "--out": True,
                "--likelihood": True, "--no-widget": False}
        pos, opts = self._options(args, spec)
        if not pos:
            raise _fail("%bayescale fit needs a DataFrame name")
        if len(pos) > 2:
            raise _fail(f"too many positional arguments {pos}; quote the formula")
        data = self._lookup(pos[0], ns, "DataFrame")
        formula = pos[1] if len(pos) == 2 else None
        if bool(formula) == bool(opts.get("--law")):
            raise _fail("give either a formula or --law NAME (not both, not neither)")
        xs = [c.strip() for c in opts["--x"].split(",")] if opts.get("--x") else None
        predict = _floats(opts["--predict"]) if "--predict" in opts else None
        _check_name(opts.get("--out"))
        self._check(data, formula or opts["--law"], x=xs, y=opts.get("--y"),
                    likelihood=opts.get("--likelihood"), predict=predict)
        fit = self._run_fit(
            data, formula or opts["--law"], x=xs, y=opts.get("--y"), priors=None,
            likelihood=opts.get("--likelihood"),
            samples=self._int(opts, "--samples", self.num_samples),
            warmup=self._int(opts, "--warmup", self.num_warmup),
            chains=self._int(opts, "--chains", self.num_chains),
            seed=self._int(opts, "--seed", self.seed))
        self._show(fit, predict, opts.get("--out"),
                   self.show_widget and not opts.get("--no-widget"))

    def _cell(self, words: list[str], cell: str, ns: dict[str, Any]) -> None:
        _, opts = self._options(words, {"--out": True, "--no-widget": False})
        spec: dict[str, str] = {}
        for n, raw in enumerate(cell.splitlines(), 1):
            text = raw.split("#", 1)[0].strip()
            if not text:
                continue
            if ":" not in text:
                raise _fail(f"cell line {n}: expected 'key: value', got {raw.strip()!r}")
            key, value = (s.strip() for s in text.split(":", 1))
            if key not in _CELL_KEYS:
                raise _fail(f"cell line {n}: unknown key {key!r}; accepted: "
                            f"{', '.join(sorted(_CELL_KEYS))}")
            spec[key] = value
        if "data" not in spec:
            raise _fail("the cell needs a 'data: DATAFRAME' line")
        if ("law" in spec) == ("formula" in spec):
            raise _fail("the cell needs exactly one of 'law: NAME' or 'formula: y ~ ...'")
        data = self._lookup(spec["data"], ns, "DataFrame")
        priors = ({k: _prior(v) for k, v in _parse_assignments(spec["priors"], ";").items()}
                  if "priors" in spec else None)
        ints = {k: self._int({f"--{k}": spec[k]} if k in spec else {}, f"--{k}", d) for k, d in
                (("samples", self.num_samples), ("warmup", self.num_warmup),
                 ("chains", self.num_chains), ("seed", self.seed))}
        xs = [c.strip() for c in spec["x"].split(",")] if spec.get("x") else None
        predict = _floats(spec["predict"]) if "predict" in spec else None
        _check_name(opts.get("--out") or spec.get("out"))
        self._check(data, spec.get("law") or spec["formula"], x=xs, y=spec.get("y"),
                    likelihood=spec.get("likelihood"), predict=predict, form="cell")
        fit = self._run_fit(data, spec.get("law") or spec["formula"], x=xs,
                            y=spec.get("y"), priors=priors, likelihood=spec.get("likelihood"),
                            samples=ints["samples"], warmup=ints["warmup"],
                            chains=ints["chains"], seed=ints["seed"], form="cell")
        self._show(fit, predict, opts.get("--out") or spec.get("out"),
                   self.show_widget and not opts.get("--no-widget"))

    def _laws(self, args: list[str], ns: dict[str, Any]) -> Any:
        import pandas as pd

        from bayescale import laws

        if args:
            raise _fail(f"%bayescale laws takes no arguments, got {args}")
        rows = [{"law": n, "formula": laws.get(n).formula,
                 "inputs": ", ".join(laws.get(n).inputs),
                 "parameters": ", ".join(laws.get(n).param_names)} for n in laws.names()]
        return pd.DataFrame(rows).set_index("law")

    def _crossover(self, args: list[str], ns: dict[str, Any]) -> Any:
        import bayescale as bs

        pos, opts = self._options(args, {"--over": True, "--better": True, "--out": True,
                                         "--no-widget": False})
        if len(pos) != 2:
            raise _fail("%bayescale crossover needs two fit names")
        _check_name(opts.get("--out"))
        a, b = (self._lookup(p, ns, "fit") for p in pos)
        over = opts.get("--over")
        if not over or "=" not in over or ":" not in over:
            raise _fail("--over expects AXIS=LO:HI, e.g. --over C=1e18:1e25")
        axis, rng = over.split("=", 1)
        try:
            lo, hi = (float(v) for v in rng.split(":", 1))
        except ValueError:
            raise _fail(f"--over: cannot read the range {rng!r}") from None
        better = opts.get("--better", "lower")
        if better not in ("lower", "higher"):
            raise _fail(f"--better must be 'lower' or 'higher', got {better!r}")
        try:
            result = bs.crossover(a, b, over=(axis.strip(), lo, hi), better=better)
        except (BayescaleError, AttributeError) as exc:
            raise _fail(str(exc)) from None
        self.shell.user_ns[opts.get("--out", "bayescale_crossover")] = result
        if self.show_widget and not opts.get("--no-widget"):
            try:
                display(result.widget())
                return None
            except Exception:
                pass
        return result

    def _passuntil(self, args: list[str], ns: dict[str, Any]) -> Any:
        from bayescale import passuntil

        spec = {"--n": True, "--c": True, "--model": True, "--problem": True, "--N": True,
                "--r": True, "--K": True, "--cap": True, "--instance": True, "--law": True,
                "--k-max": True, "--samples": True, "--warmup": True, "--chains": True,
                "--seed": True, "--out": True, "--no-widget": False}
        pos, opts = self._options(args, spec)
        if len(pos) != 1:
            raise _fail("%bayescale passuntil needs one DataFrame name")
        _check_name(opts.get("--out"))
        data = self._lookup(pos[0], ns, "DataFrame")
        kw = {"num_samples": self._int(opts, "--samples", self.num_samples),
              "num_warmup": self._int(opts, "--warmup", self.num_warmup),
              "num_chains": self._int(opts, "--chains", self.num_chains),
              "seed": self._int(opts, "--seed", self.seed), "progress": self.progress}
        try:
            if "--r" in opts or "--K" in opts:  # PassUntil records -> task law
                cap = opts.get("--cap", "K_max")
                records = passuntil.PassUntilRecords.from_dataframe(
                    data, N=opts.get("--N", "N"), instance=opts.get("--instance", "instance"),
                    r=opts.get("--r", "r"), K=opts.get("--K", "K"),
                    K_max=int(float(cap)) if _is_number(cap) else cap)
                result = passuntil.fit(records, **kw)
            else:  # repeated-sampling counts -> coverage law
                counts = passuntil.PassCounts.from_dataframe(
                    data, model=opts.get("--model", "model"),
                    problem=opts.get("--problem", "problem"), n=opts.get("--n", "n"),
                    c=opts.get("--c", "c"), N=opts.get("--N"))
                k_max = self._int(opts, "--k-max", 0) or None
                result = passuntil.fit_coverage(counts, law=opts.get("--law", "beta"),
                                                k_max=k_max, **kw)
        except (BayescaleError, TypeError, ValueError) as exc:
            raise _fail(str(exc)) from None
        self.shell.user_ns[opts.get("--out", "bayescale_passuntil")] = result
        return result


def _table(frame: Any) -> dict[str, str]:
    """A frame as HTML and text, its numbers by the one formatter (``1.4e12``, ``1.93``)."""
    from bayescale._format import format_number
    from bayescale.cli import format_table

    html = frame.to_html(index=False, float_format=format_number, border=0)
    return {"text/plain": format_table(frame, index=False), "text/html": html}


def load_ipython_extension(ipython: Any) -> None:
    """Register :class:`BayescaleMagics` with ``ipython``."""
    magics = BayescaleMagics(shell=ipython)
    ipython.register_magics(magics)
    if magics not in ipython.configurables:
        ipython.configurables.append(magics)


def unload_ipython_extension(ipython: Any) -> None:
    """Nothing to undo beyond IPython's own bookkeeping (no event hooks are registered)."""
