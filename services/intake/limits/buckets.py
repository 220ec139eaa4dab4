"""Per-client token buckets: moved to `shared.ratelimit.buckets` (federation throttles the same
way); the names stay here for intake's modules."""

from shared.ratelimit.buckets import MAX_CLIENTS, RateLimiter, UploadQuota

__all__ = ["MAX_CLIENTS", "RateLimiter", "UploadQuota"]
