//! SARIF validation against the official 2.1.0 schema (tests/data), for every test that
//! checks a SARIF log.

use std::path::PathBuf;

/// Fail the test with every schema violation of `log`.
pub fn assert_valid(log: &serde_json::Value) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-2.1.0-rtm.5.json");
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // The rtm.5 schema's `language` patterns (on `run` and `toolComponent`) have a stray `]`
    // that the validator's regex engine rejects; schemalint never writes `language`.
    for def in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][def]["properties"]["language"];
        assert!(language
            .as_object_mut()
            .unwrap()
            .remove("pattern")
            .is_some());
    }
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF is invalid:\n{}",
        errors.join("\n")
    );
}
