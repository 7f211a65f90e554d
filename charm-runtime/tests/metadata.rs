//! Charm metadata, config schema and actions: both file layouts, every
//! error message, and garbage that must be refused without a panic.

use std::path::{Path, PathBuf};

use charm_runtime::config::{ConfigFlags, ConfigValues, FlagOp};
use charm_runtime::metadata::{
    ActionsSchema, ConfigSchema, EndpointMeta, Metadata, MetadataError, OptionType, Role, Scope,
};
use serde_json::{Value, json};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn meta_err(text: &str) -> String {
    match Metadata::parse(text, "metadata.yaml") {
        Ok(m) => panic!("accepted {text:?}: {m:?}"),
        Err(e) => e.to_string(),
    }
}

fn config_err(text: &str) -> String {
    match ConfigSchema::parse(text, "config.yaml") {
        Ok(c) => panic!("accepted {text:?}: {c:?}"),
        Err(e) => e.to_string(),
    }
}

fn actions_err(text: &str) -> String {
    match ActionsSchema::parse(text, "actions.yaml") {
        Ok(a) => panic!("accepted {text:?}: {a:?}"),
        Err(e) => e.to_string(),
    }
}

// ---------------------------------------------------------------------------
// The classic layout: metadata.yaml, config.yaml, actions.yaml
// ---------------------------------------------------------------------------

#[test]
fn classic_metadata() {
    let meta = Metadata::load(fixture("classic")).unwrap();
    assert_eq!(meta.name, "wordpress");
    assert!(!meta.subordinate);
    assert_eq!(
        meta.relation_names(),
        ["cache", "cluster", "db", "db-replica", "metrics", "website"]
    );
    assert_eq!(
        meta.endpoint("db"),
        Some(&EndpointMeta {
            name: "db".into(),
            role: Role::Requires,
            interface: "mysql".into(),
            scope: Scope::Global,
            limit: Some(1),
            optional: false,
        })
    );
    let cache = meta.endpoint("cache").unwrap();
    assert!(cache.optional);
    assert_eq!(cache.limit, None);
    // The short form.
    assert_eq!(
        meta.role_and_interface("metrics"),
        Some((Role::Provides, "prometheus"))
    );
    assert_eq!(
        meta.role_and_interface("cluster"),
        Some((Role::Peers, "wordpress-peer"))
    );
    assert_eq!(meta.role_and_interface("nope"), None);
    assert_eq!(
        meta.endpoints_for(Role::Requires, "mysql"),
        ["db", "db-replica"]
    );
    assert!(meta.endpoints_for(Role::Provides, "mysql").is_empty());
    assert_eq!(
        meta.extra_bindings.iter().collect::<Vec<_>>(),
        ["internal", "public"]
    );
    let resolve = meta.relation_resolver();
    assert_eq!(resolve("requires", "mysql"), ["db", "db-replica"]);
    assert!(resolve("bogus", "mysql").is_empty());
}

#[test]
fn classic_config() {
    let schema = ConfigSchema::load(fixture("classic")).unwrap();
    assert_eq!(
        schema.names(),
        [
            "debug",
            "file-mode",
            "password",
            "port",
            "ratio",
            "title",
            "untyped",
            "vip",
            "workers"
        ]
    );
    let port = schema.option("port").unwrap();
    assert_eq!(port.kind, OptionType::Int);
    assert_eq!(port.default, Some(json!(80)));
    assert_eq!(port.description, "The port to listen on.");
    assert_eq!(schema.option("vip").unwrap().default, None);
    assert_eq!(
        schema.option("title").unwrap().default,
        Some(json!("My blog"))
    );
    assert_eq!(schema.option("debug").unwrap().default, Some(json!(false)));
    assert_eq!(schema.option("ratio").unwrap().default, Some(json!(0.5)));
    assert_eq!(
        schema.option("file-mode").unwrap().default,
        Some(json!(420))
    );
    assert_eq!(schema.option("workers").unwrap().default, Some(json!(4)));
    let untyped = schema.option("untyped").unwrap();
    assert_eq!(untyped.kind, OptionType::String);
    assert_eq!(untyped.description, "");
    assert_eq!(schema.option("password").unwrap().kind, OptionType::Secret);

    let defaults = ConfigValues::defaults(&schema);
    assert_eq!(defaults.values()["vip"], Value::Null);
    assert_eq!(defaults.check(&schema), []);
}

