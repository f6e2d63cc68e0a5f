"""Cutting what is read or written into pieces: ``id__in`` reads and multi-row writes stay
under the databases' limits on a statement's parameters."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in order, ``size`` at a time (the last list may be shorter), read lazily:
    ``itertools.batched`` of Python 3.12, as lists."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
