//! The layering of the library crates, checked from their source files.
//!
//! What is checked, for `charm-runtime`, `charm-macros`, `charm-names`,
//! `charm-interfaces`, `charm-openstack`, `charm-sim` and `cargo-charm`:
//!
//! 1. **No cycle between files.** Within each crate, a file imports
//!    another when it names a path into it: `crate::a::b::Item` or
//!    `super::b::Item` (also `charm_runtime::...` inside charm-runtime,
//!    which declares `extern crate self as charm_runtime`). The target is
//!    the file of the longest module prefix of the path, so
//!    `crate::reactive::state::FLAG_PREFIX` is `reactive/state/mod.rs` and
//!    `crate::Error` is `lib.rs`. `mod` declarations are not imports, and
//!    neither are re-exports written relative to the module
//!    (`pub use context::Ctx;` in `reactive/mod.rs`). A cycle means two
//!    files can only be understood, changed and tested together; the
//!    failure message lists the files of each cycle and the line of each
//!    import on it.
//! 2. **The reactive core stands alone.** Files under
//!    `charm-runtime/src/reactive/` import nothing of the crate outside
//!    `reactive/` but `conditions.rs`, and `conditions.rs` imports nothing
//!    outside `reactive/`. The core (flags, dispatch, unit state) knows
//!    nothing of Juju: the Juju layer depends on it, never the reverse.
//!
//! Paths are read from tokens, so comments (doc comments included) and
//! string literals never count, and items under `#[cfg(test)]` (test
//! modules, and files declared by a `#[cfg(test)] mod x;`) are left out:
//! tests may reach anywhere. Only std is used; the scanner is a small Rust
//! tokenizer, tested below on sources written to trip it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The crates checked: directory, and the names under which a crate
/// refers to itself besides `crate`.
const CRATES: &[(&str, &[&str])] = &[
    ("charm-runtime", &["charm_runtime"]),
    ("charm-macros", &[]),
    ("charm-names", &[]),
    ("charm-interfaces", &[]),
    ("charm-openstack", &[]),
    ("charm-sim", &[]),
    ("cargo-charm", &[]),
];

// ---------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    /// `::`
    PathSep,
    Punct(char),
    /// A string, character or number literal (content dropped).
    Literal,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

