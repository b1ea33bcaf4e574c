"""Admission's fast path (corridor.recording.fastpath) against the model's path it shortcuts."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, ValidationError

from corridor.errors import RecordError, VerificationError
from corridor.ledger import entry as ledger_entry
from corridor.ledger.canonical import CanonicalizationError, canonical
from corridor.ledger.note import Signer
from corridor.model import Checkpoint, Observation, Organisation, Place, Registry, Route
from corridor.model import bodies as b
from corridor.model import observation as o
from corridor.model.entities import ID_PATTERN, PROSE_PATTERN, TEXT_PATTERN
from corridor.recording import admission, fastpath
from corridor.store.columns import index_columns

REGISTRY = Registry.of(
    [
        Organisation(id="org-a", name="Org A (synthetic)", kind="monitor"),
        Organisation(id="org-b", name="Org B (synthetic)", kind="operator"),
    ],
    [Place(id="p-1", names=["P one"]), Place(id="p-2", names=["P two"])],
    [Route(id="r-1", name="Road", places=("p-1", "p-2"))],
    [Checkpoint(id="cp-1", name="Gate", place="p-1", route="r-1")],
)
SIGNER = Signer.generate("org-a")
OTHER = Signer.generate("org-b")
KEYS = ledger_entry.keyring([SIGNER.verifier, OTHER.verifier])

# text with what the model refuses or changes: white space at the edges (stripped), control
# characters, escapes, quotes, C1 controls, Unicode white space, non-ASCII letters and digits
_CHARS = st.sampled_from(
    [*"ab Z09-_.\"\\/é", "\t", "\n", "\r", "\x00", "\x1f", "\x7f", "\x85", "\x9f", "\xa0",
                              "\u2028", "\u3000", "\u0661", "\u0531", "\u1680", "\U0001f600",
                              "\x1c", "\ufeff", "\u200b"]
)  # fmt: skip
TEXTS = st.one_of(
    st.sampled_from(["benchmark data (synthetic)", "x", "Lachin road", "", " pad", "pad "]),
    st.text(_CHARS, max_size=8),
)
IDENTS = st.sampled_from(["org-a", "org-b", "cp-1", "r-1", "p-1", "p-2", "nope", "Org-A", ""])
INSTANTS = st.one_of(
    st.sampled_from(
        [
            "2024-01-01T03:00:00Z", "2024-01-01T04:00:00Z", "2024-01-01T03:00:00+00:00",
            "2024-01-01T03:00:00-00:00", "2024-01-01T07:00:00+04:00", "2023-12-31T23:00:00-01:00",
            "2024-01-01T03:00:00.5Z", "2024-01-01 03:00:00Z", "2024-01-01T03:00Z",
            "2024-02-30T00:00:00Z", "1899-12-31T23:59:59Z", "2200-01-01T00:00:00Z",
            "2200-01-01T00:00:01Z", "2024-01-01T03:00:00z", "2024-01-01T03:00:00",
            "2024-01-01T24:00:00Z", "2024-01-01T03:00:00+23:59", "2024-01-01T03:00:00+24:00",
            "2024-01-01", "2024-01-01T23:59:60Z", "\u0662024-01-01T03:00:00Z",
        ]
    ),
    st.builds(
        lambda d, h, off: f"2024-01-{d:02d}T{h:02d}:00:00{off}",
        st.integers(1, 28),
        st.integers(0, 23),
        st.sampled_from(["Z", "+04:00", "-03:30", "+00:00"]),
    ),
)  # fmt: skip
NUMBERS = st.one_of(
    st.integers(-2, 5),
    st.sampled_from([0, 1, 97, 10**9, 10**9 + 1, 2**53, -1, True, False, "3", None]),
    st.sampled_from([0.5, 3.0, 1e-7, 1e-5, 0.0001, 360.25, 1e6, 1e6 + 0.5, 1e16, -0.0, 1e15]),
    st.floats(allow_nan=False, allow_infinity=False),
)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.just(None), strategy)


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _body(t: str) -> st.SearchStrategy[dict[str, Any]]:
    common: dict[str, Any] = {"place": _maybe(IDENTS), "route": _maybe(IDENTS)}
    fields: dict[str, dict[str, Any]] = {
        "crossing": {
            "checkpoint": IDENTS, "direction": st.sampled_from(["inbound", "outbound", "up"]),
            "category": st.sampled_from(["vehicles", "persons", "cargo", "dogs"]),
            "count": _maybe(NUMBERS), "tonnes": _maybe(NUMBERS), "commodity": _maybe(TEXTS),
            "operator": _maybe(IDENTS), "convoy": _maybe(TEXTS), "vehicle": _maybe(TEXTS),
            "outcome": _maybe(st.sampled_from(["passed", "denied", "turned_back", "no"])),
            "driver_name": st.sampled_from([None, None, None, "A. Driver"]),
        },
        "route_status": {
            "route": IDENTS, "status": st.sampled_from(["open", "closed", "restricted", "x"]),
            "who_may_pass": _maybe(st.lists(TEXTS, max_size=2)), "place": _maybe(IDENTS),
        },
        "convoy": {
            **common, "convoy": TEXTS, "state": st.sampled_from(["planned", "crossed", "gone"]),
            "checkpoint": _maybe(IDENTS), "organiser": _maybe(IDENTS),
            "vehicles": _maybe(NUMBERS),
            "cargo": _maybe(
                st.lists(st.fixed_dictionaries({"commodity": TEXTS, "tonnes": NUMBERS}),
                         max_size=2)
            ),
        },
        "incident": {
            **common, "category": st.sampled_from(["insecurity", "other", "bad"]),
            "checkpoint": _maybe(IDENTS), "actors": _maybe(st.lists(TEXTS, max_size=2)),
            "killed": _maybe(NUMBERS), "injured": _maybe(NUMBERS), "missing": _maybe(NUMBERS),
            "text": _maybe(TEXTS),
        },
        "deployment": {
            **common, "force": TEXTS, "status": st.sampled_from(["deployed", "withdrawn", "z"]),
            "strength": _maybe(NUMBERS),
        },
        "population": {
            "place": IDENTS, "persons": NUMBERS, "origin": _maybe(IDENTS),
            "kind": st.sampled_from(["resident", "displaced", "cumulative_arrivals", "q"]),
            "vehicles": _maybe(NUMBERS),
        },
        "claim": {
            "party": TEXTS, "statement": TEXTS, "about": TEXTS, "figure": _maybe(NUMBERS),
        },
        "retraction": {"retracts": st.just("ab" * 32), "reason": TEXTS},
    }  # fmt: skip
    return st.fixed_dictionaries(
        {"type": st.sampled_from([t, t, t, "claim", None])}, optional=fields[t]
    ).map(_drop_none)


SOURCES = st.lists(
    st.fixed_dictionaries(
        {"title": TEXTS},
        optional={
            "url": st.sampled_from(["https://example.org/a", "ftp://x", "http://", "no url"]),
            "date": st.sampled_from(["2023", "2023-02", "2023-02-30", "2023-13", "23"]),
            "file": TEXTS, "row": NUMBERS, "ref": TEXTS, "sheet": TEXTS, "claim_of": TEXTS,
            "document": TEXTS, "version": TEXTS, "extra": st.just(1),
        },
    ),
    max_size=2,
)  # fmt: skip


@st.composite
def observations(draw: st.DrawFn) -> dict[str, Any]:
    t = draw(st.sampled_from([*fastpath.FAST_TYPES, "retraction"]))
    observed = draw(
        st.one_of(
            st.fixed_dictionaries({"start": INSTANTS}, optional={"end": INSTANTS}),
            INSTANTS,
        )
    )
    d = {
        "type": t,
        "observed": observed,
        "reporter": draw(st.sampled_from(["org-a", "org-a", "org-b", "nope", "Org A"])),
        "sources": draw(SOURCES),
        "body": draw(_body(t)),
    }
    for key, strategy in [
        ("note", TEXTS),
        ("caveats", st.lists(TEXTS, max_size=2)),
        ("reported_at", INSTANTS),
        ("supersedes", st.just({"id": "cd" * 32, "reason": "fix"})),
        ("unknown", st.just("x")),
    ]:
        if draw(st.integers(0, 4)) == 0:
            d[key] = draw(strategy)
    return d


V_TEXT = st.sampled_from(["x", "Lachin road", "Ստեփանակերտ", "Xankəndi", 'a "quoted" b', "a\\b"])
V_TIME = st.builds(
    lambda d, h, off: f"2024-01-{d:02d}T{h:02d}:00:00{off}",
    st.integers(1, 14),
    st.integers(0, 23),
    st.sampled_from(["Z", "+04:00", "-03:30"]),
)
V_COUNT = st.integers(0, 500)
V_TONNES = st.sampled_from([0.5, 12.25, 360.125, 1e-3])
_VALID_BODIES: dict[str, dict[str, Any]] = {
    "crossing": {
        "checkpoint": st.just("cp-1"), "direction": st.sampled_from(["inbound", "outbound"]),
        "category": st.sampled_from(["vehicles", "persons", "cargo"]), "count": V_COUNT,
        "outcome": st.sampled_from(["passed", "denied"]),
    },
    "route_status": {"route": st.just("r-1"), "status": st.sampled_from(["open", "closed"])},
    "convoy": {"convoy": V_TEXT, "state": st.sampled_from(["planned", "crossed"])},
    "incident": {"category": st.sampled_from(["insecurity", "other"])},
    "deployment": {"force": V_TEXT, "status": st.sampled_from(["deployed", "withdrawn"])},
    "population": {"place": st.sampled_from(["p-1", "p-2"]), "persons": V_COUNT,
                   "kind": st.sampled_from(["resident", "displaced"])},
    "claim": {"party": V_TEXT, "statement": V_TEXT, "about": V_TEXT},
}  # fmt: skip
_OPTIONAL_BODIES: dict[str, dict[str, Any]] = {
    "crossing": {"tonnes": V_TONNES, "commodity": V_TEXT, "operator": st.just("org-b"),
                 "convoy": V_TEXT, "vehicle": V_TEXT},
    "route_status": {"who_may_pass": st.lists(V_TEXT, min_size=1, max_size=2),
                     "place": st.just("p-1")},
    "convoy": {"place": st.just("p-2"), "route": st.just("r-1"), "checkpoint": st.just("cp-1"),
               "organiser": st.just("org-b"), "vehicles": V_COUNT,
               "cargo": st.lists(st.fixed_dictionaries({"commodity": V_TEXT,
                                                        "tonnes": V_TONNES}),
                                 min_size=1, max_size=2)},
    "incident": {"place": st.just("p-1"), "killed": V_COUNT, "text": V_TEXT,
                 "actors": st.lists(V_TEXT, min_size=1, max_size=2)},
    "deployment": {"place": st.just("p-1"), "strength": V_COUNT},
    "population": {"origin": st.just("p-1"), "vehicles": V_COUNT},
    "claim": {"figure": st.sampled_from([1.5, -2.25, 7.125])},
}  # fmt: skip
ANY_VALUE = st.one_of(TEXTS, IDENTS, INSTANTS, NUMBERS, st.just([]), st.just({}), st.just(None))


@st.composite
def near_valid(draw: st.DrawFn) -> dict[str, Any]:
    """A valid fact observation in normal form, then zero to two random changes to it."""
    t = draw(st.sampled_from(sorted(_VALID_BODIES)))
    start = draw(V_TIME)
    body = {
        "type": t,
        **draw(st.fixed_dictionaries(_VALID_BODIES[t], optional=_OPTIONAL_BODIES[t])),
    }
    d: dict[str, Any] = {
        "type": t,
        "observed": {"start": start},
        "reporter": "org-a",
        "sources": [{"title": draw(V_TEXT), **draw(st.fixed_dictionaries(
            {}, optional={"file": V_TEXT, "row": st.integers(1, 99),
                          "url": st.just("https://example.org/r"), "date": st.just("2023-05")}
        ))}],
        "body": body,
    }  # fmt: skip
    if draw(st.booleans()):
        d["observed"]["end"] = "2024-02-01T00:00:00Z"
    if draw(st.booleans()):
        d["note"] = draw(V_TEXT)
    for _ in range(draw(st.integers(0, 2))):
        where = draw(st.sampled_from(["envelope", "body", "body", "source", "observed"]))
        sources = d.get("sources")
        target = {
            "envelope": d, "body": d.get("body"), "observed": d.get("observed"),
            "source": sources[0] if isinstance(sources, list) and sources else None,
        }[where]  # fmt: skip
        if not isinstance(target, dict):
            continue
        key = draw(st.sampled_from(sorted({*target, "note", "count", "tonnes", "end", "x"})))
        if draw(st.integers(0, 3)) == 0:
            target.pop(key, None)
        else:
            target[key] = draw(ANY_VALUE)
    return d


def _texts(d: dict[str, Any], draw: st.DrawFn) -> list[bytes]:
    """Ways to write an observation: its canonical form, and some that are not."""
    out = []
    with contextlib.suppress(CanonicalizationError):
        out.append(canonical(d))
    out.append(json.dumps(d, ensure_ascii=draw(st.booleans())).encode())
    out.append(json.dumps(d, separators=(",", ":"), ensure_ascii=False).encode())
    return out


def _model_verdict(m: bytes) -> tuple[str, tuple[Any, ...], str] | None:
    """What admission's model path makes of the signed bytes (None: rejected)."""
    try:
        obs = Observation.model_validate_json(m)
    except ValidationError:
        return None
    if obs.canonical != m:
        return None
    try:
        REGISTRY.check(obs)
    except RecordError:
        return None
    return obs.id, index_columns(obs), obs.reporter


