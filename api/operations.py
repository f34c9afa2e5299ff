"""Which handler answers each Rekognition operation: collected from every module in :mod:`api.handlers`."""

from __future__ import annotations

import importlib
import pkgutil

import api.handlers
from api.handlers import Handler, StartCheck


def _collect() -> tuple[dict[str, Handler], dict[str, StartCheck]]:
    handlers: dict[str, Handler] = {}
    checks: dict[str, StartCheck] = {}
    for info in sorted(pkgutil.iter_modules(api.handlers.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"api.handlers.{info.name}")
        for name, handler in getattr(module, "HANDLERS", {}).items():
            if name in handlers:
                raise RuntimeError(f"two handler modules answer {name}")
            handlers[name] = handler
        checks.update(getattr(module, "START_CHECKS", {}))
    return handlers, checks


HANDLERS, START_CHECKS = _collect()
