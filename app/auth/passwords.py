"""The password policy: long enough, not one of the commonest passwords, not the username.

The list below is a small one of our own making: the passwords that top every published
leak analysis (digit runs, keyboard walks, ``password`` and its spellings) and those common
in Chinese leaks (``5201314``, ``woaini1314``, pinyin names with digits). It catches what a
guesser tries first; length does the rest.
"""

from __future__ import annotations

import unicodedata

MIN_LENGTH = 8

_COMMON = """
123456 123456789 12345678 1234567890 12345 1234567 111111 000000 123123 654321 666666 888888
88888888 11111111 00000000 12341234 112233 121212 123321 147258369 159357 987654321 1qaz2wsx
qwerty qwerty123 qwertyuiop asdfgh asdfghjkl zxcvbnm 1q2w3e4r 1q2w3e4r5t qazwsx qweasdzxc
password password1 password123 passw0rd p@ssw0rd p@ssword admin admin123 admin888 root
administrator letmein welcome welcome1 iloveyou monkey dragon football baseball sunshine
princess abc123 abcd1234 a123456 a12345678 aa123456 aa12345678 qq123456 q123456 woaini
woaini1314 woaini520 5201314 520520 1314520 13145200 wangyang woaini123 iloveyou1314
zhang123 wang123 li123456 liu123456 chen123456 12345abc abc12345 123456abc 123456a a1234567
123abc 1234qwer qwer1234 asd123456 zxc123456 changeme changeme123 secret default
doorstep doorstep123 doorstep-demo test test1234 testtest guest guest123 user user1234
computer internet shanghai beijing hangzhou china123 nihao nihao123 88888888a 66666666
999999999 147258 258369 321321 789456123 123456789a 1234567890a qwe123 qwe123456
"""

COMMON_PASSWORDS: frozenset[str] = frozenset(_COMMON.split())


def password_problem(*, username: str, password: str) -> str | None:
    """Why the password may not be used by this user, or None when it may."""
    if len(password) < MIN_LENGTH:
        return f"The password needs at least {MIN_LENGTH} characters"
    # Full-width letters and digits (a Chinese keyboard's) are the same guess as ASCII ones.
    folded = unicodedata.normalize("NFKC", password).casefold()
    name = unicodedata.normalize("NFKC", username).casefold()
    if folded in COMMON_PASSWORDS or folded.strip("0123456789!.@#") in COMMON_PASSWORDS:
        return "This password is one of the first that anyone guesses: choose another"
    if name and (folded == name or (len(name) >= 4 and name in folded)):
        return "The password may not be or contain the username"
    if len(set(folded)) <= 2:
        return "The password is too easy to guess: use more different characters"
    return None
