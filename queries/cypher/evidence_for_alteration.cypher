// Evidence for an alteration: evidence items about the alteration or any narrower one (IS_A*),
// counted per common tier and direction.
// @param alteration "alt:BRAF:V600"  alteration id
MATCH (e:Evidence)-[fa:FOR_ALTERATION]->(a:Alteration)-[isa:IS_A*0..10]->(top:Alteration {id: $alteration})
RETURN e.common_tier AS common_tier, e.direction AS direction, count(DISTINCT e) AS n_evidence
ORDER BY common_tier, direction
