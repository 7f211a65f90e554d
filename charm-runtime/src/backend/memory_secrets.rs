//! Juju secrets in memory, for [`MemoryBackend`](super::MemoryBackend):
//! the model's secrets with their owner, revisions and grants, and the
//! access rules of Juju's `secret-*` tools.
//!
//! - The owner is an application or a unit. A unit-owned secret is
//!   managed (set, granted, removed) by that unit only, an
//!   application-owned one by the application's leader.
//! - The owner's units read it; another unit reads it once it is granted
//!   on a relation the reader is in (to the whole remote side, or to that
//!   unit). Anyone else gets Juju's `permission denied`.
//! - A reader tracks the revision it first read until it reads with
//!   `--refresh`; `--peek` reads the latest without tracking it. The owner
//!   always reads the latest.

use std::collections::{BTreeMap, BTreeSet};

use super::{RelationId, SecretContent, SecretId, SecretOptions, SecretOwner, SecretRef};
use super::{SecretInfo, SecretRevision, ToolError};

/// One secret of the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemorySecret {
    /// Its owner: an application (`db`) or a unit (`db/0`).
    pub owner: String,
    /// The owner's label for it.
    pub label: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// Every revision, the first being revision 1.
    pub revisions: Vec<SecretContent>,
    /// Grants: a relation, and the one remote unit it is for (`None`: the
    /// whole remote side).
    pub grants: BTreeSet<(RelationId, Option<String>)>,
    /// The revision (1-based) each reader tracks.
    pub tracked: BTreeMap<String, usize>,
}

/// The secrets of a model, shared by its units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemorySecrets {
    /// The secrets by id.
    pub secrets: BTreeMap<SecretId, MemorySecret>,
    /// How many were ever created (the next id).
    pub created: u64,
}

/// Who asks: a unit, whether it leads, and the relations it is in.
#[derive(Debug, Clone)]
pub struct SecretAsker<'a> {
    /// The unit (`db/0`).
    pub unit: &'a str,
    /// Whether it is its application's leader.
    pub leader: bool,
    /// The relations it is in, as it names them (its own endpoint).
    pub relations: BTreeSet<&'a RelationId>,
}

impl SecretAsker<'_> {
    fn app(&self) -> &str {
        self.unit.split('/').next().unwrap_or(self.unit)
    }

    fn owns(&self, secret: &MemorySecret) -> bool {
        secret.owner == self.unit || secret.owner == self.app()
    }

    fn manages(&self, secret: &MemorySecret) -> bool {
        secret.owner == self.unit || (secret.owner == self.app() && self.leader)
    }

    fn granted(&self, secret: &MemorySecret) -> bool {
        // A relation has one number; each side names it by its own
        // endpoint.
        secret.grants.iter().any(|(relation, unit)| {
            self.relations.iter().any(|r| r.id == relation.id)
                && unit.as_deref().is_none_or(|u| u == self.unit)
        })
    }
}

fn failed(tool: &str, message: String) -> ToolError {
    ToolError::Failed {
        tool: tool.to_owned(),
        code: Some(1),
        signal: None,
        stderr: format!("ERROR {message}"),
    }
}

impl MemorySecrets {
    fn find(
        &self,
        tool: &str,
        asker: &SecretAsker,
        secret: &SecretRef,
    ) -> Result<SecretId, ToolError> {
        let found = match secret {
            SecretRef::Id(id) => self.secrets.contains_key(id).then(|| id.clone()),
            SecretRef::Label(label) => self
                .secrets
                .iter()
                .find(|(_, s)| asker.owns(s) && s.label.as_deref() == Some(label.as_str()))
                .map(|(id, _)| id.clone()),
        };
        found.ok_or_else(|| failed(tool, format!("secret {secret} not found")))
    }

    fn managed(
        &mut self,
        tool: &str,
        asker: &SecretAsker,
        id: &SecretId,
    ) -> Result<&mut MemorySecret, ToolError> {
        let secret = self
            .secrets
            .get_mut(id)
            .ok_or_else(|| failed(tool, format!("secret {id} not found")))?;
        if !asker.manages(secret) {
            return Err(failed(tool, "permission denied".to_owned()));
        }
        Ok(secret)
    }

