"""The read-ahead thread: same items in order, errors raised where they happened, early stop."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from screening.inputs.read_ahead import read_ahead


def test_items_in_order() -> None:
    assert list(read_ahead(iter(range(50)), depth=2)) == list(range(50))
    assert list(read_ahead(iter([]))) == []


def test_an_error_is_raised_after_the_items_before_it() -> None:
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("row 3: truncated")

    seen: list[int] = []
    with pytest.raises(ValueError, match="row 3: truncated"):
        for item in read_ahead(source()):
            seen.append(item)
    assert seen == [1, 2]


def test_stopping_early_closes_the_source_and_the_thread() -> None:
    closed = threading.Event()
    produced: list[int] = []

    def source() -> Iterator[int]:
        try:
            for i in range(1_000):
                produced.append(i)
                yield i
        finally:
            closed.set()

    items = read_ahead(source(), depth=1)
    assert next(items) == 0
    items.close()  # the consumer gives up (an error in screening)
    assert closed.is_set()
    assert len(produced) <= 3  # parsed at most depth + 1 chunks ahead
    assert not any(t.name == "batch-read-ahead" for t in threading.enumerate())


def test_parsing_overlaps_the_consumer() -> None:
    started = threading.Event()

    def source() -> Iterator[int]:
        yield 1
        started.set()  # the second chunk is being parsed before the first is consumed
        yield 2

    items = read_ahead(source())
    assert next(items) == 1
    assert started.wait(timeout=5)
    assert list(items) == [2]
