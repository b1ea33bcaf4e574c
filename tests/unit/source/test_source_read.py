"""Bounded reading of source files: regular files only, a size limit, UTF-8 only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from corridor.errors import InputError, MappingError
from corridor.source import MAX_BYTES, read_source


def _refused(path: Path | str, **kw: object) -> InputError:
    with pytest.raises(InputError) as info:
        read_source(path, **kw)  # type: ignore[arg-type]
    return info.value


class TestReadSource:
    def test_utf8_with_bom(self, tmp_path: Path) -> None:
        """UTF-8 text is read, a BOM dropped."""
        p = tmp_path / "a.yaml"
        p.write_bytes(b"\xef\xbb\xbfname: \xc3\xa9\n")
        assert read_source(p) == "name: é\n"

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing file is named, with the caller's word for it."""
        err = _refused(tmp_path / "nope.yaml", error=MappingError, what="mapping file")
        assert isinstance(err, MappingError) and err.reason == "no such mapping file"

    def test_folder(self, tmp_path: Path) -> None:
        """A folder is refused."""
        assert "folder" in _refused(tmp_path).reason

    def test_device_is_refused_without_reading(self) -> None:
        """/dev/zero is refused as not a regular file (nothing is read from it)."""
        err = _refused("/dev/zero")
        assert err.where == "/dev/zero" and "not a regular file" in err.reason

    def test_fifo_is_refused_without_blocking(self, tmp_path: Path) -> None:
        """A FIFO with no writer is refused at once, not waited on."""
        fifo = tmp_path / "pipe.yaml"
        os.mkfifo(fifo)
        assert "not a regular file" in _refused(fifo).reason

    def test_too_large(self, tmp_path: Path) -> None:
        """A file over the limit is refused by its size, naming the limit."""
        p = tmp_path / "huge.yaml"
        with p.open("wb") as f:  # sparse: no disk used
            f.truncate(MAX_BYTES + 1)
        err = _refused(p)
        assert err.where == str(p) and "larger than the limit of 64 MiB" in err.reason

    def test_limit_is_a_parameter(self, tmp_path: Path) -> None:
        """The limit can be lowered; a file at the limit is read."""
        p = tmp_path / "a.yaml"
        p.write_text("abcd", encoding="utf-8")
        assert read_source(p, max_bytes=4) == "abcd"
        assert "larger than" in _refused(p, max_bytes=3).reason

    def test_invalid_utf8(self, tmp_path: Path) -> None:
        """Bytes that are not UTF-8 are refused naming the byte and the line."""
        p = tmp_path / "bin.yaml"
        p.write_bytes(b"a: 1\nb: \xff\xfe\n")
        err = _refused(p)
        assert err.reason.startswith("not UTF-8 text (byte 8 on line 2")
