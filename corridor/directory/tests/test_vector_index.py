"""The shared vector index file (vector_index.py, embeddings.py): it round-trips, a reader in
another process sees a profile's update once the file changes, int8 vectors rank the same
top results as float32 ones, and a missing, corrupt or unwritable file never turns the
recommendations page into an error page (it is rebuilt, or kept in memory, with a warning)."""

import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.urls import reverse

from corridor.core.actors import SYSTEM
from corridor.directory import embeddings, matching, recommendations, services, vector_index
from corridor.directory.models import Profile
from corridor.directory.tests.test_pages import section
from corridor.testing.factories import OrganisationFactory

LOGGER = "corridor.directory.embeddings"


def unit_rows(seed: int, n: int) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((n, matching.DIMENSIONS))
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


# --- the file alone ------------------------------------------------------------------------


def test_the_file_round_trips(tmp_path):
    offers, needs = unit_rows(1, 4), unit_rows(2, 4)
    needs[1] = 0  # a profile without needs
    path = tmp_path / "vectors.idx"
    vector_index.save(
        path, vector_index.in_memory([40, 3, 21, 8], [14, 11, 13, 12], offers, needs), 7
    )

    opened = vector_index.open_index(path)

    assert opened.keys.tolist() == [3, 8, 21, 40]  # sorted by key, rows follow their keys
    assert opened.fingerprints.tolist() == [11, 12, 13, 14]
    assert opened.generation == 7
    assert opened.rows_of([21, 22, 40]).tolist() == [2, -1, 3]
    order = [1, 3, 2, 0]  # input rows of keys 3, 8, 21, 40
    assert np.abs(opened.offer[[0, 1, 2, 3]] - offers[order]).max() < 0.005
    assert opened.need.present.tolist() == [False, True, True, True]  # key 3 has no needs
    assert np.abs(opened.offer @ offers[2] - offers[order] @ offers[2]).max() < 0.005
    assert isinstance(opened.offer.codes, np.memmap) or isinstance(
        opened.offer.codes.base, np.memmap
    )


def test_a_truncated_or_foreign_file_is_refused(tmp_path):
    path = tmp_path / "vectors.idx"
    vector_index.save(
        path, vector_index.in_memory([1, 2], [1, 2], unit_rows(3, 2), unit_rows(4, 2)), 1
    )
    whole = path.read_bytes()
    path.write_bytes(whole[:-10])
    with pytest.raises(vector_index.CorruptIndex):
        vector_index.open_index(path)
    path.write_bytes(b"not an index at all" + whole[19:])
    with pytest.raises(vector_index.CorruptIndex):
        vector_index.open_index(path)
    flipped = bytearray(whole)
    flipped[vector_index.HEADER_SIZE] ^= 0xFF  # a key changed under the checksum
    path.write_bytes(bytes(flipped))
    with pytest.raises(vector_index.CorruptIndex):
        vector_index.open_index(path)


READER = """
import sys
from pathlib import Path
import numpy as np
sys.path.insert(0, sys.argv[3])
from corridor.directory import vector_index
path, probe = Path(sys.argv[1]), np.load(sys.argv[2])
index = vector_index.open_index(path)
print(index.generation, round(float(index.offer[0] @ probe), 2), flush=True)
sys.stdin.readline()
if vector_index.identity(path) != index.identity:
    index = vector_index.open_index(path)
print(index.generation, round(float(index.offer[0] @ probe), 2), flush=True)
"""


def test_a_reader_in_another_process_sees_an_update_when_the_file_changes(tmp_path):
    before, after = unit_rows(5, 2)
    path, probe = tmp_path / "vectors.idx", tmp_path / "probe.npy"
    np.save(probe, before)
    first = vector_index.in_memory([9], [1], before[None], before[None])
    vector_index.save(path, first, 1)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(path), str(probe), str(settings.BASE_DIR)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().split() == ["1", "1.0"]
        with vector_index.locked(path):
            current = vector_index.open_index(path)
            changed = vector_index.updated(current, {9: (2, after, after)})
            vector_index.save(path, changed, current.generation + 1)
        reader.stdin.write("go\n")
        reader.stdin.flush()
        generation, similarity = reader.stdout.readline().split()
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    assert generation == "2"
    assert abs(float(similarity) - float(after @ before)) < 0.01  # the new vector, not 1.0


