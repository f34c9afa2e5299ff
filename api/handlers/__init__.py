"""Operation handlers, one module per family of operations.

Each module here may define ``HANDLERS: dict[str, Handler]`` (operation name -> handler) and
``START_CHECKS: dict[str, StartCheck]`` (video operation name -> extra checks a Start* request must pass
before its job is created, e.g. that a collection exists). :mod:`api.operations` collects them all, so a
new family of operations is a new module, not an edit of a shared table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.context import ServiceContext

Handler = Callable[[ServiceContext, dict[str, Any]], dict[str, Any]]
StartCheck = Callable[[ServiceContext, dict[str, Any]], None]
