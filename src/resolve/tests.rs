//! Scoping rules, one construct at a time: each test states what Postgres does with the query.

use super::*;
use crate::schema::{Column, Relation, RelationKind};

fn schema() -> Schema {
    let mut s = Schema::default();
    let tables: &[(&str, &str, &[&str])] = &[
        ("public", "users", &["id", "email", "name", "created_at"]),
        (
            "public",
            "assets",
            &["id", "user_id", "kind", "url", "meta", "created_at"],
        ),
        ("public", "media", &["id", "user_id", "url", "created_at"]),
        (
            "public",
            "posts",
            &["id", "author_id", "title", "content", "status"],
        ),
        ("public", "comments", &["id", "post_id", "user_id", "body"]),
        ("analytics", "events", &["id", "user_id", "name", "at"]),
    ];
    for (ns, name, cols) in tables {
        let mut rel = Relation::new(Ident::from(*name), RelationKind::Table);
        rel.columns = cols
            .iter()
            .map(|c| Column::new(Ident::from(*c), "text"))
            .collect();
        s.namespace_mut(&Ident::from(*ns))
            .relations
            .insert(rel.name.clone(), rel);
    }
    // Schemas the config says exist outside the model.
    s.external_schemas = vec![Ident::from("otherschema"), Ident::from("mystery")];
    // Functions as CREATE FUNCTION records them (src/schema/functions.rs).
    for ddl in [
        "CREATE FUNCTION user_assets(uid bigint) RETURNS SETOF assets LANGUAGE sql AS $$ SELECT 1 $$",
        "CREATE FUNCTION search(q text) RETURNS TABLE (post_id bigint, rank real) LANGUAGE sql AS $$ SELECT 1 $$",
        "CREATE FUNCTION counts(OUT post_id bigint, OUT total bigint) RETURNS SETOF record LANGUAGE sql AS $$ SELECT 1 $$",
        "CREATE FUNCTION last_at(pid bigint, OUT at_time timestamptz) LANGUAGE sql AS $$ SELECT 1 $$",
        "CREATE FUNCTION plus(a int, b int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$",
        "CREATE FUNCTION rows_of(q text) RETURNS SETOF record LANGUAGE sql AS $$ SELECT 1 $$",
        "CREATE FUNCTION two(a int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$",
        "CREATE FUNCTION two(a text) RETURNS SETOF users LANGUAGE sql AS $$ SELECT 1 $$",
    ] {
        crate::schema::functions::replay_function(&mut s, &Ident::from("public"), ddl);
    }
    s
}

/// The same, judged as for an older server.
fn problems_at(version: u32, sql: &str) -> Vec<String> {
    let stmts = crate::sql::parse(sql).unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    let parsed = ParsedSql::new(sql);
    let mut schema = schema();
    schema.postgres_version = Some(version);
    let mut out = Vec::new();
    for stmt in &stmts {
        let r = resolve_statement(stmt, &schema, &parsed);
        out.extend(r.invalid.iter().map(|i| match i {
            Invalid::NewerSyntax { what, since, .. } => format!("{what} {since}"),
            Invalid::OnConflictWithoutTarget { .. } => "on conflict".to_string(),
        }));
        out.extend(
            r.columns
                .iter()
                .filter(|c| !matches!(c.status, ColumnStatus::Found { .. }))
                .map(|c| format!("column {}", c.name)),
        );
    }
    out
}

/// Every problem the resolver found, as short strings: `table x`, `column x`, `ambiguous x`,
/// `qualifier q`.
fn problems(sql: &str) -> Vec<String> {
    let stmts = crate::sql::parse(sql).unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    let parsed = ParsedSql::new(sql);
    let schema = schema();
    let mut out = Vec::new();
    for stmt in &stmts {
        let r = resolve_statement(stmt, &schema, &parsed);
        for t in &r.tables {
            if t.status == TableStatus::Missing {
                out.push(format!("table {}", t.name));
            }
        }
        for c in &r.columns {
            let text = &sql[c.range.start as usize..c.range.end as usize];
            assert_eq!(
                Ident::unquoted(text.trim_matches('"'))
                    .as_str()
                    .to_lowercase(),
                c.name.as_str().to_lowercase(),
                "range of {c:?} in {sql}"
            );
            match &c.status {
                ColumnStatus::Found { .. } => {}
                ColumnStatus::Missing { .. } => out.push(format!("column {}", c.name)),
                ColumnStatus::Ambiguous => out.push(format!("ambiguous {}", c.name)),
                ColumnStatus::MissingQualifier { .. } => {
                    out.push(format!("qualifier {}", c.qualifier.as_ref().unwrap()))
                }
            }
        }
    }
    out
}

