"""Notification pages: delivery log, .eml outbox, summary preview (admins),
notification settings (everyone), unsubscribe (no sign-in). The rules are in
services/notifications; the `flask summaries` commands in cli/summaries.py."""
