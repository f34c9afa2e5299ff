"""TagResource, UntagResource and ListTagsForResource on collections and stream processors.

In-process (moved here from tests/integration/test_tags.py): tagging needs no worker and no model. The
stream processors are created on the stream the suite maps (conftest.STREAM_NAME) and never started.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.contract.conftest import STREAM_ARN
from tests.response_shapes import checked_raw_bodies

OUTPUT_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/tagging-out"
ROLE = "arn:aws:iam::123456789012:role/rekognition"


@pytest.fixture(autouse=True)
def raw_bodies(rek: Any) -> Iterator[dict[str, list[Any]]]:
    """Every successful raw body of these tests must match botocore's output shape."""
    with checked_raw_bodies(rek) as bodies:
        yield bodies


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _tags(rek: Any, arn: str) -> dict[str, str]:
    return dict(rek.list_tags_for_resource(ResourceArn=arn)["Tags"])


def _create_processor(rek: Any, name: str, **extra: Any) -> str:
    return str(
        rek.create_stream_processor(
            Name=name,
            Input={"KinesisVideoStream": {"Arn": STREAM_ARN}},
            Output={"KinesisDataStream": {"Arn": OUTPUT_ARN}},
            Settings={"FaceSearch": {"CollectionId": "never-searched"}},
            RoleArn=ROLE,
            **extra,
        )["StreamProcessorArn"]
    )


def test_collection_tags_from_creation_tag_untag_and_delete(
    rek: Any, raw_bodies: dict[str, list[Any]]
) -> None:
    collection_id = _name("tagged")
    arn = rek.create_collection(CollectionId=collection_id, Tags={"team": "vision", "env": "test"})[
        "CollectionArn"
    ]
    assert rek.describe_collection(CollectionId=collection_id)["CollectionARN"] == arn
    assert _tags(rek, arn) == {"team": "vision", "env": "test"}

    rek.tag_resource(ResourceArn=arn, Tags={"env": "prod", "owner": "Ana Lopez", "empty": ""})
    assert _tags(rek, arn) == {"team": "vision", "env": "prod", "owner": "Ana Lopez", "empty": ""}

    rek.untag_resource(ResourceArn=arn, TagKeys=["team", "not-there"])
    assert _tags(rek, arn) == {"env": "prod", "owner": "Ana Lopez", "empty": ""}
    assert raw_bodies["TagResource"] == [{}] and raw_bodies["UntagResource"] == [{}]

    rek.delete_collection(CollectionId=collection_id)
    calls: list[Callable[[], Any]] = [
        lambda: rek.list_tags_for_resource(ResourceArn=arn),
        lambda: rek.tag_resource(ResourceArn=arn, Tags={"a": "b"}),
        lambda: rek.untag_resource(ResourceArn=arn, TagKeys=["env"]),
    ]
    for call in calls:
        with pytest.raises(rek.exceptions.ResourceNotFoundException):
            call()
    # Deleting the collection deleted its tags: the same id created again starts untagged.
    assert rek.create_collection(CollectionId=collection_id)["CollectionArn"] == arn
    assert _tags(rek, arn) == {}
    rek.delete_collection(CollectionId=collection_id)


def test_stream_processor_tags_from_creation_tag_untag_and_delete(rek: Any) -> None:
    name = _name("tagged-sp")
    arn = _create_processor(rek, name, Tags={"site": "porch"})
    assert arn.endswith(f":streamprocessor/{name}")
    assert _tags(rek, arn) == {"site": "porch"}
    rek.tag_resource(ResourceArn=arn, Tags={"floor": "2"})
    rek.untag_resource(ResourceArn=arn, TagKeys=["site"])
    assert _tags(rek, arn) == {"floor": "2"}
    # Tags are not part of the described definition.
    assert "Tags" not in rek.describe_stream_processor(Name=name)

    rek.delete_stream_processor(Name=name)
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.list_tags_for_resource(ResourceArn=arn)
    arn_again = _create_processor(rek, name)
    assert arn_again == arn and _tags(rek, arn) == {}
    rek.delete_stream_processor(Name=name)


def test_unknown_and_foreign_arns(rek: Any) -> None:
    collection_id = _name("known")
    arn = rek.create_collection(CollectionId=collection_id)["CollectionArn"]
    unknown = [
        arn.replace(collection_id, _name("unknown")),
        arn.replace("us-east-1", "eu-west-1"),  # the collection exists, but not in that region
        arn.replace(":collection/", ":streamprocessor/"),
        "arn:aws:rekognition:us-east-1:000000000000:project/p/1700000000000",
    ]
    for resource_arn in unknown:
        with pytest.raises(rek.exceptions.ResourceNotFoundException):
            rek.list_tags_for_resource(ResourceArn=resource_arn)
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.tag_resource(ResourceArn=unknown[0], Tags={"a": "b"})
    with pytest.raises(rek.exceptions.InvalidParameterException) as err:
        rek.list_tags_for_resource(ResourceArn="arn:aws:s3:::some-bucket/key")
    assert "ResourceArn" in err.value.response["Error"]["Message"]
    rek.delete_collection(CollectionId=collection_id)


def test_tag_rules_and_the_per_resource_limit(rek: Any) -> None:
    collection_id = _name("limits")
    arn = rek.create_collection(CollectionId=collection_id)["CollectionArn"]
    first = {f"key-{i:02d}": str(i) for i in range(40)}
    rek.tag_resource(ResourceArn=arn, Tags=first)
    # 40 + 11 new keys = 51: refused as a whole, nothing is added.
    with pytest.raises(rek.exceptions.ServiceQuotaExceededException):
        rek.tag_resource(ResourceArn=arn, Tags={f"more-{i:02d}": "x" for i in range(11)})
    assert _tags(rek, arn) == first
    # Overwriting existing keys does not count twice: exactly 50 is allowed.
    rek.tag_resource(ResourceArn=arn, Tags={"key-00": "new", **{f"more-{i:02d}": "x" for i in range(10)}})
    assert len(_tags(rek, arn)) == 50
    # Key rules come from the model: no "aws:" prefix, no characters outside the allowed set.
    for bad in ({"aws:owner": "x"}, {"a#b": "x"}, {"k" * 129: "x"}):
        with pytest.raises(rek.exceptions.InvalidParameterException):
            rek.tag_resource(ResourceArn=arn, Tags=bad)
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.untag_resource(ResourceArn=arn, TagKeys=["aws:owner"])
    rek.delete_collection(CollectionId=collection_id)

    # Too many tags at creation: refused before anything is created.
    too_many = {f"k{i}": "v" for i in range(51)}
    with pytest.raises(rek.exceptions.ServiceQuotaExceededException):
        rek.create_collection(CollectionId=collection_id, Tags=too_many)
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.describe_collection(CollectionId=collection_id)
    name = _name("too-many-sp")
    with pytest.raises(rek.exceptions.ServiceQuotaExceededException):
        _create_processor(rek, name, Tags=too_many)
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.describe_stream_processor(Name=name)
