"""Text in images and video frames: OCR (PP-OCR via rapidocr-onnxruntime), words, filters, change gate."""
