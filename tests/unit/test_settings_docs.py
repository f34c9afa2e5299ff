from __future__ import annotations

from pathlib import Path

from workers.settings import Settings
from workers.settings_docs import env_name, settings_markdown

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_described() -> None:
    undocumented = [
        name for name, field in Settings.model_fields.items() if not (field.description or "").strip()
    ]
    assert undocumented == []


def test_readme_settings_table_is_up_to_date() -> None:
    """The README carries the generated table: after changing a setting, regenerate it with
    `vidrek settings --readme README.md`."""
    assert settings_markdown() in README.read_text(), (
        "README's settings table is stale: run `vidrek settings`"
    )


def test_table_names_every_variable() -> None:
    table = settings_markdown()
    assert all(f"`{env_name(name)}`" in table for name in Settings.model_fields)
