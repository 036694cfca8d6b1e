"""The compact first pass of the recommender (vector_index.py format 2, matching._coarse_rows):
the sign bits kept in the file, the shortlist it gives against scoring every row exactly,
rows read without being mapped into the process, and a file of the older format (without
the bits) rebuilt with a warning."""

import logging
import re
import struct
import zlib

import numpy as np
import pytest
from django.urls import reverse

from corridor.directory import embeddings, matching, recommendations, vector_index
from corridor.directory.tests.test_search_meaning import both_sides  # noqa: F401 (fixture)
from corridor.directory.tests.test_vector_index import (  # noqa: F401 (fixture)
    LOGGER,
    market,
    recommended,
    unit_rows,
)

DIMENSIONS = matching.DIMENSIONS


def profile_means(seed: int, n: int, pool: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """(offers, needs): unit rows, each the mean of 3 of `pool` statement vectors sharing
    one common direction, as the encoder's vectors of business statements do (synthetic;
    bench/matching.py builds its 100,000 profiles the same way from real sentences)."""
    rng = np.random.default_rng(seed)
    items = rng.standard_normal((pool, DIMENSIONS)) + rng.standard_normal(DIMENSIONS)
    means = []
    for _side in ("offers", "needs"):
        rows = items[rng.integers(0, pool, (n, 3))].mean(axis=1)
        means.append((rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32))
    return means[0], means[1]


def test_the_file_keeps_each_rows_signs_and_reads_rows_as_the_mapping_holds_them(tmp_path):
    offers, needs = unit_rows(1, 50), unit_rows(2, 50)
    needs[7] = 0  # a profile without needs: no sign set
    path = tmp_path / "vectors.idx"
    vector_index.save(path, vector_index.in_memory(range(50), range(50), offers, needs), 1)

    opened = vector_index.open_index(path)

    assert np.array_equal(
        np.unpackbits(opened.offer.bits, axis=1).astype(bool), opened.offer.codes > 0
    )
    assert not opened.need.bits[7].any()
    rows = np.array([3, 9, 31, 49])
    taken = opened.offer.take(rows)
    assert np.array_equal(taken.codes, opened.offer.codes[rows])
    assert np.array_equal(taken.scale, opened.offer.scale[rows])
    assert np.allclose(
        opened.offer[[3, 9]], opened.offer.codes[[3, 9]] * opened.offer.scale[[3, 9]][:, None]
    )
    assert np.abs(taken @ needs[0] - (opened.offer @ needs[0])[rows]).max() == 0


def _mapping_rss_kb(path) -> int:
    total, inside = 0, False
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            head = line.split()
            if head and re.match(r"^[0-9a-f]+-[0-9a-f]+$", head[0]):
                inside = len(head) >= 6 and head[5] == str(path)
            elif inside and head and head[0] == "Rss:":
                total += int(head[1])
    return total


def test_rows_scored_exactly_are_read_not_mapped_into_the_process(tmp_path):
    """Scattered rows of a 20,000-profile file: the process's mapping holds the keys, the
    scales and the bits (what the first pass scans), not the int8 rows (10 MB a direction)."""
    n = 20_000
    rows = unit_rows(3, 2_000)
    offers = rows[np.random.default_rng(4).integers(0, len(rows), n)]
    path = tmp_path / "vectors.idx"
    vector_index.save(path, vector_index.in_memory(range(n), range(n), offers, offers), 1)
    opened = vector_index.open_index(path)

    for seed in range(20):
        vector = unit_rows(seed, 1)[0]
        for vectors in (opened.offer, opened.need):
            vectors.take(vectors.nearest(vector, 500)) @ vector

    small = n * (8 + 8 + 4 + 4 + 2 * DIMENSIONS // 8) / 1024  # KB
    assert _mapping_rss_kb(path) < small + 256
    opened.offer @ rows[0]  # scoring every row maps them all: the measure can see it
    assert _mapping_rss_kb(path) > small + n * DIMENSIONS / 1024 * 0.9


def test_the_first_pass_shortlist_is_nearly_the_exact_one_and_scores_it_exactly(
    tmp_path, monkeypatch
):
    n = 6_000
    offers, needs = profile_means(5, n)
    countries = ["SG", "CN", "MY"]
    signals = [
        matching.Signals(country=countries[i % 3], sectors=frozenset({"trade"})) for i in range(n)
    ]
    path = tmp_path / "vectors.idx"
    vector_index.save(path, vector_index.in_memory(range(n), range(n), offers, needs), 1)
    opened = vector_index.open_index(path)
    candidates = matching.Candidates(range(n), opened.offer, opened.need, signals)
    kept = []
    take = matching.Candidates.take
    monkeypatch.setattr(
        matching.Candidates, "take", lambda self, rows: kept.append(len(rows)) or take(self, rows)
    )
    recalls = []
    for key in range(0, n, 300):
        query = matching.Query(
            side=matching.Side(key=key, signals=signals[key], offers=(), needs=()),
            offer=opened.offer[key],
            need=opened.need[key],
            exclude=frozenset({key}),
        )
        monkeypatch.setattr(matching, "COARSE_FROM", 10**9)
        exact = dict(matching.shortlist(query, candidates, 100))
        monkeypatch.setattr(matching, "COARSE_FROM", 0)
        monkeypatch.setattr(matching, "COARSE_DEPTH", 600)  # a tenth of the rows
        found = dict(matching.shortlist(query, candidates, 100))
        recalls.append(len(set(found) & set(exact)) / len(exact))
        assert all(signals[k].country != signals[key].country for k in found)  # across borders
        assert key not in found
        assert all(found[k] == exact[k] for k in set(found) & set(exact))  # rescored exactly
    assert kept and max(kept) <= 600  # the first pass ran and kept a tenth
    assert np.mean(recalls) >= 0.88  # 0.92 measured; rows kept at random: 0.10
    assert min(recalls) >= 0.75


# --- a file of the older format ------------------------------------------------------------


def write_format_1(path, index: vector_index.VectorIndex) -> None:
    """The file as format 1 laid it out (no sign bits): what an older release left."""
    count, dimensions = index.offer.shape
    sections = [
        np.asarray(index.keys, "<i8"),
        np.asarray(index.fingerprints, "<u8"),
        np.asarray(index.offer.scale, "<f4"),
        np.asarray(index.need.scale, "<f4"),
        np.asarray(index.offer.codes, "i1"),
        np.asarray(index.need.codes, "i1"),
    ]
    crc = 0
    for section in sections[:4]:
        crc = zlib.crc32(section.tobytes(), crc)
    header = struct.pack("<8sIIQQI", b"CORRVEC1", 1, dimensions, count, index.generation, crc)
    temporary = path.with_name(path.name + ".old")  # then replaced, as writers do
    with open(temporary, "wb") as file:
        file.write(header.ljust(64, b"\0"))
        for section in sections:
            file.write(b"\0" * (-file.tell() % 64))
            file.write(section.tobytes())
    temporary.replace(path)


def test_a_format_1_file_is_refused_by_the_reader(tmp_path):
    path = tmp_path / "vectors.idx"
    write_format_1(path, vector_index.in_memory([1, 2], [1, 2], unit_rows(7, 2), unit_rows(8, 2)))
    with pytest.raises(vector_index.CorruptIndex, match="format 1"):
        vector_index.open_index(path)


@pytest.mark.django_db
def test_a_format_1_file_is_rebuilt_with_a_warning_and_recommendations_still_shown(
    market,  # noqa: F811 (the fixture)
    client,
    owner,
    caplog,
    monkeypatch,
):
    path = embeddings.index_path()
    write_format_1(path, vector_index.open_index(path))
    monkeypatch.setattr(recommendations, "_index", None)  # a process starting afresh

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        shown = recommended(client, owner, market)

    assert "Lion Distributors" in shown
    assert any(
        "format 1" in r.getMessage() and "building it from the database" in r.getMessage()
        for r in caplog.records
    )
    rebuilt = vector_index.open_index(path)  # format 2 now, every profile in it
    assert len(rebuilt) == 3
    assert rebuilt.offer.bits.shape == (3, DIMENSIONS // 8)


# --- search by meaning, through the first pass ---------------------------------------------


@pytest.mark.django_db
def test_a_search_by_meaning_through_the_first_pass_still_finds_the_profile(
    client,
    both_sides,  # noqa: F811 (the fixture)
    monkeypatch,
):
    english, chinese, florist = both_sides
    monkeypatch.setattr(matching, "COARSE_FROM", 0)  # as in a directory of 20,000 and more
    monkeypatch.setattr(matching, "COARSE_DEPTH", 1)  # one row a direction
    read = []
    take = vector_index.Int8Vectors.take
    monkeypatch.setattr(
        vector_index.Int8Vectors,
        "take",
        lambda self, rows: read.append(len(rows)) or take(self, rows),
    )

    response = client.get(reverse("directory:profile_list"), {"q": "婚礼鲜花"})

    assert [p.pk for p in response.context["profiles"]] == [florist.pk]
    assert "Close in meaning:</span> “Wedding bouquets and table flowers”" in (
        response.content.decode()
    )
    assert read and max(read) <= 2  # only the rows the first pass kept were read
