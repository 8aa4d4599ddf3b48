"""`flask` commands: thin wrappers over services."""

import os
import sys

import click
from flask import Flask, current_app
from werkzeug.exceptions import NotFound

from . import demo
from .auth.services import NewUser, create_user, find_by_email
from .errors import DomainError
from .notes.services import export_note
from .pdf import pdf_support_problems
from .practice.services import create_practice, get_practice
from .reports import export
from .reports.report import ReportRequest
from .reports.supervision import default_reader


def register(app: Flask) -> None:
    app.cli.add_command(create_practice_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(check_pdf_command)
    app.cli.add_command(export_note_command)
    app.cli.add_command(supervision_report_command)


@click.command("create-practice")
@click.argument("name")
def create_practice_command(name: str) -> None:
    """Create a practice and print its id."""
    practice = create_practice(name, require_two_factor=True)
    click.echo(f"Created practice {practice.id}: {practice.name}")
    click.echo("Every member signs in with a second factor (an authenticator app); the owner can "
               "change this under Practice settings.")


@click.command("create-user")
@click.option("--practice-id", type=int, required=True)
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role", type=click.Choice(["owner", "clinician", "supervisor"]), default="clinician"
)
@click.password_option("--password", help="Prompted for (never echoed) when left out.")
def create_user_command(practice_id: int, email: str, name: str, role: str, password: str) -> None:
    """Add an account to a practice."""
    try:
        get_practice(practice_id)
    except NotFound as error:
        raise click.ClickException(f"No practice with id {practice_id}.") from error
    try:
        # Somebody else chose this password: the person replaces it at first sign-in.
        user = create_user(practice_id, NewUser(
            email=email, name=name, role=role, password=password, must_change_password=True,
        ))
    except DomainError as error:
        raise click.ClickException(f"{error.field or 'error'}: {error.message}") from error
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Create (or refresh) the demo practice and print its sign-in details."""
    if not (current_app.config["DEVELOPMENT"] or current_app.config["TESTING"] or current_app.debug):
        raise click.ClickException(
            "seed-demo only runs on a development installation (CLINIC_DEVELOPMENT=true); "
            "it must never touch a production database."
        )
    logins = demo.seed()
    click.echo("")
    click.echo("Demo practice ready. Sign in at " + current_app.config["BASE_URL"] + " with:")
    for login in logins:
        click.echo(f"  {login.role:<11} {login.email:<32} {login.password}")
    click.echo("(These passwords are new each time the demo is seeded.)")


@click.command("check-pdf")
def check_pdf_command() -> None:
    """Say whether the system packages PDFs need (Pango, fonts) are installed."""
    problems = pdf_support_problems()
    for problem in problems:
        click.echo(f"PDF export: {problem}", err=True)
    if not problems:
        click.echo("PDF export: ready (WeasyPrint, Pango and Latin/CJK fonts found).")


@click.command("supervision-report")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), required=True)
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), required=True)
@click.option("--clinician", "clinician_email", help="Only this clinician's caseload.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "csv"]), required=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--identified", is_flag=True, help="Include names (audited).")
@click.option("--as", "as_email", help="The owner or supervisor the report is made for "
              "(default: the practice's first active owner).")
def supervision_report_command(since, until, clinician_email, fmt, out, identified, as_email) -> None:
    """Write a supervision report (de-identified unless --identified) to a PDF or CSV file."""
    clinician = find_by_email(clinician_email) if clinician_email else None
    viewer = _report_viewer(as_email, clinician.practice_id if clinician else None)
    if clinician_email and (clinician is None or clinician.practice_id != viewer.practice_id):
        raise click.ClickException(f"No clinician {clinician_email} in this practice.")
    request = ReportRequest(since.date(), until.date(), clinician.id if clinician else None, identified)
    try:
        file = export.report_file(viewer, request, fmt)
    except NotFound:
        raise click.ClickException(f"{viewer.email} may not read {clinician_email}'s reports.") from None
    except DomainError as error:
        raise click.ClickException(error.message) from error
    with click.progressbar(length=file.couples, label="Couples", file=sys.stderr) as bar:
        content = file.content(each_row=lambda: bar.update(1))
        with _private_file(out, binary=isinstance(content, bytes)) as handle:
            if isinstance(content, bytes):
                handle.write(content)
            else:
                handle.writelines(content)
    click.echo(
        f"Wrote {out} ({file.couples} couples, {'identified' if identified else 'de-identified'})."
    )


def _report_viewer(as_email: str | None, practice_id: int | None):
    if as_email:
        viewer = find_by_email(as_email)
        if viewer is None or viewer.role not in ("owner", "supervisor"):
            raise click.ClickException(f"{as_email} is not an owner or supervisor.")
        return viewer
    viewer = default_reader(practice_id)
    if viewer is None:
        raise click.ClickException("Name the person the report is for with --as EMAIL.")
    return viewer


@click.command("export-note")
@click.argument("note_id", type=int)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--as", "as_email", help="Who exports: the practice owner or the note's clinician "
              "(required: the export is audited under this name).")
def export_note_command(note_id: int, out: str, as_email: str | None) -> None:
    """Write a signed session note to a PDF file (audited)."""
    if not as_email:
        raise click.ClickException(
            "Name the exporting user with --as EMAIL (the practice owner or the note's clinician)."
        )
    user = find_by_email(as_email)
    try:
        if user is None:
            raise NotFound()
        data = export_note(user, note_id)
    except NotFound:
        raise click.ClickException(f"No note {note_id} that {as_email} may export.") from None
    except DomainError as error:
        raise click.ClickException(error.message) from error
    with _private_file(out, binary=True) as handle:
        handle.write(data)
    click.echo(f"Wrote {out} (note {note_id}, {len(data):,} bytes).")


def _private_file(path: str, *, binary: bool):
    """Open a file for client material: readable and writable by this account only (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if binary:
        return os.fdopen(fd, "wb")
    return os.fdopen(fd, "w", encoding="utf-8", newline="")
