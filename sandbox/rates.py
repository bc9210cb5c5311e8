"""Slack's Web API rate limits, as the stand-in enforces them when asked to (`SlackStandIn(rate_limits=True)`).

Slack limits each method per app per workspace by tier (docs.slack.dev/apis/web-api/rate-limits):
Tier 1 1+ a minute, Tier 2 20+, Tier 3 50+, Tier 4 100+, bursts tolerated; chat.postMessage is
special, about one message a second per channel with short bursts, under a workspace-wide limit
Slack does not publish. Each limit here is a token bucket: it holds a minute's worth divided by
`BURST_SHARE` (at least one call; two for a channel, two seconds' worth for the workspace's posts), refills at the tier's rate, and a call that
finds it empty is answered 429 `ratelimited` with `Retry-After` in whole seconds, as Slack's are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}
# The tier of each method QI Commons calls (each method's reference page); unlisted ones are Tier 3.
TIERS = {
    "apps.connections.open": 1, "users.list": 2, "conversations.list": 2, "auth.test": 4,
    "chat.update": 3, "chat.delete": 3, "conversations.open": 3, "conversations.info": 3,
    "conversations.join": 3, "conversations.history": 3, "conversations.replies": 3, "users.lookupByEmail": 3,
    "chat.postEphemeral": 4, "chat.getPermalink": 4, "users.info": 4, "views.open": 4, "views.push": 4,
    "views.update": 4, "views.publish": 4, "files.getUploadURLExternal": 4, "files.completeUploadExternal": 4,
}
DEFAULT_TIER = 3
BURST_SHARE = 5  # a bucket holds a fifth of a minute's calls: "occasional bursts"
POST_PER_CHANNEL_PER_SECOND = 1.0
POST_CHANNEL_BURST = 2
# Slack keeps its workspace-wide chat.postMessage limit to itself; this is the stand-in's, with
# "short bursts" of two seconds' worth.
POST_PER_MINUTE = 600
POST_BURST_SECONDS = 2


@dataclass
class _Bucket:
    rate: float  # tokens a second
    capacity: float
    tokens: float
    at: float

    def wait(self, now: float) -> float:
        """Seconds until a call may go (0: now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


@dataclass
class RateLimits:
    """The limits of one workspace; `post_per_minute` is the workspace-wide chat.postMessage limit."""

    post_per_minute: int = POST_PER_MINUTE
    _buckets: dict[tuple[str, str], _Bucket] = field(default_factory=dict)

    def per_second(self, method: str) -> float:
        """The sustained rate a method is held to (chat.postMessage: the workspace's, over all channels)."""
        if method == "chat.postMessage":
            return self.post_per_minute / 60
        return PER_MINUTE[TIERS.get(method, DEFAULT_TIER)] / 60

    def burst(self, method: str) -> int:
        if method == "chat.postMessage":
            return max(1, round(self.per_second(method) * POST_BURST_SECONDS))
        return max(1, PER_MINUTE[TIERS.get(method, DEFAULT_TIER)] // BURST_SHARE)

    def retry_after(self, method: str, channel: str | None, now: float) -> int | None:
        """None when the call may go now (and it is counted), else Slack's Retry-After in seconds.

        A refused call counts against nothing, as at Slack: only answered calls use the quota.
        """
        buckets = [self._bucket((method, ""), self.per_second(method), self.burst(method), now)]
        if method == "chat.postMessage" and channel:
            buckets.append(self._bucket((method, channel), POST_PER_CHANNEL_PER_SECOND, POST_CHANNEL_BURST, now))
        waits = [b.wait(now) for b in buckets]
        if any(waits):
            return max(1, math.ceil(max(waits)))
        for bucket in buckets:
            bucket.take()
        return None

    def _bucket(self, key: tuple[str, str], rate: float, capacity: int, now: float) -> _Bucket:
        if key not in self._buckets:
            self._buckets[key] = _Bucket(rate, capacity, capacity, now)
        return self._buckets[key]
