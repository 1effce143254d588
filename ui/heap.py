"""Garbage collection between script runs, off the map's critical path.

Streamlit's own full collection after every run (``runner.postScriptGC``, off in
``.streamlit/config.toml``) scanned some 250,000 long-lived objects (modules, cached tables) each
time: 0.2–0.4 s on this 2-core machine, right after the run that sent a new map and before the next
could start. Without it, Python's generational collector still ran a full collection now and then,
in the middle of a run (0.25 s once inside the digest of a map's content). Instead, once a page has
been drawn completely, :func:`settle` collects everything and freezes what survives
(:func:`gc.freeze`) whenever many objects have survived since the last time: later collections
scan only what is newer, and a frozen object that becomes garbage is still freed by its reference
count (only reference cycles among frozen objects wait for the next settle, which unfreezes first).
"""

from __future__ import annotations

import gc
import threading

REGROWTH = 100_000  # objects surviving in the oldest generation since the last settle (a full pass over 265,000 took 0.15-0.2 s)
_lock = threading.Lock()


def settle(*, regrowth: int = REGROWTH) -> bool:
    """When ``regrowth`` objects or more have survived since the last settle, collect all and freeze the rest; True when it did.

    Parameters
    ----------
    regrowth
        How many objects in the oldest generation (not frozen) call for a full collection.

    Returns
    -------
    bool
        Whether a full collection ran.
    """
    if len(gc.get_objects(generation=2)) < regrowth or not _lock.acquire(blocking=False):
        return False
    try:
        gc.unfreeze()  # frozen objects that have become cyclic garbage are collected too
        gc.collect()
        gc.freeze()
        return True
    finally:
        _lock.release()
