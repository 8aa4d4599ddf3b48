"""The forms of an HTML page as a browser sees them: each form's action and its fields (name,
kind and value), read with the standard library's parser (what the page shows, unescaped)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Inputs a person types text into (an <input> without a type is a text input).
TYPED = {"text", "search", "email", "tel", "url", "textarea"}


@dataclass
class Field:
    name: str
    kind: str  # the input's type, "textarea" or "select"
    value: str


@dataclass
class Form:
    action: str | None
    method: str = "get"
    fields: list[Field] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.loose = Form(action=None)  # fields outside any <form> (form="..." attributes)
        self._form: Form | None = None
        self._textarea: Field | None = None

    def _add(self, item: Field) -> None:
        (self._form or self.loose).fields.append(item)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = Form(action=a.get("action") or "", method=(a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif tag == "input" and a.get("name"):
            self._add(Field(a["name"], (a.get("type") or "text").lower(), a.get("value") or ""))
        elif tag == "textarea":
            self._textarea = Field(a.get("name") or "", "textarea", "")
            self._add(self._textarea)
        elif tag == "select" and a.get("name"):
            self._add(Field(a["name"], "select", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            # Like a browser: the newline right after <textarea> is not part of the value.
            value = self._textarea.value
            self._textarea.value = value[2:] if value.startswith("\r\n") else (
                value[1:] if value.startswith("\n") else value)
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data


def forms(page: str) -> list[Form]:
    """Every form of `page`, and a last one (action None) of the fields outside any form."""
    reader = _Reader()
    reader.feed(page)
    reader.close()
    return [*reader.forms, reader.loose]


def fields(page: str) -> list[Field]:
    return [item for form in forms(page) for item in form.fields]