#[track_caller]
fn ok(sql: &str) {
    assert_eq!(
        problems(sql),
        Vec::<String>::new(),
        "expected no problem in: {sql}"
    );
}

#[track_caller]
fn bad(sql: &str, expected: &[&str]) {
    assert_eq!(problems(sql), expected, "in: {sql}");
}

#[test]
fn tables_and_schemas() {
    ok("SELECT id FROM users");
    ok("SELECT id FROM public.users");
    ok("SELECT e.name FROM analytics.events e");
    ok("SELECT * FROM pg_catalog.pg_class");
    ok("SELECT relname FROM pg_class");
    ok("SELECT column_name FROM information_schema.columns WHERE table_name = 'x'");
    ok("SELECT x FROM otherschema.whatever");
    bad("SELECT id FROM asset", &["table asset"]);
    bad("SELECT id FROM public.events", &["table public.events"]);
    // Unknown table: its columns are not judged.
    bad("SELECT nope, a.nope2 FROM asset a", &["table asset"]);
}

#[test]
fn identifier_folding() {
    ok("SELECT ID, Email FROM USERS");
    ok("SELECT \"id\" FROM \"users\"");
    bad("SELECT \"Id\" FROM users", &["column Id"]);
    bad("SELECT id FROM \"Users\"", &["table Users"]);
}

#[test]
fn columns_and_qualifiers() {
    ok("SELECT u.id, users.email FROM users u JOIN users ON true");
    ok("SELECT public.users.id FROM public.users");
    bad("SELECT media_type FROM media", &["column media_type"]);
    bad("SELECT m.media_type FROM media m", &["column media_type"]);
    bad("SELECT x.id FROM users", &["qualifier x"]);
    // An alias hides the table name.
    bad("SELECT users.id FROM users u", &["qualifier users"]);
    ok("SELECT ctid, xmin FROM users");
}

#[test]
fn keyword_values_are_not_columns() {
    ok("SELECT current_date, current_timestamp, current_user, localtime FROM users");
    ok("INSERT INTO users (id, email) VALUES (DEFAULT, 'a')");
}

#[test]
fn joins_ambiguity_using_natural() {
    bad(
        "SELECT id FROM users JOIN assets ON assets.user_id = users.id",
        &["ambiguous id"],
    );
    ok("SELECT email, kind FROM users u JOIN assets a ON a.user_id = u.id");
    ok("SELECT id FROM users JOIN assets USING (id)");
    ok("SELECT id, created_at FROM users NATURAL JOIN assets");
    bad(
        "SELECT id FROM users JOIN assets USING (id) JOIN media ON true",
        &["ambiguous id"],
    );
    bad(
        "SELECT u.id FROM users u LEFT JOIN assets a ON a.owner = u.id",
        &["column owner"],
    );
}

#[test]
fn ctes_plain_recursive_and_data_modifying() {
    ok("WITH recent AS (SELECT id, email FROM users) SELECT email FROM recent");
    ok("WITH r(uid) AS (SELECT id FROM users) SELECT uid FROM r");
    bad(
        "WITH recent AS (SELECT id FROM users) SELECT email FROM recent",
        &["column email"],
    );
    ok("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 10) SELECT n FROM t");
    ok("WITH RECURSIVE c AS (SELECT id, post_id FROM comments WHERE id = $1 UNION ALL SELECT x.id, x.post_id FROM comments x JOIN c ON x.post_id = c.id) SELECT id FROM c");
    ok("WITH ins AS (INSERT INTO assets (user_id, kind, url) VALUES ($1, 'img', $2) RETURNING id, url) SELECT id, url FROM ins");
    bad("WITH ins AS (INSERT INTO assets (user_id, kind, url) VALUES ($1, 'img', $2) RETURNING id) SELECT url FROM ins", &["column url"]);
    bad("WITH moved AS (DELETE FROM media WHERE media_type = 'x' RETURNING *) SELECT url FROM moved", &["column media_type"]);
    // A CTE shadows a table of the same name.
    ok("WITH users AS (SELECT 1 AS x) SELECT x FROM users");
}

