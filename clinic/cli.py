"""`flask` commands: thin wrappers over services."""

import functools
import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask_babel import force_locale, format_number, ngettext
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from . import backup, demo
from .auth.models import ROLE_WORDS
from .auth.services import NewUser, create_user, find_by_email
from .domain import Role
from .errors import DomainError
from .extensions import db
from .i18n import operator_language
from .notes import sealing
from .notes.services import export_note
from .pdf import pdf_support_problems
from .practice.services import create_practice, get_practice
from .reports import export
from .reports.report import ReportRequest
from .reports.supervision import default_reader


def in_operator_language(command):
    """Run a command's messages in the language of the person at the terminal (LANG)."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        with force_locale(operator_language()):
            return command(*args, **kwargs)
    return run


def register(app: Flask) -> None:
    app.cli.add_command(create_practice_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(check_pdf_command)
    app.cli.add_command(export_note_command)
    app.cli.add_command(seal_notes_command)
    app.cli.add_command(verify_notes_command)
    app.cli.add_command(supervision_report_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(check_db_command)


@click.command("create-practice")
@click.argument("name")
@in_operator_language
def create_practice_command(name: str) -> None:
    """Create a practice and print its id."""
    practice = create_practice(name, require_two_factor=True)
    click.echo(_("Created practice %(id)d: %(name)s", id=practice.id, name=practice.name))
    click.echo(_("Every member signs in with a second factor (an authenticator app); the owner "
                 "can change this under Practice settings."))


@click.command("create-user")
@click.option("--practice-id", type=int, required=True)
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.CLINICIAN.value
)
@click.password_option("--password", help="Prompted for (never echoed) when left out.")
@in_operator_language
def create_user_command(practice_id: int, email: str, name: str, role: str, password: str) -> None:
    """Add an account to a practice."""
    try:
        get_practice(practice_id)
    except NotFound as error:
        raise click.ClickException(_("No practice with id %(id)d.", id=practice_id)) from error
    try:
        # Somebody else chose this password: the person replaces it at first sign-in.
        user = create_user(practice_id, NewUser(
            email=email, name=name, role=role, password=password, must_change_password=True,
        ))
    except DomainError as error:
        raise click.ClickException(f"{error.field or _('error')}: {error.message}") from error
    click.echo(_("Created %(role)s %(email)s (id %(id)d).", role=ROLE_WORDS[user.role], email=user.email,
                 id=user.id))


@click.command("seed-demo")
@in_operator_language
def seed_demo_command() -> None:
    """Create (or refresh) the demo practice and print its sign-in details."""
    if not (current_app.config["DEVELOPMENT"] or current_app.config["TESTING"] or current_app.debug):
        raise click.ClickException(_(
            "seed-demo only runs on a development installation (CLINIC_DEVELOPMENT=true); "
            "it must never touch a production database."
        ))
    logins = demo.seed()
    click.echo("")
    click.echo(_("Demo practice ready. Sign in at %(url)s with:", url=current_app.config["BASE_URL"]))
    for login in logins:
        click.echo(f"  {login.role:<11} {login.email:<32} {login.password}")
    click.echo(_("(These passwords are new each time the demo is seeded.)"))


@click.command("check-pdf")
@in_operator_language
def check_pdf_command() -> None:
    """Say whether the system packages PDFs need (Pango, fonts) are installed."""
    problems = pdf_support_problems()
    for problem in problems:
        click.echo(_("PDF export: %(problem)s", problem=problem), err=True)
    if not problems:
        click.echo(_("PDF export: ready (WeasyPrint, Pango and Latin/CJK fonts found)."))


@click.command("supervision-report")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), required=True)
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), required=True)
@click.option("--clinician", "clinician_email", help="Only this clinician's caseload.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "csv"]), required=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--identified", is_flag=True, help="Include names (audited).")
@click.option("--as", "as_email", help="The owner or supervisor the report is made for "
              "(default: the practice's first active owner).")
@in_operator_language
def supervision_report_command(since, until, clinician_email, fmt, out, identified, as_email) -> None:
    """Write a supervision report (de-identified unless --identified) to a PDF or CSV file."""
    clinician = find_by_email(clinician_email) if clinician_email else None
    viewer = _report_viewer(as_email, clinician.practice_id if clinician else None)
    if clinician_email and (clinician is None or clinician.practice_id != viewer.practice_id):
        raise click.ClickException(_("No clinician %(email)s in this practice.", email=clinician_email))
    request = ReportRequest(since.date(), until.date(), clinician.id if clinician else None, identified)
    try:
        file = export.report_file(viewer, request, fmt)
    except NotFound:
        raise click.ClickException(_("%(viewer)s may not read %(email)s's reports.", viewer=viewer.email,
                                     email=clinician_email)) from None
    except DomainError as error:
        raise click.ClickException(error.message) from error
    with click.progressbar(length=file.couples, label=_("Couples"), file=sys.stderr) as bar:
        content = file.content(each_row=lambda: bar.update(1))
        with _private_file(out, binary=isinstance(content, bytes)) as handle:
            if isinstance(content, bytes):
                handle.write(content)
            else:
                handle.writelines(content)
    click.echo(
        ngettext("Wrote %(out)s (%(num)d couple, identified).",
                 "Wrote %(out)s (%(num)d couples, identified).", file.couples, out=out)
        if identified else
        ngettext("Wrote %(out)s (%(num)d couple, de-identified).",
                 "Wrote %(out)s (%(num)d couples, de-identified).", file.couples, out=out)
    )


def _report_viewer(as_email: str | None, practice_id: int | None):
    if as_email:
        viewer = find_by_email(as_email)
        if viewer is None or not viewer.reads_reports:
            raise click.ClickException(_("%(email)s is not an owner or supervisor.", email=as_email))
        return viewer
    viewer = default_reader(practice_id)
    if viewer is None:
        raise click.ClickException(_("Name the person the report is for with --as EMAIL."))
    return viewer


@click.command("export-note")
@click.argument("note_id", type=int)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--as", "as_email", help="Who exports: the practice owner or the note's clinician "
              "(required: the export is audited under this name).")
@in_operator_language
def export_note_command(note_id: int, out: str, as_email: str | None) -> None:
    """Write a signed session note to a PDF file (audited)."""
    if not as_email:
        raise click.ClickException(
            _("Name the exporting user with --as EMAIL (the practice owner or the note's clinician).")
        )
    user = find_by_email(as_email)
    try:
        if user is None:
            raise NotFound()
        data = export_note(user, note_id)
    except NotFound:
        raise click.ClickException(_("No note %(id)d that %(email)s may export.", id=note_id,
                                     email=as_email)) from None
    except DomainError as error:
        raise click.ClickException(error.message) from error
    with _private_file(out, binary=True) as handle:
        handle.write(data)
    click.echo(_("Wrote %(out)s (note %(id)d, %(size)s bytes).", out=out, id=note_id,
                 size=format_number(len(data))))


def _private_file(path: str, *, binary: bool):
    """Open a file for client material: readable and writable by this account only (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if binary:
        return os.fdopen(fd, "wb")
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


@click.command("seal-notes")
@in_operator_language
def seal_notes_command() -> None:
    """Seal (HMAC, NOTE_SEAL_KEYS) every signed note that has no keyed seal yet (after upgrading,
    with NOTE_SEALS_REQUIRED = False until it has run: otherwise a note whose seal was removed
    would be sealed again as it stands)."""
    if current_app.config.get("NOTE_SEALS_REQUIRED", True):
        click.echo(_("Every signed note must already carry a seal (NOTE_SEALS_REQUIRED). Set "
                     "NOTE_SEALS_REQUIRED = False only while upgrading notes signed before seals."),
                   err=True)
        raise SystemExit(2)
    sealed, refused = sealing.seal_existing_notes()
    click.echo(_("Sealed %(num)s signed notes.", num=format_number(len(sealed))))
    for note_id in refused:
        click.echo(_("Note %(id)d no longer matches its SHA-256 and was not sealed.", id=note_id), err=True)
    if refused:
        raise SystemExit(1)


@click.command("verify-notes")
@click.option("--practice-id", type=int, help="Only this practice's notes.")
@in_operator_language
def verify_notes_command(practice_id: int | None) -> None:
    """Check every signed note against its hashes and keyed seal; exit 1 if any fails."""
    results = sealing.verify_notes(practice_id)
    failed = [note_id for note_id, check in results if not check.ok]
    unsealed = [note_id for note_id, check in results if check.ok and not check.sealed]
    for note_id in failed:
        click.echo(_("Note %(id)d: NOT VERIFIED (changed, or an addendum removed).", id=note_id), err=True)
    click.echo(_("%(ok)s of %(all)s signed notes verified; %(unsealed)s without a keyed seal yet.",
                 ok=format_number(len(results) - len(failed)), all=format_number(len(results)),
                 unsealed=format_number(len(unsealed))))
    if failed:
        raise SystemExit(1)


def _report(run) -> None:
    """Run a backup step and say what it did, or fail with its reason."""
    try:
        outcome = run()
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    for line in outcome.lines:
        click.echo(line)


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@in_operator_language
def backup_command(out: Path) -> None:
    """Back up the database to OUT (0600; encrypted when BACKUP_KEY is set)."""
    config = current_app.config
    _report(lambda: backup.backup(config["SQLALCHEMY_DATABASE_URI"], out, key=config["BACKUP_KEY"]))


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@in_operator_language
def restore_command(source: Path) -> None:
    """Replace the database by the backup in SOURCE (stop the app and the worker first)."""
    config = current_app.config
    # The app's own pool must not count as "in use": this command's process holds no connection.
    db.engine.dispose()
    _report(lambda: backup.restore(config["SQLALCHEMY_DATABASE_URI"], source, key=config["BACKUP_KEY"]))


@click.command("check-db")
@in_operator_language
def check_db_command() -> None:
    """Run the database's integrity check."""
    db.engine.dispose()
    _report(lambda: backup.check(current_app.config["SQLALCHEMY_DATABASE_URI"]))
