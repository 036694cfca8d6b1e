"""The profiles' mean offer and need vectors as ONE file that every process maps.

A plain module with no Django import (numpy, simsimd and the standard library), so the
benchmark can use it alone; `embeddings.py` decides where the file lives, fills it from the
database and heals it.

Why a memory-mapped file rather than arrays in each process or the database: stage 1 of the
recommender scores every profile for every request, so the vectors must be in memory; kept
as float32 arrays in every app process they cost 410 MB per process at 100,000 profiles. A
file mapped read-only by every process is one copy in the operating system's page cache,
shared by all of them (a process's proportional share falls with each process that maps
it); the database would have to send the 100,000 rows on every request. The file is
written by the embedding task (one changed profile: the file copied with that row
replaced) and by `directory_embed` (all of it), always to a temporary file first and then
`os.replace`d, so a reader sees the old file or the new one, never half of either; writers
take an exclusive `flock` on a lock file beside it so that two updates never lose each
other's row. Readers `stat` the path on each request and reopen it when it changed.

Quantisation: each vector is stored as int8 with one float32 scale (max |x| / 127), 1,024
bytes per profile for both vectors instead of 4,096. A query vector is quantised the same
way and the dot products are int8 x int8 SIMD kernels (simsimd; numpy has none: converting
int8 rows to float32 for BLAS cost as much as reading float32, 28 ms for both directions at
100,000 profiles against 5 ms), each then multiplied by the two scales. The error of a
cosine is under 0.003 (bench/matching.py prints how rankings change).

A compact first pass (format 2): each row also has its signs as bits (64 bytes for 512
dimensions, 1/8 of its int8 row). A query at scale (`matching.COARSE_FROM`) scans only
the bits with Hamming distance (simsimd, 2.4 ms a direction at 100,000 profiles), keeps
the best two thousand rows by the ranker's score with cosines read from the signs
(`matching._coarse_rows`; `nearest` for one direction), and rescores those exactly from
their int8 rows (`take`). Those rows are READ from the file (`pread`, through the page cache every
process shares), not touched through the mapping: a touch of one row maps its whole
neighbourhood (the kernel's fault-around, 64 KB), so a few thousand scattered rows would
make the whole int8 part resident in every process again. The bits, keys and scales are
what a process keeps resident: 2 x 64 + 24 bytes a profile (15 MB at 100,000).

The file: a 64-byte header (magic, format version, dimensions, count, generation, a CRC-32
of the sections before the vectors), then, each 64-byte aligned: keys (int64, ascending),
fingerprints (uint64: which embedding a row holds; the Django side stores the first 16 hex
digits of `Profile.embedded_hash`), offer scales and need scales (float32), offer and need
sign bits (uint8, dimensions / 8 a row), then, page aligned, offer vectors and need vectors
(int8, one row per key). A file of the wrong size, magic, version or checksum is refused
with `CorruptIndex` (an older format too: the Django side rebuilds it, with a warning).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import simsimd

MAGIC = b"CORRVEC1"
FORMAT_VERSION = 2  # 1: without the sign bits (rebuilt when found)
_HEADER = struct.Struct("<8sIIQQI")  # magic, version, dimensions, count, generation, crc
HEADER_SIZE = 64
_ALIGN = 64
_PAGE = 4096  # the int8 rows start on a page: they are read, not mapped in


class CorruptIndex(ValueError):
    """The file is not a vector index this code can read (truncated, wrong version, bad
    checksum): rebuild it from the database."""


# --- quantised vectors ---------------------------------------------------------------------


def quantised(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(int8 rows, float32 scale per row) with row ~= int8 * scale; a zero row gets scale 0."""
    vectors = np.asarray(vectors, dtype=np.float32)
    vectors = vectors.reshape(len(vectors), -1) if vectors.ndim != 2 else vectors
    peak = np.abs(vectors).max(axis=1) if vectors.shape[1] else np.zeros(len(vectors))
    scale = (peak / 127.0).astype(np.float32)
    safe = np.where(scale > 0, scale, 1.0).astype(np.float32)
    codes = np.clip(np.rint(vectors / safe[:, None]), -127, 127).astype(np.int8)
    return codes, scale


