//! `schemalint rule [NAME]`: a rule's documentation, or the list of rules.

use miette::{miette, Report as Error};

use super::Outcome;
use crate::render;
use crate::rules::RuleId;

pub fn run(name: Option<&str>) -> Result<Outcome, Error> {
    let text = match name {
        Some(name) => {
            let rule: RuleId = name.parse().map_err(|e: String| {
                let names: Vec<&str> = RuleId::ALL.iter().map(|r| r.name()).collect();
                miette!(help = format!("rules: {}", names.join(", ")), "{e}")
            })?;
            rule.docs()
        }
        None => {
            let width = RuleId::ALL
                .iter()
                .map(|r| r.name().len())
                .max()
                .unwrap_or(0)
                + 2;
            RuleId::ALL
                .iter()
                .map(|r| format!("{:<width$}{}\n", r.name(), r.default_severity()))
                .collect()
        }
    };
    render::write_stdout(&text).map_err(|e| miette!("could not write output: {e}"))?;
    Ok(Outcome::Clean)
}
