"""Fault injection: the failures real Discord produces, on chosen routes or at random.

- `fail_next(method, path, status=..., count=..., via=..., is_global=...)`: the next `count` matching requests
  get an error. A 429 carries `Via` (Discord's proxy: discord.py waits `retry_after` and retries) unless
  `via=False` (Cloudflare's answer: discord.py raises). discord.py retries 500/502/504 itself after 1 s, 3 s...
  but not 503 on channel routes.
- `refuse_channel(channel_id)`: every later request on that channel answers 403 Missing Access.
- `latency`: seconds every REST request takes before it is handled (the interaction's acknowledgement time
  is measured after it, as Discord would see it).
- `random_faults(rate, seed)`: that share of REST requests fail with a random 429 (with and without Via,
  global or per route) or 500/502/503; `faulted` lists what was injected.
"""

from __future__ import annotations

import random
import re

from .models import FailRule

RANDOM_FAULTS: tuple[tuple[int, bool, bool], ...] = (  # (status, via, is_global)
    (429, True, False), (429, False, False), (429, True, True), (500, True, False), (502, True, False),
    (503, True, False),
)
MISSING_ACCESS = {"message": "Missing Access", "code": 50001}


class FaultInjection:
    def __init__(self) -> None:
        self.fail_rules: list[FailRule] = []
        self.latency = 0.0
        self.fault_rate = 0.0
        self.faulted: list[tuple[str, str, int]] = []  # (method, path, status) of every injected failure
        self._fault_rng = random.Random(0)

    def fail_next(self, method: str, path: str, *, status: int = 429, count: int = 1, retry_after: float = 0.01,
                  is_global: bool = False, via: bool = True, body: dict | None = None) -> FailRule:
        """Answer the next `count` requests matching (method, path regex) with `status` (429 by default)."""
        rule = FailRule(method, re.compile(path), status, count, retry_after, is_global, body, via)
        self.fail_rules.append(rule)
        return rule

    def refuse_channel(self, channel_id: int, methods: tuple[str, ...] = ("POST", "PATCH")) -> None:
        for method in methods:
            self.fail_next(method, rf"/channels/{channel_id}(/.*)?", status=403, count=10**9, body=MISSING_ACCESS)

    def random_faults(self, rate: float, seed: int = 0) -> None:
        self.fault_rate, self._fault_rng = rate, random.Random(seed)

    def take_fail_rule(self, method: str, path: str) -> FailRule | None:
        for rule in self.fail_rules:
            if rule.matches(method, path):
                rule.count -= 1
                self.faulted.append((method, path, rule.status))
                return rule
        if self.fault_rate and not path.startswith(("/gateway", "/users/@me", "/applications", "/oauth2")) \
                and self._fault_rng.random() < self.fault_rate:
            status, via, is_global = self._fault_rng.choice(RANDOM_FAULTS)
            self.faulted.append((method, path, status))
            return FailRule(method, re.compile(re.escape(path)), status, 0, 0.05, is_global, None, via)
        return None