/// The tokens of Rust source `src`, without comments; literals are kept as
/// [`Tok::Literal`] with their content dropped.
fn tokenize(src: &str) -> Result<Vec<Token>, String> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    while i < c.len() {
        let ch = c[i];
        let start_line = line;
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            loop {
                if i >= c.len() {
                    return Err(format!("line {start_line}: unterminated block comment"));
                }
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(c[i] == '\n');
                    i += 1;
                }
            }
        } else if ch == '"' {
            i = skip_string(&c, i + 1, &mut line)
                .ok_or_else(|| format!("line {start_line}: unterminated string"))?;
            out.push(Token {
                tok: Tok::Literal,
                line: start_line,
            });
        } else if ch == '\'' {
            // A character literal ('a', '\n', '\'') or a lifetime ('a).
            if at(i + 1) == '\\' {
                // Past the quote, the backslash and the escaped character.
                i += 3;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push(Token {
                    tok: Tok::Literal,
                    line: start_line,
                });
            } else if at(i + 2) == '\'' {
                i += 3;
                out.push(Token {
                    tok: Tok::Literal,
                    line: start_line,
                });
            } else {
                i += 1;
                let s = i;
                while i < c.len() && is_ident_char(c[i]) {
                    i += 1;
                }
                let name: String = c[s..i].iter().collect();
                out.push(Token {
                    tok: Tok::Ident(format!("'{name}")),
                    line: start_line,
                });
            }
        } else if ch.is_ascii_digit() {
            while i < c.len() && is_ident_char(c[i]) {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Literal,
                line: start_line,
            });
        } else if is_ident_start(ch) {
            let s = i;
            while i < c.len() && is_ident_char(c[i]) {
                i += 1;
            }
            let word: String = c[s..i].iter().collect();
            let raw = matches!(word.as_str(), "r" | "br" | "cr")
                && (at(i) == '"' || (at(i) == '#' && matches!(at(i + 1), '#' | '"')));
            let quoted = matches!(word.as_str(), "b" | "c") && at(i) == '"';
            if raw || quoted {
                // A byte, C or raw string: b"..", r"..", r#".."#, br##".."##.
                if word.ends_with('r') {
                    let mut hashes = 0;
                    while at(i) == '#' {
                        hashes += 1;
                        i += 1;
                    }
                    if at(i) != '"' {
                        return Err(format!("line {start_line}: malformed raw string"));
                    }
                    i += 1;
                    loop {
                        if i >= c.len() {
                            return Err(format!("line {start_line}: unterminated raw string"));
                        }
                        if c[i] == '"' && (1..=hashes).all(|k| at(i + k) == '#') {
                            i += 1 + hashes;
                            break;
                        }
                        line += usize::from(c[i] == '\n');
                        i += 1;
                    }
                } else {
                    i = skip_string(&c, i + 1, &mut line)
                        .ok_or_else(|| format!("line {start_line}: unterminated string"))?;
                }
                out.push(Token {
                    tok: Tok::Literal,
                    line: start_line,
                });
            } else if word == "b" && at(i) == '\'' {
                // A byte literal: b'x', b'\''.
                i += 1;
                if at(i) == '\\' {
                    i += 1;
                }
                i += 1;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push(Token {
                    tok: Tok::Literal,
                    line: start_line,
                });
            } else if word == "r" && at(i) == '#' && is_ident_start(at(i + 1)) {
                // A raw identifier: r#type.
                i += 1;
                let s = i;
                while i < c.len() && is_ident_char(c[i]) {
                    i += 1;
                }
                let name: String = c[s..i].iter().collect();
                out.push(Token {
                    tok: Tok::Ident(name),
                    line: start_line,
                });
            } else {
                out.push(Token {
                    tok: Tok::Ident(word),
                    line: start_line,
                });
            }
        } else if ch == ':' && at(i + 1) == ':' {
            out.push(Token {
                tok: Tok::PathSep,
                line: start_line,
            });
            i += 2;
        } else {
            out.push(Token {
                tok: Tok::Punct(ch),
                line: start_line,
            });
            i += 1;
        }
    }
    Ok(out)
}

/// The index after the closing quote of a string whose content starts at
/// `i`; `None` when it is not closed.
fn skip_string(c: &[char], mut i: usize, line: &mut usize) -> Option<usize> {
    while i < c.len() {
        match c[i] {
            '\\' => {
                if c.get(i + 1) == Some(&'\n') {
                    *line += 1;
                }
                i += 2;
            }
            '"' => return Some(i + 1),
            ch => {
                *line += usize::from(ch == '\n');
                i += 1;
            }
        }
    }
    None
}

fn is_ident_start(ch: char) -> bool {
    ch == '_' || ch.is_alphabetic()
}

fn is_ident_char(ch: char) -> bool {
    ch == '_' || ch.is_alphanumeric()
}

// ---------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------

/// A path into the crate named in a file: the module path it names
/// (from the crate root) and where.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NamedPath {
    segments: Vec<String>,
    line: usize,
    /// As written, for messages (`crate::reactive::{..}` groups expanded).
    written: String,
}

/// What one file names: paths into its crate, and the child modules it
/// declares under `#[cfg(test)]` (whose files are test code).
#[derive(Debug, Default)]
struct Scan {
    paths: Vec<NamedPath>,
    test_modules: Vec<String>,
}

fn ident(t: &[Token], i: usize) -> Option<&str> {
    match t.get(i).map(|t| &t.tok) {
        Some(Tok::Ident(s)) => Some(s),
        _ => None,
    }
}

fn is(t: &[Token], i: usize, tok: &Tok) -> bool {
    t.get(i).map(|t| &t.tok) == Some(tok)
}

