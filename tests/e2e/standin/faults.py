"""Fault injection: failing REST answers (429, 5xx, 403, lost responses) and gateway drops."""

from __future__ import annotations

import contextlib
import json
import math
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from .gateway import Hub

RATE_LIMIT_MESSAGE = "You are being rate limited."


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    status: int
    count: int
    retry_after: float = 0.05
    after_apply: bool = False
    is_global: bool = False
    code: int | None = None
    #: Let this many matching requests through untouched before failing any.
    pass_first: int = 0
    hits: int = 0
    passed: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.hits >= self.count:
            return False
        return self.method in ("*", method) and self.path.search(path) is not None

    @property
    def exhausted(self) -> bool:
        return self.hits >= self.count

    def response(self) -> web.Response:
        headers = {"Content-Type": "application/json"}
        body: dict[str, object]
        if self.status == 429:
            body = {
                "message": RATE_LIMIT_MESSAGE,
                "retry_after": self.retry_after,
                "global": self.is_global,
            }
            if self.code is not None:
                body["code"] = self.code
            headers.update(
                {
                    "Retry-After": str(max(1, math.ceil(self.retry_after))),
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": f"{time.time() + self.retry_after:.3f}",
                    "X-RateLimit-Reset-After": f"{self.retry_after:.3f}",
                    "X-RateLimit-Bucket": "standin-fault",
                    "X-RateLimit-Scope": "global" if self.is_global else "user",
                    # discord.py treats a 429 without Via as a Cloudflare ban and raises.
                    "Via": "1.1 google",
                }
            )
            if self.is_global:
                headers["X-RateLimit-Global"] = "true"
        elif self.status == 403:
            body = {"code": self.code or 50013, "message": "Missing Permissions"}
        elif self.status == 404:
            body = {"code": self.code or 0, "message": "404: Not Found"}
        else:
            body = {"code": self.code or 0, "message": f"{self.status}: Internal Server Error"}
        return web.Response(status=self.status, body=json.dumps(body).encode(), headers=headers)


class Faults:
    """Rules the REST layer consults on every call, plus gateway faults.

    ``add("POST", r"/channels/\\d+/messages$", 429)`` fails the next matching request;
    ``after_apply=True`` lets it take effect and then loses the answer (500 by default);
    ``pass_first=N`` lets the first N matching requests through (say, the second page of a
    history read fails). Rules are consulted in the order added: the first one that matches
    a request and is not used up decides it.
    """

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.rules: list[Fault] = []

    def add(
        self,
        method: str,
        path_regex: str,
        status: int = 429,
        count: int = 1,
        *,
        retry_after: float = 0.05,
        after_apply: bool = False,
        is_global: bool = False,
        code: int | None = None,
        pass_first: int = 0,
    ) -> Fault:
        fault = Fault(
            method=method.upper(),
            path=re.compile(path_regex),
            status=status,
            count=count,
            retry_after=retry_after,
            after_apply=after_apply,
            is_global=is_global,
            code=code,
            pass_first=pass_first,
        )
        self.rules.append(fault)
        return fault

    def clear(self) -> None:
        self.rules.clear()

    def take(self, method: str, path: str) -> Fault | None:
        for fault in self.rules:
            if fault.matches(method, path):
                if fault.passed < fault.pass_first:
                    fault.passed += 1
                    return None
                fault.hits += 1
                return fault
        return None

    def drop_gateway(
        self, resumable: bool = True, *, code: int | None = None, abrupt: bool = False
    ) -> int:
        """Close the gateway connections (4000 by default; 4009 and an invalid session if not
        resumable; ``abrupt`` cuts TCP without a close frame). Returns how many were dropped."""
        return self.hub.drop(resumable=resumable, code=code, abrupt=abrupt)

    @contextlib.asynccontextmanager
    async def gateway_down(
        self, resumable: bool = True, *, code: int | None = None, abrupt: bool = False
    ) -> AsyncIterator[None]:
        """Drop the gateway and keep new connections waiting (before HELLO) until exit, so events
        dispatched inside the block are queued for the session and replayed on RESUME."""
        self.hub.hold()
        try:
            self.drop_gateway(resumable, code=code, abrupt=abrupt)
            yield
        finally:
            self.hub.release()
