"""What the report gathers that is not the application's: the witnesses on a checkpoint, the
ids a document cites, the reproduce line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from corridor.ledger.note import Signer, sign_note
from corridor.report.build import ReportRequest, _ids, cosigners, reproduce_line


def test_the_witnesses_are_every_signature_but_the_log_s() -> None:
    """A checkpoint signed by the log and cosigned by two witnesses names the two, by key name
    and key id, and not the log; one signed by the log alone names none."""
    log = Signer.from_seed("example.org/log", b"\x01" * 32)
    w1 = Signer.from_seed("witness.one", b"\x02" * 32)
    w2 = Signer.from_seed("witness.two", b"\x03" * 32)
    text = "example.org/log\n5\nSvWpNetmvWxbXAtY5putu1jYJO6bXVTt2NiIzaOsHU8=\n"
    note = sign_note(text, [log, w1, w2])
    assert cosigners(note, log.name, log.key_id.hex()) == [
        {"name": "witness.one", "key_id": w1.key_id.hex()},
        {"name": "witness.two", "key_id": w2.key_id.hex()},
    ]
    assert cosigners(sign_note(text, [log]), log.name, log.key_id.hex()) == []


def test_cited_ids_are_found_wherever_a_document_names_them() -> None:
    """Evidence lists (of ids or of proof objects), figures' and attestations' ids, and the
    reports an attestation summary is about are all cited; other strings are not."""
    a, b, c, d, e = ("a" * 64, "b" * 64, "c" * 64, "d" * 64, "e" * 64)
    doc = {
        "routes": [{"evidence": [a], "name": "x" * 64}],
        "instances": [{"evidence": [{"id": b, "hashes": []}]}],
        "figures": [{"id": c, "count": 1}],
        "attestations": {d: {"corroborated_by": [{"by": "org", "id": e}]}},
    }
    assert sorted(set(_ids(doc))) == [a, b, c, d, e]


def test_the_reproduce_line_names_every_option_that_changes_the_report() -> None:
    """Defaults are left out; a zone, days, a case and its runs and seed are kept."""
    at = datetime(2023, 8, 15, 12, tzinfo=timezone(timedelta(hours=4)))
    assert reproduce_line(ReportRequest(), at, 93) == (
        "corridor report --at 2023-08-15T12:00:00+04:00 --as-of 93"
    )
    req = ReportRequest(tz=UTC, tz_name="UTC", days=10, case="lachin-2023", runs=50, seed=3)
    assert reproduce_line(req, at, 104) == (
        "corridor report --at 2023-08-15T12:00:00+04:00 --as-of 104 --tz UTC --days 10 "
        "--case lachin-2023 --runs 50 --seed 3"
    )
