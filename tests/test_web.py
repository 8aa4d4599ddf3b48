"""The helpers every staff view shares: a domain error lands beside its field, else in a flash."""

from pathlib import Path

from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField

from clinic import web
from clinic.errors import DomainError


class _Form(FlaskForm):
    email = StringField()
    scale_A = IntegerField()


def _shown(app, error: DomainError, **options) -> tuple[dict, list]:
    with app.test_request_context("/", method="POST", data={"email": "typed@example.org"}):
        form = _Form()
        form.validate()
        web.field_error(form, error, **options)
        return ({name: list(field.errors) for name, field in form._fields.items() if field.errors},
                get_flashed_messages(with_categories=True))


def test_the_named_field_gets_the_message_and_keeps_what_was_typed(app):
    with app.test_request_context("/", method="POST", data={"email": "typed@example.org"}):
        form = _Form()
        web.field_error(form, DomainError("Taken.", field="email"))

        assert form.email.errors == ["Taken."] and form.email.data == "typed@example.org"


def test_a_service_word_maps_to_the_form_field(app):
    error = DomainError("Use 1 to 10.", field="scale_today")

    assert _shown(app, error, names={"scale_today": "scale_A"}) == ({"scale_A": ["Use 1 to 10."]}, [])


def test_an_unnamed_or_unknown_field_falls_back_to_the_default(app):
    assert _shown(app, DomainError("No.", field=None), default="email") == ({"email": ["No."]}, [])
    assert _shown(app, DomainError("No.", field="nope"), default="email") == ({"email": ["No."]}, [])


def test_without_such_a_field_the_message_is_flashed(app):
    assert _shown(app, DomainError("Locked.", field="nope")) == ({}, [("error", "Locked.")])
    assert _shown(app, DomainError("Locked."), default="absent") == ({}, [("error", "Locked.")])


def test_a_file_response_is_an_uncached_attachment(app):
    with app.test_request_context("/"):
        response = web.file_response(b"%PDF-", filename="note-1.pdf", mimetype="application/pdf")

    assert response.headers["Content-Disposition"] == 'attachment; filename="note-1.pdf"'
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"


def test_every_list_pages_through_the_one_macro():
    templates = Path(__file__).resolve().parent.parent / "templates"
    copied = [
        str(path.relative_to(templates)) for path in templates.rglob("*.html")
        if 'class="pagination"' in path.read_text(encoding="utf-8")
    ]

    assert copied == ["macros/ui.html"]
