"""The note editor's form (shape only: lengths, ranges) and the addendum and sign forms."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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

from ..formkit import ClinicForm, options
from .sections import SECTIONS


class NoteForm(ClinicForm):
    session_date = DateField(
        _l("Session date"), validators=[InputRequired(_l("Give the day of the session."))]
    )
    duration_minutes = IntegerField(
        _l("Length (minutes)"), default=50,
        validators=[InputRequired(_l("Give the length in minutes.")), NumberRange(1, 600)],
    )
    attendees = SelectField(_l("Who came"), default="both")
    scale_A = IntegerField(_l("Partner A"), validators=[Optional(), NumberRange(1, 10)])
    scale_B = IntegerField(_l("Partner B"), validators=[Optional(), NumberRange(1, 10)])
    # Rendered by hand beside each quoted entry; the service checks the ids belong to the couple.
    keep = SelectMultipleField(_l("Keep"), coerce=int, validate_choice=False)

    def set_partners(self, partners: list[tuple[str, str]]) -> None:
        names = dict(partners)
        self.attendees.choices = options(
            [("both", _("Both partners"))] + [(pos, _("%(name)s only", name=name)) for pos, name in partners]
        )
        self.scale_A.label.text = _("%(name)s (1 to 10)", name=names.get("A") or _("Partner A"))
        self.scale_B.label.text = _("%(name)s (1 to 10)", name=names.get("B") or _("Partner B"))

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


class SignForm(ClinicForm):
    version = HiddenField()


class AddendumForm(ClinicForm):
    text = TextAreaField(
        _l("Addendum"), validators=[InputRequired(_l("Write the addendum first.")), Length(max=20_000)],
        description=_l("A correction or later thought. It is signed with your name and the time as "
                       "soon as you add it, and cannot be changed afterwards."),
    )
