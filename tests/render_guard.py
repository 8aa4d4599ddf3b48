"""Under test a template can never query: SQL run while a template renders raises.

Templates format what the view passed (DESIGN.md). A relationship loaded lazily, an attribute
expired by a commit or a filter that looks something up would run SQL in the middle of rendering;
under test that fails the request, naming the template and the statement, so that the service
loads what the page shows (selectinload, joinedload) or hands over plain data.
"""

from contextvars import ContextVar

import jinja2
import sqlalchemy as sa
from flask import Flask

_rendering: ContextVar[str | None] = ContextVar("clinic_test_rendering", default=None)


class TemplateQueried(RuntimeError):
    """A template ran SQL while rendering."""


class _NoQueryTemplate(jinja2.Template):
    """A template that marks the time it renders (includes and parents render inside it)."""

    def render(self, *args, **kwargs):
        token = _rendering.set(self.name or "<string>")
        try:
            return super().render(*args, **kwargs)
        finally:
            _rendering.reset(token)


def _refuse_sql_while_rendering(_conn, _cursor, statement, *_args) -> None:
    template = _rendering.get()
    # SQLite's BEGIN IMMEDIATE comes first: let it pass, so that the message names the query.
    if template is not None and not statement.startswith("BEGIN"):
        raise TemplateQueried(
            f"{template} ran SQL while rendering; load it in the service or pass plain data:\n"
            f"{statement}"
        )


sa.event.listen(sa.engine.Engine, "before_cursor_execute", _refuse_sql_while_rendering)


def templates_never_query(app: Flask) -> None:
    """Make `app`'s templates refuse SQL; call it before the app renders anything."""
    assert not app.jinja_env.cache, "templates were loaded before the guard"
    app.jinja_env.template_class = _NoQueryTemplate
