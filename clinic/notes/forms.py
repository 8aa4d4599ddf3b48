"""The note editor's form (shape only: lengths, ranges) and the addendum and sign forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..formkit import options
from .sections import SECTIONS


class NoteForm(FlaskForm):
    session_date = DateField("Session date", validators=[InputRequired("Give the day of the session.")])
    duration_minutes = IntegerField(
        "Length (minutes)", default=50,
        validators=[InputRequired("Give the length in minutes."), NumberRange(1, 600)],
    )
    attendees = SelectField("Who came", default="both")
    scale_A = IntegerField("Partner A", validators=[Optional(), NumberRange(1, 10)])
    scale_B = IntegerField("Partner B", validators=[Optional(), NumberRange(1, 10)])
    # Rendered by hand beside each quoted entry; the service checks the ids belong to the couple.
    keep = SelectMultipleField("Keep", coerce=int, validate_choice=False)

    def set_partners(self, partners: list[tuple[str, str]]) -> None:
        names = dict(partners)
        self.attendees.choices = options(
            [("both", "Both partners")] + [(pos, f"{name} only") for pos, name in partners]
        )
        self.scale_A.label.text = f"{names.get('A', 'Partner A')} (1 to 10)"
        self.scale_B.label.text = f"{names.get('B', 'Partner B')} (1 to 10)"

    def section_texts(self) -> dict[str, str]:
        return {s.key: self[s.key].data or "" for s in SECTIONS}

    def scale_today(self) -> dict[str, int]:
        return {pos: f.data for pos, f in (("A", self.scale_A), ("B", self.scale_B)) if f.data is not None}


for _section in SECTIONS:
    _kind = StringField if _section.short else TextAreaField
    _render = {"data-language": "off" if _section.short else "check"}
    if not _section.short:
        _render["rows"] = 5
    setattr(
        NoteForm, _section.key,
        _kind(
            _l(_section.title), description=_l(_section.prompt), render_kw=_render,
            validators=[Optional(), Length(max=_section.max_length)],
        ),
    )


class SignForm(FlaskForm):
    version = HiddenField()


class AddendumForm(FlaskForm):
    text = TextAreaField(
        "Addendum", validators=[InputRequired("Write the addendum first."), Length(max=20_000)],
        description="A correction or later thought. It is signed with your name and the time as "
        "soon as you add it, and cannot be changed afterwards.",
    )
