// Tumour-agnostic candidates: regimen x alteration pairs whose current reports show responses in
// at least a minimum number of distinct main tumour types (a screen; the statistics in queries/
// decide). Counts cohorts, evaluable patients and responders over those reports.
// @param min_main_types 2  minimum number of distinct main tumour types with a response
// @param min_responses 1  responders a cohort needs to count as active
MATCH (r:Result)-[o:OF]->(c:Cohort)
OPTIONAL MATCH (newer:Result)-[sup:SUPERSEDES]->(r)
WITH c, r, count(sup) AS n_newer
WHERE n_newer = 0
MATCH (c)-[ts:TESTS]->(reg:Regimen)
MATCH (c)-[s:SELECTS]->(a:Alteration)
MATCH (c)-[en:ENROLS]->(tt:TumourType)
WITH reg, a, tt, r,
     CASE WHEN r.n_response >= $min_responses AND tt.main_type IS NOT NULL
          THEN tt.main_type END AS active_type
WITH reg, a, count(DISTINCT active_type) AS n_active_main_types,
     count(DISTINCT tt.main_type) AS n_main_types, count(r) AS n_reports,
     sum(coalesce(r.n_evaluable, 0)) AS n_evaluable,
     sum(coalesce(r.n_response, 0)) AS n_response
WHERE n_active_main_types >= $min_main_types
RETURN reg.id AS regimen_id, reg.name AS regimen, a.id AS alteration_id,
       n_active_main_types AS n_active_main_types, n_main_types AS n_main_types,
       n_reports AS n_reports, n_evaluable AS n_evaluable, n_response AS n_response
ORDER BY regimen_id, alteration_id
