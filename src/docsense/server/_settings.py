"""The HTTP service's own settings: ``DOCSENSE_SERVER_*`` variables (or arguments)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from docsense.errors import ConfigurationError

__all__ = ["ServerSettings"]


class ServerSettings(BaseSettings):
    """How the service listens and what it lets through. Secure by default.

    The store, reviewer and packs come from the library's own settings
    (:class:`docsense.config.Settings`, ``DOCSENSE_*``).
    """

    model_config = SettingsConfigDict(
        env_prefix="DOCSENSE_SERVER_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    host: str = Field(default="127.0.0.1", description="address to listen on")
    port: int = Field(default=8000, ge=1, le=65535, description="port to listen on")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="origins allowed to call the API from a browser (comma-separated; "
        "default: none)",
    )
    rate_limit_per_minute: int = Field(
        default=600, ge=1, description="requests per minute allowed to one token"
    )
    rate_limit_burst: int = Field(
        default=60, ge=1, description="requests one token may send at once before waiting"
    )
    failed_auth_per_minute: int = Field(
        default=30, ge=1, description="failed authentications per minute from one client"
    )
    max_request_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="largest request body except uploads"
    )
    max_upload_bytes: int | None = Field(
        default=None,
        ge=1,
        description="largest uploaded file (default: the library's max_upload_bytes)",
    )
    reviewers: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="reviewer specs a request may ask for (default: only the configured "
        "reviewer)",
    )
    secure_cookies: bool = Field(
        default=True, description="mark the web UI's cookie Secure (HTTPS only)"
    )
    hsts: bool = Field(default=True, description="send Strict-Transport-Security")
    sse_poll_seconds: float = Field(
        default=0.5, gt=0, description="how often server-sent events look at a job"
    )

    @field_validator("cors_origins", "reviewers", mode="before")
    @classmethod
    def _list(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [item.strip() for item in text.split(",") if item.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin == "*" or not origin.startswith(("https://", "http://")):
                raise ValueError(
                    f"{origin!r}: list each allowed origin as scheme://host[:port] ('*' is "
                    "not allowed)"
                )
        return [o.rstrip("/") for o in value]

    @classmethod
    def load(cls, **overrides: Any) -> ServerSettings:
        """Read the environment, apply ``overrides``, validate; raise ConfigurationError."""
        try:
            return cls(**overrides)
        except (ValidationError, ValueError) as exc:
            raise ConfigurationError(f"invalid docsense server settings: {exc}") from None
