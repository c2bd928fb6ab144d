"""The use cases, grouped by feature: one package per feature, one function
per use case. Each takes the acting user and plain values, checks permission
through `afr_aid.permissions`, raises a domain error on refusal, writes the
change and its event, and commits once. Pages, the API, tasks and commands
all call the same functions; nothing here imports a page, the API or a task.

    cases/          filing and reading cases, the workflow, routing, the queue, places, name search
    notifications/  who hears of what, the outbox, delivery, alerts, digests, weekly summaries
    accounts/       users, passwords, two-step sign-in, sessions and API tokens, time zones
    protection/     the audit chain, key rotation, retention, exports, anonymous figures
    demo/           demo data, small (`flask demo`) and at scale (`flask demo --scale`)
"""
