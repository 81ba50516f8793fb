"""The JSON API under ``/api/v1``: every endpoint authorizes a scope first."""

from __future__ import annotations

import asyncio
import difflib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from docsense.application.jobs import enqueue_reviews, job_queue
from docsense.application.tokens import issue_token, list_tokens, revoke_token
from docsense.domain.tokens import Scope
from docsense.errors import (
    ConfigurationError,
    FileTooLarge,
    InvalidArgument,
    PolicyPackError,
    StoreUnavailable,
)
from docsense.policies import available_packs, load_pack
from docsense.ports import Job
from docsense.server._core import (
    ServerState,
    document_json,
    filter_findings,
    guarded,
    int_param,
    json_response,
    jsonable,
    review_json,
    state_of,
)
from docsense.server._security import Principal
from docsense.views import DocumentSummary, DocumentView, FindingSummary, ReviewSummary, ReviewView

__all__ = [
    "api_routes",
    "latest_reviews",
    "read_upload",
    "start_review",
    "upload",
    "version_diff",
]

API = "/api/v1"
REPORT_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "sarif": "application/sarif+json",
}


def _key(request: Request) -> str | None:
    return request.headers.get("idempotency-key") or None


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise InvalidArgument("the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise InvalidArgument("the request body must be a JSON object")
    return data


# --- documents --------------------------------------------------------------------------


async def read_upload(state: ServerState, item: object) -> tuple[bytes, str, str | None]:
    """Return the bytes, filename and declared type of an uploaded file part."""
    if not isinstance(item, UploadFile) or not item.filename:
        raise InvalidArgument("send the document as a multipart form field named 'file'")
    data = await item.read(state.max_upload_bytes + 1)
    if len(data) > state.max_upload_bytes:
        raise FileTooLarge(item.filename, f"the file is over {state.max_upload_bytes} bytes")
    return data, item.filename, item.content_type


async def upload(
    request: Request, principal: Principal, fields: dict[str, Any]
) -> DocumentView:
    """Ingest the uploaded ``file`` (a new document, or a new version of ``document_id``)."""
    state = state_of(request)
    data, filename, declared = await read_upload(state, fields.get("file"))
    title = fields.get("title") or None
    document_id = fields.get("document_id") or None
    doc = await state.ds.service.ingest(
        data,
        filename,
        title=title if isinstance(title, str) else None,
        document_id=document_id if isinstance(document_id, str) else None,
        declared_mime=declared,
        actor=principal.actor,
        idempotency_key=_key(request),
    )
    return DocumentView.of(doc)


@guarded(Scope.REVIEW)
async def create_document(request: Request, principal: Principal) -> Response:
    """Upload a document (multipart ``file``, optional ``title``, ``document_id``)."""
    form = await request.form(max_files=1, max_fields=8)
    view = await upload(request, principal, dict(form))
    return json_response(
        document_json(view), 201, {"Location": f"{API}/documents/{view.id}"}
    )


@guarded(Scope.READ)
async def list_documents(request: Request, principal: Principal) -> Response:
    """List documents, most recently updated first (``limit``, ``offset``)."""
    rows = await state_of(request).ds.service.documents(
        limit=int_param(request, "limit", 50, low=1, high=500),
        offset=int_param(request, "offset", 0, low=0, high=10**9),
    )
    return json_response([DocumentSummary.of(r) for r in rows])


async def _document(request: Request, version: str | None = None) -> DocumentView:
    return await state_of(request).ds.document(request.path_params["document_id"], version)


@guarded(Scope.READ)
async def get_document(request: Request, principal: Principal) -> Response:
    """Return a document at its latest version."""
    return json_response(document_json(await _document(request)))


@guarded(Scope.READ)
async def list_versions(request: Request, principal: Principal) -> Response:
    """List a document's versions, oldest first."""
    doc = await state_of(request).ds.service.document(request.path_params["document_id"])
    return json_response([
        {
            "version": v.label,
            "filename": v.source.filename,
            "media_type": v.source.media_type,
            "converted": v.converted,
            "revision_of": str(v.revision.base_version) if v.revision is not None else None,
            "pages": v.page_count,
            "words": v.word_count,
        }
        for v in doc.state.versions
    ])


@guarded(Scope.READ)
async def get_version(request: Request, principal: Principal) -> Response:
    """One version of a document, with its Markdown and diff."""
    view = await _document(request, request.path_params["version"])
    return json_response(document_json(view, full=True))


@guarded(Scope.READ)
async def export_document(request: Request, principal: Principal) -> Response:
    """Export a version as Markdown or DOCX (``format``, ``version``); the export is recorded."""
    fmt = request.query_params.get("format", "md")
    state = state_of(request)
    data = await state.ds.service.export(
        request.path_params["document_id"],
        fmt,
        version=request.query_params.get("version"),
        actor=principal.actor,
    )
    media = (
        "text/markdown; charset=utf-8"
        if fmt == "md"
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="document.{fmt}"'},
    )


async def version_diff(request: Request) -> dict[str, Any]:
    """Return the unified diff between two versions (``from``, ``to``; default: the last two)."""
    doc = await state_of(request).ds.service.document(request.path_params["document_id"])
    labels = [v.label for v in doc.state.versions]
    if len(labels) < 2 and "from" not in request.query_params:
        raise InvalidArgument(f"{doc.id} has one version ({labels[0]}); nothing to compare")
    old = request.query_params.get("from") or labels[-2]
    new = request.query_params.get("to") or labels[-1]
    service = state_of(request).ds.service
    before, after = service.version_of(doc, old), service.version_of(doc, new)
    lines = list(difflib.unified_diff(
        (before.markdown or "").splitlines(), (after.markdown or "").splitlines(),
        fromfile=f"version {before.label}", tofile=f"version {after.label}", lineterm="", n=2,
    ))
    return {
        "document_id": doc.id,
        "from": before.label,
        "to": after.label,
        "added": sum(1 for x in lines if x.startswith("+") and not x.startswith("+++")),
        "removed": sum(1 for x in lines if x.startswith("-") and not x.startswith("---")),
        "diff": "\n".join(lines),
    }


@guarded(Scope.READ)
async def compare_versions(request: Request, principal: Principal) -> Response:
    """Compare two versions of a document: the unified diff of their text."""
    return json_response(await version_diff(request))


@guarded(Scope.READ)
async def compare_reviews(request: Request, principal: Principal) -> Response:
    """Compare two reviews (``base``, ``review``): resolved, persisting, new, suppressed."""
    base, later = request.query_params.get("base"), request.query_params.get("review")
    if not base or not later:
        raise InvalidArgument("give base=<earlier review id> and review=<later review id>")
    comparison = await state_of(request).ds.compare(base, later)
    return json_response(comparison.to_dict())


async def latest_reviews(request: Request, document_id: str) -> dict[str, str]:
    """Return the newest completed review id of each version of a document."""
    rows = await state_of(request).ds.reviews(document_id, limit=500)
    found: dict[str, str] = {}
    for row in rows:  # newest first
        if row.status == "completed" and row.document_version not in found:
            found[row.document_version] = row.id
    return found


@guarded(Scope.READ)
async def document_history(request: Request, principal: Principal) -> Response:
    """Every event about a document, in order (the audit trail)."""
    return json_response(await state_of(request).ds.history(request.path_params["document_id"]))


# --- reviews and jobs -------------------------------------------------------------------


async def start_review(
    request: Request, principal: Principal, document_id: str, body: dict[str, Any]
) -> str:
    """Queue a review of ``document_id`` for the workers; return the job id."""
    state = state_of(request)
    unknown = set(body) - {"packs", "reviewer", "version", "min_confidence"}
    if unknown:
        raise InvalidArgument(f"unknown fields {', '.join(sorted(unknown))}")
    await state.ds.service.document(document_id)  # 404 now rather than a failed job later
    job: dict[str, Any] = {"document_id": document_id, "actor": principal.actor}
    packs = body.get("packs")
    if packs is not None:
        if isinstance(packs, str):
            packs = [packs]
        if not isinstance(packs, list) or not all(isinstance(p, str) for p in packs):
            raise InvalidArgument("packs is a list of pack names")
        installed = available_packs()
        for name in packs:  # names only: a path would read the server's files
            if name not in installed:
                raise PolicyPackError(
                    f"no pack named {name!r}; installed: {', '.join(sorted(installed))}"
                )
        job["packs"] = packs
    reviewer = body.get("reviewer")
    if reviewer is not None:
        if reviewer not in state.reviewers:
            raise InvalidArgument(
                f"reviewer {reviewer!r} is not offered here; use one of "
                f"{', '.join(state.reviewers)}"
            )
        job["reviewer"] = reviewer
    for name in ("version", "min_confidence"):
        if body.get(name) is not None:
            job[name] = body[name]
    try:
        queue = job_queue(state.ds.service.storage)
    except ConfigurationError:
        raise StoreUnavailable("this server's store has no job queue (reviews need "
                               "PostgreSQL)") from None
    [job_id] = await enqueue_reviews(queue, [job])
    return job_id


def _job_json(job: Job) -> dict[str, Any]:
    result = dict(job.result or {})
    return {
        "id": job.id,
        "status": job.status,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "review_id": result.get("review_id"),
        "score": result.get("score"),
        "error": job.error,
        "links": {
            "self": f"{API}/jobs/{job.id}",
            "events": f"{API}/jobs/{job.id}/events",
            "review": f"{API}/reviews/{result['review_id']}" if "review_id" in result else None,
        },
    }


@guarded(Scope.REVIEW)
async def create_review(request: Request, principal: Principal) -> Response:
    """Start a review: queued for ``docsense worker``; poll the job or follow its events."""
    job_id = await start_review(
        request, principal, request.path_params["document_id"], await _json_body(request)
    )
    job = await job_queue(state_of(request).ds.service.storage).get_job(job_id)
    assert job is not None
    return json_response(_job_json(job), 202, {"Location": f"{API}/jobs/{job_id}"})


async def _job(request: Request) -> Job:
    job = await job_queue(state_of(request).ds.service.storage).get_job(
        request.path_params["job_id"]
    )
    if job is None:
        from docsense.errors import AggregateNotFound

        raise AggregateNotFound(request.path_params["job_id"], kind="job")
    return job


@guarded(Scope.READ)
async def get_job(request: Request, principal: Principal) -> Response:
    """Return a review job: ``queued``, ``running``, ``done`` (with ``review_id``) or ``failed``."""
    return json_response(_job_json(await _job(request)))


@guarded(Scope.READ)
async def job_events(request: Request, principal: Principal) -> Response:
    """Server-sent events: one ``status`` event per change, until the job ends."""
    state = state_of(request)
    first = await _job(request)
    queue = job_queue(state.ds.service.storage)

    async def events() -> AsyncIterator[bytes]:
        job: Job | None = first
        last = None
        deadline = time.monotonic() + 3600
        while job is not None and time.monotonic() < deadline:
            data = _job_json(job)
            key = (data["status"], data["attempts"], data["error"])
            if key != last:
                last = key
                yield f"event: status\ndata: {json.dumps(jsonable(data))}\n\n".encode()
            if job.status in ("done", "failed"):
                return
            await asyncio.sleep(state.settings.sse_poll_seconds)
            job = await queue.get_job(first.id)

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"X-Accel-Buffering": "no"}
    )


