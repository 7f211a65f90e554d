//! The argv of the `secret-*` tools. The content is never in it (it goes
//! in a private file the process backend writes, and the memory backend
//! records the same argv with `<file>` in its place); labels and
//! descriptions are passed as `--flag=value`, and ids after a `--`, so
//! neither is ever taken for a flag.

use crate::backend::{RelationId, SecretId, SecretOptions, SecretRef, SecretRevision};

pub(crate) fn secret_add_args(options: &SecretOptions, file: &str) -> Vec<String> {
    let mut args = vec![format!("--owner={}", options.owner.as_str())];
    args.extend(options.label.iter().map(|l| format!("--label={l}")));
    args.extend(
        options
            .description
            .iter()
            .map(|d| format!("--description={d}")),
    );
    args.push(format!("--file={file}"));
    args
}

pub(crate) fn secret_get_args(secret: &SecretRef, revision: SecretRevision) -> Vec<String> {
    let mut args = vec!["--format=json".to_owned()];
    match revision {
        SecretRevision::Tracked => {}
        SecretRevision::Peek => args.push("--peek".into()),
        SecretRevision::Refresh => args.push("--refresh".into()),
    }
    push_secret(&mut args, secret);
    args
}

pub(crate) fn secret_info_args(secret: &SecretRef) -> Vec<String> {
    let mut args = vec!["--format=json".to_owned()];
    push_secret(&mut args, secret);
    args
}

/// Which secret, last: `-- <id>`, or `--label=<label>`.
fn push_secret(args: &mut Vec<String>, secret: &SecretRef) {
    match secret {
        SecretRef::Id(id) => args.extend(["--".to_owned(), id.to_string()]),
        SecretRef::Label(label) => args.push(format!("--label={label}")),
    }
}

pub(crate) fn secret_set_args(id: &SecretId, file: &str) -> Vec<String> {
    vec![format!("--file={file}"), "--".into(), id.to_string()]
}

/// `secret-grant` and `secret-revoke`.
pub(crate) fn secret_grant_args(
    id: &SecretId,
    relation: &RelationId,
    unit: Option<&str>,
) -> Vec<String> {
    let mut args = vec!["-r".to_owned(), relation.to_string()];
    args.extend(unit.map(|u| format!("--unit={u}")));
    args.extend(["--".to_owned(), id.to_string()]);
    args
}

pub(crate) fn secret_id_args(id: &SecretId) -> Vec<String> {
    vec!["--".into(), id.to_string()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::SecretOwner;

    #[test]
    fn ids_follow_a_double_dash_and_values_are_joined_to_their_flag() {
        let id: SecretId = "secret:cjd1pemj3e0q3u0sp4ag".parse().unwrap();
        let options = SecretOptions {
            label: Some("-x".into()),
            description: Some("db password".into()),
            owner: SecretOwner::Unit,
        };
        assert_eq!(
            secret_add_args(&options, "/tmp/f.yaml"),
            [
                "--owner=unit",
                "--label=-x",
                "--description=db password",
                "--file=/tmp/f.yaml"
            ]
        );
        assert_eq!(
            secret_get_args(&id.clone().into(), SecretRevision::Refresh),
            [
                "--format=json",
                "--refresh",
                "--",
                "secret:cjd1pemj3e0q3u0sp4ag"
            ]
        );
        assert_eq!(
            secret_get_args(&SecretRef::Label("db".into()), SecretRevision::Tracked),
            ["--format=json", "--label=db"]
        );
        assert_eq!(
            secret_grant_args(&id, &RelationId::new("cluster", 2), Some("db/1")),
            [
                "-r",
                "cluster:2",
                "--unit=db/1",
                "--",
                "secret:cjd1pemj3e0q3u0sp4ag"
            ]
        );
        assert_eq!(
            secret_set_args(&id, "/f"),
            ["--file=/f", "--", "secret:cjd1pemj3e0q3u0sp4ag"]
        );
    }
}
