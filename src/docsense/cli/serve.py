"""``docsense serve`` (the HTTP service and web UI) and ``docsense tokens create|revoke|list``.

``serve`` needs the ``server`` extra (``pip install 'docsense[server]'``). Tokens are stored
in the store as events (only a hash of each secret); ``tokens create`` prints the secret
once.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from docsense import AsyncDocSense
from docsense.application.tokens import (
    IssuedToken,
    TokenInfo,
    issue_token,
    list_tokens,
    revoke_token,
)
from docsense.cli._runtime import err, fmt_time, out, print_json, state_of
from docsense.domain.tokens import Scope

__all__ = ["serve_command", "tokens_app"]

tokens_app = typer.Typer(
    name="tokens",
    help="API tokens for `docsense serve`: create, revoke, list (only hashes are stored).",
    no_args_is_help=True,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@tokens_app.command("create")
def create_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What the token is for.", show_default=False)],
    scopes: Annotated[
        list[Scope] | None,
        typer.Option("--scope", help="A scope (repeatable): read, review, decide, admin. "
                     "Default: read."),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(help="Who the token's requests are recorded as (default: NAME).",
                     show_default=False),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Issue an API token and print its secret (shown this once, never stored)."""
    chosen = [s.value for s in scopes] if scopes else [Scope.READ.value]

    async def work(ds: AsyncDocSense) -> IssuedToken:
        return await issue_token(ds.service, name=name, scopes=chosen, actor=actor)

    issued = state_of(ctx).run(work)
    if as_json:
        print_json({**_row(issued.info), "token": issued.secret})
        return
    err.print(
        f"issued {issued.info.id} ({', '.join(issued.info.scopes)}), acting as "
        f"{issued.info.actor}; the secret below is shown only now:"
    )
    sys.stdout.write(issued.secret + "\n")


@tokens_app.command("revoke")
def revoke_command(
    ctx: typer.Context,
    token_id: Annotated[str, typer.Argument(help="The token's id (apitoken-...).",
                                            metavar="TOKEN_ID", show_default=False)],
    reason: Annotated[str, typer.Option(help="Why (recorded).")] = "",
) -> None:
    """Revoke a token: requests with it are refused from now on."""

    async def work(ds: AsyncDocSense) -> TokenInfo:
        return await revoke_token(ds.service, token_id, reason=reason)

    info = state_of(ctx).run(work)
    out.print(f"revoked {info.id} ({info.name})")


def _row(info: TokenInfo) -> dict[str, object]:
    return {
        "id": info.id,
        "name": info.name,
        "actor": info.actor,
        "scopes": list(info.scopes),
        "issued_at": info.issued_at.isoformat(),
        "issued_by": info.issued_by,
        "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None,
        "active": info.active,
    }


@tokens_app.command("list")
def list_command(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List the tokens (never their secrets)."""

    async def work(ds: AsyncDocSense) -> list[TokenInfo]:
        return await list_tokens(ds.service)

    rows = state_of(ctx).run(work)
    if as_json:
        print_json([_row(r) for r in rows])
        return
    table = Table()
    for column in ("id", "name", "actor", "scopes", "issued", "state"):
        table.add_column(column, overflow="fold")
    for r in rows:
        state = "active" if r.active else f"revoked {fmt_time(r.revoked_at)}" if r.revoked_at \
            else "revoked"
        table.add_row(r.id, r.name, r.actor, ", ".join(r.scopes), fmt_time(r.issued_at), state)
    out.print(table)


def serve_command(
    ctx: typer.Context,
    host: Annotated[
        str | None,
        typer.Option(help="Address to listen on (default: DOCSENSE_SERVER_HOST, else "
                     "127.0.0.1).", show_default=False),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(help="Port (default: DOCSENSE_SERVER_PORT, else 8000).",
                     show_default=False),
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Server processes (reviews run in `docsense worker`).")
    ] = 1,
    proxy_headers: Annotated[
        bool,
        typer.Option("--proxy-headers/--no-proxy-headers",
                     help="Trust X-Forwarded-* from --forwarded-allow-ips (behind a proxy)."),
    ] = False,
    forwarded_allow_ips: Annotated[
        str, typer.Option(help="Proxies whose X-Forwarded-* headers are trusted.")
    ] = "127.0.0.1",
) -> None:
    """Run the HTTP API and web UI (uvicorn) on the store; reviews run in `docsense worker`.

    Needs the `server` extra. Settings: `DOCSENSE_*` for the store, reviewer and packs;
    `DOCSENSE_SERVER_*` for the service (CORS origins, rate and size limits, cookies).
    """
    from docsense.server import ServerSettings, create_app

    library = state_of(ctx).settings()
    overrides: dict[str, object] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    settings = ServerSettings.load(**overrides)
    import uvicorn

    if workers > 1:
        # uvicorn starts each process from an import string; settings travel by environment.
        import os

        cli = state_of(ctx)
        if cli.store is not None:
            os.environ["DOCSENSE_STORE_URL"] = library.resolved_store_url()
        if cli.actor is not None:
            os.environ["DOCSENSE_ACTOR"] = library.actor
        os.environ["DOCSENSE_LOG_FORMAT"] = library.log_format
        for name, value in overrides.items():
            os.environ[f"DOCSENSE_SERVER_{name.upper()}"] = str(value)
        err.print(f"serving on http://{settings.host}:{settings.port} with {workers} processes")
        uvicorn.run(
            "docsense.server._factory:app", factory=True, host=settings.host,
            port=settings.port, workers=workers, proxy_headers=proxy_headers,
            forwarded_allow_ips=forwarded_allow_ips, log_level="warning",
        )
        return
    app = create_app(settings, library=library)
    err.print(f"serving on http://{settings.host}:{settings.port}")
    uvicorn.run(
        app, host=settings.host, port=settings.port, proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips, log_level="warning",
    )