@guarded(Scope.READ)
async def list_reviews(request: Request, principal: Principal) -> Response:
    """List reviews (``document_id``, ``limit``, ``offset``), newest first."""
    rows = await state_of(request).ds.service.reviews(
        request.query_params.get("document_id"),
        limit=int_param(request, "limit", 50, low=1, high=500),
        offset=int_param(request, "offset", 0, low=0, high=10**9),
    )
    return json_response([ReviewSummary.of(r) for r in rows])


async def _review(request: Request) -> ReviewView:
    return await state_of(request).ds.get_review(request.path_params["review_id"])


@guarded(Scope.READ)
async def get_review(request: Request, principal: Principal) -> Response:
    """Return a review and its findings (filter: severity, policy, category, section)."""
    view = await _review(request)
    return json_response(review_json(view, filter_findings(view, dict(request.query_params))))


@guarded(Scope.READ)
async def review_report(request: Request, principal: Principal) -> Response:
    """Render the review's report as ``md``, ``html``, ``json`` or ``sarif`` (``format``)."""
    fmt = request.query_params.get("format", "json")
    if fmt not in REPORT_TYPES:
        raise InvalidArgument(f"report format {fmt!r}: use {', '.join(REPORT_TYPES)}")
    view = await _review(request)
    text = await asyncio.to_thread(view.render, fmt)
    headers = {}
    if fmt == "html":  # the report styles itself inline and runs no script
        headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        )
    return Response(text, media_type=REPORT_TYPES[fmt], headers=headers)


