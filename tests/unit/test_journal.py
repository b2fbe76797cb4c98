"""The candidate terminal's local answer journal (tui/journal.py): append-only, fsynced, torn-line safe."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from exam_tui.tui.journal import (
    AnswerJournal,
    JournalEntry,
    database_identity,
    journal_dir,
    newest_per_item,
)

AT = "2026-11-23T09:00:00.000+08:00"


def entry(item: int, revision: int, answer: object = "A", *, flagged: bool = False) -> JournalEntry:
    return JournalEntry(
        item=item, answer=answer, flagged=flagged, revision=revision, current_item=item, at=AT
    )


@pytest.fixture
def journal(tmp_path: Path) -> AnswerJournal:
    return AnswerJournal.for_attempt("sqlite:////tmp/exam.db", 7, directory=tmp_path / "journal")


def test_pending_is_every_unacknowledged_answer_in_order(journal: AnswerJournal) -> None:
    assert journal.pending() == []  # no file yet
    given = [entry(3, 1, "A"), entry(1, 1, ["A", "C"], flagged=True), entry(3, 2, "B"), entry(2, 1, None)]
    for e in given:
        journal.append(e)
    assert journal.pending() == given
    # An ack settles that item up to that revision, and nothing of any other item.
    journal.acknowledge(3, 1)
    assert journal.pending() == [given[1], given[2], given[3]]
    journal.acknowledge(3, 5)  # the database holds a newer one still: the older answers are done with
    journal.acknowledge(1, 1)
    assert journal.pending() == [given[3]]
    # A new reader (a restarted terminal) sees the same.
    assert AnswerJournal(journal.path).pending() == [given[3]]


def test_the_file_is_only_ever_appended_to(journal: AnswerJournal) -> None:
    journal.append(entry(1, 1, "甲"))
    first = journal.path.read_bytes()
    journal.acknowledge(1, 1)
    journal.append(entry(1, 2, "乙"))
    data = journal.path.read_bytes()
    assert data.startswith(first)
    records = [json.loads(line) for line in data.decode().splitlines()]
    assert [r["op"] for r in records] == ["save", "ack", "save"]
    assert records[0]["answer"] == "甲" and records[0]["revision"] == 1 and records[0]["current_item"] == 1
    assert records[0]["at"] == AT  # the local time the answer was given, for whoever reads it later
    assert JournalEntry(1, "A", False, 1, 1).at.startswith("20")  # stamped when given, with its offset
    assert records[1] == {"op": "ack", "item": 1, "revision": 1}


def test_a_torn_last_line_is_ignored_and_the_next_entry_is_not_glued_to_it(journal: AnswerJournal) -> None:
    journal.append(entry(1, 1))
    journal.append(entry(2, 1))
    journal.close()
    whole = journal.path.read_bytes()
    # The power went while the third answer was being written: half a line, no newline.
    journal.path.write_bytes(whole + b'{"op":"save","item":3,"answer":"C","fla')
    reopened = AnswerJournal(journal.path)
    assert reopened.pending() == [entry(1, 1), entry(2, 1)]
    reopened.append(entry(4, 1))
    assert reopened.pending() == [entry(1, 1), entry(2, 1), entry(4, 1)]
    # A line that is valid JSON but not a record (a stray write) is skipped too.
    with reopened.path.open("ab") as f:
        f.write(b'["not", "a", "record"]\n{"op":"ack","item":"x","revision":1}\n')
    assert reopened.pending() == [entry(1, 1), entry(2, 1), entry(4, 1)]


def test_the_file_goes_once_everything_is_acknowledged(journal: AnswerJournal) -> None:
    journal.append(entry(1, 1))
    journal.append(entry(1, 2))
    journal.acknowledge(1, 1)
    assert not journal.discard_if_settled()  # revision 2 is still only here
    assert journal.path.exists()
    journal.acknowledge(1, 2)
    assert journal.discard_if_settled()
    assert not journal.path.exists()
    assert journal.discard_if_settled()  # nothing to remove: fine
    journal.append(entry(5, 1))  # a journal that was removed starts a new file
    assert journal.pending() == [entry(5, 1)]


def test_every_answer_is_fsynced_and_a_new_file_fsyncs_its_directory(
    journal: AnswerJournal, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    journal.path.parent.mkdir(parents=True)
    journal.append(entry(1, 1))
    assert synced == [str(journal.path), str(journal.path.parent)]
    journal.append(entry(2, 1))
    assert synced[2:] == [str(journal.path)]
    journal.acknowledge(2, 1)  # a lost ack only means a harmless replay: not worth an fsync
    assert len(synced) == 3


def test_the_file_is_private_and_named_without_the_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://examtui:s3cret-pw@exam-server:5432/examtui"
    journal = AnswerJournal.for_attempt(url, 42, paper="seed", directory=tmp_path)
    journal.append(entry(1, 1))
    assert journal.path.name.endswith("-attempt-42.jsonl")
    assert "s3cret" not in journal.path.name and "exam-server" not in journal.path.name
    assert journal.path.stat().st_mode & 0o777 == 0o600
    assert "s3cret" not in database_identity(url) and "examtui@exam-server:5432" in database_identity(url)
    # The same attempt after a password change is the same journal; another database's is not, nor is
    # the attempt with the same id in a database recreated under the same URL (another paper).
    other_password = url.replace("s3cret-pw", "rotated")
    assert (
        AnswerJournal.for_attempt(other_password, 42, paper="seed", directory=tmp_path).path == journal.path
    )
    assert AnswerJournal.for_attempt(url.replace("5432", "5433"), 42, paper="seed").path.name != (
        journal.path.name
    )
    assert AnswerJournal.for_attempt(url, 42, paper="other", directory=tmp_path).path != journal.path


def test_a_relative_sqlite_path_is_a_different_database_in_each_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    in_a = database_identity("sqlite:///sessions/exam.db")
    monkeypatch.chdir(tmp_path / "b")
    in_b = database_identity("sqlite:///sessions/exam.db")
    assert in_a != in_b and in_b == f"sqlite:///{tmp_path / 'b' / 'sessions' / 'exam.db'}"
    assert database_identity("sqlite:////srv/exam.db") == "sqlite:////srv/exam.db"


def test_where_the_journal_lives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EXAM_TUI_JOURNAL_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert journal_dir() == tmp_path / "home" / ".local" / "share" / "exam-tui" / "journal"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")  # the XDG spec: relative paths are invalid
    assert journal_dir() == tmp_path / "home" / ".local" / "share" / "exam-tui" / "journal"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert journal_dir() == tmp_path / "data" / "exam-tui" / "journal"
    monkeypatch.setenv("EXAM_TUI_JOURNAL_DIR", str(tmp_path / "override"))
    assert journal_dir() == tmp_path / "override"
    assert AnswerJournal.for_attempt("sqlite:////x.db", 1).path.parent == tmp_path / "override"


def test_newest_per_item_keeps_the_order_of_the_newest_answers() -> None:
    given = [entry(1, 1, "A"), entry(2, 1, "B"), entry(1, 2, "C"), entry(3, 1, "D"), entry(2, 2, "E")]
    assert newest_per_item(given) == [entry(1, 2, "C"), entry(3, 1, "D"), entry(2, 2, "E")]