def _clean(d: dict[str, Any]) -> dict[str, Any] | None:
    """The normal form of a valid observation, else None."""
    try:
        obs = Observation.model_validate(d)
        REGISTRY.check(obs)
    except (ValidationError, RecordError):
        return None
    return obs.content()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(observations(), near_valid(), near_valid()), st.data())
def test_fast_path_never_accepts_what_the_model_rejects(d: dict[str, Any], data: Any) -> None:
    """For random valid and invalid observations written in many ways, the fast path either
    leaves the verdict to the model or gives the model's verdict: same id, columns, reporter."""
    for m in _texts(d, data.draw):
        fast = fastpath.fast_admit(m, REGISTRY)
        if fast is not None:
            assert fast == _model_verdict(m)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(observations(), near_valid()))
def test_fast_path_takes_valid_fact_observations_in_normal_form(d: dict[str, Any]) -> None:
    """A valid fact observation in normal form without control characters, escapes or
    non-canonical floats is decided by the fast path, as the model decides it."""
    content = _clean(d)
    if content is None or "supersedes" in content or content["type"] not in fastpath.FAST_TYPES:
        return
    m = canonical(content)
    verdict = _model_verdict(m)
    assert verdict is not None
    fast = fastpath.fast_admit(m, REGISTRY)
    simple = (
        b"\\" not in m
        and not any(isinstance(v, float) for v in [*content["body"].values()])
        and "cargo" not in content["body"]
    )
    if fast is None:
        assert not simple, m
    else:
        assert fast == verdict


