"""Request validation speed: microseconds per request for what boto3 sends, and compiling the model.

Run: ``.venv/bin/python benchmarks/validation.py``. Validation runs on every request before its handler,
so it must stay negligible next to HTTP parsing (~100 us): the limit printed beside the figure.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from api.validation import RequestValidator, request_validator  # noqa: E402

#: Per-request limit this benchmark compares with (microseconds).
LIMIT_US = 100.0
REQUESTS = [
    (
        "StartLabelDetection",
        {
            "Video": {"S3Object": {"Bucket": "samples", "Name": "bikes.mp4"}},
            "MinConfidence": 50.0,
            "JobTag": "bench",
            "ClientRequestToken": "bench-token-1",
            "NotificationChannel": {
                "SNSTopicArn": "arn:aws:sns:us-east-1:123456789012:AmazonRekognitionTopic",
                "RoleArn": "arn:aws:iam::123456789012:role/Rekognition",
            },
            "Features": ["GENERAL_LABELS"],
            "Settings": {"GeneralLabels": {"LabelInclusionFilters": ["Car", "Person"]}},
        },
    ),
    ("GetLabelDetection", {"JobId": "a" * 64, "MaxResults": 1000, "SortBy": "TIMESTAMP"}),
]


def main() -> None:
    started = time.perf_counter()
    RequestValidator().warm()
    compile_s = time.perf_counter() - started
    validator = request_validator()
    for name, params in REQUESTS:
        validator.validate(name, params)  # compile outside the timing
    rounds = 2000
    started = time.perf_counter()
    for _ in range(rounds):
        for name, params in REQUESTS:
            validator.validate(name, params)
    mean_us = (time.perf_counter() - started) / (rounds * len(REQUESTS)) * 1e6
    print(f"compile the whole model: {compile_s:.2f} s")
    ratio = mean_us / LIMIT_US
    print(f"validate one request:    {mean_us:.1f} us (limit {LIMIT_US:.0f} us, ratio {ratio:.3f})")


if __name__ == "__main__":
    main()
