//! Issue 9, item 9: the files providers read. A FIFO (or any non-regular file) in place of
//! the CLI config, the INI file or the OIDC token file is refused at once instead of
//! blocking forever; a secrets file readable by other users is reported once through
//! `tracing`.
#![cfg(unix)]

use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use yunxiao::credentials::{
    CredentialsError, IniProfileProvider, OidcProvider, ProfileProvider, ProvideCredentials,
    ProviderConfig,
};

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Runs `p` on its own thread and waits at most 5 s: a provider blocked in `open()` on a
/// FIFO never returns, and no async timeout can interrupt it.
fn call_with_deadline(p: Box<dyn ProvideCredentials>) -> Result<(), CredentialsError> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let r = rt.block_on(p.provide_credentials()).map(|_| ());
        let _ = tx.send(r);
    });
    rx.recv_timeout(Duration::from_secs(5))
        .expect("the provider returned instead of blocking on the file")
}

fn assert_refused(what: &str, result: Result<(), CredentialsError>, path: &Path) {
    match result {
        Err(CredentialsError::NotARegularFile { path: p }) => assert_eq!(p, path, "{what}"),
        other => panic!("{what}: expected NotARegularFile, got {other:?}"),
    }
}

fn home_with_aliyun(dir: &Path) -> PathBuf {
    let aliyun = dir.join("home/.aliyun");
    std::fs::create_dir_all(&aliyun).expect("mkdir");
    aliyun.join("config.json")
}

#[test]
fn a_fifo_as_the_cli_config_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let config = home_with_aliyun(dir.path());
    mkfifo(&config);
    let home = dir.path().join("home").to_string_lossy().into_owned();
    let p = ProfileProvider::from_lookup(move |k| (k == "HOME").then(|| home.clone()));
    assert_refused("CLI config", call_with_deadline(Box::new(p)), &config);
}

#[test]
fn a_fifo_as_the_ini_file_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let ini = dir.path().join("credentials.ini");
    mkfifo(&ini);
    let path = ini.to_string_lossy().into_owned();
    let p = IniProfileProvider::with_config(
        ProviderConfig::new()
            .with_env(move |k| (k == "ALIBABA_CLOUD_CREDENTIALS_FILE").then(|| path.clone())),
    );
    assert_refused("INI file", call_with_deadline(Box::new(p)), &ini);
}

#[test]
fn a_fifo_as_the_oidc_token_file_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    mkfifo(&token);
    let p = OidcProvider::builder()
        .configure(&ProviderConfig::new().with_env(|_| None))
        .role_arn("acs:ram::1:role/r")
        .oidc_provider_arn("acs:ram::1:oidc-provider/p")
        .token_file(&token)
        // Never reached: the token is read first.
        .sts_endpoint("http://127.0.0.1:9")
        .build()
        .unwrap();
    assert_refused("OIDC token file", call_with_deadline(Box::new(p)), &token);
}

#[test]
fn directories_and_devices_are_refused_and_symlinks_followed() {
    let dir = tempfile::tempdir().unwrap();
    let as_dir = dir.path().join("config.json");
    std::fs::create_dir(&as_dir).unwrap();
    let p = ProfileProvider::from_file(&as_dir, None);
    assert_refused("directory", call_with_deadline(Box::new(p)), &as_dir);

    let dev = PathBuf::from("/dev/zero");
    let p = ProfileProvider::from_file(&dev, None);
    assert_refused("device", call_with_deadline(Box::new(p)), &dev);

    let real = dir.path().join("real.json");
    std::fs::write(
        &real,
        r#"{"current":"a","profiles":[{"name":"a","mode":"AK","access_key_id":"id","access_key_secret":"s"}]}"#,
    )
    .unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    call_with_deadline(Box::new(ProfileProvider::from_file(&link, None)))
        .expect("symlink to a file");
}

/// Collects warning events as text.
#[derive(Clone, Default)]
struct Warnings(Arc<Mutex<String>>);

struct Visitor<'a>(&'a mut String);

impl tracing::field::Visit for Visitor<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl tracing::Subscriber for Warnings {
    fn enabled(&self, m: &tracing::Metadata<'_>) -> bool {
        *m.level() <= tracing::Level::WARN
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut s = self.0.lock().unwrap();
        event.record(&mut Visitor(&mut s));
        s.push('\n');
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn a_secrets_file_readable_by_others_is_reported_once() {
    let warnings = Warnings::default();
    let _guard = tracing::subscriber::set_default(warnings.clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = r#"{"current":"a","profiles":[{"name":"a","mode":"AK","access_key_id":"id","access_key_secret":"s3cr3t-value"}]}"#;
    let shared = dir.path().join("shared.json");
    std::fs::write(&shared, text).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o644)).unwrap();
    let private = dir.path().join("private.json");
    std::fs::write(&private, text).unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
    let ini = dir.path().join("c.ini");
    std::fs::write(
        &ini,
        "[default]\ntype = access_key\naccess_key_id = i\naccess_key_secret = s\n",
    )
    .unwrap();
    std::fs::set_permissions(&ini, std::fs::Permissions::from_mode(0o640)).unwrap();

    rt.block_on(async {
        // Three providers read the shared file: one warning.
        for _ in 0..3 {
            ProfileProvider::from_file(&shared, None)
                .provide_credentials()
                .await
                .expect("readable");
        }
        ProfileProvider::from_file(&private, None)
            .provide_credentials()
            .await
            .expect("readable");
        IniProfileProvider::with_config(ProviderConfig::new().with_env(|_| None))
            .with_file(&ini)
            .provide_credentials()
            .await
            .expect("readable");
    });
    let text = warnings.0.lock().unwrap().clone();
    let shared_str = shared.display().to_string();
    assert_eq!(
        text.matches(shared_str.as_str()).count(),
        1,
        "once:\n{text}"
    );
    assert!(
        text.contains("mode=644") && text.contains("chmod 600"),
        "{text}"
    );
    assert!(
        !text.contains(&private.display().to_string()),
        "0600 is fine:\n{text}"
    );
    assert!(
        text.contains(&ini.display().to_string()) && text.contains("mode=640"),
        "group-readable INI:\n{text}"
    );
    assert!(!text.contains("s3cr3t-value"), "{text}");
}
