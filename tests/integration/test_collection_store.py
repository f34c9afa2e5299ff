"""CollectionStore against a real redis-server: collections survive a Redis restart (append-only file)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import redis

from pipelines.faces.records import IndexedFace
from pipelines.geometry import BoundingBox
from workers.collections import CollectionStore
from workers.redis_server import free_port, start_redis_server, stop_process


def test_collection_survives_a_redis_restart_and_search_sees_changes(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "redis"
    rng = np.random.default_rng(4)
    vectors = rng.standard_normal((3, 128)).astype(np.float32)
    faces = [
        IndexedFace(
            f"00000000-0000-4000-8000-00000000000{i}",
            "image-1",
            f"ext-{i}",
            BoundingBox(0.1, 0.2, 0.3, 0.4),
            99.5,
            "v",
        )
        for i in range(3)
    ]
    server = start_redis_server(port, data, persistent=True)
    try:
        client = redis.Redis(port=port, decode_responses=True)
        store = CollectionStore(client, "eu-west-1")
        created = store.create("kept", "v").created
        store.add_faces("kept", list(zip(faces, vectors, strict=True)))
        assert len(store.vector_index("kept")) == 3  # cached now
        store.delete_faces("kept", [faces[0].face_id])
        # The cache notices the change (version bump): the deleted face is not searched any more.
        assert store.vector_index("kept").search(vectors[0], threshold=99.0, max_faces=5) == []
    finally:
        store.close()
        client.close()
        stop_process(server)

    server = start_redis_server(port, data, persistent=True)
    try:
        client = redis.Redis(port=port, decode_responses=True)
        store = CollectionStore(client, "eu-west-1")
        info = store.describe("kept")
        assert info.face_count == 2 and info.created == created
        assert info.arn == "arn:aws:rekognition:eu-west-1:000000000000:collection/kept"
        found = store.vector_index("kept").search(vectors[2], threshold=99.0, max_faces=5)
        assert [m.face_id for m in found] == [faces[2].face_id]
        assert store.faces("kept", [faces[2].face_id])[faces[2].face_id] == faces[2]
        listed, last = store.list_faces("kept", None, 1)
        assert [f.face_id for f in listed] == [faces[1].face_id] and last == faces[1].face_id
        listed, last = store.list_faces("kept", last, 1)
        assert [f.face_id for f in listed] == [faces[2].face_id] and last is None
    finally:
        store.close()
        client.close()
        stop_process(server)
