"""Server settings refuse insecure values; the rate limiter refills at its rate."""

from __future__ import annotations

import pytest

from docsense.errors import ConfigurationError
from docsense.server import RateLimiter, ServerSettings
from docsense.server._security import RateLimited, scrub


def test_cors_allow_list_refuses_wildcards_and_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ConfigurationError, match="not allowed"):
        ServerSettings.load(cors_origins=["*"])
    with pytest.raises(ConfigurationError, match="scheme"):
        ServerSettings.load(cors_origins=["example.com"])
    monkeypatch.setenv("DOCSENSE_SERVER_CORS_ORIGINS", "https://a.example, https://b.example/")
    assert ServerSettings.load().cors_origins == ["https://a.example", "https://b.example"]
    assert ServerSettings.load(cors_origins=[]).cors_origins == []


def test_defaults_are_secure() -> None:
    settings = ServerSettings()
    assert settings.cors_origins == []
    assert settings.host == "127.0.0.1"
    assert settings.secure_cookies
    assert settings.hsts


def test_rate_limiter_allows_the_burst_then_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: now[0])
    limiter.hit("a")
    limiter.hit("a")
    with pytest.raises(RateLimited) as info:
        limiter.hit("a")
    assert info.value.retry_after == 1
    limiter.hit("b")  # another key has its own bucket
    now[0] = 1.0
    limiter.hit("a")
    with pytest.raises(RateLimited):
        limiter.hit("a")


def test_scrub_removes_paths_but_not_media_types() -> None:
    text = "cannot read /srv/docsense/data/x.db: denied (application/pdf)"
    assert scrub(text) == "cannot read <path>: denied (application/pdf)"
