"""Users of a face collection without faces: errors, ClientRequestToken replay, paging (moved here from
tests/integration/test_face_users.py; matching faces to users needs the models and stays there)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract.wire import refused, unique

NOBODY_FACE = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def collection(rek: Any) -> str:
    name = unique("users")
    rek.create_collection(CollectionId=name)
    return name


def user_pages(rek: Any, collection: str, size: int) -> list[list[str]]:
    pages: list[list[str]] = []
    token = None
    while True:
        page = rek.list_users(
            CollectionId=collection, MaxResults=size, **({"NextToken": token} if token else {})
        )
        pages.append([user["UserId"] for user in page["Users"]])
        token = page.get("NextToken")
        if not token:
            return pages


def test_unknown_collection_user_or_face_is_resource_not_found(rek: Any, collection: str) -> None:
    with refused(rek, "ResourceNotFoundException"):
        rek.create_user(CollectionId=unique("missing"), UserId="u")
    for call in (rek.delete_user, rek.list_faces, rek.search_users):
        with refused(rek, "ResourceNotFoundException"):
            call(CollectionId=collection, UserId="nobody")
    for call in (rek.associate_faces, rek.disassociate_faces):
        with refused(rek, "ResourceNotFoundException"):
            call(CollectionId=collection, UserId="nobody", FaceIds=[NOBODY_FACE])
    with refused(rek, "ResourceNotFoundException"):
        rek.search_users(CollectionId=collection, FaceId=NOBODY_FACE)


def test_search_users_needs_exactly_one_of_user_and_face(rek: Any, collection: str) -> None:
    rek.create_user(CollectionId=collection, UserId="someone")
    with refused(rek, "InvalidParameterException"):
        rek.search_users(CollectionId=collection)
    with refused(rek, "InvalidParameterException"):
        rek.search_users(CollectionId=collection, UserId="someone", FaceId=NOBODY_FACE)


def test_create_user_replay_conflict_and_token_mismatch(rek: Any, collection: str) -> None:
    token = unique("token")
    rek.create_user(CollectionId=collection, UserId="a", ClientRequestToken=token)
    # The same token and request again (a client retrying) is answered as the first time, not as a conflict.
    rek.create_user(CollectionId=collection, UserId="a", ClientRequestToken=token)
    # boto3 fills in a fresh token when none is given: a second user "a" is a conflict.
    with refused(rek, "ConflictException"):
        rek.create_user(CollectionId=collection, UserId="a")
    with refused(rek, "IdempotentParameterMismatchException"):
        rek.create_user(CollectionId=collection, UserId="b", ClientRequestToken=token)
    assert user_pages(rek, collection, 10) == [["a"]]
    assert rek.list_users(CollectionId=collection)["Users"] == [{"UserId": "a", "UserStatus": "CREATED"}]


def test_delete_user_replay_and_token_mismatch(rek: Any, collection: str) -> None:
    for user in ("a", "b"):
        rek.create_user(CollectionId=collection, UserId=user)
    token = unique("token")
    rek.delete_user(CollectionId=collection, UserId="a", ClientRequestToken=token)
    rek.delete_user(CollectionId=collection, UserId="a", ClientRequestToken=token)  # replayed, not a 404
    with refused(rek, "ResourceNotFoundException"):
        rek.delete_user(CollectionId=collection, UserId="a")
    with refused(rek, "IdempotentParameterMismatchException"):
        rek.delete_user(CollectionId=collection, UserId="b", ClientRequestToken=token)
    assert user_pages(rek, collection, 10) == [["b"]]


def test_unknown_faces_are_not_associated(rek: Any, collection: str) -> None:
    rek.create_user(CollectionId=collection, UserId="u")
    done = rek.associate_faces(CollectionId=collection, UserId="u", FaceIds=[NOBODY_FACE])
    assert done["AssociatedFaces"] == []
    assert [item["FaceId"] for item in done["UnsuccessfulFaceAssociations"]] == [NOBODY_FACE]
    assert done["UnsuccessfulFaceAssociations"][0]["Reasons"] == ["FACE_NOT_FOUND"]
    assert rek.list_faces(CollectionId=collection, UserId="u")["Faces"] == []
    gone = rek.disassociate_faces(CollectionId=collection, UserId="u", FaceIds=[NOBODY_FACE])
    assert gone["DisassociatedFaces"] == []
    assert gone["UnsuccessfulFaceDisassociations"][0]["Reasons"] == ["FACE_NOT_FOUND"]


def test_list_users_pages_and_tokens(rek: Any, collection: str) -> None:
    for user in ("a", "c", "b", "d"):
        rek.create_user(CollectionId=collection, UserId=user)
    assert user_pages(rek, collection, 3) == [["a", "b", "c"], ["d"]]
    assert user_pages(rek, collection, 1) == [["a"], ["b"], ["c"], ["d"]]
    assert rek.describe_collection(CollectionId=collection)["UserCount"] == 4
    with refused(rek, "InvalidPaginationTokenException"):
        rek.list_users(CollectionId=collection, NextToken="bogus")
    # A token is bound to its collection.
    other = unique("users-other")
    rek.create_collection(CollectionId=other)
    for user in ("x", "y"):
        rek.create_user(CollectionId=other, UserId=user)
    token = rek.list_users(CollectionId=other, MaxResults=1)["NextToken"]
    with refused(rek, "InvalidPaginationTokenException"):
        rek.list_users(CollectionId=collection, NextToken=token)


def test_deleting_the_collection_deletes_its_users(rek: Any, collection: str) -> None:
    rek.create_user(CollectionId=collection, UserId="a")
    rek.delete_collection(CollectionId=collection)
    rek.create_collection(CollectionId=collection)
    assert rek.list_users(CollectionId=collection)["Users"] == []
    assert rek.describe_collection(CollectionId=collection)["UserCount"] == 0
    rek.create_user(CollectionId=collection, UserId="a")  # no conflict with the deleted user