    /// `secret-add` by `asker`: the new secret's id.
    pub fn add(
        &mut self,
        asker: &SecretAsker,
        content: &SecretContent,
        options: &SecretOptions,
    ) -> Result<SecretId, ToolError> {
        let tool = "secret-add";
        if content.is_empty() {
            return Err(failed(tool, "missing secret value".to_owned()));
        }
        let owner = match options.owner {
            SecretOwner::Unit => asker.unit.to_owned(),
            SecretOwner::Application if asker.leader => asker.app().to_owned(),
            SecretOwner::Application => {
                return Err(failed(
                    tool,
                    "this unit is not the leader: only the leader can add an application secret"
                        .to_owned(),
                ));
            }
        };
        if let Some(label) = &options.label
            && self
                .secrets
                .values()
                .any(|s| s.owner == owner && s.label.as_ref() == Some(label))
        {
            return Err(failed(
                tool,
                format!("secret with label {label:?} already exists"),
            ));
        }
        self.created += 1;
        let id: SecretId = format!("secret:{:020}", self.created)
            .parse()
            .map_err(|e| failed(tool, format!("{e}")))?;
        self.secrets.insert(
            id.clone(),
            MemorySecret {
                owner,
                label: options.label.clone(),
                description: options.description.clone(),
                revisions: vec![content.clone()],
                grants: BTreeSet::new(),
                tracked: BTreeMap::new(),
            },
        );
        Ok(id)
    }

    /// `secret-get` by `asker`.
    pub fn get(
        &mut self,
        asker: &SecretAsker,
        secret: &SecretRef,
        revision: SecretRevision,
    ) -> Result<SecretContent, ToolError> {
        let tool = "secret-get";
        let id = self.find(tool, asker, secret)?;
        let Some(s) = self.secrets.get_mut(&id) else {
            return Err(failed(tool, format!("secret {id} not found")));
        };
        if !asker.owns(s) && !asker.granted(s) {
            return Err(failed(tool, "permission denied".to_owned()));
        }
        let latest = s.revisions.len();
        let read = if asker.owns(s) {
            latest
        } else {
            match revision {
                SecretRevision::Peek => latest,
                SecretRevision::Refresh => {
                    s.tracked.insert(asker.unit.to_owned(), latest);
                    latest
                }
                SecretRevision::Tracked => {
                    *s.tracked.entry(asker.unit.to_owned()).or_insert(latest)
                }
            }
        };
        s.revisions
            .get(read.saturating_sub(1))
            .cloned()
            .ok_or_else(|| failed(tool, format!("secret {id} has no revision {read}")))
    }

    /// `secret-set` by `asker`: a new revision, unless the content is
    /// the latest's.
    pub fn set(
        &mut self,
        asker: &SecretAsker,
        id: &SecretId,
        content: &SecretContent,
    ) -> Result<(), ToolError> {
        let secret = self.managed("secret-set", asker, id)?;
        if secret.revisions.last() != Some(content) {
            secret.revisions.push(content.clone());
        }
        Ok(())
    }

    /// `secret-grant` (`grant`) or `secret-revoke` by `asker`.
    pub fn grant(
        &mut self,
        asker: &SecretAsker,
        id: &SecretId,
        relation: &RelationId,
        unit: Option<&str>,
        grant: bool,
    ) -> Result<(), ToolError> {
        let tool = if grant {
            "secret-grant"
        } else {
            "secret-revoke"
        };
        if !asker.relations.contains(relation) {
            return Err(failed(
                tool,
                format!("invalid value \"{relation}\" for option -r: relation not found"),
            ));
        }
        let secret = self.managed(tool, asker, id)?;
        let key = (relation.clone(), unit.map(str::to_owned));
        if grant {
            secret.grants.insert(key);
        } else {
            secret.grants.remove(&key);
        }
        Ok(())
    }

    /// `secret-remove` by `asker`.
    pub fn remove(&mut self, asker: &SecretAsker, id: &SecretId) -> Result<(), ToolError> {
        self.managed("secret-remove", asker, id)?;
        self.secrets.remove(id);
        Ok(())
    }

