"""Faces: detection (MTCNN), canonical face analyses, pose, quality and attribute models."""
