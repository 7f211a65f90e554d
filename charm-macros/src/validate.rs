//! Every compile-time check on a handler. Each error points at what is
//! wrong: the literal, the attribute, the argument or the keyword.
//!
//! Argument types that cannot be extracted and unsupported return types
//! are not checked here: the generated code bounds them by
//! `charm_runtime::Extract` and `charm_runtime::IntoHandlerResult`, whose
//! `#[diagnostic::on_unimplemented]` messages the compiler shows at the
//! type.

use charm_names::flag::{self, FlagNameError};
use charm_names::hook::{self, HookCheck, Named};
use charm_names::{Role, check_action_name, closest};
use syn::{GenericParam, LitStr, Type};

use crate::charm::Charm;
use crate::errors::{Errors, Range};
use crate::model::{Attr, HandlerModel, Kind, Site, Value, Values};
use crate::parse::example;

/// Check `model` (against `charm`'s metadata and actions when they are
/// known), recording every problem in `errors`.
pub fn handler(model: &HandlerModel, charm: &Charm, errors: &mut Errors) {
    signature(model, errors);
    for attr in model.attrs() {
        arguments(model.site, attr, charm, errors);
    }
    combination(model, errors);
}

/// The error for one of our attributes on something else than a function.
pub fn not_a_function(kind: Kind, what: &str) -> syn::Error {
    syn::Error::new(
        proc_macro2::Span::call_site(),
        format!(
            "`#[{}]` can only be put on a handler function, not on {what}",
            kind.name()
        ),
    )
}

// ---- the function ----

fn signature(model: &HandlerModel, errors: &mut Errors) {
    let sig = &model.item.sig;
    if let Some(t) = &sig.asyncness {
        errors.at(
            t.span,
            "a handler cannot be `async`: a hook runs its handlers one after the other, \
             to completion, before the unit state is committed",
        );
    }
    if let Some(t) = &sig.unsafety {
        errors.at(
            t.span,
            "a handler cannot be an `unsafe fn`: the dispatcher calls it without knowing its safety contract",
        );
    }
    for param in &sig.generics.params {
        match param {
            GenericParam::Lifetime(_) => {}
            GenericParam::Type(p) => errors.at(
                Range::of(p, p.ident.span()),
                "a handler cannot be generic: each argument is extracted from the hook by its concrete type",
            ),
            GenericParam::Const(p) => errors.at(
                Range::of(p, p.ident.span()),
                "a handler cannot have const parameters: the dispatcher has no value to give them",
            ),
        }
    }
    if let Some(r) = model.receiver {
        match model.site {
            Site::FreeFn => errors.at(
                r.range,
                "a handler is a free function and cannot take `self`: take what it needs \
                 (`Flags`, `Kv`, `Ctx`, ...) as arguments, or make it a handler of an interface \
                 type by putting `#[interface]` on the impl block",
            ),
            Site::Interface if r.typed => errors.at(
                r.range,
                "an interface handler takes `self`, `&self` or `&mut self`, written without a \
                 type: the dispatcher builds the interface type for the endpoint",
            ),
            Site::Interface => {}
        }
    }
    if let Some(v) = &sig.variadic {
        errors.at(v.dots.spans[0], "a handler cannot be variadic");
    }
    for arg in &model.args {
        if let Type::ImplTrait(t) = &arg.extracted {
            errors.at(
                Range::of(t, t.impl_token.span),
                "`impl Trait` cannot be a handler argument: name the type to extract from the hook",
            );
        }
    }
}

// ---- the literals of each attribute ----

