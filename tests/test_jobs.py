"""The job engine: Huey built from configuration, and the minute jobs run in order."""

from huey import RedisHuey, SqliteHuey

from clinic import jobs


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
