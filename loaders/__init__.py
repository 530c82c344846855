"""Source adapters: each reads one source into validated ``kg.records`` (no store knowledge)."""
