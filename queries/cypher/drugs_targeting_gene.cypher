// Drugs targeting a gene: every drug that acts on the gene product, with its class and the
// number of regimens and cohorts that give it.
// @param gene "BRAF"  HGNC symbol or HGNC id of the gene
MATCH (d:Drug)-[t:TARGETS]->(g:Gene)
WHERE g.symbol = $gene OR g.id = $gene
OPTIONAL MATCH (r:Regimen)-[i:INCLUDES]->(d)
OPTIONAL MATCH (c:Cohort)-[ts:TESTS]->(r)
RETURN d.id AS drug_id, d.name AS drug, d.drug_class AS drug_class,
       count(DISTINCT r) AS n_regimens, count(DISTINCT c) AS n_cohorts
ORDER BY drug_id
