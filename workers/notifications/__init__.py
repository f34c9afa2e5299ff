"""Completion notifications: SNS publish and SNS-format webhooks, delivered once per job.

How a notification travels:

1. :meth:`workers.jobs.JobStore.finish` writes the job's final state and, in the same Redis transaction,
   puts the job in the outbox (:data:`workers.keys.NOTIFICATION_OUTBOX`) when its Start request had a
   ``NotificationChannel`` (:mod:`.channel`).
2. :func:`.outbox.dispatch_due` (run right after the analysis task and by every worker's periodic sweep)
   plans the job's deliveries once (:mod:`.delivery_log`: one record per target, SNS topic and/or
   confirmed webhook subscriptions) and queues one Celery delivery task per pending target.
3. :func:`.delivery.deliver` makes one attempt under a per-target lock, records it in the job's delivery
   log and either finishes the record (delivered / dead-lettered) or schedules the next try
   (:mod:`.retry_policy`). A record that is final is never sent again, so duplicated tasks, retried tasks
   and re-dispatches after a worker died all end in one delivery.
"""
