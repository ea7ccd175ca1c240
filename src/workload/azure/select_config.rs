//! `traces[*].select` as written in a scenario: one selection rule ([`Selection`]) and the
//! trigger filter applied before it, side by side in one table (`docs/workloads.md`):
//!
//! ```toml
//! select = { top = { count = 100 }, triggers = ["http"] }
//! select = { triggers = ["timer"] }          # every timer-triggered function
//! ```
//!
//! A rule alone keeps its older form (`select = { top = { count = 100 } }`), and so does the
//! canonical form of a selection without triggers, so run ids did not change when `triggers`
//! moved here.

use super::select::Selection;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A trace's function selection: the rule, and the triggers a 2019 function must have to be a
/// candidate (empty: any trigger).
#[derive(Clone, Debug, PartialEq)]
pub struct SelectConfig {
    /// Which of the candidates to keep (default: all with an invocation in the window).
    pub rule: Selection,
    /// 2019: keep only functions with one of these triggers (`http`, `timer`, …).
    pub triggers: Vec<String>,
}

impl Default for SelectConfig {
    fn default() -> Self {
        SelectConfig {
            rule: Selection::All {},
            triggers: Vec::new(),
        }
    }
}

/// The keys a `select` table may hold.
const KEYS: &[&str] = &["all", "top", "sample", "list", "triggers"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoFields {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Count {
    count: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ids {
    ids: Vec<String>,
}

struct SelectVisitor;

impl<'de> Visitor<'de> for SelectVisitor {
    type Value = SelectConfig;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "a table with one rule (`all = {}`, `top = { count = N }`, `sample = { count = N }` or `list = { ids = [...] }`) and optionally `triggers = [...]`",
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SelectConfig, A::Error> {
        let mut rule: Option<(String, Selection)> = None;
        let mut triggers: Option<Vec<String>> = None;
        while let Some(key) = map.next_key::<String>()? {
            let chosen = match key.as_str() {
                "triggers" => {
                    triggers = Some(map.next_value()?);
                    continue;
                }
                "all" => map.next_value::<NoFields>().map(|_| Selection::All {})?,
                "top" => Selection::Top {
                    count: map.next_value::<Count>()?.count,
                },
                "sample" => Selection::Sample {
                    count: map.next_value::<Count>()?.count,
                },
                "list" => Selection::List {
                    ids: map.next_value::<Ids>()?.ids,
                },
                other => return Err(de::Error::unknown_field(other, KEYS)),
            };
            if let Some((first, _)) = &rule {
                return Err(de::Error::custom(format!(
                    "a selection has one rule, got both `{first}` and `{key}`"
                )));
            }
            rule = Some((key, chosen));
        }
        Ok(SelectConfig {
            rule: rule.map_or(Selection::All {}, |(_, r)| r),
            triggers: triggers.unwrap_or_default(),
        })
    }
}

impl<'de> Deserialize<'de> for SelectConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(SelectVisitor)
    }
}

impl Serialize for SelectConfig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Form<'a> {
            #[serde(flatten)]
            rule: &'a Selection,
            #[serde(skip_serializing_if = "<[String]>::is_empty")]
            triggers: &'a [String],
        }
        Form {
            rule: &self.rule,
            triggers: &self.triggers,
        }
        .serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SelectConfig, toml::de::Error> {
        #[derive(Deserialize)]
        struct Doc {
            select: SelectConfig,
        }
        toml::from_str::<Doc>(text).map(|d| d.select)
    }

    #[test]
    fn a_rule_and_triggers_share_the_table() {
        let s = parse(r#"select = { top = { count = 2 }, triggers = ["http"] }"#).unwrap();
        assert_eq!(s.rule, Selection::Top { count: 2 });
        assert_eq!(s.triggers, ["http"]);
    }

    #[test]
    fn triggers_alone_filter_every_function_and_a_rule_alone_keeps_all_triggers() {
        let s = parse(r#"select = { triggers = ["timer"] }"#).unwrap();
        assert_eq!(
            (s.rule, s.triggers),
            (Selection::All {}, vec!["timer".into()])
        );
        let s = parse(r#"select = { list = { ids = ["f1"] } }"#).unwrap();
        assert_eq!(
            s.rule,
            Selection::List {
                ids: vec!["f1".into()]
            }
        );
        assert!(s.triggers.is_empty());
    }

    #[test]
    fn two_rules_or_an_unknown_key_are_refused() {
        let e = parse("select = { top = { count = 2 }, sample = { count = 1 } }").unwrap_err();
        assert!(e.message().contains("one rule"), "{e}");
        let e = parse("select = { tpo = { count = 2 } }").unwrap_err();
        assert!(e.message().contains("tpo"), "{e}");
    }

    #[test]
    fn the_canonical_form_of_a_rule_alone_is_the_older_form() {
        let older = serde_json::to_value(Selection::Top { count: 3 }).unwrap();
        let s = SelectConfig {
            rule: Selection::Top { count: 3 },
            triggers: Vec::new(),
        };
        assert_eq!(serde_json::to_value(&s).unwrap(), older);
        let with = SelectConfig {
            triggers: vec!["http".into()],
            ..s
        };
        assert_eq!(
            serde_json::to_value(&with).unwrap(),
            serde_json::json!({ "top": { "count": 3 }, "triggers": ["http"] })
        );
    }
}
