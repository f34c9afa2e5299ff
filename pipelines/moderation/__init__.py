"""Content moderation: model signals (open_nsfw, optional NudeNet) mapped onto Rekognition's taxonomy."""
