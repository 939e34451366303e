"""The parts of the demo Jobcenter, one module per production app, in the order they run.

`organisation` (sites, teams, staff) and `intake` (customers and their cases) come first;
`routing`, `appointments` and `frontdesk` each add theirs with `build(jobcenter, staff, rng)`.
"""
