//! The `secret-*` tools (Juju 3 secrets), over the model's secrets.
//!
//! Secrets belong to the model ([`World::secrets`]); the rules (owners,
//! revisions a reader tracks, grants on relations, Juju's errors) are
//! charm-runtime's [`MemorySecrets`]. As in Juju, a hook's secret changes
//! are held in its context and applied only when it succeeds: the first
//! secret tool of a hook takes a working copy of the model's secrets
//! ([`World::hook_secrets`]), which [`World::commit`] makes the model's.
//! `secret-add` answers the new id at once, and the id is taken for good
//! (the model's counter advances even if the hook fails), as Juju makes
//! it with an API call.
//!
//! The content is read from `--file` (a JSON or YAML map, as Juju reads
//! it: `core/secrets` `ReadSecretData`) and
//! from `key=value` arguments; keys follow Juju's rule
//! ([`valid_secret_key`]). A hook that sets a new revision queues
//! `secret-changed` on each unit reading an older one, when it succeeds.
//! `secret-info-get` answers an owner as Juju does. Expiry and rotation
//! are not simulated (the flags are accepted and ignored), so neither are
//! `secret-rotate`, `secret-expired` and `secret-remove`.
//!
//! [`World::secrets`]: crate::world::World::secrets
//! [`World::hook_secrets`]: crate::world::World::hook_secrets
//! [`World::commit`]: crate::world::World::commit

use std::collections::BTreeMap;

use charm_runtime::backend::{
    MemorySecrets, RelationId, SecretAsker, SecretContent, SecretId, SecretOptions, SecretOwner,
    SecretRef, SecretRevision, ToolError, valid_secret_key,
};
use serde_json::json;

use super::flags::*;
use super::{Call, Out};

const FILE: Flag = valued(&["file"]);
const LABEL: Flag = valued(&["label"]);
const DESCRIPTION: Flag = valued(&["description"]);
const OWNER: Flag = valued(&["owner"]);
const EXPIRE: Flag = valued(&["expire"]);
const ROTATE: Flag = valued(&["rotate"]);
const UNIT: Flag = valued(&["unit"]);

/// A failed tool of [`MemorySecrets`], as this tool's failure.
fn fail_of(error: ToolError) -> Fail {
    match error {
        ToolError::Failed { stderr, .. } => {
            failed(stderr.strip_prefix("ERROR ").unwrap_or(&stderr).to_owned())
        }
        other => failed(other.to_string()),
    }
}

