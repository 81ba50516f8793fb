"""Loading policy packs: from files, from the built-in package data, from entry points.

Third-party packages register packs under the entry point group ``docsense.packs``; the
entry point's name is the pack name and its object is a path, a ``PackSpec``, a mapping in the
pack format, or a zero-argument callable returning one of those. A registered name shadows
nothing: built-in names win, and a clash is reported as an error when that name is loaded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import attrs
import yaml
from pydantic import ValidationError

from docsense.domain.events import CommandContext
from docsense.domain.policies import Check, CheckKind, Policy, PolicyPack
from docsense.errors import InvariantViolation, PolicyPackError
from docsense.policies._model import PackSpec, PolicySpec, compile_flags

__all__ = [
    "PACK_ENTRY_POINT_GROUP",
    "LoadedPack",
    "available_packs",
    "builtin_pack_names",
    "load_pack",
    "load_pack_file",
    "parse_pack",
]

PACK_ENTRY_POINT_GROUP = "docsense.packs"
_BUILTIN_PACKAGE = "docsense.policies.packs"
_SUFFIXES = (".yaml", ".yml", ".json")

# Check kinds of the pack format that the domain has no kind for run as IR checks.
_AS_IR_CHECK = {"section_forbidden"}


@attrs.frozen
class LoadedPack:
    """A validated pack: its metadata and its :class:`~docsense.domain.policies.Policy` objects.

    ``origin`` says where it came from (``builtin``, ``entry point <name>`` or a file path).
    A policy without checks is LLM-only (the format requires ``llm_only: true`` for it).
    """

    key: str
    name: str
    version: str
    policies: tuple[Policy, ...]
    jurisdiction: str = ""
    description: str = ""
    origin: str = ""

    def policy(self, policy_id: str) -> Policy | None:
        """Return the policy with ``policy_id``, or None."""
        return next((p for p in self.policies if p.id == policy_id), None)

    @property
    def llm_only_ids(self) -> frozenset[str]:
        """Ids of the policies only an LLM reviewer can assess."""
        return frozenset(p.id for p in self.policies if not p.checks)

    def create_aggregate(self, ctx: CommandContext, *, pack_id: str | None = None) -> PolicyPack:
        """Return a new PolicyPack aggregate holding these policies, published at ``version``.

        ``pack_id`` chooses its stream id (by default a fresh one).
        """
        pack = PolicyPack.create(
            ctx,
            pack_id=pack_id,
            pack_key=self.key,
            name=self.name,
            version=self.version,
            description=self.description,
            jurisdiction=self.jurisdiction,
        )
        for policy in self.policies:
            pack.add_policy(ctx, policy)
        pack.publish(ctx)
        return pack


def parse_pack(text: str, *, source: str, fmt: str | None = None) -> LoadedPack:
    """Parse pack ``text`` (YAML, or JSON when ``fmt == "json"``); ``source`` names it in errors.

    YAML is a superset of JSON, so ``fmt`` only matters for error messages.
    """
    try:
        data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise PolicyPackError(
            f"{source}: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyPackError(f"{source}: not valid YAML{where}: {problem}") from exc
    return _from_data(data, source=source, origin=source)


def load_pack_file(path: str | Path) -> LoadedPack:
    """Load and validate the pack file at ``path`` (``.yaml``, ``.yml`` or ``.json``)."""
    p = Path(path)
    if p.suffix.lower() not in _SUFFIXES:
        raise PolicyPackError(f"{p}: a pack file ends in .yaml, .yml or .json")
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyPackError(f"{p}: cannot read the pack file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise PolicyPackError(f"{p}: a pack file must be UTF-8 text") from exc
    return parse_pack(text, source=str(p), fmt="json" if p.suffix.lower() == ".json" else None)


def builtin_pack_names() -> tuple[str, ...]:
    """Return the names of the packs shipped with docsense, sorted."""
    root = resources.files(_BUILTIN_PACKAGE)
    return tuple(
        sorted(
            entry.name.rsplit(".", 1)[0]
            for entry in root.iterdir()
            if entry.name.endswith(_SUFFIXES)
        )
    )


def available_packs() -> dict[str, str]:
    """Return every pack name :func:`load_pack` accepts, mapped to where it comes from."""
    out = dict.fromkeys(builtin_pack_names(), "builtin")
    for ep in metadata.entry_points(group=PACK_ENTRY_POINT_GROUP):
        out.setdefault(ep.name, f"entry point {ep.value}")
    return out


def load_pack(name_or_path: str | Path) -> LoadedPack:
    """Load a built-in pack, a pack registered by entry point, or a pack file, by name or path.

    >>> load_pack("self-containment").key
    'self-containment'
    """
    text = str(name_or_path)
    if isinstance(name_or_path, str) and text in builtin_pack_names():
        return _load_builtin(text)
    if isinstance(name_or_path, str):
        for ep in metadata.entry_points(group=PACK_ENTRY_POINT_GROUP):
            if ep.name == text:
                return _load_entry_point(ep)
    path = Path(name_or_path)
    if path.suffix.lower() in _SUFFIXES or path.exists():
        if not path.is_file():
            raise PolicyPackError(f"{path}: no such pack file")
        return load_pack_file(path)
    known = ", ".join(sorted(available_packs())) or "none"
    raise PolicyPackError(
        f"unknown policy pack {text!r}: give a pack file (.yaml/.json) or one of: {known}"
    )


def _load_builtin(name: str) -> LoadedPack:
    root = resources.files(_BUILTIN_PACKAGE)
    for suffix in _SUFFIXES:
        entry = root.joinpath(name + suffix)
        if entry.is_file():
            return _from_traversable(entry, origin="builtin")
    raise PolicyPackError(f"built-in pack {name!r} is missing from the installation")


def _from_traversable(entry: Traversable, *, origin: str) -> LoadedPack:
    text = entry.read_text(encoding="utf-8")
    fmt = "json" if entry.name.endswith(".json") else None
    loaded = parse_pack(text, source=entry.name, fmt=fmt)
    return attrs.evolve(loaded, origin=origin)


def _load_entry_point(ep: metadata.EntryPoint) -> LoadedPack:
    where = f"entry point {ep.name!r} ({ep.value}) in group {PACK_ENTRY_POINT_GROUP!r}"
    try:
        obj: Any = ep.load()
    except Exception as exc:
        raise PolicyPackError(f"{where}: cannot be imported: {exc}") from exc
    if callable(obj) and not isinstance(obj, PackSpec | Mapping | Path | str):
        try:
            obj = obj()
        except Exception as exc:
            raise PolicyPackError(f"{where}: raised {type(exc).__name__}: {exc}") from exc
    origin = f"entry point {ep.name}"
    if isinstance(obj, LoadedPack):
        loaded = obj
    elif isinstance(obj, PackSpec):
        loaded = _from_spec(obj, source=where)
    elif isinstance(obj, Mapping):
        loaded = _from_data(obj, source=where, origin=origin)
    elif isinstance(obj, str | Path):
        loaded = load_pack_file(obj)
    elif isinstance(obj, Traversable):
        loaded = _from_traversable(obj, origin=origin)
    else:
        raise PolicyPackError(
            f"{where}: must give a pack file path, a PackSpec or a mapping, "
            f"not {type(obj).__name__}"
        )
    if loaded.key != ep.name:
        raise PolicyPackError(f"{where}: registers pack {loaded.key!r} under another name")
    return attrs.evolve(loaded, origin=origin)


def _from_data(data: Any, *, source: str, origin: str) -> LoadedPack:
    if not isinstance(data, Mapping):
        raise PolicyPackError(f"{source}: a pack is a mapping with id, name, version, policies")
    try:
        spec = PackSpec.model_validate(data)
    except ValidationError as exc:
        raise PolicyPackError(f"{source}: invalid pack: {_describe(exc, data)}") from exc
    return attrs.evolve(_from_spec(spec, source=source), origin=origin)


def _describe(exc: ValidationError, data: Any) -> str:
    parts = []
    for err in exc.errors():
        loc = err["loc"]
        path = ""
        node: Any = data
        for item in loc:
            if isinstance(item, int):
                path += f"[{item}]"
                label = node[item].get("id") if _is_mapping_list(node, item) else None
                if label:
                    path += f" ({label})"
            else:
                path += f".{item}" if path else str(item)
            node = _step(node, item)
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{path or 'pack'}: {msg}")
    return "; ".join(parts)


def _is_mapping_list(node: Any, index: int) -> bool:
    return isinstance(node, list) and 0 <= index < len(node) and isinstance(node[index], Mapping)


def _step(node: Any, item: str | int) -> Any:
    if isinstance(item, int) and isinstance(node, list) and 0 <= item < len(node):
        return node[item]
    if isinstance(item, str) and isinstance(node, Mapping):
        return node.get(item)
    return None


def _from_spec(spec: PackSpec, *, source: str) -> LoadedPack:
    policies = tuple(_policy(p, source=source) for p in spec.policies)
    return LoadedPack(
        key=spec.id,
        name=spec.name,
        version=spec.version,
        policies=policies,
        jurisdiction=spec.jurisdiction,
        description=spec.description,
        origin=source,
    )


def _policy(spec: PolicySpec, *, source: str) -> Policy:
    from docsense.review.checks.registry import default_registry

    registry = default_registry()
    checks = []
    for index, check in enumerate(spec.checks):
        where = f"{source}: policy {spec.id} check {index + 1} ({check.kind})"
        params = check.params()
        try:
            compile_flags(params.get("flags", "i"))
        except ValueError as exc:
            raise PolicyPackError(f"{where}: {exc}") from exc
        if check.kind in _AS_IR_CHECK:
            params = {**params, "check": check.kind}
            kind = CheckKind.IR
        else:
            kind = CheckKind(check.kind)
        if kind is CheckKind.IR and params.get("check") and not registry.has(params["check"]):
            raise PolicyPackError(
                f"{where}: unknown IR check {params['check']!r}; known checks: "
                f"{', '.join(registry.names())} (third-party checks register under the "
                "'docsense.checks' entry point group)"
            )
        try:
            checks.append(Check(kind, params))
        except InvariantViolation as exc:
            raise PolicyPackError(f"{where}: {exc}") from exc
    try:
        return Policy(
            id=spec.id,
            title=spec.title,
            level=spec.level,
            category=spec.category,
            description=spec.description,
            checks=tuple(checks),
            llm_instruction=spec.llm_instruction,
            severity=spec.severity,
        )
    except InvariantViolation as exc:
        raise PolicyPackError(f"{source}: policy {spec.id}: {exc}") from exc

