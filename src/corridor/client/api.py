"""The Python client of corridor's HTTP API (``corridor serve``), over httpx.

    from corridor.client import Client
    from corridor.ledger.keyfile import Keyring

    with Client("http://127.0.0.1:8000", token="ctk_...") as api:
        registry = api.registry()
        obs = api.parse([{"type": "crossing", ...}], registry)
        done = api.record(obs, Keyring("corridor-keys"))     # signed here, not on the server
        for item in api.follow():                            # the change feed, page by page
            ...

One method per endpoint of the API (``/v1``); answers are the API's JSON shapes
(``corridor.app.shapes``) except where a core object is rebuilt (:meth:`Client.registry`).
Every failure is a :class:`~corridor.errors.CorridorError`: the class the server raised, rebuilt
from its error envelope (:func:`corridor.client.errors.error_from_response`), or one line naming
the URL when the server cannot be reached. The token is sent as ``Authorization: Bearer`` and is
never part of a message or of the client's ``repr``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from corridor import __version__
from corridor.client.errors import error_from_response, unreachable
from corridor.client.signing import Prepared, SigningDesk, parse_observations
from corridor.errors import CorridorError, InputError, RecordError, VerificationError
from corridor.ledger.keyfile import Keyring
from corridor.model import Checkpoint, Observation, Organisation, Place, Registry, Route

__all__ = ["BATCH_BYTES", "BATCH_ENTRIES", "Client", "Page", "Submitted"]

#: A submission is sent in batches of at most this many entries and about this many bytes
#: (each batch one request, committed on its own; the server's body limit is 16 MiB by default).
BATCH_ENTRIES = 1000
BATCH_BYTES = 4 << 20

#: The page size :meth:`Client.follow` asks for.
FOLLOW_PAGE = 1000

_ENTITY_KINDS = ("organisations", "places", "routes", "checkpoints")
_FILTERS = ("type", "reporter", "route", "checkpoint", "direction", "category", "place")
#: The statuses of an answer that refuses the entries themselves (not the token, not the load).
_REFUSALS = frozenset({403, 409, 413, 422})
_ENTRY_REF = re.compile(r"entries\[(\d+)\]|entry (\d+) of the submission")


@dataclass(frozen=True)
class Page:
    """One page of observations (``shapes.observation`` each) and the cursor to the next
    (a log index; None at the end of what matched); asked as of a signed checkpoint, the
    checkpoint it rests on (``shapes.basis``)."""

    items: list[dict[str, Any]]
    next_after: int | None
    as_of: dict[str, Any] | None = None


@dataclass
class Submitted:
    """What a submission did: ids accepted (new), ids already on the record, the log's size,
    and the latest checkpoint the server signed (its note text)."""

    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    tree_size: int = 0
    checkpoint: str | None = None


def _time(value: datetime | None, name: str) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise InputError("a time needs its UTC offset", where=name)
    return value.isoformat()


def _base_url(url: str) -> str:
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise InputError(
            f"{text!r} is not a server URL such as http://127.0.0.1:8000", where="server"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InputError("a server URL has no query, fragment or credentials", where="server")
    path = parts.path.rstrip("/").removesuffix("/v1")
    return f"{parts.scheme}://{parts.netloc}{path}"


class Client:
    """corridor's HTTP API at ``base_url`` (e.g. ``http://127.0.0.1:8000``)."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = _base_url(base_url)
        self.timeout = timeout
        headers = {"Accept": "application/json", "User-Agent": f"corridor/{__version__}"}
        if token:
            if not token.isascii() or not token.isprintable() or " " in token:
                raise InputError("the token is not printable ASCII without spaces", where="token")
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport,
            follow_redirects=False,
        )  # fmt: skip

    def __repr__(self) -> str:
        return f"Client({self.base_url!r})"

    # -- plumbing ------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        accept: str = "application/json",
    ) -> httpx.Response:
        """One request to ``/v1`` + ``path``; an error answer or a failed connection raises."""
        query = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            r = self._http.request(
                method, "/v1" + path, params=query, json=json, headers={"Accept": accept}
            )
        except httpx.TimeoutException:
            raise unreachable(self.base_url, f"no answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise unreachable(self.base_url, str(exc) or type(exc).__name__) from None
        if r.status_code >= 400:
            raise error_from_response(r.status_code, r.content, self.base_url)
        return r

    def _json(self, method: str, path: str, **kw: Any) -> Any:
        r = self.request(method, path, **kw)
        try:
            return r.json()
        except ValueError:
            raise error_from_response(r.status_code, b"", self.base_url) from None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the service ---------------------------------------------------------------------------
    def about(self) -> dict[str, Any]:
        """``GET /v1``: the service's version and the log it serves (origin, verifier key)."""
        return dict(self._json("GET", ""))

    def health(self) -> dict[str, Any]:
        """``GET /v1/health``."""
        return dict(self._json("GET", "/health"))

    # -- registry and keys ---------------------------------------------------------------------
    def registry_json(self) -> dict[str, Any]:
        """``GET /v1/registry`` as the server sends it."""
        return dict(self._json("GET", "/registry"))

    def registry(self) -> Registry:
        """The server's organisations, places, routes and checkpoints as a
        :class:`~corridor.model.Registry` (each entity validated by the model)."""
        from pydantic import ValidationError

        doc = self.registry_json()
        try:
            return Registry.of(
                [Organisation.model_validate(o) for o in doc.get("organisations", ())],
                [Place.model_validate(p) for p in doc.get("places", ())],
                [Route.model_validate(r) for r in doc.get("routes", ())],
                [Checkpoint.model_validate(c) for c in doc.get("checkpoints", ())],
            )
        except (ValidationError, TypeError) as exc:
            raise VerificationError(
                f"the registry of {self.base_url} does not validate: {exc}".splitlines()[0]
            ) from None

    def entities(self, kind: str) -> list[dict[str, Any]]:
        """``GET /v1/organisations|places|routes|checkpoints``."""
        if kind not in _ENTITY_KINDS:
            raise InputError(f"expected one of {', '.join(_ENTITY_KINDS)}", where=kind)
        return list(self._json("GET", f"/{kind}")["items"])

    def add_entity(self, kind: str, entity: Mapping[str, Any] | Any) -> dict[str, Any]:
        """``POST /v1/organisations|places|routes|checkpoints`` (admin): add one entity (a
        model entity or its JSON)."""
        if kind not in _ENTITY_KINDS:
            raise InputError(f"expected one of {', '.join(_ENTITY_KINDS)}", where=kind)
        body = entity if isinstance(entity, Mapping) else entity.model_dump(mode="json")
        return dict(self._json("POST", f"/{kind}", json=dict(body)))

    def keys(self) -> list[dict[str, Any]]:
        """``GET /v1/keys``: every registered verifier key, ``{"org", "vkey", "demo"}``."""
        return list(self._json("GET", "/keys")["items"])

    def add_key(self, vkey: str, *, rotate: bool = False) -> dict[str, Any]:
        """``POST /v1/keys`` (admin): register an organisation's verifier key."""
        return dict(self._json("POST", "/keys", json={"vkey": vkey, "rotate": rotate}))

    def create_token(self, **fields: Any) -> dict[str, Any]:
        """``POST /v1/tokens`` (admin), e.g. ``org=``, ``role=``, ``label=``: the new token is
        in the answer, once."""
        return dict(self._json("POST", "/tokens", json=fields))

    def revoke_token(self, token_id: str) -> None:
        """``DELETE /v1/tokens/{id}`` (admin)."""
        self.request("DELETE", f"/tokens/{quote(token_id, safe='')}")

    # -- observations --------------------------------------------------------------------------
    def observations(
        self,
        *,
        after: int | None = None,
        limit: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        as_of: int | None = None,
        **filters: str | None,
    ) -> Page:
        """``GET /v1/observations``: one page, in log order, of the observations matching the
        filters (``type``, ``reporter``, ``route``, ``checkpoint``, ``direction``, ``category``,
        ``place``; ``start``/``end`` keep those overlapping [start, end)) appended after log
        index ``after`` (None: from the beginning); with ``as_of``, only the first ``as_of``
        entries, those of that signed checkpoint (a NotFoundError when none was signed at that
        size)."""
        unknown = set(filters) - set(_FILTERS)
        if unknown:
            raise InputError(f"unknown filter {sorted(unknown)[0]!r}", where="observations")
        params = {**filters, "after": after, "limit": limit,
                  "start": _time(start, "start"), "end": _time(end, "end"),
                  "as_of": as_of}  # fmt: skip
        doc = self._json("GET", "/observations", params=params)
        nxt = doc.get("next_after")
        return Page(list(doc["items"]), None if nxt is None else int(nxt), doc.get("as_of"))

    def follow(
        self,
        after: int | None = None,
        *,
        page: int = FOLLOW_PAGE,
        start: datetime | None = None,
        end: datetime | None = None,
        as_of: int | None = None,
        **filters: str | None,
    ) -> Iterator[dict[str, Any]]:
        """The change feed: every matching observation appended after ``after``, in log order,
        page by page until the server says there is no more (each page one request); with
        ``as_of``, up to that signed checkpoint."""
        cursor = after
        while True:
            got = self.observations(
                after=cursor, limit=page, start=start, end=end, as_of=as_of, **filters
            )
            yield from got.items
            if got.next_after is None or not got.items:
                return
            if cursor is not None and got.next_after <= cursor:
                raise VerificationError(
                    f"the change feed of {self.base_url} went backwards "
                    f"(after {cursor}, next {got.next_after})"
                )
            cursor = got.next_after

    def observation(self, id_or_prefix: str, *, as_of: int | None = None) -> dict[str, Any]:
        """``GET /v1/observations/{id}``: one observation with its ``proof`` (an inclusion proof
        against the latest signed checkpoint, or None while it is beyond it); with ``as_of``,
        as of that signed checkpoint (the proof against it, the checkpoint in ``as_of``; a
        NotFoundError for an entry beyond it)."""
        path = f"/observations/{quote(id_or_prefix, safe='')}"
        return dict(self._json("GET", path, params={"as_of": as_of}))

    def basis(self, as_of: int) -> dict[str, Any]:
        """The signed checkpoint of tree size ``as_of`` (``shapes.basis``: size, root, when
        signed, the note with its cosignatures), read from a one-entry page as of it; a
        NotFoundError when no checkpoint was signed at that size."""
        got = self.observations(limit=1, as_of=as_of)
        if got.as_of is None:
            raise VerificationError(f"{self.base_url} did not name the checkpoint of {as_of}")
        return got.as_of

    def existing(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` the server's record holds (one request per id)."""
        from corridor.errors import NotFoundError

        out = set()
        for oid in dict.fromkeys(ids):
            try:
                self.request("GET", f"/observations/{quote(oid, safe='')}")
            except NotFoundError:
                continue
            out.add(oid)
        return out

    # -- submitting ----------------------------------------------------------------------------
    def parse(
        self,
        items: Sequence[Mapping[str, Any]],
        registry: Registry | None = None,
        *,
        where: Callable[[int], str | None] = lambda i: None,
    ) -> list[Observation]:
        """Validate raw observations against the server's registry (fetched when not given)."""
        return parse_observations(items, registry or self.registry(), where=where)

    def signing_desk(self, keyring: Keyring) -> SigningDesk:
        """A signer over the local key folder, checked against the keys the server registered."""
        registered: dict[str, list[str]] = {}
        for k in self.keys():
            registered.setdefault(k["org"], []).append(k["vkey"])
        return SigningDesk(keyring, registered)

    def record(
        self,
        observations: Sequence[Observation],
        keyring: Keyring,
        *,
        where: Callable[[int], str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Submitted:
        """Sign each observation with its reporter's local key and submit them: the server
        verifies and appends. Every reporter's key is checked before anything is sent."""
        desk = self.signing_desk(keyring)
        desk.check(o.reporter for o in observations)
        prepared = [desk.prepare(o) for o in observations]
        return self.submit(prepared, where=where, progress=progress)

    def submit(
        self,
        entries: Sequence[Prepared],
        *,
        where: Callable[[int], str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Submitted:
        """``POST /v1/entries`` in batches (:data:`BATCH_ENTRIES`, about :data:`BATCH_BYTES`);
        each acknowledged batch is committed. A refused batch is a RecordError naming the entry
        (``where(i)``, e.g. a file's row) and the server's reason; the batches before it stay
        accepted, and the message says how many entries they held."""
        total = Submitted()
        done = 0
        for batch in _batches(entries):
            try:
                doc = self._json("POST", "/entries", json={"entries": [e.to_json() for e in batch]})
            except CorridorError as exc:
                raise _refused(exc, done, len(batch), where) from None
            total.accepted += list(doc.get("accepted", ()))
            total.duplicates += list(doc.get("duplicates", ()))
            total.tree_size = int(doc.get("tree_size", total.tree_size))
            total.checkpoint = doc.get("checkpoint", total.checkpoint)
            done += len(batch)
            if progress is not None:
                progress(len(batch))
        if not entries:
            total.tree_size = int(self.health().get("size", 0))
        return total

    # -- reads ---------------------------------------------------------------------------------
    def situation(self, at: datetime | None = None, *, as_of: int | None = None) -> dict[str, Any]:
        """``GET /v1/situation?at=&as_of=``: what ``corridor status --json`` prints; with
        ``as_of``, as of that signed checkpoint (named in ``as_of``; ``at`` then defaults to
        when it was signed)."""
        params = {"at": _time(at, "at"), "as_of": as_of}
        return dict(self._json("GET", "/situation", params=params))

    def crossings_daily(
        self,
        start: date,
        end: date,
        tz: str = "UTC",
        *,
        checkpoints: Sequence[str] | None = None,
        as_of: int | None = None,
    ) -> dict[str, Any]:
        """``GET /v1/crossings/daily``: what ``corridor crossings --json`` prints (as of a
        signed checkpoint, named in ``as_of``, with ``as_of``)."""
        params: dict[str, Any] = {"start": start.isoformat(), "end": end.isoformat(), "tz": tz,
                                  "as_of": as_of}  # fmt: skip
        if checkpoints:
            params["checkpoint"] = list(checkpoints)
        return dict(self._json("GET", "/crossings/daily", params=params))

    def commitments(
        self,
        case: str,
        at: datetime | None = None,
        *,
        prove: bool = False,
        as_of: int | None = None,
    ) -> dict[str, Any]:
        """``GET /v1/commitments?case=&at=&prove=&as_of=``: a built-in case's verdicts;
        ``items`` is what ``corridor check --json`` prints; with ``as_of``, judged on the record
        as of that signed checkpoint (named in the answer's ``as_of``)."""
        params = {"case": case, "at": _time(at, "at"), "prove": "true" if prove else None,
                  "as_of": as_of}  # fmt: skip
        return dict(self._json("GET", "/commitments", params=params))

    def check(
        self,
        rules: Sequence[tuple[str, str]],
        at: datetime | None = None,
        *,
        prove: bool = False,
        case: str | None = None,
        as_of: int | None = None,
    ) -> dict[str, Any]:
        """``POST /v1/commitments/check``: rule files, as (name, YAML text), judged against the
        server's record (as of a signed checkpoint with ``as_of``)."""
        body: dict[str, Any] = {
            "rules": [{"name": n, "text": t} for n, t in rules], "at": _time(at, "at"),
            "prove": prove, "case": case,
        }  # fmt: skip
        if as_of is not None:  # only then: a server from before as_of refuses the field
            body["as_of"] = as_of
        return dict(self._json("POST", "/commitments/check", json=body))

    def supply_run(
        self,
        case: str,
        scenarios: Sequence[str] = (),
        *,
        runs: int = 1,
        seed: int = 1,
        report_from: date | None = None,
        to: date | None = None,
        as_of: int | None = None,
    ) -> dict[str, Any]:
        """``POST /v1/supply/runs``: what ``corridor supply --json`` prints (bounded runs); with
        ``as_of``, as-recorded scenarios read the record as of that signed checkpoint."""
        body = {"case": case, "scenarios": list(scenarios), "runs": runs, "seed": seed,
                "from": None if report_from is None else report_from.isoformat(),
                "to": None if to is None else to.isoformat()}  # fmt: skip
        if as_of is not None:  # only then: a server from before as_of refuses the field
            body["as_of"] = as_of
        return dict(self._json("POST", "/supply/runs", json=body))

    def report(
        self,
        *,
        at: datetime | None = None,
        as_of: int | None = None,
        fmt: str = "html",
        case: str | None = None,
        days: int = 30,
        tz: str | None = None,
        runs: int = 200,
        seed: int = 1,
    ) -> tuple[bytes, str, int]:
        """``GET /v1/reports/situation``: the report ``corridor report`` writes (HTML or PDF),
        the instant it is about (RFC 3339) and the tree size of the checkpoint it rests on.
        ``at`` keeps its offset (the chart's days' zone unless ``tz`` is given); ``case`` is a
        built-in case's name."""
        params = {"at": None if at is None else at.isoformat(), "as_of": as_of, "format": fmt,
                  "case": case, "days": days, "tz": tz, "runs": runs, "seed": seed}  # fmt: skip
        accept = "application/pdf" if fmt == "pdf" else "text/html"
        r = self.request("GET", "/reports/situation", params=params, accept=accept)
        about, size = r.headers.get("X-Report-At"), r.headers.get("X-Report-Tree-Size")
        if about is None or size is None or not size.isdigit():
            raise VerificationError(f"{self.base_url} did not say what the report is about")
        return r.content, about, int(size)

    def cases(self) -> list[dict[str, Any]]:
        """``GET /v1/cases``: the built-in cases, ``{"name", "title"}``."""
        return list(self._json("GET", "/cases")["items"])

    # -- releases and review ------------------------------------------------------------------
    def releases(self) -> list[dict[str, Any]]:
        """``GET /v1/releases``: the numbered releases (``shapes.release`` each), oldest first."""
        return list(self._json("GET", "/releases")["items"])

    def release(self, number: int) -> dict[str, Any]:
        """``GET /v1/releases/{n}``: one release and its citation."""
        return dict(self._json("GET", f"/releases/{int(number)}"))

    def create_release(
        self, notes: str, *, size: int | None = None, unwitnessed: bool = False
    ) -> dict[str, Any]:
        """``POST /v1/releases`` (admin): mark a witnessed checkpoint as the next release."""
        body = {"notes": notes, "size": size, "unwitnessed": unwitnessed}
        return dict(self._json("POST", "/releases", json=body))

    def review(
        self,
        *,
        states: Sequence[str] = (),
        start: datetime | None = None,
        end: datetime | None = None,
        as_of: int | None = None,
        **filters: str | None,
    ) -> dict[str, Any]:
        """``GET /v1/review``: the review queue, filtered by ``states``, a period, ``as_of``
        and ``type``, ``reporter``, ``checkpoint``."""
        unknown = set(filters) - {"type", "reporter", "checkpoint"}
        if unknown:
            raise InputError(f"unknown filter {sorted(unknown)[0]!r}", where="review")
        params: dict[str, Any] = {k: v for k, v in filters.items() if v is not None}
        params.update(state=list(states), start=_time(start, "start"), end=_time(end, "end"),
                      as_of=as_of)  # fmt: skip
        return dict(self._json("GET", "/review", params=params))

    # -- watches -------------------------------------------------------------------------------
    def add_watch(
        self, kind: str, filter: Mapping[str, Any], url: str, *, label: str | None = None
    ) -> dict[str, Any]:
        """``POST /v1/watches``: a watch of this token on new entries (``kind`` "entries") or
        on a commitment's verdict ("verdict"); the answer holds its signing secret, shown this
        once."""
        body = {"kind": kind, "url": url, "label": label,
                "filter": {k: v for k, v in filter.items() if v is not None}}  # fmt: skip
        return dict(self._json("POST", "/watches", json=body))

    def watches(self) -> list[dict[str, Any]]:
        """``GET /v1/watches``: this token's watches (an admin token's: every watch)."""
        return list(self._json("GET", "/watches")["items"])

    def remove_watch(self, watch_id: str) -> dict[str, Any]:
        """``DELETE /v1/watches/{id}``: its pending deliveries are cancelled."""
        return dict(self._json("DELETE", f"/watches/{quote(watch_id, safe='')}"))

    def watch_deliveries(self, watch_id: str) -> list[dict[str, Any]]:
        """``GET /v1/watches/{id}/deliveries``: newest first, with every attempt."""
        path = f"/watches/{quote(watch_id, safe='')}/deliveries"
        return list(self._json("GET", path)["items"])

    # -- the log -------------------------------------------------------------------------------
    def checkpoint(self) -> str:
        """``GET /v1/log/checkpoint``: the latest signed checkpoint (a C2SP signed note, with
        its cosignatures), as text."""
        return self.request("GET", "/log/checkpoint", accept="text/plain").text

    def log_key(self) -> dict[str, Any]:
        """``GET /v1/log/key``: the log's verifier key, ``{"vkey", "origin", "demo"}``."""
        return dict(self._json("GET", "/log/key"))

    def inclusion_proof(self, *, index: int | None = None, id: str | None = None) -> dict[str, Any]:
        """``GET /v1/log/proof/inclusion?index=|id=``."""
        if (index is None) == (id is None):
            raise InputError("give index or id", where="inclusion proof")
        return dict(self._json("GET", "/log/proof/inclusion", params={"index": index, "id": id}))

    def consistency_proof(self, old: int, new: int | None = None) -> dict[str, Any]:
        """``GET /v1/log/proof/consistency?old=&new=``."""
        return dict(
            self._json("GET", "/log/proof/consistency", params={"old": old, "new": new})
        )


def _batches(entries: Sequence[Prepared]) -> Iterator[Sequence[Prepared]]:
    start, size = 0, 0
    for i, e in enumerate(entries):
        cost = len(e.entry) * 4 // 3 + 64 + sum(len(str(v)) + 120 for _f, _s, v in e.personal)
        if i > start and (i - start >= BATCH_ENTRIES or size + cost > BATCH_BYTES):
            yield entries[start:i]
            start, size = i, 0
        size += cost
    if start < len(entries):
        yield entries[start:]


def _refused(
    exc: CorridorError, done: int, n: int, where: Callable[[int], str] | None
) -> CorridorError:
    """A refused batch as a RecordError naming the entry (or the batch) it concerns."""
    if getattr(exc, "status", None) not in _REFUSALS:  # not about the entries themselves
        return exc
    text = getattr(exc, "server_message", str(exc))
    m = _ENTRY_REF.search(exc.subject or "") or _ENTRY_REF.search(text)
    name = where or (lambda i: f"entry {i}")
    if m is not None and int(m.group(1) or m.group(2)) < n:
        at = name(done + int(m.group(1) or m.group(2)))
        text = _ENTRY_REF.sub("", text, count=1).lstrip(" :")
    else:
        at = name(done) if n == 1 else f"{name(done)} to {name(done + n - 1)}"
    before = f"; the {done} entries before it were accepted" if done else ""
    out = RecordError(
        f"refused by the server {exc.server}: {text}{before}",  # type: ignore[attr-defined]
        where=at,
    )
    out.code, out.subject = exc.code, exc.subject
    out.server = exc.server  # type: ignore[attr-defined]
    return out
