use super::*;

fn sqls(src: &str) -> Vec<EmbeddedSql> {
    extract(Path::new("/nonexistent/src/lib.rs"), src).unwrap()
}

fn host_at<'a>(src: &'a str, e: &EmbeddedSql, needle: &str) -> &'a str {
    let at = e
        .text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in {:?}", e.text)) as u32;
    &src[e.map.to_host(at) as usize..]
}

#[test]
fn sqlx_macros_and_raw_strings() {
    let src = r####"
fn f() {
let a = sqlx::query!("SELECT id, title FROM posts WHERE id = $1", id);
let b = sqlx::query_as!(Post, r#"SELECT "id", body FROM posts"#);
let c = sqlx::query_scalar!(r##"SELECT count(*) FROM comments"##);
}
"####;
    let found = sqls(src);
    assert_eq!(found.len(), 3);
    assert!(host_at(src, &found[0], "title").starts_with("title"));
    assert!(host_at(src, &found[1], "body").starts_with("body FROM"));
    assert!(host_at(src, &found[2], "comments").starts_with("comments"));
}

#[test]
fn escapes_continuations_and_multibyte() {
    let src = "fn f() { client.query(\"SELECT 'é' AS x, \\\"id\\\"\\n  FROM \\\n      users WHERE name = $1\", &[&n]).await; }";
    let e = &sqls(src)[0];
    assert!(e.text.contains("FROM users"), "{}", e.text);
    assert!(host_at(src, e, "users").starts_with("users"));
    assert!(host_at(src, e, "\"id\"").starts_with("\\\"id"));
    assert!(host_at(src, e, "name").starts_with("name"));
}

#[test]
fn constants_and_function_calls_and_turbofish() {
    let src = r#"
const FIND: &str = "SELECT id FROM users WHERE email = $1";
async fn f(c: &Client) {
c.query_one(FIND, &[&email]).await?;
sqlx::query_as::<_, User>("SELECT id FROM users").fetch_all(&pool).await?;
cmd.execute("ls -la");
}
"#;
    let found = sqls(src);
    let texts: Vec<&str> = found.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "SELECT id FROM users WHERE email = $1",
            "SELECT id FROM users"
        ]
    );
    assert!(host_at(src, &found[0], "email").starts_with("email = $1\";"));
}

#[test]
fn path_constants_and_concat() {
    let src = r#"
struct Repo;
impl Repo {
const FIND: &'static str = "SELECT id FROM users WHERE id = $1";
async fn f(&self, c: &Client) {
    c.query(Self::FIND, &[]).await?;
    c.query(concat!("SELECT id, ", "email FROM users"), &[]).await?;
    c.query(queries::ALL, &[]).await?;
    c.query(crate::db::queries::LONG, &[]).await?;
    c.query(TWICE, &[]).await?;
    c.query(Self::FIND.trim(), &[]).await?;
}
}
mod queries {
pub const ALL: &str = "SELECT name FROM users";
pub const LONG: &str = concat!("SELECT id ", "FROM posts");
}
mod a { pub const TWICE: &str = "SELECT 1 FROM a"; }
mod b { pub const TWICE: &str = "SELECT 1 FROM b"; }
"#;
    let found = sqls(src);
    let texts: Vec<&str> = found
        .iter()
        .map(|e| e.text.as_str())
        .filter(|t| !t.is_empty())
        .collect();
    // `TWICE` is in neither scope (it is in `a` and `b`); a method call on a constant is not
    // the constant: both are SQL not checked, said so (an empty text with a dynamic span).
    let unread: Vec<&str> = found
        .iter()
        .filter(|e| e.text.is_empty())
        .map(|e| &src[e.dynamic[0].start as usize..e.dynamic[0].end as usize])
        .collect();
    assert_eq!(unread, ["TWICE", "Self::FIND.trim()"]);
    assert_eq!(
        texts,
        [
            "SELECT id FROM users WHERE id = $1",
            "SELECT id, email FROM users",
            "SELECT name FROM users",
            "SELECT id FROM posts",
        ]
    );
    // Each piece of a concat! maps back into its own literal.
    let found: Vec<&EmbeddedSql> = found.iter().filter(|e| !e.text.is_empty()).collect();
    assert!(host_at(src, found[1], "email").starts_with("email FROM users\")"));
    assert!(host_at(src, found[3], "FROM").starts_with("FROM posts\")"));
}

