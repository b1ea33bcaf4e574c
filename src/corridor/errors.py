"""The one error hierarchy of corridor.

Every error corridor raises on purpose derives from :class:`CorridorError`. Each boundary
translates them: the store turns driver errors into these, the CLI turns these into an exit code
(its own table, ``corridor.cli.app.EXIT_CODES``) and a one-line message, the HTTP API into one
JSON envelope. Messages name files, rows and fields, never a command or a command-line option.

::

    CorridorError
    ├── InputError (ValueError)              bad user input: a field, a row, a file
    │   ├── RecordError                      an observation or case item fails validation
    │   ├── MappingError                     an import mapping file is malformed
    │   ├── RuleError                        a commitment file is malformed (FILE:LINE:COL)
    │   └── ScenarioError                    a supply scenario is malformed
    ├── NotFoundError (LookupError)          an id that is not in the record
    ├── ConflictError                        a write that contradicts what is stored
    ├── StoreError                           the database failed or is not initialised
    ├── KeyError_ (alias SigningKeyError)    a signing or verifier key is missing or unusable
    ├── AccessError                          credentials that do not allow the request
    │   └── AuthenticationError              no credentials, or unknown, expired or revoked ones
    └── VerificationError                    a proof, signature, note or log does not verify
        └── TamperError                      stored entries differ from the log
"""

from __future__ import annotations

__all__ = [
    "AccessError",
    "AuthenticationError",
    "ConflictError",
    "CorridorError",
    "InputError",
    "MappingError",
    "NotFoundError",
    "RecordError",
    "RuleError",
    "ScenarioError",
    "SigningKeyError",
    "StoreError",
    "TamperError",
    "VerificationError",
]


class CorridorError(Exception):
    """Base of every error corridor raises on purpose.

    ``code`` names a situation a face may explain in its own words (the CLI suggests a
    command, the API documents the code): e.g. ``no-database``, ``no-log``, ``no-signing-key``;
    ``subject`` is what it concerns (an organisation id, a path), for that explanation.
    """

    def __init__(
        self, message: str, *, code: str | None = None, subject: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.subject = subject

    def __str__(self) -> str:
        return self.message


class InputError(CorridorError, ValueError):
    """Bad user input. ``where`` names the file, row or field; ``reason`` says what is wrong."""

    def __init__(self, reason: str, *, where: str | None = None) -> None:
        self.where = where
        self.reason = reason
        super().__init__(f"{where}: {reason}" if where else reason)


class RecordError(InputError):
    """An observation, or an organisation, place, route or checkpoint, fails validation."""

    def __init__(self, reason: str, *, field: str | None = None, where: str | None = None) -> None:
        self.field = field
        loc = ", ".join(p for p in (where, field) if p)
        super().__init__(reason, where=loc or None)


class MappingError(InputError):
    """An import mapping file is malformed."""


class RuleError(InputError):
    """A commitment (rule) file is malformed; ``where`` is FILE:LINE:COLUMN."""


class ScenarioError(InputError):
    """A supply scenario is malformed; ``where`` names file and field."""


class NotFoundError(CorridorError, LookupError):
    """An id that is not in the record."""


class ConflictError(CorridorError):
    """A write that contradicts what is already stored."""


class StoreError(CorridorError):
    """The database failed, is unreachable, or is not initialised."""


class SigningKeyError(CorridorError):
    """A signing or verifier key is missing, malformed or does not match."""


class AccessError(CorridorError):
    """Valid credentials that do not allow this request: a role or scope short of it, or an
    entry signed by another organisation than the one the credentials belong to."""


class AuthenticationError(AccessError):
    """No credentials where they are needed, or credentials that are unknown, expired or
    revoked."""


class VerificationError(CorridorError):
    """A proof, signature, note or exported log does not verify; the message says exactly why."""


class TamperError(VerificationError):
    """Stored entries differ from what the log committed to; ``index`` names the first entry."""

    def __init__(self, message: str, *, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index
