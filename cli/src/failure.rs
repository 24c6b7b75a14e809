//! Why a command did not succeed, and the exit code and one-line message for each reason.
//!
//! | code | meaning |
//! | ---- | ------- |
//! | 0    | success (also: stdout closed early, e.g. piped into `head`) |
//! | 1    | the API answered with an error, or the network failed |
//! | 2    | usage error or invalid input: nothing was sent |
//! | 3    | `audit --fail-on LEVEL` (or `--fail-on-findings`) found an unaccepted finding at or above LEVEL |
//! | 130  | interrupted by Ctrl-C |

use std::io;

use crate::audit::rules::Severity;
use crate::printable::printable;

/// Exit code: API, transport or output error.
pub const EXIT_ERROR: u8 = 1;
/// Exit code: usage error or invalid input.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: `audit --fail-on` found an unaccepted finding at or above its level.
pub const EXIT_FINDINGS: u8 = 3;
/// Exit code: interrupted (128 + SIGINT), as shells report it.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Why a command stopped before succeeding.
#[derive(Debug)]
pub enum Failure {
    /// The command line or the environment is wrong; nothing was sent.
    Usage(String),
    /// The SDK failed: invalid input (exit 2) or an API, transport or decode error (exit 1).
    Api(astro_tokens::Error),
    /// Ctrl-C; `written` tokens had been written to stdout (ndjson/csv stream them).
    Interrupted {
        /// Tokens already written to stdout.
        written: u64,
    },
    /// Writing the output failed.
    Output(io::Error),
    /// Something else went wrong (e.g. the demo's fake API could not start).
    Runtime(String),
    /// `--fail-on LEVEL` and this many unaccepted findings at or above it.
    Findings {
        /// How many.
        count: usize,
        /// The `--fail-on` level.
        level: Severity,
    },
}

impl From<astro_tokens::Error> for Failure {
    fn from(error: astro_tokens::Error) -> Self {
        Self::Api(error)
    }
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        Self::Output(error)
    }
}

impl Failure {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => EXIT_USAGE,
            Self::Api(error) => match error {
                astro_tokens::Error::InvalidInput { .. } | astro_tokens::Error::Config { .. } => {
                    EXIT_USAGE
                }
                _ => EXIT_ERROR,
            },
            Self::Interrupted { .. } => EXIT_INTERRUPTED,
            Self::Output(error) if error.kind() == io::ErrorKind::BrokenPipe => 0,
            Self::Output(_) | Self::Runtime(_) => EXIT_ERROR,
            Self::Findings { .. } => EXIT_FINDINGS,
        }
    }

    /// The one line for stderr, if any (a closed stdout is not worth a message).
    ///
    /// It stays one line whatever the server sent: control characters (newlines, carriage
    /// returns, escape sequences' ESC, ...) in an API error message are shown escaped by
    /// [`printable`], without relying on the library to have done so.
    pub fn message(&self) -> Option<String> {
        self.raw_message()
            .map(|message| printable(&message).into_owned())
    }

    fn raw_message(&self) -> Option<String> {
        match self {
            Self::Usage(message) => Some(format!("error: {message}")),
            Self::Api(error) => Some(format!("error: {}", chain(error))),
            Self::Interrupted { written: 0 } => Some("interrupted: nothing was written".to_owned()),
            Self::Interrupted { written } => Some(format!(
                "interrupted: the output is incomplete ({written} tokens written)"
            )),
            Self::Output(error) if error.kind() == io::ErrorKind::BrokenPipe => None,
            Self::Output(error) => Some(format!("error: cannot write the output: {error}")),
            Self::Runtime(message) => Some(format!("error: {message}")),
            Self::Findings { count, level } => Some(format!(
                "{count} unaccepted finding{} at or above {level} (exit {EXIT_FINDINGS} because \
                 of --fail-on {level})",
                if *count == 1 { "" } else { "s" }
            )),
        }
    }
}

/// The error and every cause under it (`source()`), on one line: `a: b: c`. A cause whose
/// text the line already holds is skipped (reqwest repeats its inner errors).
fn chain(error: &dyn std::error::Error) -> String {
    let mut line = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        next = cause.source();
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_go_through_printable() {
        let message = Failure::Runtime("database\r\non fire\u{1b}[2J".into())
            .message()
            .expect("a message");
        assert_eq!(message, "error: database\\r\\non fire\\u{1b}[2J");
    }

    #[test]
    fn exit_codes_follow_the_documented_table() {
        assert_eq!(Failure::Usage("x".into()).exit_code(), 2);
        assert_eq!(Failure::Interrupted { written: 3 }.exit_code(), 130);
        let findings = Failure::Findings {
            count: 2,
            level: Severity::Medium,
        };
        assert_eq!(findings.exit_code(), 3);
        assert_eq!(
            findings.message().as_deref(),
            Some("2 unaccepted findings at or above medium (exit 3 because of --fail-on medium)")
        );
        assert_eq!(
            Failure::Output(io::Error::from(io::ErrorKind::BrokenPipe)).exit_code(),
            0
        );
        assert_eq!(
            Failure::Output(io::Error::other("disk full")).exit_code(),
            1
        );
        let invalid = "nope".parse::<astro_tokens::Sort>().expect_err("invalid");
        assert_eq!(
            Failure::from(astro_tokens::Error::from(invalid)).exit_code(),
            2
        );
    }

    #[test]
    fn an_api_failure_prints_the_error_and_its_causes_on_one_line() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("client error (Connect)")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let io = std::io::Error::new(io::ErrorKind::ConnectionRefused, "connection\nrefused");
        let line = chain(&Outer(io));
        assert_eq!(line, "client error (Connect): connection\nrefused");
        let message = Failure::Runtime(line).message().expect("a message");
        assert_eq!(
            message,
            "error: client error (Connect): connection\\nrefused"
        );
    }

    #[test]
    fn a_closed_stdout_is_quiet() {
        assert!(
            Failure::Output(io::Error::from(io::ErrorKind::BrokenPipe))
                .message()
                .is_none()
        );
    }
}
