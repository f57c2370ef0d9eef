"""Competence frameworks (DigComp 2.2, DigComp 3.0, Ukraine's national test), minimum profiles, tags."""
