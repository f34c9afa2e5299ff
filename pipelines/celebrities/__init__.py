"""Celebrity recognition against an operator-curated gallery (see :mod:`workers.celebrity_gallery`)."""

#: Rekognition's ``KnownGender.Type`` values.
KNOWN_GENDERS = ("Male", "Female", "Nonbinary", "Unlisted")
