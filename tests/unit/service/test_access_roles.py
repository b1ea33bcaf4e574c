"""Roles, scopes and the token format (corridor.app.access), and how access errors enter the
error envelope (401 with a challenge, 403)."""

from __future__ import annotations

import pytest

from corridor.app.access import ROLES, SCOPES, Principal, parse_token
from corridor.errors import AccessError, AuthenticationError
from corridor.service.errors import ERROR_STATUS, error_body, status_of


@pytest.mark.parametrize(
    ("role", "needed", "ok"),
    [
        ("admin", "admin", True), ("admin", "reporter", True), ("admin", "reader", True),
        ("admin", "witness", True), ("reporter", "reporter", True), ("reporter", "reader", True),
        ("reporter", "admin", False), ("reporter", "witness", False), ("reader", "reader", True),
        ("reader", "reporter", False), ("witness", "witness", True), ("witness", "reader", True),
        ("witness", "reporter", False), ("reader", "admin", False),
    ],
)  # fmt: skip
def test_roles(role: str, needed: str, ok: bool) -> None:
    assert Principal("t", None, role, SCOPES[role]).allows(needed) is ok


def test_scopes_narrow_a_role() -> None:
    p = Principal("t", None, "admin", ("tokens",))
    assert p.allows("admin", "tokens") and not p.allows("admin") and not p.allows("reader")
    assert all(set(SCOPES[r]) <= set(SCOPES["admin"]) for r in ROLES)


@pytest.mark.parametrize(
    ("token", "id_"),
    [
        ("ctk_abcDEF123456_" + "A" * 43, "abcDEF123456"),
        ("ctk_abcDEF123456_" + "-_" * 21 + "x", "abcDEF123456"),
        ("ctk_abcDEF12345_" + "A" * 44, None),  # an id of 11
        ("ctk_abcDEF123456_" + "A" * 42, None),
        ("ctk_abcDEF1234-6_" + "A" * 43, None),
        ("xtk_abcDEF123456_" + "A" * 43, None),
        ("ctk_abcDEF123456_" + "A" * 43 + "\n", None),
        ("", None),
    ],
)
def test_token_format(token: str, id_: str | None) -> None:
    assert parse_token(token) == id_


def test_access_errors_in_the_envelope() -> None:
    """401 for credentials that are not valid, 403 for valid ones that fall short; the
    envelope is the one function's."""
    assert status_of(AuthenticationError("unknown token")) == (401, "unauthenticated")
    assert status_of(AccessError("no")) == (403, "forbidden")
    classes = [cls for cls, _s, _c in ERROR_STATUS]
    assert classes.index(AuthenticationError) < classes.index(AccessError)
    assert error_body(403, "forbidden", "no", subject="2") == {
        "error": {"status": 403, "code": "forbidden", "message": "no", "subject": "2"}
    }
