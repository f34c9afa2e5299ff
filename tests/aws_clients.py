"""The one builder of boto3 clients in the tests: "a client for service X at endpoint E".

Every server the tests talk to (vidrek's API, the moto server) runs on loopback and takes any
credentials, so the clients share one throwaway key pair and region; a test that needs other keys
(several IAM users on one moto server) passes them.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

REGION = "us-east-1"
#: Access key id and secret of every test client unless a test passes others.
TEST_KEY = "test"


def aws_client(
    service: str,
    endpoint_url: str,
    *,
    access_key_id: str = TEST_KEY,
    secret_access_key: str = TEST_KEY,
    region: str = REGION,
    config: Config | None = None,
) -> Any:
    """A boto3 client of ``service`` (``"s3"``, ``"sns"``, ``"rekognition"`` ...) at ``endpoint_url``.

    Close it (``client.close()``) when done with it: that releases its pooled connections.
    """
    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        config=config,
    )
