"""Hostile input and shared limits (issue 13): what they cost, measured beside a floor in the same run.

- Import memory: `manage.py import_institutions FILE --dry-run` in its own process under `/usr/bin/time -v`, on the
  probe's files (12,000 rows with a cell in column XFD; a 1 MB file that unzips to a 1 GB string) and on a legitimate
  sheet at the row limit; the floor is the same process running `manage.py check` (Python, Django and the apps).
  Target: under 300 MB maximum resident set.
- The Redis-backed rate limit: one counted request (INCR + EXPIRE NX in one transaction on the real Redis) against the
  process-local cache's count, per call. Skipped, and said so, where no Redis answers.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RSS_TARGET_MB = 300


def _max_rss_mb(*args: str) -> tuple[float, float, str]:
    """(max RSS in MB, wall seconds, last output line) of manage.py with these arguments, in a fresh process."""
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 — our own manage.py, arguments from this file
        ["/usr/bin/time", "-v", sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    wall = time.perf_counter() - started
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    lines = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and not line.startswith(("\t", "Command exited", "Command being"))
    ]
    return int(rss.group(1)) / 1024 if rss else float("nan"), wall, lines[-1] if lines else ""


def import_memory() -> list[dict]:
    from jianguan.demo.loader import load_demo
    from tests.support import hostile_xlsx

    load_demo(log=lambda *a, **k: None, inspections=False)  # the importing account and the streets
    folder = Path(tempfile.mkdtemp(prefix="jianguan-bench-hostile-"))
    files = {
        "12,000 rows with a cell in XFD (61 KB)": hostile_xlsx.wide_rows(folder / "wide.xlsx"),
        "1 GB inline string (1 MB zip bomb)": hostile_xlsx.huge_string(folder / "bomb.xlsx", megabytes=1024),
        "20,000 plain rows (the row limit)": hostile_xlsx.many_rows(folder / "rows.xlsx", 20_000, street="城东街道"),
    }
    floor, floor_wall, _ = _max_rss_mb("check")
    results = []
    for label, path in files.items():
        rss, wall, last = _max_rss_mb("import_institutions", str(path), "--dry-run")
        results.append(
            {
                "name": f"import memory: {label}",
                "value": rss,
                "unit": "MB RSS",
                "target": RSS_TARGET_MB,
                "better": "lower",
                "note": f"floor {floor:.0f} MB (manage.py check, {floor_wall:.1f} s); {wall:.1f} s; "
                f"{path.stat().st_size / 1024:,.0f} KB file; said: {last[:90]}",
            }
        )
        path.unlink()
    return results


_PHOTO_SCRIPT = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianguan.settings")
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from jianguan.lib.images import read_photo, thumbnail
if sys.argv[1] != "floor":
    data = open(sys.argv[1], "rb").read()
    photo = read_photo(SimpleUploadedFile("p", data, "image/jpeg"))
    thumbnail(photo.data)
"""


def _script_rss_mb(*args: str) -> float:
    # Under /usr/bin/time, not resource.getrusage: Linux carries ru_maxrss across fork+exec from this (large) process.
    done = subprocess.run(  # noqa: S603 — our own script
        ["/usr/bin/time", "-v", sys.executable, "-c", _PHOTO_SCRIPT, *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-500:]
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1)) / 1024


def photo_memory() -> list[dict]:
    """read_photo + thumbnail of the largest photo the platform accepts (JIANGUAN_IMAGE_MAX_PIXELS), in a fresh
    process: the decode's peak beside the same process with nothing decoded."""
    from django.conf import settings
    from PIL import Image

    pixels = settings.JIANGUAN_IMAGE_MAX_PIXELS
    width = int((pixels * 4 / 3) ** 0.5)
    height = pixels // width
    folder = Path(tempfile.mkdtemp(prefix="jianguan-bench-photo-"))
    results = []
    for fmt in ("JPEG", "PNG"):
        path = folder / f"photo.{fmt.lower()}"
        Image.radial_gradient("L").resize((width, height)).convert("RGB").save(path, fmt)
        floor, peak = _script_rss_mb("floor"), _script_rss_mb(str(path))
        results.append(
            {
                "name": f"photo decode memory: {width}×{height} {fmt} ({pixels / 1e6:.0f} MP, the limit)",
                "value": peak - floor,
                "unit": "MB above floor",
                "target": 200,
                "better": "lower",
                "note": f"peak {peak:.0f} MB, floor {floor:.0f} MB (the same script decoding nothing); "
                f"file {path.stat().st_size / 1e6:.1f} MB",
            }
        )
        path.unlink()
    return results


def redis_rate_limit_cost() -> list[dict]:
    import redis
    from django.core.cache import caches
    from django.test import RequestFactory, override_settings

    from jianguan.lib import ratelimit

    url = os.environ.get("JIANGUAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        print(f"skip redis_rate_limit_cost: no Redis at {url} ({exc})")
        return []
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.50")

    def per_call(n: int = 5000) -> tuple[float, list[float]]:
        samples = []
        for _ in range(n):
            t = time.perf_counter()
            ratelimit.retry_after(request, "bench", 10**9, 3600)
            samples.append((time.perf_counter() - t) * 1e6)
        return statistics.median(samples), samples

    local, _ = per_call()
    prefix = f"jgbench-{uuid.uuid4().hex[:8]}"
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": prefix,
            }
        }
    ):
        shared, samples = per_call()
        p95 = statistics.quantiles(samples, n=20)[18]
        caches["default"].close()
    client = redis.Redis.from_url(url)
    keys = client.keys(f"{prefix}:*")
    if keys:
        client.delete(*keys)
    return [
        {
            "name": "rate limit per request on Redis (INCR+EXPIRE NX)",
            "value": shared,
            "unit": "µs",
            "target": 1000,
            "better": "lower",
            "note": f"median; p95 {p95:.0f} µs; floor: the process-local cache {local:.0f} µs; n=5000 on {url}",
        }
    ]


ALL = [import_memory, photo_memory, redis_rate_limit_cost]
