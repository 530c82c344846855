"""Ground floor of Rediscover: schema, records, build pipeline, artefact and stores.

Nothing here imports loaders/, queries/ or ui/.
"""
