"""Normalisers shared by every knowledgebase loader (CIViC, MOAlmanac, CGI, curated tables).

Each source spells genes, alterations, drugs and evidence levels its own way; these modules turn
them into the one id scheme of ``kg.schema`` so that nodes from different sources merge:

- ``genes``: symbol / alias / previous symbol / Entrez → HGNC id (HER2 → ERBB2).
- ``alterations``: a source's variant text → an alteration id in the curated hierarchy plus every
  missing ancestor (``alt:BRAF:V600E`` → ``alt:BRAF:V600`` → ``alt:BRAF:mutation`` → ``alt:BRAF``).
- ``drugs``: names (case, salts, brand → generic) → NCIt-keyed drug ids and regimens.
- ``tiers``: each source's evidence level → one ``common_tier``.
"""
