-- Functions outside the system schemas, with what a FROM item that calls one has as columns:
-- the names of its OUT, INOUT and TABLE parameters, the type kind of its result (b base,
-- d domain, e enum, r range, m multirange, c composite, p pseudo), and for a composite
-- result the relation whose row type it is (NULL for a standalone composite type).
SELECT n.nspname,
       p.proname::text,
       pg_get_function_identity_arguments(p.oid),
       ARRAY(
           SELECT coalesce(p.proargnames[i], '')
           FROM generate_subscripts(p.proargmodes, 1) AS i
           WHERE p.proargmodes[i] IN ('o', 'b', 't')
           ORDER BY i
       ),
       t.typtype::text,
       rn.nspname,
       r.relname::text
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_type t ON t.oid = p.prorettype
LEFT JOIN pg_catalog.pg_class r ON r.oid = t.typrelid AND r.relkind IN ('r', 'p', 'v', 'm', 'f')
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
WHERE p.prokind = 'f'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
ORDER BY n.nspname, p.proname, 3