#[test]
fn subqueries_derived_tables_lateral() {
    ok("SELECT d.n FROM (SELECT count(*) AS n FROM users) d");
    ok("SELECT a, b FROM (SELECT id, email FROM users) AS d(a, b)");
    bad(
        "SELECT d.email FROM (SELECT id FROM users) d",
        &["column email"],
    );
    ok("SELECT u.id, l.url FROM users u, LATERAL (SELECT url FROM assets a WHERE a.user_id = u.id LIMIT 1) l");
    ok("SELECT id FROM users u WHERE EXISTS (SELECT 1 FROM assets a WHERE a.user_id = u.id)");
    // Correlated reference to the outer query, unqualified.
    ok("SELECT id FROM users WHERE id IN (SELECT user_id FROM assets WHERE email IS NOT NULL)");
    bad(
        "SELECT id FROM users WHERE id IN (SELECT owner_id FROM assets)",
        &["column owner_id"],
    );
    ok("SELECT (SELECT count(*) FROM assets a WHERE a.user_id = users.id) AS n FROM users");
    // Subquery output names from expressions we can't name are not judged.
    ok("SELECT d.whatever FROM (SELECT 1 + 1) d");
}

#[test]
fn set_operations() {
    ok("SELECT id, email FROM users UNION SELECT id, url FROM assets ORDER BY email");
    bad(
        "SELECT id FROM users UNION SELECT nope FROM assets",
        &["column nope"],
    );
    ok("SELECT x.id FROM (SELECT id FROM users EXCEPT SELECT user_id FROM assets) x");
}

#[test]
fn insert_forms() {
    ok("INSERT INTO assets (user_id, kind, url) VALUES ($1, $2, $3) RETURNING id, created_at");
    bad(
        "INSERT INTO media (user_id, media_type, url) VALUES ($1, $2, $3)",
        &["column media_type"],
    );
    bad(
        "INSERT INTO media (user_id, url) VALUES ($1, media_type)",
        &["column media_type"],
    );
    ok("INSERT INTO media (user_id, url) SELECT user_id, url FROM assets WHERE kind = 'x'");
    bad(
        "INSERT INTO media (user_id, url) SELECT user_id, link FROM assets",
        &["column link"],
    );
    ok("INSERT INTO users AS u (id, email) VALUES (1, 'a') ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name WHERE u.name IS NULL RETURNING u.id");
    bad(
        "INSERT INTO users (id, email) VALUES (1, 'a') ON CONFLICT (mail) DO NOTHING",
        &["column mail"],
    );
    bad("INSERT INTO users (id, email) VALUES (1, 'a') ON CONFLICT (email) DO UPDATE SET nme = excluded.nme", &["column nme", "column nme"]);
    ok("INSERT INTO users DEFAULT VALUES");
    bad(
        "INSERT INTO media_batches (id) VALUES (1)",
        &["table media_batches"],
    );
}

#[test]
fn insert_shapes_are_recorded() {
    let sql = "INSERT INTO media (user_id, url) VALUES ($1, $2), ($3, $4, $5)";
    let stmts = crate::sql::parse(sql).unwrap();
    let parsed = ParsedSql::new(sql);
    let r = resolve_statement(&stmts[0], &schema(), &parsed);
    let insert = &r.inserts[0];
    assert_eq!(insert.columns.as_ref().unwrap().len(), 2);
    let InsertSource::Values(rows) = &insert.source else {
        panic!()
    };
    assert_eq!(rows.iter().map(Vec::len).collect::<Vec<_>>(), [2, 3]);
    let third = rows[1][2];
    assert_eq!(&sql[third.start as usize..third.end as usize], "$5");
}

