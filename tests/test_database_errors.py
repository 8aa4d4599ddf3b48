"""A failed statement: the error page still renders (the transaction rolled back first), and
nothing anyone typed reaches the log."""

import logging

import pytest
import sqlalchemy as sa

from clinic.extensions import db
from clinic.logs import HideDatabaseValues, quiet_database_error

CANARY = "Canary-Chen-Jing-7f3a"


def _failing_view():
    """A statement that fails quoting its value on PostgreSQL (an integer cast) and, on SQLite,
    with the value among its bound parameters; what the page showed before is expired first, as
    a service's commit would leave it."""
    db.session.expire_all()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT CAST(:v AS integer)"), {"v": CANARY})
    else:
        db.session.execute(sa.text("SELECT :v FROM no_such_table"), {"v": CANARY})
    return "unreachable"


@pytest.mark.config(PROPAGATE_EXCEPTIONS=False)
def test_after_a_failed_statement_the_error_page_renders_and_the_log_holds_no_value(
    app, make_user, signed_in, caplog
):
    app.add_url_rule("/test-failing-statement", "failing", _failing_view)
    clinician = make_user(name="Dr Canary Owner")
    browser = signed_in(clinician)

    with caplog.at_level(logging.ERROR):
        response = browser.get("/test-failing-statement")

    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in text
    assert "Dr Canary Owner" in text  # the signed-in page, rendered after the rollback
    assert "Exception on /test-failing-statement" in caplog.text
    assert "DatabaseError" in caplog.text and "SELECT" in caplog.text
    assert CANARY not in caplog.text
    # The next request on the same connection pool works.
    assert browser.get("/couples/").status_code == 200


def test_the_engine_hides_bound_parameters(app):
    assert db.engine.hide_parameters is True


def test_a_database_error_in_a_log_record_keeps_its_kind_not_its_values(app):
    try:
        db.session.execute(sa.text("SELECT :v FROM no_such_table"), {"v": CANARY})
    except sa.exc.DBAPIError as error:
        caught = error
    db.session.rollback()
    record = logging.LogRecord(
        "clinic.jobs", logging.ERROR, __file__, 1, "job failed: %s", (caught,), (type(caught), caught, None),
    )

    HideDatabaseValues().filter(record)

    formatted = logging.Formatter().format(record)
    assert CANARY not in formatted and "no_such_table" in formatted
    assert quiet_database_error(ValueError("plain")).args == ("plain",)