COMMON_CROSSING: dict[str, Any] = {
    "type": "crossing",
    "observed": {"start": "2024-01-01T03:00:00Z", "end": "2024-01-01T04:00:00Z"},
    "reporter": "org-a",
    "sources": [{"title": "test data (synthetic)", "file": "t.csv", "row": 2}],
    "body": {"type": "crossing", "checkpoint": "cp-1", "direction": "inbound",
             "category": "cargo", "tonnes": 12.5, "outcome": "passed"},
}  # fmt: skip
"""The common crossing (as the benchmark's), which the fast paths must take."""


def test_fast_path_takes_the_benchmark_crossing() -> None:
    """The common crossing is decided by the fast path (so the property tests compare
    something)."""
    m = canonical(COMMON_CROSSING)
    assert fastpath.fast_admit(m, REGISTRY) == _model_verdict(m) is not None


def _admit(entry: bytes, fast: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as mp:
        if not fast:
            mp.setattr(admission, "fast_admit_entry", lambda entry, registry: None)
        try:
            return admission.admit_entry(entry, KEYS, frozenset(), REGISTRY)
        except (RecordError, VerificationError) as exc:
            return type(exc).__name__, exc.message


@st.composite
def entries(draw: st.DrawFn) -> bytes:
    """Signed entries of random observations, some tampered with."""
    d = draw(st.one_of(observations(), near_valid()))
    content = _clean(d) if draw(st.booleans()) else d
    if content is None:
        content = d
    try:
        m = canonical(content)
    except CanonicalizationError:
        m = json.dumps(content).encode()
    signer = draw(st.sampled_from([SIGNER, SIGNER, OTHER]))
    sig = ledger_entry.EntrySignature(signer.name, signer.key_id, signer.sign(m)).to_json()
    sigs = [sig]
    if draw(st.booleans()):
        sigs.append(ledger_entry.EntrySignature("org-b", OTHER.key_id, OTHER.sign(m)).to_json())
    tamper = draw(st.integers(0, 9))
    if tamper == 5:  # the same signature twice
        sigs = [sigs[0], sigs[0]]
    elif tamper == 6:  # the signatures in another order
        sigs = sigs[::-1]
    entry = b'{"observation":' + m + b',"signatures":' + canonical(sigs) + b"}"
    if tamper == 7:  # another last character of a key ID (its pad bits: not canonical)
        at = entry.index(b'==","sig"') - 1
        entry = entry[:at] + draw(st.sampled_from(b"ABEQgw")).to_bytes(1, "big") + entry[at + 1 :]
    elif tamper == 8:  # white space inside a signature, or a member escaped
        entry = draw(st.sampled_from([
            entry.replace(b'","sig"', b'", "sig"', 1),
            entry.replace(b'"signer":"org-a"', b'"signer":"\\u006frg-a"', 1),
        ]))  # fmt: skip
    if tamper == 1:  # a flipped byte
        i = draw(st.integers(0, len(entry) - 1))
        entry = entry[:i] + bytes([entry[i] ^ 1]) + entry[i + 1 :]
    elif tamper == 2:  # another framing
        entry = entry.replace(b',"signatures":', b', "signatures":', 1)
    elif tamper == 3:  # trailing bytes
        entry += b" "
    elif tamper == 4:  # a second signature list inside the observation
        entry = entry.replace(b'"reporter"', b'"signatures":[],"reporter"', 1)
    return entry


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries())
def test_the_whole_entry_fast_path_takes_only_canonical_framing(entry: bytes) -> None:
    """fast_admit_entry takes an entry only when it is framed as make_entry frames it
    (frame_entry finds the same observation bytes and signatures) and fast_admit takes its
    observation, with the same verdict; a valid entry of one or two signatures is taken."""
    fast = fastpath.fast_admit_entry(entry, REGISTRY)
    try:
        m, _content, sigs = ledger_entry.frame_entry(entry)
    except VerificationError:
        assert fast is None
        return
    if fast is None:
        return
    assert fast[3] == m and fast[:3] == fastpath.fast_admit(m, REGISTRY)
    assert [(s.signer, s.keyid, s.sig) for s in fast[4]] == [
        (s.signer, s.key_id, s.signature) for s in sigs
    ]
    framed = canonical([s.to_json() for s in sigs])
    assert entry == b'{"observation":' + m + b',"signatures":' + framed + b"}"