#[test]
fn update_and_delete() {
    ok("UPDATE assets SET url = $1, meta = meta || $2 WHERE id = $3 RETURNING id");
    ok("UPDATE assets a SET kind = u.name FROM users u WHERE a.user_id = u.id AND u.email = $1");
    bad(
        "UPDATE media SET media_type = $1 WHERE id = $2",
        &["column media_type"],
    );
    bad(
        "UPDATE assets SET url = $1 WHERE owner = $2",
        &["column owner"],
    );
    ok("DELETE FROM assets a USING users u WHERE a.user_id = u.id AND u.email = $1 RETURNING a.id");
    bad(
        "DELETE FROM assets WHERE owner_id = $1",
        &["column owner_id"],
    );
    bad(
        "DELETE FROM media_batches WHERE id = $1",
        &["table media_batches"],
    );
}

#[test]
fn merge() {
    ok("MERGE INTO assets t USING media s ON t.id::text = s.id::text WHEN MATCHED THEN UPDATE SET url = s.url WHEN NOT MATCHED THEN INSERT (user_id, kind, url) VALUES (s.user_id, 'legacy', s.url)");
    bad("MERGE INTO assets t USING media s ON t.url = s.url WHEN MATCHED THEN UPDATE SET link = s.url", &["column link"]);
    bad(
        "MERGE INTO assets t USING media s ON t.url = s.media_type WHEN MATCHED THEN DELETE",
        &["column media_type"],
    );
}

#[test]
fn order_by_and_group_by_output_aliases() {
    ok("SELECT user_id, count(*) AS n FROM assets GROUP BY user_id ORDER BY n DESC");
    ok("SELECT kind AS k, count(*) FROM assets GROUP BY k");
    ok("SELECT id FROM users ORDER BY email");
    bad("SELECT id FROM users ORDER BY emial", &["column emial"]);
    // WHERE cannot see output aliases.
    bad(
        "SELECT id AS ident FROM users WHERE ident = 1",
        &["column ident"],
    );
    ok("SELECT user_id, count(*) FROM assets GROUP BY 1 HAVING count(*) > 1");
}

#[test]
fn table_functions() {
    ok("SELECT u.id, u.ord FROM unnest($1::int[]) WITH ORDINALITY AS u(id, ord)");
    ok("SELECT x.a, x.b FROM jsonb_to_recordset($1) AS x(a int, b text)");
    ok("SELECT g FROM generate_series(1, 10) g");
    ok("SELECT g.n FROM generate_series(1, 10) AS g(n)");
    ok("SELECT generate_series FROM generate_series(1, 3)");
    ok("SELECT value FROM jsonb_array_elements($1)");
    ok("SELECT a.id, e.key, e.value FROM assets a, jsonb_each(a.meta) e");
    bad(
        "SELECT x.c FROM jsonb_to_recordset($1) AS x(a int, b text)",
        &["column c"],
    );
    // Unknown functions: their columns are not judged.
    ok("SELECT f.anything FROM my_function($1) f");
    ok("SELECT anything FROM my_function($1)");
}

#[test]
fn values_lists() {
    ok("SELECT v.a, v.b FROM (VALUES (1, 'x'), (2, 'y')) AS v(a, b)");
    ok("SELECT column1 FROM (VALUES (1)) v");
    bad("SELECT v.c FROM (VALUES (1, 2)) AS v(a, b)", &["column c"]);
    ok("SELECT u.id FROM users u JOIN (VALUES (1), (2)) AS ids(id) ON ids.id = u.id");
}

#[test]
fn whole_row_references_and_fields() {
    ok("SELECT row_to_json(u) FROM users u");
    ok("SELECT to_jsonb(users) FROM users");
    ok("SELECT (meta->>'width')::int FROM assets");
}

#[test]
fn no_from_clause() {
    ok("SELECT 1");
    ok("SELECT now(), $1::text");
    bad("SELECT nope", &["column nope"]);
}

#[test]
fn unknown_relations_make_unqualified_names_uncertain() {
    ok("SELECT whatever FROM users u JOIN mystery.t m ON true");
    ok("SELECT whatever FROM users, pg_stat_activity");
}

