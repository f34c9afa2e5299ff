"""Whole-image classifiers: one score per class for the whole picture (no boxes)."""
