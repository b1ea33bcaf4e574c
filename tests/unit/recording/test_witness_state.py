"""A witness's state file: updates are serialised across threads and processes (no update is
lost, none rolls another back), written atomically, and refused when malformed."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from corridor.errors import InputError
from corridor.recording.witness_state import WitnessStateFile

ROOT = bytes(32)

BUMP = """
import sys
from corridor.recording.witness_state import WitnessStateFile
f = WitnessStateFile(sys.argv[1])
for _ in range(int(sys.argv[2])):
    with f.update() as st:
        n = st.logs.get("log", (0, bytes(32)))[0]
        st.logs["log"] = (n + 1, bytes(32))
"""


def bump(f: WitnessStateFile, times: int) -> None:
    for _ in range(times):
        with f.update() as st:
            n = st.logs.get("log", (0, ROOT))[0]
            st.logs["log"] = (n + 1, ROOT)


class TestWitnessStateFile:
    def test_absent_is_empty(self, tmp_path: Path) -> None:
        assert WitnessStateFile(tmp_path / "w.state").read().logs == {}

    def test_no_update_is_lost(self, tmp_path: Path) -> None:
        """Read-modify-write from 4 threads and 2 other processes at once: every one counts."""
        path = tmp_path / "w.state"
        f = WitnessStateFile(path)
        procs = [
            subprocess.Popen([sys.executable, "-c", BUMP, str(path), "25"]) for _ in range(2)
        ]
        threads = [threading.Thread(target=bump, args=(WitnessStateFile(path), 25))
                   for _ in range(4)]  # fmt: skip
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for p in procs:
            assert p.wait(timeout=120) == 0
        assert f.read().logs["log"][0] == 150
        assert not path.with_name("w.state.tmp").exists()
        assert path.stat().st_mode & 0o777 == 0o600

    def test_a_failed_update_writes_nothing(self, tmp_path: Path) -> None:
        f = WitnessStateFile(tmp_path / "w.state")
        bump(f, 1)
        with pytest.raises(RuntimeError), f.update() as st:
            st.logs["log"] = (99, ROOT)
            raise RuntimeError("refused")
        assert f.read().logs["log"][0] == 1

    @pytest.mark.parametrize("content", [b"{", b'{"logs": {"x": {"size": -1}}}', b"\xff"])
    def test_malformed_is_refused_naming_the_file(self, tmp_path: Path, content: bytes) -> None:
        path = tmp_path / "w.state"
        path.write_bytes(content)
        with pytest.raises(InputError, match=r"w\.state"):
            WitnessStateFile(path).read()