/// Everyday queries that must never be flagged: false positives kill linters.
#[test]
fn everyday_queries_stay_silent() {
    let queries = [
        "SELECT * FROM users u WHERE u.id = ANY($1)",
        "INSERT INTO users (id) VALUES ($1) ON CONFLICT ON CONSTRAINT users_pkey DO NOTHING",
        "SELECT count(*) FILTER (WHERE kind = 'x') FROM assets",
        "SELECT id, row_number() OVER (PARTITION BY user_id ORDER BY created_at) FROM assets",
        "SELECT id, rank() OVER w FROM assets WINDOW w AS (PARTITION BY user_id ORDER BY created_at)",
        "SELECT id FROM users FOR UPDATE SKIP LOCKED",
        "SELECT EXTRACT(EPOCH FROM created_at) FROM users",
        "SELECT * FROM assets WHERE meta @> '{\"a\":1}'",
        "SELECT date_trunc('day', created_at) AS day, count(*) FROM assets GROUP BY day ORDER BY day",
        "SELECT json_build_object('id', u.id, 'email', u.email) FROM users u",
        "SELECT array_agg(id ORDER BY created_at) FROM assets",
        "SELECT id FROM users WHERE (email, name) IN (SELECT url, kind FROM assets)",
        "SELECT CASE WHEN kind = 'a' THEN 1 ELSE 0 END AS k FROM assets",
        "UPDATE users SET (name, email) = ($1, $2) WHERE id = $3",
        "SELECT id FROM users ORDER BY 1",
        "SELECT DISTINCT ON (user_id) user_id, url FROM assets ORDER BY user_id, created_at DESC",
        "SELECT t.* FROM users t",
        "SELECT interval '1 day', $1::timestamptz AT TIME ZONE 'UTC'",
        "SELECT 1 FROM users WHERE EXISTS (SELECT FROM assets)",
        "SELECT item->>'x', item.value FROM assets a, jsonb_array_elements(a.meta->'items') item",
        "SELECT substring(email from 1 for 3), trim(both ' ' from name), position('@' in email) FROM users",
        "SELECT COALESCE(name, email) AS display, NULLIF(name, '') FROM users",
        "SELECT exists(SELECT 1 FROM users)",
        "SELECT id FROM users WHERE created_at > NOW() - INTERVAL '7 days' AND name ILIKE '%' || $1 || '%' LIMIT $2 OFFSET $3",
        "SELECT ARRAY(SELECT id FROM users)",
        "SELECT users.id FROM users, LATERAL (SELECT users.email) s",
        "INSERT INTO users (email) SELECT unnest($1::text[])",
        "SELECT CAST(id AS INTEGER), id::text, meta #>> '{a,b}' FROM assets",
        "SELECT pg_advisory_lock($1)",
        "SELECT id FROM users WHERE id = (SELECT user_id FROM assets ORDER BY created_at LIMIT 1)",
        "SELECT a.id FROM assets a WHERE a.created_at = (SELECT max(b.created_at) FROM assets b WHERE b.user_id = a.user_id)",
        "SELECT u.id FROM users u LEFT JOIN LATERAL unnest(ARRAY[1,2]) AS n ON true",
        "SELECT kind, count(*) FROM assets GROUP BY ROLLUP (kind)",
        "SELECT id FROM users UNION ALL SELECT id FROM assets ORDER BY id LIMIT 10",
        "SELECT greatest(a.created_at, u.created_at) FROM assets a JOIN users u ON u.id = a.user_id",
        "SELECT id FROM users WHERE email IS DISTINCT FROM $1",
        "SELECT id FROM users WHERE created_at BETWEEN $1 AND $2",
        "SELECT to_char(created_at, 'YYYY-MM') AS month FROM users GROUP BY month HAVING count(*) > 1",
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY created_at) FROM users",
        "TRUNCATE assets",
        "BEGIN",
        "SET search_path TO public",
        "SELECT * FROM users TABLESAMPLE SYSTEM (10)",
        "SELECT n FROM (SELECT id AS n FROM users) AS s WHERE s.n > 0",
        "SELECT x.id FROM (SELECT * FROM users) x",
        "SELECT x.email FROM (SELECT u.* FROM users u) x",
        "WITH a AS (SELECT * FROM users) SELECT a.email FROM a",
    ];
    for q in queries {
        ok(q);
    }
}

