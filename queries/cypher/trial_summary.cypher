// Trial summary: for one trial, its cohorts (arms and per-histology strata), reports, current
// reports, and evaluable patients over the current reports of top-level arms only (a stratum's
// patients are already in its arm).
// @param trial "trial:DRUP"  trial id
MATCH (t:Trial {id: $trial})
OPTIONAL MATCH (c:Cohort)-[p:PART_OF]->(t)
OPTIONAL MATCH (c)-[so:STRATUM_OF]->(arm:Cohort)
WITH t, c, count(so) AS is_stratum
OPTIONAL MATCH (r:Result)-[o:OF]->(c)
OPTIONAL MATCH (newer:Result)-[sup:SUPERSEDES]->(r)
WITH t, c, is_stratum, r, count(sup) AS n_newer
WITH t, count(DISTINCT c) AS n_cohorts,
     count(DISTINCT CASE WHEN is_stratum > 0 THEN c.id END) AS n_strata,
     count(r) AS n_reports,
     count(CASE WHEN r IS NOT NULL AND n_newer = 0 THEN 1 END) AS n_current,
     sum(CASE WHEN n_newer = 0 AND is_stratum = 0 THEN coalesce(r.n_evaluable, 0) ELSE 0 END)
       AS n_evaluable
RETURN t.id AS trial_id, t.name AS trial, n_cohorts AS n_cohorts, n_strata AS n_strata,
       n_reports AS n_reports, n_current AS n_current_reports, n_evaluable AS n_evaluable
