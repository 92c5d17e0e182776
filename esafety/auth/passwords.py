"""Password and picture-password hashing with argon2id, rehashed when the parameters change."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

#: argon2id at OWASP's recommended minimum (19 MiB, 2 passes): about 23 ms a check here, where
#: the library's default (64 MiB, 3 passes) cost 190 ms and 64 MiB in every worker at sign-in
#: time. Hashes made with other parameters are upgraded at the next sign-in (needs_rehash).
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
#: Verified against when the account does not exist, so an unknown email takes as long as a
#: wrong password and the two get the same answer.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


#: Shorter than three random words, and people cannot remember longer ones in practice.
MIN_LENGTH = 12
TOO_SHORT = "Use at least 12 characters: three random words work well."


def password_problem(password: str, person, school_name: str) -> str | None:
    """Why a new password is refused, or None: too short, among the common passwords zxcvbn
    ships (offline), easy to guess, or containing the person's or the school's name."""
    from zxcvbn import zxcvbn

    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    folded = re.sub(r"[^a-z0-9]", "", password.lower())
    names = [person.first_name, person.last_name, *school_name.split()]
    words = {re.sub(r"[^a-z0-9]", "", n.lower()) for n in names}
    words -= {"primary", "school", "academy", "the", "of", "and", "church", "infant", "junior"}
    if any(len(w) >= 3 and w in folded for w in words):
        return "Please leave out your name and the school's name: they are easy to guess."
    verdict = zxcvbn(password[:100], user_inputs=[n for n in names if n])
    if verdict["score"] < 3:
        return (
            "That password is one people often use, or is easy to guess. "
            "Try three random words, like 'kettle-orbit-tulip'."
        )
    return None


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, secret) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def use_fast_hashing_for_tests() -> None:
    """Tests hash hundreds of passwords; argon2id at the production cost would take minutes."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    _DUMMY_HASH = _hasher.hash("not-a-real-password")
