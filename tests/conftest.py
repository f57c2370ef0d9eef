"""Fixtures come from the ``lms.testing`` pytest plugin (installed with the package)."""
