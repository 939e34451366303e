"""Fixed-window counters in the cache: how many times a key was hit in this window.

Used where a caller must not be able to try without limit (the API per client, failed
logins per address across user names). In production the cache is Redis, shared by every
gunicorn worker; in the demo and tests it is the process's own memory.
"""

import time

from django.core.cache import cache


def _key(name: str, window: int) -> str:
    return f"throttle:{name}:{int(time.time()) // window}"


def hit(name: str, *, window: int) -> int:
    """Count one hit for `name` in the current window and return the count so far."""
    key = _key(name, window)
    cache.add(key, 0, timeout=window + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        return 1


def count(name: str, *, window: int) -> int:
    return int(cache.get(_key(name, window)) or 0)


def retry_after(window: int) -> int:
    """Seconds until the current window ends."""
    return window - int(time.time()) % window
