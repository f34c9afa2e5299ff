"""Check every raw JSON body boto3 received against botocore's output shape of its operation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import botocore.session
from botocore.validate import ParamValidator


@contextmanager
def checked_raw_bodies(
    rek: Any, extra_members: frozenset[str] = frozenset()
) -> Iterator[dict[str, list[Any]]]:
    """Collect each successful raw body per operation while the block runs; on exit, assert each one
    validates against the model's output shape (``extra_members``, vidrek's additions, left out)."""
    bodies: dict[str, list[Any]] = {}
    model = botocore.session.get_session().get_service_model("rekognition")

    def capture(http_response: Any, model: Any, **_: Any) -> None:
        if http_response.status_code == 200:
            bodies.setdefault(model.name, []).append(json.loads(http_response.content))

    rek.meta.events.register("after-call.rekognition", capture)
    try:
        yield bodies
    finally:
        rek.meta.events.unregister("after-call.rekognition", capture)
    for name, responses in bodies.items():
        shape = model.operation_model(name).output_shape
        for body in responses:
            plain = {k: v for k, v in body.items() if k not in extra_members}
            report = ParamValidator().validate(plain, shape)
            assert not report.has_errors(), f"{name}: {report.generate_report()}"
