"""Demo data, refused when AFR_ENV=production: the small set `make run`
loads (`sample`), its shared two-step key (`two_factor`), and the bulk set at a
region's scale with labelled spelling variants (`scale`, `scale_users`,
`names`)."""
