// Alteration roll-up: every alteration at or below the given one (IS_A*), with the cohorts and
// evidence items that name it directly.
// @param alteration "alt:BRAF"  alteration id to roll up to (e.g. a gene-level alteration)
MATCH (a:Alteration)-[isa:IS_A*0..10]->(top:Alteration {id: $alteration})
OPTIONAL MATCH (c:Cohort)-[s:SELECTS]->(a)
OPTIONAL MATCH (e:Evidence)-[fa:FOR_ALTERATION]->(a)
RETURN a.id AS alteration_id, a.name AS alteration, a.level AS level,
       count(DISTINCT c) AS n_cohorts, count(DISTINCT e) AS n_evidence
ORDER BY alteration_id
