// Search alterations: alterations whose name contains a text (case-insensitive).
// @param text "braf"  text to look for in names
MATCH (a:Alteration)
WHERE toLower(a.name) CONTAINS toLower($text)
RETURN a.id AS id, a.name AS name
ORDER BY id
