"""Policy packs: the ``docsense.pack/1`` format, the loader and the built-in packs.

>>> pack = load_pack("self-containment")
>>> pack.key, len(pack.policies) >= 10
('self-containment', True)
"""

from docsense.policies._loader import (
    PACK_ENTRY_POINT_GROUP,
    LoadedPack,
    available_packs,
    builtin_pack_names,
    load_pack,
    load_pack_file,
    parse_pack,
)
from docsense.policies._model import CHECK_KINDS, PACK_FORMAT, CheckSpec, PackSpec, PolicySpec

__all__ = [
    "CHECK_KINDS",
    "PACK_ENTRY_POINT_GROUP",
    "PACK_FORMAT",
    "CheckSpec",
    "LoadedPack",
    "PackSpec",
    "PolicySpec",
    "available_packs",
    "builtin_pack_names",
    "load_pack",
    "load_pack_file",
    "parse_pack",
]
