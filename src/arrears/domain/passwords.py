"""The password policy, in the style of NIST SP 800-63B: length and a blocklist, no composition rules.

A password is accepted when none of these holds (each refusal names its rule):

- ``password.length``: fewer than 12 characters, or more than 200;
- ``password.blank``: only whitespace;
- ``password.few_characters``: fewer than 5 different characters;
- ``password.repeated``: one chunk repeated (``aaaaaaaaaaaa``, ``abcabcabcabc``, ``monkeymonkey``): the
  password is then no stronger than its chunk, which is shorter than the minimum length;
- ``password.sequence``: a run of an obvious sequence, forwards or backwards (the alphabet, the digits,
  keyboard rows and columns: ``abcdefghijkl``, ``123456789012``, ``qwertyuiopas``, ``1qaz2wsx3edc``);
- ``password.username``: the username, or containing it (case-insensitive; for usernames of 3 or more
  characters);
- ``password.common``: a common password (case-insensitive), or a common password, a sequence or the
  username with only digits, punctuation or spaces around it (``dragon2024!!!``, ``!!password1234``).

Pure: the list of common passwords is an argument (``arrears.adapters.common_passwords`` reads the one
shipped with arrears).
"""

from __future__ import annotations

import string
from collections.abc import Collection

from arrears.domain.reasons import Reason

MIN_LENGTH = 12
MAX_LENGTH = 200
MIN_DISTINCT = 5
_DECORATION = string.digits + string.punctuation + string.whitespace
SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
)


def _refusal(rule: str, zh: str, en: str) -> Reason:
    return Reason(f"password.{rule}", zh, en)


def is_repeated(text: str) -> bool:
    """One chunk, shorter than the whole, repeated to fill it (the last repeat may be cut short)."""
    return any((text[:size] * (len(text) // size + 1))[: len(text)] == text for size in range(1, len(text) // 2 + 1))


def is_sequence(text: str) -> bool:
    """A run of three or more characters of an obvious sequence, forwards or backwards (wrapping round)."""
    text = text.lower()
    if len(text) < 3:
        return False
    for sequence in SEQUENCES:
        laps = sequence * (len(text) // len(sequence) + 2)
        if text in laps or text[::-1] in laps:
            return True
    return False


def _core(text: str) -> str:
    """The password without the digits, punctuation and spaces around it."""
    return text.strip(_DECORATION)


def _is_username(text: str, username: str) -> bool:
    name = username.strip().lower()
    return bool(name) and (text == name or (len(name) >= 3 and name in text))


def password_refusals(password: str, username: str, common: Collection[str]) -> tuple[Reason, ...]:
    """Every rule of the policy that ``password`` breaks; empty when it is accepted."""
    length: tuple[Reason, ...] = ()
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        length = (_refusal("length", f"密码须为 {MIN_LENGTH} 至 {MAX_LENGTH} 个字符",
                           f"a password has {MIN_LENGTH} to {MAX_LENGTH} characters"),)
    return length + _shape(password, username, common)


def _shape(password: str, username: str, common: Collection[str]) -> tuple[Reason, ...]:
    text = password.lower()
    core = _core(text)
    found: list[Reason] = []
    if not password.strip():
        found.append(_refusal("blank", "密码不能只有空白字符", "a password is not only spaces"))
    elif len(set(password)) < MIN_DISTINCT:
        found.append(_refusal("few_characters", f"密码至少要有 {MIN_DISTINCT} 个不同的字符",
                              f"a password has at least {MIN_DISTINCT} different characters"))
    if password.strip() and is_repeated(text):
        found.append(_refusal("repeated", "密码不能是同一段字符的重复", "a password is not one chunk repeated"))
    if is_sequence(text.strip()):
        found.append(_refusal("sequence", "密码不能是连续的字母、数字或键盘序列",
                              "a password is not a run of letters, digits or keys in order"))
    if _is_username(text, username):
        found.append(_refusal("username", "密码不能是用户名或包含用户名", "a password does not contain the username"))
    if text in common or (core and core != text and (core in common or is_sequence(core) or is_repeated(core)
                                                     or _is_username(core, username))):
        found.append(_refusal("common", "这是常见密码（或常见密码加数字、符号），容易被猜中",
                              "this is a common password (or one with digits or symbols added); it is easy to guess"))
    return tuple(found)


def joined(refusals: tuple[Reason, ...]) -> tuple[str, str]:
    """The refusals as one Chinese and one English sentence."""
    return "；".join(r.zh for r in refusals), "; ".join(r.en for r in refusals)
