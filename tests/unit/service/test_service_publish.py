"""The service's publisher: pushes run in its own thread (a request returns at once), wake-ups
during a push coalesce into one more push, a failing push does not stop it, and closing waits
for the push under way."""

from __future__ import annotations

import threading
from typing import Any, cast

from corridor.app import Corridor
from corridor.service.publish import Publisher


class _Log:
    def __init__(self) -> None:
        self.calls = 0
        self.entered = threading.Event()
        self.release = threading.Event()
        self.fail = False

    def publish(self) -> list[Any]:
        self.calls += 1
        self.entered.set()
        assert self.release.wait(30)
        if self.fail:
            raise RuntimeError("the witness exploded")
        return []


class _App:
    def __init__(self) -> None:
        self.log = _Log()


def _publisher() -> tuple[Publisher, _Log]:
    app = _App()
    return Publisher(cast(Corridor, app), interval=0), app.log


def _wait_for(log: _Log, calls: int) -> None:
    while log.calls < calls:
        assert log.entered.wait(30)
        log.entered.clear()


class TestPublisher:
    def test_requests_during_a_push_coalesce(self) -> None:
        publisher, log = _publisher()
        publisher.start()  # the first push is at once
        _wait_for(log, 1)
        for _ in range(5):  # while it is held: five requests, one more push
            publisher.request()
        log.release.set()
        _wait_for(log, 2)
        publisher.close()
        assert log.calls == 2
        assert publisher.pushes == 2

    def test_a_failing_push_does_not_stop_it(self) -> None:
        publisher, log = _publisher()
        log.fail = True
        log.release.set()
        publisher.start()
        _wait_for(log, 1)
        log.fail = False
        publisher.request()
        _wait_for(log, 2)
        publisher.close()
        assert log.calls == 2

    def test_close_waits_for_the_push_under_way(self) -> None:
        publisher, log = _publisher()
        publisher.start()
        _wait_for(log, 1)
        closing = threading.Thread(target=publisher.close)
        closing.start()
        log.release.set()
        closing.join(30)
        assert not closing.is_alive()
        assert publisher.pushes == 1
