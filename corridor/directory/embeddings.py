"""The embeddings of a profile's offers and needs: computed by the background task
(`tasks.profile_embed`) when they change, or here in this process for the demo loader and
`manage.py directory_embed`; never by a page that reads them.

The profiles' mean vectors are also kept in one file all processes map
(`vector_index.py`: int8, written atomically), under the var directory, one file per
database. The task puts a changed profile's row in it; `profile_embed_all` rewrites it
whole. A reader that finds it missing or unreadable rebuilds it from the database with a
logged warning (or, when it cannot write there, keeps an index in memory), and one that finds
rows not matching the database (`Profile.embedded_hash`) puts those rows right: the file is
a copy of what the database holds, never the other way round.
"""

import hashlib
import logging
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from corridor.directory import matching, vector_index
from corridor.directory.models import Profile, Statement

logger = logging.getLogger(__name__)


def texts_hash(profile: Profile) -> str:
    """The hash of what the embeddings are computed from (the texts and the way they are
    encoded): a change of either means they are stale."""
    key = f"{matching.ENCODING_VERSION}\x00{profile.offers}\x00{profile.needs}"
    return hashlib.sha256(key.encode()).hexdigest()


def profile_embeddings_store(*, profile_id: int, update_index: bool = True) -> bool:
    """Compute and store the embeddings of one profile's offers and needs (the background
    task calls this), then put its row in the shared index file (unless `update_index` is
    False: `profile_embed_all` writes the file once at the end). Returns False when nothing
    needed doing (already up to date)."""
    profile = Profile.objects.select_related("organisation").filter(pk=profile_id).first()
    if profile is None:
        return False
    wanted = texts_hash(profile)
    if profile.embedded_hash == wanted and profile.embedded_at is not None:
        return False
    offers, needs = profile.offer_lines(), profile.need_lines()
    vectors = matching.encoder().encode(offers + needs)
    offer_vectors, need_vectors = vectors[: len(offers)], vectors[len(offers) :]
    with transaction.atomic():
        current = Profile.objects.select_for_update().get(pk=profile_id)
        if texts_hash(current) != wanted:  # changed again meanwhile: its own task will run
            return False
        Statement.objects.filter(profile=current).delete()
        Statement.objects.bulk_create(
            [
                Statement(
                    profile=current,
                    kind=kind,
                    position=position,
                    text=text,
                    vector=matching.to_bytes(vector),
                )
                for kind, texts, matrix in (
                    (Statement.Kind.OFFER, offers, offer_vectors),
                    (Statement.Kind.NEED, needs, need_vectors),
                )
                for position, (text, vector) in enumerate(zip(texts, matrix, strict=True))
            ]
        )
        current.offer_vector = matching.to_bytes(matching.mean_vector(offer_vectors))
        current.need_vector = matching.to_bytes(matching.mean_vector(need_vectors))
        current.embedded_hash = wanted
        current.embedded_at = timezone.now()
        current.save(update_fields=["offer_vector", "need_vector", "embedded_hash", "embedded_at"])
    if update_index:
        try:
            index_update([profile_id])
        except (OSError, vector_index.CorruptIndex) as error:  # readers put it right
            logger.warning("The directory's vector index was not updated: %s", error)
    return True


def profile_embed_all(*, stale_only: bool = True) -> int:
    """Embed every profile (or only those whose texts changed) in this process; for the demo
    loader and the `directory_embed` command. Returns how many were computed."""
    done = 0
    for pk in Profile.objects.order_by("pk").values_list("pk", flat=True):
        if not stale_only:
            Profile.objects.filter(pk=pk).update(embedded_hash="")
        done += profile_embeddings_store(profile_id=pk, update_index=False)
    try:
        index_rebuild()
    except OSError as error:  # readers fall back to an index in memory
        logger.warning("The directory's vector index could not be written: %s", error)
    return done


# --- the shared index file -----------------------------------------------------------------

CHUNK = 5_000  # profiles read from the database at a time when the whole file is written


def index_path() -> Path:
    """The index file of this database, under the var directory: tests (a database each)
    and the development server never share one."""
    database = connection.settings_dict
    name = "|".join(str(database.get(field) or "") for field in ("ENGINE", "NAME", "HOST", "PORT"))
    tag = hashlib.sha256(name.encode()).hexdigest()[:12]
    return Path(settings.VAR_DIR) / "directory" / f"vectors-{tag}.idx"


def fingerprint(embedded_hash: str) -> int:
    """Which embedding a row of the index holds: the first 16 hex digits of the hash."""
    try:
        return int((embedded_hash or "")[:16], 16)
    except ValueError:
        return 0


def _embedded():
    return Profile.objects.filter(embedded_at__isnull=False).order_by("pk")


