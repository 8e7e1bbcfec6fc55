fn f(c: &Client) {
    c.query(&format!("SELECT {1a}, {\u{2167}} FROM t"), &[]);
    c.query(&format!("SELECT {1a} FROM t WHERE x = {}", 1), &[]);
}