#[test]
fn non_sql_files_and_broken_code() {
    assert!(sqls("fn main() { println!(\"select a file to update\"); }").is_empty());
    let r = extract(Path::new("x.rs"), "fn f() { query(\"SELECT 1\" ");
    assert!(matches!(r, Err(ExtractError::HostSyntax { .. })));
}

fn texts(found: &[EmbeddedSql]) -> Vec<&str> {
    found.iter().map(|e| e.text.as_str()).collect()
}

// See: issue 12, item 1 (a name bound to different strings in one file).
#[test]
fn let_bound_sql_resolved_in_scope() {
    let src = r##"
async fn show(c: &Client) {
    let query = "SELECT title FROM tasks WHERE id = $1";
    c.query_one(query, &[&id]).await?;
}
async fn index(c: &Client) {
    let query = "SELECT title FROM tasks";
    c.query(query, &[]).await?;
    {
        let query = r#"SELECT id FROM inner_scope"#;
        c.query(query, &[]).await?;
    }
    c.execute(query, &[]).await?;
}
async fn branches(c: &Client, done: bool, k: Kind) {
    let query = if done { "SELECT 1 FROM a" } else { "SELECT 1 FROM b" };
    c.query(query, &[]).await?;
    let sql;
    match k {
        Kind::A => sql = "SELECT 1 FROM c",
        Kind::B => { sql = "SELECT 1 FROM d"; }
    }
    c.query(sql, &[]).await?;
    let mut q = "SELECT 1 FROM e";
    if done {
        q = "SELECT 1 FROM f";
    }
    c.query(q, &[]).await?;
    let q2 = concat!("SELECT 1 ", "FROM g");
    const LOCAL: &str = "SELECT 1 FROM h";
    c.query(q2, &[]).await?;
    c.query(LOCAL, &[]).await?;
}
"##;
    let found = sqls(src);
    assert_eq!(
        texts(&found),
        [
            "SELECT title FROM tasks WHERE id = $1",
            "SELECT title FROM tasks",
            "SELECT id FROM inner_scope",
            "SELECT 1 FROM a",
            "SELECT 1 FROM b",
            "SELECT 1 FROM c",
            "SELECT 1 FROM d",
            "SELECT 1 FROM e",
            "SELECT 1 FROM f",
            "SELECT 1 FROM g",
            "SELECT 1 FROM h",
        ]
    );
    // Each maps into its own literal.
    assert!(host_at(src, &found[1], "tasks").starts_with("tasks\";\n    c.query(query"));
    assert!(host_at(src, &found[2], "inner").starts_with("inner_scope\"#"));
}

// See: issue 12, item 3.
#[test]
fn format_holes_are_splices() {
    let src = r#"
const USERS: &str = "users";
async fn f(pool: &PgPool, id: i64, fields: Vec<String>, name: &str, filter: String) {
    let q = format!("SELECT id FROM {USERS} WHERE id = {} AND name = '{name}'", id);
    sqlx::query(&q).fetch_all(pool).await?;
    sqlx::query(&format!("UPDATE users SET {} WHERE id = $1", fields.join(", "))).execute(pool).await?;
    let n = format!("SELECT id FROM users LIMIT {}", 10);
    sqlx::query(n.as_str()).fetch_all(pool).await?;
    sqlx::query(&format!("SELECT id FROM users{} LIMIT 10", filter)).fetch_all(pool).await?;
}
"#;
    let found = sqls(src);
    // Fragments stand in by where they land: assignments after SET, nothing for a clause
    // glued to a table name (a `$n` there made `users$2` one unknown identifier, and the
    // statement's columns went unchecked).
    assert_eq!(
        texts(&found),
        [
            "SELECT id FROM users WHERE id = $1 AND name = 'xxxxxx'",
            "UPDATE users SET a=1 WHERE id = $1",
            "SELECT id FROM users LIMIT $1",
            "SELECT id FROM users   LIMIT 10",
        ]
    );
    let kinds: Vec<Vec<SpliceKind>> = found
        .iter()
        .map(|e| e.spliced.iter().map(|s| s.kind).collect())
        .collect();
    use SpliceKind::*;
    assert_eq!(
        kinds,
        [
            vec![Constant, Value, Value],
            vec![Fragment],
            vec![Constant],
            vec![Fragment]
        ]
    );
    // The constant's text maps into its own literal; the hole after it 1:1.
    assert!(host_at(src, &found[0], "users").starts_with("users\";"));
    assert!(host_at(src, &found[0], "WHERE").starts_with("WHERE id = {}"));
    assert!(found[0].dynamic.is_empty());
    assert_eq!(
        &src[found[1].dynamic[0].start as usize..found[1].dynamic[0].end as usize],
        "{}"
    );
}

