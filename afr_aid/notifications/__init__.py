"""Notification pages: delivery log, .eml outbox, summary preview (admins),
notification settings (everyone), unsubscribe (no sign-in); and the
`flask summaries` commands."""
