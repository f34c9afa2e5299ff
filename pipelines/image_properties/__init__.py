"""DetectLabels' IMAGE_PROPERTIES: quality (brightness, sharpness, contrast) and dominant colours of an
image, of its foreground and background, and of each label instance's box.

- :mod:`.quality`: the three quality measures and how each maps to 0-100;
- :mod:`.colors`: the CSS named colours and AWS's simplified colour names;
- :mod:`.lab`: sRGB -> CIE L*a*b*, the space colours are clustered and named in;
- :mod:`.clustering`: a small deterministic weighted k-means;
- :mod:`.dominant_colors`: pixels -> the region's dominant colours (clusters named by CSS colour);
- :mod:`.regions`: the foreground (union of the detected objects' boxes) as a mask, instance crops;
- :mod:`.properties`: the whole computation for one image;
- :mod:`.results`: the one converter to Rekognition JSON.

Nothing here needs a model; the foreground boxes come from the label detector (the handler runs it).
"""
