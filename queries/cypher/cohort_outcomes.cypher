// Cohort outcomes for a group: the current report of every cohort that tests a regimen containing
// the drug class and selects the alteration or a narrower one, per histology. Input table of the
// pooled, heterogeneity and borrowing analyses (n_i, r_i per tumour type).
// @param alteration "alt:BRAF:V600"  alteration id at the chosen hierarchy level
// @param drug_class "BRAF inhibitor"  drug class of a regimen member (matched exactly)
MATCH (c:Cohort)-[s:SELECTS]->(a:Alteration)-[isa:IS_A*0..10]->(top:Alteration {id: $alteration})
MATCH (c)-[ts:TESTS]->(reg:Regimen)-[inc:INCLUDES]->(d:Drug)
WHERE d.drug_class = $drug_class
MATCH (r:Result)-[o:OF]->(c)
OPTIONAL MATCH (newer:Result)-[sup:SUPERSEDES]->(r)
WITH c, reg, r, count(sup) AS n_newer
WHERE n_newer = 0
OPTIONAL MATCH (c)-[en:ENROLS]->(tt:TumourType)
RETURN c.id AS cohort_id, reg.name AS regimen, tt.id AS tumour_type_id,
       tt.main_type AS main_type, r.id AS result_id, r.year AS year,
       r.n_evaluable AS n_evaluable, r.n_response AS n_response, r.n_benefit AS n_benefit,
       1.0 * r.n_response / r.n_evaluable AS response_rate
ORDER BY cohort_id, result_id
