//! Prints sqlparser's AST for a statement: `cargo run --example dump "SELECT ..."`.
//! A development aid for writing resolver and replay code against the real tree shapes.
#![allow(clippy::print_stdout)]

fn main() {
    let Some(sql) = std::env::args().nth(1) else {
        eprintln!("usage: cargo run --example dump \"SQL\"");
        std::process::exit(2);
    };
    match schemalint::sql::parse(&sql) {
        Ok(s) => println!("{s:#?}"),
        Err(e) => println!("ERR {e:?}"),
    }
}
