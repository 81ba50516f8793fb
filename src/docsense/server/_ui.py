"""The web UI: server-rendered pages under ``/ui`` (plain forms; a script only enhances).

Signing in stores the API token in an ``HttpOnly``, ``SameSite=Strict`` cookie; every form
also carries a CSRF value that must match a second cookie (double submit), so a page of
another site can neither read the token nor post a form with it.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from docsense.application.jobs import job_queue
from docsense.application.tokens import authenticate
from docsense.domain.findings import Severity
from docsense.domain.tokens import Scope
from docsense.errors import AggregateNotFound, AuthenticationFailed, DocSenseError
from docsense.policies import available_packs
from docsense.server._api import decide, latest_reviews, start_review, upload, version_diff
from docsense.server._core import (
    COOKIE,
    CSRF_COOKIE,
    audit_refusal,
    guarded,
    state_of,
)
from docsense.server._security import Principal
from docsense.views import FeedbackItemView, ReviewView

__all__ = ["render_error", "ui_routes"]

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def _page(
    request: Request, name: str, context: dict[str, Any], status: int = 200
) -> Response:
    principal = getattr(request.state, "principal", None)
    context = {
        "principal": principal,
        "csrf": request.cookies.get(CSRF_COOKIE, ""),
        **context,
    }
    return templates.TemplateResponse(request, name, context, status_code=status)


def render_error(request: Request, status: int, title: str, detail: str) -> Response:
    """Render an error page (a 401 sends the browser to the sign-in page instead)."""
    if status == 401 and request.url.path != "/ui/login":
        return RedirectResponse("/ui/login", status_code=303)
    return _page(request, "error.html", {"status": status, "title": title, "detail": detail},
                 status)


def _see(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


async def login_page(request: Request) -> Response:
    """Show the sign-in form."""
    return _page(request, "login.html", {"error": None})


async def login(request: Request) -> Response:
    """Check the token and keep it in an HttpOnly cookie."""
    state = state_of(request)
    form = await request.form(max_fields=4, max_files=0)
    token = form.get("token")
    try:
        if not isinstance(token, str) or not token.strip():
            raise AuthenticationFailed("no token given")
        await authenticate(state.ds.service, token)
    except AuthenticationFailed as exc:
        audit_refusal(request, str(exc))
        return _page(request, "login.html", {"error": "That token is not valid."}, 401)
    response = _see("/ui/documents")
    secure = state.settings.secure_cookies
    response.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict",
                        secure=secure, path="/")
    response.set_cookie(CSRF_COOKIE, secrets.token_urlsafe(24), httponly=True,
                        samesite="strict", secure=secure, path="/")
    return response


@guarded(Scope.READ)
async def logout(request: Request, principal: Principal) -> Response:
    """Forget the cookie."""
    response = _see("/ui/login")
    response.delete_cookie(COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@guarded(Scope.READ)
async def documents_page(request: Request, principal: Principal) -> Response:
    """Show the documents list and the upload form."""
    docs = await state_of(request).ds.documents(limit=200)
    return _page(request, "documents.html", {"documents": docs})


@guarded(Scope.REVIEW)
async def upload_form(request: Request, principal: Principal) -> Response:
    """Upload from the form, then show the document."""
    form = await request.form(max_files=1, max_fields=8)
    view = await upload(request, principal, dict(form))
    return _see(f"/ui/documents/{view.id}")


@guarded(Scope.READ)
async def document_page(request: Request, principal: Principal) -> Response:
    """Show a document: versions, reviews, start a review, compare, history."""
    ds = state_of(request).ds
    document_id = request.path_params["document_id"]
    doc = await ds.service.document(document_id)
    view = await ds.document(document_id)
    reviews = await ds.reviews(document_id, limit=200)
    versions = [
        {
            "label": v.label,
            "filename": v.source.filename,
            "revision_of": str(v.revision.base_version) if v.revision else None,
            "review_id": v.revision.review_id if v.revision else None,
            "words": v.word_count,
        }
        for v in doc.state.versions
    ]
    return _page(request, "document.html", {
        "doc": view,
        "versions": versions,
        "reviews": reviews,
        "packs": sorted(available_packs()),
        "default_packs": state_of(request).library.packs,
    })


@guarded(Scope.REVIEW)
async def review_form(request: Request, principal: Principal) -> Response:
    """Start a review from the form; show its progress."""
    form = await request.form(max_fields=32, max_files=0)
    body: dict[str, Any] = {"packs": [p for p in form.getlist("packs") if isinstance(p, str)]}
    if not body["packs"]:
        body.pop("packs")
    version = form.get("version")
    if isinstance(version, str) and version:
        body["version"] = version
    job_id = await start_review(request, principal, request.path_params["document_id"], body)
    return _see(f"/ui/jobs/{job_id}")


@guarded(Scope.READ)
async def job_page(request: Request, principal: Principal) -> Response:
    """Show a review's progress (refreshes itself; follows server-sent events with JS)."""
    queue = job_queue(state_of(request).ds.service.storage)
    job = await queue.get_job(request.path_params["job_id"])
    if job is None:
        raise AggregateNotFound(request.path_params["job_id"], kind="job")
    review_id = (job.result or {}).get("review_id")
    if job.status == "done" and review_id:
        return _see(f"/ui/reviews/{review_id}")
    return _page(request, "job.html", {"job": job})


