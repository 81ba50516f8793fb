"""The HTTP API through an ASGI client, on a real PostgreSQL store (one schema per test).

Every endpoint refuses a request without a token (except the health probes), each scope is
enforced, CORS follows the allow-list, rate and size limits answer 429 and 413, hostile files
get problem details, and decisions retried with an idempotency key are recorded once.
Reviews are queued jobs, run here by the library's ReviewJobWorker on the same store (the
worker `docsense worker` runs).
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from docsense.application.jobs import ReviewJobWorker, job_queue
from docsense.application.tokens import issue_token
from docsense.config import Settings
from docsense.server import ServerSettings, create_app

pytestmark = pytest.mark.postgres

REPO = Path(__file__).resolve().parents[3]
SEED = REPO / "tests/data/review/doc_03_undefined_parameters.docx"
API = "/api/v1"


class Server:
    """A running app (lifespan started), its tokens by scope, and helpers."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.state = client.app.state.docsense  # type: ignore[attr-defined]
        self.tokens: dict[str, str] = {}

    def token(self, name: str, *scopes: str, actor: str | None = None) -> str:
        issued = self.client.portal.call(  # type: ignore[union-attr]
            lambda: issue_token(self.state.ds.service, name=name, scopes=list(scopes),
                                actor=actor)
        )
        return str(issued.secret)

    def auth(self, scope: str) -> dict[str, str]:
        if scope not in self.tokens:
            self.tokens[scope] = self.token(f"{scope}-token", scope, actor=f"{scope}-user")
        return {"Authorization": f"Bearer {self.tokens[scope]}"}

    def run_jobs(self) -> int:
        service = self.state.ds.service
        worker = ReviewJobWorker(service, job_queue(service.storage), retry_after=0.0)
        ran = 0
        while self.client.portal.call(worker.run_once):  # type: ignore[union-attr]
            ran += 1
        return ran

    def upload(self, data: bytes, filename: str, **headers: str) -> Any:
        return self.client.post(
            f"{API}/documents",
            headers={**self.auth("review"), **headers},
            files={"file": (filename, data, "application/octet-stream")},
        )


def _schema_url(base: str) -> Iterator[str]:
    import asyncpg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}schema={schema}"

    async def drop() -> None:
        conn = await asyncpg.connect(base)
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()

    asyncio.run(drop())


@pytest.fixture
def store_url(postgres_url: str) -> Iterator[str]:
    yield from _schema_url(postgres_url)


def _server(store_url: str, *, raise_errors: bool = True, **overrides: Any) -> Iterator[Server]:
    settings = ServerSettings(
        cors_origins=["https://review.example.com"], hsts=True, **overrides
    )
    app = create_app(settings, library=Settings.load(store_url=store_url, actor="server"))
    with TestClient(app, base_url="https://testserver",
                    raise_server_exceptions=raise_errors) as client:
        yield Server(client)


@pytest.fixture
def server(store_url: str) -> Iterator[Server]:
    yield from _server(store_url)


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "instance"} <= set(body)
    assert "Traceback" not in response.text
    assert "/work/" not in response.text
    assert "site-packages" not in response.text
    return body


def _reviewed(server: Server) -> tuple[str, str]:
    """Upload the seed, review it through a job; return (document id, review id)."""
    doc = server.upload(SEED.read_bytes(), SEED.name).json()["id"]
    job = server.client.post(f"{API}/documents/{doc}/reviews", headers=server.auth("review"),
                             json={"packs": ["self-containment"]})
    assert job.status_code == 202, job.text
    assert server.run_jobs() == 1
    done = server.client.get(job.headers["location"], headers=server.auth("read")).json()
    assert done["status"] == "done", done
    return doc, done["review_id"]


# --- authentication and scopes ---------------------------------------------------------------


