"""`flask` commands: thin wrappers over services."""

import click
from flask import Flask, current_app

from .errors import DomainError


def register(app: Flask) -> None:
    app.cli.add_command(create_practice_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(check_pdf_command)


@click.command("create-practice")
@click.argument("name")
def create_practice_command(name: str) -> None:
    """Create a practice and print its id."""
    from .practice.services import create_practice

    practice = create_practice(name)
    click.echo(f"Created practice {practice.id}: {practice.name}")


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
    from .auth.services import NewUser, create_user
    from .practice.services import get_practice

    get_practice(practice_id)
    try:
        user = create_user(practice_id, NewUser(email=email, name=name, role=role, password=password))
    except DomainError as error:
        raise click.ClickException(f"{error.field or 'error'}: {error.message}") from error
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Create (or refresh) the demo practice and print its sign-in details."""
    from . import demo

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
    from .pdf import pdf_support_problems

    problems = pdf_support_problems()
    for problem in problems:
        click.echo(f"PDF export: {problem}", err=True)
    if not problems:
        click.echo("PDF export: ready (WeasyPrint, Pango and Latin/CJK fonts found).")
