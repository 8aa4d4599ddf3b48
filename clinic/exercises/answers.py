"""Read and check posted exercise answers, keeping everything the person typed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, Protocol

from flask_babel import gettext as _

from ..domain import SCALE_MAX, SCALE_MIN
from ..formkit import CONTROL_MESSAGE
from ..inputs import has_control, without_control
from .catalogue import Exercise, Field
from .picks import Options

PREFIX = "a-"
MAX_GROUPS = 50  # never read more repeated groups than this from a form, whatever is posted

_INT_RE = re.compile(r"^\d{1,3}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FormLike(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...


def input_name(field_key: str, index: int | None = None, sub_key: str | None = None) -> str:
    """HTML name: `a-<key>` (also every item of a list/ranked), `a-<key>-<i>-<sub>` in groups."""
    if index is None:
        return f"{PREFIX}{field_key}"
    return f"{PREFIX}{field_key}-{index}-{sub_key}"


def error_key(field_key: str, index: int, sub_key: str) -> str:
    """Key of an error about one subfield of one repeated group."""
    return f"{field_key}.{index}.{sub_key}"


def _clean(raw: Any) -> str:
    if raw is None:
        return ""
    text = without_control(str(raw)).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def _empty_value(field: Field) -> Any:
    if field.kind in ("list", "ranked", "repeated", "picks"):
        return []
    if field.kind == "scale":
        return None
    return ""


def _value_is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def empty_answers(exercise: Exercise) -> dict[str, Any]:
    """Answers for a blank form, in the shapes `parse_answers` returns."""
    return {f.key: _empty_value(f) for f in exercise.fields}


def is_empty(answers: Mapping[str, Any] | None) -> bool:
    """True when nothing at all has been filled in."""
    if not answers:
        return True
    return all(_value_is_empty(v) for v in answers.values())


def _too_long(limit: int, length: int) -> str:
    return _("Please keep this to %(limit)d characters or fewer — it is %(length)d at the moment.",
             limit=limit, length=length)


def _scale_message() -> str:
    return _("Please choose a number from %(low)d to %(high)d.", low=SCALE_MIN, high=SCALE_MAX)


def _parse_simple(field: Field, raw: Any, *, final: bool) -> tuple[Any, str | None]:
    """One value of a text, scale or date field: (value kept for re-display, error or None)."""
    text = _clean(raw)
    if field.kind in ("short_text", "long_text"):
        if field.limit is not None and len(text) > field.limit:
            return text, _too_long(field.limit, len(text))
        if final and field.required and not text:
            return text, _("Please write something here before you submit.")
        return text, None
    if field.kind == "scale":
        if not text:
            if final and field.required:
                return None, _scale_message()
            return None, None
        if _INT_RE.match(text) and SCALE_MIN <= int(text) <= SCALE_MAX:
            return int(text), None
        return text, _scale_message()
    if field.kind == "date":
        if not text:
            if final and field.required:
                return "", _("Please enter a date.")
            return "", None
        if _DATE_RE.match(text):
            try:
                return dt.date.fromisoformat(text).isoformat(), None
            except ValueError:
                pass
        return text, _("Please enter a real date, like 2025-03-14 (year, month, day).")
    raise ValueError(f"not a simple field kind: {field.kind!r}")


def _parse_items(field: Field, form: FormLike, *, final: bool) -> tuple[list[str], str | None]:
    items = [t for t in (_clean(v) for v in form.getlist(input_name(field.key))) if t]
    word = field.items_word
    if field.max_items is not None and len(items) > field.max_items:
        return items, _(
            "Please keep it to %(most)d %(word)s at most — you have %(count)d at the moment.",
            most=field.max_items, word=word, count=len(items),
        )
    limit = field.limit
    if limit is not None:
        for n, item in enumerate(items, start=1):
            if len(item) > limit:
                return items, _(
                    "Please keep each one to %(limit)d characters or fewer — number %(n)d is "
                    "%(length)d at the moment.", limit=limit, n=n, length=len(item),
                )
    if not final:
        return items, None
    if field.kind == "ranked":
        seen: set[str] = set()
        for item in items:
            if item.casefold() in seen:
                return items, _(
                    "“%(item)s” is in the list twice — please keep each one only once.", item=item
                )
            seen.add(item.casefold())
    minimum = field.min_items or (1 if field.required else 0)
    if len(items) < minimum:
        if minimum == 1:
            return items, _("Please add at least one before you submit.")
        return items, _("Please list at least %(least)d %(word)s — you have %(count)d so far.",
                        least=minimum, word=word, count=len(items))
    return items, None


def _group_indices(field: Field, form: FormLike) -> list[int]:
    """Indices of the groups posted for a repeated field, in order."""
    indices: set[int] = set()
    keys = getattr(form, "keys", None)
    if callable(keys):
        pattern = re.compile(
            rf"^{re.escape(input_name(field.key))}-(\d{{1,3}})-"
            rf"(?:{'|'.join(re.escape(s.key) for s in field.subfields)})$"
        )
        for name in keys():
            m = pattern.match(str(name))
            if m and int(m.group(1)) < MAX_GROUPS:
                indices.add(int(m.group(1)))
    else:  # a bare mapping without keys(): look where the template puts them
        upto = max(field.max_items or 0, field.min_items or 0, 1)
        indices.update(range(min(upto, MAX_GROUPS)))
    return sorted(indices)


def _parse_groups(
    field: Field, form: FormLike, *, final: bool, errors: dict[str, str]
) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    for i in _group_indices(field, form):
        parsed = {
            sub.key: _parse_simple(sub, form.get(input_name(field.key, i, sub.key)), final=False)
            for sub in field.subfields
        }
        if all(_value_is_empty(value) for value, _err in parsed.values()):
            continue  # a blank spare group
        position = len(groups)
        group: dict[str, Any] = {}
        for sub in field.subfields:
            value, problem = parsed[sub.key]
            if problem is None and final:
                value, problem = _parse_simple(sub, value, final=True)
            group[sub.key] = value
            if problem:
                errors[error_key(field.key, position, sub.key)] = problem
        groups.append(group)
    word = field.items_word
    if field.max_items is not None and len(groups) > field.max_items:
        errors[field.key] = _("Please keep it to %(most)d %(word)s at most — you have %(count)d.",
                              most=field.max_items, word=word, count=len(groups))
    elif final:
        minimum = field.min_items or (1 if field.required else 0)
        if len(groups) < minimum:
            errors[field.key] = (
                _("Please fill in at least one before you submit.")
                if minimum == 1
                else _("Please fill in at least %(least)d %(word)s — you have %(count)d so far.",
                       least=minimum, word=word, count=len(groups))
            )
    return groups


def _picked_message(field: Field, count: int) -> str | None:
    """A count of picks outside the field's bounds, said with the numbers (None when within)."""
    word = field.items_word
    if field.max_items is not None and count > field.max_items:
        return _("Please choose %(most)d %(word)s at most — you have chosen %(count)d.",
                 most=field.max_items, word=word, count=count)
    minimum = field.min_items or (1 if field.required else 0)
    if count < minimum:
        return _("Please choose at least %(least)d %(word)s — you have chosen %(count)d so far.",
                 least=minimum, word=word, count=count)
    return None