#[test]
fn classic_actions() {
    let actions = ActionsSchema::load(fixture("classic")).unwrap();
    assert_eq!(actions.names(), ["backup", "pause", "restart"]);
    let backup = actions.action("backup").unwrap();
    assert_eq!(backup.description, "Back up the database.");
    assert_eq!(
        backup.params,
        json!({
            "target": {"type": "string", "description": "Where to write the backup."},
            "compress": {"type": "boolean", "default": true}
        })
    );
    let pause = actions.action("pause").unwrap();
    assert_eq!(pause.description, "");
    assert_eq!(pause.params, json!({}));
}

// ---------------------------------------------------------------------------
// charmcraft.yaml only, and both
// ---------------------------------------------------------------------------

#[test]
fn charmcraft_only() {
    let dir = fixture("charmcraft");
    let meta = Metadata::load(&dir).unwrap();
    assert_eq!(meta.name, "memcached-proxy");
    assert!(meta.subordinate);
    assert_eq!(meta.endpoint("juju-info").unwrap().scope, Scope::Container);
    assert_eq!(
        meta.role_and_interface("backend"),
        Some((Role::Requires, "memcache"))
    );
    assert_eq!(meta.endpoint("proxy").unwrap().limit, Some(10));
    assert_eq!(meta.endpoints_for(Role::Provides, "memcache"), ["proxy"]);

    let schema = ConfigSchema::load(&dir).unwrap();
    assert_eq!(schema.names(), ["listen-port", "verbose"]);
    assert_eq!(
        schema.option("listen-port").unwrap().default,
        Some(json!(11211))
    );
    // Go's ParseBool("true"), as Juju coerces it.
    assert_eq!(schema.option("verbose").unwrap().default, Some(json!(true)));

    let actions = ActionsSchema::load(&dir).unwrap();
    assert_eq!(actions.names(), ["flush", "stats"]);
    assert_eq!(
        actions.action("stats").unwrap().params,
        json!({"reset": {"type": "boolean"}})
    );
}

#[test]
fn metadata_yaml_wins_over_charmcraft_yaml() {
    let dir = fixture("both");
    let meta = Metadata::load(&dir).unwrap();
    assert_eq!(meta.name, "from-metadata-yaml");
    assert_eq!(meta.relation_names(), ["db"]);
    // Each part falls back on its own: no config.yaml or actions.yaml here.
    let schema = ConfigSchema::load(&dir).unwrap();
    assert_eq!(schema.option("mode").unwrap().default, Some(json!("fast")));
    let actions = ActionsSchema::load(&dir).unwrap();
    assert_eq!(actions.names(), ["resync"]);
}

#[test]
fn charmcraft_keys_absent() {
    let text = "name: x\ntype: charm\n";
    assert_eq!(
        ConfigSchema::parse_charmcraft(text, "charmcraft.yaml").unwrap(),
        ConfigSchema::default()
    );
    assert_eq!(
        ActionsSchema::parse_charmcraft(text, "charmcraft.yaml").unwrap(),
        ActionsSchema::default()
    );
    assert_eq!(
        ConfigSchema::parse_charmcraft("config:\n", "charmcraft.yaml").unwrap(),
        ConfigSchema::default()
    );
    assert_eq!(
        ConfigSchema::parse_charmcraft("", "charmcraft.yaml").unwrap(),
        ConfigSchema::default()
    );
}

#[test]
fn charmcraft_errors_name_the_nested_key() {
    let err = ConfigSchema::parse_charmcraft(
        "config:\n  options:\n    port: {type: int, default: x}\n",
        "charmcraft.yaml",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "charmcraft.yaml: config.options.port.default must be an integer (type int), found the string \"x\""
    );
    let err = ConfigSchema::parse_charmcraft("config: [1]\n", "charmcraft.yaml").unwrap_err();
    assert_eq!(
        err.to_string(),
        "charmcraft.yaml: config must be a mapping, found a list"
    );
    let err = ActionsSchema::parse_charmcraft("actions:\n  go: {params: 3}\n", "charmcraft.yaml")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "charmcraft.yaml: actions.go.params must be a mapping of parameter names to their schemas, found the integer 3"
    );
    let err = Metadata::parse("type: charm\nbases: []\n", "charmcraft.yaml").unwrap_err();
    assert_eq!(err.to_string(), "charmcraft.yaml: name is required");
}