def _rows(profile_ids) -> dict[int, tuple[int, np.ndarray, np.ndarray]]:
    """key -> (fingerprint, offer vector, need vector) of those profiles that are embedded."""
    rows = {}
    found = _embedded().filter(pk__in=list(profile_ids))
    for pk, embedded_hash, offer, need in found.values_list(
        "pk", "embedded_hash", "offer_vector", "need_vector"
    ):
        rows[pk] = (
            fingerprint(embedded_hash),
            matching.from_bytes(bytes(offer)),
            matching.from_bytes(bytes(need)),
        )
    return rows


def _from_database() -> vector_index.VectorIndex:
    """Every embedded profile's row, quantised a chunk at a time (never all as float32)."""
    keys, fingerprints, offer_codes, offer_scales, need_codes, need_scales = [], [], [], [], [], []
    ids = list(_embedded().values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        rows = _rows(ids[start : start + CHUNK])
        chunk = sorted(rows)
        if not chunk:
            continue
        offer = vector_index.Int8Vectors.of(np.stack([rows[k][1] for k in chunk]))
        need = vector_index.Int8Vectors.of(np.stack([rows[k][2] for k in chunk]))
        keys.append(np.array(chunk, dtype=np.int64))
        fingerprints.append(np.array([rows[k][0] for k in chunk], dtype=np.uint64))
        offer_codes.append(offer.codes)
        offer_scales.append(offer.scale)
        need_codes.append(need.codes)
        need_scales.append(need.scale)
    if not keys:
        return vector_index.updated(None, {})
    return vector_index.VectorIndex(
        keys=np.concatenate(keys),
        fingerprints=np.concatenate(fingerprints),
        offer=vector_index.Int8Vectors(np.concatenate(offer_codes), np.concatenate(offer_scales)),
        need=vector_index.Int8Vectors(np.concatenate(need_codes), np.concatenate(need_scales)),
        generation=0,
    )


def _generation(path: Path) -> int:
    try:
        return vector_index.open_index(path).generation
    except (OSError, vector_index.CorruptIndex):
        return 0


def index_rebuild(*, unless_readable: bool = False) -> vector_index.VectorIndex:
    """Write the whole index file from the database and return it opened. With
    `unless_readable`, a file another process wrote meanwhile is kept (readers that all
    found it missing rebuild it once, not once each)."""
    path = index_path()
    with vector_index.locked(path):
        if unless_readable:
            try:
                return vector_index.open_index(path)
            except (FileNotFoundError, vector_index.CorruptIndex):
                pass
        vector_index.save(path, _from_database(), _generation(path) + 1)
        return vector_index.open_index(path)


def index_update(profile_ids) -> vector_index.VectorIndex:
    """Put these profiles' rows in the index file as the database holds them (a profile no
    longer embedded, or gone, leaves it); rebuilds the whole file when it is missing or
    unreadable. Returns the file opened."""
    path = index_path()
    profile_ids = {int(pk) for pk in profile_ids}
    with vector_index.locked(path):
        try:
            current = vector_index.open_index(path)
        except (FileNotFoundError, vector_index.CorruptIndex):
            vector_index.save(path, _from_database(), 1)
            return vector_index.open_index(path)
        rows = _rows(profile_ids)
        changed = vector_index.updated(current, rows, removed=profile_ids - set(rows))
        vector_index.save(path, changed, current.generation + 1)
        return vector_index.open_index(path)


def shared_index(embedded: dict[int, int]) -> vector_index.VectorIndex:
    """The index for a reader, given what the database holds (profile id -> fingerprint of
    its embedding): the mapped file, rebuilt with a logged warning when missing or unreadable,
    its rows put right where they differ from `embedded`; an index in this process's memory
    when the file cannot be written (a warning says so)."""
    path = index_path()
    try:
        index = vector_index.open_index(path)
    except (FileNotFoundError, vector_index.CorruptIndex) as error:
        logger.warning(
            "The directory's vector index %s cannot be read (%s); building it from the database.",
            path,
            error if not isinstance(error, FileNotFoundError) else "missing",
        )
        return _rebuilt_or_in_memory()
    held = index.fingerprint_of()
    stale = [key for key, wanted in embedded.items() if held.get(key) != wanted]
    gone = [key for key in held if key not in embedded]
    if not stale and not gone:
        return index
    try:
        return index_update(stale + gone)
    except (OSError, vector_index.CorruptIndex) as error:
        logger.warning("The directory's vector index %s cannot be updated: %s", path, error)
        return _in_memory()


def _rebuilt_or_in_memory() -> vector_index.VectorIndex:
    try:
        return index_rebuild(unless_readable=True)
    except (OSError, vector_index.CorruptIndex) as error:
        logger.warning(
            "The directory's vector index cannot be written (%s); this process keeps one in "
            "memory.",
            error,
        )
        return _in_memory()


def _in_memory() -> vector_index.VectorIndex:
    index = _from_database()
    index.identity = vector_index.identity(index_path())  # so readers do not retry each time
    return index