def parse_picks(
    field: Field, form: FormLike, options: Options, *, final: bool, errors: dict[str, str]
) -> tuple[list[dict[str, Any]], str | None]:
    """A picks field: the boxes ticked (`a-<key>`, an option's key each) and, under each offered
    option, its subfields (`a-<key>-<option key>-<sub>`). Returns one group per option ticked or
    written about ({"pick", "label", "picked", subfields...}: nothing typed is lost when a box is
    unticked), and the field's own problem. Subfield problems go into `errors` for picked ones."""
    offered = {o.key: o.label for o in options}
    posted = [_clean(v) for v in form.getlist(input_name(field.key))]
    ticked = list(dict.fromkeys(v for v in posted if v in offered))
    groups: list[dict[str, Any]] = []
    for key, label in offered.items():
        parsed = {sub.key: _parse_simple(sub, form.get(input_name(field.key, key, sub.key)), final=False)
                  for sub in field.subfields}
        picked = key in ticked
        if not picked and all(_value_is_empty(value) for value, _err in parsed.values()):
            continue
        group: dict[str, Any] = {"pick": key, "label": label, "picked": picked}
        for sub in field.subfields:
            value, problem = parsed[sub.key]
            if problem is None and final and picked:
                value, problem = _parse_simple(sub, value, final=True)
            group[sub.key] = value
            if problem:
                errors[error_key(field.key, key, sub.key)] = problem
        groups.append(group)
    if len(ticked) != len([v for v in posted if v]):
        return groups, _("Please choose only from the list shown here.")
    count_problem = _picked_message(field, len(ticked))
    too_many = field.max_items is not None and len(ticked) > field.max_items
    stood_in = field.or_field is not None and not ticked  # the other field may stand in (either_or)
    if count_problem and (final or too_many) and not stood_in:
        return groups, count_problem
    return groups, None


