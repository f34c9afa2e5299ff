"""Segment detection (StartSegmentDetection): shot cuts and technical cues from every decoded frame.

:mod:`.spans` holds the canonical results, :mod:`.shots`, :mod:`.black_frames` and :mod:`.color_bars`
the detectors, :mod:`.technical_cues` assembles cue segments and :mod:`.segment_results` is the one place
that turns them into Rekognition JSON.
"""
