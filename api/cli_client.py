"""What the `vidrek analyze | jobs | results | render` commands share: the API client, one-line errors,
Get* paging, the job-listing extension routes.

The commands are clients of a running stack, like any SDK user: Start* and Get* go through boto3, the
job listing through ``GET /vidrek/jobs`` (:mod:`api.job_routes`). Whatever goes wrong becomes a
:class:`CliError` whose message is the one line the user sees (:func:`run_command` prints it).
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from workers.operations import VIDEO_OPERATIONS, VideoOperation
from workers.settings import Settings

#: Seconds to wait for the API to accept a connection / to answer. A stack that is not running is
#: reported at once (connection refused); a hung one after this long.
CONNECT_TIMEOUT_SECONDS = 3.0
READ_TIMEOUT_SECONDS = 60.0


class CliError(Exception):
    """A failure the user can act on; ``str(err)`` is the whole message (one line)."""


def default_endpoint(settings: Settings) -> str:
    """The endpoint of the stack `vidrek up` starts with these settings."""
    host = settings.api_host
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.api_port}"


def no_stack(endpoint: str) -> CliError:
    return CliError(
        f"no vidrek API answers at {endpoint}: start the stack with `vidrek up` "
        "(or pass --endpoint URL of a running one)"
    )


def rekognition_client(endpoint: str) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"max_attempts": 2, "mode": "standard"},
    )
    return boto3.client(
        "rekognition",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="vidrek",
        aws_secret_access_key="vidrek",
        config=config,
    )


@contextmanager
def api_errors(endpoint: str) -> Iterator[None]:
    """Turn boto3's and urllib's failures into :class:`CliError`."""
    from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError
    from botocore.exceptions import ReadTimeoutError as BotoReadTimeout

    try:
        yield
    except EndpointConnectionError as err:
        raise no_stack(endpoint) from err
    except (ConnectionClosedError, BotoReadTimeout) as err:
        raise CliError(f"the vidrek API at {endpoint} stopped answering ({err})") from err
    except ClientError as err:
        error = err.response.get("Error", {})
        raise CliError(f"{error.get('Code', 'Error')}: {error.get('Message', str(err))}") from err


def get_json(endpoint: str, path: str, query: dict[str, str] | None = None) -> dict[str, Any]:
    """GET one of vidrek's extension routes; its AWS-style error body becomes a CliError."""
    url = endpoint.rstrip("/") + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
    try:
        with urllib.request.urlopen(url, timeout=READ_TIMEOUT_SECONDS) as response:
            body: dict[str, Any] = json.loads(response.read())
            return body
    except urllib.error.HTTPError as err:
        try:
            error = json.loads(err.read())
            code = str(error.get("__type", "")).rpartition("#")[2] or f"HTTP {err.code}"
            message = error.get("message") or error.get("Message") or err.reason
        except ValueError:
            code, message = f"HTTP {err.code}", err.reason
        if err.code == 404 and code == f"HTTP {err.code}":
            message = f"{url} not found: is {endpoint} a vidrek API of this version?"
        raise CliError(f"{code}: {message}") from err
    except (urllib.error.URLError, ConnectionError, TimeoutError) as err:
        raise no_stack(endpoint) from err
    except ValueError as err:
        raise CliError(f"{url} answered something that is not JSON ({err})") from err


def operation_named(name: str) -> VideoOperation:
    operation = VIDEO_OPERATIONS.get(name)
    if operation is None:
        raise CliError(f"this command does not know the operation {name!r}")
    return operation


def method_name(action: str) -> str:
    """boto3's method for an action: ``GetLabelDetection`` -> ``get_label_detection``."""
    from botocore import xform_name

    return str(xform_name(action))


class RawBodies:
    """The raw JSON body of each answer, for the members boto3 drops (``Progress``): an after-call hook."""

    def __init__(self, rek: Any) -> None:
        self.last: dict[str, dict[str, Any]] = {}
        rek.meta.events.register("after-call.rekognition", self._record)

    def _record(self, http_response: Any, model: Any = None, **_: Any) -> None:
        try:
            body = json.loads(http_response.content)
        except ValueError:
            return
        if isinstance(body, dict) and model is not None:
            self.last[str(model.name)] = body


def all_results(rek: Any, operation: VideoOperation, job_id: str, **params: Any) -> dict[str, Any]:
    """The whole Get* answer of a job: its first page's members with every page's items joined."""
    get = getattr(rek, method_name(operation.get_action))
    token = ""
    merged: dict[str, Any] = {}
    items: list[Any] = []
    while True:
        page: dict[str, Any] = dict(get(JobId=job_id, NextToken=token, MaxResults=1000, **params))
        page.pop("ResponseMetadata", None)
        if not merged:
            merged = page
        items += page.get(operation.results_member, [])
        token = page.pop("NextToken", "")
        if not token:
            break
    merged.pop("NextToken", None)
    merged[operation.results_member] = items
    return merged


def find_job(endpoint: str, job_id: str) -> dict[str, Any]:
    """The job (``GET /vidrek/jobs/{id}``) named by its id or a unique prefix of it."""
    return get_json(endpoint, f"/vidrek/jobs/{urllib.parse.quote(job_id, safe='')}")


def run_command(command: Callable[[], int]) -> int:
    """Run a command; a CliError, or anything unexpected, is printed as one line (never a traceback)."""
    try:
        return command()
    except CliError as err:
        print(f"vidrek: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 1
    except KeyboardInterrupt:
        print("vidrek: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug: still one line, with what it was
        print(f"vidrek: unexpected error: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
