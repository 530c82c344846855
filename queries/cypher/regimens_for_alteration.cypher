// Regimens tried for an alteration: regimens given in cohorts selecting the alteration or a
// narrower one, with the number of cohorts and of distinct enrolled tumour types.
// @param alteration "alt:BRAF"  alteration id
MATCH (c:Cohort)-[s:SELECTS]->(a:Alteration)-[isa:IS_A*0..10]->(top:Alteration {id: $alteration})
MATCH (c)-[ts:TESTS]->(reg:Regimen)
OPTIONAL MATCH (c)-[en:ENROLS]->(tt:TumourType)
RETURN reg.id AS regimen_id, reg.name AS regimen, count(DISTINCT c) AS n_cohorts,
       count(DISTINCT tt) AS n_tumour_types
ORDER BY regimen_id
