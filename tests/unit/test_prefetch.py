from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipelines.prefetch import prefetched


def test_items_arrive_in_order() -> None:
    assert list(prefetched(range(100), depth=3)) == list(range(100))


def test_producer_error_reaches_the_consumer() -> None:
    def broken() -> Iterator[int]:
        yield 1
        raise ValueError("decoder broke")

    with pytest.raises(ValueError, match="decoder broke"):
        list(prefetched(broken()))


def test_consumer_may_stop_early() -> None:
    produced = []

    def numbers() -> Iterator[int]:
        for i in range(1000):
            produced.append(i)
            yield i

    for i in prefetched(numbers(), depth=2):
        if i == 5:
            break
    assert len(produced) < 20