def test_int8_vectors_rank_the_same_top_results_as_float32():
    """Real sentences in both languages: each need's first five offers are the same five
    whether the offers' vectors are float32 or the file's int8 rows, every score within
    0.003 of the exact one; two offers change places only when their exact scores are that
    close (here a line and its own translation, 0.1670 and 0.1666)."""
    offers = [
        "Refrigerated trucking from Chongqing to Singapore at minus 18 degrees.",
        "冷链物流：重庆至新加坡冷冻集装箱运输。",
        "Trade finance and letters of credit in SGD and RMB.",
        "跨境贸易融资，人民币和新元信用证。",
        "Halal certification for food exporters.",
        "清真食品认证咨询服务。",
        "Electric vans for urban delivery fleets.",
        "电动轻型商用车，适合城市配送。",
        "Software localisation into Chinese and Malay.",
        "中文和马来文软件本地化服务。",
        "Durian and tropical fruit imports.",
        "热带水果进口，榴莲和山竹。",
    ]
    needs = [
        "我们需要把冷冻饺子从重庆运到新加坡。",
        "We need a letter of credit for importing machinery from China.",
        "寻找清真认证机构。",
        "We want electric delivery vans for our fleet in Singapore.",
    ]
    encoder = matching.encoder()
    offer_vectors, need_vectors = encoder.encode(offers), encoder.encode(needs)
    no_needs = np.zeros_like(offer_vectors)
    signals = [matching.Signals()] * len(offers)
    keys = list(range(len(offers)))
    exact = matching.Candidates(keys, offer_vectors, no_needs, signals)
    int8 = matching.Candidates(
        keys,
        vector_index.Int8Vectors.of(offer_vectors),
        vector_index.Int8Vectors.of(no_needs),
        signals,
    )
    for need in need_vectors:
        query = matching.Query(
            side=matching.Side(key=-1, signals=matching.Signals(), offers=(), needs=()),
            offer=np.zeros(matching.DIMENSIONS, dtype=np.float32),
            need=need,
        )
        expected = dict(matching.shortlist(query, exact, 5))
        found = dict(matching.shortlist(query, int8, 5))
        assert set(found) == set(expected)
        assert max(abs(found[key] - expected[key]) for key in found) < 0.003
        ranked = list(found)
        for higher, lower in zip(ranked, ranked[1:], strict=False):
            assert expected[higher] > expected[lower] - 0.003


# --- the Django side -----------------------------------------------------------------------

pages = pytest.mark.django_db

VANS = {
    "description_en": "Electric light commercial vans made in Chongqing.",
    "offers": "Electric light vans\n车队维修培训",
    "needs": "Distributors in Singapore\nTrade finance in SGD",
    "target_markets": ["SG"],
    "sectors": ["manufacturing"],
}
DISTRIBUTOR = {
    "description_en": "Vehicle distributor in Singapore.",
    "offers": "Distribution of commercial vehicles in Singapore\nDealer network",
    "needs": "Electric vans from Chinese manufacturers",
    "sectors": ["trade"],
}
BAKERY = {
    "description_en": "Bakery chain.",
    "offers": "Fresh bread and pastries",
    "needs": "Flour suppliers",
}


@pytest.fixture
def market(enterprise, owner):
    """The vans maker and two Singapore enterprises, embedded with the real encoder (which
    writes the index file)."""
    vans = services.profile_save(actor=SYSTEM, organisation=enterprise, contacts=[owner], **VANS)
    for name, fields in {"Lion Distributors": DISTRIBUTOR, "Orchid Bakery": BAKERY}.items():
        organisation = OrganisationFactory(name_en=name, country="SG")
        services.profile_save(actor=SYSTEM, organisation=organisation, **fields)
    embeddings.profile_embed_all()
    return vans