def _excerpt(view: ReviewView, start: int, end: int, section_id: str | None) -> dict[str, str]:
    """Return the quote in its section: text before, the quote, text after (at most ~300 each)."""
    markdown = view.markdown
    low, high = 0, len(markdown)
    if view.outcome is not None and section_id is not None:
        for section in view.outcome.document.sections:
            if section.id == section_id:
                low, high = section.start, section.end
                break
    before_start = max(low, start - 300)
    after_end = min(high, end + 300)
    return {
        "before": ("…" if before_start > low else "") + markdown[before_start:start],
        "quote": markdown[start:end],
        "after": markdown[end:after_end] + ("…" if after_end < high else ""),
    }


@guarded(Scope.READ)
async def review_page(request: Request, principal: Principal) -> Response:
    """Show findings by severity: policy, section, the quote highlighted; decisions."""
    ds = state_of(request).ds
    review_id = request.path_params["review_id"]
    view = await ds.get_review(review_id)
    items: dict[str, FeedbackItemView] = {}
    applied_version = None
    if view.status == "completed":
        try:
            items = {i.finding_id: i for i in await ds.feedback(review_id).items()}
        except DocSenseError:
            items = {}
        doc = await ds.service.document(view.document_id)
        for v in doc.state.versions:
            if v.revision is not None and v.revision.review_id == review_id:
                applied_version = v.label
    held = {s.finding_id: s for s in view.suppressed}
    groups = []
    for severity in Severity.most_severe_first():
        found = []
        for f in view.findings:
            if f.severity is not severity:
                continue
            loc = f.location
            found.append({
                "finding": f,
                "item": items.get(f.id),
                "suppressed": held.get(f.id),
                "section": " / ".join(loc.path) if loc and loc.path else None,
                "excerpt": _excerpt(view, loc.start, loc.end, loc.section_id) if loc else None,
            })
        if found:
            groups.append({"severity": severity.value, "findings": found})
    decided = sum(1 for i in items.values() if i.decision != "pending")
    return _page(request, "review.html", {
        "review": view,
        "groups": groups,
        "decided": decided,
        "applied_version": applied_version,
        "can_decide": bool({"decide", "admin"} & set(principal.scopes)),
    })


@guarded(Scope.DECIDE)
async def decision_form(request: Request, principal: Principal) -> Response:
    """Record a decision from the review page, then go back to it."""
    form = await request.form(max_fields=8, max_files=0)
    body = {k: v for k, v in form.items() if k in ("decision", "reason", "text")}
    finding_id = request.path_params["finding_id"]
    await decide(request, principal, finding_id, body)
    return _see(f"/ui/reviews/{request.path_params['review_id']}#finding-{finding_id}")


@guarded(Scope.DECIDE)
async def apply_form(request: Request, principal: Principal) -> Response:
    """Apply the decisions as a new version; show the document."""
    doc = await state_of(request).ds.service.apply_feedback(
        request.path_params["review_id"], actor=principal.actor
    )
    return _see(f"/ui/documents/{doc.id}")


@guarded(Scope.READ)
async def history_page(request: Request, principal: Principal) -> Response:
    """Show the document's history as a timeline."""
    ds = state_of(request).ds
    document_id = request.path_params["document_id"]
    view = await ds.document(document_id)
    entries = await ds.history(document_id)
    return _page(request, "history.html", {"doc": view, "entries": entries})


@guarded(Scope.READ)
async def compare_page(request: Request, principal: Principal) -> Response:
    """Show two versions of a document side by side as a diff."""
    ds = state_of(request).ds
    view = await ds.document(request.path_params["document_id"])
    diff = await version_diff(request)
    rows = []
    for line in diff["diff"].splitlines()[2:]:
        kind = "same"
        if line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "added"
        elif line.startswith("-"):
            kind = "removed"
        rows.append({"kind": kind, "text": line})
    reviewed = await latest_reviews(request, view.id)
    base = request.query_params.get("base_review") or reviewed.get(diff["from"])
    later = request.query_params.get("review") or reviewed.get(diff["to"])
    comparison = None
    if base and later and base != later:
        comparison = await ds.compare(base, later)
    return _page(request, "compare.html", {
        "doc": view, "diff": diff, "rows": rows, "comparison": comparison,
        "counts": comparison.counts() if comparison is not None else {},
    })


def ui_routes() -> list[Route]:
    """Return the web UI's routes."""
    return [
        Route("/ui/login", login_page, methods=["GET"]),
        Route("/ui/login", login, methods=["POST"]),
        Route("/ui/logout", logout, methods=["POST"]),
        Route("/ui/documents", documents_page, methods=["GET"]),
        Route("/ui/documents", upload_form, methods=["POST"]),
        Route("/ui/documents/{document_id}", document_page, methods=["GET"]),
        Route("/ui/documents/{document_id}/reviews", review_form, methods=["POST"]),
        Route("/ui/documents/{document_id}/history", history_page, methods=["GET"]),
        Route("/ui/documents/{document_id}/compare", compare_page, methods=["GET"]),
        Route("/ui/jobs/{job_id}", job_page, methods=["GET"]),
        Route("/ui/reviews/{review_id}", review_page, methods=["GET"]),
        Route("/ui/reviews/{review_id}/findings/{finding_id}", decision_form,
              methods=["POST"]),
        Route("/ui/reviews/{review_id}/apply", apply_form, methods=["POST"]),
    ]
