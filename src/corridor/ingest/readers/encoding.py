"""Tell the text encoding of a delimited file, or refuse to guess.

In this order: a byte-order mark (UTF-8, UTF-16, UTF-32); text that is valid UTF-8 throughout;
the encoding the mapping file names; else detection with charset-normalizer over the lines that
hold non-ASCII bytes. Detection must be sure: the best candidate must read as coherent text in
some language, and no other candidate that reads the bytes as *different* text may come close.
Otherwise the file is refused with a request to name the encoding, because a wrong guess would
sign garbled names into an append-only log.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from corridor.errors import InputError

__all__ = ["MIN_COHERENCE", "choose_encoding"]

_CHUNK = 1 << 20
_SAMPLE = 256 * 1024  # bytes of non-ASCII lines given to the detector
# A candidate's language coherence (0-1) below which detection is not trusted: short samples
# ("Café" alone) score 0 in every encoding.
MIN_COHERENCE = 0.2
# A runner-up that decodes to different text within this much coherence makes it a toss-up.
_MARGIN = 0.02
# Candidates messier than the cleanest by more than this are not considered.
_CHAOS_SLACK = 0.1
_HIGH = re.compile(rb"[\x80-\xff]")

_EXAMPLES = (
    "e.g. encoding: cp1256 (Arabic), cp1251 (Cyrillic), cp1254 (Turkish, Azerbaijani) or "
    "cp1252 (Western European)"
)


def _bom(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _high_lines(chunk: bytes, sample: bytearray) -> None:
    """Append to ``sample`` the lines of ``chunk`` that hold a non-ASCII byte."""
    pos = 0
    while len(sample) < _SAMPLE and (m := _HIGH.search(chunk, pos)):
        start = chunk.rfind(b"\n", 0, m.start()) + 1
        end = chunk.find(b"\n", m.end())
        end = len(chunk) if end < 0 else end
        sample += chunk[start:end] + b"\n"
        pos = end + 1


def _scan(path: Path) -> tuple[bool, bool, bytes]:
    """(valid UTF-8 throughout, holds NUL bytes, a sample of the lines with non-ASCII bytes)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    valid, nul = True, False
    sample = bytearray()
    first = b""
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            if not first:
                first = chunk[:_SAMPLE]
            if valid:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    valid = False
            nul = nul or b"\x00" in chunk
            if len(sample) < _SAMPLE:
                _high_lines(chunk, sample)
    if valid:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            valid = False
    # Without line breaks to go by (UTF-16 without a BOM), give the detector the start.
    return valid, nul, first if nul else bytes(sample[:_SAMPLE])


def _detect(sample: bytes, name: str) -> str:
    from charset_normalizer import from_bytes

    results = list(from_bytes(sample))
    if not results:
        raise InputError(
            "this does not look like text in any encoding (a binary file, or a workbook with "
            f"the wrong name?); if it is text, set 'encoding:' in the mapping file ({_EXAMPLES})",
            where=name,
        )
    cleanest = min(m.chaos for m in results)
    near = sorted(
        (m for m in results if m.chaos <= cleanest + _CHAOS_SLACK),
        key=lambda m: (-m.coherence, m.chaos),
    )
    best = near[0]
    text = str(best)
    rivals = [
        m.encoding
        for m in near[1:]
        if m.coherence > best.coherence - _MARGIN and str(m) != text
    ]
    if best.coherence < MIN_COHERENCE or rivals:
        why = (
            f"{best.encoding} and {rivals[0]} read it equally well"
            if rivals and best.coherence >= MIN_COHERENCE
            else "there is too little text to tell"
        )
        raise InputError(
            f"the text is not UTF-8 and its encoding cannot be told with confidence ({why}); "
            f"set 'encoding:' in the mapping file ({_EXAMPLES})",
            where=name,
        )
    return str(best.encoding)


def choose_encoding(path: Path, declared: str | None) -> tuple[str, str]:
    """(encoding, how it was chosen: 'bom', 'utf-8', 'mapping' or 'detected') for ``path``.

    Raises InputError naming the file if the file cannot be read, or if it is not UTF-8, the
    mapping names no encoding, and detection is not sure.
    """
    try:
        with path.open("rb") as f:
            head = f.read(4)
        bom = _bom(head)
        if bom is not None:
            return bom, "bom"
        valid, nul, sample = _scan(path)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", where=str(path)) from None
    if valid and not nul:
        return "utf-8", "utf-8"
    if declared is not None:
        return declared, "mapping"
    return _detect(sample, path.name), "detected"
