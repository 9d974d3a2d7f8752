"""Password policy: long enough, not one of the most common passwords, not trivial.

The list in common_passwords.txt is short on purpose (the passwords tried first in any
guessing attack and in credential-stuffing lists); the trivial-pattern checks catch the
families around them (`aaaaaaaaaa`, `1234567890`, `qwertyuiop`, `abcabcabca`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

MIN_LENGTH = 10
MIN_DISTINCT = 5
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertzuiopasdfghjklyxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list, lower-cased."""
    path = Path(__file__).with_name("common_passwords.txt")
    words = (line.strip().lower() for line in path.read_text().splitlines())
    return frozenset(w for w in words if w and not w.startswith("#"))


def _is_sequence(text: str) -> bool:
    """Every character follows the previous one in an alphabet, digit row or keyboard row."""
    for seq in _SEQUENCES:
        for s in (seq, seq[::-1]):
            if text in s * 2:
                return True
    return False


def _is_repetition(text: str) -> bool:
    """The password is one short chunk repeated (`abcabcabca`, `passpasspass`)."""
    for size in range(1, len(text) // 2 + 1):
        chunk = text[:size]
        if (chunk * (len(text) // size + 1))[: len(text)] == text:
            return True
    return False


def problem(password: str, email: str | None = None) -> str | None:
    """Why the password is refused, in words for the user; None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    folded = password.lower()
    core = folded.rstrip("0123456789!?.")  # "password123!" is still "password"
    if folded in common_passwords() or core in common_passwords():
        return "That is one of the most common passwords; choose another."
    if len(set(folded)) < MIN_DISTINCT or _is_repetition(folded) or _is_sequence(folded):
        return "That password is too easy to guess (repeated or sequential characters)."
    if email:
        local = email.split("@", 1)[0].lower()
        if len(local) >= 4 and local in folded:
            return "Do not build the password from your e-mail address."
    return None


def PasswordPolicy(email_field: str | None = "email") -> Callable[[Any, Any], None]:  # noqa: N802
    """WTForms validator applying `problem` (with the form's e-mail field, when it has one)."""
    from wtforms.validators import ValidationError

    def check(form: Any, field: Any) -> None:
        email_obj = getattr(form, email_field, None) if email_field else None
        email = getattr(email_obj, "data", None) or getattr(form, "policy_email", None)
        why = problem(field.data or "", email)
        if why:
            raise ValidationError(why)

    return check
