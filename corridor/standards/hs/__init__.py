"""The Harmonized System nomenclature: `nomenclature` reads it (search, ancestry, labels),
`imports` loads the UN Comtrade CSV files (`manage.py hs_import`, from `standards/data/`),
`views`/`urls` are the public browse and search pages, `api` their JSON twin.

The names other modules use are exposed here: `from corridor.standards import hs`, then
`hs.search(...)`, `hs.ancestry(...)`, `hs.import_hs(...)`.
"""

from corridor.standards.hs.imports import HsImportError, HsImportReport, import_hs
from corridor.standards.hs.nomenclature import (
    DEFAULT_EDITION,
    ancestries,
    ancestry,
    code_is_known,
    code_label,
    get_code,
    normalise_code,
    search,
)

__all__ = [
    "DEFAULT_EDITION",
    "HsImportError",
    "HsImportReport",
    "ancestries",
    "ancestry",
    "code_is_known",
    "code_label",
    "get_code",
    "import_hs",
    "normalise_code",
    "search",
]
