"""One way to open an ONNX model for CPU inference, tuned for several sessions run one after another."""

from __future__ import annotations

from pathlib import Path

import onnxruntime


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
    return onnxruntime.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
