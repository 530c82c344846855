// Cohorts for an alteration across histologies: every cohort selecting the alteration or any
// alteration below it (IS_A*), with its trial, regimen and enrolled tumour type.
// @param alteration "alt:BRAF:V600"  alteration id; cohorts on narrower alterations count too
MATCH (c:Cohort)-[s:SELECTS]->(a:Alteration)-[isa:IS_A*0..10]->(top:Alteration {id: $alteration})
MATCH (c)-[p:PART_OF]->(t:Trial)
OPTIONAL MATCH (c)-[ts:TESTS]->(r:Regimen)
OPTIONAL MATCH (c)-[en:ENROLS]->(tt:TumourType)
RETURN c.id AS cohort_id, c.name AS cohort, t.id AS trial_id, a.id AS alteration_id,
       r.name AS regimen, tt.id AS tumour_type_id, tt.name AS tumour_type
ORDER BY cohort_id
