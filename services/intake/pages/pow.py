"""The report form's proof of work (ALTCHA v1, SHA-256): the page carries a signed challenge,
the browser finds the number behind it (static/pow.js), the form sends the solution back.

Nothing leaves the deployment and nothing names the person: a challenge is a random salt
signed with a key derived from intake's secret. A solution counts once per process (kept until
its challenge expires); a report sent without one is held to a stricter per-client rate.
"""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime, timedelta
from typing import Final

from altcha import ChallengeOptionsV1, create_challenge_v1, verify_solution_v1

from services.intake.keys import Keys

LIFETIME = timedelta(minutes=30)
ALGORITHM: Final = "SHA-256"


class Challenges:
    """Issues challenges and accepts each solution once."""

    def __init__(self, keys: Keys, max_number: int) -> None:
        self.keys, self.max_number = keys, max_number
        self._spent: dict[str, float] = {}  # challenge -> when it expires (monotonic)

    def issue(self, now: datetime) -> str:
        """A challenge as the page carries it (JSON)."""
        options = ChallengeOptionsV1(
            algorithm=ALGORITHM,
            max_number=self.max_number,
            hmac_key=self.keys.challenges,
            expires=now + LIFETIME,
        )
        challenge = create_challenge_v1(options)
        return json.dumps(challenge.to_dict())

    def accept(self, payload: str) -> bool:
        """Whether `payload` (base64 JSON from the browser) solves one of our challenges that
        has neither expired nor been used."""
        if not payload or len(payload) > 2000:
            return False
        ok, _ = verify_solution_v1(payload, self.keys.challenges, check_expires=True)
        if not ok:
            return False
        challenge = json.loads(base64.b64decode(payload))["challenge"]
        now = time.monotonic()
        self._spent = {c: until for c, until in self._spent.items() if until > now}
        if challenge in self._spent:
            return False
        self._spent[challenge] = now + LIFETIME.total_seconds()
        return True
