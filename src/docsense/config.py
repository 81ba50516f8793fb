"""Settings: every option in one place, from arguments, ``DOCSENSE_*`` variables or ``.env``.

>>> s = Settings.load(store_url="memory://", snapshot_every=50)
>>> s.store_url, s.snapshot_every, s.reviewer
('memory://', 50, 'rules')

Invalid values fail in one :class:`~docsense.errors.ConfigurationError` that names every bad
field (``docsense.open()`` calls :meth:`Settings.load`). Provider keys are ``SecretStr``:
they never show in reprs, logs or errors. Each key is also read from the provider's own
variable (``ANTHROPIC_API_KEY``, ``OPENAI_API_KEY``, ``GOOGLE_API_KEY`` / ``GEMINI_API_KEY``).
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from docsense.adapters.storage import installed_storage_schemes, is_storage_url
from docsense.domain.findings import DEFAULT_MIN_CONFIDENCE
from docsense.errors import ConfigurationError

__all__ = ["Settings", "default_store_url"]


def default_store_url() -> str:
    """Return the default store: ``docsense.db`` in the user data directory (created)."""
    folder = Path(platformdirs.user_data_dir("docsense", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'docsense.db'}"


def _default_actor() -> str:
    try:
        return getpass.getuser() or "docsense"
    except (KeyError, OSError):  # no login name in some containers
        return "docsense"


def _key(name: str, *env: str) -> Any:
    return Field(
        default=None,
        validation_alias=AliasChoices(f"DOCSENSE_{name.upper()}", name, *env),
        description=f"API key ({' or '.join(env)} also read)",
    )


class Settings(BaseSettings):
    """docsense configuration. Field names map to ``DOCSENSE_<NAME>`` variables."""

    model_config = SettingsConfigDict(
        env_prefix="DOCSENSE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        validate_default=True,
    )

    store_url: str | None = Field(
        default=None,
        description="memory://, sqlite:///path.db or postgresql://... (default: a SQLite "
        "file in the user data directory)",
    )
    reviewer: str = Field(default="rules", description="reviewer spec, e.g. rules")
    packs: list[str] = Field(
        default_factory=lambda: ["self-containment"], description="default policy packs"
    )
    actor: str = Field(default_factory=_default_actor, description="who events are recorded as")
    snapshot_every: int = Field(default=100, ge=0, description="snapshot interval (0: off)")
    pool_size: int = Field(default=10, ge=1, le=1000, description="PostgreSQL pool size")
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1)
    max_pages: int = Field(default=500, ge=1)
    ingest_time_budget_s: float = Field(default=60.0, gt=0)
    llm_timeout_s: float = Field(default=120.0, gt=0)
    llm_max_concurrency: int = Field(default=4, ge=1, le=256)
    min_confidence: float = Field(
        default=DEFAULT_MIN_CONFIDENCE,
        ge=0.0,
        le=1.0,
        allow_inf_nan=False,
        description="confidence threshold: findings below it are kept but not shown or scored",
    )
    log_format: Literal["text", "json"] = "text"
    anthropic_api_key: SecretStr | None = _key("anthropic_api_key", "ANTHROPIC_API_KEY")
    openai_api_key: SecretStr | None = _key("openai_api_key", "OPENAI_API_KEY")
    google_api_key: SecretStr | None = _key("google_api_key", "GOOGLE_API_KEY", "GEMINI_API_KEY")
    anthropic_base_url: str | None = None
    openai_base_url: str | None = None
    google_base_url: str | None = None

    @field_validator("store_url")
    @classmethod
    def _known_scheme(cls, value: str | None) -> str | None:
        if value is None or is_storage_url(value):
            return value
        installed = installed_storage_schemes()
        more = f", or an installed adapter's scheme ({', '.join(installed)})" if installed else ""
        raise ValueError(
            f"use memory://, sqlite:///path/to/file.db or postgresql://user@host/db{more}"
        )

    @field_validator("reviewer")
    @classmethod
    def _reviewer_spec(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("name a reviewer, e.g. 'rules' or 'anthropic:<model>'")
        return value.strip()

    @field_validator("packs")
    @classmethod
    def _some_packs(cls, value: list[str]) -> list[str]:
        if not value or any(not p.strip() for p in value):
            raise ValueError("give at least one pack name or path")
        return value

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Read the environment, apply ``overrides``, validate; raise ConfigurationError."""
        try:
            return cls(**overrides)
        except ValidationError as exc:
            problems = [
                f"{'.'.join(str(p) for p in error['loc']) or '(settings)'}: {error['msg']}"
                for error in exc.errors()
            ]
            raise ConfigurationError(
                f"invalid docsense settings ({len(problems)}): " + "; ".join(problems)
            ) from None

    def resolved_store_url(self) -> str:
        """Return the store URL to open (the default SQLite file when none is set)."""
        return self.store_url or default_store_url()
