"""The composition root of a worker process: its settings, stores, models and video sources.

Every Celery task of a process (analysis, notification delivery, the stalled-job sweep) takes what it
needs from :func:`process_context`, built on first use after the worker forked its pool processes, so
each process has one Redis client, one set of stores and one set of models.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from workers.metrics import count_inferences
from workers.models import Models
from workers.settings import Settings, get_settings
from workers.sources import VideoSources
from workers.stores import Stores


@dataclass(frozen=True)
class WorkerContext:
    settings: Settings
    stores: Stores
    models: Models
    sources: VideoSources

    @classmethod
    def create(cls, settings: Settings) -> WorkerContext:
        stores = Stores.connect(settings)
        count_inferences(stores.metrics)
        return cls(settings, stores, Models(settings), VideoSources(settings))


_context: WorkerContext | None = None
_context_lock = threading.Lock()


def process_context() -> WorkerContext:
    """This process's context (built from the ``VIDREK_*`` settings on first use)."""
    global _context
    with _context_lock:
        if _context is None:
            _context = WorkerContext.create(get_settings())
        return _context