// See: issue 11, item 8.
#[test]
fn named_argument_names_are_not_columns() {
    ok("SELECT plus(b => $2, a => $1)");
    ok("SELECT plus(a := 1, b := 2)");
    ok("SELECT make_interval(secs => $1)");
    ok("SELECT concat_lower_or_upper('a', 'b', uppercase => true)");
    ok("SELECT f(x => u.id) FROM users u");
    // The argument's value is still an expression.
    bad("SELECT f(x => nope) FROM users", &["column nope"]);
}

// See: issue 11, item 9.
#[test]
fn sql_value_functions_in_from() {
    for word in [
        "CURRENT_DATE",
        "current_timestamp",
        "LOCALTIME",
        "localtimestamp",
        "CURRENT_USER",
        "session_user",
        "user",
        "current_role",
        "current_catalog",
        "current_schema",
    ] {
        ok(&format!("SELECT * FROM {word}"));
        ok(&format!("SELECT x FROM {word} x"));
    }
    ok("SELECT current_date FROM current_date");
    ok("SELECT d.d FROM current_date d");
    bad("SELECT today FROM current_date d", &["column today"]);
    // Quoted, it is a relation name.
    bad("SELECT * FROM \"current_date\"", &["table current_date"]);
}

// See: issue 11, item 10.
#[test]
fn functions_in_from_with_known_columns() {
    ok("SELECT tsq FROM websearch_to_tsquery('english', $1) tsq");
    ok("SELECT p.id FROM posts p, websearch_to_tsquery($1) q WHERE q IS NOT NULL");
    bad("SELECT q.x FROM websearch_to_tsquery($1) q", &["column x"]);
    bad(
        "SELECT value FROM generate_series(1, 3) g",
        &["column value"],
    );
    bad("SELECT u.x FROM unnest($1::int[]) u", &["column x"]);
    ok("SELECT n FROM now() AS t(n)");
    // Declared in the schema.
    ok("SELECT a.url, a.kind FROM user_assets($1) a");
    bad("SELECT a.title FROM user_assets($1) a", &["column title"]);
    ok("SELECT post_id, rank FROM search($1)");
    bad("SELECT score FROM search($1)", &["column score"]);
    ok("SELECT c.post_id, c.total FROM counts() c");
    bad("SELECT c.count FROM counts() c", &["column count"]);
    // One OUT parameter names the column, whatever the alias.
    ok("SELECT l.at_time FROM last_at($1) l");
    bad("SELECT l.l FROM last_at($1) l", &["column l"]);
    ok("SELECT p FROM plus(1, 2) p");
    ok("SELECT plus FROM plus(1, 2)");
    // Really unknown: `record` without OUT parameters, overloads that disagree, composites.
    ok("SELECT r.anything FROM rows_of('x') r");
    ok("SELECT r.n FROM rows_of('x') AS r(n int)");
    bad("SELECT r.m FROM rows_of('x') AS r(n int)", &["column m"]);
    ok("SELECT t.anything FROM two(1) t");
    ok("SELECT u.id FROM unnest($1::users[]) u");
    ok("SELECT f.anything FROM app.generate_series(1) f");
}

