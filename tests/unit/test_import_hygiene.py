"""The domain layer loads without any framework (import-linter checks the code; this checks runtime)."""

from __future__ import annotations

import subprocess
import sys


def test_domain_imports_no_framework() -> None:
    code = (
        "import sys, exam_tui.domain.bank, exam_tui.domain.questions, exam_tui.domain.idnumber, "
        "exam_tui.domain.sittings\n"
        "bad = [m for m in ('sqlalchemy', 'sqlmodel', 'textual', 'typer', 'alembic', 'exam_tui.store') if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_cli_help_does_not_load_the_tui() -> None:
    code = "import sys, exam_tui.cli\nprint('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
