"""The names of vidrek's Celery tasks and queues: what a message is addressed to, on the wire.

Kept apart from :mod:`workers.celery_app` so that code that only names a queue (the ``vidrek`` command
line, the tests) does not import Celery.
"""

from __future__ import annotations

#: The task that runs one Start* job to completion.
ANALYSE_TASK = "vidrek.analyse_video"
#: The task that makes one delivery attempt of a job's completion notification to one target.
DELIVER_TASK = "vidrek.deliver_notification"
#: The task that sends a webhook subscription its SubscriptionConfirmation.
CONFIRM_TASK = "vidrek.confirm_subscription"

#: The queue of analysis jobs (and, unless VIDREK_NOTIFICATION_QUEUE names another, of notifications).
ANALYSIS_QUEUE = "vidrek"
#: The queue of notification tasks where they have a worker of their own (`vidrek up`, docker-compose),
#: so that a delivery never waits behind video analyses.
NOTIFICATION_QUEUE = "vidrek-notifications"
