"""Cutting what is read or written into pieces."""

from __future__ import annotations

import pytest

from stations.iterables import batched

pytestmark = pytest.mark.unit


def test_batched_keeps_the_order_and_leaves_the_rest_to_the_last_piece():
    assert list(batched([5, 1, 4, 2, 3], 2)) == [[5, 1], [4, 2], [3]]


def test_batched_reads_an_iterator_lazily_a_piece_at_a_time():
    read: list[int] = []

    def numbers():
        for n in range(10):
            read.append(n)
            yield n

    pieces = batched(numbers(), 4)
    first = next(pieces)

    assert (first, read) == ([0, 1, 2, 3], [0, 1, 2, 3])


def test_batched_of_nothing_is_no_piece():
    assert list(batched([], 3)) == []
