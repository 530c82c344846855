// Strata of an arm: the per-histology strata of every arm of a trial, with each stratum's
// enrolled tumour type.
// @param trial "trial:VE-BASKET"  trial id
MATCH (s:Cohort)-[so:STRATUM_OF]->(arm:Cohort)-[p:PART_OF]->(t:Trial {id: $trial})
OPTIONAL MATCH (s)-[en:ENROLS]->(tt:TumourType)
RETURN arm.id AS arm_id, s.id AS stratum_id, tt.id AS tumour_type_id
ORDER BY arm_id, stratum_id
