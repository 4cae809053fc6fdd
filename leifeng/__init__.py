"""Leifeng: the New Era Civilization Practice and Learn-from-Lei-Feng volunteer platform."""
