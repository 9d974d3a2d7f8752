"""Streams side by side: each starts once what it NEEDS has finished, the others at once."""

from __future__ import annotations

import threading

import pytest

from app.sync.runner import run_together
from app.sync.streams import NEEDS, RUN_ORDER, Stream


def test_needs_come_first_in_the_run_order() -> None:
    assert NEEDS[Stream.INVENTORY] == {Stream.ORDERS}
    assert NEEDS[Stream.FEES] == {Stream.REPORTS}
    for stream, needs in NEEDS.items():
        assert all(RUN_ORDER.index(n) < RUN_ORDER.index(stream) for n in needs)


def test_streams_start_when_their_needs_are_done_and_not_before() -> None:
    lock = threading.Lock()
    log: list[tuple[str, Stream]] = []
    release = {s: threading.Event() for s in Stream}
    started = {s: threading.Event() for s in Stream}

    def one(stream: Stream) -> str:
        with lock:
            log.append(("start", stream))
        started[stream].set()
        assert release[stream].wait(10)
        with lock:
            log.append(("end", stream))
        return stream.value

    outcome: dict[Stream, object] = {}
    thread = threading.Thread(target=lambda: outcome.update(run_together(RUN_ORDER, one)))
    thread.start()
    # Orders, inbound and reports need nothing: all three run at once (AWD, last in the run
    # order, waits for a free worker).
    for s in (Stream.ORDERS, Stream.INBOUND, Stream.REPORTS):
        assert started[s].wait(10)
    assert not started[Stream.INVENTORY].is_set() and not started[Stream.FEES].is_set()
    assert not started[Stream.AWD].wait(0.3)
    release[Stream.INBOUND].set()
    assert started[Stream.AWD].wait(10)  # inbound's worker
    assert not started[Stream.FEES].wait(0.3)  # it needs reports, still running
    release[Stream.REPORTS].set()
    assert started[Stream.FEES].wait(10)
    assert not started[Stream.INVENTORY].wait(0.3)  # it needs orders, still running
    release[Stream.ORDERS].set()
    assert started[Stream.INVENTORY].wait(10)
    release[Stream.INVENTORY].set()
    release[Stream.FEES].set()
    release[Stream.AWD].set()
    thread.join(10)
    assert outcome == {s: s.value for s in Stream}
    ends = [s for kind, s in log if kind == "end"]
    starts = [s for kind, s in log if kind == "start"]
    for stream, needs in NEEDS.items():
        for need in needs:
            assert ends.index(need) < starts.index(stream)


def test_a_failure_is_returned_and_what_needs_it_still_runs() -> None:
    ran: list[Stream] = []

    def one(stream: Stream) -> str:
        ran.append(stream)
        if stream is Stream.ORDERS:
            raise RuntimeError("orders down")
        return "ok"

    got = run_together(["orders", "inventory"], one)
    assert isinstance(got[Stream.ORDERS], RuntimeError)
    assert got[Stream.INVENTORY] == "ok"
    assert ran == [Stream.ORDERS, Stream.INVENTORY]


def test_streams_not_asked_for_are_not_waited_for() -> None:
    got = run_together(["fees"], lambda s: s.value)
    assert got == {Stream.FEES: "fees"}
    with pytest.raises(ValueError):
        run_together(["nope"], lambda s: s.value)
