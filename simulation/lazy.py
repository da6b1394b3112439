"""Packages whose public names are imported on first use, so that ``prds --help`` and other
light imports do not load the model, SciPy or geopandas."""

import importlib
from collections.abc import Callable


def exports_on_first_use(package: str, exports: dict[str, str]) -> Callable[[str], object]:
    """A module-level ``__getattr__`` for ``package``: a name in ``exports`` (name -> the
    submodule that defines it) is imported from ``package.<submodule>`` when first asked for;
    any other name is an ``AttributeError``, as for any module."""

    def __getattr__(name: str):
        if name in exports:
            return getattr(importlib.import_module(f"{package}.{exports[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
