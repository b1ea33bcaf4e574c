"""Tell the text encoding of a delimited file, or refuse to guess.

In this order: a byte-order mark (UTF-8, UTF-16, UTF-32); text that is valid UTF-8 throughout;
the encoding the mapping file names; else detection with charset-normalizer over the lines that
hold non-ASCII bytes. Detection must be sure: the best candidate must read as coherent text in
some language, and every other candidate about as clean and coherent must read the bytes as the
same text, unless the code page Windows uses for the text's language settles it.
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
_SAMPLE = 256 * 1024  # bytes given to the detector
# A candidate's language coherence (0-1) below which detection is not trusted: short samples
# ("Café" alone) score 0 in every encoding.
MIN_COHERENCE = 0.2
# Candidates messier than the cleanest by more than this are not plausible readings ...
_CHAOS_SLACK = 0.05
# ... nor those less coherent than the most coherent by more than this.
_COHERENCE_SLACK = 0.1
_HIGH = re.compile(rb"[\x80-\xff]")

# The Windows code page (and its ISO twin) for each language charset-normalizer names, to settle a
# toss-up between Latin code pages that read the same bytes as different letters.
_WESTERN = ("cp1252", "iso8859-1", "iso8859-15")
_CENTRAL = ("cp1250", "iso8859-2")
_CODE_PAGES: dict[str, tuple[str, ...]] = {
    "Turkish": ("cp1254", "iso8859-9"),
    **dict.fromkeys(
        ("English", "French", "German", "Spanish", "Portuguese", "Italian", "Dutch", "Danish",
         "Swedish", "Norwegian", "Finnish", "Indonesian", "Catalan"),
        _WESTERN,
    ),
    **dict.fromkeys(
        ("Polish", "Czech", "Slovak", "Hungarian", "Romanian", "Croatian", "Slovene"), _CENTRAL
    ),
    **dict.fromkeys(("Estonian", "Latvian", "Lithuanian"), ("cp1257", "iso8859-13")),
    **dict.fromkeys(("Russian", "Ukrainian", "Bulgarian", "Serbian", "Kazakh"), ("cp1251",)),
    **dict.fromkeys(("Arabic", "Farsi"), ("cp1256",)),
    "Greek": ("cp1253", "iso8859-7"),
    "Hebrew": ("cp1255", "iso8859-8"),
    "Vietnamese": ("cp1258",),
    "Thai": ("cp874",),
}

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
    """(valid UTF-8 throughout, holds NUL bytes, a sample for the detector). The sample is the
    lines that hold non-ASCII bytes, from anywhere in the file: ASCII reads the same in every
    candidate and would only dilute the evidence. A file with NUL bytes (UTF-16 without a BOM)
    has no lines to go by: its start is the sample."""
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
            _high_lines(chunk, sample)
    if valid:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            valid = False
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
    clean = [m for m in results if m.chaos <= cleanest + _CHAOS_SLACK]
    coherent = max(m.coherence for m in clean)
    if coherent < MIN_COHERENCE:
        raise _unsure(name, "there is too little text to tell")
    # Every candidate about as clean and as coherent as the best is a plausible reading.
    plausible = [m for m in clean if m.coherence >= coherent - _COHERENCE_SLACK]
    if len({str(m) for m in plausible}) > 1:
        # A toss-up between code pages that read the bytes as different letters: take the one
        # Windows uses for the language the text reads as, if that settles it.
        pages = {p for m in plausible for p in _CODE_PAGES.get(str(m.language), ())}
        plausible = [m for m in plausible if codecs.lookup(m.encoding).name in pages]
        if len({str(m) for m in plausible}) != 1:
            ranked = sorted(clean, key=lambda m: -m.coherence)
            rival = next(m.encoding for m in ranked[1:] if str(m) != str(ranked[0]))
            raise _unsure(name, f"{ranked[0].encoding} and {rival} read it about equally well")
    return str(plausible[0].encoding)


def _unsure(name: str, why: str) -> InputError:
    return InputError(
        f"the text is not UTF-8 and its encoding cannot be told with confidence ({why}); "
        f"set 'encoding:' in the mapping file ({_EXAMPLES})",
        where=name,
    )


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
