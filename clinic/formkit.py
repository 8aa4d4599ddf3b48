"""What every form shares: the input boundary's messages (ClinicForm), and select options."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    FieldList,
    FloatField,
    FormField,
    HiddenField,
    IntegerField,
    SelectFieldBase,
)
from wtforms.fields.choices import SelectChoice

from .inputs import DATE_MAX, DATE_MIN, INT_MAX, INT_MIN, finite_number

CONTROL_MESSAGE = _l(
    "This had invisible control characters (such as a NUL byte) that cannot be stored. They have "
    "been taken out; check the text and send it again."
)
NUMBER_MESSAGE = _l("Please enter a smaller number.")


def options(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _number_fits(value: object) -> bool:
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return INT_MIN <= value <= INT_MAX
    if isinstance(value, float):
        return finite_number(value)
    if isinstance(value, Decimal):
        return value.is_finite() and abs(value) <= INT_MAX
    if isinstance(value, list | tuple):
        return all(_number_fits(item) for item in value)
    return True


def _date_fits(value: object) -> bool:
    return not isinstance(value, date) or DATE_MIN <= value <= DATE_MAX


class ClinicForm(FlaskForm):
    """The base of every form: beside each field, what the input boundary refused.

    A field that carried control characters shows them taken out and says so (nothing else of
    what was typed is lost); a number beyond the database's integers, infinity or NaN, and a date
    outside DATE_MIN..DATE_MAX are refused with a message instead of failing in the database.
    """

    def validate(self, extra_validators=None) -> bool:
        # Numbers first: WTForms' own NumberRange fails on an integer too large for a float.
        too_large = [f for f in _leaves(self) if _numeric(f) and not _number_fits(f.data)]
        for field in too_large:
            field.data = None  # what was typed stays in raw_data, which the page shows again
        valid = super().validate(extra_validators)
        refused = request.refused_inputs if hasattr(request, "refused_inputs") else set()
        for field in _leaves(self):
            message = _boundary_message(field, refused, field in too_large)
            if message is not None:
                field.errors = [message]
                valid = False
        return valid


def _numeric(field) -> bool:
    return isinstance(field, IntegerField | FloatField | DecimalField | SelectFieldBase)


def _boundary_message(field, refused: set[str], too_large: bool):
    # A hidden field (a key, a token) is cleaned without a word: nobody could act on one.
    if field.name in refused and not isinstance(field, HiddenField):
        return CONTROL_MESSAGE
    if too_large:
        return NUMBER_MESSAGE
    if isinstance(field, DateField) and not _date_fits(field.data):
        return _("Please enter a date between the years %(first)d and %(last)d.",
                 first=DATE_MIN.year, last=DATE_MAX.year)
    return None


def _leaves(form):
    """Every field of `form`, those of its sub-forms and lists included."""
    for field in form:
        if isinstance(field, FormField):
            yield from _leaves(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from (_leaves(entry.form) if isinstance(entry, FormField) else (entry,))
        else:
            yield field
