//! The kubeconfig `serve` writes: one cluster, user and context named `stsconform`, the
//! CA and bearer token inline, namespace `default`, file mode 0600.

use base64::Engine as _;
use std::io::Write as _;
use std::path::Path;

/// What the kubeconfig points at.
#[derive(Debug, Clone)]
pub struct Kubeconfig {
    /// `https://127.0.0.1:6443`.
    pub server: String,
    /// The CA certificate, PEM (None for plain HTTP).
    pub ca_pem: Option<String>,
    /// The bearer token (None for plain HTTP, where clients send none).
    pub token: Option<String>,
}

fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

impl Kubeconfig {
    /// The YAML text.
    pub fn render(&self) -> String {
        let mut cluster = format!("    server: {}\n", quote(&self.server));
        if let Some(ca) = &self.ca_pem {
            let data = base64::engine::general_purpose::STANDARD.encode(ca);
            cluster.push_str(&format!("    certificate-authority-data: {data}\n"));
        }
        let user = match &self.token {
            Some(token) => format!("    token: {}\n", quote(token)),
            None => "    {}\n".to_owned(),
        };
        format!(
            "apiVersion: v1\nkind: Config\npreferences: {{}}\nclusters:\n- name: stsconform\n  cluster:\n{cluster}users:\n- name: stsconform\n  user:\n{user}contexts:\n- name: stsconform\n  context:\n    cluster: stsconform\n    user: stsconform\n    namespace: default\ncurrent-context: stsconform\n"
        )
    }

    /// Writes the file with mode 0600 (created or replaced), creating its folder.
    ///
    /// # Errors
    /// The I/O error.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
            options.mode(0o600);
            let mut file = options.open(path)?;
            // An existing file keeps its mode on open: tighten it.
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
            file.write_all(self.render().as_bytes())?;
            file.sync_all()
        }
        #[cfg(not(unix))]
        {
            let mut file = options.open(path)?;
            file.write_all(self.render().as_bytes())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_token_and_ca() {
        let k = Kubeconfig {
            server: "https://127.0.0.1:6443".into(),
            ca_pem: Some("PEM".into()),
            token: Some("abc".into()),
        };
        let text = k.render();
        assert!(text.contains("token: \"abc\""));
        assert!(text.contains("certificate-authority-data: UEVN"));
        assert!(text.contains("current-context: stsconform"));
    }
}