fn arguments(site: Site, attr: &Attr, charm: &Charm, errors: &mut Errors) {
    let values = attr.kind.values();
    if values == Values::Nothing {
        return;
    }
    if attr.empty {
        if values == Values::ActionName {
            errors.at(
                attr.range,
                format!(
                    "`#[action]` needs the action name, e.g. `#[action({})]`",
                    example(attr.kind)
                ),
            );
            return;
        }
        let what = match values {
            Values::Flags => "flag name",
            Values::HookPatterns => "hook pattern",
            _ => "file path",
        };
        errors.at(
            attr.range,
            format!(
                "`#[{0}]` needs at least one {what}, e.g. `#[{0}({1})]`",
                attr.kind.name(),
                example(attr.kind)
            ),
        );
        return;
    }
    // Constants (flag attributes only) are checked by the compiler.
    for lit in attr.values.iter().filter_map(Value::lit) {
        match values {
            Values::Flags => flag(site, attr.kind, lit, charm, errors),
            Values::HookPatterns => hook_pattern(site, lit, charm, errors),
            Values::Paths => {
                if lit.value().is_empty() {
                    errors.at(lit.span(), "empty file path in `#[when_file_changed]`");
                }
            }
            Values::ActionName => action_name(lit, charm, errors),
            Values::Nothing => {}
        }
    }
    if values == Values::ActionName
        && let Some(extra) = attr.values.get(1)
    {
        errors.at(
            Range {
                first: extra.range().first,
                last: attr.values.last().unwrap_or(extra).range().last,
            },
            "`#[action]` takes one action name: a handler serves one action (register one \
             handler per action, calling a common function)",
        );
    }
}

/// Juju's rule for action names, and the charm's actions when known.
fn action_name(lit: &LitStr, charm: &Charm, errors: &mut Errors) {
    let name = lit.value();
    if let Err(e) = check_action_name(&name) {
        errors.at(lit.span(), e);
        return;
    }
    if let Some(actions) = &charm.actions
        && !actions.contains(&name)
    {
        let mut message = format!(
            "the charm's {} declares no action `{name}`",
            charm.actions_file
        );
        match closest(&name, actions) {
            Some(s) => message += &format!(" (did you mean `{s}`?)"),
            None => message += &declared("actions", actions),
        }
        errors.at(lit.span(), message);
    }
}

/// `" (it declares: a, b)"`, or that it declares none.
fn declared(what: &str, names: &[String]) -> String {
    if names.is_empty() {
        format!(" (it declares no {what})")
    } else {
        format!(" (it declares: {})", names.join(", "))
    }
}

/// `name`, a relation name written in a hook pattern or an
/// `endpoint.<name>.*` flag, checked against the charm's metadata.
fn relation_name(name: &str, lit: &LitStr, charm: &Charm, errors: &mut Errors) {
    let Some(relations) = &charm.relations else {
        return;
    };
    if relations.iter().any(|r| r == name) {
        return;
    }
    let mut message = format!("the charm's metadata declares no relation `{name}`");
    match closest(name, relations) {
        Some(s) => message += &format!(" (did you mean `{s}`?)"),
        None => message += &declared("relations", relations),
    }
    errors.at(lit.span(), message);
}

fn endpoint_name_outside_interface(site: Site, lit: &LitStr, what: &str, errors: &mut Errors) {
    match site {
        Site::Interface => {}
        Site::FreeFn => errors.at(
            lit.span(),
            format!(
                "`{{endpoint_name}}` in {what} {:?}: the placeholder is only allowed in handlers \
                 inside an `#[interface]` impl, where it stands for the endpoint's name",
                lit.value()
            ),
        ),
    }
}

fn flag(site: Site, kind: Kind, lit: &LitStr, charm: &Charm, errors: &mut Errors) {
    let name = lit.value();
    let span = lit.span();
    match flag::check_flag_name(&name) {
        Ok(()) => {}
        Err(FlagNameError::Empty) => {
            errors.at(span, format!("empty flag name in `#[{}]`", kind.name()));
            return;
        }
        Err(FlagNameError::Whitespace) => {
            errors.at(
                span,
                format!("flag name {name:?} contains whitespace; flags are single words such as `db.available`"),
            );
            return;
        }
        Err(FlagNameError::Braces(why)) => {
            errors.at(span, format!("unbalanced braces in flag {name:?}: {why}"));
            return;
        }
        Err(FlagNameError::UnknownPlaceholder { placeholder }) => {
            errors.at(
                span,
                format!(
                    "unknown placeholder `{placeholder}` in flag {name:?}: the only placeholder is `{}`",
                    flag::ENDPOINT_NAME
                ),
            );
            return;
        }
    }
    if flag::has_endpoint_name(&name) {
        endpoint_name_outside_interface(site, lit, "flag", errors);
    } else if let Some(endpoint) = flag::endpoint_of_flag(&name) {
        relation_name(endpoint, lit, charm, errors);
    }
}

