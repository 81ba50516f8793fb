r"""Make an uploaded file name safe to store, log and show.

Rules, in order:

* a NUL byte is rejected outright (:class:`~docsense.errors.InvalidFilename`): no legitimate
  name contains one and it is the classic ``evil.php\0.pdf`` truncation trick;
* Unicode is NFC-normalised; control, format (bidi overrides such as U+202E) and
  surrogate characters are removed;
* any directory part is dropped (both ``/`` and ``\`` separate), so ``../../x.pdf`` becomes
  ``x.pdf``; leading dots and spaces and trailing dots and spaces are stripped;
* Windows device names (``CON``, ``NUL``, ``COM1`` ...) get a leading underscore;
* the result is capped at 255 UTF-8 bytes, keeping the extension;
* a name that is empty after all this raises :class:`~docsense.errors.InvalidFilename`.

>>> sanitize_filename("../../reports/Q3 strategy.pdf")
'Q3 strategy.pdf'
"""

from __future__ import annotations

import unicodedata

from docsense.errors import InvalidFilename

__all__ = ["MAX_FILENAME_BYTES", "sanitize_filename"]

MAX_FILENAME_BYTES = 255

_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(10)} | {f"LPT{i}" for i in range(10)}
)
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def sanitize_filename(name: str) -> str:
    """Return a safe version of ``name`` or raise :class:`~docsense.errors.InvalidFilename`."""
    shown = repr(name[:80])
    if "\x00" in name:
        raise InvalidFilename(shown, "file name contains a NUL byte; rename the file")
    text = unicodedata.normalize("NFC", name)
    text = "".join(
        " " if ch in "\t\n\r" else ch
        for ch in text
        if ch in "\t\n\r" or unicodedata.category(ch) not in _DROPPED_CATEGORIES
    )
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = " ".join(text.split())
    text = text.strip(". ")
    if not text:
        raise InvalidFilename(shown, "file name is empty once path and control characters go")
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    if stem.split(".")[0].upper() in _WINDOWS_DEVICES:
        text = "_" + text
        stem = "_" + stem
    if len(text.encode("utf-8")) > MAX_FILENAME_BYTES:
        suffix = f".{ext}" if dot and len(ext.encode("utf-8")) <= 16 else ""
        budget = MAX_FILENAME_BYTES - len(suffix.encode("utf-8"))
        base = stem if suffix else text
        base = base.encode("utf-8")[:budget].decode("utf-8", errors="ignore").rstrip(". ")
        text = base + suffix
    return text
