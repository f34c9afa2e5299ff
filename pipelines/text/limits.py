"""Rekognition's documented limits on how much text one picture reports."""

#: "DetectText can detect up to 100 words in an image" (DetectText API reference).
MAX_WORDS_PER_IMAGE = 100
#: "GetTextDetection returns an array of detected text ... up to 100 words per frame of video"
#: (GetTextDetection API reference; older versions said 50).
MAX_WORDS_PER_FRAME = 100
