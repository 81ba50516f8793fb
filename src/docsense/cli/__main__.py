"""``python -m docsense.cli``: the same as the ``docsense`` command."""

import sys

from docsense.cli import main

sys.exit(main())
