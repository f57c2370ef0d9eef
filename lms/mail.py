"""Sending e-mail over SMTP when it is configured (LMS_SMTP_HOST). Call it after the commit."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger("lms.mail")


def is_configured() -> bool:
    return bool(current_app.config.get("LMS_SMTP_HOST"))


def send(to: str, subject: str, body: str) -> bool:
    """Send a plain-text message; False when SMTP is not configured or the server refused it."""
    config = current_app.config
    if not is_configured():
        return False
    message = EmailMessage()
    message["From"] = config["LMS_MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(config["LMS_SMTP_HOST"], config["LMS_SMTP_PORT"], timeout=10) as smtp:
            if config["LMS_SMTP_STARTTLS"]:
                smtp.starttls()
            if config["LMS_SMTP_USERNAME"]:
                smtp.login(config["LMS_SMTP_USERNAME"], config["LMS_SMTP_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        # The address is personal data and the body holds a one-time link: log neither.
        log.exception("Could not send e-mail %r", subject)
        return False
    log.info("Sent e-mail %r", subject)
    return True
