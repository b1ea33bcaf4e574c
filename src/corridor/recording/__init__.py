"""Putting observations on the record, and checking it: admission, the transparency log over the
store, the recorder that signs, the audit that verifies, and the key folder.

    admission   the one gate: verify, validate, normal form, references; worker pool
    tlog        TransparencyLog: identity, append, proofs, checkpoints (signed only on request)
    recorder    Recorder: sign observations with their reporters' keys and append them
    audit       audit_log / verify_log: re-derive everything stored from the entry bytes
    state       the log's own witness state (log.state beside its key, outside the database)
    keyring     private key files (mode 0600, refused if readable by others) and DEMO keys
"""

from corridor.recording.admission import AdmissionPool, admit_entry
from corridor.recording.keyring import Keyring, demo_signer
from corridor.recording.recorder import Recorder
from corridor.recording.tlog import LogInfo, TransparencyLog, init_log

__all__ = [
    "AdmissionPool",
    "Keyring",
    "LogInfo",
    "Recorder",
    "TransparencyLog",
    "admit_entry",
    "demo_signer",
    "init_log",
]