impl Call<'_> {
    /// The relations this unit is in, named by its own endpoint.
    fn own_relations(&self) -> Vec<RelationId> {
        let app = self.app();
        let Some(unit) = self.world.model.units.get(&self.unit) else {
            return Vec::new();
        };
        unit.scopes
            .keys()
            .filter_map(|id| {
                let end = self.world.model.relations.get(id)?.end_of(&app)?;
                Some(RelationId::new(end.endpoint.clone(), *id))
            })
            .collect()
    }

    /// Run `f` on this hook's working copy of the model's secrets.
    fn with_secrets<T>(
        &mut self,
        f: impl FnOnce(&mut MemorySecrets, &SecretAsker) -> Result<T, ToolError>,
    ) -> Result<T, Fail> {
        let relations = self.own_relations();
        let leader = self.leader();
        let token = self.active().token.clone();
        let world = &mut *self.world;
        let fresh = world.hook_secrets.as_ref().is_none_or(|(t, _)| *t != token);
        if fresh {
            world.hook_secrets = Some((token, world.secrets.clone()));
        }
        let Some((_, secrets)) = world.hook_secrets.as_mut() else {
            return Err(failed("no secrets for this hook"));
        };
        let asker = SecretAsker {
            unit: &self.unit,
            leader,
            relations: relations.iter().collect(),
        };
        let result = f(secrets, &asker).map_err(fail_of);
        // Juju makes a secret's id with an API call at once: an id is
        // never given twice, even when the hook that got it fails.
        world.secrets.created = world.secrets.created.max(secrets.created);
        result
    }

    /// The content given by `--file` and `key=value` arguments.
    fn content(&self, p: &Parsed, args: &[String]) -> Result<SecretContent, Fail> {
        let mut map = match p.get("file") {
            None => BTreeMap::new(),
            Some(path) => self.settings_file_at(path)?,
        };
        map.extend(key_values(args)?);
        if let Some(key) = map.keys().find(|k| !valid_secret_key(k)) {
            return Err(usage(format!("key {key:?} not valid")));
        }
        SecretContent::from_map(map).map_err(|e| usage(e.to_string()))
    }

    fn secret_id(arg: Option<&String>) -> Result<SecretId, Fail> {
        let arg = arg.ok_or_else(|| usage("missing secret URI"))?;
        arg.parse()
            .map_err(|_| usage(format!("invalid secret URI {arg:?}")))
    }

    /// `secret-add [--owner application|unit] [--label ..] [--description
    /// ..] [--file <yaml>] [key=value ...]`: prints the id.
    pub(super) fn secret_add(&mut self) -> Out {
        let p = parse(
            self.args(),
            &[FILE, LABEL, DESCRIPTION, OWNER, EXPIRE, ROTATE],
        )?;
        let content = self.content(&p, &p.args)?;
        if content.is_empty() {
            return Err(usage("missing secret value or filename"));
        }
        let owner = match p.get("owner").unwrap_or("application") {
            "application" => SecretOwner::Application,
            "unit" => SecretOwner::Unit,
            other => {
                return Err(usage(format!(
                    "secret owner {other:?} not valid: must be application or unit"
                )));
            }
        };
        let options = SecretOptions {
            label: p.get("label").map(str::to_owned),
            description: p.get("description").map(str::to_owned),
            owner,
        };
        let id = self.with_secrets(|s, asker| s.add(asker, &content, &options))?;
        Ok(format!("{id}\n"))
    }

    /// `secret-get [<id>] [--label ..] [--peek|--refresh] [<key>]`.
    pub(super) fn secret_get(&mut self) -> Out {
        let p = parse(
            self.args(),
            &[FORMAT, LABEL, switch(&["peek"]), switch(&["refresh"])],
        )?;
        let format = format_of(&p)?;
        if p.on("peek") && p.on("refresh") {
            return Err(usage("specify one of --peek or --refresh but not both"));
        }
        let revision = if p.on("peek") {
            SecretRevision::Peek
        } else if p.on("refresh") {
            SecretRevision::Refresh
        } else {
            SecretRevision::Tracked
        };
        let (secret, rest) = match (p.args.first(), p.get("label")) {
            (Some(arg), _) if arg.starts_with("secret:") || arg.len() == 20 => {
                (SecretRef::Id(Self::secret_id(Some(arg))?), &p.args[1..])
            }
            (_, Some(label)) => (SecretRef::Label(label.to_owned()), &p.args[..]),
            _ => return Err(usage("require either a secret URI or label")),
        };
        let key = rest.first();
        check_empty(rest.get(1..).unwrap_or_default())?;
        let content = self.with_secrets(|s, asker| s.get(asker, &secret, revision))?;
        match key {
            None => Ok(render(&json!(content.expose()), format)),
            Some(key) => Ok(render(&json!(content.get(key)), format)),
        }
    }

    /// `secret-set <id> [--file <yaml>] [--label ..] [--description ..]
    /// [key=value ...]`: a new revision.
    pub(super) fn secret_set(&mut self) -> Out {
        let p = parse(
            self.args(),
            &[FILE, LABEL, DESCRIPTION, OWNER, EXPIRE, ROTATE],
        )?;
        let id = Self::secret_id(p.args.first())?;
        let content = self.content(&p, &p.args[1..])?;
        let (label, description) = (p.get("label"), p.get("description"));
        self.with_secrets(|s, asker| {
            if !content.is_empty() {
                s.set(asker, &id, &content)?;
            }
            if let Some(secret) = s.secrets.get_mut(&id) {
                if let Some(label) = label {
                    secret.label = Some(label.to_owned());
                }
                if let Some(description) = description {
                    secret.description = Some(description.to_owned());
                }
            }
            Ok(())
        })?;
        Ok(String::new())
    }

    /// `secret-grant <id> -r <relation> [--unit <unit>]` (`grant`) and
    /// `secret-revoke`.
    pub(super) fn secret_grant(&mut self, grant: bool) -> Out {
        let p = parse(self.args(), &[RELATION, UNIT])?;
        let id = Self::secret_id(p.args.first())?;
        check_empty(&p.args[1..])?;
        if p.get("r").is_none() {
            return Err(usage("missing relation"));
        }
        let number = self.relation(&p)?;
        let relation = self
            .own_relations()
            .into_iter()
            .find(|r| r.id == number)
            .ok_or_else(|| usage(format!("relation {number} not found")))?;
        let unit = p.get("unit").map(str::to_owned);
        self.with_secrets(|s, asker| s.grant(asker, &id, &relation, unit.as_deref(), grant))?;
        Ok(String::new())
    }

    /// `secret-remove <id>`.
    pub(super) fn secret_remove(&mut self) -> Out {
        let p = parse(self.args(), &[valued(&["revision"])])?;
        let id = Self::secret_id(p.args.first())?;
        check_empty(&p.args[1..])?;
        self.with_secrets(|s, asker| s.remove(asker, &id))?;
        Ok(String::new())
    }

    /// `secret-ids`: the secrets this unit manages.
    pub(super) fn secret_ids(&mut self) -> Out {
        let p = parse(self.args(), &[FORMAT])?;
        check_empty(&p.args)?;
        let format = format_of(&p)?;
        let ids = self.with_secrets(|s, asker| Ok(s.ids(asker)))?;
        let ids: Vec<String> = ids.iter().map(SecretId::to_string).collect();
        Ok(render(&json!(ids), format))
    }

    /// `secret-info-get (<id> | --label ..)`: the metadata of a secret
    /// this unit owns, keyed by its short id as Juju prints it.
    pub(super) fn secret_info_get(&mut self) -> Out {
        let p = parse(self.args(), &[FORMAT, LABEL])?;
        let format = format_of(&p)?;
        let secret = match (p.args.as_slice(), p.get("label")) {
            ([id], None) => SecretRef::Id(Self::secret_id(Some(id))?),
            ([], Some(label)) => SecretRef::Label(label.to_owned()),
            ([_], Some(_)) => {
                return Err(usage("specify either a secret URI or label but not both"));
            }
            ([], None) => return Err(usage("require either a secret URI or label")),
            _ => return Err(usage("too many arguments")),
        };
        let info = self.with_secrets(|s, asker| s.info(asker, &secret))?;
        Ok(render(&info.to_json(), format))
    }
}
