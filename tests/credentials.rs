//! Credential providers: static, environment, CLI profile file, INI file, default chain,
//! and redaction.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use yunxiao::credentials::{
    Credentials, CredentialsError, DefaultChain, EnvironmentProvider, ProfileProvider,
    ProvideCredentials, StaticProvider,
};

const SECRET: &str = "sEcReT-value-123";
const TOKEN: &str = "CAIS-token-value-456";

fn env(vars: &[(&str, &str)]) -> HashMap<String, String> {
    vars.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn assert_redacted(what: &str, debug: &str) {
    assert!(!debug.contains(SECRET), "{what} leaks the secret: {debug}");
    assert!(!debug.contains(TOKEN), "{what} leaks the token: {debug}");
}

#[tokio::test]
async fn static_credentials_and_provider_names() {
    let ak = Credentials::new("id1", SECRET);
    assert_eq!(ak.access_key_id(), "id1");
    assert_eq!(ak.access_key_secret(), SECRET);
    assert_eq!(ak.security_token(), None);
    assert_eq!(ak.provider_name(), "static_ak");
    assert_eq!(ak.provide_credentials().await.expect("static"), ak);

    let sts = Credentials::with_security_token("id2", SECRET, TOKEN);
    assert_eq!(sts.security_token(), Some(TOKEN));
    assert_eq!(sts.provider_name(), "static_sts");
    let p = StaticProvider::new(sts.clone());
    assert_eq!(p.provide_credentials().await.expect("static"), sts);
}

#[tokio::test]
async fn env_provider_present() {
    let p = EnvironmentProvider::from_map(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "envid"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET),
    ]));
    let c = p.provide_credentials().await.expect("env creds");
    assert_eq!(c.access_key_id(), "envid");
    assert_eq!(c.access_key_secret(), SECRET);
    assert_eq!(c.security_token(), None);
    assert_eq!(c.provider_name(), "env");

    let p = EnvironmentProvider::from_lookup(|k| match k {
        "ALIBABA_CLOUD_ACCESS_KEY_ID" => Some("envid".into()),
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET" => Some(SECRET.into()),
        "ALIBABA_CLOUD_SECURITY_TOKEN" => Some(TOKEN.into()),
        _ => None,
    });
    let c = p.provide_credentials().await.expect("env sts creds");
    assert_eq!(c.security_token(), Some(TOKEN));
    assert_eq!(c.provider_name(), "env");
}

#[tokio::test]
async fn env_provider_missing_and_partial() {
    let err = EnvironmentProvider::from_map(HashMap::new())
        .provide_credentials()
        .await
        .expect_err("no vars");
    assert!(matches!(
        err,
        CredentialsError::MissingEnvVar("ALIBABA_CLOUD_ACCESS_KEY_ID")
    ));

    let err = EnvironmentProvider::from_map(env(&[("ALIBABA_CLOUD_ACCESS_KEY_ID", "id")]))
        .provide_credentials()
        .await
        .expect_err("no secret");
    assert!(matches!(
        err,
        CredentialsError::MissingEnvVar("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    ));
    assert!(err.to_string().contains("ALIBABA_CLOUD_ACCESS_KEY_SECRET"));

    // Empty counts as unset, like the official library.
    let err = EnvironmentProvider::from_map(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", ""),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET),
    ]))
    .provide_credentials()
    .await
    .expect_err("empty id");
    assert!(matches!(
        err,
        CredentialsError::MissingEnvVar("ALIBABA_CLOUD_ACCESS_KEY_ID")
    ));
    assert_redacted("env error", &format!("{err} {err:?}"));

    // An empty token means plain AK.
    let c = EnvironmentProvider::from_map(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "id"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", ""),
    ]))
    .provide_credentials()
    .await
    .expect("creds");
    assert_eq!(c.security_token(), None);
}

