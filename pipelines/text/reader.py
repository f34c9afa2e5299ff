"""Picture -> canonical text lines: OCR engine plus word splitting, one cached engine per process."""

from __future__ import annotations

from pipelines.detection import RGBImage
from pipelines.text.ocr import OcrEngine, OcrParams
from pipelines.text.types import TextLine
from pipelines.text.words import DEFAULT_RULE, WordSplitRule, to_text_line


class TextReader:
    def __init__(self, params: OcrParams | None = None, rule: WordSplitRule = DEFAULT_RULE) -> None:
        self.engine = OcrEngine(params or OcrParams())
        self.rule = rule

    @property
    def model_version(self) -> str:
        return self.engine.model_version

    def read(self, rgb: RGBImage) -> list[TextLine]:
        """Lines in reading order, each with at least one word."""
        height, width = rgb.shape[:2]
        lines = [to_text_line(line, width, height, self.rule) for line in self.engine.read(rgb)]
        return [line for line in lines if line.words]
