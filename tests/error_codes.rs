//! One source of truth for the error codes: `nv2::error::ErrorCode`. The JS list and class map
//! (`js/errors.js`), the TypeScript code unions (`js/index.d.ts`) and the table in
//! `docs/errors.md` are generated from it between `BEGIN GENERATED` / `END GENERATED` markers.
//! This test regenerates them and fails when a file differs; `NV2_BLESS=1 cargo test --test
//! error_codes` rewrites the files instead.

use std::path::{Path, PathBuf};

use nv2::error::ErrorCode;

/// Codes the CLI reports for its own failures (a bad command line, an unexpected exception):
/// never thrown by the library, so not part of `ErrorCode`.
const CLI_ONLY: &[&str] = &["ERR_USAGE", "ERR_UNEXPECTED"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The JS classes in order of first use.
fn classes() -> Vec<&'static str> {
    let mut out: Vec<&str> = Vec::new();
    for c in ErrorCode::ALL {
        if !out.contains(&c.js_class()) {
            out.push(c.js_class());
        }
    }
    out
}

/// The TypeScript alias naming the codes of `class` (the names the declarations always had).
fn alias(class: &str) -> String {
    match class {
        "VerificationFailedError" => "VerificationFailedCode".into(),
        "VerificationInconclusiveError" => "VerificationInconclusiveCode".into(),
        other => format!("{other}Code"),
    }
}

fn union(name: &str, codes: &[ErrorCode]) -> String {
    match codes {
        [one] => format!("export type {name} = '{}';\n", one.as_str()),
        _ => {
            let mut s = format!("export type {name} =\n");
            for (i, c) in codes.iter().enumerate() {
                let end = if i + 1 == codes.len() { ";" } else { "" };
                s += &format!("  | '{}'{end}\n", c.as_str());
            }
            s
        }
    }
}

fn js_codes() -> String {
    let mut s = String::from("/** Every stable error code, in documentation order. */\n");
    s += "export const ERROR_CODES = Object.freeze([\n";
    for c in ErrorCode::ALL {
        s += &format!("  '{}',\n", c.as_str());
    }
    s + "]);\n"
}

fn js_classes() -> String {
    let mut s = String::from("/** The class for every code. */\n");
    s += "export const ERROR_CLASS_BY_CODE = Object.freeze({\n";
    for c in ErrorCode::ALL {
        s += &format!("  {}: {},\n", c.as_str(), c.js_class());
    }
    s + "});\n"
}

fn dts_unions() -> String {
    let mut s =
        String::from("/** Every stable error code (semver-stable; see docs/errors.md). */\n");
    s += &union("NotationErrorCode", ErrorCode::ALL);
    for class in classes() {
        let codes: Vec<ErrorCode> = ErrorCode::ALL
            .iter()
            .copied()
            .filter(|c| c.js_class() == class)
            .collect();
        s += &format!("/** The codes of `{class}`. */\n");
        s += &union(&alias(class), &codes);
    }
    s
}

fn docs_table() -> String {
    let mut s = String::from("| code | JS class | meaning |\n| --- | --- | --- |\n");
    for c in ErrorCode::ALL {
        s += &format!("| `{c}` | `{}` | {} |\n", c.js_class(), c.meaning());
    }
    s
}

/// Replaces the text between the `BEGIN GENERATED <name>` and `END GENERATED <name>` lines of
/// `text` with `body`; `None` when the markers are missing.
fn replace_region(text: &str, name: &str, body: &str) -> Option<String> {
    let begin = format!("BEGIN GENERATED {name}");
    let end = format!("END GENERATED {name}");
    let b = text.find(&begin)?;
    let start = b + text[b..].find('\n')? + 1;
    let e = start + text[start..].find(&end)?;
    let stop = text[..e].rfind('\n').map_or(start, |i| i + 1);
    Some(format!("{}{body}{}", &text[..start], &text[stop..]))
}

/// Checks (or with `NV2_BLESS=1` rewrites) the generated regions of `file`.
fn check(file: &str, regions: &[(&str, String)]) -> Vec<String> {
    let path = root().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut want = text.clone();
    for (name, body) in regions {
        want = replace_region(&want, name, body)
            .unwrap_or_else(|| panic!("{file}: no BEGIN/END GENERATED {name} markers"));
    }
    if want == text {
        return Vec::new();
    }
    if std::env::var_os("NV2_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, want).unwrap();
        return Vec::new();
    }
    let line = text
        .lines()
        .zip(want.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| text.lines().count().min(want.lines().count()))
        + 1;
    vec![format!(
        "{file} differs from src/error.rs (ErrorCode) from line {line}: {:?}",
        want.lines().nth(line - 1).unwrap_or("<end of file>")
    )]
}

fn rel(file: &Path) -> String {
    file.strip_prefix(root())
        .unwrap_or(file)
        .display()
        .to_string()
}

/// Every quoted `ERR_…` literal in `file` is a code `ErrorCode` knows (or a CLI-only code).
fn literals_known(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut bad = Vec::new();
    for (i, _) in text.match_indices("ERR_") {
        let quoted = i > 0 && matches!(text.as_bytes()[i - 1], b'\'' | b'"' | b'`');
        if !quoted {
            continue;
        }
        let code: String = text[i..]
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        let known = ErrorCode::ALL.iter().any(|c| *c == code.as_str());
        if !known && !CLI_ONLY.contains(&code.as_str()) {
            bad.push(format!("{}: unknown error code {code}", rel(file)));
        }
    }
    bad
}

#[test]
fn generated_error_code_lists_match_the_enum() {
    let mut problems = Vec::new();
    problems.extend(check(
        "js/errors.js",
        &[("error-codes", js_codes()), ("error-classes", js_classes())],
    ));
    problems.extend(check("js/index.d.ts", &[("error-codes", dts_unions())]));
    problems.extend(check("docs/errors.md", &[("error-table", docs_table())]));
    for dir in ["js", "js/cli"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if matches!(ext, "js" | "mjs" | "ts") {
                problems.extend(literals_known(&path));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{}\nrefresh the generated lists with: NV2_BLESS=1 cargo test --test error_codes",
        problems.join("\n")
    );
}

#[test]
fn region_replacement_keeps_the_markers_and_the_rest() {
    let text = "a\n// BEGIN GENERATED x: note\nold\nold2\n// END GENERATED x\nb\n";
    assert_eq!(
        replace_region(text, "x", "new\n").unwrap(),
        "a\n// BEGIN GENERATED x: note\nnew\n// END GENERATED x\nb\n"
    );
    assert!(replace_region(text, "y", "new\n").is_none());
}
