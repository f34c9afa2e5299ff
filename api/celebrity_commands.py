"""``vidrek celebrities add | add-person | list | remove``: curate the celebrity gallery.

The commands write to Redis directly (``VIDREK_REDIS_URL``, or the embedded Redis of ``vidrek up`` on
127.0.0.1:``VIDREK_EMBEDDED_REDIS_PORT`` when it is empty), not through the API: the Rekognition API has
no operation that adds a celebrity, and a gallery is an operator's job done on the server's machine. The
faces are detected and described here (MTCNN + dlib, the same models and settings as the API), so
a running API sees a change at its next request (collections are versioned) without restarting.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.celebrities import KNOWN_GENDERS
from workers.settings import Settings, get_settings

if TYPE_CHECKING:
    from workers.celebrity_enrollment import EnrollmentReport
    from workers.celebrity_gallery import CelebrityGallery

# The face models and Redis client are imported by the commands only: `vidrek up` never loads them.


def open_gallery(settings: Settings) -> CelebrityGallery:
    import redis

    from workers.celebrity_gallery import GalleryError

    url = settings.redis_url or f"redis://127.0.0.1:{settings.embedded_redis_port}/0"
    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        client.ping()
    except redis.RedisError as err:
        raise GalleryError(
            f"cannot reach Redis at {url} ({err}); start vidrek (`vidrek up`) or set VIDREK_REDIS_URL"
        ) from err
    from workers.stores import Stores

    return Stores.on(client, settings).celebrities


def _print_report(report: EnrollmentReport, name: str) -> None:
    for photo, reason in report.skipped:
        print(f"  skipped {photo}: {reason}", file=sys.stderr)
    if report.person is None:
        print(f"{name}: not added (no photo with a usable face)", file=sys.stderr)
        return
    person = report.person
    print(
        f"{person.celebrity.name}: Id {person.celebrity.celebrity_id}, {len(report.used)} photo(s) used, "
        f"{len(person.face_ids)} face(s) in the gallery"
    )


def cmd_add(args: argparse.Namespace) -> int:
    from workers.celebrity_enrollment import enroll, read_gallery_folder
    from workers.models import Models

    settings = get_settings()
    entries, warnings = read_gallery_folder(Path(args.folder))
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    gallery = open_gallery(settings)
    models = Models(settings)
    detector, embedder = models.face_detector(), models.face_embedder()
    failed = 0
    for entry in entries:
        report = enroll(gallery, entry, detector, embedder, replace_faces=not args.keep_faces)
        _print_report(report, entry.celebrity.name)
        failed += report.person is None
    print(f"{len(entries) - failed} of {len(entries)} people added or updated")
    return 1 if failed or not entries else 0


def cmd_add_person(args: argparse.Namespace) -> int:
    from workers.celebrity_enrollment import enroll, entries_for
    from workers.celebrity_gallery import make_celebrity
    from workers.models import Models

    settings = get_settings()
    gallery = open_gallery(settings)
    celebrity = make_celebrity(args.name, celebrity_id=args.id or None)
    known = gallery.get(celebrity.celebrity_id)
    # Members not given on the command line keep their stored values.
    celebrity = make_celebrity(
        celebrity.name,
        urls=args.url if args.url is not None else (known.celebrity.urls if known else ()),
        known_gender=args.gender or (known.celebrity.known_gender if known else None),
        celebrity_id=celebrity.celebrity_id,
    )
    entry = entries_for([Path(p) for p in args.photo], celebrity)
    models = Models(settings)
    report = enroll(
        gallery, entry, models.face_detector(), models.face_embedder(), replace_faces=args.replace_faces
    )
    _print_report(report, celebrity.name)
    return 0 if report.person is not None else 1


def cmd_list(args: argparse.Namespace) -> int:
    people = open_gallery(get_settings()).people()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "Id": p.celebrity.celebrity_id,
                        "Name": p.celebrity.name,
                        "Urls": list(p.celebrity.urls),
                        "KnownGender": p.celebrity.known_gender,
                        "Faces": len(p.face_ids),
                    }
                    for p in people
                ],
                indent=2,
            )
        )
        return 0
    print(f"{'Id':<18} {'faces':>5}  {'KnownGender':<11}  Name  (Urls)")
    for p in people:
        c = p.celebrity
        urls = f"  ({', '.join(c.urls)})" if c.urls else ""
        print(f"{c.celebrity_id:<18} {len(p.face_ids):>5}  {c.known_gender or '-':<11}  {c.name}{urls}")
    print(f"{len(people)} people in the gallery (collection {get_settings().celebrity_collection})")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    gallery = open_gallery(get_settings())
    status = 0
    for wanted in args.people:
        person = gallery.find(wanted)
        if person is None or gallery.remove(person.celebrity.celebrity_id) is None:
            print(f"{wanted}: no such person in the gallery", file=sys.stderr)
            status = 1
            continue
        c = person.celebrity
        print(f"removed {c.name} (Id {c.celebrity_id}, {len(person.face_ids)} faces)")
    return status


def run(args: argparse.Namespace) -> int:
    from workers.celebrity_gallery import GalleryError

    try:
        status: int = args.celebrities_func(args)
    except GalleryError as err:
        print(f"vidrek celebrities: {err}", file=sys.stderr)
        return 2
    return status


def add_celebrities_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``vidrek celebrities ...`` on the main parser's sub-parsers."""
    parser = sub.add_parser("celebrities", help="curate the celebrity gallery (RecognizeCelebrities)")
    parser.set_defaults(func=run)
    commands = parser.add_subparsers(dest="celebrities_command", required=True)

    add = commands.add_parser(
        "add", help="add or update the people of a folder: <folder>/<Name>/*.jpg (+ optional metadata.json)"
    )
    add.add_argument("folder")
    add.add_argument(
        "--keep-faces",
        action="store_true",
        help="add the photos' faces to the stored ones (default: a person's faces become exactly the "
        "faces of their folder's photos)",
    )
    add.set_defaults(celebrities_func=cmd_add)

    person = commands.add_parser("add-person", help="add one person (or more photos of them)")
    person.add_argument("--name", required=True)
    person.add_argument("--photo", action="append", required=True, help="a photo of them (repeatable)")
    person.add_argument("--url", action="append", help="a link about them (repeatable)")
    person.add_argument("--gender", choices=KNOWN_GENDERS, help="KnownGender")
    person.add_argument("--id", default="", help="Id (letters and digits; default: derived from the name)")
    person.add_argument(
        "--replace-faces", action="store_true", help="drop the person's stored faces first (default: add)"
    )
    person.set_defaults(celebrities_func=cmd_add_person)

    listing = commands.add_parser("list", help="list the people of the gallery")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(celebrities_func=cmd_list)

    remove = commands.add_parser("remove", help="remove people (by name or Id) and their faces")
    remove.add_argument("people", nargs="+")
    remove.set_defaults(celebrities_func=cmd_remove)
