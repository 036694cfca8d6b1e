"""IATI activity XML: export projects as IATI 2.03, import IATI 2.01, 2.02 and 2.03 files.

IATI (the International Aid Transparency Initiative) publishes activities as XML
(https://iatistandard.org/en/iati-standard/203/activity-standard/). This package maps our
cooperation projects to IATI activities and back. The choices below are Corridor's own;
each mapping is a dict so that it can be printed and reviewed.

The package: `mapping` (the codelists both ways, identifiers, the vendored schema),
`reader` (import; keeps each imported activity's original element) and `writer` (export,
validated against the schema vendored in ``schema/``; imported activities are written from
their original with Corridor's changes applied, so a round trip is lossless).
"""

from corridor.portfolio.iati.mapping import (
    CORRIDOR_NS,
    DEFAULT_IMPORT_KIND,
    IATI_VERSION,
    SCHEMA_PATH,
    SUPPORTED_VERSIONS,
    iati_identifier,
)
from corridor.portfolio.iati.reader import (
    ActivityProblem,
    IatiImportError,
    ImportReport,
    import_activities,
    parse_activity_file,
)
from corridor.portfolio.iati.writer import IatiExportError, activity_schema, export_activities

__all__ = [
    "CORRIDOR_NS",
    "DEFAULT_IMPORT_KIND",
    "IATI_VERSION",
    "SCHEMA_PATH",
    "SUPPORTED_VERSIONS",
    "ActivityProblem",
    "IatiExportError",
    "IatiImportError",
    "ImportReport",
    "activity_schema",
    "export_activities",
    "iati_identifier",
    "import_activities",
    "parse_activity_file",
]
