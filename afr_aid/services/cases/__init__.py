"""Cases: filing (the client_uuid retry, references, due times, the consent
rule) and reading them (`records`), the workflow's actions and notes
(`workflow`), routing to the right volunteer and auto-routing (`routing`), the
coordinator's start-page queue (`queue`), the place tree (`places`) and the
search of names over their blind index (`names` makes the keys, `name_index`
stores and queries them). Who may see a case is not decided here but in
`afr_aid.permissions.visible_cases`."""
