"""Accounts: users and their changes (`users`), password hashing and the
common-password check (`passwords`), two-step sign-in with TOTP and recovery
codes (`two_factor`), the server-side session and API token store
(`sessions`), issuing and revoking API tokens (`api_tokens`), and the time
zones a user may pick (`time_zones`)."""
