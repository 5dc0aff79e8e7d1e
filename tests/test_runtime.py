"""ir.runtime: the process-level guards the stages share."""

from __future__ import annotations

import gc
import subprocess
import sys

from ir.runtime import gc_paused


def test_gc_paused_restores_the_collector_state():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested: the inner one must not enable it on exit
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # left disabled, as it was
    finally:
        gc.enable()


CHECK = """
import multiprocessing, threading
from ir.runtime import can_fork
seen = [can_fork()]
stop = threading.Event()
other = threading.Thread(target=stop.wait)
other.start()
seen.append(can_fork())  # a lock held by the other thread at a fork would stay held in the child
stop.set()
other.join()
seen.append(can_fork())
with multiprocessing.get_context("fork").Pool(1) as pool:
    seen.append(pool.apply(can_fork))  # a daemonic pool worker may not have children
print(seen)
"""


def test_can_fork_only_single_threaded_and_not_in_a_pool_worker():
    # in a fresh interpreter: the test process may hold threads of earlier tests (servers, harnesses)
    proc = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[True, False, True, False]"
