"""The ``docsense`` command line (typer + rich). ``python -m docsense.cli`` runs it too.

Global options (before the command): ``--store URL`` (default ``DOCSENSE_STORE_URL``, else a
SQLite file in the user data directory), ``--actor NAME``, ``--log-format text|json`` (log
records on stderr; JSON lines carry the correlation id), ``--debug`` (debug logs, tracebacks
with errors), ``--version``. Every other setting comes from ``DOCSENSE_*`` variables or
``.env`` (see :class:`docsense.Settings`).

Commands::

    docsense review FILE... [-d DOC_ID] [-p PACK]... [--reviewer SPEC]
                    [-f md|html|json|sarif] [-o PATH] [--fail-on SEVERITY] [-q]
                    [--strict/--no-strict]
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
    docsense health [--json] [--max-lag S] [--max-lag-events N] [--max-latency S]
                    [--max-job-wait S] [--timeout S]
    docsense completion bash|zsh|fish|powershell
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

Exit codes (:class:`ExitCode`):

- 0: clean: the command succeeded and ``review --fail-on`` found nothing at or above it.
- 1: ``review --fail-on SEVERITY`` found a finding at or above SEVERITY; ``verify`` found a
  broken hash chain.
- 2: bad usage or input: a usage error, an unreadable, unsupported or rejected file, an
  unknown id or pack, an invalid decision.
- 3: store or configuration unavailable: the store cannot be reached, opened or written
  (PostgreSQL down, a SQLite path that cannot be created), an invalid setting (the message
  lists every bad field), a store URL no adapter handles, a missing extra or API key.
- 4: provider failure: an LLM provider call failed after its retries, or a review completed
  but assessed no policy of an input (every part refused, blocked or failed; the report says
  why per policy).
- 70: an unexpected internal error (a bug: rerun with ``--debug`` and report the traceback);
  also ``review --strict`` when a check or reviewer raised (without ``--strict`` the error is
  recorded on the review, shown in its report and as a ``warning:`` line, and the others
  still run).
- 130: interrupted (Ctrl-C).

``health`` has exit codes of its own, for container probes: 0 ok, 1 degraded, 3 failing
(the store or the configuration is unavailable); see :mod:`docsense.cli.health`.

In a multi-file ``review`` or ``ingest`` the other files are still processed; the exit code
is then the first of 70, 3, 2, 4, 1 that applies (70: ``review --strict`` and a check raised).

Logs: ``--log-format json`` writes one JSON object per record on stderr at INFO level (what
was ingested and reviewed) without ``--debug``; text logs show warnings only. Every record
and every event a command stores carries the same correlation id, one per command.

Shell completion: ``docsense completion bash|zsh|fish|powershell`` prints the script.

Errors are printed as one line, ``error: <message>``, on stderr; ``--debug`` prints the
traceback before it.
"""

from docsense.cli._runtime import ExitCode
from docsense.cli.app import app, main

__all__ = ["ExitCode", "app", "main"]
