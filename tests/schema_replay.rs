//! The DDL replay against ground truth from a real server. `fixtures/schema/pgdump/` holds the
//! SQL that built a PostgreSQL 15 database (`create.sql`), that database's `pg_dump
//! --schema-only` (`schema.sql`), and what its catalog said about every relation
//! (`catalog.txt`: name, relkind, and per column `format_type`, NOT NULL, identity, generated,
//! captured with psql). Replaying the dump must reproduce the catalog exactly.

use std::path::PathBuf;

use schemalint::schema::{load_ddl_paths, Identity, RelationKind, Removal, Schema};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The model in catalog.txt's format.
fn catalog_text(schema: &Schema) -> String {
    let mut lines = Vec::new();
    // catalog.txt lists relkinds r, p, v, m, f (sequences are compared with the server's
    // catalog in the layout tests).
    for (ns, rel) in schema
        .relations()
        .filter(|(_, r)| r.kind != RelationKind::Sequence)
    {
        let kind = match rel.kind {
            RelationKind::Table => 'r',
            RelationKind::PartitionedTable => 'p',
            RelationKind::View => 'v',
            RelationKind::MaterializedView => 'm',
            RelationKind::ForeignTable => 'f',
            RelationKind::Sequence => 'S',
        };
        let cols: Vec<String> = rel
            .columns
            .iter()
            .map(|c| {
                format!(
                    "{}:{}:{}:{}:{}",
                    c.name,
                    c.data_type,
                    if c.nullable { "N" } else { "NN" },
                    match c.identity {
                        Some(Identity::Always) => "a",
                        Some(Identity::ByDefault) => "d",
                        None => "-",
                    },
                    if c.generated.is_some() { "s" } else { "-" },
                )
            })
            .collect();
        lines.push(format!("{ns}.{} {kind} {}", rel.name, cols.join(", ")));
    }
    lines.sort();
    lines.join("\n") + "\n"
}

#[test]
fn pg_dump_replay_matches_the_catalog() {
    let loaded = load_ddl_paths(
        &[root().join("fixtures/schema/pgdump/schema.sql")],
        &["public".into()],
    )
    .unwrap();
    let warnings: Vec<&str> = loaded.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(warnings.is_empty(), "{warnings:#?}");
    let expected =
        std::fs::read_to_string(root().join("fixtures/schema/pgdump/catalog.txt")).unwrap();
    assert_eq!(catalog_text(&loaded.schema), expected);
    let mood = loaded.schema.namespaces[&"app".into()].enums[&"mood".into()]
        .labels
        .clone();
    assert_eq!(mood, ["sad", "ok", "happy"]);
}

#[test]
fn neon_dump_replays_without_warnings() {
    let loaded = load_ddl_paths(
        &[root().join("fixtures/neon-media/db/schema.sql")],
        &["public".into()],
    )
    .unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let public = &loaded.schema.namespaces[&"public".into()];
    let names: Vec<&str> = public.relations.keys().map(|k| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "assets",
            "media",
            "media_assets",
            "media_id_seq",
            "user_asset_counts"
        ]
    );
    let id = public.relations[&"media_assets".into()]
        .column(&"id".into())
        .unwrap();
    assert_eq!((id.identity, id.nullable), (Some(Identity::Always), false));
    assert!(public.relations[&"media".into()]
        .column(&"media_type".into())
        .is_none());
}

#[test]
fn migrations_record_renames_and_drops_with_their_location() {
    let dir = PathBuf::from("fixtures/sqlx-service/migrations");
    let loaded = load_ddl_paths(&[root().join(&dir)], &["public".into()]).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let public = &loaded.schema.namespaces[&"public".into()];
    let posts = &public.relations[&"posts".into()];
    assert!(posts.column(&"content".into()).is_some() && posts.column(&"body".into()).is_none());
    match &posts.removed_columns[&"body".into()] {
        Removal::Renamed { to, at: Some(at) } => {
            assert_eq!(to.as_str(), "content");
            assert!(
                at.file.ends_with("20240301000000_posts.sql") && at.line == 2,
                "{at}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(&public.removed_relations[&"post_drafts".into()], Removal::Dropped { at: Some(at) } if at.line == 3)
    );
    assert_eq!(loaded.files.len(), 2);
}

#[test]
fn a_broken_migration_is_reported_and_later_ones_still_apply() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("001_init.sql"),
        "CREATE TABLE t (id int);\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("002_broken.sql"),
        "ALTER TABLE t ADD COLUMN oops int int int;\nALTER TABLE t ADD COLUMN ok text;\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("003_more.sql"),
        "ALTER TABLE t ADD COLUMN later text;\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("003_more.down.sql"),
        "ALTER TABLE t DROP COLUMN later;\n",
    )
    .unwrap();
    let loaded = load_ddl_paths(&[dir.path().to_path_buf()], &["public".into()]).unwrap();
    assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
    let w = &loaded.warnings[0];
    assert!(w.file.ends_with("002_broken.sql"));
    assert_eq!(w.span.start, 0);
    let t = &loaded.schema.namespaces[&"public".into()].relations[&"t".into()];
    let cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(cols, ["id", "ok", "later"]);
}

#[test]
fn migration_layouts() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    // Prisma
    std::fs::create_dir_all(p.join("prisma/20240101_init")).unwrap();
    std::fs::write(
        p.join("prisma/20240101_init/migration.sql"),
        "CREATE TABLE \"User\" (id int);",
    )
    .unwrap();
    // dbmate
    std::fs::create_dir_all(p.join("dbmate")).unwrap();
    std::fs::write(
        p.join("dbmate/20240101_a.sql"),
        "-- migrate:up\nCREATE TABLE a (id int);\n\n-- migrate:down\nDROP TABLE a;\n",
    )
    .unwrap();
    // drizzle
    std::fs::create_dir_all(p.join("drizzle")).unwrap();
    std::fs::write(
        p.join("drizzle/0000_init.sql"),
        "CREATE TABLE \"d\" (\"id\" serial PRIMARY KEY);\n--> statement-breakpoint\nALTER TABLE \"d\" ADD COLUMN \"x\" text;",
    )
    .unwrap();
    let loaded = load_ddl_paths(
        &[p.join("prisma"), p.join("dbmate"), p.join("drizzle")],
        &["public".into()],
    )
    .unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let public = &loaded.schema.namespaces[&"public".into()];
    let mut names: Vec<&str> = public.relations.keys().map(|k| k.as_str()).collect();
    names.sort();
    assert_eq!(names, ["User", "a", "d"]);
    assert_eq!(public.relations[&"d".into()].columns.len(), 2);
}
