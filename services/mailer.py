"""Sending e-mail through an SMTP server (plain, STARTTLS or implicit TLS), with plain settings."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from enum import StrEnum


class SmtpSecurity(StrEnum):
    """How the connection to the SMTP server is protected."""

    none = "none"
    starttls = "starttls"
    ssl = "ssl"


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send e-mail."""

    host: str
    port: int = 25
    sender: str = "skillmatch@localhost"
    user: str | None = None
    password: str | None = None
    security: SmtpSecurity = SmtpSecurity.none
    timeout: float = 30.0


class Mailer:
    """One SMTP connection for a batch of messages (use as a context manager)."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        c = self.config
        context = ssl.create_default_context()
        if c.security is SmtpSecurity.ssl:
            self._smtp = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=context)
        else:
            self._smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            if c.security is SmtpSecurity.starttls:
                self._smtp.starttls(context=context)
        if c.user:
            self._smtp.login(c.user, c.password or "")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except smtplib.SMTPException:
                self._smtp.close()
            self._smtp = None

    def send(self, recipient: str, subject: str, body: str) -> None:
        """Send one plain-text message.

        Raises:
            smtplib.SMTPException: the server refused it.
        """
        if self._smtp is None:
            raise RuntimeError("Mailer is used outside its with-block")
        message = EmailMessage()
        message["From"] = self.config.sender
        message["To"] = recipient
        message["Subject"] = subject
        message.set_content(body)
        self._smtp.send_message(message)


__all__ = ["Mailer", "SmtpConfig", "SmtpSecurity"]