def signs(codes: np.ndarray) -> np.ndarray:
    """(n, dimensions / 8) uint8: bit set where a component is positive (a zero row: none)."""
    codes = np.asarray(codes)
    if codes.ndim != 2:
        raise ValueError("codes must be (n, dimensions)")
    out = np.empty((len(codes), (codes.shape[1] + 7) // 8), dtype=np.uint8)
    for start in range(0, len(codes), 65_536):  # no whole-array bool temporary
        out[start : start + 65_536] = np.packbits(codes[start : start + 65_536] > 0, axis=1)
    return out


class RowReader:
    """Reads chosen int8 rows of one section of the file with `pread` (into this process's
    memory, a few KB), so that they never enter the process's mapping."""

    def __init__(self, file, offset: int, dimensions: int):
        self.file = file  # the open file the section is mapped from (closed when collected)
        self.offset = offset
        self.dimensions = dimensions

    def rows(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        width, fd, read = self.dimensions, self.file.fileno(), os.pread
        offsets = (rows * width + self.offset).tolist()
        data = b"".join([read(fd, width, offset) for offset in offsets])  # ~0.6 us a row
        if len(data) != len(rows) * width:
            raise CorruptIndex(f"{self.file.name}: shorter than its rows")
        return np.frombuffer(data, dtype=np.int8).reshape(len(rows), width)


class Int8Vectors:
    """Rows of int8 codes with a scale each, read like a float32 matrix where the ranker
    needs one: `matrix @ vector` (or `dot`) gives every row's dot product with a float
    vector, `matrix[rows]` the rows dequantised, `present` which rows are not zero."""

    def __init__(
        self,
        codes: np.ndarray,
        scale: np.ndarray,
        bits: np.ndarray | None = None,
        reader: RowReader | None = None,
    ):
        if codes.ndim != 2 or len(codes) != len(scale):
            raise ValueError("codes must be (n, dimensions) with one scale per row")
        self.codes = codes
        self.scale = scale
        self.bits = signs(codes) if bits is None else bits
        self.reader = reader  # rows of the mapped file are read with it, not touched
        self.present = np.asarray(scale) > 0

    @classmethod
    def of(cls, vectors: np.ndarray) -> Int8Vectors:
        return cls(*quantised(vectors))

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def shape(self) -> tuple[int, int]:
        return self.codes.shape

    def dot(self, vector: np.ndarray) -> np.ndarray:
        """(n,) float32: each row's dot product with `vector` (quantised to int8 too)."""
        n = len(self.codes)
        if n == 0:
            return np.zeros(0, dtype=np.float32)
        codes, scale = quantised(np.asarray(vector, dtype=np.float32).reshape(1, -1))
        if scale[0] == 0:
            return np.zeros(n, dtype=np.float32)
        products = simsimd.cdist(codes, self.codes, metric="dot", dtype="int8", out_dtype="float32")
        # int32 sums of at most 512 * 127 * 127 < 2**24: exact in float32
        products = np.asarray(products).reshape(n)
        products *= self.scale
        products *= scale[0]
        return products

    __matmul__ = dot

    def _codes(self, rows) -> np.ndarray:
        if self.reader is None:
            return np.asarray(self.codes[rows])
        picked = np.asarray(rows) if not isinstance(rows, slice) else None
        if picked is None or picked.dtype.kind not in "iu" or (picked < 0).any():
            picked = np.arange(len(self.codes))[rows]  # any other index, as row numbers
        return self.reader.rows(picked).reshape(*np.shape(picked), self.codes.shape[1])

    def __getitem__(self, rows) -> np.ndarray:
        return (
            np.asarray(self._codes(rows), dtype=np.float32)
            * np.asarray(self.scale[rows], dtype=np.float32)[..., None]
        )

    def take(self, rows: np.ndarray) -> Int8Vectors:
        """These rows only, in this process's memory (read from the file, not mapped in)."""
        rows = np.asarray(rows, dtype=np.int64)
        return Int8Vectors(
            np.ascontiguousarray(self._codes(rows)),
            np.asarray(self.scale[rows]),
            np.asarray(self.bits[rows]),
        )

    def hamming(self, vector: np.ndarray) -> np.ndarray:
        """(n,) float64: how many signs of each row differ from those of `vector`."""
        if len(self.bits) == 0:
            return np.zeros(0)
        query = np.packbits(np.asarray(vector, dtype=np.float32).reshape(1, -1) > 0, axis=1)
        distances = simsimd.cdist(query, self.bits, metric="hamming", dtype="bin8")
        return np.asarray(distances).reshape(len(self.bits))

    def nearest(self, vector: np.ndarray, count: int, allowed: np.ndarray | None = None):
        """Row numbers (ascending) of the `count` rows whose signs differ least from those of
        `vector`, among the `allowed` ones (all, by default) that are not zero: the compact
        first pass, to be rescored exactly on `take(rows)`."""
        distances = self.hamming(vector)
        usable = self.present if allowed is None else (self.present & allowed)
        distances = np.where(usable, distances, np.inf)
        if count < len(distances):
            chosen = np.argpartition(distances, count - 1)[:count]
        else:
            chosen = np.arange(len(distances))
        return np.sort(chosen[np.isfinite(distances[chosen])])


# --- the file ------------------------------------------------------------------------------


@dataclass
class VectorIndex:
    """An opened index: arrays are views of the mapped file (or plain arrays when the index
    lives in memory only). `identity` is what the path's `stat` said when it was opened."""

    keys: np.ndarray  # int64, ascending
    fingerprints: np.ndarray  # uint64
    offer: Int8Vectors
    need: Int8Vectors
    generation: int
    identity: tuple | None = None
    path: Path | None = None

    def __len__(self) -> int:
        return len(self.keys)

    def rows_of(self, keys) -> np.ndarray:
        """Row of each key, -1 where the index does not hold it."""
        keys = np.asarray(keys, dtype=np.int64)
        position = np.searchsorted(self.keys, keys)
        position = np.minimum(position, max(len(self.keys) - 1, 0))
        found = self.keys[position] == keys if len(self.keys) else np.zeros(len(keys), bool)
        return np.where(found, position, -1)

    def fingerprint_of(self) -> dict[int, int]:
        return dict(zip(self.keys.tolist(), self.fingerprints.tolist(), strict=True))


def identity(path: Path) -> tuple | None:
    """What tells one written file from the next (os.replace gives a new inode)."""
    try:
        stat = os.stat(path)
    except OSError:  # missing, or its directory is not one
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def _aligned(offset: int, alignment: int = _ALIGN) -> int:
    return (offset + alignment - 1) // alignment * alignment


def _layout(count: int, dimensions: int) -> tuple[list[tuple[str, np.dtype, tuple]], int]:
    """(name, dtype, shape, offset) of each section, and the file's size."""
    sections = [
        ("keys", np.dtype("<i8"), (count,)),
        ("fingerprints", np.dtype("<u8"), (count,)),
        ("offer_scale", np.dtype("<f4"), (count,)),
        ("need_scale", np.dtype("<f4"), (count,)),
        ("offer_bits", np.dtype("u1"), (count, (dimensions + 7) // 8)),
        ("need_bits", np.dtype("u1"), (count, (dimensions + 7) // 8)),
        ("offer", np.dtype("i1"), (count, dimensions)),
        ("need", np.dtype("i1"), (count, dimensions)),
    ]
    placed, offset = [], HEADER_SIZE
    for name, dtype, shape in sections:
        offset = _aligned(offset, _PAGE if name in ("offer", "need") else _ALIGN)
        placed.append((name, dtype, shape, offset))
        offset += dtype.itemsize * int(np.prod(shape))
    return placed, offset


_CHECKED = ("keys", "fingerprints", "offer_scale", "need_scale", "offer_bits", "need_bits")


def write(
    path: Path,
    keys: np.ndarray,
    fingerprints: np.ndarray,
    offer: Int8Vectors,
    need: Int8Vectors,
    generation: int,
) -> None:
    """Write the index to a temporary file beside `path`, then put it in place atomically.
    Keys must be ascending and unique. Call under `locked(path)` when others may write."""
    keys = np.asarray(keys, dtype="<i8")
    count, dimensions = offer.shape
    if need.shape != (count, dimensions) or len(keys) != count or len(fingerprints) != count:
        raise ValueError("keys, fingerprints and both vector sets must have the same rows")
    if count > 1 and not bool(np.all(np.diff(keys) > 0)):
        raise ValueError("keys must be ascending and unique")
    arrays = {
        "keys": keys,
        "fingerprints": np.asarray(fingerprints, dtype="<u8"),
        "offer_scale": np.asarray(offer.scale, dtype="<f4"),
        "need_scale": np.asarray(need.scale, dtype="<f4"),
        "offer_bits": np.asarray(offer.bits, dtype="u1"),
        "need_bits": np.asarray(need.bits, dtype="u1"),
        "offer": np.asarray(offer.codes, dtype="i1"),
        "need": np.asarray(need.codes, dtype="i1"),
    }
    placed, size = _layout(count, dimensions)
    crc = 0
    for name in _CHECKED:
        crc = zlib.crc32(np.ascontiguousarray(arrays[name]), crc)
    header = _HEADER.pack(MAGIC, FORMAT_VERSION, dimensions, count, generation, crc)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        with open(temporary, "wb") as file:
            file.write(header.ljust(HEADER_SIZE, b"\0"))
            for name, _dtype, _shape, offset in placed:
                file.write(b"\0" * (offset - file.tell()))
                data = np.ascontiguousarray(arrays[name])
                for start in range(0, max(len(data), 1), 65_536):  # no whole-file copy
                    file.write(data[start : start + 65_536].tobytes())
            file.write(b"\0" * (size - file.tell()))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def open_index(path: Path) -> VectorIndex:
    """Map the file read-only. FileNotFoundError when there is none, CorruptIndex when it
    cannot be read as an index (an older format included). The mapping and the row reads
    use one open file, so they see the same version even if it is replaced meanwhile."""
    if identity(path) is None:
        raise FileNotFoundError(path)
    file = open(path, "rb", buffering=0)  # noqa: SIM115 (kept by the readers, or closed below)
    try:
        return _opened(path, file)
    except BaseException:
        file.close()
        raise


def _opened(path: Path, file) -> VectorIndex:
    stat = os.fstat(file.fileno())
    before = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    head = os.pread(file.fileno(), HEADER_SIZE, 0)
    if len(head) < _HEADER.size:
        raise CorruptIndex(f"{path}: shorter than its header")
    magic, version, dimensions, count, generation, crc = _HEADER.unpack_from(head)
    if magic != MAGIC:
        raise CorruptIndex(f"{path}: not a vector index")
    if version != FORMAT_VERSION:
        raise CorruptIndex(f"{path}: format {version}, this code reads {FORMAT_VERSION}")
    placed, size = _layout(count, dimensions)
    if before[2] != size:
        raise CorruptIndex(f"{path}: {before[2]} bytes where {size} were expected")
    arrays = {}
    if count:
        mapped = np.memmap(file, dtype=np.uint8, mode="r")
        for name, dtype, shape, offset in placed:
            length = dtype.itemsize * int(np.prod(shape))
            arrays[name] = mapped[offset : offset + length].view(dtype).reshape(shape)
    else:
        for name, dtype, shape, _offset in placed:
            arrays[name] = np.zeros(shape, dtype=dtype)
    check = 0
    for name in _CHECKED:
        check = zlib.crc32(np.ascontiguousarray(arrays[name]), check)  # views: no copies
    if check != crc:
        raise CorruptIndex(f"{path}: checksum does not match")
    offsets = {name: offset for name, _dtype, _shape, offset in placed}
    readers = {
        name: RowReader(file, offsets[name], dimensions) if count else None
        for name in ("offer", "need")
    }
    if not count:
        file.close()
    return VectorIndex(
        keys=arrays["keys"],
        fingerprints=arrays["fingerprints"],
        offer=Int8Vectors(
            arrays["offer"], arrays["offer_scale"], arrays["offer_bits"], readers["offer"]
        ),
        need=Int8Vectors(
            arrays["need"], arrays["need_scale"], arrays["need_bits"], readers["need"]
        ),
        generation=generation,
        identity=before,
        path=path,
    )


@contextlib.contextmanager
def locked(path: Path):
    """An exclusive lock for writers of `path` (readers never wait: they map whole files)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a+b") as file:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(file.fileno(), fcntl.LOCK_UN)


def in_memory(keys, fingerprints, offer: np.ndarray, need: np.ndarray) -> VectorIndex:
    """An index held by this process only (the fallback when no file can be written)."""
    order = np.argsort(np.asarray(keys, dtype=np.int64), kind="stable")
    offer_rows = Int8Vectors.of(np.asarray(offer, dtype=np.float32)[order])
    need_rows = Int8Vectors.of(np.asarray(need, dtype=np.float32)[order])
    return VectorIndex(
        keys=np.asarray(keys, dtype=np.int64)[order],
        fingerprints=np.asarray(fingerprints, dtype=np.uint64)[order],
        offer=offer_rows,
        need=need_rows,
        generation=0,
    )


def save(path: Path, index: VectorIndex, generation: int) -> None:
    write(path, index.keys, index.fingerprints, index.offer, index.need, generation)


def updated(
    current: VectorIndex | None,
    changed: dict[int, tuple[int, np.ndarray, np.ndarray]],
    removed=(),
) -> VectorIndex:
    """A new in-memory index: `current` with the rows of `changed` (key -> (fingerprint,
    offer vector, need vector)) put in or replaced and the keys in `removed` taken out.
    Untouched rows keep their int8 codes (nothing is quantised twice)."""
    dimensions = None
    if current is not None and len(current):
        dimensions = current.offer.shape[1]
    for _fingerprint, offer, _need in changed.values():
        dimensions = len(np.asarray(offer).reshape(-1))
        break
    if dimensions is None:
        dimensions = current.offer.shape[1] if current is not None else 0
    drop = {int(key) for key in removed} | {int(key) for key in changed}
    if current is not None and len(current):
        keep = ~np.isin(current.keys, np.fromiter(drop, dtype=np.int64, count=len(drop)))
        parts = [
            (
                current.keys[keep],
                current.fingerprints[keep],
                np.asarray(current.offer.codes[keep]),
                np.asarray(current.offer.scale[keep]),
                np.asarray(current.need.codes[keep]),
                np.asarray(current.need.scale[keep]),
            )
        ]
    else:
        parts = []
    if changed:
        new_keys = np.array(sorted(changed), dtype=np.int64)
        offer = Int8Vectors.of(np.stack([changed[k][1] for k in new_keys.tolist()]))
        need = Int8Vectors.of(np.stack([changed[k][2] for k in new_keys.tolist()]))
        fingerprints = np.array([changed[k][0] for k in new_keys.tolist()], dtype=np.uint64)
        parts.append((new_keys, fingerprints, offer.codes, offer.scale, need.codes, need.scale))
    if not parts:
        empty = Int8Vectors(np.zeros((0, dimensions), np.int8), np.zeros(0, np.float32))
        return VectorIndex(np.zeros(0, np.int64), np.zeros(0, np.uint64), empty, empty, 0)
    keys = np.concatenate([p[0] for p in parts])
    order = np.argsort(keys, kind="stable")
    return VectorIndex(
        keys=keys[order],
        fingerprints=np.concatenate([p[1] for p in parts])[order],
        offer=Int8Vectors(
            np.concatenate([p[2] for p in parts])[order],
            np.concatenate([p[3] for p in parts])[order],
        ),
        need=Int8Vectors(
            np.concatenate([p[4] for p in parts])[order],
            np.concatenate([p[5] for p in parts])[order],
        ),
        generation=current.generation if current is not None else 0,
    )
