"""Salesforce record ids: 18 characters, a real key prefix, a case-restoring checksum suffix.

An id is `prefix (3) + instance (2) + reserved (1) + base-62 number (9)`, then three suffix
characters that record which of the first 15 are upper case, so an 18-character id survives
case-insensitive systems. Digits sort before upper before lower case in base 62 as in ASCII,
so ids made from increasing numbers sort, as strings, in creation order (as `ORDER BY Id` does).
"""

from __future__ import annotations

__all__ = ["KEY_PREFIXES", "make_id", "normalize_id", "object_of"]

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_INSTANCE = "5e0"  # instance and reserved characters, as in the REST guide's examples
_BODY = 9
_CHUNK = 5

KEY_PREFIXES: dict[str, str] = {
    "Account": "001",
    "Contact": "003",
    "User": "005",
    "Organization": "00D",
    "Group": "00G",
    "Profile": "00e",
    "Lead": "00Q",
    "Task": "00T",
    "Event": "00U",
    "CampaignMember": "00v",
    "QueryLocator": "01g",
    "Campaign": "701",
    "PermissionSet": "0PS",
    "PermissionSetAssignment": "0Pa",
}
_OBJECTS = {prefix: name for name, prefix in KEY_PREFIXES.items()}


_UPPER_BITS = str.maketrans({ch: "1" if "A" <= ch <= "Z" else "0" for ch in _BASE62})
_PAIRS = [a + b for a in _BASE62 for b in _BASE62]  # two base-62 digits at a time


def _suffix(id15: str) -> str:
    bits = id15.translate(_UPPER_BITS)  # "1" where upper case; each chunk is read right to left
    return "".join(_SUFFIX[int(bits[start + _CHUNK - 1 :: -1][:_CHUNK], 2)] for start in range(0, 15, _CHUNK))


def make_id(sobject: str, number: int) -> str:
    """The 18-character id of the `number`-th record of an object (deterministic)."""
    pairs = []
    for _ in range(_BODY // 2):
        number, rest = divmod(number, 3844)
        pairs.append(_PAIRS[rest])
    id15 = KEY_PREFIXES[sobject] + _INSTANCE + _BASE62[number % 62] + "".join(reversed(pairs))
    return id15 + _suffix(id15)


def normalize_id(text: str) -> str | None:
    """The canonical 18-character form of a 15- or 18-character id, or None if it is not an id.

    An 18-character id is case-insensitive: its suffix restores the case of the first 15.
    """
    if not (text.isascii() and text.isalnum()):
        return None
    if len(text) == 15:  # noqa: PLR2004 - the short, case-sensitive form
        return text + _suffix(text)
    if len(text) != 18:  # noqa: PLR2004 - the long form
        return None
    if _suffix(text[:15]) == text[15:]:  # already canonical, as clients echo ids back
        return text
    chars = list(text[:15])
    for chunk, flag_char in enumerate(text[15:].upper()):
        flags = _SUFFIX.find(flag_char)
        if flags < 0:
            return None
        for i in range(_CHUNK):
            pos = chunk * _CHUNK + i
            upper = bool(flags >> i & 1)
            if upper and not chars[pos].isalpha():
                return None
            chars[pos] = chars[pos].upper() if upper else chars[pos].lower()
    id15 = "".join(chars)
    return id15 + _suffix(id15)


def object_of(record_id: str) -> str | None:
    """The object an id belongs to, by its key prefix (None for a prefix the sandbox lacks)."""
    return _OBJECTS.get(record_id[:3])
