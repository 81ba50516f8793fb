#!/bin/sh
# Read the store URL (it holds the database password) from a secret file, then run the command.
set -eu
if [ -n "${DOCSENSE_STORE_URL_FILE:-}" ] && [ -f "$DOCSENSE_STORE_URL_FILE" ]; then
    DOCSENSE_STORE_URL="$(cat "$DOCSENSE_STORE_URL_FILE")"
    export DOCSENSE_STORE_URL
fi
exec "$@"
