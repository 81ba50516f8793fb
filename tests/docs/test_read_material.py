"""benchmarks/read_material.py lists every repository the project's records name."""

from __future__ import annotations

from benchmarks.read_material import read_repositories, repositories_in


def test_mentions_in_every_form_the_records_use_are_read() -> None:
    texts = [
        "- Cboe's papers (`Shuo-Wen-Chang/VIX @ 0f9c407`), and more",
        "| `docs/x.md` | IIP-17 | IndexCoop/IIPS @ 08a54444e06e5bdc4d1f0f56360f506d7b8c3c79 : x |",
        "github:beefyfinance/beefy-docs@b57f89ba6b9d00b7387490ebd545e68fa478b79c:safety/a.md",
        "a path like docs/ref @ home, or owner/name with no commit",
    ]
    assert repositories_in(texts) == {
        "Shuo-Wen-Chang/VIX", "IndexCoop/IIPS", "beefyfinance/beefy-docs"
    }


def test_the_records_name_the_labelled_sets_and_the_audited_repositories() -> None:
    read = set(read_repositories())
    # the labelled development sets, the held-out set and an audit file's documents
    assert {"IndexCoop/IIPS", "hummingbot/hummingbot-site", "Synthetixio/SIPs"} <= read
    assert {"Mimicry-Protocol/TAMI", "terra-money/classic-core"} <= read
    assert "bgd-labs/aave-capo" in read