def recommended(client, owner, vans) -> str:
    client.force_login(owner)
    response = client.get(reverse("directory:recommendations", args=[vans.pk]))
    assert response.status_code == 200
    return section(response, "recommendations")


@pages
def test_embedding_the_demo_writes_the_file_with_every_profile(market):
    opened = vector_index.open_index(embeddings.index_path())
    embedded = Profile.objects.exclude(embedded_at=None).order_by("pk")
    assert opened.keys.tolist() == list(embedded.values_list("pk", flat=True))
    assert opened.fingerprints.tolist() == [
        embeddings.fingerprint(p.embedded_hash) for p in embedded
    ]


@pages
def test_a_profile_update_is_in_the_file_and_seen_after_the_reader_reopens(market, client, owner):
    assert "Lion Distributors" in recommended(client, owner, market)
    bakery = Profile.objects.get(organisation__name_en="Orchid Bakery")
    index = recommendations.current_index()
    generation = vector_index.open_index(embeddings.index_path()).generation
    old_offer = index.offer[index.rows[bakery.pk]]

    services.profile_save(
        actor=SYSTEM,
        organisation=bakery.organisation,
        description_en="Van leasing.",
        offers="Electric van leasing",
        needs="",
    )
    assert embeddings.profile_embeddings_store(profile_id=bakery.pk)  # what the task runs

    opened = vector_index.open_index(embeddings.index_path())
    assert opened.generation == generation + 1
    reread = recommendations.current_index()
    assert reread is not index
    new_offer = reread.offer[reread.rows[bakery.pk]]
    stored = matching.from_bytes(bytes(Profile.objects.get(pk=bakery.pk).offer_vector))
    assert float(new_offer @ stored) > 0.99
    assert float(old_offer @ stored) < 0.9
    assert not reread.need.present[reread.rows[bakery.pk]]  # it has no needs any more


@pages
@pytest.mark.parametrize("damage", ["missing", "garbage", "truncated"])
def test_a_missing_or_corrupt_file_is_rebuilt_with_a_warning_not_an_error_page(
    market, client, owner, caplog, monkeypatch, damage
):
    path = embeddings.index_path()
    if damage == "missing":
        path.unlink()
    elif damage == "garbage":
        path.write_bytes(b"\x00garbage" * 100)
    else:
        path.write_bytes(path.read_bytes()[:200])
    monkeypatch.setattr(recommendations, "_index", None)  # a process starting afresh

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        shown = recommended(client, owner, market)

    assert "Lion Distributors" in shown
    assert any("building it from the database" in r.getMessage() for r in caplog.records)
    assert len(vector_index.open_index(path)) == 3  # written again, whole


@pages
def test_where_no_file_can_be_written_the_process_keeps_an_index_in_memory(
    market, client, owner, caplog, monkeypatch, tmp_path
):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the index's directory should be")
    monkeypatch.setattr(embeddings, "index_path", lambda: blocker / "vectors.idx")
    monkeypatch.setattr(recommendations, "_index", None)

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        shown = recommended(client, owner, market)

    assert "Lion Distributors" in shown
    assert any("keeps one in memory" in r.getMessage() for r in caplog.records)


@pages
def test_rows_the_database_no_longer_has_leave_the_file_when_a_reader_opens_it(market):
    bakery = Profile.objects.get(organisation__name_en="Orchid Bakery")
    Profile.objects.filter(pk=bakery.pk).update(embedded_at=None, embedded_hash="")
    index = recommendations.current_index()
    assert bakery.pk not in index.rows
    assert bakery.pk not in vector_index.open_index(embeddings.index_path()).keys.tolist()


@pages
def test_each_database_has_its_own_file_under_the_var_directory(db):
    path = embeddings.index_path()
    assert path.parent == Path(settings.VAR_DIR) / "directory"
    assert path.name.startswith("vectors-") and path.suffix == ".idx"
