// Gap tumour types: tumour types where evidence documents the alteration (or a narrower one) but
// no cohort selecting it enrols that type or a narrower one (NSCLC cohorts cover evidence filed
// under Lung). Building block of the gap analysis.
// @param alteration "alt:BRAF:V600"  alteration id
MATCH (e:Evidence)-[fa:FOR_ALTERATION]->(a:Alteration)-[isa:IS_A*0..10]->(top:Alteration {id: $alteration})
MATCH (e)-[it:IN_TUMOUR]->(tt:TumourType)
OPTIONAL MATCH (c:Cohort)-[en:ENROLS]->(ct:TumourType)-[tisa:IS_A*0..10]->(tt)
OPTIONAL MATCH (c)-[s:SELECTS]->(ca:Alteration)-[isa2:IS_A*0..10]->(top)
WITH tt, count(DISTINCT e) AS n_evidence, count(DISTINCT ca) AS n_cohort_hits
WHERE n_cohort_hits = 0
RETURN tt.id AS tumour_type_id, tt.name AS tumour_type, n_evidence AS n_evidence
ORDER BY tumour_type_id
