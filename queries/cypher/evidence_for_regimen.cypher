// Evidence for a regimen: knowledgebase evidence items about the regimen, with their alteration,
// tumour type, source level, common tier and direction (a "Does Not Support" stays as it is).
// @param regimen "regimen:NCIT:C64768"  regimen id (single agents are one-drug regimens)
MATCH (e:Evidence)-[fr:FOR_REGIMEN]->(reg:Regimen {id: $regimen})
OPTIONAL MATCH (e)-[fa:FOR_ALTERATION]->(a:Alteration)
OPTIONAL MATCH (e)-[it:IN_TUMOUR]->(tt:TumourType)
RETURN e.id AS evidence_id, e.source_level AS source_level, e.common_tier AS common_tier,
       e.direction AS direction, e.significance AS significance, a.id AS alteration_id,
       tt.id AS tumour_type_id
ORDER BY evidence_id, alteration_id, tumour_type_id
