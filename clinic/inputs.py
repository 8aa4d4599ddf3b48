"""The input boundary: what a request may carry into the app, checked once for every route.

Text: every query-string and form value has its control characters (NUL and the rest of Unicode's
Cc category, tab and newline aside) taken out before any view sees it, and the names of the
fields that carried them are kept on the request, so that a form can say so beside the field
(formkit.ClinicForm, exercises.answers) while showing the rest of what was typed. Nothing with
a NUL can reach PostgreSQL, which refuses it.

Numbers: ids in routes (the `int` converter), page numbers and other numbers in query strings
(`bounded_int`) and form numbers (formkit.ClinicForm) stay within a 32-bit signed integer, the
widest column they are compared with; a larger one is a 404 or a field message, never an overflow in
the driver.
"""

import math
import re
from datetime import date

from flask import Request as FlaskRequest
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# Dates the app accepts in any form or filter: wide for any therapy record, narrow enough that
# a day or a week added to either end stays a real date everywhere.
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2199, 12, 31)
# Unicode's Cc category: C0 controls except tab, newline and carriage return; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None


def without_control(text: str) -> str:
    """`text` with its control characters (tab, newline and carriage return aside) removed."""
    return _CONTROL.sub("", text)


def bounded_int(value: object) -> int:
    """A whole number that fits the database's integer columns; ValueError otherwise.

    For `request.args.get("page", 1, type=bounded_int)`: an out-of-range value falls back to the
    default like any other unreadable one.
    """
    number = int(str(value).strip())
    if not INT_MIN <= number <= INT_MAX:
        raise ValueError("out of range")
    return number


def finite_number(value: float | None) -> bool:
    return value is None or (math.isfinite(value) and abs(value) <= INT_MAX)


class BoundedIntConverter(IntegerConverter):
    """`<int:id>` in routes, at most INT_MAX unless a rule says otherwise: a larger id is a 404."""

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = None, signed: bool = False):
        super().__init__(url_map, fixed_digits, min, INT_MAX if max is None else max, signed)


class CheckedMultiDict(ImmutableMultiDict):
    """Query-string or form values after the boundary; `refused` names the fields it cleaned."""

    refused: frozenset[str] = frozenset()


def _cleaned(values: ImmutableMultiDict) -> tuple[ImmutableMultiDict, set[str]]:
    refused: set[str] = set()
    items, changed = [], False
    for key, value in values.items(multi=True):
        name = without_control(key)
        if isinstance(value, str) and has_control(value):
            refused.add(name)
            value = without_control(value)
        changed = changed or name != key or name in refused
        items.append((name, value))
    if not changed:
        return values, refused
    checked = CheckedMultiDict(items)
    checked.refused = frozenset(refused)
    return checked, refused


class Request(FlaskRequest):
    """Flask's request, with control characters taken out of query strings and form values.

    `refused_inputs` names the fields (query string and form alike) that carried any.
    """

    @property
    def refused_inputs(self) -> set[str]:
        self.args  # noqa: B018 - both are cleaned (and their refusals noted) when first read
        self._load_form_data()
        return self.__dict__.get("_refused", set())

    def _note_refused(self, names: set[str]) -> None:
        self.__dict__.setdefault("_refused", set()).update(names)

    @cached_property
    def args(self) -> ImmutableMultiDict:
        values, refused = _cleaned(FlaskRequest.args.fget(self))
        self._note_refused(refused)
        return values

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        super()._load_form_data()
        form, refused = _cleaned(self.__dict__["form"])
        self.__dict__["form"] = form
        self._note_refused(refused)