def test_health_needs_no_token_and_every_other_endpoint_does(server: Server) -> None:
    assert server.client.get("/healthz").json()["status"] == "ok"
    assert server.client.get("/readyz").json() == {"status": "ready"}
    schema = server.client.get(f"{API}/openapi.json", headers=server.auth("read")).json()
    assert schema["openapi"].startswith("3.")
    assert len(schema["paths"]) >= 20
    decision = schema["paths"][f"{API}/reviews/{{review_id}}/feedback/{{finding_id}}"]["post"]
    assert decision["x-required-scope"] == "decide"
    assert decision["requestBody"]["content"]["application/json"]["schema"]["required"] == [
        "decision"]
    assert any(p["name"] == "Idempotency-Key" for p in decision["parameters"])
    upload = schema["paths"][f"{API}/documents"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    checked = 0
    for path, operations in schema["paths"].items():
        concrete = path.replace("{", "x").replace("}", "")
        for method in operations:
            response = server.client.request(method.upper(), concrete)
            _problem(response, 401)
            assert response.headers["www-authenticate"].startswith("Bearer")
            checked += 1
    _problem(server.client.get(f"{API}/openapi.json"), 401)
    assert checked >= 22
    for page in ("/ui/documents", "/ui/reviews/review-x", "/ui/documents/document-x"):
        response = server.client.get(page, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/ui/login"


def test_bad_tokens_are_401_and_audited_without_the_secret(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    real = server.token("soon revoked", "read")
    wrong_secret = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    caplog.set_level(logging.WARNING, logger="docsense.server.audit")
    for value in ("Bearer nonsense", f"Bearer {wrong_secret}", "Basic dXNlcjpwYXNz"):
        _problem(server.client.get(f"{API}/documents", headers={"Authorization": value}), 401)
    assert server.client.get(f"{API}/documents",
                             headers={"Authorization": f"Bearer {real}"}).status_code == 200
    token_id = "apitoken-" + str(uuid.UUID(real[4:36]))
    revoked = server.client.delete(f"{API}/tokens/{token_id}", headers=server.auth("admin"))
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"]
    _problem(server.client.get(f"{API}/documents", headers={"Authorization": f"Bearer {real}"}),
             401)
    audit = [r.getMessage() for r in caplog.records if r.name == "docsense.server.audit"]
    assert len(audit) == 4
    assert any("malformed" in line for line in audit)
    assert any("wrong secret" in line for line in audit)
    assert any("revoked" in line for line in audit)
    assert all(real[37:] not in line and "dXNlcjpwYXNz" not in line for line in audit)


def test_each_scope_is_enforced_with_403(server: Server) -> None:
    doc, review = _reviewed(server)
    finding = server.client.get(f"{API}/reviews/{review}/feedback",
                                headers=server.auth("read")).json()[0]["finding_id"]
    upload = {"files": {"file": ("a.md", b"# A\n\nText.\n", "text/markdown")}}
    checks: list[tuple[str, str, str, dict[str, Any], str]] = [
        ("read", "POST", f"{API}/documents", upload, "review"),
        ("read", "POST", f"{API}/documents/{doc}/reviews", {"json": {}}, "review"),
        ("review", "POST", f"{API}/reviews/{review}/feedback/{finding}",
         {"json": {"decision": "reject", "reason": "no"}}, "decide"),
        ("review", "POST", f"{API}/reviews/{review}/apply", {}, "decide"),
        ("decide", "GET", f"{API}/tokens", {}, "admin"),
        ("review", "POST", f"{API}/tokens", {"json": {"name": "x", "scopes": ["admin"]}},
         "admin"),
    ]
    for scope, method, path, extra, needed in checks:
        response = server.client.request(method, path, headers=server.auth(scope), **extra)
        body = _problem(response, 403)
        assert needed in body["detail"], (scope, path)
    # admin implies every scope
    decided = server.client.post(
        f"{API}/reviews/{review}/feedback/{finding}", headers=server.auth("admin"),
        json={"decision": "reject", "reason": "admin says no"},
    )
    assert decided.status_code == 200
    assert decided.json()["decision"] == "rejected"


# --- CORS, limits, headers --------------------------------------------------------------------


def test_cors_preflight_from_allowed_and_disallowed_origins(server: Server) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    allowed = server.client.options(
        f"{API}/documents", headers={"Origin": "https://review.example.com", **preflight}
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://review.example.com"
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    refused = server.client.options(
        f"{API}/documents", headers={"Origin": "https://evil.example.net", **preflight}
    )
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    simple = server.client.get(f"{API}/documents", headers={
        "Origin": "https://evil.example.net", **server.auth("read")})
    assert "access-control-allow-origin" not in simple.headers


def test_rate_limit_per_token_answers_429_with_retry_after(store_url: str) -> None:
    for server in _server(store_url, rate_limit_per_minute=6, rate_limit_burst=3):
        first, second = server.auth("read"), server.auth("admin")
        statuses = [server.client.get(f"{API}/documents", headers=first).status_code
                    for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = server.client.get(f"{API}/documents", headers=first)
        _problem(limited, 429)
        assert 1 <= int(limited.headers["retry-after"]) <= 10
        # another token has its own bucket
        assert server.client.get(f"{API}/documents", headers=second).status_code == 200


def test_repeated_failed_authentication_is_rate_limited(store_url: str) -> None:
    for server in _server(store_url, failed_auth_per_minute=3):
        bad = {"Authorization": "Bearer dst_nope"}
        statuses = [server.client.get(f"{API}/documents", headers=bad).status_code
                    for _ in range(4)]
        assert statuses == [401, 401, 401, 429]


def test_oversized_upload_and_body_are_413(store_url: str) -> None:
    for server in _server(store_url, max_upload_bytes=2000, max_request_bytes=4096):
        big = b"# Big\n\n" + b"word " * 1000  # 5 KB file, limit 2 KB
        _problem(server.upload(big, "big.md"), 413)
        huge = b"# Huge\n\n" + b"word " * 40_000  # over the body limit too
        _problem(server.upload(huge, "huge.md"), 413)
        body = json.dumps({"packs": ["self-containment"] * 1000})
        _problem(server.client.post(f"{API}/documents/document-x/reviews", content=body,
                                    headers={**server.auth("review"),
                                             "Content-Type": "application/json"}), 413)
        chunks = iter([b"{" + b" " * 3000, b" " * 3000 + b"}"])  # no Content-Length
        _problem(server.client.post(f"{API}/documents/document-x/reviews", content=chunks,
                                    headers={**server.auth("review"),
                                             "Content-Type": "application/json"}), 413)
        small = server.upload(b"# Small\n\nThe cap is 5%.\n", "small.md")
        assert small.status_code == 201, small.text


def test_secure_headers_on_every_response(server: Server) -> None:
    for response in (
        server.client.get("/healthz"),
        server.client.get(f"{API}/documents", headers=server.auth("read")),
        server.client.get(f"{API}/documents"),
        server.client.get("/ui/login"),
    ):
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["strict-transport-security"].startswith("max-age=")
        assert "server" not in {k.lower() for k in headers if headers[k].startswith("uvicorn")}


# --- hostile input ---------------------------------------------------------------------------


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (32 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("filename", "data", "status"),
    [
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 200, 415),
        ("bomb.docx", _zip_bomb(), 422),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj <<\n" + b"garbage " * 50, 422),
        ("../../../etc/passwd.md", b"", 422),
        ("empty.md", b"", 422),
        ("elf.md", b"\x7fELF\x02\x01\x01" + b"\0" * 100, 415),
    ],
    ids=["exe-as-pdf", "zip-bomb", "truncated-pdf", "traversal-empty", "empty", "elf-as-md"],
)
def test_hostile_files_get_problem_details(
    server: Server, filename: str, data: bytes, status: int
) -> None:
    response = server.upload(data, filename)
    assert 400 <= response.status_code < 500, response.text
    body = _problem(response, response.status_code)
    assert response.status_code == status, body
    assert server.client.get(f"{API}/documents", headers=server.auth("read")).json() == []


def test_unknown_ids_and_bad_parameters_are_problem_details(server: Server) -> None:
    read = server.auth("read")
    _problem(server.client.get(f"{API}/documents/document-nope", headers=read), 404)
    _problem(server.client.get(f"{API}/reviews/review-nope", headers=read), 404)
    _problem(server.client.get(f"{API}/jobs/job-nope", headers=read), 404)
    _problem(server.client.get(f"{API}/packs/nope", headers=read), 404)
    _problem(server.client.get(f"{API}/documents?limit=abc", headers=read), 400)
    _problem(server.client.get("/nowhere", headers=read), 404)
    doc = server.upload(b"# A\n\nThe cap is set daily.\n", "a.md").json()["id"]
    review = server.auth("review")
    _problem(server.client.post(f"{API}/documents/{doc}/reviews", headers=review,
                                json={"packs": ["/etc/passwd"]}), 422)
    _problem(server.client.post(f"{API}/documents/{doc}/reviews", headers=review,
                                json={"reviewer": "anthropic:claude"}), 400)
    _problem(server.client.post(f"{API}/documents/{doc}/reviews", headers=review,
                                content=b"{not json", ), 400)


def test_internal_errors_say_nothing_about_the_server(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for server in _server(store_url, raise_errors=False):
        service = server.state.ds.service

        async def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("boom in /srv/docsense/secret/config.py line 3")

        monkeypatch.setattr(service, "documents", broken)
        response = server.client.get(f"{API}/documents", headers=server.auth("read"))
        body = _problem(response, 500)
        assert "boom" not in response.text
        assert "/srv/" not in response.text
        assert body["title"] == "internal error"
        page = server.client.get("/ui/documents", headers=server.auth("read"))
        assert page.status_code == 500
        assert "boom" not in page.text
        assert "Traceback" not in page.text


# --- the whole loop --------------------------------------------------------------------------


def test_upload_review_decide_apply_history_reports(server: Server) -> None:
    read = server.auth("read")
    doc, review_id = _reviewed(server)

    listed = server.client.get(f"{API}/documents", headers=read).json()
    assert [d["id"] for d in listed] == [doc]
    one = server.client.get(f"{API}/documents/{doc}", headers=read).json()
    assert one["version"] == "1.0"
    assert one["sections"]
    assert server.client.get(f"{API}/documents/{doc}/versions", headers=read).json()[0][
        "version"] == "1.0"
    assert server.client.get(f"{API}/documents/{doc}/versions/1.0", headers=read).json()[
        "markdown"]

    review = server.client.get(f"{API}/reviews/{review_id}", headers=read).json()
    assert review["status"] == "completed"
    assert review["findings"]
    severity = review["findings"][0]["severity"]
    filtered = server.client.get(f"{API}/reviews/{review_id}?severity={severity}",
                                 headers=read).json()["findings"]
    assert filtered
    assert all(f["severity"] == severity for f in filtered)
    assert len(filtered) <= len(review["findings"])
    policy = review["findings"][0]["policy_id"]
    assert all(f["policy_id"] == policy for f in server.client.get(
        f"{API}/reviews/{review_id}?policy={policy}", headers=read).json()["findings"])
    _problem(server.client.get(f"{API}/reviews/{review_id}?colour=red", headers=read), 400)
    assert server.client.get(f"{API}/reviews?document_id={doc}", headers=read).json()[0][
        "id"] == review_id
    across = server.client.get(f"{API}/findings?document_id={doc}&severity={severity}",
                               headers=read).json()
    assert across
    assert all(f["severity"] == severity for f in across)

    for fmt, marker in (("md", "#"), ("html", "<html"), ("json", "docsense.review"),
                        ("sarif", "2.1.0")):
        report = server.client.get(f"{API}/reviews/{review_id}/report?format={fmt}",
                                   headers=read)
        assert report.status_code == 200, fmt
        assert marker in report.text, fmt
    assert "script-src" not in server.client.get(
        f"{API}/reviews/{review_id}/report?format=html", headers=read
    ).headers["content-security-policy"]

    items = server.client.get(f"{API}/reviews/{review_id}/feedback", headers=read).json()
    acceptable = next(i for i in items if i["replacement"])
    other = next(i for i in items if i["finding_id"] != acceptable["finding_id"])
    decide = server.auth("decide")
    accepted = server.client.post(
        f"{API}/reviews/{review_id}/feedback/{acceptable['finding_id']}",
        headers={**decide, "Idempotency-Key": "accept-1"}, json={"decision": "accept"},
    )
    assert accepted.status_code == 200
    assert accepted.json()["decision"] == "accepted"
    rejected = server.client.post(
        f"{API}/reviews/{review_id}/feedback/{other['finding_id']}", headers=decide,
        json={"decision": "reject", "reason": "not applicable"},
    )
    assert rejected.json()["decision"] == "rejected"
    applied = server.client.post(f"{API}/reviews/{review_id}/apply",
                                 headers={**decide, "Idempotency-Key": "apply-1"})
    assert applied.status_code == 201
    assert applied.json()["version"] == "1.1"
    again = server.client.post(f"{API}/reviews/{review_id}/apply",
                               headers={**decide, "Idempotency-Key": "apply-1"})
    assert again.status_code == 201
    assert again.json()["version"] == "1.1"
    _problem(server.client.post(f"{API}/reviews/{review_id}/apply", headers=decide), 409)
    new = server.client.get(f"{API}/documents/{doc}/versions/1.1", headers=read).json()
    assert acceptable["replacement"] in new["markdown"]
    assert new["diff"]
    compared = server.client.get(f"{API}/documents/{doc}/compare?from=1.0&to=1.1",
                                 headers=read).json()
    assert (compared["from"], compared["to"]) == ("1.0", "1.1")
    assert compared["added"] >= 1
    assert any(acceptable["replacement"] in line for line in compared["diff"].splitlines()
               if line.startswith("+"))
    assert server.client.get(f"{API}/documents/{doc}/compare", headers=read).json()[
        "diff"] == compared["diff"]  # default: the last two versions
    _problem(server.client.get(f"{API}/documents/{doc}/compare?from=9.9", headers=read), 404)

    # Review the new version and compare the two reviews.
    job = server.client.post(f"{API}/documents/{doc}/reviews", headers=server.auth("review"),
                             json={"version": "1.1"})
    assert server.run_jobs() == 1
    second = server.client.get(job.headers["location"], headers=read).json()["review_id"]
    comparison = server.client.get(f"{API}/compare?base={review_id}&review={second}",
                                   headers=read).json()
    assert (comparison["base_version"], comparison["version"]) == ("1.0", "1.1")
    statuses = {row["id_before"]: "resolved" for row in comparison["resolved"]}
    statuses.update({row["id_before"]: "suppressed" for row in comparison["suppressed"]})
    statuses.update({row["id_before"]: "persisting" for row in comparison["persisting"]})
    assert statuses[other["finding_id"]] == "suppressed"  # the rejection carries over
    assert statuses[acceptable["finding_id"]] == "resolved"  # the replacement fixed it
    assert sum(comparison["counts"].values()) == len(statuses) + len(comparison["new"])
    later = server.client.get(f"{API}/reviews/{second}", headers=read).json()
    held = [f for f in later["findings"] if f["suppressed"]]
    assert [f["suppressed"] for f in held] == ["not applicable"]
    assert later["suppressed"] == 1
    assert all(len(f["fingerprint"]) == 32 for f in later["findings"])
    _problem(server.client.get(f"{API}/compare?base={review_id}", headers=read), 400)
    _problem(server.client.get(f"{API}/compare?base={review_id}&review=review-x",
                               headers=read), 404)

    exported = server.client.get(f"{API}/documents/{doc}/export?format=md&version=1.1",
                                 headers=read)
    assert exported.status_code == 200
    assert exported.content == new["markdown"].encode()
    docx = server.client.get(f"{API}/documents/{doc}/export?format=docx", headers=read)
    assert docx.content[:2] == b"PK"

    history = server.client.get(f"{API}/documents/{doc}/history", headers=read).json()
    by_type = {h["event_type"]: h["actor"] for h in history}
    assert by_type["DocumentUploaded"] == "review-user"
    assert by_type["ReviewCompleted"] == "review-user"  # the job carries the token's actor
    assert by_type["SuggestionAccepted"] == "decide-user"
    assert by_type["FeedbackApplied"] == "decide-user"
    assert by_type["DocumentExported"] == "read-user"
    assert "server" not in {h["actor"] for h in history}

    packs = server.client.get(f"{API}/packs", headers=read).json()
    assert "self-containment" in {p["name"] for p in packs}
    assert server.client.get(f"{API}/packs/self-containment", headers=read).json()["policies"]


def test_job_progress_as_server_sent_events(server: Server) -> None:
    doc = server.upload(SEED.read_bytes(), SEED.name).json()["id"]
    job = server.client.post(f"{API}/documents/{doc}/reviews", headers=server.auth("review"),
                             json={}).json()
    assert job["status"] == "queued"
    assert job["links"]["events"].endswith("/events")
    assert server.run_jobs() == 1
    with server.client.stream("GET", job["links"]["events"],
                              headers=server.auth("read")) as events:
        assert events.headers["content-type"].startswith("text/event-stream")
        text = "".join(events.iter_text())
    frames = [f for f in text.split("\n\n") if f.strip()]
    last = json.loads(frames[-1].split("data: ", 1)[1])
    assert frames[-1].startswith("event: status")
    assert last["status"] == "done"
    assert last["review_id"].startswith("review-")


def test_decision_retries_with_an_idempotency_key_are_recorded_once(server: Server) -> None:
    doc, review_id = _reviewed(server)
    items = server.client.get(f"{API}/reviews/{review_id}/feedback",
                              headers=server.auth("read")).json()
    finding = items[0]["finding_id"]
    headers = {**server.auth("decide"), "Idempotency-Key": "reject-42"}
    body = {"decision": "reject", "reason": "out of scope"}
    url = f"{API}/reviews/{review_id}/feedback/{finding}"
    first = server.client.post(url, headers=headers, json=body)
    second = server.client.post(url, headers=headers, json=body)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    history = server.client.get(f"{API}/documents/{doc}/history",
                                headers=server.auth("read")).json()
    assert [h["event_type"] for h in history].count("SuggestionRejected") == 1
    reused = server.client.post(url, headers=headers, json={"decision": "modify", "text": "x"})
    _problem(reused, 422)
    assert "reject-42" in reused.json()["detail"]


def test_tokens_are_managed_by_admins_and_never_show_a_hash(server: Server) -> None:
    admin = server.auth("admin")
    created = server.client.post(f"{API}/tokens", headers=admin,
                                 json={"name": "ci", "scopes": ["read", "review"]})
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("dst_")
    assert server.client.get(f"{API}/documents",
                             headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listed = server.client.get(f"{API}/tokens", headers=admin)
    assert "ci" in {t["name"] for t in listed.json()}
    assert secret[37:] not in listed.text
    assert "hash" not in listed.text
    _problem(server.client.post(f"{API}/tokens", headers=admin,
                                json={"name": "x", "scopes": ["root"]}), 400)
    health = server.client.get(f"{API}/health", headers=admin)
    assert health.status_code == 200
    assert health.json()["status"] in ("ok", "degraded")
    assert health.json()["reachable"] is True
    _problem(server.client.get(f"{API}/health", headers=server.auth("read")), 403)


def test_web_ui_sign_in_sets_httponly_cookies_and_forms_need_the_csrf_value(
    server: Server,
) -> None:
    client = server.client
    _, review_id = _reviewed(server)
    refused = client.post("/ui/login", data={"token": "dst_wrong"})
    assert refused.status_code == 401
    assert "not valid" in refused.text
    signed = client.post("/ui/login", data={"token": server.tokens["review"]},
                         follow_redirects=False)
    assert signed.status_code == 303
    cookies = signed.headers.get_list("set-cookie")
    assert all("httponly" in c.lower() and "samesite=strict" in c.lower() for c in cookies)
    assert all("secure" in c.lower() for c in cookies)
    page = client.get(f"/ui/reviews/{review_id}")
    assert page.status_code == 200
    assert "<mark>" in page.text
    forged = client.post("/ui/documents", files={"file": ("a.md", b"# A\n\nB.\n")},
                         follow_redirects=False)
    assert forged.status_code == 303
    assert forged.headers["location"] == "/ui/login"
    csrf = client.cookies.get("docsense_csrf")
    assert csrf
    posted = client.post("/ui/documents", data={"csrf": csrf},
                         files={"file": ("a.md", b"# A\n\nThe cap is set daily.\n")},
                         follow_redirects=False)
    assert posted.status_code == 303
    assert posted.headers["location"].startswith(
        "/ui/documents/document-")
    hostile = client.post("/ui/documents",
                          data={"csrf": csrf, "title": "<script>alert(1)</script>"},
                          files={"file": ("b.md", b"# <img src=x onerror=alert(2)>\n\nText.\n")})
    assert hostile.status_code == 200
    assert "<script>alert(1)</script>" not in hostile.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile.text
    listing = client.get("/ui/documents").text
    assert "<script>alert" not in listing
    assert "<img src=x" not in listing


def test_a_store_without_a_job_queue_answers_503_to_a_review(tmp_path: Path) -> None:
    for server in _server(f"sqlite:///{tmp_path / 'store.db'}"):
        doc = server.upload(b"# A\n\nThe cap is set daily.\n", "a.md").json()["id"]
        response = server.client.post(f"{API}/documents/{doc}/reviews",
                                      headers=server.auth("review"), json={})
        body = _problem(response, 503)
        assert "sqlite" not in body["detail"].lower()
        # everything else works on SQLite
        assert server.client.get(f"{API}/documents/{doc}",
                                 headers=server.auth("read")).status_code == 200


def test_a_new_upload_for_a_document_is_its_next_major_version(server: Server) -> None:
    first = server.upload(b"# Rules\n\nThe cap is set daily.\n", "rules.md").json()
    response = server.client.post(
        f"{API}/documents", headers=server.auth("review"),
        data={"document_id": first["id"], "title": "Rules"},
        files={"file": ("rules.md", b"# Rules\n\nThe cap is 5% and set daily.\n",
                        "text/markdown")},
    )
    assert response.status_code == 201, response.text
    second = response.json()
    assert second["id"] == first["id"]
    assert second["versions"] == ["1.0", "2.0"]
    retried = server.upload(b"# Other\n\nText.\n", "other.md", **{"Idempotency-Key": "up-1"})
    again = server.upload(b"# Other\n\nText.\n", "other.md", **{"Idempotency-Key": "up-1"})
    assert retried.json()["id"] == again.json()["id"]
