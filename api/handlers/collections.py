"""Face collections and face search on images.

CreateCollection, DescribeCollection, DeleteCollection, ListCollections, IndexFaces, ListFaces,
DeleteFaces, SearchFaces, SearchFacesByImage and CompareFaces; plus the StartFaceSearch check that the
collection exists. Faces are stored as descriptors + metadata only (:mod:`workers.collections`).

A collection keeps the ``FaceModelVersion`` it was created with (as on AWS): new collections get
:data:`FACE_MODEL_VERSION` (dlib + faceres fused); a ``dlib-resnet-v1`` collection goes on indexing and
searching with dlib alone. Every answer about a collection names the collection's version. CompareFaces
has no collection and uses the newest descriptor.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np

from api.context import ServiceContext
from api.errors import InvalidPaginationTokenException, InvalidParameterException, ResourceNotFoundException
from api.handlers import Handler, StartCheck
from api.handlers.tags import creation_tags, save_creation_tags
from api.images import load_image
from pipelines.face_collection_results import (
    compare_match_json,
    compared_face_json,
    face_json,
    face_match_json,
    face_record_json,
    searched_face_json,
    unindexed_face_json,
    unsearched_face_json,
)
from pipelines.faces.analysis import analyse_faces
from pipelines.faces.embedding import FACE_MODEL_VERSION, FaceVector
from pipelines.faces.quality_filter import filter_faces, quality_reasons
from pipelines.faces.records import IndexedFace
from pipelines.faces.search import FaceVectorIndex
from pipelines.faces.similarity import DEFAULT_THRESHOLD
from pipelines.faces.types import FaceAnalysis
from pipelines.images import DecodedImage
from workers.collections import CollectionStore

#: Default and largest page of ListCollections / ListFaces (the model allows MaxResults up to 4096).
DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 4096
#: SearchFaces* default MaxFaces (Rekognition: "the maximum number of faces to return").
DEFAULT_MAX_MATCHES = 4096
#: CompareFaces compares the source face with at most this many target faces, the largest (AWS: "If the
#: target image contains more than 100 faces, CompareFaces compares the 100 largest faces").
MAX_COMPARED_TARGET_FACES = 100

# --- collections -------------------------------------------------------------------------------------


def create_collection(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    tags = creation_tags(params)
    info = ctx.stores.collections.create(params["CollectionId"], FACE_MODEL_VERSION)
    save_creation_tags(ctx, info.arn, tags)
    return {"StatusCode": 200, "CollectionArn": info.arn, "FaceModelVersion": info.face_model_version}


def describe_collection(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    info = ctx.stores.collections.describe(params["CollectionId"])
    return {
        "FaceCount": info.face_count,
        "FaceModelVersion": info.face_model_version,
        "CollectionARN": info.arn,
        "CreationTimestamp": info.created,
        "UserCount": ctx.stores.users.count(info.collection_id),
    }


def delete_collection(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    ctx.stores.collections.delete(params["CollectionId"])
    return {"StatusCode": 200}


def list_collections(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    after = _decode_token(params.get("NextToken"), scope="collections")
    infos, last = ctx.stores.collections.list_collections(after, _page_size(params))
    response: dict[str, Any] = {
        "CollectionIds": [info.collection_id for info in infos],
        "FaceModelVersions": [info.face_model_version for info in infos],
    }
    if last is not None:
        response["NextToken"] = _encode_token("collections", last)
    return response


# --- faces -------------------------------------------------------------------------------------------


def index_faces(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    store = ctx.stores.collections
    collection_id = params["CollectionId"]
    # An unknown collection is refused before the image is read.
    version = store.describe(collection_id).face_model_version
    image = load_image(ctx, params["Image"])
    attributes = params.get("DetectionAttributes") or ["DEFAULT"]
    faces = _analyse(ctx, image, attributes)
    chosen = filter_faces(
        faces,
        params.get("QualityFilter") or "AUTO",
        int(params.get("MaxFaces") or 100),
        image.width,
        image.height,
    )
    embedder = ctx.models.face_embedder_for(version)
    vectors = embedder.embed_all(image.rgb, [face.detection.box for face in chosen.kept])
    image_id = str(uuid.uuid4())
    records = [
        (
            IndexedFace(
                face_id=str(uuid.uuid4()),
                image_id=image_id,
                external_image_id=params.get("ExternalImageId"),
                box=face.detection.box,
                confidence=face.detection.confidence,
                model_version=version,
            ),
            face,
        )
        for face in chosen.kept
    ]
    store.add_faces(
        collection_id, [(record, vector) for (record, _), vector in zip(records, vectors, strict=True)]
    )
    # OrientationCorrection is left out: EXIF orientation is applied before detection, as it is today.
    return {
        "FaceRecords": [face_record_json(record, face, attributes) for record, face in records],
        "FaceModelVersion": version,
        "UnindexedFaces": [
            unindexed_face_json(face, reasons, attributes) for face, reasons in chosen.refused
        ],
    }


def list_faces(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    collection_id = params["CollectionId"]
    only: list[str] | None = params.get("FaceIds")
    if params.get("UserId"):  # one user's faces (users: api/handlers/users.py, workers/face_users.py)
        only = ctx.stores.users.faces_of(collection_id, params["UserId"], only)
    after = _decode_token(params.get("NextToken"), scope=f"faces/{collection_id}")
    store = ctx.stores.collections
    faces, last = store.list_faces(collection_id, after, _page_size(params), only)
    response: dict[str, Any] = {
        "Faces": [face_json(face) for face in faces],
        "FaceModelVersion": store.describe(collection_id).face_model_version,
    }
    if last is not None:
        response["NextToken"] = _encode_token(f"faces/{collection_id}", last)
    return response


def delete_faces(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    wanted: list[str] = list(params["FaceIds"])
    deleted = ctx.stores.collections.delete_faces(params["CollectionId"], wanted)
    gone: set[str] = set(deleted)
    return {
        "DeletedFaces": deleted,
        "UnsuccessfulFaceDeletions": [
            {"FaceId": face_id, "Reasons": ["FACE_NOT_FOUND"]}
            for face_id in dict.fromkeys(wanted)
            if face_id not in gone
        ],
    }


def search_faces(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    store = ctx.stores.collections
    collection_id, face_id = params["CollectionId"], params["FaceId"]
    version = store.describe(collection_id).face_model_version
    vector = store.vector(collection_id, face_id)
    if vector is None:
        raise ResourceNotFoundException(f"The face {face_id} is not in the collection {collection_id}.")
    matches = _search(store, collection_id, vector, params, exclude=face_id)
    return {"SearchedFaceId": face_id, "FaceMatches": matches, "FaceModelVersion": version}


def search_faces_by_image(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    store = ctx.stores.collections
    collection_id = params["CollectionId"]
    version = store.describe(collection_id).face_model_version
    image = load_image(ctx, params["Image"])
    faces = _analyse(ctx, image, ["DEFAULT"])
    if not faces:
        raise InvalidParameterException("There are no faces in the image. Should be at least 1.")
    faces.sort(key=lambda face: -face.detection.box.area)
    largest, others = faces[0], faces[1:]
    level = params.get("QualityFilter") or "NONE"
    refused = quality_reasons(largest, level, image.width, image.height)
    if refused:
        raise InvalidParameterException(
            f"The largest face in the image does not pass QualityFilter {level}: {', '.join(refused)}."
        )
    vector = ctx.models.face_embedder_for(version).embed(image.rgb, largest.detection.box)
    response = searched_face_json(largest)
    response["FaceMatches"] = _search(store, collection_id, vector, params)
    response["FaceModelVersion"] = version
    # Beyond AWS: the other faces found in the image, which were not searched (boto3 ignores the member;
    # read it from the raw body, like Progress).
    response["UnsearchedFaces"] = [unsearched_face_json(face, ["FACE_NOT_LARGEST"]) for face in others]
    return response


def compare_faces(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    source_image = load_image(ctx, params["SourceImage"], member="SourceImage")
    target_image = load_image(ctx, params["TargetImage"], member="TargetImage")
    level = params.get("QualityFilter") or "NONE"
    sources = _analyse(ctx, source_image, ["DEFAULT"])
    if not sources:
        raise InvalidParameterException("There are no faces in the source image. Should be at least 1.")
    source = max(sources, key=lambda face: face.detection.box.area)
    refused = quality_reasons(source, level, source_image.width, source_image.height)
    if refused:
        raise InvalidParameterException(
            f"The largest face of the source image does not pass QualityFilter {level}: {', '.join(refused)}."
        )
    targets = [
        face
        for face in _largest(_analyse(ctx, target_image, ["DEFAULT"]), MAX_COMPARED_TARGET_FACES)
        if not quality_reasons(face, level, target_image.width, target_image.height)
    ]
    embedder = ctx.models.face_embedder()
    source_vector = embedder.embed(source_image.rgb, source.detection.box)
    target_vectors = embedder.embed_all(target_image.rgb, [face.detection.box for face in targets])
    threshold = float(params.get("SimilarityThreshold", DEFAULT_THRESHOLD))
    scored = _similarities(source_vector, target_vectors, embedder.model_version)
    matches = sorted(
        (
            (similarity, face)
            for similarity, face in zip(scored, targets, strict=True)
            if similarity >= threshold
        ),
        key=lambda pair: -pair[0],
    )
    matched_ids = {id(face) for _, face in matches}
    # Source/TargetImageOrientationCorrection are left out (EXIF orientation is applied before detection).
    return {
        "SourceImageFace": {
            "BoundingBox": source.detection.box.to_rekognition(),
            "Confidence": source.detection.confidence,
        },
        "FaceMatches": [compare_match_json(face, similarity) for similarity, face in matches],
        "UnmatchedFaces": [compared_face_json(face) for face in targets if id(face) not in matched_ids],
    }


# --- StartFaceSearch ---------------------------------------------------------------------------------


def check_face_search_start(ctx: ServiceContext, params: dict[str, Any]) -> None:
    """StartFaceSearch refuses an unknown collection at once (ResourceNotFoundException)."""
    ctx.stores.collections.describe(params["CollectionId"])


# --- shared steps ------------------------------------------------------------------------------------


def _analyse(ctx: ServiceContext, image: DecodedImage, attributes: Sequence[str]) -> list[FaceAnalysis]:
    models = ctx.models
    return analyse_faces(image.rgb, models.face_detector(), models.attribute_model_for(attributes))


def _search(
    store: CollectionStore,
    collection_id: str,
    vector: FaceVector,
    params: dict[str, Any],
    exclude: str | None = None,
) -> list[dict[str, Any]]:
    index = store.vector_index(collection_id)
    found = index.search(
        vector,
        threshold=float(params.get("FaceMatchThreshold", DEFAULT_THRESHOLD)),
        max_faces=int(params.get("MaxFaces") or DEFAULT_MAX_MATCHES),
        exclude=exclude,
    )
    faces = store.faces(collection_id, [match.face_id for match in found])
    return [face_match_json(faces[m.face_id], m.similarity) for m in found if m.face_id in faces]


def _largest(faces: list[FaceAnalysis], count: int) -> list[FaceAnalysis]:
    """The ``count`` largest of ``faces`` (by box area), in their original order."""
    if len(faces) <= count:
        return faces
    kept = {id(face) for face in sorted(faces, key=lambda face: -face.detection.box.area)[:count]}
    return [face for face in faces if id(face) in kept]


def _similarities(source: FaceVector, targets: Sequence[FaceVector], model_version: str) -> list[float]:
    if not targets:
        return []
    index = FaceVectorIndex([str(i) for i in range(len(targets))], np.stack(targets), model_version)
    return [float(s) for s in index.similarities(source)]


def _page_size(params: dict[str, Any]) -> int:
    size = params.get("MaxResults")
    return DEFAULT_PAGE_SIZE if size is None or int(size) == 0 else min(int(size), MAX_PAGE_SIZE)


def _encode_token(scope: str, last: str) -> str:
    payload = json.dumps({"s": scope, "a": last}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def _decode_token(token: str | None, scope: str) -> str | None:
    if not token:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if payload["s"] != scope:
            raise ValueError("token of another listing")
        after = str(payload["a"])
        after.encode("utf-8")  # a lone surrogate (UnicodeEncodeError, a ValueError) names no position
        return after
    except (binascii.Error, ValueError, KeyError, TypeError) as err:
        raise InvalidPaginationTokenException(
            "Invalid Pagination Token: it was not issued for this listing."
        ) from err


HANDLERS: dict[str, Handler] = {
    "CreateCollection": create_collection,
    "DescribeCollection": describe_collection,
    "DeleteCollection": delete_collection,
    "ListCollections": list_collections,
    "IndexFaces": index_faces,
    "ListFaces": list_faces,
    "DeleteFaces": delete_faces,
    "SearchFaces": search_faces,
    "SearchFacesByImage": search_faces_by_image,
    "CompareFaces": compare_faces,
}

START_CHECKS: dict[str, StartCheck] = {"FaceSearch": check_face_search_start}
