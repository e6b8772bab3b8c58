//! The house rules that a reader can check by eye, checked on every run:
//! no function in `src/` over 80 lines (unless its header comment says why,
//! with the words "over 80 lines"), no diesel in the web layer, and time
//! only from the injected clock.

use std::path::{Path, PathBuf};

const MAX_FN_LINES: usize = 80;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources(under: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join(under), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("a readable source file");
            let name = p.strip_prefix(root).unwrap_or(&p).display().to_string();
            (name, text)
        })
        .collect()
}

/// The source with comments, strings and character literals blanked out
/// (newlines kept), so that braces can be counted.
fn code_only(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !ident(b.get(i.wrapping_sub(1)))
        {
            // A raw string: r"…", r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let rest: String = b[j + 1..].iter().collect();
            let end = rest
                .find(&close)
                .map_or(b.len(), |k| j + 1 + rest[..k].chars().count() + close.len());
            for ch in &b[i..end.min(b.len())] {
                out.push(blank(*ch));
            }
            i = end;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && (b.get(i + 2) == Some(&'\'') || next == Some('\\')) {
            // A character literal ('{', '\n', '\''); a lifetime has no closing quote.
            let mut j = i + 1;
            if b.get(j) == Some(&'\\') {
                j += 2;
            } else {
                j += 1;
            }
            while j < b.len() && b[j] != '\'' {
                j += 1;
            }
            for _ in i..=j.min(b.len() - 1) {
                out.push(' ');
            }
            i = j + 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// Each function's name, first line (1-based) and length in lines, from its
/// `fn` line to its closing brace.
fn functions(src: &str) -> Vec<(String, usize, usize)> {
    let code = code_only(src);
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let Some(at) = line.find("fn ") else { continue };
        if at > 0 && ident(line[..at].chars().last().as_ref()) {
            continue;
        }
        let name: String = line[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            continue;
        }
        // The body opens with the first `{` after the signature; a `;`
        // first means a declaration without a body.
        let mut depth = 0i32;
        let mut opened = false;
        let mut end = None;
        'scan: for (n, l) in lines.iter().enumerate().skip(start) {
            let from = if n == start { at } else { 0 };
            for ch in l[from..].chars() {
                match ch {
                    ';' if !opened && depth == 0 => break 'scan,
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => {
                        depth -= 1;
                        if opened && depth == 0 {
                            end = Some(n);
                            break 'scan;
                        }
                    }
                    _ => {}
                }
            }
        }
        if let Some(end) = end {
            found.push((name, start + 1, end - start + 1));
        }
    }
    found
}

/// Whether the comment lines right above line `first` (1-based) say why the
/// function is long.
fn says_why(src: &str, first: usize) -> bool {
    src.lines()
        .take(first - 1)
        .collect::<Vec<_>>()
        .iter()
        .rev()
        .take_while(|l| {
            let t = l.trim_start();
            t.starts_with("//") || t.starts_with("#[")
        })
        .any(|l| l.contains("over 80 lines"))
}

#[test]
fn the_counter_sees_a_long_function_and_skips_braces_in_text() {
    let body = "    let x = 1;\n".repeat(85);
    let src = format!(
        "fn short() {{ let s = \"{{\"; let c = '}}'; }}\n// a }} in a comment\nfn long<'a>(x: &'a str) {{\n{body}}}\n"
    );
    let fns = functions(&src);
    assert_eq!(fns[0], ("short".to_owned(), 1, 1));
    assert_eq!(fns[1], ("long".to_owned(), 3, 87));
}

#[test]
fn no_function_in_src_is_over_80_lines_without_saying_why() {
    let mut long = Vec::new();
    for (file, text) in sources("src") {
        for (name, first, len) in functions(&text) {
            if len > MAX_FN_LINES && !says_why(&text, first) {
                long.push(format!("{file}:{first} {name} ({len} lines)"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FN_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_web_layer_does_not_use_diesel() {
    let hits: Vec<String> = sources("src/web")
        .into_iter()
        .filter(|(_, text)| text.contains("diesel"))
        .map(|(file, _)| file)
        .collect();
    assert!(hits.is_empty(), "diesel in the web layer: {hits:?}");
}

#[test]
fn time_comes_only_from_the_injected_clock() {
    let hits: Vec<String> = sources("src")
        .into_iter()
        .filter(|(file, _)| !file.ends_with("domain/clock.rs"))
        .flat_map(|(file, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, l)| {
                    l.contains("db::now(") || l.contains("Utc::now()") || l.contains("fn now()")
                })
                .map(|(n, l)| format!("{file}:{} {}", n + 1, l.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        hits.is_empty(),
        "time not from the clock:\n{}",
        hits.join("\n")
    );
}
