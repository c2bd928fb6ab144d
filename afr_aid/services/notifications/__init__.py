"""Notifications: who hears of what (`notify`, `preferences`), the outbox that
hands committed rows to Celery (`outbox`), delivery to SMTP or .eml files with
its retries and leases (`delivery`, `mailer`, `delivery_log`), the alerts for
unassigned and overdue cases (`alerts`), daily digests (`digest`), weekly
summaries with their figures, email and chart (`summaries`, `summary_figures`,
`summary_email`, `chart`, `memo`), and security notices to an account's owner
(`security_notices`). No email ever names a person or describes a case."""