fn hook_pattern(site: Site, lit: &LitStr, charm: &Charm, errors: &mut Errors) {
    let pattern = lit.value();
    let span = lit.span();
    if pattern.is_empty() {
        errors.at(span, "empty hook pattern in `#[hook]`");
        return;
    }
    if pattern.chars().any(char::is_whitespace) {
        errors.at(
            span,
            format!("hook pattern {pattern:?} contains whitespace"),
        );
        return;
    }
    let groups = match hook::groups(&pattern) {
        Ok(groups) => groups,
        Err(why) => {
            errors.at(
                span,
                format!("unbalanced braces in hook pattern {pattern:?}: {why}"),
            );
            return;
        }
    };
    let mut ok = true;
    for g in groups {
        if g == "endpoint_name" {
            endpoint_name_outside_interface(site, lit, "hook pattern", errors);
            ok &= site == Site::Interface;
        } else if let Some((role, interface)) = hook::relation_group(g) {
            ok &= relation_group(lit, g, role, interface, errors);
        }
    }
    if !ok {
        return;
    }
    // In an interface handler, `{endpoint_name}` stands for a relation name:
    // check the pattern with a name in its place, and show it as written.
    let pattern = flag::expand_endpoint_name(&pattern, ENDPOINT_STANDIN);
    let shown = |s: &str| s.replace(ENDPOINT_STANDIN, flag::ENDPOINT_NAME);
    let alternatives = match hook::expand_alternation(&pattern) {
        Ok(a) => a,
        Err(why) => {
            errors.at(span, format!("hook pattern {:?}: {why}", shown(&pattern)));
            return;
        }
    };
    for checked in alternatives {
        let alt = shown(&checked);
        match hook::check(&checked) {
            HookCheck::Known => {
                if let Some((name, Named::Relation)) = hook::named_after(&checked)
                    && name != ENDPOINT_STANDIN
                    && !hook::is_relation_group(name)
                {
                    relation_name(name, lit, charm, errors);
                }
            }
            HookCheck::Restricted => errors.at(
                span,
                format!(
                    "`{alt}` runs in restricted mode, where `#[hook]` handlers never run \
                     (as in charms.reactive, where `@hook('{alt}')` never fires)"
                ),
            ),
            HookCheck::NeedsName(t) => errors.at(
                span,
                format!(
                    "`{alt}` is not a Juju hook: {what} hooks are named after the {what}, \
                     as in `<{what}>{suffix}`",
                    what = t.named,
                    suffix = t.suffix,
                ),
            ),
            HookCheck::Unknown { suggestion } => {
                let mut message = format!("`{alt}` is not a Juju hook");
                if let Some(s) = suggestion {
                    message += &format!("; did you mean `{}`?", shown(&s));
                } else if alt.contains('{') {
                    message += "; a `{role:interface}` group stands for a relation name, \
                                as in `{requires:mysql}-relation-joined`";
                }
                errors.at(span, message);
            }
        }
    }
}

/// A relation name standing for `{endpoint_name}` while checking a hook
/// pattern of an interface handler.
const ENDPOINT_STANDIN: &str = "endpoint-name-standin";