def test_the_whole_entry_fast_path_takes_the_common_entry() -> None:
    """A crossing signed by its reporter, and co-signed, is decided by the whole-entry fast
    path (so the property tests compare something), its signatures verified as open_entry
    verifies them."""
    content = COMMON_CROSSING
    for signers in ([SIGNER], [SIGNER, OTHER], [OTHER, SIGNER]):
        entry = ledger_entry.make_entry(
            content, [ledger_entry.sign_observation(content, s) for s in signers]
        )
        fast = fastpath.fast_admit_entry(entry, REGISTRY)
        assert fast is not None and fast[3] == canonical(content)
        ok = ledger_entry.signatures_verify(fast[3], fast[4], fast[2], KEYS)
        assert ok == (signers[0] is SIGNER)  # the first signature is the reporter's


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries())
def test_admission_gives_the_same_verdict_and_message_with_and_without_the_fast_path(
    entry: bytes,
) -> None:
    """Signed entries, valid, invalid or tampered with, are admitted or refused with the same
    result and message whether the fast path is on or off."""
    mp = pytest.MonkeyPatch()
    try:
        assert _admit(entry, True, mp) == _admit(entry, False, mp)
    finally:
        mp.undo()


# -- the mirror cannot drift from the model -------------------------------------------------


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _resolve(defs[schema["$ref"].split("/")[-1]], defs)
    return schema


