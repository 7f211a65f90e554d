//! The template engine, set up as charmhelpers sets up Jinja2 for
//! OpenStack charms (`Environment(loader=...)` with Jinja2's defaults), so
//! that a template renders to the same bytes.

use std::path::PathBuf;

use minijinja::value::{Kwargs, Serde, Value};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, State, UndefinedBehavior};
use serde::Serialize;

use super::error::RenderError;
use super::python_str::{python_str, python_str_or_display};
use super::search::TemplateSearch;

/// Templates found along a [`TemplateSearch`], rendered as Jinja2 renders
/// them with charmhelpers' environment:
///
/// - Jinja2's default whitespace: no `trim_blocks`, no `lstrip_blocks`,
///   the one trailing newline of a template dropped (charmhelpers sets
///   none of these); `{%-`/`-%}` strip as in Jinja2;
/// - no autoescaping, whatever the file's extension (`.json`, `.yaml`,
///   `.html` included);
/// - an undefined value prints as nothing, tests false and iterates as
///   empty; an attribute of it is an error (Jinja2's `Undefined`);
/// - values print as Python's `str()` prints them: `True`, `False`,
///   `None`, lists and dicts as `['a', 1]` and `{'k': 'v'}`; `join` and
///   `string` convert items the same way;
/// - Python's methods on strings, lists and dicts (`.items()`, `.get()`,
///   `.split()`, `.startswith()`).
///
/// Known differences remain outside that: `~` concatenates booleans and
/// `None` as `true`/`none`, floats print as Rust prints them (`1e20`
/// rather than `1e+20`), Python's `%` string formatting is not an operator
/// (the `format` filter is), and maps iterate in key order (Jinja2: in the
/// order the charm built them).
///
/// ```
/// use charm_openstack::render::{TemplateSearch, Templates};
///
/// let dir = std::env::temp_dir().join(format!("templates-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("api.conf"), "debug = {{ options.debug }}\n").unwrap();
/// let templates = Templates::new(TemplateSearch::from_dirs(vec![dir.clone()]));
/// let context = serde_json::json!({"options": {"debug": true}});
/// assert_eq!(templates.render("api.conf", &context).unwrap(), "debug = True");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Debug)]
pub struct Templates {
    search: TemplateSearch,
    env: Environment<'static>,
}

impl Templates {
    /// Templates looked up along `search`.
    pub fn new(search: TemplateSearch) -> Self {
        let mut env = Environment::new();
        let loader_search = search.clone();
        env.set_loader(move |name| match loader_search.find(name) {
            Some(path) => std::fs::read_to_string(&path).map(Some).map_err(|e| {
                Error::new(
                    ErrorKind::InvalidOperation,
                    format!("cannot read {}", path.display()),
                )
                .with_source(e)
            }),
            None => Ok(None),
        });
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_undefined_behavior(UndefinedBehavior::Lenient);
        env.set_formatter(|out, state, value| match python_str(value) {
            Some(text) => out.write_str(&text).map_err(Error::from),
            None => minijinja::escape_formatter(out, state, value),
        });
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_filter("join", join);
        env.add_filter("string", |value: Value| python_str_or_display(&value));
        Self { search, env }
    }

    /// The search path.
    pub fn search(&self) -> &TemplateSearch {
        &self.search
    }

    /// Where the template `name` is, if it is anywhere.
    pub fn find(&self, name: &str) -> Option<PathBuf> {
        self.search.find(name)
    }

    /// Render the template `name` with `context` (its top-level keys are
    /// the template's variables).
    pub fn render<C: Serialize>(&self, name: &str, context: &C) -> Result<String, RenderError> {
        let Some(path) = self.find(name) else {
            return Err(RenderError::NotFound {
                file: PathBuf::from(name),
                names: vec![name.to_owned()],
                tried: self.search.dirs().to_vec(),
            });
        };
        let failed = |source| RenderError::Template {
            template: name.to_owned(),
            path: path.clone(),
            source,
        };
        let template = self.env.get_template(name).map_err(failed)?;
        template.render(Value::from(Serde(context))).map_err(failed)
    }
}

/// Jinja2's `join`: the items as Python's `str()`, with `d` between them;
/// `attribute` takes that attribute (dotted, `a.b`) of each item.
fn join(
    _state: &State,
    value: Value,
    d: Option<String>,
    attribute: Option<String>,
    kwargs: Kwargs,
) -> Result<String, Error> {
    let d = match kwargs.get::<Option<String>>("d")? {
        Some(d) => Some(d),
        None => d,
    };
    let attribute = match kwargs.get::<Option<String>>("attribute")? {
        Some(a) => Some(a),
        None => attribute,
    };
    kwargs.assert_all_used()?;
    if value.is_undefined() || value.is_none() {
        return Ok(String::new());
    }
    if let Some(text) = value.as_str() {
        // A string joins its characters.
        let d = d.unwrap_or_default();
        return Ok(text.chars().map(String::from).collect::<Vec<_>>().join(&d));
    }
    let mut parts = Vec::new();
    for item in value.try_iter()? {
        let item = match &attribute {
            Some(path) => path.split('.').try_fold(item, |v, part| v.get_attr(part))?,
            None => item,
        };
        parts.push(python_str_or_display(&item));
    }
    Ok(parts.join(&d.unwrap_or_default()))
}
