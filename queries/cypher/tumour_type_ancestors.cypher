// Tumour-type lineage: every ancestor of a tumour type up the OncoTree IS_A hierarchy, with its
// distance (1 = parent).
// @param tumour_type "oncotree:NSCLC"  OncoTree node id
MATCH path = (tt:TumourType {id: $tumour_type})-[isa:IS_A*1..12]->(up:TumourType)
RETURN up.id AS ancestor_id, up.name AS ancestor, up.level AS level, length(path) AS distance
ORDER BY distance
