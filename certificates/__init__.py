"""Certificates plugin: templates, issuance, PDF, verification, signed credentials."""

__version__ = "0.1.0"