def _kind(schema: dict[str, Any], defs: dict[str, Any]) -> tuple[Any, ...]:
    """A field's JSON schema reduced to what the two sides must agree on."""
    schema = _resolve(schema, defs)
    options = schema.get("anyOf")
    nullable = False
    if options:
        rest = [x for x in options if x.get("type") != "null"]
        nullable = len(rest) < len(options)
        assert len(rest) == 1, schema
        schema = _resolve(rest[0], defs)
    t = schema.get("type")
    if "enum" in schema or "const" in schema:
        return ("enum", frozenset(schema.get("enum", [schema.get("const")])), nullable)
    if t == "array":
        item = schema.get("items") or {}
        return ("array", _kind(item, defs), schema.get("minItems", 0), nullable)
    if t == "object" or "properties" in schema:
        return ("object", schema.get("title"), nullable)
    bounds = tuple(schema.get(k) for k in ("minimum", "maximum", "minLength"))
    return (t, bounds, nullable)


@pytest.mark.parametrize("model", list(fastpath.MIRRORS), ids=lambda m: m.__name__)
def test_each_mirror_has_the_models_fields_with_their_types_bounds_and_enums(
    model: type[BaseModel],
) -> None:
    """Every mirrored field has the model's type, enum values, bounds, length and nullability
    (a required field may be optional in the model only where the model writes its default
    out), and its text rule is one the fast path enforces."""
    import msgspec

    mirror, _left, _validators = fastpath.MIRRORS[model]
    assert fastpath._mirrored(model)
    ours = msgspec.json.schema(mirror)
    our_defs = ours.get("$defs", {})
    our_props = _resolve(ours, our_defs)["properties"]
    theirs = model.model_json_schema(mode="validation")
    their_defs = theirs.get("$defs", {})
    for name in mirror.__struct_fields__:
        if name == "body":
            continue
        field = theirs["properties"][name]
        a, m = _kind(our_props[name], our_defs), _kind(field, their_defs)
        if a[0] == "object":
            assert m[0] == "object" and (a[1], a[-1]) == (m[1], m[-1]), name
            continue
        if name == "type" and a[0] == "enum":  # the body's tag: a literal on both sides
            assert a[1] == m[1], name
            continue
        if a[0] == "string" and m[0] == "string":
            # no pattern in the mirror: the fast path checks text (and ids) itself
            pattern = _resolve(field, their_defs).get("pattern") or next(
                (x.get("pattern") for x in field.get("anyOf", []) if "pattern" in x), None
            )
            assert pattern in (None, TEXT_PATTERN, PROSE_PATTERN, ID_PATTERN), name
            if pattern == ID_PATTERN:
                assert name == "reporter" or name in fastpath._REFS, name
            elif pattern is None:
                assert name in ("type", "start", "end", "reported_at"), name
            if name in ("start", "end", "reported_at"):
                assert _resolve(field, their_defs).get("format") == "date-time" or any(
                    x.get("format") == "date-time" for x in field.get("anyOf", [])
                ), name
                continue
        if a[0] == "number" and m[0] == "integer":
            pytest.fail(f"{model.__name__}.{name}: a float mirrored for an integer")
        assert a == m or (a[:-1] == m[:-1] and not a[-1] and name in ("outcome",)), (
            model.__name__,
            name,
            a,
            m,
        )


