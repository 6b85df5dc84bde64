"""Structuring functions generated once per model, for the hot path of listings.

cattrs' generated function gathers the fields in a dict and calls the class with
`**kwargs`, and wraps each optional field's hook in a second call for None. For
the API's flat models, where every optional field defaults to None, this writes
functions that read each key, convert it (inline for strings and known enum
values, else with the field's own cattrs hook) and set the slot directly,
skipping the dict, the keyword parsing and the None wrapper. A list page gets
one function with the loop inside, so an item costs no call of its own. The
instances are the same as `__init__` would make (the models have no validators
or converters). Anything else about the data (a missing key, a wrong type)
raises, and the caller re-decodes with detailed validation to say what was
wrong.
"""

from __future__ import annotations

import enum
import linecache
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import cattrs

ItemsFn = Callable[[Sequence[Any], Sequence[object]], list[Any]]


def _without_none(tp: Any) -> tuple[Any, bool]:
    """(*tp* without None, whether it admitted None)."""
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        args = typing.get_args(tp)
        if type(None) in args:
            rest = tuple(a for a in args if a is not type(None))
            return (rest[0] if len(rest) == 1 else typing.Union[rest]), True  # noqa: UP007
    return tp, False


def enum_or_str(tp: object) -> type[enum.Enum] | None:
    """The enum of a `SomeEnum | str` union (optionally `| None`), else None."""
    if not isinstance(tp, types.UnionType) and typing.get_origin(tp) is not typing.Union:
        return None
    args = set(typing.get_args(tp)) - {type(None)}
    if len(args) != 2 or str not in args:  # noqa: PLR2004
        return None
    (other,) = args - {str}
    if isinstance(other, type) and issubclass(other, enum.Enum):
        return other
    return None


def supports(cls: Any) -> bool:
    """Whether *cls* is an attrs class whose every optional field defaults to None."""
    if not (isinstance(cls, type) and attrs.has(cls)):
        return False
    hints = typing.get_type_hints(cls)
    for field in attrs.fields(cls):
        if field.default is attrs.NOTHING:
            continue
        admits_none = _without_none(hints[field.name])[1] or hints[field.name] is object
        if field.default is not None or not admits_none:
            return False
    return True


class _Source:
    """The text and the names of one generated function."""

    def __init__(self, cls: type, converter: cattrs.Converter) -> None:
        self.cls = cls
        self.converter = converter
        self.hints = typing.get_type_hints(cls)
        self.names: dict[str, Any] = {"__new": object.__new__, "__cls": cls}
        self.lines: list[str] = []

    def value(self, index: int, field: attrs.Attribute[Any]) -> str:
        """The expression converting `v`, the wire value of *field*."""
        inner, _ = _without_none(self.hints[field.name])
        self.names[f"__h{index}"] = self.converter.get_structure_hook(inner)
        self.names[f"__t{index}"] = inner
        self.names[f"__s{index}"] = getattr(self.cls, field.name).__set__
        hook = f"__h{index}(v, __t{index})"
        members = enum_or_str(inner)
        if inner is str:
            # Most fields are strings already, and ids sent as numbers are plain
            # ints (a bool is not: its class is bool): skip the hook call for them.
            value = f"v if v.__class__ is str else (str(v) if v.__class__ is int else {hook})"
        elif members is not None:
            # A known value is a dict look-up; the hook handles the rest (members
            # are truthy: their values are not empty).
            self.names[f"__m{index}"] = {m.value: m for m in members}
            value = f"__m{index}.get(v) or {hook}"
        else:
            value = hook
        if field.default is not attrs.NOTHING:
            value = f"None if v is None else ({value})"
        return value

    def read(self, index: int, field: attrs.Attribute[Any], indent: str) -> None:
        """Lines reading *field* from the dict `o` and setting it on `obj`."""
        value = self.value(index, field)
        if field.default is attrs.NOTHING:
            self.lines.append(f"{indent}v = o[{field.name!r}]")
        else:
            self.lines.append(f"{indent}v = get({field.name!r})")
        self.lines.append(f"{indent}__s{index}(obj, {value})")

    def compile(self, function: str, label: str) -> Callable[..., Any]:
        source = "\n".join(self.lines) + "\n"
        filename = f"<vapay generated {label} {self.cls.__qualname__}>"
        # Registered so tracebacks through it show the generated lines.
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), self.names)  # noqa: S102 - our own template
        return typing.cast("Callable[..., Any]", self.names[function])


def make_structure_fn(cls: type, converter: cattrs.Converter) -> Callable[..., Any]:
    """The generated structuring function of one *cls* object (see `supports`)."""
    source = _Source(cls, converter)
    source.lines += ["def structure(o, _=None):", "    get = o.get", "    obj = __new(__cls)"]
    for index, field in enumerate(attrs.fields(cls)):
        source.read(index, field, "    ")
    source.lines.append("    return obj")
    return source.compile("structure", "structure")


def make_items_fn(cls: type, converter: cattrs.Converter, fixed: Sequence[str]) -> ItemsFn:
    """The generated function structuring a list of *cls* objects (see `supports`).

    It takes the list and the values of the fields named in *fixed*, which every
    item gets instead of what it carries (the account a listing was asked for);
    they are converted once, not per item.
    """
    if not supports(cls):
        raise TypeError(f"{cls.__name__} has optional fields that do not default to None")
    source = _Source(cls, converter)
    fields = attrs.fields(cls)
    by_name = {field.name: index for index, field in enumerate(fields)}
    unknown = [name for name in fixed if name not in by_name]
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {unknown[0]!r}")
    source.lines.append("def structure_items(data, fixed):")
    for position, name in enumerate(fixed):
        index = by_name[name]
        value = source.value(index, fields[index])
        source.lines += [f"    v = fixed[{position}]", f"    f{index} = {value}"]
    source.lines += ["    out = []", "    append = out.append", "    for o in data:"]
    source.lines += ["        get = o.get", "        obj = __new(__cls)"]
    for index, field in enumerate(fields):
        if field.name in fixed:
            source.lines.append(f"        __s{index}(obj, f{index})")
        else:
            source.read(index, field, "        ")
    source.lines += ["        append(obj)", "    return out"]
    return typing.cast("ItemsFn", source.compile("structure_items", "list structure"))
