"""Infrastructure: how afr_aid uses its database engine (`database`: SQLite's
pragmas and write lock; `read_only_commit`: PostgreSQL keeps its prepared
statements), the encryption key ring and blind-index key (`crypto`), sign-in
throttling (`throttle`) and the security headers of every answer
(`security_headers`). No business rule lives here."""
