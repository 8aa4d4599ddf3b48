"""The job engine: Huey built from configuration, and the minute jobs run in order."""

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from huey import RedisHuey, SqliteHuey

from clinic import jobs

ROOT = Path(__file__).resolve().parent.parent


def test_the_queue_is_an_sqlite_file_by_default(app, tmp_path):
    app.config.update(JOBS_URL=None, REDIS_URL=None, JOBS_SQLITE_PATH=str(tmp_path / "q.sqlite3"),
                      JOBS_WAKE=True)
    engine = jobs.Jobs(app)
    assert isinstance(engine.huey, SqliteHuey)
    engine.wake()
    assert engine.huey.pending_count() == 1
    assert (tmp_path / "q.sqlite3").exists()


def test_the_queue_is_in_redis_when_configured(app, jobs_redis):
    app.config.update(JOBS_URL=jobs_redis, JOBS_WAKE=True)
    engine = jobs.Jobs(app)
    assert isinstance(engine.huey, RedisHuey)
    engine.wake()
    assert engine.huey.pending_count() == 1
    engine.huey.storage.conn.close()


def test_a_failing_job_does_not_stop_the_next(app, caplog):
    ran = []

    def broken():
        raise RuntimeError("boom")

    engine = jobs.Jobs(app, [broken, lambda: ran.append(True)])
    engine.run_all()
    assert ran == [True]
    assert "boom" in caplog.text


def test_wake_never_raises_when_the_queue_is_down(app):
    app.config.update(JOBS_URL="redis://127.0.0.1:1/0", JOBS_WAKE=True)
    app.extensions[jobs.EXTENSION] = jobs.Jobs(app)
    jobs.wake(app)  # logged, not raised: the minute tick delivers instead


_PRIORITY_SCRIPT = """
import json, os, threading
from types import SimpleNamespace
from clinic.jobs import lower_priority

lower_priority(SimpleNamespace(config={"JOBS_NICE": 10, "JOBS_IDLE_CLASS": True}))
seen = {}
def report():  # a thread started afterwards, as the worker's are
    seen["thread"] = os.sched_getscheduler(threading.get_native_id())
thread = threading.Thread(target=report)
thread.start()
thread.join()
print(json.dumps({"main": os.sched_getscheduler(0), "nice": os.getpriority(os.PRIO_PROCESS, 0), **seen}))
"""


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="Linux only")
def test_the_worker_goes_after_the_web_and_its_threads_inherit_it():
    before = os.getpriority(os.PRIO_PROCESS, 0)
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _PRIORITY_SCRIPT], cwd=ROOT, capture_output=True, text=True,
        timeout=120, check=True,
    )
    seen = json.loads(result.stdout.splitlines()[-1])

    assert seen == {"main": os.SCHED_IDLE, "thread": os.SCHED_IDLE, "nice": min(before + 10, 19)}


def test_a_sandbox_refusing_the_idle_class_leaves_a_warning_not_a_dead_worker(monkeypatch, caplog):
    def refuse(*_args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "sched_setscheduler", refuse)
    monkeypatch.setattr(os, "SCHED_IDLE", 5, raising=False)

    jobs.lower_priority(SimpleNamespace(config={"JOBS_NICE": 0, "JOBS_IDLE_CLASS": True}))

    assert "stays in the normal scheduling class (Operation not permitted)" in caplog.text