// See: issue 11, item 11.
#[test]
fn recall_unknown_schema_regclass_insert_select() {
    bad("SELECT id FROM pubic.users", &["table pubic.users"]);
    ok("SELECT x FROM otherschema.whatever");
    ok("SELECT relname FROM pg_catalog.pg_class");
    ok("SELECT column_name FROM information_schema.columns");
    ok("SELECT 'users'::regclass");
    ok("SELECT 'public.users'::regclass::oid");
    ok("SELECT '\"users\"'::regclass, 'pg_class'::regclass, '16384'::regclass");
    bad("SELECT 'user'::regclass", &["table user"]);
    bad(
        "SELECT 'public.user'::regclass::oid",
        &["table public.user"],
    );
    ok("SELECT CAST('Users' AS regclass)");
    bad("SELECT CAST('Userz' AS regclass)", &["table userz"]);
    bad("SELECT '\"Users\"'::regclass", &["table Users"]);
    let sql = "INSERT INTO media (url) SELECT 1, $1, $2";
    let stmts = crate::sql::parse(sql).unwrap();
    let r = resolve_statement(&stmts[0], &schema(), &ParsedSql::new(sql));
    assert!(
        matches!(
            r.inserts[0].source,
            InsertSource::Query { width: Some(3), .. }
        ),
        "{:?}",
        r.inserts
    );
    assert_eq!(
        problems_at(
            18,
            "INSERT INTO users (email) VALUES ($1) ON CONFLICT DO UPDATE SET email = $1"
        ),
        ["on conflict"]
    );
    assert_eq!(
        problems_at(
            18,
            "INSERT INTO users (email) VALUES ($1) ON CONFLICT DO NOTHING"
        ),
        Vec::<String>::new()
    );
}

// See: issue 11, item 12.
#[test]
fn judged_by_postgres_version() {
    let subquery = "SELECT count(*) FROM (SELECT id FROM users)";
    assert_eq!(problems_at(16, subquery), Vec::<String>::new());
    assert_eq!(
        problems_at(15, subquery),
        ["a subquery in FROM without an alias 16"]
    );
    let merge = "MERGE INTO users t USING media s ON t.id = s.id WHEN MATCHED THEN DELETE";
    assert_eq!(problems_at(15, merge), Vec::<String>::new());
    assert_eq!(problems_at(14, merge), ["MERGE 15"]);
    let returning = "UPDATE users SET name = $1 RETURNING old.name, new.name, id";
    assert_eq!(problems_at(18, returning), Vec::<String>::new());
    assert_eq!(problems_at(17, returning), ["column name", "column name"]);
    assert_eq!(
        problems_at(18, "DELETE FROM users RETURNING old.nope"),
        ["column nope"]
    );
    // `old` and `new` are reachable only by name: unqualified columns are not ambiguous.
    assert_eq!(
        problems_at(18, "UPDATE users SET name = $1 RETURNING name, *"),
        Vec::<String>::new()
    );
    assert_eq!(
        problems_at(18, "UPDATE users SET name = $1 RETURNING old.*"),
        Vec::<String>::new()
    );
    // Postgres accepts subscripted targets in every version; sqlparser doesn't parse them.
    ok("UPDATE assets SET meta[$1] = $2 WHERE id = $3");
    // sqlparser takes `ON` for an alias of `$1`: the clause is checked for syntax only.
    ok("INSERT INTO media (url) SELECT $1 ON CONFLICT DO NOTHING");
    bad(
        "INSERT INTO media (link) SELECT $1 ON CONFLICT (id) DO NOTHING RETURNING nope",
        &["column link", "column nope"],
    );
    assert!(
        crate::sql::parse("INSERT INTO media (url) SELECT $1 ON CONFLICT (id DO NOTHING").is_err()
    );
    bad(
        "UPDATE assets SET metta[$1] = $2 WHERE id = $3",
        &["column metta"],
    );
}

#[test]
fn output_names_only_as_bare_names() {
    ok("SELECT id AS n FROM users ORDER BY n");
    bad("SELECT id AS n FROM users ORDER BY n + 1", &["column n"]);
    bad(
        "SELECT id AS n FROM users GROUP BY id HAVING n > 1",
        &["column n"],
    );
}

#[test]
fn subscripts_and_field_access() {
    ok("SELECT a.meta['x'] FROM assets a");
    ok("SELECT (u).email, (u).id FROM users u");
    bad("SELECT (u).nope FROM users u", &["column nope"]);
    // A column of a relation whose columns we don't know may be a composite: not judged.
    ok("SELECT (m).anything FROM users u, mystery.t");
    ok("SELECT (d).x FROM (SELECT 1) d(y), mystery.t");
    bad("SELECT a.nope[1] FROM assets a", &["column nope"]);
    bad("SELECT x.meta[1] FROM assets a", &["qualifier x"]);
}
