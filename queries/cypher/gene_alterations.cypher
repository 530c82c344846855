// Alterations in a gene: each alteration of the gene with its level and kind, and how many
// cohorts select it directly.
// @param gene "BRAF"  HGNC symbol or HGNC id of the gene
MATCH (a:Alteration)-[ig:IN_GENE]->(g:Gene)
WHERE g.symbol = $gene OR g.id = $gene
OPTIONAL MATCH (c:Cohort)-[s:SELECTS]->(a)
RETURN a.id AS alteration_id, a.name AS alteration, a.level AS level, a.kind AS kind,
       count(c) AS n_cohorts
ORDER BY alteration_id
