"""Test kits for adapter authors: the contract suites every port implementation must pass.

>>> from docsense.testing import StorageContract   # doctest: +SKIP

Needs ``pytest`` and ``pytest-asyncio`` (``pip install 'docsense[test]'``); importing this
package never happens in normal library use.
"""

from docsense.testing.projections import ProjectionStoreContract
from docsense.testing.reviewers import ReviewerContract
from docsense.testing.storage import StorageContract, new_event

__all__ = ["ProjectionStoreContract", "ReviewerContract", "StorageContract", "new_event"]