// ---------------------------------------------------------------------------
// Missing and unreadable files
// ---------------------------------------------------------------------------

#[test]
fn missing_files() {
    let dir = fixture("no-metadata");
    let err = Metadata::load(&dir).unwrap_err();
    assert!(matches!(err, MetadataError::NotFound { .. }));
    assert_eq!(
        err.to_string(),
        format!(
            "{}: no metadata.yaml (nor charmcraft.yaml) in the charm directory",
            dir.display()
        )
    );
    // No config.yaml and no charmcraft.yaml: no options, no actions.
    assert_eq!(ConfigSchema::load(&dir).unwrap(), ConfigSchema::default());
    assert_eq!(ActionsSchema::load(&dir).unwrap(), ActionsSchema::default());
    // A directory that does not exist at all behaves the same.
    let gone = fixture("does-not-exist");
    assert!(matches!(
        Metadata::load(&gone),
        Err(MetadataError::NotFound { .. })
    ));
    assert_eq!(ConfigSchema::load(&gone).unwrap(), ConfigSchema::default());
}

#[test]
fn unreadable_files() {
    // The "files" are directories: refused as not regular, naming the path.
    let dir = fixture("unreadable");
    let err = Metadata::load(&dir).unwrap_err();
    let path = dir.join("metadata.yaml");
    assert!(
        matches!(&err, MetadataError::NotRegular { path: p, what: "a directory" } if *p == path)
    );
    let text = err.to_string();
    assert_eq!(
        text,
        format!(
            "{}: a directory, not a regular file: a charm file must be a regular file",
            path.display()
        )
    );
    let err = ConfigSchema::load(&dir).unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "{}: a directory",
            dir.join("config.yaml").display()
        )),
        "{err}"
    );
}

#[test]
fn not_utf8() {
    let dir = fixture("bad-utf8");
    let err = Metadata::load(&dir).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: not UTF-8 text (invalid byte at offset 9)",
            dir.join("metadata.yaml").display()
        )
    );
}

