"""The key folder, as the recording adapter knows it: see :mod:`corridor.ledger.keyfile`
(in the core, so that the HTTP client signs with the same code and no database library)."""

from corridor.ledger.keyfile import DEMO_SEED_PREFIX, Keyring, check_registered, demo_signer

__all__ = ["DEMO_SEED_PREFIX", "Keyring", "check_registered", "demo_signer"]
