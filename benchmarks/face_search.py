"""Face search latency at 1k, 10k and 100k faces, per FaceModelVersion: the numpy scan alone, and through
Redis.

Run: ``.venv/bin/python -m benchmarks.face_search [dlib-resnet-v1|vidrek-dlib-faceres-fusion-1]`` (both by
default; starts its own throw-away redis-server). Results: ``benchmarks/face_search.md`` (dlib) and
``benchmarks/README.md``, "Face descriptors" (both versions).

Vectors are random: dlib-resnet-v1 unit-length 128-D float32 (dlib's descriptors are about unit length),
the fusion a 128-D part plus a unit non-negative 1,024-D faceres part (as faceres' are); the scan's cost
does not depend on their content. "warm" = the process already holds the collection's vectors (the
normal case: the cache is invalidated only when faces are added or deleted); "cold" = the first search
after a change, which re-reads every vector from Redis.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import numpy.typing as npt
import redis

from pipelines.faces import descriptors
from pipelines.faces.embedding import EMBEDDING_SIZE
from pipelines.faces.records import IndexedFace
from pipelines.faces.search import FaceVectorIndex
from pipelines.geometry import BoundingBox
from workers.collections import CollectionStore
from workers.redis_server import free_port, start_redis_server, stop_process

SIZES = (1_000, 10_000, 100_000)
QUERIES = 50
BATCH = 2_000


def _unit_vectors(
    count: int, rng: np.random.Generator, size: int = EMBEDDING_SIZE
) -> npt.NDArray[np.float32]:
    vectors = rng.standard_normal((count, size)).astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True).astype(np.float32)
    unit: npt.NDArray[np.float32] = vectors / norms
    return unit


def _vectors(count: int, rng: np.random.Generator, model_version: str) -> npt.NDArray[np.float32]:
    dlib = _unit_vectors(count, rng)
    if not descriptors.is_fused(model_version):
        return dlib
    faceres = np.abs(_unit_vectors(count, rng, descriptors.FACERES_SIZE))
    fused = np.concatenate([dlib, descriptors.FACERES_PART_SCALE * faceres], axis=1)
    return fused.astype(np.float32)


def _ms(samples: list[float]) -> str:
    return (
        f"median {statistics.median(samples) * 1000:.2f} ms, p95 {np.percentile(samples, 95) * 1000:.2f} ms"
    )


def main() -> None:
    versions = sys.argv[1:] or [descriptors.DLIB_MODEL_VERSION, descriptors.FUSION_MODEL_VERSION]
    for version in versions:
        print(f"## {version}")
        run(version)


def run(model_version: str) -> None:
    rng = np.random.default_rng(0)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_redis_server(port, Path(tmp) / "redis", persistent=False)
        try:
            client = redis.Redis(port=port, decode_responses=True)
            store = CollectionStore(client, "us-east-1")
            for size in SIZES:
                vectors = _vectors(size, rng, model_version)
                ids = [str(uuid.uuid4()) for _ in range(size)]
                queries = _vectors(QUERIES, rng, model_version)

                index = FaceVectorIndex(ids, vectors, model_version)
                scan = []
                for query in queries:
                    start = time.perf_counter()
                    index.search(query, threshold=80.0, max_faces=10)
                    scan.append(time.perf_counter() - start)

                name = f"bench-{size}"
                store.create(name, model_version)
                start = time.perf_counter()
                box = BoundingBox(0.1, 0.1, 0.3, 0.4)
                for first in range(0, size, BATCH):
                    store.add_faces(
                        name,
                        [
                            (IndexedFace(ids[i], "img", None, box, 99.9, model_version), vectors[i])
                            for i in range(first, min(size, first + BATCH))
                        ],
                    )
                insert = time.perf_counter() - start

                cold = []
                for _ in range(3):
                    client.hincrby(f"vidrek:collection:{name}", "version", 1)  # invalidate the cache
                    start = time.perf_counter()
                    store.vector_index(name).search(queries[0], threshold=80.0, max_faces=10)
                    cold.append(time.perf_counter() - start)

                warm = []
                for i, query in enumerate(queries):
                    # A stored face as the query, so there is one match whose metadata is read too.
                    query = vectors[i] if i % 2 else query
                    start = time.perf_counter()
                    found = store.vector_index(name).search(query, threshold=80.0, max_faces=10)
                    store.faces(name, [m.face_id for m in found])
                    warm.append(time.perf_counter() - start)
                used = client.info("memory")["used_memory"]
                print(
                    f"{size:>7} faces | numpy scan {_ms(scan)} | through Redis warm {_ms(warm)} | "
                    f"cold (reload vectors) {_ms(cold)} | insert {insert:.1f} s | "
                    f"Redis memory {used / 2**20:.0f} MiB"
                )
                store.delete(name)
        finally:
            stop_process(server)


if __name__ == "__main__":
    main()