def test_a_model_that_gains_a_field_or_validator_leaves_the_fast_path() -> None:
    """A mirrored model whose fields or validators changed is not mirrored any more (so a new
    field added to a body cannot pass unchecked before its mirror is updated)."""

    class Grown(b.Crossing):
        escort: str | None = Field(None)

    fastpath.MIRRORS[Grown] = fastpath.MIRRORS[b.Crossing]
    try:
        assert not fastpath._mirrored(Grown)
    finally:
        del fastpath.MIRRORS[Grown]

    class Checked(b.RouteStatus):
        from pydantic import model_validator as _mv

        @_mv(mode="after")
        def _new_rule(self) -> Checked:
            return self

    fastpath.MIRRORS[Checked] = fastpath.MIRRORS[b.RouteStatus]
    try:
        assert not fastpath._mirrored(Checked)
    finally:
        del fastpath.MIRRORS[Checked]


def test_every_fact_type_is_mirrored_and_no_statement_is() -> None:
    """The fast path takes every fact type whose mirror is current, and no statement
    (retractions and attestations name another entry: the model's path checks them)."""
    assert set(fastpath.FAST_TYPES) <= set(b.FACT_TYPES)
    assert not set(fastpath.FAST_TYPES) & set(b.STATEMENT_TYPES)
    mirrored = {m.TYPE for m in fastpath.MIRRORS if issubclass(m, b._Body)}
    assert set(fastpath.FAST_TYPES) == mirrored & set(b.BODY_TYPES)
    assert o.Observation in fastpath.MIRRORS


