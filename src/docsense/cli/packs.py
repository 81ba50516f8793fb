"""``docsense packs list|show``: the policy packs a review can use. Needs no store."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

import typer
from rich.table import Table

from docsense.cli._runtime import out, print_json, short, state_of
from docsense.errors import DocSenseError, PolicyPackError
from docsense.policies import LoadedPack, available_packs, load_pack
from docsense.review.checks.registry import CheckRegistry, default_registry

__all__ = ["packs_app"]

packs_app = typer.Typer(
    name="packs", help="The policy packs reviews run against.", no_args_is_help=True
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _pack_dict(pack: LoadedPack, *, policies: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": pack.key,
        "title": pack.name,
        "version": pack.version,
        "jurisdiction": pack.jurisdiction,
        "origin": pack.origin,
        "description": pack.description,
        "policies": len(pack.policies),
    }
    if policies:
        data["policies"] = [
            {
                "id": p.id,
                "title": p.title,
                "level": str(p.level),
                "severity": str(p.severity),
                "category": str(p.category),
                "checks": list(dict.fromkeys(CheckRegistry.name_of(c) for c in p.checks)),
                "llm_only": not p.checks,
                "description": p.description,
            }
            for p in pack.policies
        ]
    return data


@packs_app.command("list")
def list_command(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List the installed packs (built in and registered by plugins).

    A pack that fails to load is listed with its error.
    """
    defaults: set[str] = set()
    # Broken settings only lose the "default" marker here; `review` reports them.
    with contextlib.suppress(DocSenseError):
        defaults = set(state_of(ctx).settings().packs)
    rows: list[dict[str, Any]] = []
    for name, source in sorted(available_packs().items()):
        try:
            row = _pack_dict(load_pack(name), policies=False)
            row["error"] = None
        except PolicyPackError as exc:
            row = {"name": name, "origin": source, "error": str(exc)}
        row["default"] = name in defaults
        rows.append(row)
    if as_json:
        print_json(rows)
        return
    table = Table()
    for column in ("pack", "version", "policies", "source", "title"):
        table.add_column(column, overflow="fold")
    for row in rows:
        name = row["name"] + (" (default)" if row["default"] else "")
        if row["error"]:
            table.add_row(name, "", "", row["origin"], f"error: {row['error']}")
        else:
            table.add_row(
                name, row["version"], str(row["policies"]), row["origin"], row["title"]
            )
    out.print(table)


@packs_app.command("show")
def show_command(
    pack: Annotated[
        str,
        typer.Argument(help="A pack name, or a .yaml/.json pack file.", metavar="NAME|PATH",
                       show_default=False),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Show a pack, its policies and each check they use once, with its description.

    A file is validated: errors name each bad field.
    """
    loaded = load_pack(pack)
    if as_json:
        print_json(_pack_dict(loaded, policies=True))
        return
    out.print(f"{loaded.key} {loaded.version}: {loaded.name} ({loaded.origin})")
    if loaded.description:
        out.print(short(loaded.description, 300))
    table = Table()
    table.add_column("policy", no_wrap=True)
    table.add_column("level")
    table.add_column("severity")
    table.add_column("checks", overflow="fold")
    table.add_column("title", overflow="fold")
    described: dict[str, str] = {}
    registry = default_registry()
    for p in loaded.policies:
        names = list(dict.fromkeys(CheckRegistry.name_of(c) for c in p.checks))
        for c in p.checks:
            described.setdefault(CheckRegistry.name_of(c), registry.describe(c))
        table.add_row(p.id, str(p.level), str(p.severity), "\n".join(names) or "LLM only",
                      p.title)
    out.print(table)
    if described:
        checks = Table(title="checks", title_justify="left")
        checks.add_column("check", no_wrap=True)
        checks.add_column("what it finds", overflow="fold")
        for name, description in sorted(described.items()):
            checks.add_row(name, description)
        out.print(checks)
