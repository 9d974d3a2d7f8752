"""Fernet key ring for marketplace credentials at rest, newest key first, with rotation."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

_UNDECRYPTABLE = "stored secret cannot be decrypted with the configured keys"


class DecryptionError(RuntimeError):
    """A stored secret could not be decrypted with any configured key."""


class KeyRing:
    """Encrypts with the newest key and decrypts with any key in the ring."""

    def __init__(self, keys: list[str]):
        if not keys:
            raise ValueError("at least one encryption key is required")
        self._fernet = MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])

    def encrypt(self, plaintext: str) -> str:
        """Encrypt a text value under the newest key."""
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        """Decrypt a value written under any key in the ring."""
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise DecryptionError(_UNDECRYPTABLE) from exc

    def rotate(self, token: str) -> str:
        """Re-encrypt a stored value under the newest key."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken as exc:
            raise DecryptionError(_UNDECRYPTABLE) from exc
