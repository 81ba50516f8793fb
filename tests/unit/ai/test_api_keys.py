"""API keys: a missing key names its variable; a key never shows in logs, errors or events."""

from __future__ import annotations

import logging
import pickle
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from docsense.adapters.ai import anthropic, google, openai
from docsense.adapters.ai.llm import ApiKey, resolve_api_key
from docsense.adapters.ai.resilience import Resilience
from docsense.adapters.storage import open_storage
from docsense.application.repository import Repository
from docsense.domain.documents import VersionNumber
from docsense.domain.events import CommandContext
from docsense.domain.review import PackRef, Review
from docsense.errors import MissingApiKey, ProviderError
from docsense.policies import load_pack
from docsense.review import run_review
from docsense.review.reviewers import FallbackReviewer, resolve_reviewer
from docsense.testing.fake_llm import FakeLLMServer
from docsense.testing.reviewers import contract_document

from .conftest import MODULES, Harness


def _read_all(folder: Path) -> bytes:
    # the database file and any -wal / -shm / journal beside it
    return b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file())


SECRET = "sk-live-DO-NOT-LEAK-8f3a9c1e77"
KEY_VARS = {
    "anthropic": ("ANTHROPIC_API_KEY",),
    "openai": ("OPENAI_API_KEY",),
    "google": ("GOOGLE_API_KEY", "GEMINI_API_KEY"),
}


@pytest.fixture(autouse=True)
def _no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for names in KEY_VARS.values():
        for name in names:
            monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("provider", ["anthropic", "openai", "google"])
def test_missing_key_names_the_environment_variable(provider: str) -> None:
    with pytest.raises(MissingApiKey) as info:
        MODULES[provider].create_reviewer()
    for name in KEY_VARS[provider]:
        assert name in str(info.value)


@pytest.mark.parametrize("provider", ["anthropic", "openai", "google"])
def test_missing_key_through_a_spec_names_the_variable(provider: str) -> None:
    with pytest.raises(MissingApiKey, match=KEY_VARS[provider][0]):
        resolve_reviewer(f"{provider}:some-model")


def test_key_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", SECRET)
    assert resolve_api_key("google", None, KEY_VARS["google"]).reveal() == SECRET
    assert resolve_api_key("google", SecretStr("x"), KEY_VARS["google"]).reveal() == "x"


def test_key_objects_hide_the_key() -> None:
    key = ApiKey(SECRET)
    assert SECRET not in repr(key)
    assert SECRET not in str(key)
    assert SECRET not in f"{key!r} {key}"
    with pytest.raises(TypeError):
        pickle.dumps(key)


def test_reviewer_reprs_hide_the_key(harness: Harness) -> None:
    module = MODULES[harness.dialect]
    reviewer = module.create_reviewer(
        api_key=SECRET, base_url=harness.server.base_url, resilience=Resilience("x")
    )
    assert SECRET not in repr(reviewer)
    assert SECRET not in repr(vars(reviewer))
    assert SECRET not in repr(reviewer._client)


async def test_key_never_in_logs_errors_or_stored_events(
    harness: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, SDKs and HTTP clients included
    module = MODULES[harness.dialect]
    layer = harness.layer(attempts=2)
    reviewer = module.create_reviewer(
        api_key=SECRET, base_url=harness.server.base_url, resilience=layer
    )
    # a failure first (the server wants another key; the error must not carry ours), then
    # a successful review
    harness.server.api_key = "sk-some-other-key"
    errors: list[str] = []
    with pytest.raises(ProviderError, match=r"HTTP 40[01]") as info:
        await run_review(contract_document(), [load_pack("self-containment")], reviewer)
    errors.append(f"{info.value!r} {info.value} {info.value.__cause__!r}")
    harness.server.api_key = None
    document = contract_document()
    packs = [load_pack("self-containment")]
    outcome = await run_review(document, packs, reviewer)
    assert harness.server.requests[-1].headers  # the key did go to the (fake) provider
    assert any(SECRET in " ".join(r.headers.values()) for r in harness.server.requests)

    db = tmp_path / "events.db"
    storage = await open_storage(f"sqlite:///{db}")
    try:
        ctx = CommandContext(
            now=lambda: datetime(2026, 1, 1, tzinfo=UTC), new_id=lambda: str(uuid.uuid4())
        )
        review = Review.start(
            ctx,
            document_id="document-" + str(uuid.uuid4()),
            document_version=VersionNumber(1, 0),
            packs=[PackRef("policypack-self-containment", "1.0.0")],
            reviewer=reviewer.spec,
        )
        review.record_findings(ctx, outcome.findings, part=reviewer.spec)
        review.complete(
            ctx,
            score=outcome.score,
            policy_statuses={o.policy_id: o.status for o in outcome.policy_statuses},
            usage=outcome.usage,
            duration_ms=outcome.duration_ms,
            warnings=[*outcome.warnings, *errors],
        )
        await Repository(storage).save(review)
    finally:
        await storage.close()

    stored = _read_all(tmp_path)
    assert outcome.usage.calls > 0
    assert b"document-" in stored  # the events are really in the file
    assert SECRET.encode() not in stored
    assert all(SECRET not in e for e in errors)
    assert all(SECRET not in w for w in outcome.warnings)
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records
    )
    assert caplog.records  # the SDKs and HTTP clients did log at DEBUG
    assert SECRET not in logged


async def test_chain_without_a_key_falls_back_to_rules() -> None:
    chain = resolve_reviewer("anthropic:claude-sonnet-4-6|rules")
    assert isinstance(chain, FallbackReviewer)
    outcome = await run_review(contract_document(), [load_pack("self-containment")], chain)
    assert outcome.findings
    assert any("ANTHROPIC_API_KEY" in w for w in outcome.warnings)


def test_base_url_comes_from_the_sdk_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeLLMServer("openai") as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        reviewer = openai.create_reviewer(api_key="k", resilience=Resilience("openai"))
        assert str(reviewer._client._client.base_url).rstrip("/") == server.base_url  # type: ignore[attr-defined]
    for module, var in ((anthropic, "ANTHROPIC_BASE_URL"), (google, "GOOGLE_GEMINI_BASE_URL")):
        assert var == module.BASE_URL_ENV
