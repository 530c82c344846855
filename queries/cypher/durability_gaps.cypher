// Durability gaps: current reports with clinical benefit but no median PFS of at least the
// threshold (the figure reimbursement bodies ask for), so the benefit's duration is unproven.
// @param min_pfs_months 6.0  median PFS threshold in months
MATCH (r:Result)-[o:OF]->(c:Cohort)
OPTIONAL MATCH (newer:Result)-[sup:SUPERSEDES]->(r)
WITH c, r, count(sup) AS n_newer
WHERE n_newer = 0 AND r.n_benefit > 0
  AND (r.median_pfs_months IS NULL OR r.median_pfs_months < $min_pfs_months)
RETURN c.id AS cohort_id, r.id AS result_id, r.n_evaluable AS n_evaluable,
       r.n_benefit AS n_benefit, r.median_pfs_months AS median_pfs_months
ORDER BY cohort_id
