"""Settings: every option in one place, from arguments, ``DOCSENSE_*`` variables or ``.env``.

>>> s = Settings.load(store_url="memory://", snapshot_every=50)
>>> s.store_url, s.snapshot_every, s.reviewer
('memory://', 50, 'rules')

Invalid values fail in one :class:`~docsense.errors.ConfigurationError` that names every bad
field and the valid choices (``docsense.open()`` calls :meth:`Settings.load`, and also builds
the reviewer and loads the packs before it opens the store). A name that is not a setting is
refused too (:meth:`Settings.check_names`). Lists come from the environment comma-separated
(``DOCSENSE_PACKS=self-containment,governance``) or as JSON; a single string where a list is
expected is one item. Provider keys are ``SecretStr``: they never show in reprs, logs or
errors. Each key is also read from the provider's own variable (``ANTHROPIC_API_KEY``,
``OPENAI_API_KEY``, ``GOOGLE_API_KEY`` / ``GEMINI_API_KEY``).

LLM settings: ``llm_models`` (a JSON object in ``DOCSENSE_LLM_MODELS``) and
``llm_models_file`` add models to the model registry or change built-in ones (see
:mod:`docsense.adapters.ai.models`); ``openai_compatible_*`` configure the
``openai-compatible:<model>`` reviewer (a local Ollama, vLLM, llama.cpp or LM Studio).
"""

from __future__ import annotations

import difflib
import getpass
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlsplit

import platformdirs
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    packs: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["self-containment"],
        description="default policy packs (names or pack files; comma-separated in the "
        "environment)",
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
    llm_models: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="models to add to (or change in) the model registry: "
        '{"name": {"provider": ..., "context_window": ..., "max_output": ..., "input": ..., '
        '"output": ..., "cache_read": ..., "cache_write": ...}} (US dollars per 1M tokens)',
    )
    llm_models_file: Path | None = Field(
        default=None, description="a JSON file of models for the registry (same entries)"
    )
    openai_compatible_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible server (default Ollama's http://localhost:11434/v1)",
    )
    openai_compatible_api_key: SecretStr | None = _key(
        "openai_compatible_api_key", "OPENAI_COMPATIBLE_API_KEY"
    )
    openai_compatible_context_window: int = Field(
        default=4096,
        ge=512,
        description="the local server's context length in tokens (Ollama: OLLAMA_CONTEXT_LENGTH)",
    )
    openai_compatible_token_param: Literal["max_tokens", "max_completion_tokens"] = Field(
        default="max_tokens", description="the output-limit field the server reads"
    )
    openai_compatible_response_format: Literal["json_schema", "json_object"] = Field(
        default="json_schema",
        description="json_schema where the server supports it, else json_object (JSON mode)",
    )

    @field_validator("store_url")
    @classmethod
    def _known_scheme(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not is_storage_url(value):
            installed = ", ".join(installed_storage_schemes())
            more = f", or an installed adapter's scheme ({installed})" if installed else ""
            raise ValueError(
                f"use memory://, sqlite:///path/to/file.db or postgresql://user@host/db{more}"
            )
        problem = _store_url_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("reviewer")
    @classmethod
    def _reviewer_spec(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("name a reviewer, e.g. 'rules' or 'anthropic:<model>'")
        return value.strip()

    @field_validator("packs", mode="before")
    @classmethod
    def _pack_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    return json.loads(text)
                except ValueError:
                    raise ValueError(
                        "a JSON list of pack names, or names separated by commas"
                    ) from None
            return [item.strip() for item in text.split(",")]
        return value

    @field_validator("packs")
    @classmethod
    def _some_packs(cls, value: list[str]) -> list[str]:
        if not value or any(not p.strip() for p in value):
            raise ValueError("give at least one pack name or path")
        return [p.strip() for p in value]

    @classmethod
    def check_names(cls, names: Iterable[str]) -> None:
        """Raise ConfigurationError for any name that is not a setting (with a suggestion)."""
        known = set(cls.model_fields)
        for field in cls.model_fields.values():
            alias = field.validation_alias
            if isinstance(alias, AliasChoices):
                known.update(str(choice) for choice in alias.choices)
        unknown = sorted(set(names) - known)
        if unknown:
            hints = []
            for name in unknown:
                close = difflib.get_close_matches(name, sorted(cls.model_fields), n=1)
                hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
            raise ConfigurationError(
                f"unknown docsense settings: {', '.join(hints)}; the settings are: "
                + ", ".join(sorted(cls.model_fields))
            )

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Read the environment, apply ``overrides``, validate; raise ConfigurationError."""
        try:
            return cls(**overrides)
        except ValidationError as exc:
            problems = [
                f"{'.'.join(str(p) for p in error['loc']) or '(settings)'}: "
                + str(error["msg"]).removeprefix("Value error, ")
                for error in exc.errors()
            ]
            raise ConfigurationError(
                f"invalid docsense settings ({len(problems)}): " + "; ".join(problems)
            ) from None

    def resolved_store_url(self) -> str:
        """Return the store URL to open (the default SQLite file when none is set)."""
        return self.store_url or default_store_url()


def _store_url_problem(url: str) -> str | None:
    """Return what is wrong with a built-in store URL beyond its scheme, or None."""
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    if scheme == "sqlite":
        path, _, query = (rest[1:] if rest.startswith("/") else rest).partition("?")
        if not path:
            return "a SQLite URL names a file: sqlite:///relative.db or sqlite:////absolute.db"
        for key, value in parse_qsl(query, keep_blank_values=True):
            if key != "inline" or value.lower() not in ("1", "0", "true", "false", ""):
                return f"unknown SQLite URL option {key}={value!r}: the only option is inline=1"
        folder = os.path.dirname(os.path.abspath(path))
        if path != ":memory:" and not os.path.isdir(folder):
            return f"the folder of the SQLite file does not exist: {folder}"
    elif scheme in ("postgresql", "postgres") or scheme.startswith("postgresql+"):
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - parsing the port validates it
        except ValueError as exc:
            return f"malformed PostgreSQL URL: {exc}"
        schema = dict(parse_qsl(parts.query)).get("schema")
        if schema is not None and not schema.replace("_", "").isalnum():
            return f"?schema={schema!r}: a schema name is letters, digits and underscores"
    return None
