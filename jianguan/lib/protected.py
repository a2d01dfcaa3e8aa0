"""Personal numbers kept protected: resident ID numbers (居民身份证号码) and bank account numbers.

A protected value is stored three ways, never in plain text:

- sealed: AES-256-GCM with a random nonce (`seal` / `unseal`), read back only for the people with the need
  (the institution itself, the supervising officers; see staff.selectors.may_see_id_numbers);
- a keyed fingerprint (HMAC-SHA256, `fingerprint`), so that the same person is found again (a duplicate at one
  institution, a match on the district's 限制从业 list) without anyone reading the number;
- masked (`mask_id_number`, `mask_account`), the only form lists, exports and the audit log show.

The key is JIANGUAN_FIELD_KEY (64 hex digits) when set, else derived from SECRET_KEY: set it in production and keep
it with the backups, since a lost key loses the sealed numbers (the masked forms and fingerprints stay usable).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

PREFIX = "v1:"


@lru_cache(maxsize=4)
def _keys(secret: str, field_key: str) -> tuple[bytes, bytes]:
    if field_key:
        master = bytes.fromhex(field_key)
    else:
        master = hashlib.sha256(b"jianguan-field-key\x00" + secret.encode()).digest()
    sealing = hmac.new(master, b"seal", hashlib.sha256).digest()
    matching = hmac.new(master, b"fingerprint", hashlib.sha256).digest()
    return sealing, matching


def _current_keys() -> tuple[bytes, bytes]:
    return _keys(settings.SECRET_KEY, getattr(settings, "JIANGUAN_FIELD_KEY", "") or "")


def seal(value: str) -> str:
    """The value encrypted and authenticated; '' stays ''."""
    if not value:
        return ""
    nonce = os.urandom(12)
    box = AESGCM(_current_keys()[0]).encrypt(nonce, value.encode(), None)
    return PREFIX + base64.urlsafe_b64encode(nonce + box).decode()


def unseal(token: str) -> str:
    """The value back; '' for an empty or unreadable token (a wrong key is logged by the caller, never shown)."""
    if not token or not token.startswith(PREFIX):
        return ""
    try:
        raw = base64.urlsafe_b64decode(token[len(PREFIX) :].encode())
        return AESGCM(_current_keys()[0]).decrypt(raw[:12], raw[12:], None).decode()
    except (InvalidTag, ValueError):
        return ""


def fingerprint(value: str) -> str:
    """A keyed hash of the normalised value (64 hex digits), '' for ''."""
    if not value:
        return ""
    return hmac.new(_current_keys()[1], value.encode(), hashlib.sha256).hexdigest()


def normalize_id_number(value: object) -> str:
    """The check letter upper case, spaces and hyphens dropped, full-width digits folded; anything else is kept (and
    then refused by clean_id_number), never silently removed."""
    text = str(value or "").strip()
    text = text.translate({code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)})
    return "".join(ch for ch in text if ch not in " \u3000-").upper()


def clean_id_number(value: object) -> str:
    """A valid 18-digit 居民身份证号码 (GB 11643: the region, the birth date and the check digit, by
    python-stdnum), or ValueError with a Chinese message."""
    number = normalize_id_number(value)
    if len(number) != 18 or not (number[:17].isascii() and number[:17].isdigit()) or number[17] not in "0123456789X":
        raise ValueError(_("身份证号码应为 18 位，前 17 位为数字，末位为数字或 X。"))
    try:
        ric.validate(number)
    except (StdnumError, KeyError, ValueError) as exc:  # an unknown region code raises KeyError in stdnum 2.2
        raise ValueError(_("身份证号码无效（出生日期或校验位不符），请核对。")) from exc
    return number


def mask_id_number(number: str) -> str:
    """110101199003071234 → 110***********1234: the first three and last four characters."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_account(number: str) -> str:
    """6222020200112233445 → **** **** 3445: the last four digits."""
    digits = "".join(ch for ch in number if ch.isalnum())
    return f"**** **** {digits[-4:]}" if len(digits) > 4 else "*" * len(digits)


def mask_person_name(name: str) -> str:
    """张小明 → 张**; 欧阳娜娜 → 欧***; a single character stays masked entirely."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)


def check_field_key(app_configs: object = None, **kwargs: object) -> list:
    """`manage.py check --deploy`: in production the sealing key is set on its own (a SECRET_KEY rotated later would
    otherwise lose every sealed number), and any key given is 64 hex digits."""
    from django.core import checks

    key = getattr(settings, "JIANGUAN_FIELD_KEY", "") or ""
    if key:
        try:
            if len(bytes.fromhex(key)) != 32:
                raise ValueError
        except ValueError:
            return [checks.Error("JIANGUAN_FIELD_KEY must be 64 hex digits (32 bytes)", id="protected.E001")]
        return []
    return [
        checks.Warning(
            "JIANGUAN_FIELD_KEY is not set: ID and account numbers are sealed with a key derived from the secret key, "
            "so rotating JIANGUAN_SECRET_KEY would make them unreadable. Set it (python -c 'import secrets; "
            "print(secrets.token_hex(32))') and keep it with the backups.",
            id="protected.W001",
        )
    ]
