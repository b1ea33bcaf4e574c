"""The ledger core: pure functions over bytes for corridor's transparency log (docs/log.md).

- :mod:`~corridor.ledger.canonical` RFC 8785 canonical JSON
- :mod:`~corridor.ledger.hashing` RFC 9162 leaf and node hashes
- :mod:`~corridor.ledger.merkle` roots, inclusion and consistency proofs and their checks
- :mod:`~corridor.ledger.tiles` C2SP tlog-tiles paths and math, the tile store, the tiled tree
- :mod:`~corridor.ledger.note` C2SP signed notes and Ed25519 keys
- :mod:`~corridor.ledger.checkpoint` C2SP tlog-checkpoint
- :mod:`~corridor.ledger.cosignature` C2SP tlog-cosignature and the witness
- :mod:`~corridor.ledger.entry` the log entry: signed canonical observations, commitments
- :mod:`~corridor.ledger.bundle` entry bundles
- :mod:`~corridor.ledger.offline` offline verification of an export, and the export's files
- :mod:`~corridor.ledger.keyfile` the folder of private key files (``<org>.key``, mode 0600)

No module here touches a database or the network; only ``keyfile`` touches the file system
(one small key file at a time).
"""
