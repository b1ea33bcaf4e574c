"""Watches: subscriptions delivered as signed webhooks (Standard Webhooks), with retries
(docs/watches.md).

Two kinds:

- ``entries``: new log entries matching a filter (``type``, ``checkpoint``, ``route``, ``org``:
  the reporter); each matching entry appended after the watch was made is one ``entry.appended``
  event;
- ``verdict``: a case's commitment judged at an instant (``at``, default: now, at each
  evaluation); the watched value is the commitment's verdict and the verdict of its window
  (``window: daily``: the last judged instance, one per day for a rule judged ``every: 1d``);
  when either changes, one ``verdict.changed`` event.

:meth:`WatchCases.evaluate` turns what happened since the last evaluation into deliveries, one
per (watch, event) (a unique key in the store: evaluating twice, or in two processes, never
makes a second); :meth:`WatchCases.deliver` sends the deliveries that are due, signed, and
records every attempt; a failed attempt (no answer, or a status other than 2xx) is retried
after 5 s, 10 s, 20 s, ... (doubling, at most an hour apart), at most ``MAX_ATTEMPTS`` times,
then the delivery is ``failed``. Every attempt of one event carries the same ``webhook-id``.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from corridor.errors import AccessError, InputError, NotFoundError
from corridor.store.api import Query
from corridor.store.watches import StoredAttempt, StoredDelivery, StoredWatch

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor

Shape = dict[str, Any]

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_MAX",
    "KINDS",
    "MAX_ATTEMPTS",
    "Sender",
    "WatchCases",
    "delivery_shape",
    "message_id",
    "watch_shape",
]

KINDS = ("entries", "verdict")
ENTRY_FILTERS = ("type", "checkpoint", "route", "org")
VERDICT_FILTERS = ("case", "commitment", "at", "window")
WINDOWS = ("daily",)
MAX_ATTEMPTS = 8
BACKOFF_BASE = 5  # seconds before the second attempt; doubles after each failure
BACKOFF_MAX = 3600
MAX_WATCHES_PER_OWNER = 100

Sender = Callable[..., tuple[int | None, str | None]]
"""Sends one delivery: (url, secret=, msg_id=, timestamp=, body=) -> (status, error)."""


def message_id(watch_id: str, event: str) -> str:
    """The webhook-id of a (watch, event): the same however often it is computed."""
    return "msg_" + hashlib.sha256(f"{watch_id}\n{event}".encode()).hexdigest()[:32]


def backoff(attempts: int) -> int:
    """Seconds to wait after the ``attempts``-th failed attempt."""
    return int(min(BACKOFF_MAX, BACKOFF_BASE * 2 ** max(0, attempts - 1)))


def _iso(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def watch_shape(w: StoredWatch, *, secret: bool = False) -> dict[str, Any]:
    """A watch as the API and ``--json`` show it; its secret only when it is made."""
    d: dict[str, Any] = {
        "id": w.id, "kind": w.kind, "filter": w.filter, "url": w.url, "label": w.label,
        "owner": w.owner, "created_at": _iso(w.created_at), "cursor": w.cursor,
        "last": w.last,
    }  # fmt: skip
    if secret:
        d["secret"] = w.secret
    return d


def delivery_shape(d: StoredDelivery) -> dict[str, Any]:
    return {
        "id": d.id, "event": d.event, "type": d.type, "status": d.status,
        "attempts": d.attempts, "next_at": _iso(d.next_at) if d.status == "pending" else None,
        "created_at": _iso(d.created_at), "delivered_at": _iso(d.delivered_at),
        "payload": json.loads(d.payload),
        "tries": [
            {"attempt": a.attempt, "at": _iso(a.at), "http_status": a.http_status,
             "error": a.error}
            for a in d.tries
        ],
    }  # fmt: skip


@dataclass(frozen=True)
class RunResult:
    """What one evaluation and delivery round did."""

    events: int  # new deliveries made
    attempted: int
    delivered: int
    failed: int  # deliveries given up after MAX_ATTEMPTS


def _check_filter(kind: str, flt: Mapping[str, Any]) -> dict[str, Any]:
    if kind not in KINDS:
        raise InputError(f"{kind!r} is not one of {', '.join(KINDS)}", where="kind")
    allowed = ENTRY_FILTERS if kind == "entries" else VERDICT_FILTERS
    out: dict[str, Any] = {}
    for k, v in flt.items():
        if k not in allowed:
            raise InputError(f"a {kind} watch filters on {', '.join(allowed)}, not {k!r}",
                             where=f"filter.{k}")  # fmt: skip
        if v is None or v == "":
            continue
        if not isinstance(v, str) or len(v) > 200:
            raise InputError("a filter value is a short text", where=f"filter.{k}")
        out[k] = v
    if kind == "verdict":
        for k in ("case", "commitment"):
            if k not in out:
                raise InputError(f"a verdict watch names its {k}", where=f"filter.{k}")
        out.setdefault("window", "daily")
        if out["window"] not in WINDOWS:
            raise InputError(f"window is one of {', '.join(WINDOWS)}", where="filter.window")
        if "at" in out:
            out["at"] = _parse_at(out["at"]).isoformat()
    return out


def _parse_at(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not an ISO 8601 instant", where="filter.at") from None
    if at.tzinfo is None:
        raise InputError("the instant needs a UTC offset (e.g. +04:00)", where="filter.at")
    return at


class WatchCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    # -- the watches ---------------------------------------------------------------------------
    def add(
        self,
        kind: str,
        filter: Mapping[str, Any],
        url: str,
        *,
        owner: str = "cli",
        label: str | None = None,
        builtin_only: bool = False,
    ) -> dict[str, Any]:
        """Make a watch; its shape with the signing secret (``whsec_...``), shown this once.
        An entries watch starts at the log's current size; a verdict watch at the verdict now
        (so the first event is a change). With ``builtin_only`` (a server, for a client) a
        verdict watch's case is a built-in case's name, never a path."""
        from corridor.client.webhooks import new_secret, url_problem

        flt = _check_filter(kind, filter)
        problem = url_problem(url)
        if problem:
            raise InputError(problem, where="url")
        if len(self.app.store.watches(owner=owner)) >= MAX_WATCHES_PER_OWNER:
            raise InputError(f"at most {MAX_WATCHES_PER_OWNER} watches per owner", where="owner")
        size = self.app.store.size()
        last = None
        if kind == "verdict":
            if builtin_only:
                self.app.cases.builtin(flt["case"])  # NotFoundError for anything else
            case = self._case(flt["case"])
            if not self.app.cases.holds(case):
                raise NotFoundError(f"the database does not hold case {case.name!r}; load it first")
            last = self._verdict(flt, size)
        w = StoredWatch(
            "wat_" + secrets.token_hex(12), owner, kind, flt, url, new_secret(), label, size,
            last, int(time.time()), None,
        )  # fmt: skip
        self.app.store.add_watch(w)
        return watch_shape(w, secret=True)

    def list(self, *, owner: str | None = None) -> list[dict[str, Any]]:
        return [watch_shape(w) for w in self.app.store.watches(owner=owner)]

    def _owned(self, id: str, owner: str | None) -> StoredWatch:
        w = self.app.store.watch(id)
        if w is None or w.removed_at is not None:
            raise NotFoundError(f"no watch {id!r}")
        if owner is not None and w.owner != owner:
            raise AccessError(f"watch {id} belongs to another token", subject=id)
        return w

    def get(self, id: str, *, owner: str | None = None) -> dict[str, Any]:
        return watch_shape(self._owned(id, owner))

    def remove(self, id: str, *, owner: str | None = None) -> dict[str, Any]:
        """Remove a watch (owner's, or any with ``owner`` None); its deliveries stay listed,
        pending ones are cancelled."""
        w = self._owned(id, owner)
        self.app.store.remove_watch(w.id)
        return watch_shape(w)

    def deliveries(self, id: str, *, owner: str | None = None) -> builtins.list[Shape]:
        """A watch's deliveries, newest first, each with every attempt."""
        w = self.app.store.watch(id)
        if w is None:
            raise NotFoundError(f"no watch {id!r}")
        if owner is not None and w.owner != owner:
            raise AccessError(f"watch {id} belongs to another token", subject=id)
        return [delivery_shape(d) for d in self.app.store.deliveries(w.id)]

    # -- evaluation ----------------------------------------------------------------------------
    def evaluate(self, *, now: int | None = None) -> int:
        """Turn what happened since each watch's last evaluation into deliveries (due at once);
        returns how many are new."""
        now = int(time.time()) if now is None else now
        size = self.app.store.size()
        new = 0
        for w in self.app.store.watches():
            if w.kind == "entries":
                new += self._evaluate_entries(w, size, now)
            else:
                new += self._evaluate_verdict(w, size, now)
        return new

    def _evaluate_entries(self, w: StoredWatch, size: int, now: int) -> int:
        from corridor.app.shapes import observation

        if w.cursor >= size:
            return 0
        f = w.filter
        q = Query(
            type=f.get("type"), checkpoint=f.get("checkpoint"), route=f.get("route"),
            reporter=f.get("org"), after=w.cursor - 1, as_of=size,
        )  # fmt: skip
        rows = []
        for s in self.app.observations.feed(q):
            event = f"entry:{s.id}"
            body = {
                "type": "entry.appended",
                "timestamp": _iso(now),
                "data": {"watch": w.id, "tree_size": size, "entry": observation(s)},
            }
            rows.append(self._row(w, event, "entry.appended", body, now))
        return self.app.store.advance_watch(w.id, cursor=size, last=w.last, deliveries=rows)

    def _case(self, name: str) -> Any:
        """A built-in case by name first, else a case file or folder."""
        if name in self.app.cases.list():
            return self.app.cases.builtin(name)
        return self.app.cases.read(name)

    def _verdict(self, flt: Mapping[str, Any], size: int) -> dict[str, Any]:
        """The commitment's verdict and its window's, at the watch's instant (default now)."""
        case = self._case(flt["case"])
        at = _parse_at(flt["at"]) if flt.get("at") else datetime.now(UTC)
        result = self.app.commitments.check(case.rules, at)
        found = [r for r in result.results if r.id == flt["commitment"]]
        if not found:
            known = ", ".join(r.id for r in result.results)
            raise NotFoundError(
                f"case {case.name!r} has no commitment {flt['commitment']!r}; it has {known}"
            )
        r = found[0]
        t = at.timestamp()
        window = None
        judged = [i for i in r.instances if i.start <= t]
        if judged:
            i = judged[-1]
            j = i.to_json(r.tz)
            window = {k: j[k] for k in ("key", "start", "end", "verdict", "why")}
        return {"verdict": r.verdict.value, "window": window, "at": at.isoformat(),
                "tree_size": size}  # fmt: skip

    @staticmethod
    def _value(state: Mapping[str, Any] | None) -> tuple[Any, Any]:
        if state is None:
            return None, None
        window = state.get("window") or {}
        return state.get("verdict"), window.get("verdict")

    def _evaluate_verdict(self, w: StoredWatch, size: int, now: int) -> int:
        if w.filter.get("at") and w.cursor >= size:
            return 0  # a fixed instant, and nothing appended since: the same verdict
        current = self._verdict(w.filter, size)
        if self._value(current) == self._value(w.last):
            return self.app.store.advance_watch(w.id, cursor=size, last=w.last, deliveries=[])
        day = current["at"][:10]
        before = "/".join(str(x) for x in self._value(w.last))
        after = "/".join(str(x) for x in self._value(current))
        event = f"verdict:{size}:{day}:{before}->{after}"
        body = {
            "type": "verdict.changed",
            "timestamp": _iso(now),
            "data": {
                "watch": w.id, "case": w.filter["case"], "commitment": w.filter["commitment"],
                "previous": w.last, "current": current,
            },
        }  # fmt: skip
        row = self._row(w, event, "verdict.changed", body, now)
        return self.app.store.advance_watch(w.id, cursor=size, last=current, deliveries=[row])

    @staticmethod
    def _row(w: StoredWatch, event: str, type_: str, body: Mapping[str, Any], now: int
             ) -> dict[str, Any]:  # fmt: skip
        return {
            "id": message_id(w.id, event), "watch_id": w.id, "event": event, "type": type_,
            "payload": json.dumps(body, ensure_ascii=False, separators=(",", ":"),
                                  sort_keys=True),
            "status": "pending", "attempts": 0, "next_at": now, "created_at": now,
            "delivered_at": None,
        }  # fmt: skip

    # -- delivery ------------------------------------------------------------------------------
    def deliver(
        self,
        *,
        now: int | None = None,
        allow_private: bool = True,
        send: Sender | None = None,
        limit: int = 100,
    ) -> RunResult:
        """Send every delivery due at ``now`` once; record each attempt; schedule a retry
        (doubling back-off) or give up after MAX_ATTEMPTS."""
        from corridor.client.webhooks import destination_problem, post

        send = send or post
        now = int(time.time()) if now is None else now
        attempted = delivered = failed = 0
        watches: dict[str, StoredWatch | None] = {}
        for d in self.app.store.due_deliveries(now, limit=limit):
            if d.watch_id not in watches:
                watches[d.watch_id] = self.app.store.watch(d.watch_id)
            w = watches[d.watch_id]
            if w is None or w.removed_at is not None:
                continue
            n = d.attempts + 1
            # claim it for as long as an attempt may take, so no other process sends it too
            if not self.app.store.claim_delivery(d, now + 60):
                continue
            attempted += 1
            status: int | None
            error = destination_problem(w.url, allow_private=allow_private)
            if error is None:
                status, error = send(w.url, secret=w.secret, msg_id=d.id, timestamp=now,
                                     body=d.payload.encode())  # fmt: skip
            else:
                status = None
            ok = status is not None and 200 <= status < 300
            if ok:
                state, next_at = "delivered", now
                delivered += 1
            elif n >= MAX_ATTEMPTS:
                state, next_at = "failed", now
                failed += 1
            else:
                state, next_at = "pending", now + backoff(n)
            self.app.store.record_attempt(
                d.id, StoredAttempt(n, now, status, error), status=state, next_at=next_at
            )
        return RunResult(0, attempted, delivered, failed)

    def run(self, *, now: int | None = None, allow_private: bool = True,
            send: Sender | None = None) -> RunResult:  # fmt: skip
        """Evaluate every watch, then deliver what is due: one round."""
        events = self.evaluate(now=now)
        r = self.deliver(now=now, allow_private=allow_private, send=send)
        return RunResult(events, r.attempted, r.delivered, r.failed)
