"""Use cases: each opens a unit of work, calls the domain, and is audited exactly once."""