#[test]
fn yaml_syntax_errors_carry_file_line_and_column() {
    let dir = fixture("bad-yaml");
    let err = Metadata::load(&dir).unwrap_err();
    let MetadataError::Yaml {
        path, line, column, ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(*path, dir.join("metadata.yaml"));
    assert_eq!((*line, *column), (Some(5), Some(4)));
    assert_eq!(
        err.to_string(),
        format!(
            "{}:5:4: invalid YAML: while parsing a block mapping, did not find expected key",
            path.display()
        )
    );

    assert_eq!(
        meta_err("name: x\nrequires: [db\n"),
        "metadata.yaml:2:11: invalid YAML: unclosed bracket '['"
    );
    assert_eq!(
        meta_err("name: x\nname: y\n"),
        "metadata.yaml:2:1: invalid YAML: duplicate mapping key `name` is not allowed here"
    );
    assert_eq!(
        config_err("options:\n  a: 'unterminated\n"),
        "config.yaml:2:6: invalid YAML: unclosed quote"
    );
    assert!(
        actions_err("--- {}\n--- {}\n").starts_with("actions.yaml:2:"),
        "several documents"
    );
}

// ---------------------------------------------------------------------------
// Bad metadata
// ---------------------------------------------------------------------------

#[test]
fn metadata_wrong_types() {
    let cases = [
        ("", "metadata.yaml: name is required"),
        ("name:\n", "metadata.yaml: name is required"),
        ("name: ''\n", "metadata.yaml: name must not be empty"),
        (
            "name: [a]\n",
            "metadata.yaml: name must be a string, found a list",
        ),
        (
            "name: x\nsubordinate: maybe\n",
            "metadata.yaml: subordinate must be a boolean (true or false), found the string \"maybe\"",
        ),
        (
            "name: x\nrequires:\n  db: {interface: 3}\n",
            "metadata.yaml: requires.db.interface must be a string, found the integer 3",
        ),
        (
            "name: x\nrequires: [db, cache]\n",
            "metadata.yaml: requires must be a mapping, found a list",
        ),
        (
            "name: x\nprovides:\n  web: [http]\n",
            "metadata.yaml: provides.web must be a mapping with an interface, or an interface name, found a list",
        ),
        (
            "name: x\nprovides:\n  web: 80\n",
            "metadata.yaml: provides.web must be a mapping with an interface, or an interface name, found the integer 80",
        ),
        (
            "name: x\npeers:\n  ring: {interface: r, scope: machine}\n",
            "metadata.yaml: peers.ring.scope must be global or container, found \"machine\"",
        ),
        (
            "name: x\nrequires:\n  db: {interface: mysql, limit: -1}\n",
            "metadata.yaml: requires.db.limit must be a non-negative integer, found the integer -1",
        ),
        (
            "name: x\nrequires:\n  db: {interface: mysql, limit: one}\n",
            "metadata.yaml: requires.db.limit must be a non-negative integer, found the string \"one\"",
        ),
        (
            "name: x\nrequires:\n  db: {interface: mysql, optional: 1}\n",
            "metadata.yaml: requires.db.optional must be a boolean (true or false), found the integer 1",
        ),
        (
            "name: x\nextra-bindings: [public]\n",
            "metadata.yaml: extra-bindings must be a mapping, found a list",
        ),
        (
            "name: x\nrequires: {db: mysql}\nextra-bindings: {db: }\n",
            "metadata.yaml: extra-bindings.db has the name of an endpoint; a binding name must differ from every endpoint name",
        ),
        (
            "name: x\nsubordinate: true\nrequires: {db: mysql}\n",
            "metadata.yaml: subordinate is true, but no requires endpoint has scope: container (Juju refuses such a subordinate)",
        ),
        (
            "- name: x\n",
            "metadata.yaml: the document must be a mapping, found a list",
        ),
        (
            "just a string\n",
            "metadata.yaml: the document must be a mapping, found the string \"just a string\"",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(meta_err(text), expected, "for {text:?}");
    }
}

#[test]
fn endpoint_without_interface() {
    for (text, key) in [
        ("name: x\nrequires:\n  db: {limit: 1}\n", "requires.db"),
        ("name: x\nrequires:\n  db:\n", "requires.db"),
        ("name: x\nprovides:\n  web: ''\n", "provides.web"),
        ("name: x\npeers:\n  ring: {interface: ''}\n", "peers.ring"),
        ("name: x\npeers:\n  ring: {interface: null}\n", "peers.ring"),
    ] {
        assert_eq!(
            meta_err(text),
            format!("metadata.yaml: endpoint {key} has no interface"),
            "for {text:?}"
        );
    }
}

#[test]
fn endpoint_declared_twice_across_roles() {
    let err = Metadata::parse(
        "name: x\nprovides:\n  db: mysql\nrequires:\n  db: mysql\n",
        "metadata.yaml",
    )
    .unwrap_err();
    assert!(matches!(
        err,
        MetadataError::DuplicateEndpoint {
            first: Role::Provides,
            second: Role::Requires,
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "metadata.yaml: endpoint \"db\" is declared twice, under provides and under requires"
    );
    assert_eq!(
        meta_err("name: x\nrequires: {ring: a}\npeers: {ring: a}\n"),
        "metadata.yaml: endpoint \"ring\" is declared twice, under requires and under peers"
    );
}

#[test]
fn metadata_lenient_forms() {
    // Empty sections, YAML 1.1 booleans, unknown keys, numeric keys.
    let meta = Metadata::parse(
        "name: x\nsubordinate: no\nprovides:\npeers: {}\nrequires:\n  1: one\nterms: [a]\nassumes: [juju]\n",
        "metadata.yaml",
    )
    .unwrap();
    assert!(!meta.subordinate);
    assert_eq!(meta.relation_names(), ["1"]);
    assert!(meta.extra_bindings.is_empty());
    assert_eq!(Role::parse("requires"), Some(Role::Requires));
    assert_eq!(Role::Peers.to_string(), "peers");
    assert_eq!(Scope::Container.to_string(), "container");
}

// ---------------------------------------------------------------------------
// Bad config.yaml
// ---------------------------------------------------------------------------

#[test]
fn config_defaults_are_checked_against_types() {
    let cases = [
        (
            "options:\n  port: {type: int, default: abc}\n",
            "config.yaml: options.port.default must be an integer (type int), found the string \"abc\"",
        ),
        (
            "options:\n  port: {type: int, default: 1.5}\n",
            "config.yaml: options.port.default must be an integer (type int), found the number 1.5",
        ),
        (
            "options:\n  port: {type: int, default: 18446744073709551615}\n",
            "config.yaml: options.port.default must be a 64-bit signed integer (type int), found the integer 18446744073709551615",
        ),
        (
            "options:\n  ratio: {type: float, default: 1}\n",
            "config.yaml: options.ratio.default must be a float written with a decimal point (type float), found the integer 1",
        ),
        (
            "options:\n  ratio: {type: float, default: '0.5'}\n",
            "config.yaml: options.ratio.default must be a float (type float), found the string \"0.5\"",
        ),
        (
            "options:\n  ratio: {type: float, default: .inf}\n",
            "config.yaml: options.ratio.default must be a float (type float), found the string \".inf\"",
        ),
        (
            "options:\n  name: {type: string, default: 42}\n",
            "config.yaml: options.name.default must be a string (type string), found the integer 42",
        ),
        (
            "options:\n  name: {default: yes}\n",
            "config.yaml: options.name.default must be a string (type string), found the boolean true",
        ),
        (
            "options:\n  debug: {type: boolean, default: maybe}\n",
            "config.yaml: options.debug.default must be a boolean (type boolean), found the string \"maybe\"",
        ),
        (
            "options:\n  debug: {type: boolean, default: 1}\n",
            "config.yaml: options.debug.default must be a boolean (type boolean), found the integer 1",
        ),
        (
            "options:\n  key: {type: secret, default: hunter2}\n",
            "config.yaml: options.key.default must be empty or a secret URI (secret:...) (type secret), found the string \"hunter2\"",
        ),
        (
            "options:\n  port: {type: integer}\n",
            "config.yaml: options.port.type must be one of string, int, float, boolean, secret, found \"integer\"",
        ),
        (
            "options:\n  port: {type: [int]}\n",
            "config.yaml: options.port.type must be a string, found a list",
        ),
        (
            "options:\n  port: {type: int, description: {a: b}}\n",
            "config.yaml: options.port.description must be a string, found a mapping",
        ),
        (
            "options:\n  port: int\n",
            "config.yaml: options.port must be a mapping, found the string \"int\"",
        ),
        (
            "options: [port, vip]\n",
            "config.yaml: options must be a mapping, found a list",
        ),
        (
            "port: {type: int}\n",
            "config.yaml: options is missing (Juju refuses a config.yaml without it; write `options: {}` for no options)",
        ),
        (
            "",
            "config.yaml: options is missing (Juju refuses a config.yaml without it; write `options: {}` for no options)",
        ),
        (
            "[options]\n",
            "config.yaml: the document must be a mapping, found a list",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(config_err(text), expected, "for {text:?}");
    }
}

#[test]
fn config_defaults_coerced_like_juju() {
    let schema = ConfigSchema::parse(
        "options:\n\
         \x20 a: {type: int, default: '0x10'}\n\
         \x20 b: {type: int, default: '-7'}\n\
         \x20 c: {type: boolean, default: 'F'}\n\
         \x20 d: {type: boolean, default: on}\n\
         \x20 e: {type: string, default: ''}\n\
         \x20 f: {type: secret, default: ''}\n\
         \x20 g: {type: secret, default: 'secret:cu2mo7i5'}\n\
         \x20 h: {type: float, default: 1e3}\n\
         \x20 i: {type: int, default: null}\n\
         \x20 j:\n\
         \x20 k: {type: string, default: '42'}\n",
        "config.yaml",
    )
    .unwrap();
    let default = |name: &str| schema.option(name).unwrap().default.clone();
    assert_eq!(default("a"), Some(json!(16)));
    assert_eq!(default("b"), Some(json!(-7)));
    assert_eq!(default("c"), Some(json!(false)));
    assert_eq!(default("d"), Some(json!(true)));
    assert_eq!(default("e"), Some(json!("")));
    assert_eq!(default("f"), Some(json!("")));
    assert_eq!(default("g"), Some(json!("secret:cu2mo7i5")));
    assert_eq!(default("h"), Some(json!(1000.0)));
    assert_eq!(default("i"), None);
    assert_eq!(default("j"), None);
    assert_eq!(schema.option("j").unwrap().kind, OptionType::String);
    assert_eq!(default("k"), Some(json!("42")));
    assert_eq!(
        ConfigSchema::parse("options: {}\n", "config.yaml").unwrap(),
        ConfigSchema::default()
    );
    assert_eq!(
        ConfigSchema::parse("options:\n", "config.yaml").unwrap(),
        ConfigSchema::default()
    );
}

// ---------------------------------------------------------------------------
// Bad actions.yaml
// ---------------------------------------------------------------------------

#[test]
fn actions_wrong_types() {
    let cases = [
        (
            "backup: [a]\n",
            "actions.yaml: backup must be a mapping, found a list",
        ),
        (
            "backup: {description: 3}\n",
            "actions.yaml: backup.description must be a string, found the integer 3",
        ),
        (
            "backup: {params: [a, b]}\n",
            "actions.yaml: backup.params must be a mapping of parameter names to their schemas, found a list",
        ),
        (
            "- backup\n",
            "actions.yaml: the document must be a mapping, found a list",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(actions_err(text), expected, "for {text:?}");
    }
    assert_eq!(
        ActionsSchema::parse("", "actions.yaml").unwrap(),
        ActionsSchema::default()
    );
}

// ---------------------------------------------------------------------------
// Garbage: refused, never a panic
// ---------------------------------------------------------------------------

/// Every parser on `text`; each may fail, none may panic.
fn parse_everything(text: &str) -> usize {
    let mut errors = 0;
    errors += usize::from(Metadata::parse(text, "metadata.yaml").is_err());
    errors += usize::from(ConfigSchema::parse(text, "config.yaml").is_err());
    errors += usize::from(ConfigSchema::parse_charmcraft(text, "charmcraft.yaml").is_err());
    errors += usize::from(ActionsSchema::parse(text, "actions.yaml").is_err());
    errors += usize::from(ActionsSchema::parse_charmcraft(text, "charmcraft.yaml").is_err());
    errors
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_bytes_do_not_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..300 {
        let len = (rng.next() % 400) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        parse_everything(&text);
        // YAML-flavoured noise: structural characters and plausible keys.
        const PIECES: [&str; 24] = [
            "name",
            ": ",
            "\n",
            "  ",
            "- ",
            "[",
            "]",
            "{",
            "}",
            ",",
            "requires",
            "provides",
            "peers",
            "interface",
            "options",
            "type",
            "default",
            "int",
            "&a ",
            "*a",
            "!!str ",
            "'",
            "\"",
            "#",
        ];
        let noise: String = (0..(rng.next() % 60))
            .map(|_| PIECES[(rng.next() % PIECES.len() as u64) as usize])
            .collect();
        parse_everything(&noise);
        let _ = round;
    }
}

#[test]
fn invalid_utf8_file_bytes_are_refused() {
    // Through load: bytes that are not UTF-8 never reach the parser.
    assert!(matches!(
        Metadata::load(fixture("bad-utf8")),
        Err(MetadataError::NotUtf8 { .. })
    ));
}

#[test]
fn deeply_nested_yaml_is_refused() {
    let flow = format!("name: x\nrequires: {}", "[".repeat(100_000));
    assert_eq!(parse_everything(&flow), 5);
    let flow_maps = format!("name: {}", "{a: ".repeat(10_000));
    assert_eq!(parse_everything(&flow_maps), 5);
    let mut block = String::from("name: x\n");
    for depth in 0..500 {
        block.push_str(&"  ".repeat(depth));
        block.push_str("k:\n");
    }
    assert_eq!(parse_everything(&block), 5);
    let err = Metadata::parse(&block, "metadata.yaml").unwrap_err();
    assert!(matches!(err, MetadataError::Yaml { .. }), "{err}");
    assert!(err.to_string().starts_with("metadata.yaml:"), "{err}");

    // Nesting inside what is kept as-is (action params) is bounded too.
    let mut params = String::from("deep:\n  params:\n");
    for depth in 2..200 {
        params.push_str(&"  ".repeat(depth));
        params.push_str("p:\n");
    }
    assert!(ActionsSchema::parse(&params, "actions.yaml").is_err());
}

#[test]
fn alias_bomb_is_refused() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
        ));
    }
    bomb.push_str("name: x\n");
    assert_eq!(parse_everything(&bomb), 5);
}

#[test]
fn lists_where_mappings_are_expected() {
    assert_eq!(parse_everything("- a\n- b\n"), 5);
    assert_eq!(
        meta_err("name: x\npeers:\n  - ring\n"),
        "metadata.yaml: peers must be a mapping, found a list"
    );
    assert_eq!(
        config_err("options:\n  - port\n"),
        "config.yaml: options must be a mapping, found a list"
    );
    assert_eq!(
        ConfigSchema::parse_charmcraft("config:\n  options: [a]\n", "charmcraft.yaml")
            .unwrap_err()
            .to_string(),
        "charmcraft.yaml: config.options must be a mapping, found a list"
    );
    assert_eq!(
        ActionsSchema::parse_charmcraft("actions: [a]\n", "charmcraft.yaml")
            .unwrap_err()
            .to_string(),
        "charmcraft.yaml: actions must be a mapping, found a list"
    );
}

#[test]
fn long_values_are_cut_in_messages() {
    let long = "x".repeat(10_000);
    let text = meta_err(&format!("name: wp\nsubordinate: {long}\n"));
    assert!(text.len() < 200, "{text}");
    assert!(text.ends_with("\"..."), "{text}");
}

// ---------------------------------------------------------------------------
// ConfigValues values against the fixture schema
// ---------------------------------------------------------------------------

#[test]
fn config_values_against_the_classic_schema() {
    let schema = ConfigSchema::load(fixture("classic")).unwrap();
    let config = ConfigValues::from_json(
        r#"{"port": 8080, "vip": null, "title": "My blog", "debug": true, "ratio": 1,
            "file-mode": 420, "workers": 4, "untyped": "anything", "password": null}"#,
    )
    .unwrap();
    assert_eq!(config.check(&schema), []);
    assert_eq!(config.get::<u16>("port").unwrap(), Some(8080));
    assert_eq!(config.get::<f64>("ratio").unwrap(), Some(1.0));
    assert_eq!(config.get::<String>("vip").unwrap(), None);
    assert_eq!(config.get::<String>("no-such-option").unwrap(), None);

    #[derive(serde::Deserialize, Debug)]
    #[serde(rename_all = "kebab-case")]
    #[allow(dead_code)]
    struct Wordpress {
        port: u16,
        vip: Option<String>,
        debug: bool,
        file_mode: u32,
    }
    let typed: Wordpress = config.typed().unwrap();
    assert_eq!(typed.file_mode, 420);

    let bad = ConfigValues::from_json(
        r#"{"port": "eighty", "vip": null, "debug": true, "file-mode": 1}"#,
    )
    .unwrap();
    assert_eq!(
        bad.typed::<Wordpress>().unwrap_err().to_string(),
        r#"config option "port": invalid type: a string of 6 bytes (not shown), expected u16"#
    );
    let bad =
        ConfigValues::from_json(r#"{"port": 70000, "vip": null, "debug": true, "file-mode": 1}"#)
            .unwrap();
    assert_eq!(
        bad.typed::<Wordpress>().unwrap_err().to_string(),
        "config option \"port\": invalid value: integer `70000`, expected u16"
    );

    // The managed flags with the fixture's defaults: port moved off 80.
    let previous = ConfigValues::defaults(&schema).into_values();
    let flags = ConfigFlags::compute(Some(&previous), &config, &schema);
    assert!(
        flags
            .at_start
            .contains(&FlagOp::Set("config.changed.port".into()))
    );
    assert!(
        flags
            .at_start
            .contains(&FlagOp::Clear("config.default.port".into()))
    );
    assert!(
        flags
            .at_start
            .contains(&FlagOp::Set("config.default.title".into()))
    );
    // ratio 1 == 0.5? No; workers 4 == default 4 (coerced from "4").
    assert!(
        flags
            .at_start
            .contains(&FlagOp::Set("config.default.workers".into()))
    );
    assert!(
        !flags
            .at_start
            .contains(&FlagOp::Set("config.changed.workers".into()))
    );
}