def picked_only(answers: dict[str, Any], exercise: Exercise) -> dict[str, Any]:
    """The answers as sent: a picks field keeps only the options ticked (what was written under
    an unticked one is dropped once the form is sent without problems)."""
    out = dict(answers)
    for field in exercise.fields:
        if field.kind == "picks":
            ticked = [g for g in out.get(field.key) or [] if g.get("picked")]
            out[field.key] = [{k: v for k, v in g.items() if k != "picked"} for g in ticked]
    return out


def either_or(exercise: Exercise, answers: dict[str, Any], errors: dict[str, str]) -> None:
    """A picks field with an `or_field`: at least one of the two is filled in when sending."""
    for field in exercise.fields:
        if field.kind != "picks" or field.or_field is None or field.key in errors:
            continue
        ticked = [g for g in answers.get(field.key) or [] if g.get("picked")]
        if not ticked and _value_is_empty(answers.get(field.or_field)):
            errors[field.key] = _("Please choose one from your list, or write your own below.")


def parse_answers(
    exercise: Exercise, form: FormLike, *, final: bool, options: Mapping[str, Options] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Read an exercise form. Returns (answers, errors); answers keep everything typed.

    With final=False (saving a draft) nothing is required and minimum counts are not checked;
    types, lengths and maximum counts always are. `options`: for each picks field, the choices
    this partner is offered (clinic.exercises.picks); anything else posted is refused.
    """
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    refused = _refused_names(form)
    for field in exercise.fields:
        if field.kind in ("list", "ranked"):
            value, problem = _parse_items(field, form, final=final)
        elif field.kind == "repeated":
            value, problem = _parse_groups(field, form, final=final, errors=errors), None
        elif field.kind == "picks":
            value, problem = parse_picks(field, form, (options or {}).get(field.key, ()), final=final,
                                         errors=errors)
        else:
            value, problem = _parse_simple(field, form.get(input_name(field.key)), final=final)
        answers[field.key] = value
        name = input_name(field.key)
        if any(n == name or n.startswith(f"{name}-") for n in refused):
            problem = str(CONTROL_MESSAGE)  # what else was typed is kept, the characters taken out
        if problem:
            errors[field.key] = problem
    if final:
        either_or(exercise, answers, errors)
        if not errors:
            answers = picked_only(answers, exercise)
    return answers, errors


def _refused_names(form: FormLike) -> set[str]:
    """The inputs that carried control characters: those the request boundary already took out
    (inputs.CheckedMultiDict.refused), and any still in a mapping handed in directly."""
    names = set(getattr(form, "refused", ()))
    keys = getattr(form, "keys", None)
    if callable(keys):
        names.update(
            str(key) for key in keys()
            if any(has_control(str(value)) for value in form.getlist(key))
        )
    return names
