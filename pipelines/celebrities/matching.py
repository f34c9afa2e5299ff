"""Which gallery person each face of one picture is: nearest gallery faces, then a one-to-one assignment.

Each face's descriptor is compared with every gallery face (:class:`FaceVectorIndex`); a person's score
for a face is the similarity of that person's closest gallery face. Pairs at or above the threshold are
assigned greedily, most similar first, so one person is given to at most one face of a picture and one
face to at most one person (two look-alike faces in one picture cannot both be the same celebrity; the
closer one wins and the other stays unrecognised unless it matches someone else).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pipelines.celebrities.types import Celebrity, CelebrityMatch
from pipelines.faces.embedding import FaceVector
from pipelines.faces.search import FaceVectorIndex

#: Gallery faces looked at per query face (nearest first). Enough to see every close person even when
#: one person has many photos in the gallery.
CANDIDATES_PER_FACE = 50


def match_faces(
    vectors: Sequence[FaceVector],
    index: FaceVectorIndex,
    people: Mapping[str, Celebrity],
    threshold: float,
) -> list[CelebrityMatch | None]:
    """For each descriptor (same order), the gallery person it is, or None.

    ``people`` maps a gallery face id to its person (faces of no known person are ignored).
    """
    pairs: list[tuple[float, int, Celebrity]] = []
    for position, vector in enumerate(vectors):
        best: dict[str, tuple[float, Celebrity]] = {}
        for match in index.search(vector, threshold=threshold, max_faces=CANDIDATES_PER_FACE):
            person = people.get(match.face_id)
            if person is None:
                continue
            known = best.get(person.celebrity_id)
            if known is None or match.similarity > known[0]:
                best[person.celebrity_id] = (match.similarity, person)
        pairs += [(similarity, position, person) for similarity, person in best.values()]
    result: list[CelebrityMatch | None] = [None] * len(vectors)
    taken: set[str] = set()
    for similarity, position, person in sorted(pairs, key=lambda p: (-p[0], p[1])):
        if result[position] is None and person.celebrity_id not in taken:
            result[position] = CelebrityMatch(person, similarity)
            taken.add(person.celebrity_id)
    return result
