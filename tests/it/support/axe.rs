//! axe-core (npm, installed by `npm ci --prefix tests/axe`; `.ci/run` does
//! it) injected into the page the browser shows, to find accessibility
//! violations. Without axe-core the check is skipped with a line saying so,
//! unless CHATGATE_REQUIRE_BROWSER=1, where it panics.

use std::sync::OnceLock;

use super::browser::Browser;

fn source() -> Option<&'static str> {
    static SOURCE: OnceLock<Option<String>> = OnceLock::new();
    SOURCE
        .get_or_init(|| {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/axe/node_modules/axe-core/axe.min.js"
            );
            match std::fs::read_to_string(path) {
                Ok(s) => Some(s),
                Err(_) if std::env::var("CHATGATE_REQUIRE_BROWSER").as_deref() == Ok("1") => {
                    panic!("{path} is missing: run `npm ci --prefix tests/axe`")
                }
                Err(_) => {
                    println!("skipped: axe-core not installed (npm ci --prefix tests/axe)");
                    None
                }
            }
        })
        .as_deref()
}

/// The serious and critical violations axe-core finds on the page shown,
/// one line each: the rule, what it asks and the first elements at fault.
/// Empty when there are none, or when axe-core is not installed.
pub async fn serious_violations(b: &Browser) -> Vec<String> {
    let Some(source) = source() else {
        return Vec::new();
    };
    // WebDriver's scripts are not the page's: the CSP does not apply.
    b.client
        .execute(&format!("{source}\n;return typeof axe;"), vec![])
        .await
        .expect("axe-core loads");
    let run = "const done = arguments[arguments.length - 1];\
        axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations\
          .filter(v => v.impact === 'serious' || v.impact === 'critical')\
          .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' +\
            v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))\
          .catch(e => done(['axe failed: ' + e]));";
    let found = b
        .client
        .execute_async(run, vec![])
        .await
        .expect("axe-core runs");
    found
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_else(|| vec![format!("axe answered {found}")])
}
