"""Turn attrs value objects into JSON-ready data and back, driven by their type hints.

Supported field types: ``str``, ``int``, ``float``, ``bool``, ``None``, ``datetime`` (ISO 8601),
``Enum`` subclasses (by value), attrs classes (as objects), ``tuple[X, ...]``, ``list[X]``,
``frozenset[X]`` (sorted list), ``dict[str, X]`` / ``Mapping[str, X]``, ``X | None`` and
``Any`` (passed through unchanged; must already be JSON data). Anything else is a
programming error and raises ``TypeError`` at the first use.

>>> import attrs
>>> @attrs.frozen
... class Point:
...     x: int
...     tags: tuple[str, ...] = ()
>>> unstructure(Point(1, ("a",)))
{'x': 1, 'tags': ['a']}
>>> structure({'x': 1, 'tags': ['a']}, Point)
Point(x=1, tags=('a',))
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import attrs

__all__ = ["structure", "unstructure"]

T = TypeVar("T")


def unstructure(value: Any) -> Any:
    """Return JSON-ready data (dicts, lists, strings, numbers, bools, None) for ``value``."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if attrs.has(type(value)):
        return {
            name: unstructure(getattr(value, name)) for name in _field_names(type(value))
        }
    if isinstance(value, Mapping):
        return {str(k): unstructure(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(unstructure(v) for v in value)
    if isinstance(value, tuple | list):
        return [unstructure(v) for v in value]
    raise TypeError(f"cannot unstructure a {type(value).__name__}")


def structure(data: Any, hint: Any) -> Any:
    """Build a value of type ``hint`` from JSON-ready ``data`` (the inverse of unstructure).

    The work of reading ``hint`` is done once per type: each hint is compiled into a
    function that is cached and reused (decoding events is on every read path).
    """
    return _structurer(hint)(data)


_Structurer = Callable[[Any], Any]
_STRUCTURERS: dict[Any, _Structurer] = {}


def _structurer(hint: Any) -> _Structurer:
    fn = _STRUCTURERS.get(hint)
    if fn is None:
        # A placeholder first, so a class that refers to itself compiles.
        _STRUCTURERS[hint] = lambda data: _STRUCTURERS[hint](data)
        fn = _STRUCTURERS[hint] = _compile(hint)
    return fn


def _compile(hint: Any) -> _Structurer:
    if hint is Any:
        return _identity
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _compile_union(hint)
    if origin is not None:
        args = typing.get_args(hint)
        if origin is tuple:
            if len(args) == 2 and args[1] is Ellipsis:
                item = _structurer(args[0])
                return lambda data: tuple(item(v) for v in _expect(data, list, hint))
            items = [_structurer(a) for a in args]
            return lambda data: tuple(
                f(v) for v, f in zip(_expect(data, list, hint), items, strict=True)
            )
        if origin is list:
            item = _structurer(args[0])
            return lambda data: [item(v) for v in _expect(data, list, hint)]
        if origin is frozenset:
            item = _structurer(args[0])
            return lambda data: frozenset(item(v) for v in _expect(data, list, hint))
        if origin in (dict, Mapping, typing.Mapping):
            value = _structurer(args[1])
            return lambda data: {k: value(v) for k, v in _expect(data, dict, hint).items()}
        if origin is typing.Literal:
            return lambda data: _literal(data, args)
        raise TypeError(f"unsupported type hint {hint}")
    if isinstance(hint, type):
        if attrs.has(hint):
            return _compile_attrs(hint)
        if issubclass(hint, enum.Enum):
            return hint
        if hint is datetime:
            return lambda data: datetime.fromisoformat(_expect(data, str, hint))
        if hint is float:
            return _float
        if hint in (str, int, bool):
            return lambda data: _exact(data, hint)
        if hint is type(None):
            return _none
    raise TypeError(f"unsupported type hint {hint!r}")


def _compile_union(hint: Any) -> _Structurer:
    args = typing.get_args(hint)
    optional = type(None) in args
    members = [_structurer(a) for a in args if a is not type(None)]

    def union(data: Any) -> Any:
        if data is None and optional:
            return None
        last_error: Exception | None = None
        for member in members:
            try:
                return member(data)
            except (TypeError, ValueError, KeyError) as exc:
                last_error = exc
        raise TypeError(f"{data!r} matches no member of {hint}") from last_error

    return union


def _compile_attrs(cls: type[Any]) -> _Structurer:
    hints = _hints(cls)
    fields = [(name, _structurer(hints[name])) for name in _field_names(cls)]

    def build(data: Any) -> Any:
        _expect(data, dict, cls)
        return cls(**{name: f(data[name]) for name, f in fields if name in data})

    return build


def _identity(data: Any) -> Any:
    return data


def _literal(data: Any, args: tuple[Any, ...]) -> Any:
    if data not in args:
        raise ValueError(f"{data!r} is not one of {args}")
    return data


def _float(data: Any) -> float:
    if isinstance(data, bool) or not isinstance(data, int | float):
        raise TypeError(f"expected a number, got {data!r}")
    return float(data)


def _exact(data: Any, kind: type) -> Any:
    if not isinstance(data, kind) or (kind is int and isinstance(data, bool)):
        raise TypeError(f"expected {kind.__name__}, got {data!r}")
    return data


def _none(data: Any) -> None:
    if data is not None:
        raise TypeError(f"expected None, got {data!r}")


def _expect(data: Any, kind: type, hint: Any) -> Any:
    if not isinstance(data, kind):
        raise TypeError(f"expected {kind.__name__} for {hint}, got {type(data).__name__}")
    return data


_HINTS: dict[type[Any], dict[str, Any]] = {}
_FIELDS: dict[type[Any], tuple[str, ...]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def _field_names(cls: type[Any]) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in attrs.fields(cls) if f.init)
    return names