// Rust holes are judged as template holes are (`splice::HoleContext`): a value in a function's
// arguments or an `IN (..)` list is a value a parameter could carry; a hole in a select list
// is columns; `$${}` is a parameter's number.
#[test]
fn format_holes_land_as_template_holes_do() {
    let src = r#"
async fn f(pool: &PgPool, email: &str, ids: String, col: &str, i: usize) {
    sqlx::query(&format!("SELECT id FROM users WHERE lower(email) = lower('{}') OR id IN ({})", email, ids)).fetch_all(pool).await?;
    sqlx::query(&format!("SELECT id, {} FROM users WHERE id = ${}", col, i)).fetch_all(pool).await?;
}
"#;
    let found = sqls(src);
    let kinds: Vec<Vec<SpliceKind>> = found
        .iter()
        .map(|e| e.spliced.iter().map(|s| s.kind).collect())
        .collect();
    use SpliceKind::*;
    assert_eq!(kinds, [vec![Value, Value], vec![Fragment, Fragment]]);
    assert_eq!(
        texts(&found),
        [
            "SELECT id FROM users WHERE lower(email) = lower('xx') OR id IN ($1)",
            "SELECT id, 1  FROM users WHERE id = $2 ",
        ]
    );
}

// See: issue 12, item 3.
#[test]
fn builders_raw_sql_and_wrappers() {
    let src = r#"
static QUERY: Lazy<String> = Lazy::new(|| "SELECT id FROM lazy".to_string());
async fn f(pool: &PgPool, tx: &Transaction<'_>, conn: &deadpool_postgres::Object, id: i64, sql: String) {
    let mut qb = QueryBuilder::new("SELECT id FROM users WHERE ");
    qb.push("id = ").push_bind(id);
    qb.build().fetch_all(pool).await?;
    let mut qb2: QueryBuilder<Postgres> = QueryBuilder::new("UPDATE users SET ");
    qb2.push(set_list);
    sqlx::raw_sql("SELECT 1 FROM raw").execute(pool).await?;
    sqlx::query_as::<_, User>("SELECT id FROM turbofish").fetch_all(pool).await?;
    tx.query_typed(&*QUERY, &[]).await?;
    conn.query(QUERY.as_str(), &[]).await?;
    sqlx::query(&sql).execute(pool).await?;
    let (q, args) = ("SELECT id FROM tupled WHERE id = $1", (id,));
    sqlx::query_with(q, args).fetch_all(pool).await?;
}
"#;
    let found = sqls(src);
    assert_eq!(
        texts(&found),
        [
            "SELECT id FROM lazy",
            "SELECT id FROM users WHERE id = $1",
            "UPDATE users SET a=1",
            "SELECT 1 FROM raw",
            "SELECT id FROM turbofish",
            "",
            "SELECT id FROM tupled WHERE id = $1",
        ]
    );
    // What `push(set_list)` adds is only known at run time (a stand-in where assignments
    // go), and so is what follows, as `qb2` is never built here; `&sql` is not read at all.
    assert_eq!(found[2].dynamic.len(), 2);
    assert_eq!(
        &src[found[2].dynamic[0].start as usize..found[2].dynamic[0].end as usize],
        "push(set_list)"
    );
    assert_eq!(
        &src[found[5].dynamic[0].start as usize..found[5].dynamic[0].end as usize],
        "sql"
    );
}