@guarded(Scope.READ)
async def search_findings(request: Request, principal: Principal) -> Response:
    """Search findings across documents.

    Filters: ``pack``, ``policy``, ``category``, ``severity``, ``document_id``,
    ``decision``; pages: ``limit``, ``offset``.
    """
    names = ("pack", "policy", "category", "severity", "document_id", "decision")
    filters = {n: request.query_params[n] for n in names if n in request.query_params}
    rows = await state_of(request).ds.service.findings(
        limit=int_param(request, "limit", 50, low=1, high=500),
        offset=int_param(request, "offset", 0, low=0, high=10**9),
        **filters,
    )
    return json_response([FindingSummary.of(r) for r in rows])


# --- feedback -----------------------------------------------------------------------------


@guarded(Scope.READ)
async def get_feedback(request: Request, principal: Principal) -> Response:
    """List the review's suggestions with their decisions, in document order."""
    items = await state_of(request).ds.feedback(request.path_params["review_id"]).items()
    return json_response(items)


async def decide(
    request: Request, principal: Principal, finding_id: str, body: dict[str, Any]
) -> None:
    """Record ``body["decision"]`` (accept, reject with reason, modify with text)."""
    decision = body.get("decision")
    if decision not in ("accept", "reject", "modify"):
        raise InvalidArgument("decision must be 'accept', 'reject' or 'modify'")
    reason, text = body.get("reason"), body.get("text")
    if reason is not None and not isinstance(reason, str):
        raise InvalidArgument("reason is text")
    if text is not None and not isinstance(text, str):
        raise InvalidArgument("text is text")
    await state_of(request).ds.service.decide(
        request.path_params["review_id"],
        finding_id,
        decision,
        reason=reason,
        text=text,
        actor=principal.actor,
        idempotency_key=_key(request),
    )


