//! What a client sends that must never appear in a message: header values and a password in
//! the URL, even when a server echoes them back (an auth proxy's 401 page that repeats the
//! request's `Authorization` header, say).

use reqwest::Url;
use std::fmt;
use std::sync::Arc;

/// The secrets of one client, longest first.
#[derive(Clone, Default)]
pub struct Secrets(Arc<[String]>);

impl Secrets {
    /// Parts of a value this long or longer are secrets on their own (the token of
    /// `Bearer TOKEN`, echoed without its scheme); shorter parts are words such as `Bearer`.
    const SHORTEST_PART: usize = 8;
    /// What replaces a secret.
    pub const MARK: &'static str = "[redacted]";

    /// The secrets of these values: each whole, and each long part.
    pub fn new<'a>(values: impl IntoIterator<Item = &'a String>) -> Self {
        let mut secrets: Vec<String> = Vec::new();
        for value in values {
            let whole = value.trim();
            secrets.extend((!whole.is_empty()).then(|| whole.to_owned()));
            secrets.extend(
                whole
                    .split_whitespace()
                    .filter(|part| part.len() >= Self::SHORTEST_PART)
                    .map(str::to_owned),
            );
        }
        // Longest first, so a value goes whole before its parts are looked for.
        secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        secrets.dedup();
        Secrets(secrets.into())
    }

    /// These secrets and the credentials of `url`: its password, and the `Basic` token
    /// reqwest sends for its user and password.
    pub fn with_credentials_of(&self, url: &Url) -> Self {
        use base64::Engine;
        let mut all: Vec<String> = self.0.to_vec();
        if let Some(password) = url.password() {
            all.push(password.to_owned());
            let pair = format!("{}:{password}", url.username());
            all.push(base64::engine::general_purpose::STANDARD.encode(pair));
        }
        Secrets::new(all.iter())
    }

    /// `text` with every secret replaced by [`Self::MARK`].
    pub fn redact(&self, text: &str) -> String {
        self.0.iter().fold(text.to_owned(), |text, secret| {
            text.replace(secret.as_str(), Self::MARK)
        })
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secrets({} redacted)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_values_and_long_parts_go() {
        let secrets = Secrets::new(&[" Bearer abcdefgh12 ".to_owned(), "short".to_owned()]);
        assert_eq!(
            secrets.redact("Bearer abcdefgh12 | abcdefgh12 | short | Bearer"),
            "[redacted] | [redacted] | [redacted] | Bearer"
        );
    }

    #[test]
    fn a_url_password_and_its_basic_token_go() {
        let url = Url::parse("http://user:hunter2pass@x/graphql").expect("url");
        let secrets = Secrets::default().with_credentials_of(&url);
        // base64("user:hunter2pass")
        assert_eq!(
            secrets.redact("hunter2pass Basic dXNlcjpodW50ZXIycGFzcw=="),
            "[redacted] Basic [redacted]"
        );
    }
}