fn punct(t: &[Token], i: usize, ch: char) -> bool {
    is(t, i, &Tok::Punct(ch))
}

/// The index after the bracketed group opening at `i` (`(`, `[` or `{`).
fn skip_group(t: &[Token], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < t.len() {
        match t[i].tok {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    i
}

/// The index after the item starting at `i`: its outer attributes, then
/// everything up to a `;` or a `{...}` block at its own nesting level.
fn skip_item(t: &[Token], mut i: usize) -> usize {
    while punct(t, i, '#') && punct(t, i + 1, '[') {
        i = skip_group(t, i + 1);
    }
    while i < t.len() {
        match t[i].tok {
            Tok::Punct(';') => return i + 1,
            Tok::Punct('{') => return skip_group(t, i),
            Tok::Punct('(' | '[') => i = skip_group(t, i),
            _ => i += 1,
        }
    }
    i
}

/// Whether the tokens at `i` are exactly `#[cfg(test)]`.
fn is_cfg_test(t: &[Token], i: usize) -> bool {
    punct(t, i, '#')
        && punct(t, i + 1, '[')
        && ident(t, i + 2) == Some("cfg")
        && punct(t, i + 3, '(')
        && ident(t, i + 4) == Some("test")
        && punct(t, i + 5, ')')
        && punct(t, i + 6, ']')
}

/// The paths into the crate named in a file whose module is `module`
/// (`[]` for `lib.rs`, `["reactive", "state"]` for
/// `reactive/state/mod.rs`), and its `#[cfg(test)]` child modules.
/// `aliases` are the crate's other names for itself.
fn scan(src: &str, module: &[String], aliases: &[&str]) -> Result<Scan, String> {
    let t = tokenize(src)?;
    let mut out = Scan::default();
    // Inline modules open at this point: (name, brace depth inside them).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < t.len() {
        if is_cfg_test(&t, i) {
            // A test item: skip it; a `mod x;` declares a test file.
            let mut j = i;
            while punct(&t, j, '#') && punct(&t, j + 1, '[') {
                j = skip_group(&t, j + 1);
            }
            if ident(&t, j) == Some("pub") {
                j += 1;
                if punct(&t, j, '(') {
                    j = skip_group(&t, j);
                }
            }
            if ident(&t, j) == Some("mod")
                && let Some(name) = ident(&t, j + 1)
                && punct(&t, j + 2, ';')
            {
                out.test_modules.push(name.to_owned());
            }
            i = skip_item(&t, i);
            continue;
        }
        match &t[i].tok {
            Tok::Punct('{') => {
                depth += 1;
                i += 1;
            }
            Tok::Punct('}') => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
                i += 1;
            }
            Tok::Ident(w) if w == "mod" && ident(&t, i + 1).is_some() && punct(&t, i + 2, '{') => {
                inline.push((ident(&t, i + 1).unwrap_or_default().to_owned(), depth + 1));
                depth += 1;
                i += 3;
            }
            Tok::Ident(w)
                if is(&t, i + 1, &Tok::PathSep)
                    && !(i > 0 && is(&t, i - 1, &Tok::PathSep) && w == "super")
                    && (w == "crate" || w == "super" || aliases.contains(&w.as_str())) =>
            {
                let line = t[i].line;
                let mut base: Vec<String>;
                let mut written = w.clone();
                let mut j = i + 1;
                if w == "super" {
                    base = module.to_vec();
                    base.extend(inline.iter().map(|(n, _)| n.clone()));
                    base.pop();
                    // super::super::...
                    while is(&t, j, &Tok::PathSep) && ident(&t, j + 1) == Some("super") {
                        base.pop();
                        written.push_str("::super");
                        j += 2;
                    }
                } else {
                    base = Vec::new();
                }
                // Now at `::`, before the rest of the path.
                j += 1;
                let mut leaves = Vec::new();
                i = use_tree(&t, j, Vec::new(), &mut leaves);
                for leaf in leaves {
                    let shown = if leaf.is_empty() {
                        written.clone()
                    } else {
                        format!("{written}::{}", leaf.join("::"))
                    };
                    let mut segments = base.clone();
                    segments.extend(leaf);
                    out.paths.push(NamedPath {
                        segments,
                        line,
                        written: shown,
                    });
                }
            }
            _ => i += 1,
        }
    }
    Ok(out)
}

