"""Object detectors implementing ``pipelines.detection.ObjectDetector``."""
