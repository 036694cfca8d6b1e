"""What a higher app reads from and writes into an IATI activity, lent at start-up.

The results framework sits above the portfolio in the layers, so the IATI reader and writer
cannot import it; the results app registers here, from its `AppConfig.ready`, how an
activity's ``<result>`` elements become its indicators and back (`corridor.results.iati`),
as `cases` lends `standards` its query of open cases.

- `read(activity, *, project, actor, language, report)`: called by the import for each
  activity once its project is written, inside the import's transaction and as the importing
  person (`actor`), so a refusal (`PermissionDenied`, `ValidationError`) writes nothing of
  the file. `language` is the activity's (its ``xml:lang``, else the file's, else English).
- `writer(projects)`: called once per export with its projects (so it can fetch what it
  needs in a fixed number of queries); returns `write(activity, *, project, imported)`,
  called for each activity once the portfolio has written it (`imported`: written from the
  publisher's original), which changes the activity's elements in place and returns the new
  top-level elements to add (the writer puts them where the schema's sequence wants them).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Extension:
    name: str
    read: Callable[..., None]
    writer: Callable[..., Callable[..., list]]


_EXTENSIONS: dict[str, Extension] = {}


def register(name: str, *, read: Callable[..., None], writer: Callable[..., Callable]) -> None:
    """Lend the reader and writer `name`'s part of an activity (once, however often start-up
    runs: a second registration under the same name replaces the first)."""
    _EXTENSIONS[name] = Extension(name, read, writer)


def registered() -> list[Extension]:
    return list(_EXTENSIONS.values())