const CONFIG: &str = r#"{
  "current": "work",
  "profiles": [
    {"name": "work", "mode": "AK", "access_key_id": "akid", "access_key_secret": "sEcReT-value-123", "region_id": "cn-hangzhou"},
    {"name": "sts", "mode": "StsToken", "access_key_id": "stsid", "access_key_secret": "sEcReT-value-123", "sts_token": "CAIS-token-value-456"},
    {"name": "role", "mode": "RamRoleArn", "access_key_id": "x", "access_key_secret": "sEcReT-value-123", "ram_role_arn": "acs:ram::1:role/r", "expired_seconds": 600},
    {"name": "sso", "mode": "CloudSSO", "access_token": "CAIS-token-value-456"},
    {"name": "cycle", "mode": "ChainableRamRoleArn", "source_profile": "cycle", "ram_role_arn": "acs:ram::1:role/r"},
    {"name": "nosecret", "mode": "AK", "access_key_id": "x"},
    {"name": "badtype", "mode": "AK", "access_key_id": "x", "access_key_secret": 12345}
  ],
  "meta_path": ""
}"#;

fn write_config(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("config.json");
    std::fs::write(&path, text).expect("write config");
    path
}

#[tokio::test]
async fn profile_file_ak_uses_current() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(dir.path(), CONFIG);
    let c = ProfileProvider::from_file(&path, None)
        .provide_credentials()
        .await
        .expect("current profile");
    assert_eq!(c.access_key_id(), "akid");
    assert_eq!(c.access_key_secret(), SECRET);
    assert_eq!(c.security_token(), None);
    assert_eq!(c.provider_name(), "cli_profile/static_ak");
}

#[tokio::test]
async fn profile_file_sts_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(dir.path(), CONFIG);
    let c = ProfileProvider::from_file(&path, Some("sts".into()))
        .provide_credentials()
        .await
        .expect("sts profile");
    assert_eq!(c.access_key_id(), "stsid");
    assert_eq!(c.security_token(), Some(TOKEN));
    assert_eq!(c.provider_name(), "cli_profile/static_sts");
}

