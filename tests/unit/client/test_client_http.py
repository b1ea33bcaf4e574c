"""The client's plumbing over a mock transport: URLs, the token, the change feed's cursor,
batches, and a refused batch named by the entry (or row) it concerns."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from corridor.client import Client, Prepared
from corridor.client import api as client_api
from corridor.errors import InputError, RecordError, StoreError, VerificationError
from corridor.service.errors import error_body

TOKEN = "ctk_abcdefghijkl_c2VjcmV0c2VjcmV0c2VjcmV0"


def mock(handler: Callable[[httpx.Request], httpx.Response]) -> Client:
    return Client("http://srv.example:8000/", TOKEN, transport=httpx.MockTransport(handler))


def entries(n: int, size: int = 10) -> list[Prepared]:
    return [Prepared(f"{i:064x}", b"x" * size) for i in range(n)]


class TestPlumbing:
    def test_base_url_and_token(self) -> None:
        seen: list[httpx.Request] = []

        def handler(r: httpx.Request) -> httpx.Response:
            seen.append(r)
            return httpx.Response(200, json={"service": "corridor"})

        c = mock(handler)
        assert c.about() == {"service": "corridor"}
        assert str(seen[0].url) == "http://srv.example:8000/v1"
        assert seen[0].headers["authorization"] == f"Bearer {TOKEN}"
        assert TOKEN not in repr(c) and "secret" not in repr(c)
        assert Client("http://h:1/v1/").base_url == "http://h:1"

    @pytest.mark.parametrize("url", ["srv:8000", "ftp://srv", "http://u:p@srv", "http://srv?x=1"])
    def test_a_bad_url_is_refused(self, url: str) -> None:
        with pytest.raises(InputError, match="server"):
            Client(url)

    def test_a_token_with_a_newline_is_refused(self) -> None:
        with pytest.raises(InputError, match="token"):
            Client("http://srv", "ctk_a\nb")

    def test_a_connection_error_is_one_line(self) -> None:
        def handler(r: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("[Errno -2] Name or service not known", request=r)

        with pytest.raises(StoreError, match=r"^cannot reach the corridor server at "
                                             r"http://srv.example:8000: \[Errno -2\]"):  # fmt: skip
            mock(handler).health()

    def test_naive_times_are_refused_before_sending(self) -> None:
        from datetime import datetime

        with pytest.raises(InputError, match="at: a time needs its UTC offset"):
            mock(lambda r: httpx.Response(500)).situation(datetime(2024, 1, 1))


class TestFollow:
    def test_pages_until_the_end(self) -> None:
        record = [{"id": str(i), "log_index": i} for i in range(7)]
        asked: list[dict[str, str]] = []

        def handler(r: httpx.Request) -> httpx.Response:
            q = dict(r.url.params)
            asked.append(q)
            after, limit = int(q.get("after", -1)), int(q["limit"])
            page = [d for d in record if d["log_index"] > after][:limit]
            nxt = page[-1]["log_index"] if len(page) == limit else None
            return httpx.Response(200, json={"items": page, "next_after": nxt})

        got = list(mock(handler).follow(page=3, type="crossing"))
        assert got == record
        assert [q.get("after") for q in asked] == [None, "2", "5"]
        assert all(q["type"] == "crossing" for q in asked)

    def test_a_cursor_that_goes_back_is_refused(self) -> None:
        def handler(r: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json={"items": [{"id": "a"}], "next_after": 0})

        with pytest.raises(VerificationError, match="went backwards"):
            list(mock(handler).follow(after=5))


class TestSubmit:
    def test_batches_by_count_and_size(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(client_api, "BATCH_ENTRIES", 4)
        monkeypatch.setattr(client_api, "BATCH_BYTES", 1000)
        sizes: list[int] = []

        def handler(r: httpx.Request) -> httpx.Response:
            batch = json.loads(r.content)["entries"]
            sizes.append(len(batch))
            doc = {"accepted": ["a"] * len(batch), "duplicates": [], "tree_size": sum(sizes)}
            return httpx.Response(200, json=doc)

        done = mock(handler).submit(entries(10))
        assert sizes == [4, 4, 2] and done.tree_size == 10 and len(done.accepted) == 10
        sizes.clear()
        mock(handler).submit(entries(3, size=500))  # each about 730 bytes on the wire
        assert sizes == [1, 1, 1]

    @pytest.mark.parametrize(
        ("subject", "message", "want"),
        [
            ("entries[2]", "entries[2]: signature by org x does not verify",
             "row 9: refused by the server http://srv.example:8000: signature by org x does "
             "not verify; the 4 entries before it were accepted"),
            (None, "entry 1 of the submission: bad", "row 8: refused by the server"),
            (None, "the batch is bad", "row 7 to row 10: refused by the server"),
        ],
    )  # fmt: skip
    def test_a_refused_batch_names_the_row(
        self, monkeypatch: pytest.MonkeyPatch, subject: str | None, message: str, want: str
    ) -> None:
        monkeypatch.setattr(client_api, "BATCH_ENTRIES", 4)
        calls = []

        def handler(r: httpx.Request) -> httpx.Response:
            calls.append(1)
            if len(calls) == 1:
                return httpx.Response(200, json={"accepted": [], "duplicates": [],
                                                 "tree_size": 4})  # fmt: skip
            body: Any = error_body(422, "verification-failed", message, subject=subject)
            return httpx.Response(422, json=body)

        with pytest.raises(RecordError) as e:
            mock(handler).submit(entries(10), where=lambda i: f"row {i + 3}")
        assert str(e.value).startswith(want)
        assert len(calls) == 2  # nothing sent after the refused batch

    def test_an_unauthenticated_answer_stays_what_it_is(self) -> None:
        def handler(r: httpx.Request) -> httpx.Response:
            return httpx.Response(401, json=error_body(401, "unauthenticated", "no token"))

        with pytest.raises(Exception) as e:
            mock(handler).submit(entries(1))
        assert not isinstance(e.value, RecordError) and e.value.code == "unauthenticated"  # type: ignore[attr-defined]
