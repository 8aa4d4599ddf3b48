"""Application factory: configuration, extensions, blueprints, error pages, CLI."""

import os
from pathlib import Path

from flask import Flask, redirect, url_for
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from . import cli, errors, i18n, inputs, jobs, logs, security, templating
from .accounts import services as accounts
from .accounts.views import bp as accounts_bp
from .audit.views import bp as audit_bp
from .auth import session as staff_session
from .auth.views import bp as auth_bp
from .config import DEV_SECRET_KEY, Defaults
from .couples.views import bp as couples_bp
from .database import configure_engine, normalise_url
from .digest import services as digest
from .digest.views import bp as digest_bp
from .domain import MessageKind
from .exercises.views import bp as exercises_bp
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .inbox.views import bp as inbox_bp
from .mail import delivery
from .mail.views import bp as mail_bp
from .notes.views import bp as notes_bp
from .pdf import pdf_support_problems
from .portal import services as portal
from .portal.views import bp as portal_bp
from .practice.views import bp as practice_bp
from .records.views import bp as records_bp
from .reminders import services as reminders
from .reminders.views import bp as reminders_bp
from .reports.views import bp as reports_bp
from .safety.views import away as away_bp
from .safety.views import bp as safety_bp

BLUEPRINTS = (
    auth_bp, couples_bp, exercises_bp, records_bp, notes_bp, portal_bp, practice_bp, audit_bp,
    reports_bp, inbox_bp, digest_bp, mail_bp, reminders_bp, accounts_bp, away_bp,
    safety_bp,
)

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"


class ConfigurationError(RuntimeError):
    """The configuration is unsafe or incomplete; the app refuses to start."""


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("CLINIC_INSTANCE_PATH") or str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    # The input boundary (clinic/inputs.py): control characters out of every query string and
    # form, route ids bounded; set before any route is added.
    app.request_class = inputs.Request
    app.url_map.converters["int"] = inputs.BoundedIntConverter
    load_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_errors(app)
    register_cli(app)
    register_jobs(app)
    if not app.testing:
        warn_about_pdf_support(app)
    return app


def warn_about_pdf_support(app: Flask) -> None:
    """Say at start-up, not at the first PDF, when Pango or the fonts are missing (~15 ms)."""
    for problem in pdf_support_problems():
        app.logger.warning("PDF export will not work: %s", problem)


def load_config(app: Flask, overrides: dict | None) -> None:
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("CLINIC")
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("REDIS_URL"):
        app.config["RATELIMIT_STORAGE_URI"] = os.environ["REDIS_URL"]
        app.config["REDIS_URL"] = os.environ["REDIS_URL"]
    if overrides:
        app.config.update(overrides)

    relaxed = app.config["DEVELOPMENT"] or app.config["TESTING"] or app.debug
    if app.config["SECRET_KEY"] == DEV_SECRET_KEY and not relaxed:
        raise ConfigurationError(
            "Refusing to start with the development SECRET_KEY. Set CLINIC_SECRET_KEY to a long "
            "random value (python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = not relaxed
    check_rate_limit_storage(app, relaxed=relaxed)

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        uri = f"sqlite:///{Path(app.instance_path) / 'clinic.sqlite3'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_url(uri)
    # A failed statement's bound values (what someone typed, a name searched for) never reach
    # an error message, hence never a log (logs.HideDatabaseValues keeps the database's out).
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **app.config["SQLALCHEMY_ENGINE_OPTIONS"], "hide_parameters": True,
    }


def worker_count(app: Flask) -> int:
    """How many processes serve the app: CLINIC_WORKERS, else gunicorn's WEB_CONCURRENCY, else 1."""
    configured = app.config["WORKERS"] or os.environ.get("WEB_CONCURRENCY") or 1
    try:
        return max(int(configured), 1)
    except ValueError as error:
        raise ConfigurationError(
            f"WORKERS / WEB_CONCURRENCY must be a number, not {configured!r}."
        ) from error


def check_rate_limit_storage(app: Flask, *, relaxed: bool) -> None:
    """Memory storage counts per process: with several workers every limit is multiplied by
    their number (and a sign-in limit per account stops holding). Refuse that outside
    development; say so loudly in development."""
    workers = worker_count(app)
    if not app.config["RATELIMIT_STORAGE_URI"].startswith("memory://") or workers == 1:
        return
    message = (
        f"Rate limits are kept in memory but {workers} workers serve the app: each worker counts "
        f"on its own, so every sign-in and link limit is multiplied by {workers}. Set REDIS_URL "
        "(or CLINIC_RATELIMIT_STORAGE_URI) to a Redis shared by all workers."
    )
    if not relaxed:
        raise ConfigurationError(message)
    app.logger.error(message)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        configure_engine(
            db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"], app.config["SQLITE_SYNCHRONOUS"]
        )
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    babel.init_app(
        app, default_locale=i18n.DEFAULT_LANGUAGE, default_timezone="UTC",
        default_translation_directories=str(TRANSLATIONS),
        locale_selector=i18n.person_locale, timezone_selector=templating.practice_timezone,
    )
    # A build step, not state: `make` compiles the catalogs; a checkout started without make
    # (pytest, flask run) gets them compiled here, as Python writes its .pyc files.
    for problem in i18n.compile_catalogs(TRANSLATIONS):
        app.logger.warning("Catalog not compiled, its pages show English: %s", problem)
    if app.config["PROXY_FIX_X_FOR"]:
        # The same trusted proxies say which address and which scheme (HTTPS: HSTS) they saw.
        hops = int(app.config["PROXY_FIX_X_FOR"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    logs.init_app(app)
    staff_session.init_app(app)
    security.init_app(app)
    templating.init_app(app)


def register_blueprints(app: Flask) -> None:
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    app.add_url_rule("/", endpoint="index", view_func=_index)


def _index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.is_supervisor:
        return redirect(url_for("reports.index"))
    return redirect(url_for("couples.index"))


def register_errors(app: Flask) -> None:
    errors.register(app, post_without_session=staff_session.post_without_session)


def register_jobs(app: Flask) -> None:
    """What the worker runs every minute and on every wake-up, in this order (see jobs.py),
    and what it fills in as it sends (a reminder's portal address, made at that moment)."""
    delivery.register_filler(app, MessageKind.REMINDER, portal.return_addresses)
    jobs.init_app(app, every_minute=[
        reminders.send_due, digest.send_due, accounts.send_reset_links, delivery.deliver_due,
    ])


def register_cli(app: Flask) -> None:
    cli.register(app)