// See: issue 12, item 3 (tuple literals carrying SQL).
#[test]
fn tuples_in_arrays_iterated() {
    let src = r#"
async fn counts(c: &Client) {
    for (table, sql) in [("users", "SELECT count(*) FROM users"), ("tasks", "SELECT count(*) FROM tasks")] {
        let row = c.query_one(sql, &[]).await?;
    }
}
"#;
    assert_eq!(
        texts(&sqls(src)),
        ["SELECT count(*) FROM users", "SELECT count(*) FROM tasks"]
    );
}

#[test]
fn deeply_nested_let_blocks_stay_linear() {
    // Each level's initializer is a block with a `let` inside: scanned once per level, not
    // twice (which would double the work at every level).
    let mut src = String::from("fn f(c: &Client) {\n");
    for _ in 0..40 {
        src.push_str("let q = { let r = 1;\n");
    }
    src.push_str("\"SELECT 1 FROM deep\"");
    for _ in 0..40 {
        src.push_str(" };\n q }");
    }
    src.push_str(";\n c.query(q, &[]);\n}\n");
    let start = std::time::Instant::now();
    let _ = extract(Path::new("x.rs"), &src);
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

// See: issue 12, item 3: text appended at run time is not the whole statement.
#[test]
fn appended_strings_are_partly_known() {
    let src = r#"
async fn f(c: &Client, name: Option<String>) {
    let mut sql = String::from("UPDATE users SET ");
    if let Some(n) = name {
        sql.push_str("name = $2, ");
    }
    c.execute(sql.as_str(), &[]).await?;
    let mut q = String::from("SELECT id FROM users WHERE true");
    write!(q, " AND id = {}", 1).unwrap();
    c.query(&q, &[]).await?;
}
"#;
    let found = sqls(src);
    assert_eq!(
        texts(&found),
        ["UPDATE users SET ", "SELECT id FROM users WHERE true"]
    );
    let grown: Vec<&str> = found
        .iter()
        .map(|e| &src[e.dynamic[0].start as usize..e.dynamic[0].end as usize])
        .collect();
    assert_eq!(grown, ["sql.push_str", "write!(q, \" AND id = {}\", 1)"]);
}

#[test]
fn const_generics_and_higher_ranked_types_are_not_items() {
    let src = r#"
struct S<const N: usize> { a: [u8; N] }
fn g(c: &Client) {
    let f: Box<dyn for<'a> Fn(&'a str) -> &'a str> = Box::new(|s| s);
    c.query("SELECT 1 FROM kept", &[]);
}
const X: &str = "SELECT 2 FROM kept";
fn h(c: &Client) { c.query(X, &[]); }
"#;
    assert_eq!(
        texts(&sqls(src)),
        ["SELECT 1 FROM kept", "SELECT 2 FROM kept"]
    );
}

