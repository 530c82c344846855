// Tumour-type roll-up: cohorts enrolling a tumour type or any type below it (IS_A*), counted per
// enrolled type, with the number of distinct trials.
// @param tumour_type "oncotree:TISSUE"  OncoTree node id to roll up to
MATCH (c:Cohort)-[en:ENROLS]->(tt:TumourType)-[isa:IS_A*0..12]->(top:TumourType {id: $tumour_type})
MATCH (c)-[p:PART_OF]->(t:Trial)
RETURN tt.id AS tumour_type_id, tt.name AS tumour_type, tt.level AS level,
       count(DISTINCT c) AS n_cohorts, count(DISTINCT t) AS n_trials
ORDER BY tumour_type_id
