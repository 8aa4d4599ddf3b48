"""A real SMTP server for tests and benchmarks: aiosmtpd on 127.0.0.1, on a free port.

`replies` queues answers for the next DATA commands (e.g. "451 4.3.0 try later"); after they
are used up every message is accepted and kept in `messages`. `hold` keeps each message for
that many seconds after receiving it before answering 250: a client stopped then has handed the
message over without learning that it was accepted (the window a crash can repeat).
"""

import asyncio
import datetime
import ipaddress
import ssl
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


class Mailbox:
    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.replies: list[str] = []
        self.hold = 0.0
        self.data_commands = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._lock:
            self.data_commands += 1
            reply = self.replies.pop(0) if self.replies else None
        if reply:
            return reply
        message = message_from_bytes(envelope.original_content or envelope.content,
                                     policy=policy.default)
        with self._lock:
            self.messages.append(message)
        if self.hold:
            await asyncio.sleep(self.hold)
        return "250 2.0.0 Accepted"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Wait until at least `count` messages arrived; returns them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} messages, got {len(self.messages)}")


class _FreePortController(Controller):
    """Binds port 0 and learns which port the system gave it before checking it answers."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (PEM files: certificate, key) that a client can be told to trust."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class SmtpServer:
    """Plain SMTP by default. With `certificate` (cert, key) it offers STARTTLS and, with
    `credentials` (user, password), requires signing in after it."""

    def __init__(self, certificate: tuple[Path, Path] | None = None,
                 credentials: tuple[str, str] | None = None):
        self.mailbox = Mailbox()
        self.credentials = credentials
        options = {}
        if certificate:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*certificate)
            options.update(tls_context=context, require_starttls=True)
        if credentials:
            options.update(authenticator=self._authenticate, auth_required=True)
        self._controller = _FreePortController(self.mailbox, hostname="127.0.0.1", port=0, **options)

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        given = (auth_data.login.decode(), auth_data.password.decode())
        # handled=False: aiosmtpd answers 535 itself (with True it would say nothing at all).
        return AuthResult(success=given == self.credentials, handled=False)

    def start(self) -> "SmtpServer":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def port(self) -> int:
        return self._controller.port

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"