#[tokio::test]
async fn profile_file_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(dir.path(), CONFIG);

    let err = ProfileProvider::from_file(&path, Some("sso".into()))
        .provide_credentials()
        .await
        .expect_err("unsupported");
    match &err {
        CredentialsError::UnsupportedMode {
            profile,
            mode,
            reason,
        } => {
            assert_eq!(profile, "sso");
            assert_eq!(mode, "CloudSSO");
            assert!(reason.contains("interactive browser sign-in"), "{reason}");
        }
        other => panic!("expected UnsupportedMode, got {other:?}"),
    }
    assert!(err.to_string().contains("CloudSSO"), "{err}");
    assert_redacted("unsupported mode", &format!("{err} {err:?}"));

    // A RamRoleArn profile is checked before anything is sent: 600 s is below 900 s.
    let err = ProfileProvider::from_file(&path, Some("role".into()))
        .provide_credentials()
        .await
        .expect_err("duration too short");
    assert!(
        matches!(&err, CredentialsError::Config { provider, reason }
            if provider == "cli_profile/ram_role_arn" && reason.contains("900")),
        "{err:?}"
    );
    assert_redacted("config error", &format!("{err} {err:?}"));

    let err = ProfileProvider::from_file(&path, Some("cycle".into()))
        .provide_credentials()
        .await
        .expect_err("cycle");
    assert!(err.to_string().contains("cycle"), "{err}");

    let err = ProfileProvider::from_file(&path, Some("nope".into()))
        .provide_credentials()
        .await
        .expect_err("missing profile");
    assert!(
        matches!(&err, CredentialsError::ProfileNotFound { profile, .. } if profile == "nope"),
        "{err:?}"
    );

    let err = ProfileProvider::from_file(&path, Some("nosecret".into()))
        .provide_credentials()
        .await
        .expect_err("no secret");
    assert!(
        matches!(
            err,
            CredentialsError::MissingProfileField {
                field: "access_key_secret",
                ..
            }
        ),
        "{err:?}"
    );

    // A non-string secret must not be echoed back.
    let err = ProfileProvider::from_file(&path, Some("badtype".into()))
        .provide_credentials()
        .await
        .expect_err("bad type");
    assert!(!format!("{err} {err:?}").contains("12345"), "{err}");

    let no_current = write_config(dir.path(), r#"{"profiles": []}"#);
    let err = ProfileProvider::from_file(&no_current, None)
        .provide_credentials()
        .await
        .expect_err("no current");
    assert!(
        matches!(err, CredentialsError::NoProfileSelected { .. }),
        "{err:?}"
    );

    let err = ProfileProvider::from_file(dir.path().join("absent.json"), None)
        .provide_credentials()
        .await
        .expect_err("absent file");
    assert!(
        matches!(err, CredentialsError::ReadConfig { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn profile_file_malformed_json_does_not_echo_content() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(
        dir.path(),
        &format!(r#"{{"current": "a", "profiles": [{{"access_key_secret": "{SECRET}" oops"#),
    );
    let err = ProfileProvider::from_file(&path, None)
        .provide_credentials()
        .await
        .expect_err("malformed");
    assert!(
        matches!(err, CredentialsError::ParseConfig { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("line 1"), "{err}");
    assert_redacted("parse error", &format!("{err} {err:?}"));

    let path = write_config(dir.path(), "[1, 2]");
    let err = ProfileProvider::from_file(&path, None)
        .provide_credentials()
        .await
        .expect_err("not an object");
    assert!(
        matches!(err, CredentialsError::ParseConfig { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn profile_from_home_and_env_profile() {
    let home = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(home.path().join(".aliyun")).expect("mkdir");
    write_config(&home.path().join(".aliyun"), CONFIG);
    let home_str = home.path().to_string_lossy().into_owned();

    // ALIBABA_CLOUD_PROFILE beats `current`.
    let h = home_str.clone();
    let p = ProfileProvider::from_lookup(move |k| match k {
        "HOME" => Some(h.clone()),
        "ALIBABA_CLOUD_PROFILE" => Some("sts".into()),
        _ => None,
    });
    assert_eq!(
        p.provide_credentials().await.expect("sts").access_key_id(),
        "stsid"
    );

    // USERPROFILE when HOME is unset; `current` when no profile is named.
    let h = home_str.clone();
    let p = ProfileProvider::from_lookup(move |k| (k == "USERPROFILE").then(|| h.clone()));
    assert_eq!(
        p.provide_credentials()
            .await
            .expect("current")
            .access_key_id(),
        "akid"
    );

    // An explicit profile beats the environment.
    let h = home_str;
    let p = ProfileProvider::from_lookup(move |k| match k {
        "HOME" => Some(h.clone()),
        "ALIBABA_CLOUD_PROFILE" => Some("sts".into()),
        _ => None,
    })
    .with_profile("work");
    assert_eq!(
        p.provide_credentials().await.expect("work").access_key_id(),
        "akid"
    );

    let err = ProfileProvider::from_lookup(|_| None)
        .provide_credentials()
        .await
        .expect_err("no home");
    assert!(matches!(err, CredentialsError::NoHomeDir), "{err:?}");
}

#[tokio::test]
async fn chain_prefers_env_then_profile() {
    let home = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(home.path().join(".aliyun")).expect("mkdir");
    write_config(&home.path().join(".aliyun"), CONFIG);
    let home_str = home.path().to_string_lossy().into_owned();

    // Both available: env wins.
    let h = home_str.clone();
    let chain = DefaultChain::from_lookup(move |k| match k {
        "HOME" => Some(h.clone()),
        "ALIBABA_CLOUD_ACCESS_KEY_ID" => Some("envid".into()),
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET" => Some(SECRET.into()),
        _ => None,
    });
    let c = chain.provide_credentials().await.expect("env");
    assert_eq!(c.access_key_id(), "envid");
    assert_eq!(c.provider_name(), "default/env");

    // Partial env: falls through to the profile.
    let h = home_str;
    let chain = DefaultChain::from_lookup(move |k| match k {
        "HOME" => Some(h.clone()),
        "ALIBABA_CLOUD_ACCESS_KEY_ID" => Some("envid".into()),
        _ => None,
    });
    let c = chain.provide_credentials().await.expect("profile");
    assert_eq!(c.access_key_id(), "akid");
    assert_eq!(c.provider_name(), "default/cli_profile/static_ak");

    // Nothing (and no instance metadata): the error lists what each provider tried.
    let chain = DefaultChain::from_lookup(|k| {
        (k == "ALIBABA_CLOUD_ECS_METADATA_DISABLED").then(|| "TRUE".to_owned())
    });
    assert_eq!(chain.provider_labels(), ["env", "cli_profile", "profile"]);
    let err = chain.provide_credentials().await.expect_err("nothing");
    let msg = err.to_string();
    match &err {
        CredentialsError::ChainExhausted(errors) => {
            assert_eq!(errors.len(), 3);
            assert_eq!(errors[0].0, "env");
            assert!(matches!(errors[0].1, CredentialsError::MissingEnvVar(_)));
            assert_eq!(errors[1].0, "cli_profile");
            assert!(matches!(errors[1].1, CredentialsError::NoHomeDir));
            assert_eq!(errors[2].0, "profile");
            assert!(matches!(errors[2].1, CredentialsError::NoHomeDir));
        }
        other => panic!("expected ChainExhausted, got {other:?}"),
    }
    assert!(
        msg.contains("ALIBABA_CLOUD_ACCESS_KEY_ID") && msg.contains("HOME"),
        "{msg}"
    );
    let env_pos = msg.find("[env]").expect("env listed");
    let prof_pos = msg.find("[cli_profile]").expect("profile listed");
    assert!(env_pos < prof_pos, "order: {msg}");

    // Which providers are in the chain follows the environment.
    let all = DefaultChain::from_lookup(|k| match k {
        "ALIBABA_CLOUD_ROLE_ARN" => Some("acs:ram::1:role/r".into()),
        "ALIBABA_CLOUD_OIDC_PROVIDER_ARN" => Some("acs:ram::1:oidc-provider/p".into()),
        "ALIBABA_CLOUD_OIDC_TOKEN_FILE" => Some("/nonexistent/token".into()),
        "ALIBABA_CLOUD_CREDENTIALS_URI" => Some("http://127.0.0.1:9/creds".into()),
        _ => None,
    });
    assert_eq!(
        all.provider_labels(),
        [
            "env",
            "oidc_role_arn",
            "cli_profile",
            "profile",
            "ecs_ram_role",
            "credential_uri"
        ]
    );

    // A custom chain stops at the first success.
    let chain = DefaultChain::with_providers(vec![
        (
            "first".into(),
            Arc::new(EnvironmentProvider::from_lookup(|_| None)),
        ),
        (
            "second".into(),
            Arc::new(Credentials::with_security_token("x", SECRET, TOKEN)),
        ),
    ]);
    assert_eq!(
        chain
            .provide_credentials()
            .await
            .expect("second")
            .provider_name(),
        "default/static_sts"
    );
}

#[tokio::test]
async fn debug_output_never_contains_secrets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(dir.path(), CONFIG);
    let sts = Credentials::with_security_token("visible-id", SECRET, TOKEN);
    let dbg = format!("{sts:?}");
    assert_redacted("Credentials", &dbg);
    assert!(dbg.contains("visible-id"), "{dbg}");
    assert!(dbg.contains("access_key_secret: \"<redacted>\""), "{dbg}");
    assert_redacted("Credentials {:#?}", &format!("{sts:#?}"));

    let lookup = |k: &str| match k {
        "ALIBABA_CLOUD_ACCESS_KEY_ID" => Some("id".to_owned()),
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET" => Some(SECRET.to_owned()),
        "ALIBABA_CLOUD_SECURITY_TOKEN" => Some(TOKEN.to_owned()),
        _ => None,
    };
    let providers: Vec<(&str, Box<dyn ProvideCredentials>)> = vec![
        ("StaticProvider", Box::new(StaticProvider::new(sts.clone()))),
        (
            "EnvironmentProvider",
            Box::new(EnvironmentProvider::from_lookup(lookup)),
        ),
        (
            "ProfileProvider",
            Box::new(ProfileProvider::from_file(&path, Some("sts".into()))),
        ),
        (
            "DefaultChain",
            Box::new(DefaultChain::from_lookup(move |k| match k {
                "ALIBABA_CLOUD_ECS_METADATA_DISABLED" => Some("true".into()),
                k => lookup(k),
            })),
        ),
    ];
    for (name, p) in &providers {
        assert_redacted(name, &format!("{p:?}"));
        let c = p.provide_credentials().await.expect("creds");
        assert_eq!(c.access_key_secret(), SECRET, "{name}");
        assert_redacted(name, &format!("{c:?}"));
        // Still redacted after resolving (no caching of values into Debug).
        assert_redacted(name, &format!("{p:?}"));
    }
}
