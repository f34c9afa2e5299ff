"""The outbox: finished jobs whose notifications are not all final, and when to look at them next.

:meth:`workers.jobs.JobStore.finish` adds a job (score: now) in the transaction that makes it final. A
dispatcher *claims* a due entry by moving its score one lease into the future (atomically, so two
dispatchers never both claim it), then queues its deliveries; each delivery moves the score to its next
attempt plus one lease, and the last final delivery removes the entry. An entry whose worker died
therefore becomes due again after one lease and is dispatched again.
"""

from __future__ import annotations

import redis

from workers import keys
from workers.jobs import now_ms

# Claim a due entry: set its score to ARGV[2] only if it is still <= ARGV[1] (now).
_CLAIM = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[3])
if score and tonumber(score) <= tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  return 1
end
return 0
"""


class Outbox:
    def __init__(self, client: redis.Redis, lease_ms: int) -> None:
        self._redis = client
        self.lease_ms = lease_ms

    def due(self, now: int | None = None, limit: int = 200) -> list[str]:
        moment = now_ms() if now is None else now
        return [str(m) for m in self._redis.zrangebyscore(keys.NOTIFICATION_OUTBOX, "-inf", moment, 0, limit)]

    def claim(self, job_id: str, now: int | None = None) -> bool:
        moment = now_ms() if now is None else now
        claimed = self._redis.eval(
            _CLAIM, 1, keys.NOTIFICATION_OUTBOX, moment, moment + self.lease_ms, job_id
        )
        return bool(claimed)

    def look_again_at(self, job_id: str, unix_ms: int) -> None:
        """Make the entry due one lease after ``unix_ms`` (only if it is still in the outbox)."""
        self._redis.zadd(keys.NOTIFICATION_OUTBOX, {job_id: unix_ms + self.lease_ms}, xx=True)

    def remove(self, job_id: str) -> None:
        self._redis.zrem(keys.NOTIFICATION_OUTBOX, job_id)

    def contains(self, job_id: str) -> bool:
        return self._redis.zscore(keys.NOTIFICATION_OUTBOX, job_id) is not None
