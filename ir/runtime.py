"""Process-level helpers the stages share."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector around work that allocates many small acyclic objects.

    Parsing 100,000 records or scoring millions of candidate pairs creates objects that reference
    counting frees; the cyclic collector's repeated passes over them only slow the work down (~40%).
    It is enabled again afterwards if it was enabled before.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def can_fork() -> bool:
    """Whether this process may fork workers that inherit its memory.

    Only where the platform forks, the process is not a pool's (daemonic) worker, which may have no
    children, and no other thread runs: a thread holding a lock at the fork would leave the child's copy
    of that lock held forever.
    """
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
        and threading.active_count() == 1
    )
