"""The words of the domain (clinic.domain) have one home: the database refuses anything else, the
models hand back the enumeration's members, and no code compares one of these columns against a
string of its own."""

import ast
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from clinic.domain import (
    AssignmentStatus,
    Attendees,
    CoupleStatus,
    NoteStatus,
    Role,
    Source,
    Stage,
    SubmissionState,
)
from clinic.exercises import catalogue
from clinic.extensions import db

ROOT = Path(__file__).resolve().parent.parent
WATCHED = {  # attribute name -> the enumerations whose values it holds
    "role": [Role], "status": [CoupleStatus, AssignmentStatus, NoteStatus], "state": [SubmissionState],
    "source": [Source], "attendees": [Attendees],
}


def _enum_columns():
    for table in db.metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, sa.Enum) and column.type.enum_class is not None:
                yield table, column


def test_every_enum_column_refuses_a_word_outside_its_enumeration(app):
    columns = list(_enum_columns())
    assert {f"{t.name}.{c.name}" for t, c in columns} >= {
        "user.role", "couple.status", "partner.position", "couple_change.kind", "assignment.status",
        "submission.state", "exception_entry.source", "scale_placement.source",
        "exception_tag.category", "session_note.status", "session_note.attendees", "inbox_read.kind",
        "outbound_message.status", "account_token.purpose",
    }
    for table, column in columns:
        checks = [str(c.sqltext.compile(compile_kwargs={"literal_binds": True}))
                  for c in table.constraints
                  if isinstance(c, sa.CheckConstraint) and f"{column.name} IN (" in str(c.sqltext)]
        assert len(checks) == 1, f"{table.name}.{column.name} has no CHECK of its own"
        assert set(re.findall(r"'([^']*)'", checks[0])) == {m.value for m in column.type.enum_class}


def test_a_row_written_with_a_string_reads_back_as_the_member(app, make_practice, make_user):
    user = make_user(make_practice(), role="supervisor")
    db.session.expire_all()

    found = db.session.get(type(user), user.id)

    assert found.role is Role.SUPERVISOR
    assert found.is_supervisor and found.reads_reports and not found.sees_charts and not found.is_owner


def test_the_database_refuses_a_role_outside_the_enumeration(app, make_practice, make_user):
    user_id = make_user(make_practice(), role="owner").id
    db.session.commit()
    db.session.close()
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        conn.execute(sa.text('UPDATE "user" SET role = \'admin\' WHERE id = :id'), {"id": user_id})


def test_the_catalogue_has_one_file_per_stage_of_the_framework():
    assert [s.number for s in catalogue.stages()] == [int(s) for s in Stage]


def _string_comparisons(tree: ast.AST):
    """(line, attribute, word) for every `x.attr == "word"`, `!=`, `in ("word", ...)`, and every
    `x.attr = "word"` or `attr="word"` that writes one."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets = [t.attr for t in node.targets if isinstance(t, ast.Attribute)]
            yield from _spelled(node.lineno, set(targets), [node.value])
        elif isinstance(node, ast.keyword) and node.arg:
            yield from _spelled(node.value.lineno, {node.arg}, [node.value])
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        names = {s.attr for s in sides if isinstance(s, ast.Attribute)}
        words = [s.value for s in sides if isinstance(s, ast.Constant) and isinstance(s.value, str)]
        words += [e.value for s in sides if isinstance(s, ast.Tuple | ast.List | ast.Set)
                  for e in s.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        for name in names & WATCHED.keys():
            values = {m.value for enum in WATCHED[name] for m in enum}
            for word in words:
                if word in values:
                    yield node.lineno, name, word


def _spelled(line: int, names: set[str], sides: list[ast.AST]):
    words = [s.value for s in sides if isinstance(s, ast.Constant) and isinstance(s.value, str)]
    for name in names & WATCHED.keys():
        values = {m.value for enum in WATCHED[name] for m in enum}
        yield from ((line, name, word) for word in words if word in values)


def offences(source: str, where: str) -> list[str]:
    return [f"{where}:{line} compares .{name} with '{word}'"
            for line, name, word in _string_comparisons(ast.parse(source))]


def test_no_code_spells_a_domain_word_itself():
    found = []
    for path in sorted((ROOT / "clinic").rglob("*.py")):
        found += offences(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert found == []


def test_no_template_compares_a_role_with_a_string():
    pattern = re.compile(r"\.role\s*(==|!=|in)\s*\(?'")
    found = [
        str(path.relative_to(ROOT)) for path in sorted((ROOT / "templates").rglob("*.html"))
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.parametrize("source", [
    'if user.role == "owner": pass',
    'ok = note.status != "signed"',
    'ok = a.status in ("assigned", "started")',
    'q = sa.select(X).where(Couple.status == "active")',
    'assignment.status = "withdrawn"',
    'note = SessionNote(status="draft")',
])
def test_the_spelling_check_sees_a_string_comparison(source):
    assert offences(source, "bad.py")


def test_the_spelling_check_leaves_members_and_other_words_alone():
    assert offences('ok = user.role == Role.OWNER or request.blueprint == "portal"', "good.py") == []
