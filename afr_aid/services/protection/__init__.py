"""Data protection: the hash-chained audit log (`audit`), encryption key
rotation and the blind index's rebuild (`keys`), erasure of identifiers after
the retention period and on request (`retention`), exports that leave nothing
identifying without consent (`exports`), and the anonymous figures with small
counts hidden (`stats`)."""
