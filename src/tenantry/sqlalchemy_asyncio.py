"""SQLAlchemy's asyncio extension without its ORM session until a name of the session is used.

`sqlalchemy.ext.asyncio`'s `__init__` imports `AsyncSession`, and with it the whole ORM
(about 70 ms of a server's start), although Tenantry uses only the extension's engine,
connections and results (SQLAlchemy Core). `install()` puts a finder before the others
that loads the package with the names of those three (from their own modules) and
greenlet set up, as its `__init__` leaves them; the first other name asked of the package
(`AsyncSession`, `async_sessionmaker`…) runs the package's own `__init__`, which defines
every name, so any use of the extension still works as documented.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec, PathFinder
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importlib.abc import Loader
else:  # the import system needs no base class, and `importlib.abc` costs a client's start
    Loader = object

PACKAGE = "sqlalchemy.ext.asyncio"

# What the package's `__init__` takes from its engine and result modules.
EAGER: dict[str, tuple[str, ...]] = {
    "engine": (
        "AsyncConnection",
        "AsyncEngine",
        "AsyncTransaction",
        "async_engine_from_config",
        "create_async_engine",
        "create_async_pool_from_url",
    ),
    "result": ("AsyncMappingResult", "AsyncResult", "AsyncScalarResult", "AsyncTupleResult"),
}


class _CoreFirst(Loader):
    def __init__(self, package: Loader) -> None:
        self._package = package  # the loader of the package's own `__init__`

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        for name, names in EAGER.items():
            submodule = importlib.import_module(f"{PACKAGE}.{name}")
            for each in names:
                setattr(module, each, getattr(submodule, each))
        from sqlalchemy.util import concurrency

        concurrency._concurrency_shim._initialize()  # as the package's `__init__` ends

        def rest(name: str) -> Any:
            del module.__getattr__  # the package's `__init__` defines everything it has
            self._package.exec_module(module)
            try:
                return module.__dict__[name]
            except KeyError:
                raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}") from None

        module.__getattr__ = rest  # type: ignore[method-assign]


class _Finder:
    @staticmethod
    def find_spec(
        name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name != PACKAGE:
            return None
        spec = PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _CoreFirst(spec.loader)
        return spec


def install() -> None:
    """Before SQLAlchemy's asyncio extension is first imported (later, a no-op)."""
    if PACKAGE not in sys.modules and not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