    /// `secret-ids`: the secrets `asker` manages.
    pub fn ids(&self, asker: &SecretAsker) -> Vec<SecretId> {
        self.secrets
            .iter()
            .filter(|(_, s)| asker.manages(s))
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// `secret-info-get` by `asker`: the metadata of a secret it owns.
    /// Expiry and rotation are not modelled: they are `None`.
    pub fn info(&self, asker: &SecretAsker, secret: &SecretRef) -> Result<SecretInfo, ToolError> {
        let tool = "secret-info-get";
        let id = self.find(tool, asker, secret)?;
        let s = self
            .secrets
            .get(&id)
            .ok_or_else(|| failed(tool, format!("secret {id} not found")))?;
        if !asker.owns(s) {
            return Err(failed(tool, "permission denied".to_owned()));
        }
        Ok(SecretInfo {
            id,
            revision: u32::try_from(s.revisions.len()).unwrap_or(u32::MAX),
            owner: if s.owner.contains('/') {
                SecretOwner::Unit
            } else {
                SecretOwner::Application
            },
            label: s.label.clone(),
            description: s.description.clone(),
            expiry: None,
            rotation: None,
            rotates: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asker<'a>(unit: &'a str, leader: bool, relations: &'a [RelationId]) -> SecretAsker<'a> {
        SecretAsker {
            unit,
            leader,
            relations: relations.iter().collect(),
        }
    }

    #[test]
    fn only_grantees_read_and_they_track_a_revision() {
        let peers = [RelationId::new("cluster", 1)];
        let mut store = MemorySecrets::default();
        let owner = asker("db/0", false, &peers);
        let content = SecretContent::with("password", "one-one-one").unwrap();
        let options = SecretOptions {
            owner: SecretOwner::Unit,
            ..SecretOptions::default()
        };
        let id = store.add(&owner, &content, &options).unwrap();
        let peer = asker("db/1", false, &peers);
        let err = store.get(&peer, &id.clone().into(), SecretRevision::Tracked);
        assert_eq!(
            err.unwrap_err().to_string(),
            "hook tool secret-get failed (exit code 1): ERROR permission denied"
        );
        // Only the owner grants.
        assert!(store.grant(&peer, &id, &peers[0], None, true).is_err());
        store.grant(&owner, &id, &peers[0], None, true).unwrap();
        let read = store
            .get(&peer, &id.clone().into(), SecretRevision::Tracked)
            .unwrap();
        assert_eq!(read.get("password"), Some("one-one-one"));
        let two = SecretContent::with("password", "two-two-two").unwrap();
        store.set(&owner, &id, &two).unwrap();
        let tracked = store
            .get(&peer, &id.clone().into(), SecretRevision::Tracked)
            .unwrap();
        assert_eq!(tracked, content);
        assert_eq!(
            store
                .get(&peer, &id.clone().into(), SecretRevision::Peek)
                .unwrap(),
            two
        );
        assert_eq!(
            store
                .get(&peer, &id.clone().into(), SecretRevision::Tracked)
                .unwrap(),
            content
        );
        assert_eq!(
            store
                .get(&peer, &id.clone().into(), SecretRevision::Refresh)
                .unwrap(),
            two
        );
        assert_eq!(
            store
                .get(&peer, &id.clone().into(), SecretRevision::Tracked)
                .unwrap(),
            two
        );
        // Revoked: denied again; the owner by label.
        store.grant(&owner, &id, &peers[0], None, false).unwrap();
        assert!(
            store
                .get(&peer, &id.clone().into(), SecretRevision::Peek)
                .is_err()
        );
        assert_eq!(store.ids(&owner), std::slice::from_ref(&id));
        store.remove(&owner, &id).unwrap();
        assert!(store.get(&owner, &id.into(), SecretRevision::Peek).is_err());
    }

    #[test]
    fn application_secrets_are_the_leaders_to_add_and_every_unit_reads_them() {
        let mut store = MemorySecrets::default();
        let content = SecretContent::with("token", "t0k3n-value").unwrap();
        let options = SecretOptions {
            label: Some("api".into()),
            ..SecretOptions::default()
        };
        assert!(
            store
                .add(&asker("db/1", false, &[]), &content, &options)
                .is_err()
        );
        let id = store
            .add(&asker("db/0", true, &[]), &content, &options)
            .unwrap();
        let by_label = SecretRef::Label("api".into());
        let other = asker("db/1", false, &[]);
        assert_eq!(
            store
                .get(&other, &by_label, SecretRevision::Tracked)
                .unwrap(),
            content
        );
        // Only the leader manages it.
        assert!(store.set(&other, &id, &content).is_err());
        assert!(
            store
                .add(&asker("db/0", true, &[]), &content, &options)
                .is_err(),
            "label taken"
        );
    }
}
