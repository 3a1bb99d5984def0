"""Fixtures of the mail tests: a real dovecot and a real SMTP receiver per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mail.servers import Dovecot, SmtpReceiver, running_dovecot, running_smtp


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


@pytest.fixture
def smtp_server() -> Iterator[SmtpReceiver]:
    with running_smtp() as server:
        yield server
