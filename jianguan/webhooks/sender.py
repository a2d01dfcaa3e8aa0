"""One HTTP POST to a receiver, with the standard library (http.client): a short timeout, no redirect followed, the
answer read only so far, and where it may go checked against JIANGUAN_WEBHOOK_ALLOWED_HOSTS."""

from __future__ import annotations

import http.client
import ipaddress
import re
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

USER_AGENT = "Jianguan-Webhooks/1"
KEEP_BYTES = 4096  # of the receiver's answer, for the delivery log; the rest is never read
# A host name as DNS has it (single labels too: an intranet's "sjzx" is a name); internationalised names in their
# xn-- form.
HOSTNAME = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$")


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    duration_ms: int
    excerpt: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


def host_allowed(host: str) -> bool:
    """Any host when JIANGUAN_WEBHOOK_ALLOWED_HOSTS is empty; otherwise a name or address on the list, or under a
    ".domain" entry (the domain itself and its subdomains), as Django's ALLOWED_HOSTS."""
    allowed = settings.JIANGUAN_WEBHOOK_ALLOWED_HOSTS
    if not allowed:
        return True
    host = host.lower().rstrip(".")
    for entry in allowed:
        entry = entry.lower().rstrip(".")
        if entry.startswith("."):
            if host == entry[1:] or host.endswith(entry):
                return True
        elif host == entry:
            return True
    return False


def url_refusal(url: str) -> str:
    """Why the platform will not send to this URL ('' when it will)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — raises ValueError for a port out of range
    except ValueError:
        return _("接收地址无效。")
    if parts.scheme not in ("http", "https"):
        return _("接收地址必须以 http:// 或 https:// 开头。")
    if not parts.hostname:
        return _("接收地址缺少主机名。")
    if not _valid_host(parts.hostname):
        return _("接收地址无效：主机名只能含字母、数字、连字符和点（中文域名请填写 xn-- 形式）。")
    if not url.isascii() or any(ch.isspace() or not ch.isprintable() for ch in url):
        return _("接收地址不能含空格或非 ASCII 字符（路径中的中文请先进行 URL 编码）。")
    if parts.username is not None or parts.password is not None:
        return _("接收地址不能包含用户名或密码；请用签名密钥验证来源。")
    if not host_allowed(parts.hostname):
        return _("接收地址的主机 %(host)s 不在允许的范围内（JIANGUAN_WEBHOOK_ALLOWED_HOSTS）。") % {
            "host": parts.hostname
        }
    return ""


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(HOSTNAME.match(host.rstrip(".")))
    return True


def display_url(url: str) -> str:
    """The URL without its query string (which may carry a receiver's token), for lists and the audit log."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" + ("?…" if parts.query else "")


def _short(exc: BaseException) -> str:
    return (str(exc) or type(exc).__name__)[:200]


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST the body; any 2xx is success. Never raises for the network or the receiver: the outcome says what
    happened. A redirect is an answer like any other non-2xx (following it could send the signed event elsewhere)."""
    timeout = settings.JIANGUAN_WEBHOOK_TIMEOUT_SECONDS
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    started = time.monotonic()
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname or "", parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    status: int | None = None
    excerpt = b""
    error = ""
    try:
        connection.request("POST", path, body=body, headers={**headers, "User-Agent": USER_AGENT})
        response = connection.getresponse()
        status = response.status
        # Read at most KEEP_BYTES, and for no longer than the timeout in all (a receiver dripping its answer byte by
        # byte must not hold the worker).
        deadline = started + 2 * timeout
        while len(excerpt) < KEEP_BYTES and time.monotonic() < deadline:
            chunk = response.read1(KEEP_BYTES - len(excerpt))
            if not chunk:
                break
            excerpt += chunk
        if 300 <= status < 400:
            error = _("接收方要求重定向到 %(location)s，未跟随。") % {
                "location": (response.getheader("Location") or "")[:150]
            }
        elif not 200 <= status < 300:
            error = _("接收方返回 HTTP %(status)s。") % {"status": status}
    except TimeoutError:
        error = _("连接或等待接收方超时（%(seconds)s 秒）。") % {"seconds": timeout}
    except ssl.SSLError as exc:
        error = _("TLS 握手或证书校验失败：%(error)s") % {"error": _short(exc)}
    except (OSError, http.client.HTTPException) as exc:
        error = _("无法连接接收方：%(error)s") % {"error": _short(exc)}
    except ValueError as exc:  # an address http.client cannot put in a request line (url_refusal keeps them out)
        error = _("接收地址无效：%(error)s") % {"error": _short(exc)}
    finally:
        connection.close()
    duration_ms = int((time.monotonic() - started) * 1000)
    return Outcome(status, error[:300], duration_ms, excerpt.decode("utf-8", errors="replace"))