/// Check the `{role:interface}` group `group` of a hook pattern.
fn relation_group(
    lit: &LitStr,
    group: &str,
    role: &str,
    interface: &str,
    errors: &mut Errors,
) -> bool {
    let mut ok = true;
    if let Err(unknown) = role.parse::<Role>() {
        let mut message = format!(
            "unknown relation role `{role}` in `{{{group}}}`: expected `provides`, `requires` or `peers`"
        );
        if let Some(s) = unknown.suggestion() {
            message += &format!("; did you mean `{s}`?");
        }
        errors.at(lit.span(), message);
        ok = false;
    }
    if interface.is_empty() {
        errors.at(
            lit.span(),
            format!("`{{{group}}}` names no interface: write `{{{role}:interface}}`, e.g. `{{requires:mysql}}`"),
        );
        return false;
    }
    if charm_names::check_interface_name(interface).is_err() {
        errors.at(
            lit.span(),
            format!(
                "`{interface}` in `{{{group}}}` is not an interface name: write `{{{role}:interface}}` \
                 with the interface of the relation, e.g. `{{requires:mysql}}`"
            ),
        );
        ok = false;
    }
    ok
}

// ---- the attributes together ----

/// A flag of a flag condition, with its position in source order.
struct Occurrence<'a> {
    at: (usize, usize),
    kind: Kind,
    lit: &'a LitStr,
}

fn combination(model: &HandlerModel, errors: &mut Errors) {
    if model.conditions.is_empty() {
        if let Some(nu) = model.not_unless.first() {
            errors.at(
                nu.range,
                "`#[not_unless]` is not a condition: it only warns when the handler runs while a \
                 flag is unset; add a condition such as `#[when(...)]` or `#[hook(...)]`",
            );
        }
        return;
    }
    if action(model, errors) {
        return;
    }
    hook_with_flags(model, errors);
    only_once_twice(model, errors);
    contradictions(model, errors);
}

/// `#[action]` given twice, with another condition, or in an interface
/// impl. Returns whether the handler is an action handler.
fn action(model: &HandlerModel, errors: &mut Errors) -> bool {
    let Some(first) = model.conditions.iter().position(|a| a.kind == Kind::Action) else {
        return false;
    };
    let action = &model.conditions[first];
    if model.site == Site::Interface {
        errors.at(
            action.range,
            "`#[action]` cannot be used in an `#[interface]` impl: an action belongs to the \
             charm, not to an endpoint; write it as a free function (it can take a typed \
             endpoint as an argument)",
        );
    }
    for (i, other) in model.conditions.iter().enumerate() {
        if i == first {
            continue;
        }
        if other.kind == Kind::Action {
            if i > first {
                errors.at(
                    other.range,
                    "`#[action]` is given twice: a handler serves one action",
                );
            }
            continue;
        }
        let later = if i > first { other } else { action };
        errors.at(
            later.range,
            format!(
                "an action handler has no other condition, so it cannot also have `#[{}]`: it \
                 runs when Juju runs its action, and only that action's handlers run then",
                other.kind.name()
            ),
        );
    }
    true
}

/// `#[hook]` with a `when*` condition: the phases never overlap.
fn hook_with_flags(model: &HandlerModel, errors: &mut Errors) {
    // Attributes without arguments are reported already.
    let first = |pred: &dyn Fn(Kind) -> bool| {
        model
            .conditions
            .iter()
            .position(|a| pred(a.kind) && !a.values.is_empty())
    };
    if let (Some(h), Some(f)) = (first(&|k| k == Kind::Hook), first(&Kind::is_flag_condition)) {
        let later = &model.conditions[h.max(f)];
        errors.at(
            later.range,
            format!(
                "this handler could never run: `#[hook]` handlers run only in the hook phase and \
                 flag conditions such as `#[{}]` are tested only after it",
                model.conditions[f].kind.name()
            ),
        );
    }
}

fn only_once_twice(model: &HandlerModel, errors: &mut Errors) {
    let onces: Vec<&Attr> = model
        .conditions
        .iter()
        .filter(|a| a.kind == Kind::OnlyOnce)
        .collect();
    for dup in onces.iter().skip(1) {
        errors.at(dup.range, "`#[only_once]` is given twice");
    }
}

