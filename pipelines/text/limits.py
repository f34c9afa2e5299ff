"""Rekognition's documented limits on how much text one picture reports."""

#: "DetectText can detect up to 100 words in an image" (AWS developer guide, text detection).
MAX_WORDS_PER_IMAGE = 100
#: "Amazon Rekognition Video can detect up to 50 words per video frame."
MAX_WORDS_PER_FRAME = 50
