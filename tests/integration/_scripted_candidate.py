"""A scripted candidate for tests/integration/test_durability.py (run as a script, killed with SIGKILL).

    python _scripted_candidate.py DATABASE_URL ACCESS_CODE ID_NUMBER SEED

It imports everything, prints ``READY`` and waits for a line on stdin, so that the test can start the
next candidate while the current one works. Then it opens the database (no migration), signs in and
resumes the attempt under way (``admit`` + ``begin``, on the database clock), prints ``ANSWERING`` (the
test times its kill from there) and answers forever: a random item, a random answer, the next revision after the one
stored for that item (read back from ``begin``), one ``save_answer`` each. Only after a save returns
does it print ``ACK ITEM REVISION ANSWER-JSON`` and flush, so every ACK line is an acknowledged save.
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from pathlib import Path
from types import ModuleType

from exam_tui.services import admission, answers, attempts
from exam_tui.services.runtime import connect


def bench_crash() -> ModuleType:
    """bench/crash.py, loaded once: its candidate answers the same way (random_answer), and
    tests/integration/test_crash.py runs its rounds."""
    name = "exam_tui_bench_crash"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[2] / "bench" / "crash.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the class is built
        spec.loader.exec_module(module)
    return sys.modules[name]


random_answer = bench_crash().random_answer


def main(argv: list[str]) -> None:
    url, access_code, id_number, seed = argv
    rng = random.Random(int(seed))
    print("READY", flush=True)
    if not sys.stdin.readline():
        return  # the test went away before starting us
    db = connect(url, migrate=False)
    admitted = admission.admit(db, login=id_number, access_code=access_code)
    state = attempts.begin(
        db, session_id=admitted.session.id, cadre_id=admitted.candidate.cadre_id, hostname="scripted"
    )
    revisions = dict(state.revisions)
    items = state.paper.items
    print("ANSWERING", flush=True)
    while True:
        item = rng.choice(items)
        answer = random_answer(item, rng)
        revision = revisions.get(item.number, 0) + 1
        answers.save_answer(
            db,
            state.attempt_id,
            item=item.number,
            answer=answer,
            flagged=False,
            revision=revision,
            current_item=item.number,
        )
        revisions[item.number] = revision
        # ASCII JSON: the pipe's encoding depends on the locale.
        sys.stdout.write(f"ACK {item.number} {revision} {json.dumps(answer)}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
