"""FAISS index of profile vectors, with stable ids, incremental add/update/remove and atomic persistence.

Index type by size (or by setting): an exact inner-product scan (``flat``) for small sets; above the threshold
a graph over 8-bit scalar-quantised vectors (``hnsw``: HNSW+SQ8, about 650 bytes per profile; 16-bit vectors
from half a million profiles, where 8-bit rounding starts to cost recall), or a
compressed exact scan (``sq8``), or an inverted file over SQ8 codes (``ivf``). Ids are table rows wrapped in
``IndexIDMap2``. A graph cannot delete: a removed or updated profile's old vector is kept as a tombstone,
skipped by searches and dropped by the next rebuild.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.atomic import atomic_dir
from matching.errors import IndexNotBuilt


class IndexType(StrEnum):
    """Which FAISS index the profile indexes use; ``auto`` chooses by size."""

    auto = "auto"
    flat = "flat"
    sq8 = "sq8"
    hnsw = "hnsw"
    ivf = "ivf"


AUTO_APPROXIMATE_FROM = 20_000
"""Below this many profiles ``auto`` uses the exact flat index."""
HALF_PRECISION_FROM = 500_000
"""From this many profiles a graph stores 16-bit vectors instead of 8-bit codes: with a million profiles,
8-bit rounding reorders near ties enough to cost recall (measured: recall@20 0.946 at 1M, 0.990 at 100k)."""
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
IVF_PROBE = 16

Rows = npt.NDArray[np.int64]


def _faiss() -> Any:
    import faiss

    return faiss


def choose_type(requested: IndexType, size: int) -> IndexType:
    """The concrete index type for a number of profiles."""
    if requested is not IndexType.auto:
        return requested
    return IndexType.flat if size < AUTO_APPROXIMATE_FROM else IndexType.hnsw


def _new_index(kind: IndexType, dim: int, training: npt.NDArray[np.float32], size: int = 0) -> Any:
    faiss = _faiss()
    ip = faiss.METRIC_INNER_PRODUCT
    if kind is IndexType.flat:
        base = faiss.IndexFlatIP(dim)
    elif kind is IndexType.sq8:
        base = faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_8bit, ip)
    elif kind is IndexType.hnsw:
        codes = faiss.ScalarQuantizer.QT_fp16 if size >= HALF_PRECISION_FROM else faiss.ScalarQuantizer.QT_8bit
        base = faiss.IndexHNSWSQ(dim, codes, HNSW_M, ip)
        base.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        base.hnsw.efSearch = HNSW_EF_SEARCH
    elif kind is IndexType.ivf:
        # About 4 sqrt(n) lists, never more than there are training points.
        nlist = max(1, min(4096, int(4 * np.sqrt(max(len(training), 1))), len(training) or 256))
        quantizer = faiss.IndexFlatIP(dim)
        base = faiss.IndexIVFScalarQuantizer(quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit, ip)
        base.nprobe = IVF_PROBE  # the faiss wrapper keeps the quantizer alive beside the index
    else:  # pragma: no cover - auto is resolved before
        raise ValueError(kind)
    if not base.is_trained:
        sample = (
            training
            if len(training) <= 100_000
            else training[np.random.default_rng(0).choice(len(training), 100_000, replace=False)]
        )
        if len(sample) == 0:
            sample = np.random.default_rng(0).standard_normal((256, dim)).astype(np.float32)
            sample /= np.linalg.norm(sample, axis=1, keepdims=True)
        base.train(sample)
    return faiss.IndexIDMap2(base)


class ProfileIndex:
    """Profile vectors of one kind, searchable by inner product (cosine: vectors are unit length)."""

    def __init__(self, dim: int, index_type: IndexType = IndexType.auto, *, expected_size: int = 0) -> None:
        """Args:
        dim: vector dimension.
        index_type: the type, or ``auto`` to choose by size when the first vectors arrive.
        expected_size: profiles the index will hold (a bulk load adds them in batches; the choice of type
            and precision is made for the final size).
        """
        self.dim = dim
        self.requested = index_type
        self.expected_size = expected_size
        self.kind: IndexType | None = None
        self._index: Any = None
        self._dead = 0
        self._next_id = 0
        # -1 where there is none: the FAISS id of each table row, and the row of each FAISS id.
        self._id_of_row = np.zeros(0, dtype=np.int64)
        self._row_of_id = np.zeros(0, dtype=np.int64)

    @property
    def ntotal(self) -> int:
        """Vectors in the index, tombstones included."""
        return int(self._index.ntotal) if self._index is not None else 0

    def __len__(self) -> int:
        return int((self._id_of_row >= 0).sum())

    @property
    def tombstones(self) -> int:
        """Vectors kept only because the index type cannot delete."""
        return self._dead

    def build(self, rows: Rows, vectors: npt.NDArray[np.float32]) -> None:
        """Replace the index with these rows and vectors (type chosen by size)."""
        size = max(len(rows), self.expected_size)
        self.kind = choose_type(self.requested, size)
        self._index = _new_index(self.kind, self.dim, vectors, size)
        self._dead = 0
        self._id_of_row = np.zeros(0, dtype=np.int64)
        self._row_of_id = np.zeros(0, dtype=np.int64)
        self._next_id = 0
        self.upsert(rows, vectors)

    def _ensure(self, vectors: npt.NDArray[np.float32]) -> None:
        if self._index is None:
            size = max(len(vectors), self.expected_size)
            self.kind = choose_type(self.requested, size)
            self._index = _new_index(self.kind, self.dim, vectors, size)

    def upsert(self, rows: Rows, vectors: npt.NDArray[np.float32]) -> None:
        """Add or replace the vectors of table rows, without a rebuild."""
        if len(rows) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self._ensure(vectors)
        self.remove(rows)
        ids = np.arange(self._next_id, self._next_id + len(rows), dtype=np.int64)
        self._next_id += len(rows)
        self._index.add_with_ids(vectors, ids)
        top = int(rows.max()) + 1
        if top > self._id_of_row.size:
            self._id_of_row = np.concatenate([self._id_of_row, np.full(top - self._id_of_row.size, -1, dtype=np.int64)])
        self._id_of_row[rows] = ids
        self._row_of_id = np.concatenate([self._row_of_id, np.asarray(rows, dtype=np.int64)])

    def remove(self, rows: Rows) -> None:
        """Remove the vectors of table rows (a graph index keeps them as tombstones)."""
        rows = rows[rows < self._id_of_row.size]
        ids = self._id_of_row[rows]
        ids = ids[ids >= 0]
        if ids.size == 0:
            return
        self._id_of_row[rows] = -1
        self._row_of_id[ids] = -1
        if self.kind is IndexType.hnsw:
            self._dead += int(ids.size)
        else:
            self._index.remove_ids(ids)

    def search(self, vector: npt.NDArray[np.float32], k: int) -> tuple[Rows, npt.NDArray[np.float32]]:
        """The k rows whose vectors have the highest inner product with a unit vector.

        Raises:
            IndexNotBuilt: the index is empty.
        """
        rows, scores = self.search_many(vector.reshape(1, -1), k)
        return rows[0], scores[0]

    def search_many(self, vectors: npt.NDArray[np.float32], k: int) -> tuple[list[Rows], list[npt.NDArray[np.float32]]]:
        """``search`` for several query vectors at once."""
        if self._index is None or len(self) == 0:
            raise IndexNotBuilt("the profile index is empty: ingest profiles first")
        queries = np.ascontiguousarray(vectors, dtype=np.float32)
        fetch = min(self.ntotal, k)
        if self._dead and self.kind is IndexType.hnsw:
            # Tombstones stay in a graph; the search skips them. (An updated profile's old vector lies next to
            # its new one, so fetching more in proportion to the tombstones would still miss live neighbours.)
            faiss = _faiss()
            live = np.packbits(self._row_of_id >= 0, bitorder="little")
            selector = faiss.IDSelectorBitmap(self._row_of_id.size, faiss.swig_ptr(live))
            base = faiss.downcast_index(self._index.index)
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(base.hnsw.efSearch, fetch))
            scores, ids = self._index.search(queries, fetch, params=params)
        else:
            scores, ids = self._index.search(queries, fetch)
        out_rows, out_scores = [], []
        for row_ids, row_scores in zip(ids, scores, strict=True):
            valid = row_ids >= 0
            rows = np.full(row_ids.shape, -1, dtype=np.int64)
            rows[valid] = self._row_of_id[row_ids[valid]]
            keep = rows >= 0
            out_rows.append(rows[keep][:k])
            out_scores.append(row_scores[keep][:k].astype(np.float32))
        return out_rows, out_scores

    def copy(self) -> ProfileIndex:
        """An independent copy of the index and its id maps."""
        out = ProfileIndex(self.dim, self.requested, expected_size=self.expected_size)
        out.kind = self.kind
        out._index = _faiss().clone_index(self._index) if self._index is not None else None
        out._dead = self._dead
        out._next_id = self._next_id
        out._id_of_row = self._id_of_row.copy()
        out._row_of_id = self._row_of_id.copy()
        return out

    def __getstate__(self) -> dict[str, Any]:
        """The index as plain data (FAISS serialised to bytes), so that it can travel to another process."""
        state = dict(self.__dict__)
        state["_index"] = _faiss().serialize_index(self._index) if self._index is not None else None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        index = state.pop("_index")
        self.__dict__.update(state)
        self._index = _faiss().deserialize_index(index) if index is not None else None

    def reconstruction_error(self, vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """How far the index's stored form of each vector (8- or 16-bit codes) lies from the vector itself.

        The inner product the index returns for a query and a stored vector differs from the exact one by at
        most this distance (queries are unit vectors).

        Args:
            vectors: vectors, one per row.

        Returns:
            One Euclidean distance per vector (0 for an exact index).
        """
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        if self._index is None or self.kind is IndexType.flat:
            return np.zeros(len(vectors), dtype=np.float32)
        faiss = _faiss()
        base = faiss.downcast_index(self._index.index)
        codec = faiss.downcast_index(base.storage) if self.kind is IndexType.hnsw else base
        decoded = codec.sa_decode(codec.sa_encode(vectors))
        error: npt.NDArray[np.float32] = np.linalg.norm(decoded - vectors, axis=1).astype(np.float32)
        return error

    def as_stored(self, vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32] | None:
        """Vectors as this index stores them (decoded from their 8- or 16-bit codes; as they are for an exact
        index): a matrix product with them gives the cosines a search reports to within rounding (1e-6), so a
        screen needs no margin for the codes. None for an inverted file (codes depend on the list).

        Args:
            vectors: vectors, one per row.
        """
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        if self._index is None or self.kind is IndexType.flat:
            return vectors
        if self.kind not in (IndexType.hnsw, IndexType.sq8):
            return None
        faiss = _faiss()
        base = faiss.downcast_index(self._index.index)
        codec = faiss.downcast_index(base.storage) if self.kind is IndexType.hnsw else base
        decoded: npt.NDArray[np.float32] = codec.sa_decode(codec.sa_encode(vectors)).astype(np.float32)
        return decoded

    def codec(self) -> str:
        """What the cosines this index reports depend on besides the vectors: its type, and for 8- or 16-bit codes
        a digest of the trained quantiser (a rebuild retrains it, and a stored cosine is then no longer one this
        index would report)."""
        if self._index is None or self.kind in (None, IndexType.flat):
            return str(self.kind.value if self.kind else None)
        faiss = _faiss()
        base = faiss.downcast_index(self._index.index)
        codec = faiss.downcast_index(base.storage) if self.kind is IndexType.hnsw else base
        trained = (
            np.asarray(faiss.vector_to_array(codec.sq.trained), dtype=np.float32) if hasattr(codec, "sq") else None
        )
        digest = hashlib.sha256(trained.tobytes()).hexdigest()[:16] if trained is not None else "untrained"
        return f"{self.kind.value}:{digest}"

    def pair_cosines(
        self, queries: npt.NDArray[np.float32], vectors: npt.NDArray[np.float32], qi: Rows, vi: Rows
    ) -> npt.NDArray[np.float32] | None:
        """The inner product of query ``qi[j]`` and vector ``vi[j]`` exactly as this index reports it when the
        vector is stored in it and a search returns it (same kernel, same 8- or 16-bit codes).

        Args:
            queries: query vectors, one per row.
            vectors: vectors as they are (or were) added to the index, one per row.
            qi: per pair, a row of ``queries``.
            vi: per pair, a row of ``vectors``.

        Returns:
            One cosine per pair, or None when the index cannot say (an inverted file, whose codes depend on the
            list a vector falls in).
        """
        faiss = _faiss()
        out = np.zeros(qi.size, dtype=np.float32)
        if qi.size == 0:
            return out
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if self._index is None or self.kind is IndexType.flat:
            faiss.pairwise_indexed_inner_product(
                self.dim,
                qi.size,
                faiss.swig_ptr(queries),
                faiss.swig_ptr(np.ascontiguousarray(qi, dtype=np.int64)),
                faiss.swig_ptr(vectors),
                faiss.swig_ptr(np.ascontiguousarray(vi, dtype=np.int64)),
                faiss.swig_ptr(out),
            )
            return out
        if self.kind not in (IndexType.hnsw, IndexType.sq8):
            return None
        base = faiss.downcast_index(self._index.index)
        codec = faiss.downcast_index(base.storage) if self.kind is IndexType.hnsw else base
        # The same codes in a small index: its distance computer is the one the graph's search uses.
        coded = faiss.IndexScalarQuantizer(self.dim, codec.sq.qtype, faiss.METRIC_INNER_PRODUCT)
        coded.sq.trained = codec.sq.trained
        coded.is_trained = True
        coded.add(vectors)
        computer = coded.get_distance_computer()
        current = -1
        for j in np.argsort(qi, kind="stable").tolist():
            q = int(qi[j])
            if q != current:
                query = np.ascontiguousarray(queries[q])
                computer.set_query(faiss.swig_ptr(query))
                current = q
            out[j] = computer(int(vi[j]))
        return out

    def save(self, directory: Path) -> None:
        """Write the index atomically (a temporary folder renamed over the old one).

        Raises:
            OSError: the files could not be written (a full disk included); the previous version is left in place.
        """
        with atomic_dir(directory) as tmp:
            if self._index is not None:
                try:
                    _faiss().write_index(self._index, str(tmp / "index.faiss"))
                except RuntimeError as exc:  # FAISS reports a failed write (ENOSPC, EIO) as a RuntimeError
                    raise OSError(f"could not write the FAISS index: {str(exc).rsplit(': ', 1)[-1]}") from exc
            np.savez(tmp / "ids.npz", id_of_row=self._id_of_row, row_of_id=self._row_of_id)
            manifest = {
                "dim": self.dim,
                "requested": self.requested.value,
                "kind": self.kind.value if self.kind else None,
                "next_id": self._next_id,
                "dead": self._dead,
            }
            (tmp / "manifest.json").write_text(json.dumps(manifest))

    @classmethod
    def load(cls, directory: Path) -> ProfileIndex:
        """Read an index written by ``save``.

        Raises:
            IndexNotBuilt: there is none.
        """
        manifest_path = directory / "manifest.json"
        if not manifest_path.exists():
            raise IndexNotBuilt(f"no profile index in {directory}")
        manifest = json.loads(manifest_path.read_text())
        index = cls(int(manifest["dim"]), IndexType(manifest["requested"]))
        index.kind = IndexType(manifest["kind"]) if manifest["kind"] else None
        index._next_id = int(manifest["next_id"])
        if (directory / "index.faiss").exists():
            index._index = _faiss().read_index(str(directory / "index.faiss"))
        index._dead = int(manifest.get("dead", 0))
        with np.load(directory / "ids.npz") as data:
            index._id_of_row = data["id_of_row"].astype(np.int64)
            index._row_of_id = data["row_of_id"].astype(np.int64)
        return index


__all__ = ["AUTO_APPROXIMATE_FROM", "IndexType", "ProfileIndex", "choose_type"]
