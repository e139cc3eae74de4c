"""Runs inside a warm kernel: record the state right after the imports, and put it back before each
subject (fresh namespace, matplotlib and pandas settings, warnings, environment, sys.path, cwd), so a
reused kernel gives byte-identical outputs to a fresh one. Kept light: the kernel imports this module.
"""
from __future__ import annotations

import os
import sys
from typing import Any


# -- inside a warm kernel ------------------------------------------------------------------
# These two functions run in the kernel process (imported there by name), never in the worker.

# Modules a warm kernel imports once, before its first subject.
WARM_IMPORTS = ("IPython.display", "pandas", "matplotlib", "matplotlib.figure", "evallib.report.charts",
                "evallib.report.data", "evallib.report.render", "evallib.report.summary")

_BASELINE: dict[str, Any] | None = None


def _pandas_options() -> dict[str, Any]:
    import pandas as pd

    try:
        from pandas._config.config import _registered_options
    except ImportError:  # pragma: no cover - pandas internals moved
        return {}
    out = {}
    for key in _registered_options:
        try:
            out[key] = pd.get_option(key)
        except Exception:  # noqa: BLE001 - an option that cannot be read cannot be restored either
            pass
    return out


def kernel_baseline() -> None:
    """(In the kernel.) Import what the report notebooks use; record the state every subject starts from."""
    import importlib
    import warnings

    for name in WARM_IMPORTS:
        importlib.import_module(name)
    import matplotlib

    global _BASELINE
    _BASELINE = {"rc": matplotlib.rcParams.copy(), "filters": list(warnings.filters),
                 "environ": dict(os.environ), "path": list(sys.path), "pandas": _pandas_options()}
    import gc

    gc.collect()
    gc.freeze()  # the imported modules live as long as the kernel: no collection needs to scan them again


def kernel_reset(cwd: str) -> None:
    """(In the kernel.) Put the kernel back into its recorded state and move to `cwd`."""
    import warnings

    import matplotlib
    import pandas as pd
    from IPython import get_ipython

    base = _BASELINE
    if base is None:
        raise RuntimeError("kernel_baseline() has not run in this kernel")
    # first: the last subject's folder may be gone (a failed subject's staging folder is removed), and
    # shell.reset reads the working directory
    os.chdir(cwd)
    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True)  # fresh namespace, In/Out history cleared, execution count 1
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if dict(matplotlib.rcParams) != dict(base["rc"]):
            matplotlib.rcParams.clear()
            matplotlib.rcParams.update(base["rc"])
        now = _pandas_options()
        for key, value in base["pandas"].items():
            if key in now and now[key] != value:
                pd.set_option(key, value)
    warnings.filters[:] = base["filters"]
    warnings._filters_mutated()  # every module's __warningregistry__ is stale: a warning shows again
    warnings.onceregistry.clear()
    for key in set(os.environ) - set(base["environ"]):
        del os.environ[key]
    for key, value in base["environ"].items():
        if os.environ.get(key) != value:
            os.environ[key] = value
    sys.path[:] = base["path"]


