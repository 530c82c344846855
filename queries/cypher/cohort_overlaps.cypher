// Patient overlap of a cohort with cohorts of other ids, in both directions: which cohorts
// contain its patients, which it contains, and which share some (curated in data/overlaps.csv,
// each with the source that says so). Containment rows come first, then shared patients; strata
// of an arm are listed by cohort_strata instead.
// @param cohort "cohort:LAROTRECTINIB-POOLED:primary-set"  cohort id
MATCH (a:Cohort)-[r:CONTAINS_PATIENTS_OF]->(b:Cohort)
WHERE a.id = $cohort OR b.id = $cohort
RETURN a.id AS cohort_id, 'contains' AS relation, b.id AS other_cohort_id,
       r.citation AS citation, r.note AS note
UNION ALL
MATCH (a:Cohort)-[r:SHARES_PATIENTS_WITH]->(b:Cohort)
WHERE a.id = $cohort OR b.id = $cohort
RETURN a.id AS cohort_id, 'overlaps' AS relation, b.id AS other_cohort_id,
       r.citation AS citation, r.note AS note
