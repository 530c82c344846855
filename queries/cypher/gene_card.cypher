// Gene card: one gene with how many alterations, drugs, cohorts and evidence items involve it.
// Cohorts and evidence count when they name any alteration in the gene.
// @param gene "BRAF"  HGNC symbol or HGNC id of the gene
MATCH (g:Gene)
WHERE g.symbol = $gene OR g.id = $gene
OPTIONAL MATCH (a:Alteration)-[ig:IN_GENE]->(g)
OPTIONAL MATCH (d:Drug)-[t:TARGETS]->(g)
OPTIONAL MATCH (c:Cohort)-[s:SELECTS]->(a)
OPTIONAL MATCH (e:Evidence)-[fa:FOR_ALTERATION]->(a)
RETURN g.id AS gene_id, g.symbol AS symbol, g.entrez AS entrez,
       count(DISTINCT a) AS n_alterations, count(DISTINCT d) AS n_drugs,
       count(DISTINCT c) AS n_cohorts, count(DISTINCT e) AS n_evidence
