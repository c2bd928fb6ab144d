"""One function per use case. Each takes the acting user and plain values,
checks permission through `permissions`, raises a domain error on refusal,
writes the change and its event, and commits once."""
