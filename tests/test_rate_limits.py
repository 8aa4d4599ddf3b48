"""Rate-limit storage that holds: memory storage counts per process, so with several workers it
is refused outside development and announced loudly inside it."""

import logging

import pytest

from clinic import ConfigurationError, create_app


def _config(database_url: str, **extra) -> dict:
    return {
        "TESTING": False, "DEVELOPMENT": False, "DEBUG": False, "SECRET_KEY": "x" * 32,
        "SQLALCHEMY_DATABASE_URI": database_url, **extra,
    }


@pytest.fixture(autouse=True)
def _no_worker_count_from_outside(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("CLINIC_WORKERS", raising=False)


def test_production_refuses_memory_storage_with_several_workers(database_url):
    with pytest.raises(ConfigurationError, match="3 workers") as refused:
        create_app(_config(database_url, WORKERS=3, RATELIMIT_STORAGE_URI="memory://"))

    assert "REDIS_URL" in str(refused.value)


def test_gunicorns_web_concurrency_counts_as_the_worker_number(database_url, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")

    with pytest.raises(ConfigurationError, match="4 workers"):
        create_app(_config(database_url))


def test_one_worker_with_memory_storage_and_several_with_redis_start(database_url, monkeypatch):
    assert create_app(_config(database_url, WORKERS=1))
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    assert create_app(_config(database_url, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/7"))


def test_development_with_several_workers_starts_but_says_so_loudly(database_url, caplog):
    with caplog.at_level(logging.ERROR):
        app = create_app(_config(database_url, DEVELOPMENT=True, WORKERS=2))

    assert app
    [warning] = [r for r in caplog.records if "2 workers" in r.getMessage()]
    assert warning.levelno == logging.ERROR


def test_a_worker_count_that_is_not_a_number_is_refused(database_url, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "three")

    with pytest.raises(ConfigurationError, match="must be a number"):
        create_app(_config(database_url))
