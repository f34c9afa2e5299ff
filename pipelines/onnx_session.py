"""One way to open an ONNX model for CPU inference, tuned for several sessions run one after another.

Every run of a session made here is timed: :func:`observe_inferences` installs the one callback of the
process that receives ``(model name, seconds)`` (the workers and the API count them as Prometheus
histograms, see workers/metrics.py); pipelines itself keeps no metric.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import onnxruntime

#: Receives the model name (the ONNX file's stem) and the seconds one ``run`` took.
InferenceObserver = Callable[[str, float], None]

_observer: InferenceObserver | None = None


def observe_inferences(observer: InferenceObserver | None) -> None:
    """Send the timing of every later inference of this process to ``observer`` (None: stop)."""
    global _observer
    _observer = observer


class TimedSession(onnxruntime.InferenceSession):  # type: ignore[misc]  # untyped library class
    """An InferenceSession whose ``run`` reports its duration to the process's observer."""

    def __init__(self, path: Path, **kwargs: Any) -> None:
        super().__init__(str(path), **kwargs)
        self.model_name = path.stem

    def run(self, output_names: Any, input_feed: Any, run_options: Any = None) -> Any:
        started = time.perf_counter()
        try:
            return super().run(output_names, input_feed, run_options)
        finally:
            observer = _observer
            if observer is not None:
                observer(self.model_name, time.perf_counter() - started)


def create_session(path: Path, threads: int) -> onnxruntime.InferenceSession:
    """An onnxruntime CPU session on ``path``.

    ``threads``: intra-op threads (unit: threads, range 1..cores). More threads cut latency of one
    inference (centernet 512x512: about 46 ms at 1 thread, 26-31 ms at 2 on this 2-core machine) but
    above the number of free cores they fight the decoder and other sessions. Inter-op threads are 1,
    and spinning is off (``session.intra_op.allow_spinning=0``): with spinning on, idle worker threads
    busy-wait between the per-frame runs of several sessions and per-frame time grew 2-3x under load.
    """
    if threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads}")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    return TimedSession(path, sess_options=options, providers=["CPUExecutionProvider"])
