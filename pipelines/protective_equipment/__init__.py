"""Protective equipment (DetectProtectiveEquipment): persons, their body parts and the equipment on them."""
