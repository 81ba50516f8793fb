"""Issue 15: errors a user catches by habit (FileNotFoundError, LookupError), in their words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import docsense
from docsense import errors
from docsense.errors import (
    DocSenseError,
    DocumentNotFound,
    FindingNotFound,
    InputFileNotFound,
    ReviewNotFound,
    VersionNotFound,
)

CATALOGUE = Path(__file__).resolve().parents[2] / "docs" / "concepts" / "errors.md"
TEXT = b"# Rules\n\nRebalance periodically. Stocks qualify below the threshold.\n"


def test_a_missing_input_file_is_a_file_not_found_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.pdf"
    with docsense.open("memory://") as ds, pytest.raises(FileNotFoundError) as info:
        ds.ingest(missing)
    assert isinstance(info.value, InputFileNotFound)
    assert isinstance(info.value, DocSenseError)
    assert info.value.filename == str(missing)
    assert str(info.value) == f"{missing}: no such file"


def test_unknown_ids_are_lookup_errors_that_say_how_to_list_them() -> None:
    with docsense.open("memory://") as ds:
        doc = ds.ingest(TEXT, filename="r.md")
        review = ds.review(doc.id)
        cases: list[tuple[Callable[[], Any], type[Exception], str]] = [
            (lambda: ds.document("document-nope"), DocumentNotFound, "ds.documents()"),
            (lambda: ds.document("nope"), DocumentNotFound, "look like 'document-"),
            (lambda: ds.history("document-nope"), DocumentNotFound, "no document with id"),
            (lambda: ds.review("document-nope"), DocumentNotFound, "no document with id"),
            (lambda: ds.get_review("review-nope"), ReviewNotFound, "ds.reviews()"),
            (lambda: ds.feedback("review-nope").items(), ReviewNotFound, "no review with id"),
            (lambda: ds.apply_feedback("nope"), ReviewNotFound, "look like 'review-"),
            (lambda: ds.feedback(review.id).accept("f-nope"), FindingNotFound, ".items()"),
            (lambda: ds.document(doc.id, version="9.9"), VersionNotFound, "it has 1.0"),
        ]
        for call, kind, words in cases:
            with pytest.raises(LookupError) as info:
                call()
            assert isinstance(info.value, kind)
            assert isinstance(info.value, DocSenseError)
            assert words in str(info.value)
            assert "aggregate" not in str(info.value)


def test_every_public_error_is_in_the_catalogue() -> None:
    text = CATALOGUE.read_text(encoding="utf-8")
    missing = [name for name in errors.__all__ if f"`{name}`" not in text]
    assert not missing, f"add these to {CATALOGUE.name}: {missing}"
