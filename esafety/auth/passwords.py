"""Password and picture-password hashing with argon2id, rehashed when the parameters change."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

#: argon2id at OWASP's recommended minimum (19 MiB, 2 passes): about 23 ms a check here, where
#: the library's default (64 MiB, 3 passes) cost 190 ms and 64 MiB in every worker at sign-in
#: time. Hashes made with other parameters are upgraded at the next sign-in (needs_rehash).
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
#: Verified against when the account does not exist, so an unknown email takes as long as a
#: wrong password and the two get the same answer.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


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
