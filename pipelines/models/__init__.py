"""ONNX models: the build step that makes them from registry packages, and the registry that finds them."""
