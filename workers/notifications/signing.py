"""The RSA key and certificate that sign SNS-format webhook messages, and SNS's string to sign.

The key is generated once (2048-bit RSA, self-signed X.509 certificate) and kept in Redis, so every API
and worker process signs with the same key and serves the same certificate at ``SigningCertURL``.
Signatures follow Amazon SNS: ``SignatureVersion`` "1" is RSA PKCS#1 v1.5 over SHA1, "2" over SHA256, of
the canonical string ``Key\\nValue\\n`` for each signed key in SNS's fixed order.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

import redis
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from workers import keys

#: Keys signed for each message type, in SNS's order (``Subject`` only when present).
SIGNED_KEYS: dict[str, tuple[str, ...]] = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
    "UnsubscribeConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
}

#: How long the generated certificate is valid.
CERTIFICATE_LIFETIME = datetime.timedelta(days=3650)


def string_to_sign(message: Mapping[str, str]) -> str:
    """SNS's canonical string of a message: ``Key\\nValue\\n`` for each signed key present."""
    lines = []
    for key in SIGNED_KEYS[message["Type"]]:
        if key in message:
            lines.append(f"{key}\n{message[key]}\n")
    return "".join(lines)


def _hash_for(version: str) -> hashes.HashAlgorithm:
    if version == "1":
        return hashes.SHA1()
    if version == "2":
        return hashes.SHA256()
    raise ValueError(f"unknown SNS SignatureVersion {version!r}")


@dataclass(frozen=True)
class SigningIdentity:
    private_key: rsa.RSAPrivateKey
    certificate_pem: bytes

    @property
    def certificate_name(self) -> str:
        """The file name the certificate is served under (changes with the certificate)."""
        der = x509.load_pem_x509_certificate(self.certificate_pem).public_bytes(serialization.Encoding.DER)
        return f"SimpleNotificationService-{hashlib.sha256(der).hexdigest()[:32]}.pem"

    def sign(self, message: Mapping[str, str], version: str) -> str:
        """The base64 ``Signature`` of ``message`` for ``SignatureVersion`` ``version``."""
        raw = self.private_key.sign(string_to_sign(message).encode(), padding.PKCS1v15(), _hash_for(version))
        return base64.b64encode(raw).decode()


def _generate() -> SigningIdentity:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "vidrek SNS-format message signing")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + CERTIFICATE_LIFETIME)
        .sign(key, hashes.SHA256())
    )
    return SigningIdentity(key, certificate.public_bytes(serialization.Encoding.PEM))


def _load(stored: str) -> SigningIdentity:
    data = json.loads(stored)
    key = serialization.load_pem_private_key(data["key"].encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the stored SNS signing key is not an RSA key")
    return SigningIdentity(key, data["cert"].encode())


def signing_identity(client: redis.Redis) -> SigningIdentity:
    """The shared signing identity: read from Redis, or generated and stored by the first caller."""
    stored = client.get(keys.SNS_SIGNING_KEY)
    if stored is None:
        fresh = _generate()
        key_pem = fresh.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        payload = json.dumps({"key": key_pem.decode(), "cert": fresh.certificate_pem.decode()})
        client.set(keys.SNS_SIGNING_KEY, payload, nx=True)
        stored = client.get(keys.SNS_SIGNING_KEY)
    return _load(str(stored))