@guarded(Scope.DECIDE)
async def post_decision(request: Request, principal: Principal) -> Response:
    """Accept, reject or modify a suggestion (``Idempotency-Key`` makes retries safe)."""
    finding_id = request.path_params["finding_id"]
    await decide(request, principal, finding_id, await _json_body(request))
    items = await state_of(request).ds.feedback(request.path_params["review_id"]).items()
    item = next((i for i in items if i.finding_id == finding_id), None)
    return json_response(item)


@guarded(Scope.DECIDE)
async def apply_feedback(request: Request, principal: Principal) -> Response:
    """Apply the accepted and modified suggestions as a new version."""
    doc = await state_of(request).ds.service.apply_feedback(
        request.path_params["review_id"], actor=principal.actor, idempotency_key=_key(request)
    )
    view = DocumentView.of(doc)
    return json_response(
        document_json(view),
        201,
        {"Location": f"{API}/documents/{view.id}/versions/{view.version}"},
    )


# --- packs and tokens ---------------------------------------------------------------------


@guarded(Scope.READ)
async def list_packs(request: Request, principal: Principal) -> Response:
    """List the installed policy packs."""
    rows = []
    for name in sorted(available_packs()):
        try:
            pack = load_pack(name)
        except PolicyPackError:
            continue
        rows.append({"name": pack.key, "title": pack.name, "version": pack.version,
                     "policies": len(pack.policies), "description": pack.description})
    return json_response(rows)


@guarded(Scope.READ)
async def get_pack(request: Request, principal: Principal) -> Response:
    """Return one installed pack and its policies."""
    name = request.path_params["name"]
    if name not in available_packs():
        from docsense.errors import AggregateNotFound

        raise AggregateNotFound(name, "GET /api/v1/packs lists them", kind="policy pack")
    pack = load_pack(name)
    return json_response({
        "name": pack.key, "title": pack.name, "version": pack.version,
        "description": pack.description,
        "policies": [
            {"id": p.id, "title": p.title, "severity": str(p.severity),
             "category": str(p.category), "description": p.description}
            for p in pack.policies
        ],
    })


