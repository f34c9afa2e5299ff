"""Run a producer (e.g. the decoder) in a background thread, so decoding overlaps with inference.

PyAV and onnxruntime both release the GIL in their native code, so on a machine with two cores the
decoder can prepare the next sampled frame while the detector works on this one.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


def prefetched(items: Iterable[T], depth: int = 4) -> Iterator[T]:
    """Yield ``items`` in order while a thread produces up to ``depth`` items ahead.

    ``depth`` (items, 1..64) bounds the memory held: each item of a frame iterator is one downscaled
    frame. Too small and the consumer waits on the decoder at every scene change; larger buys nothing
    once decoding keeps up. An exception raised by the producer is re-raised in the consumer.
    """
    buffer: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        buffer.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            buffer.put(_DONE)
        except BaseException as err:  # handed to the consumer
            buffer.put(err)

    thread = threading.Thread(target=produce, daemon=True, name="vidrek-prefetch")
    thread.start()
    try:
        while True:
            item = buffer.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join(timeout=5)
