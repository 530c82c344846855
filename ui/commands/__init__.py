"""Sub-command groups of `kg`; each module exposes ``register(app)``."""