// See: issue 12 (trial miss M6, humidor's user transfer): SQL in tuples, destructured from
// an `if`/`match` whose branch runs statements before its tuple.
#[test]
fn tuple_bound_sql_in_branches_is_followed() {
    let src = r#"
async fn transfer(tx: &Transaction<'_>, req: Req, kind: Kind) {
    let (count_q, move_q, drop_q, params) = if let Some(id) = req.id {
        let verify = "SELECT id FROM verified WHERE id = $1";
        let row = tx.query_opt(verify, &[&id]).await?;
        if row.is_none() {
            return Err(not_found());
        }
        (
            "SELECT count(*) FROM one_count WHERE id = $1",
            "UPDATE one_move SET user_id = $1 WHERE id = $2",
            "DELETE FROM one_drop WHERE id = $1",
            vec![id],
        )
    } else {
        (
            "SELECT count(*) FROM all_count",
            "UPDATE all_move SET user_id = $1",
            "DELETE FROM all_drop",
            vec![],
        )
    };
    let row = if req.id.is_some() {
        tx.query_one(count_q, &[&params[0]]).await
    } else {
        tx.query_one(count_q, &[]).await
    }
    .map_err(db_error)?;
    tx.execute(move_q, &[]).await?;
    tx.execute(drop_q, &[]).await?;
    let ((a, b), c) = match kind {
        Kind::A => (("SELECT 1 FROM nest_a", "SELECT 1 FROM nest_b"), "SELECT 1 FROM nest_c"),
        Kind::B => {
            for x in xs { log(x); }
            (("SELECT 2 FROM nest_a", "SELECT 2 FROM nest_b"), "SELECT 2 FROM nest_c")
        }
    };
    tx.query(a, &[]).await?;
    tx.query(b, &[]).await?;
    tx.query(c, &[]).await?;
    let pair = ("SELECT id FROM field_zero", 1);
    let whole = pair;
    tx.query(whole.0, &[]).await?;
}
"#;
    assert_eq!(
        texts(&sqls(src)),
        [
            // In source order, whichever call reaches them.
            "SELECT id FROM verified WHERE id = $1",
            "SELECT count(*) FROM one_count WHERE id = $1",
            "UPDATE one_move SET user_id = $1 WHERE id = $2",
            "DELETE FROM one_drop WHERE id = $1",
            "SELECT count(*) FROM all_count",
            "UPDATE all_move SET user_id = $1",
            "DELETE FROM all_drop",
            "SELECT 1 FROM nest_a",
            "SELECT 1 FROM nest_b",
            "SELECT 1 FROM nest_c",
            "SELECT 2 FROM nest_a",
            "SELECT 2 FROM nest_b",
            "SELECT 2 FROM nest_c",
            "SELECT id FROM field_zero",
        ]
    );
}

// See: issue 12 (the Rust side of trial miss M4): migrations kept in constant arrays of
// tuples, iterated and run; a constant tuple destructured.
#[test]
fn constant_tuple_tables_are_iterated() {
    let src = r#"
const MIGRATIONS: &[(&str, &str)] = &[
    ("001", "CREATE TABLE IF NOT EXISTS subscribers (id int)"),
    ("002", "ALTER TABLE users ADD COLUMN IF NOT EXISTS plan text"),
];
const STEPS: [&str; 1] = ["UPDATE users SET plan = 'free'"];
const PAIR: (&str, &str) = ("SELECT id FROM pair_a", "SELECT id FROM pair_b");
pub async fn migrate(client: &Client) {
    for (name, sql) in MIGRATIONS {
        client.batch_execute(sql).await?;
    }
    for sql in STEPS.iter() {
        client.batch_execute(sql).await?;
    }
    let (a, b) = PAIR;
    client.query(a, &[]).await?;
    client.query(b, &[]).await?;
}
"#;
    assert_eq!(
        texts(&sqls(src)),
        [
            "CREATE TABLE IF NOT EXISTS subscribers (id int)",
            "ALTER TABLE users ADD COLUMN IF NOT EXISTS plan text",
            "UPDATE users SET plan = 'free'",
            "SELECT id FROM pair_a",
            "SELECT id FROM pair_b",
        ]
    );
}

/// `query_file!("./queries/x.sql")` names the file under the crate root, shown without `./`.
#[test]
fn query_file_paths_are_shown_without_dot_steps() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::create_dir_all(root.join("queries")).unwrap();
    std::fs::write(root.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    std::fs::write(root.join("queries/recent.sql"), "SELECT id FROM posts\n").unwrap();
    let src = "fn f() { sqlx::query_file!(\"./queries/recent.sql\"); }\n";
    let found = extract(&root.join("src/lib.rs"), src).unwrap();
    assert_eq!(found.len(), 1);
    // As text: paths compare equal with a `.` step inside.
    let shown = found[0].host_file.as_ref().map(|p| p.display().to_string());
    assert_eq!(
        shown,
        Some(root.join("queries/recent.sql").display().to_string())
    );
}