_BASE: dict[str, Any] = {
    "type": "crossing",
    "observed": {"start": "2024-01-01T03:00:00Z", "end": "2024-01-01T04:00:00Z"},
    "reporter": "org-a",
    "sources": [{"title": "test data (synthetic)", "url": "https://example.org/a",
                 "date": "2023-05-02"}],
    "body": {"type": "crossing", "checkpoint": "cp-1", "direction": "inbound",
             "category": "vehicles", "count": 3, "outcome": "passed"},
}  # fmt: skip


def _changed(path: str, value: Any) -> dict[str, Any]:
    d = json.loads(json.dumps(_BASE))
    *parents, last = path.split(".")
    target = d
    for p in parents:
        target = target[int(p)] if isinstance(target, list) else target[p]
    if value is _DROP:
        del target[last]
    else:
        target[last] = value
    return d


_DROP = object()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("body.count", _DROP),  # a crossing counts something
        ("body.outcome", _DROP),  # the default is written out in the normal form
        ("body.count", 10**9 + 1),
        ("body.count", -1),
        ("body.tonnes", 1e16),
        ("body.tonnes", 5),  # valid: a float written as an integer, the model decides
        ("body.checkpoint", "cp-2"),  # unknown
        ("body.checkpoint", "CP-1"),
        ("body.operator", "nobody"),
        ("body.direction", "sideways"),
        ("body.type", "claim"),
        ("body.driver_name", "A. Driver"),  # personal: never in the log
        ("body.extra", 1),
        ("observed.end", "2024-01-01T03:00:00Z"),  # not after start
        ("observed.start", "1899-12-31T23:00:00Z"),
        ("observed.start", "2024-01-01T03:00:00+00:00"),  # the model writes Z
        ("observed.start", "2024-01-01T03:00:00.5Z"),
        ("observed.start", "2024-02-30T03:00:00Z"),
        ("reported_at", "2200-01-01T00:00:01Z"),
        ("reporter", "nope"),
        ("reporter", "Org-A"),
        ("sources", []),
        ("sources.0.title", ""),
        ("sources.0.title", " padded"),
        ("sources.0.title", "bell\x07"),
        ("sources.0.title", "del\x7f"),
        ("sources.0.title", "c1\x85"),
        ("sources.0.title", "nbsp\xa0"),
        ("sources.0.url", "ftp://example.org/a"),
        ("sources.0.date", "2023-02-30"),
        ("sources.0.row", 0),
        ("note", "line\nbreak"),  # valid, but an escape: the model decides
        ("caveats", None),
        ("caveats", []),
        ("supersedes", {"id": "ab" * 32, "reason": "fix"}),
        ("type", "claim"),
    ],
)
def test_each_rule_of_the_model_sends_the_entry_to_the_model(path: str, value: Any) -> None:
    """An observation breaking one rule of the model (or one the fast path leaves to it) is
    not accepted by the fast path; the unchanged one is."""
    assert fastpath.fast_admit(canonical(_BASE), REGISTRY) is not None
    m = canonical(_changed(path, value))
    assert fastpath.fast_admit(m, REGISTRY) is None
    left_to_the_model = {"note", "supersedes", "body.tonnes"}  # valid, decided by the model
    if path not in left_to_the_model:
        assert _model_verdict(m) is None


@pytest.mark.parametrize(
    "instant",
    [
        "2024-01-01T03:00:00+23:59", "2024-01-01T03:00:00-23:59", "2024-01-01T03:00:00+24:00",
        "2024-01-01T03:00:00+05:30", "2024-01-01T03:00:00+00:01", "2024-01-01T03:00:00+14:00",
        "1900-01-01T00:00:00Z", "1900-01-01T00:00:00+00:01", "1900-01-01T03:59:00+04:00",
        "2200-01-01T00:00:00Z", "2199-12-31T23:59:59-00:01", "2024-02-29T00:00:00Z",
        "2023-02-29T00:00:00Z", "2024-01-01T03:00:60Z", "0999-01-01T00:00:00Z",
    ],
)  # fmt: skip
def test_instants_get_the_models_verdict(instant: str) -> None:
    """Offsets at their bounds, the record's bounds in UTC and calendar edges: the fast path
    gives the model's verdict or leaves it to the model."""
    m = canonical({**_BASE, "observed": {"start": instant}})
    fast = fastpath.fast_admit(m, REGISTRY)
    assert fast is None or fast == _model_verdict(m)


