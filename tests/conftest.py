"""Fixtures come from the ``lms.testing`` pytest plugin (installed with the package), and the SMTP sink's
(``smtp_server``, ``sink``) from tests/smtp_sink.py."""

pytest_plugins = ["tests.smtp_sink"]
