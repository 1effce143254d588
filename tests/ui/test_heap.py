"""Garbage collection between runs: a full collection only when many objects have survived, and then nothing old is scanned again."""

from __future__ import annotations

import gc

from ui import heap


class Node:
    """An object the collector tracks, in a reference cycle with its twin."""

    def __init__(self) -> None:
        self.other: Node | None = None


def test_settle_waits_for_regrowth_then_collects_and_freezes() -> None:
    gc.collect()
    assert heap.settle(regrowth=10**9) is False  # nothing like that many objects: no pass
    kept = [Node() for _ in range(5000)]
    gc.collect()  # they survive into the oldest generation
    assert heap.settle(regrowth=1000) is True
    try:
        assert gc.get_freeze_count() >= len(kept)
        assert len(gc.get_objects(generation=2)) < 1000  # what survived is frozen: later passes skip it
    finally:
        gc.unfreeze()


def test_cycles_frozen_and_then_dropped_are_collected_at_the_next_settle() -> None:
    import weakref

    a, b = Node(), Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    gc.collect()
    assert heap.settle(regrowth=0) is True  # the cycle is alive: frozen
    try:
        del a, b
        gc.collect()
        assert gone() is not None  # frozen: an ordinary collection leaves it
        assert heap.settle(regrowth=0) is True
        assert gone() is None  # the next settle unfreezes first, so the cycle goes
    finally:
        gc.unfreeze()