def test_a_reveal_takes_the_models_path() -> None:
    """An observation that reveals a sealed entry is left to the model (which checks it against
    the commitment): the envelope mirror knows no ``reveals`` (found when embargo landed)."""
    content = {**_BASE, "reveals": {"sealed": "a" * 64, "salt": "b" * 64}}
    assert fastpath.fast_admit(canonical(content), REGISTRY) is None
    assert fastpath.fast_admit(canonical(_BASE), REGISTRY) is not None


# every reference a body has, known or not, with every field that refers set to a known id
_WITH_EVERY_REFERENCE: dict[str, dict[str, Any]] = {
    "crossing": {"checkpoint": "cp-1", "direction": "inbound", "category": "vehicles",
                 "count": 3, "outcome": "passed", "operator": "org-b"},
    "route_status": {"route": "r-1", "status": "open", "place": "p-1"},
    "convoy": {"convoy": "c 1", "state": "planned", "place": "p-1", "route": "r-1",
               "checkpoint": "cp-1", "organiser": "org-b"},
    "incident": {"category": "other", "place": "p-1", "route": "r-1", "checkpoint": "cp-1"},
    "deployment": {"force": "F", "status": "deployed", "place": "p-1", "route": "r-1"},
    "population": {"place": "p-1", "persons": 3, "kind": "resident", "origin": "p-2"},
    "claim": {"party": "P", "statement": "S", "about": "A"},
}  # fmt: skip


@pytest.mark.parametrize("t", sorted(fastpath.FAST_TYPES))
def test_each_body_checks_every_reference_it_has(t: str) -> None:
    """Each mirrored body's own checks (its ``admit``) cover every field of it that refers to
    the registry: the observation with all of them known is taken with the model's verdict,
    and one unknown (or not written as an id) sends it to the model, which refuses it."""
    body = {"type": t, **_WITH_EVERY_REFERENCE[t]}
    refs = [f for f in fastpath.FAST_TYPES[t].__struct_fields__ if f in fastpath._REFS]
    assert set(refs) <= set(body)
    d = {**_BASE, "type": t, "body": body}
    m = canonical(d)
    assert fastpath.fast_admit(m, REGISTRY) == _model_verdict(m) is not None
    for f in refs:
        for wrong in ("nope", "P-1"):
            m = canonical({**d, "body": {**body, f: wrong}})
            assert fastpath.fast_admit(m, REGISTRY) is None, (f, wrong)
            assert _model_verdict(m) is None, (f, wrong)


def _admit_each(batch: list[bytes]) -> tuple[list[Any], tuple[int, str, str] | None]:
    """admit_entry of each entry in turn, up to the first it refuses (its position, error)."""
    out = []
    for i, e in enumerate(batch):
        try:
            out.append(admission.admit_entry(e, KEYS, frozenset(), REGISTRY))
        except (RecordError, VerificationError) as exc:
            return out, (i, type(exc).__name__, exc.message)
    return out, None


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entries(), max_size=9), st.integers(1, 4))
def test_admitting_a_list_gives_each_entrys_verdict_in_order(
    batch: list[bytes], block: int
) -> None:
    """admit_entries, which takes its entries in steps over blocks, admits what admit_entry
    admits one entry at a time, in order, and stops at the same first refused entry with the
    same error, whatever the block size."""
    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(admission, "BLOCK", block)
        admitted, failed = admission.admit_entries(batch, KEYS, frozenset(), REGISTRY)
    finally:
        mp.undo()
    shown = None if failed is None else (failed[0], type(failed[1]).__name__, failed[1].message)
    assert (admitted, shown) == _admit_each(batch)


def test_admitting_a_list_reports_the_first_refused_entry() -> None:
    """Across blocks, the first refused entry is named by its position in the whole list, and
    nothing after it is admitted (so the property above compares something)."""
    good = [
        ledger_entry.make_entry(c, [ledger_entry.sign_observation(c, SIGNER)])
        for c in ({**COMMON_CROSSING, "sources": [{"title": f"t{i}"}]} for i in range(5))
    ]
    forged = good[3].replace(b'"t3"', b'"t9"')
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(admission, "BLOCK", 2)
        admitted, failed = admission.admit_entries(
            [*good[:3], forged, good[4]], KEYS, frozenset(), REGISTRY
        )
    assert [a[0] for a in admitted] == [a[0] for a in _admit_each(good[:3])[0]]
    assert failed is not None and failed[0] == 3
    assert isinstance(failed[1], VerificationError) and "does not verify" in failed[1].message