/// Flag conditions that rule each other out. Each error points at the
/// second of the two conditions in source order.
fn contradictions(model: &HandlerModel, errors: &mut Errors) {
    let occurrences: Vec<Occurrence<'_>> = model
        .conditions
        .iter()
        .enumerate()
        .filter(|(_, a)| a.kind.is_flag_condition())
        .flat_map(|(i, a)| {
            // Only literals: the names of constants are not known here.
            a.values.iter().enumerate().filter_map(move |(j, v)| {
                Some(Occurrence {
                    at: (i, j),
                    kind: a.kind,
                    lit: v.lit()?,
                })
            })
        })
        .collect();
    // The first occurrence of `flag` required set (`true`) or unset.
    let required = |flag: &str, set: bool| {
        occurrences
            .iter()
            .find(|o| o.kind.each_flag() == Some(set) && o.lit.value() == flag)
    };

    // A flag required both set and unset.
    let mut reported: Vec<String> = Vec::new();
    for o in &occurrences {
        let Some(set) = o.kind.each_flag() else {
            continue;
        };
        let flag = o.lit.value();
        if let Some(other) = required(&flag, !set).filter(|p| p.at < o.at)
            && !reported.contains(&flag)
        {
            errors.at(
                    o.lit.span(),
                    format!(
                        "this handler could never run: flag `{flag}` is required {} by `#[{}]` and {} by `#[{}]`",
                        if set { "set" } else { "unset" },
                        o.kind.name(),
                        if set { "unset" } else { "set" },
                        other.kind.name(),
                    ),
                );
            reported.push(flag);
        }
    }

    // A group every flag of which is ruled out.
    for (i, attr) in model.conditions.iter().enumerate() {
        // What the group needs of one of its flags, and whether flags
        // required set (`true`) or unset rule that out.
        let (needs, ruled_out_by) = match attr.kind {
            Kind::WhenNotAll => ("unset", true),
            Kind::WhenAny => ("set", false),
            _ => continue,
        };
        let (Some(first), Some(last)) = (attr.values.first(), attr.values.last()) else {
            continue;
        };
        let blockers: Option<Vec<&Occurrence<'_>>> = attr
            .values
            .iter()
            .map(|v| {
                let flag = v.lit()?.value();
                if reported.contains(&flag) {
                    None
                } else {
                    required(&flag, ruled_out_by)
                }
            })
            .collect();
        let Some(blockers) = blockers else {
            continue;
        };
        // Point at whichever comes second: the group, or the last flag
        // that rules it out.
        let latest = blockers
            .iter()
            .max_by_key(|o| o.at)
            .expect("the group is not empty");
        let range = if latest.at > (i, attr.values.len() - 1) {
            Range::from(latest.lit.span())
        } else {
            Range {
                first: first.range().first,
                last: last.range().last,
            }
        };
        let mut by: Vec<String> = Vec::new();
        for o in &blockers {
            let name = format!("`#[{}]`", o.kind.name());
            if !by.contains(&name) {
                by.push(name);
            }
        }
        let flags: Vec<String> = attr
            .values
            .iter()
            .filter_map(|v| Some(format!("`{}`", v.lit()?.value())))
            .collect();
        let state = if ruled_out_by { "set" } else { "unset" };
        let message = if flags.len() == 1 {
            format!(
                "this handler could never run: `#[{}]` needs {} {needs}, but {} requires it {state}",
                attr.kind.name(),
                flags[0],
                by.join(" and "),
            )
        } else {
            format!(
                "this handler could never run: `#[{}]` needs one of {} {needs}, but {} {} them all {state}",
                attr.kind.name(),
                flags.join(", "),
                by.join(" and "),
                if by.len() == 1 { "requires" } else { "require" },
            )
        };
        errors.at(range, message);
    }
}
