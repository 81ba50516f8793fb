"""Test kits for adapter authors: the contract suites every port implementation must pass.

>>> from docsense.testing import StorageContract   # doctest: +SKIP

Needs the ``testing`` extra, ``pip install 'docsense[testing]'`` (pytest, pytest-asyncio and
hypothesis, nothing else); importing this package never happens in normal library use.

- :class:`StorageContract` and :class:`ProjectionStoreContract`: every store (the storage
  port, :mod:`docsense.stores`). Provide an ``open_store`` fixture: an async factory opening
  a new connection to one fresh backend per call.
- :class:`ReviewerContract`: every reviewer (the reviewer port, :mod:`docsense.reviewers`).
  Provide a ``reviewer`` fixture; set ``llm = True`` for one that calls a model.
- Checks and packs are plain functions and data: test a check on a
  :class:`~docsense.checks.CheckContext` and a pack with :func:`docsense.policies.load_pack`.

``examples/adapter-package`` in the docsense repository is a package that uses them.
"""

from docsense.testing.projections import ProjectionStoreContract
from docsense.testing.reviewers import ReviewerContract
from docsense.testing.storage import StorageContract, new_event

__all__ = ["ProjectionStoreContract", "ReviewerContract", "StorageContract", "new_event"]
