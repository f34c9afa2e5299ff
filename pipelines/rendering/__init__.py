"""Annotated pictures of a job's results: boxes and captions at their timestamps, drawn on the frames.

:mod:`pipelines.rendering.overlays` turns Get* result items (Rekognition JSON) into a timeline of what to
draw, :mod:`pipelines.rendering.draw` draws one frame with Pillow, :mod:`pipelines.rendering.video`
re-encodes a video (or writes one still) with PyAV. Pure computation: the results come from the caller.
"""