@guarded(Scope.ADMIN)
async def store_health(request: Request, principal: Principal) -> Response:
    """Check the store in depth: latency, schema, projection lag, dead letters, jobs."""
    report = await state_of(request).ds.health()
    return json_response(report, 200 if report.status.value != "failing" else 503)


@guarded(Scope.ADMIN)
async def get_tokens(request: Request, principal: Principal) -> Response:
    """List every API token (never a secret)."""
    return json_response(await list_tokens(state_of(request).ds.service))


@guarded(Scope.ADMIN)
async def create_token(request: Request, principal: Principal) -> Response:
    """Issue a token: ``name``, ``scopes``, optional ``actor``. The secret is shown once."""
    body = await _json_body(request)
    name, scopes, actor = body.get("name"), body.get("scopes"), body.get("actor")
    if not isinstance(name, str) or not isinstance(scopes, list):
        raise InvalidArgument("give name (text) and scopes (a list)")
    issued = await issue_token(
        state_of(request).ds.service,
        name=name,
        scopes=[str(s) for s in scopes],
        actor=actor if isinstance(actor, str) else None,
        issued_by=principal.actor,
    )
    return json_response({**jsonable(issued.info), "token": issued.secret}, 201)


@guarded(Scope.ADMIN)
async def delete_token(request: Request, principal: Principal) -> Response:
    """Revoke a token."""
    info = await revoke_token(
        state_of(request).ds.service,
        request.path_params["token_id"],
        reason=request.query_params.get("reason", ""),
        revoked_by=principal.actor,
    )
    return json_response(info)


def api_routes() -> list[Route]:
    """Return the API's routes."""
    return [
        Route(f"{API}/documents", list_documents, methods=["GET"]),
        Route(f"{API}/documents", create_document, methods=["POST"]),
        Route(f"{API}/documents/{{document_id}}", get_document, methods=["GET"]),
        Route(f"{API}/documents/{{document_id}}/versions", list_versions, methods=["GET"]),
        Route(f"{API}/documents/{{document_id}}/versions/{{version}}", get_version,
              methods=["GET"]),
        Route(f"{API}/documents/{{document_id}}/export", export_document, methods=["GET"]),
        Route(f"{API}/documents/{{document_id}}/history", document_history, methods=["GET"]),
        Route(f"{API}/documents/{{document_id}}/compare", compare_versions, methods=["GET"]),
        Route(f"{API}/compare", compare_reviews, methods=["GET"]),
        Route(f"{API}/health", store_health, methods=["GET"]),
        Route(f"{API}/documents/{{document_id}}/reviews", create_review, methods=["POST"]),
        Route(f"{API}/jobs/{{job_id}}", get_job, methods=["GET"]),
        Route(f"{API}/jobs/{{job_id}}/events", job_events, methods=["GET"]),
        Route(f"{API}/reviews", list_reviews, methods=["GET"]),
        Route(f"{API}/reviews/{{review_id}}", get_review, methods=["GET"]),
        Route(f"{API}/reviews/{{review_id}}/report", review_report, methods=["GET"]),
        Route(f"{API}/reviews/{{review_id}}/feedback", get_feedback, methods=["GET"]),
        Route(f"{API}/reviews/{{review_id}}/feedback/{{finding_id}}", post_decision,
              methods=["POST"]),
        Route(f"{API}/reviews/{{review_id}}/apply", apply_feedback, methods=["POST"]),
        Route(f"{API}/findings", search_findings, methods=["GET"]),
        Route(f"{API}/packs", list_packs, methods=["GET"]),
        Route(f"{API}/packs/{{name}}", get_pack, methods=["GET"]),
        Route(f"{API}/tokens", get_tokens, methods=["GET"]),
        Route(f"{API}/tokens", create_token, methods=["POST"]),
        Route(f"{API}/tokens/{{token_id}}", delete_token, methods=["DELETE"]),
    ]
