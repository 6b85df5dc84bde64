"""Structuring functions generated once per model, for the hot path of listings.

cattrs' generated function gathers the fields in a dict and calls the class with
`**kwargs`, and wraps each optional field's hook in a second call for None. For
the API's flat models, where every optional field defaults to None, this writes
one function per class that reads each key, calls the field's own cattrs hook
and sets the slot directly, skipping the dict, the keyword parsing and the
None wrapper. The instance is the same as `__init__` would make (the models have
no validators or converters). Anything else about the data (a missing key, a
wrong type) raises, and the caller re-decodes with detailed validation to say
what was wrong.
"""

from __future__ import annotations

import linecache
import types
import typing
from collections.abc import Callable
from typing import Any

import attrs
import cattrs


def _without_none(tp: Any) -> tuple[Any, bool]:
    """(*tp* without None, whether it admitted None)."""
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        args = typing.get_args(tp)
        if type(None) in args:
            rest = tuple(a for a in args if a is not type(None))
            return (rest[0] if len(rest) == 1 else typing.Union[rest]), True  # noqa: UP007
    return tp, False


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


def make_structure_fn(cls: type, converter: cattrs.Converter) -> Callable[..., Any]:
    """The generated structuring function of *cls* (see `supports`)."""
    hints = typing.get_type_hints(cls)
    names: dict[str, Any] = {"__new": object.__new__, "__cls": cls}
    lines = ["def structure(o, _=None):", "    get = o.get", "    obj = __new(__cls)"]
    for index, field in enumerate(attrs.fields(cls)):
        inner, _ = _without_none(hints[field.name])
        names[f"__h{index}"] = converter.get_structure_hook(inner)
        names[f"__t{index}"] = inner
        names[f"__s{index}"] = getattr(cls, field.name).__set__
        value = f"__h{index}(v, __t{index})"
        if inner is str:
            # Most fields are strings already: skip the hook call for them.
            value = f"v if v.__class__ is str else {value}"
        if field.default is attrs.NOTHING:
            lines.append(f"    v = o[{field.name!r}]")
        else:
            lines.append(f"    v = get({field.name!r})")
            value = f"None if v is None else ({value})"
        lines.append(f"    __s{index}(obj, {value})")
    lines.append("    return obj")
    source = "\n".join(lines) + "\n"
    filename = f"<vapay generated structure {cls.__qualname__}>"
    # Registered so tracebacks through it show the generated lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), names)  # noqa: S102 - our own template
    return typing.cast("Callable[..., Any]", names["structure"])
