"""The schema revision corridor expects is the newest migration script's."""

from __future__ import annotations

from corridor.store import migrate


class TestHead:
    def test_head_constant_is_the_newest_script(self) -> None:
        """HEAD_REVISION (read without Alembic on every open) equals Alembic's script head."""
        assert migrate.script_head() == migrate.HEAD_REVISION
