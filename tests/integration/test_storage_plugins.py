"""Third-party storage adapters registered as installed packages (``docsense.storage``).

Each test installs a distribution the way pip leaves one on ``sys.path`` (the
``install_distribution`` fixture), so ``importlib.metadata`` finds it exactly as it would a
real install: nothing is patched inside docsense.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import docsense
from docsense.adapters.storage import open_storage, storage_schemes
from docsense.config import Settings
from docsense.errors import ConfigurationError, UnsupportedStoreURL

InstallDistribution = Callable[..., Path]  # the fixture in tests/conftest.py

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "custom_adapter.py"
STRATEGY = Path(__file__).resolve().parents[2] / "examples" / "strategy.md"

_BAD_ADAPTERS = '''
async def not_storage(url, **options):
    return object()

not_callable = 42
'''


@pytest.fixture
def installed(install_distribution: InstallDistribution) -> Path:
    return install_distribution(
        "docsense-example-storage",
        {"custom_adapter.py": EXAMPLE.read_text(), "bad_adapters.py": _BAD_ADAPTERS},
        {
            "docsense.storage": {
                "logging": "custom_adapter:open_store",
                "missing": "no_such_module:open_store",
                "notstorage": "bad_adapters:not_storage",
                "notcallable": "bad_adapters:not_callable",
            }
        },
    )


def test_installed_schemes_are_listed(installed: Path) -> None:
    schemes = storage_schemes()
    assert schemes[:4] == ["memory", "sqlite", "postgresql", "postgres"]
    assert {"logging", "missing", "notstorage", "notcallable"} <= set(schemes)


def test_the_facade_opens_an_installed_adapter_by_url(installed: Path, tmp_path: Path) -> None:
    db = tmp_path / "wrapped.db"
    with docsense.open(f"logging+sqlite:///{db}", reviewer="rules") as ds:
        assert ds.store_url.startswith("logging+sqlite:///")
        doc = ds.ingest(STRATEGY)
        review = ds.review(doc.id)
        found = len(review.findings)
    assert found > 0
    # The wrapped store is a real SQLite file: the built-in adapter reads the same history.
    with docsense.open(f"sqlite:///{db}") as ds:
        [listed] = ds.documents()
        assert listed.id == doc.id
        assert len(ds.get_review(review.id).findings) == found


async def test_an_unknown_scheme_names_the_installed_ones(installed: Path) -> None:
    with pytest.raises(UnsupportedStoreURL, match=r"installed adapter's: .*logging"):
        await open_storage("nosuch://x")


async def test_a_broken_adapter_gets_a_configuration_error(installed: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"'missing' .*cannot be imported"):
        await open_storage("missing://x")
    not_callable = r"'notcallable' \(int from its entry point\) is not callable"
    with pytest.raises(ConfigurationError, match=not_callable):
        await open_storage("notcallable://x")
    with pytest.raises(ConfigurationError, match=r"'notstorage' returned a object, which is not"):
        await open_storage("notstorage://x")
    with pytest.raises(ConfigurationError, match="wraps another one"):
        await open_storage("logging://x")


@pytest.mark.parametrize(
    "url",
    ["memory://", "SQLite:///x.db", "postgres://u@h/db", "logging://", "logging+sqlite:///x.db"],
)
def test_settings_accept_built_in_and_installed_schemes(installed: Path, url: str) -> None:
    assert Settings.load(store_url=url).store_url == url


@pytest.mark.parametrize("url", ["nosuch://x", "memory:/", "sqlite+x:///x.db", "postgresql+x://h"])
def test_settings_refuse_other_schemes_naming_the_installed_ones(
    installed: Path, url: str
) -> None:
    refused = r"store_url: .*installed adapter's scheme.*logging"
    with pytest.raises(ConfigurationError, match=refused):
        Settings.load(store_url=url)
