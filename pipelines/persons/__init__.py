"""Person tracking: person detectors, the Norfair tracker, and the canonical per-frame observation."""
