// Current report per cohort: the report of each cohort that no later known report supersedes,
// as known by a year (the latest such report when several remain). Building block of every
// analysis: one row per cohort, so patients are never counted twice.
// @param as_of 9999  last publication year to consider; 9999 = everything, year-less reports too
MATCH (r:Result)-[o:OF]->(c:Cohort)
WHERE coalesce(r.year, 0) <= $as_of AND (r.year IS NOT NULL OR $as_of = 9999)
OPTIONAL MATCH (newer:Result)-[sup:SUPERSEDES]->(r)
WHERE coalesce(newer.year, 0) <= $as_of AND (newer.year IS NOT NULL OR $as_of = 9999)
WITH c, r, count(sup) AS n_newer
WHERE n_newer = 0
WITH c, max(r.year) AS latest
MATCH (cur:Result)-[o2:OF]->(c)
WHERE (cur.year = latest OR latest IS NULL)
  AND coalesce(cur.year, 0) <= $as_of AND (cur.year IS NOT NULL OR $as_of = 9999)
OPTIONAL MATCH (newer2:Result)-[sup2:SUPERSEDES]->(cur)
WHERE coalesce(newer2.year, 0) <= $as_of AND (newer2.year IS NOT NULL OR $as_of = 9999)
WITH c, cur, count(sup2) AS n_newer2
WHERE n_newer2 = 0
RETURN c.id AS cohort_id, cur.id AS result_id, cur.year AS year, cur.analysis AS analysis,
       cur.n_evaluable AS n_evaluable, cur.n_response AS n_response, cur.n_benefit AS n_benefit
ORDER BY cohort_id