/// Read a path or use tree starting at `i` (after a `::`), adding each
/// path it names to `leaves` (prefixed by `prefix`); the index after it.
/// `a::{b, c::{self, D}}` names `a::b`, `a::c` and `a::c::D`; `a::*`
/// names `a`; a path in an expression ends before its arguments.
fn use_tree(
    t: &[Token],
    mut i: usize,
    mut prefix: Vec<String>,
    leaves: &mut Vec<Vec<String>>,
) -> usize {
    loop {
        match t.get(i).map(|t| &t.tok) {
            Some(Tok::Ident(s)) if s == "self" => {
                leaves.push(prefix);
                return i + 1;
            }
            Some(Tok::Ident(s)) => {
                prefix.push(s.clone());
                i += 1;
                if is(t, i, &Tok::PathSep) {
                    i += 1;
                    continue;
                }
                if ident(t, i) == Some("as") {
                    i += 2;
                }
                leaves.push(prefix);
                return i;
            }
            Some(Tok::Punct('{')) => {
                i += 1;
                while i < t.len() && !punct(t, i, '}') {
                    let before = i;
                    i = use_tree(t, i, prefix.clone(), leaves);
                    if punct(t, i, ',') {
                        i += 1;
                    }
                    if i == before {
                        // Not a use tree after all: stop here.
                        return skip_group(t, before);
                    }
                }
                return i + 1;
            }
            Some(Tok::Punct('*')) => {
                leaves.push(prefix);
                return i + 1;
            }
            _ => {
                leaves.push(prefix);
                return i;
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The graph of one crate
// ---------------------------------------------------------------------------

/// One import: from a file to another, first seen at `line` as `written`.
#[derive(Debug, Clone)]
struct Import {
    line: usize,
    written: String,
}

/// A crate's files (relative to its `src/`) and their imports.
#[derive(Debug, Default)]
struct Graph {
    files: BTreeSet<String>,
    edges: BTreeMap<String, BTreeMap<String, Import>>,
}

/// The module path of a file relative to `src/`: `lib.rs` is `[]`,
/// `a/mod.rs` and `a.rs` are `[a]`, `a/b.rs` is `[a, b]`.
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_owned)
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The import graph of a crate given its files' sources (path relative to
/// `src/`, text).
fn graph_of(sources: &BTreeMap<String, String>, aliases: &[&str]) -> Result<Graph, String> {
    let modules: BTreeMap<Vec<String>, String> =
        sources.keys().map(|f| (module_of(f), f.clone())).collect();
    let mut scans = BTreeMap::new();
    let mut test_only: Vec<Vec<String>> = Vec::new();
    for (file, src) in sources {
        let module = module_of(file);
        let scan = scan(src, &module, aliases).map_err(|e| format!("{file}: {e}"))?;
        for name in &scan.test_modules {
            let mut m = module.clone();
            m.push(name.clone());
            test_only.push(m);
        }
        scans.insert(file.clone(), scan);
    }
    let is_test = |file: &str| {
        let m = module_of(file);
        test_only.iter().any(|t| m.starts_with(t))
    };
    let mut graph = Graph::default();
    for (file, scan) in &scans {
        if is_test(file) {
            continue;
        }
        graph.files.insert(file.clone());
        for path in &scan.paths {
            let target = (0..=path.segments.len())
                .rev()
                .find_map(|k| modules.get(&path.segments[..k]))
                .ok_or_else(|| format!("{file}:{}: {} names no file", path.line, path.written))?;
            if target == file || is_test(target) {
                continue;
            }
            graph
                .edges
                .entry(file.clone())
                .or_default()
                .entry(target.clone())
                .or_insert_with(|| Import {
                    line: path.line,
                    written: path.written.clone(),
                });
        }
    }
    Ok(graph)
}

impl Graph {
    fn imports(&self, file: &str) -> impl Iterator<Item = (&String, &Import)> {
        self.edges.get(file).into_iter().flatten()
    }

    /// Every cycle, one per strongly connected component of more than one
    /// file: the component's files, and one cycle through them, as the
    /// files in order (the first repeated at the end).
    fn cycles(&self) -> Vec<(Vec<String>, Vec<String>)> {
        // Tarjan's algorithm, iterative.
        let files: Vec<&String> = self.files.iter().collect();
        let index_of: BTreeMap<&String, usize> =
            files.iter().enumerate().map(|(i, f)| (*f, i)).collect();
        let succ: Vec<Vec<usize>> = files
            .iter()
            .map(|f| {
                self.imports(f)
                    .filter_map(|(to, _)| index_of.get(to).copied())
                    .collect()
            })
            .collect();
        let n = files.len();
        let mut index = vec![usize::MAX; n];
        let mut low = vec![0; n];
        let mut on_stack = vec![false; n];
        let mut stack = Vec::new();
        let mut next = 0;
        let mut components = Vec::new();
        for root in 0..n {
            if index[root] != usize::MAX {
                continue;
            }
            let mut work = vec![(root, 0usize)];
            index[root] = next;
            low[root] = next;
            next += 1;
            stack.push(root);
            on_stack[root] = true;
            while let Some(&mut (v, ref mut k)) = work.last_mut() {
                if let Some(&w) = succ[v].get(*k) {
                    *k += 1;
                    if index[w] == usize::MAX {
                        index[w] = next;
                        low[w] = next;
                        next += 1;
                        stack.push(w);
                        on_stack[w] = true;
                        work.push((w, 0));
                    } else if on_stack[w] {
                        low[v] = low[v].min(index[w]);
                    }
                } else {
                    work.pop();
                    if let Some(&(parent, _)) = work.last() {
                        low[parent] = low[parent].min(low[v]);
                    }
                    if low[v] == index[v] {
                        let mut component = Vec::new();
                        while let Some(w) = stack.pop() {
                            on_stack[w] = false;
                            component.push(w);
                            if w == v {
                                break;
                            }
                        }
                        if component.len() > 1 {
                            components.push(component);
                        }
                    }
                }
            }
        }
        components
            .into_iter()
            .map(|component| {
                let inside: BTreeSet<usize> = component.iter().copied().collect();
                let start = *inside.iter().next().unwrap_or(&0);
                // The shortest way from `start` back to it, inside the
                // component (breadth first).
                let mut came_from: BTreeMap<usize, usize> = BTreeMap::new();
                let mut queue = std::collections::VecDeque::from([start]);
                'search: while let Some(v) = queue.pop_front() {
                    for &w in &succ[v] {
                        if !inside.contains(&w) {
                            continue;
                        }
                        if w == start {
                            came_from.insert(usize::MAX, v);
                            break 'search;
                        }
                        if let std::collections::btree_map::Entry::Vacant(e) = came_from.entry(w) {
                            e.insert(v);
                            queue.push_back(w);
                        }
                    }
                }
                let mut cycle = vec![start];
                let mut v = came_from[&usize::MAX];
                while v != start {
                    cycle.push(v);
                    v = came_from[&v];
                }
                cycle.push(start);
                cycle.reverse();
                let names = |ids: &[usize]| ids.iter().map(|&i| files[i].clone()).collect();
                let mut members: Vec<usize> = inside.into_iter().collect();
                members.sort();
                (names(&members), names(&cycle))
            })
            .collect()
    }

    /// A cycle as `a.rs -> b.rs -> a.rs`, each import with its line.
    fn describe(&self, cycle: &[String]) -> String {
        let mut out = String::new();
        for pair in cycle.windows(2) {
            let import = &self.edges[&pair[0]][&pair[1]];
            let _ = writeln!(
                out,
                "    {} -> {}   ({}:{}: {})",
                pair[0], pair[1], pair[0], import.line, import.written
            );
        }
        out
    }
}

// ---------------------------------------------------------------------------
// The workspace
// ---------------------------------------------------------------------------

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_owned()
}

/// Every `.rs` file under `dir`, relative to it, with its text.
fn sources(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).expect("under the root");
                let rel = rel
                    .iter()
                    .map(|p| p.to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                out.insert(rel, text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn crate_graph(name: &str, aliases: &[&str]) -> Graph {
    let src = workspace().join(name).join("src");
    graph_of(&sources(&src), aliases).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn no_cycle_between_the_files_of_a_crate() {
    let mut report = String::new();
    for (name, aliases) in CRATES {
        let graph = crate_graph(name, aliases);
        for (members, cycle) in graph.cycles() {
            let _ = writeln!(
                report,
                "{name}: files importing each other: {}",
                members.join(", ")
            );
            let _ = writeln!(report, "  one cycle:");
            report.push_str(&graph.describe(&cycle));
        }
    }
    assert!(
        report.is_empty(),
        "import cycles between files (break each by moving what both sides need into a \
         file of its own, or by inverting one import):\n{report}"
    );
}

#[test]
fn the_reactive_core_imports_nothing_of_the_juju_layer() {
    let graph = crate_graph("charm-runtime", &["charm_runtime"]);
    let core = |f: &str| f.starts_with("reactive/");
    let mut problems = Vec::new();
    for file in &graph.files {
        if !core(file) && file != "conditions.rs" {
            continue;
        }
        for (to, import) in graph.imports(file) {
            let allowed = core(to) || (core(file) && to == "conditions.rs");
            if !allowed {
                problems.push(format!(
                    "  {file}:{}: {} (in {to})",
                    import.line, import.written
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the reactive core (charm-runtime/src/reactive/, with conditions.rs) must not import \
         the rest of the crate; move the item into the core, or have the Juju layer provide \
         it through HookLayer or the context's Extensions:\n{}",
        problems.join("\n")
    );
    // Not vacuous: the scan does see the core's own imports.
    assert!(
        graph
            .imports("reactive/run.rs")
            .any(|(to, _)| to == "reactive/context.rs"),
        "reactive/run.rs imports reactive/context.rs, yet the scan did not find it"
    );
    assert!(
        graph
            .imports("reactive/registry.rs")
            .any(|(to, _)| to == "conditions.rs"),
        "reactive/registry.rs imports conditions.rs, yet the scan did not find it"
    );
}

// ---------------------------------------------------------------------------
// The scanner itself
// ---------------------------------------------------------------------------

fn files(list: &[(&str, &str)]) -> BTreeMap<String, String> {
    list.iter()
        .map(|(f, s)| ((*f).to_owned(), (*s).to_owned()))
        .collect()
}

fn targets(graph: &Graph, file: &str) -> Vec<String> {
    graph.imports(file).map(|(to, _)| to.clone()).collect()
}

#[test]
fn scanner_ignores_comments_strings_and_test_code() {
    let src = r####"
//! See crate::b::X.
/// crate::b::X
/* crate::b::X /* nested crate::b::X */ crate::b::X */
const S: &str = "crate::b::X \" crate::b::X";
const R: &str = r#"crate::b::X "# ;
const RR: &str = r##"crate::b::X "# crate::b::X"##;
const B: &[u8] = b"crate::b::X";
const Q: char = '"';
const E: char = '\'';
fn f<'a>(x: &'a str) -> &'a str { x }
#[doc = "crate::b::X"]
struct D;
#[cfg(test)]
mod tests {
    use crate::b::X;
    use super::super::b;
}
#[cfg(test)]
use crate::b::Y;
mod b;
pub mod c;
"####;
    let graph = graph_of(&files(&[("lib.rs", src), ("b.rs", ""), ("c.rs", "")]), &[]).unwrap();
    assert!(targets(&graph, "lib.rs").is_empty(), "{:?}", graph.edges);
}

#[test]
fn scanner_reads_use_trees_expressions_and_super() {
    let graph = graph_of(
        &files(&[
            ("lib.rs", ""),
            (
                "a/mod.rs",
                "pub use inner::Z; mod inner; fn f() { crate::d::run(1); }",
            ),
            (
                "a/inner.rs",
                "use super::super::{b::{self, B}, c::*};\nuse super::Q;",
            ),
            ("b.rs", "pub(crate) fn g() -> crate::Thing { todo!() }"),
            ("c.rs", "mod nested { use super::super::e::E as F; }"),
            (
                "d.rs",
                "fn h() { let _ = crate::a::inner::Z::<u8>::new(); }",
            ),
            ("e.rs", "pub(super) struct E;"),
        ]),
        &[],
    )
    .unwrap();
    assert_eq!(targets(&graph, "a/mod.rs"), ["d.rs"]);
    assert_eq!(targets(&graph, "a/inner.rs"), ["a/mod.rs", "b.rs", "c.rs"]);
    assert_eq!(targets(&graph, "b.rs"), ["lib.rs"]);
    // `super` in an inline module is the file's own module.
    assert_eq!(targets(&graph, "c.rs"), ["e.rs"]);
    assert_eq!(targets(&graph, "d.rs"), ["a/inner.rs"]);
    assert_eq!(targets(&graph, "e.rs"), Vec::<String>::new());
    let import = &graph.edges["a/inner.rs"]["b.rs"];
    assert_eq!(
        (import.line, import.written.as_str()),
        (1, "super::super::b")
    );
}

#[test]
fn an_alias_of_the_crate_is_the_crate() {
    let sources = files(&[
        ("lib.rs", ""),
        ("a.rs", "use charm_runtime::b::B;"),
        ("b.rs", ""),
    ]);
    assert!(targets(&graph_of(&sources, &[]).unwrap(), "a.rs").is_empty());
    assert_eq!(
        targets(&graph_of(&sources, &["charm_runtime"]).unwrap(), "a.rs"),
        ["b.rs"]
    );
}

#[test]
fn a_test_file_is_left_out() {
    let graph = graph_of(
        &files(&[
            ("lib.rs", "#[cfg(test)]\nmod tests;\nmod a;"),
            ("tests.rs", "use crate::a::A;"),
            ("a.rs", "use crate::tests::T;"),
        ]),
        &[],
    )
    .unwrap();
    assert!(!graph.files.contains("tests.rs"));
    assert!(graph.cycles().is_empty());
}

#[test]
fn a_cycle_is_found_and_named() {
    let graph = graph_of(
        &files(&[
            ("lib.rs", "mod a; mod b; mod c; mod d;"),
            ("a.rs", "use crate::b::B;"),
            ("b.rs", "\nuse crate::c::C;\nfn f() { crate::d::g(); }"),
            ("c.rs", "use super::a::A;"),
            ("d.rs", "use crate::a::A;"),
        ]),
        &[],
    )
    .unwrap();
    let cycles = graph.cycles();
    assert_eq!(cycles.len(), 1, "{cycles:?}");
    let (members, cycle) = &cycles[0];
    assert_eq!(members, &["a.rs", "b.rs", "c.rs", "d.rs"]);
    assert_eq!(cycle, &["a.rs", "b.rs", "c.rs", "a.rs"]);
    let text = graph.describe(cycle);
    assert!(
        text.contains("b.rs -> c.rs   (b.rs:2: crate::c::C)"),
        "{text}"
    );
    assert!(
        text.contains("c.rs -> a.rs   (c.rs:1: super::a::A)"),
        "{text}"
    );
    // No cycle once the back edge is gone.
    let graph = graph_of(
        &files(&[
            ("lib.rs", ""),
            ("a.rs", "use crate::b::B;"),
            ("b.rs", "use crate::c::C;"),
            ("c.rs", ""),
        ]),
        &[],
    )
    .unwrap();
    assert!(graph.cycles().is_empty());
}
