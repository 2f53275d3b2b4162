"""Typed payload fields: each event class declares its facts; `data` stays their wire form.

An event's `data` is what is stored, hashed and published (docs/events.md): JSON-native
values, dates as ISO strings, codes as their snake_case values. A `Field` declared on an
event class names one key of it with its type. Reading `event.listed_on` gives a `date`,
`event.list` a `ListName`; `Listed.data_of(listed_on=date(...), list=ListName.BLACK, ...)`
builds the wire dict, refusing a missing, unknown or mistyped field. The dict it builds is the
one the untyped code built (same keys, same values), so new events hash as before and stored
events read as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Any, ClassVar, Generic, TypeVar, overload

T = TypeVar("T")


class _Never:
    """No value's type: a field whose values always go through its writer."""


class Field(Generic[T]):
    """One key of an event's data, with its type.

    `optional`: may be None (stored as null). `omit_none`: a None is left out of the data
    rather than stored as null (keys that older events do not have). `default`: what reading
    gives when the key is absent or null.
    """

    def __init__(self, kind: type[T], *, optional: bool = False, omit_none: bool = False,
                 default: Any = None) -> None:
        self.kind, self.optional, self.omit_none = kind, optional or omit_none, omit_none
        self.default = default
        self.name = ""
        # Read as stored unless a date or a code; JSON gives str, bool, int, list as they are.
        self.plain = kind is not date and not issubclass(kind, Enum)
        self.same: type = kind if self.plain and kind not in (int, bool) else _Never
        self.write = _writer(kind, self)

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        own = owner.__dict__.get("FIELDS")
        if own is None:  # each class lists its own fields after its bases'
            own = dict(getattr(owner, "FIELDS", {}))
            owner.FIELDS = own  # type: ignore[attr-defined]
        own[name] = self

    @overload
    def __get__(self, event: None, owner: type) -> Field[T]: ...
    @overload
    def __get__(self, event: object, owner: type) -> T: ...
    def __get__(self, event: object | None, owner: type) -> Field[T] | T:
        if event is None:
            return self
        raw = event.data.get(self.name)  # type: ignore[attr-defined]
        if raw is None:
            return self.default
        return raw if self.plain else self.read(raw)

    def read(self, raw: Any) -> T:
        kind: Any = self.kind
        if kind is date:
            return date.fromisoformat(raw)  # type: ignore[return-value]
        return kind(raw)


def _writer(kind: type, field: Field[Any]) -> Callable[[Any], Any]:
    """The function that turns a typed value into its wire form, refusing another type."""
    def wrong(value: Any) -> TypeError:
        return TypeError(f"{field.name} must be {kind.__name__}, got {type(value).__name__}")

    if kind is date:
        def write_date(value: Any) -> Any:
            if type(value) is not date:
                raise wrong(value)
            return value.isoformat()
        return write_date
    if issubclass(kind, Enum):
        codes = frozenset(member.value for member in kind)

        def write_code(value: Any) -> Any:  # a member, or a code that names one
            if value not in codes:
                raise ValueError(f"{field.name}: {value!r} is not a {kind.__name__}")
            return str(value)  # a StrEnum member gives its code
        return write_code

    def write_plain(value: Any) -> Any:
        if type(value) is kind:
            return value
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return value
        raise wrong(value)
    return write_plain


class Payload:
    """Mixed into event classes: the declared fields, and building `data` from them."""

    FIELDS: ClassVar[dict[str, Field[Any]]] = {}

    @classmethod
    def data_of(cls, extra: dict[str, Any] | None = None, **values: Any) -> dict[str, Any]:
        """The wire dict of these typed values (plus `extra`, free-form descriptive keys)."""
        data: dict[str, Any] = dict(extra) if extra else {}
        found = 0
        for name, spec in cls.FIELDS.items():
            value = values.get(name)
            if value is not None:
                found += 1
                # The common cases inline (a str for a str, a date): a tenth of an import's CPU.
                if type(value) is spec.same:
                    data[name] = value
                elif type(value) is date and spec.kind is date:
                    data[name] = value.isoformat()
                else:
                    data[name] = spec.write(value)
                continue
            if name in values:
                found += 1
                if not spec.optional:
                    raise TypeError(f"{cls.__name__}.{name} may not be None")
            elif not spec.optional:
                raise TypeError(f"{cls.__name__} needs {name}")
            if not spec.omit_none:
                data[name] = None
        if found != len(values):
            unknown = sorted(values.keys() - cls.FIELDS.keys())
            raise TypeError(f"{cls.__name__} has no field {', '.join(unknown)}")
        return data
