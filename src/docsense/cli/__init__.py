"""The ``docsense`` command line (typer + rich). ``python -m docsense.cli`` runs it too.

Global options (before the command): ``--store URL`` (default ``DOCSENSE_STORE_URL``, else a
SQLite file in the user data directory), ``--actor NAME``, ``--log-format text|json`` (log
records on stderr; JSON lines carry the correlation id), ``--debug`` (debug logs, tracebacks
with errors), ``--version``. Every other setting comes from ``DOCSENSE_*`` variables or
``.env`` (see :class:`docsense.Settings`).

Commands::

    docsense review FILE... [-d DOC_ID] [-p PACK]... [--reviewer SPEC]
                    [-f md|html|json|sarif] [-o PATH] [--fail-on SEVERITY] [-q]
    docsense ingest FILE... [--title T] [--document-id ID] [--json]
    docsense documents [--limit N] [--offset N] [--json]
    docsense reviews [DOC_ID] [--limit N] [--offset N] [--json]
    docsense history DOC_ID [--json]
    docsense export DOC_ID [-v VERSION] [-f md|docx] [-o PATH]
    docsense feedback list REVIEW_ID [--json]
    docsense feedback accept REVIEW_ID FINDING_ID...
    docsense feedback reject REVIEW_ID FINDING_ID... --reason TEXT
    docsense feedback modify REVIEW_ID FINDING_ID --text TEXT|-
    docsense feedback apply REVIEW_ID [--diff]
    docsense packs list [--json]
    docsense packs show NAME|PATH [--json]
    docsense projections status [--json]
    docsense projections rebuild (NAME... | --all) [--json]
    docsense projections dead-letters [NAME] [--traceback] [--json]
    docsense projections retry NAME EVENT_ID
    docsense projections discard NAME EVENT_ID
    docsense worker [--poll-interval SECONDS]
    docsense verify [--digest] [--json]
    docsense dump PATH [--no-blobs] [--json]
    docsense restore PATH [--json]
    docsense backup PATH [--no-check] [--json]
    docsense archive (DOC_ID... | --inactive-days N) --to PATH [--remove] [--json]
    docsense restore-archive PATH [--json]

``review`` writes only the report(s) to stdout (so ``-f json`` / ``-f sarif`` output is pure
JSON); its summary table, progress bar and verdict go to stderr. Several inputs without
``-o``: md reports are concatenated, json is an array, sarif one log with a run per input;
with ``-o DIR`` each input gets ``DIR/<name>.<ext>``.

Exit codes:

- 0: success.
- 1: ``review --fail-on SEVERITY`` found a finding at or above SEVERITY; ``verify`` found a
  broken hash chain.
- 2: usage error; unreadable, unsupported or rejected input; invalid settings (the message
  lists every bad field); or any other docsense error (unknown id, invalid decision...).
  In a multi-file ``review`` or ``ingest`` the other files are still processed, and 2
  outranks 1.
- 3: an unexpected internal error (a bug: rerun with ``--debug`` and report the traceback).
- 4: ``review`` completed but assessed no policy of an input (the model refused or the
  provider blocked every part, or every answer was unusable): there is no score, and the
  report says why per policy. 2 outranks 4, and 4 outranks 1.
- 130: interrupted (Ctrl-C).

Errors are printed as one line, ``error: <message>``, on stderr; ``--debug`` prints the
traceback before it.
"""

from docsense.cli._runtime import ExitCode
from docsense.cli.app import app, main

__all__ = ["ExitCode", "app", "main"]
