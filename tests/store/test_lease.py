from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from leadsync.store import LeaseHeld, Store


def test_a_second_runner_on_the_same_pipeline_gets_lease_held(store_url, pipeline):
    with Store.open(store_url) as first, Store.open(store_url) as second:
        with first.lease(pipeline):
            with pytest.raises(LeaseHeld, match=pipeline), second.lease(pipeline):
                pass
            with second.lease(f"{pipeline}-other"):
                pass  # another pipeline runs alongside
        with second.lease(pipeline):
            pass  # released when the first runner is done


def test_the_lease_is_released_when_the_run_fails(store, pipeline):
    with pytest.raises(RuntimeError), store.lease(pipeline):
        raise RuntimeError("cycle failed")
    with store.lease(pipeline):
        pass


def test_a_runner_in_another_process_holds_the_lease(store_url, pipeline):
    holder = textwrap.dedent(
        f"""
        import sys
        from leadsync.store import Store
        with Store.open({store_url!r}) as store, store.lease({pipeline!r}):
            print("held", flush=True)
            sys.stdin.read()
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", holder], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "held"
        with Store.open(store_url) as store, pytest.raises(LeaseHeld), store.lease(pipeline):
            pass
    finally:
        assert process.stdin is not None
        process.stdin.close()
        assert process.wait(timeout=10) == 0
        process.stdout.close()  # type: ignore[union-attr]
    with Store.open(store_url) as store, store.lease(pipeline):
        pass
