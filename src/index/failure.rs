//! What went wrong with a request, in plain words: the messages an `unknown` verdict carries. They never hold
//! a URL (the caller adds the redacted one) and so never credentials.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::redirect::{Attempt, Policy};

/// Redirects followed before giving up; a URL seen twice in one chain is a loop and stops at once.
const MAX_REDIRECTS: usize = 10;

/// reqwest's limited policy, plus loop detection so that the message can say "redirect loop".
pub fn redirect_policy() -> Policy {
    Policy::custom(|attempt: Attempt| {
        if attempt.previous().iter().any(|seen| seen == attempt.url()) {
            attempt.error(RedirectError::Loop)
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(RedirectError::TooMany)
        } else {
            attempt.follow()
        }
    })
}

#[derive(Debug, thiserror::Error)]
enum RedirectError {
    #[error(
        "redirect loop: the index sent the request back to a URL it had already redirected from"
    )]
    Loop,
    #[error("more than {MAX_REDIRECTS} redirects")]
    TooMany,
}

/// `server answered 503 Service Unavailable`.
pub fn status(status: StatusCode) -> String {
    format!("server answered {status}")
}

/// The message after the last attempt: `server answered 503 Service Unavailable 4 times`, or, when the
/// attempts failed differently, the last failure and how many attempts there were.
pub fn gave_up(messages: &[String]) -> String {
    match messages {
        [] => "gave up".to_string(),
        [only] => only.clone(),
        [first, .., last] if messages.iter().all(|m| m == first) => {
            format!("{last} {} times", messages.len())
        }
        [.., last] => format!("{last} (gave up after {} attempts)", messages.len()),
    }
}

/// A transport error in a few words.
pub fn describe(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("timed out after {}", seconds(timeout));
    }
    if e.is_redirect() {
        return match find::<RedirectError>(e) {
            Some(why) => why.to_string(),
            None => "too many redirects".to_string(),
        };
    }
    let detail = innermost(e);
    if detail.contains("closed before message completed") {
        return "the server closed the connection without answering".to_string();
    }
    let kind = if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    match detail {
        d if d.is_empty() || d.contains('@') => kind.to_string(),
        d => format!("{kind}: {d}"),
    }
}

/// The connection broke while the body was being read.
pub fn broken_body(e: &reqwest::Error, read: usize) -> String {
    if e.is_timeout() {
        return format!("timed out while reading the answer ({read} bytes in)");
    }
    format!("the connection broke off after {read} bytes of the answer")
}

fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = String::new();
    let mut source = e.source();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    last
}

fn find<'a, T: std::error::Error + 'static>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(found) = s.downcast_ref::<T>() {
            return Some(found);
        }
        source = s.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_failures_are_counted_and_mixed_ones_summarised() {
        let answered = status(StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(answered, "server answered 503 Service Unavailable");
        assert_eq!(
            gave_up(&vec![answered.clone(); 4]),
            "server answered 503 Service Unavailable 4 times"
        );
        let mixed = [answered.clone(), "timed out after 2 s".to_string()];
        assert_eq!(
            gave_up(&mixed),
            "timed out after 2 s (gave up after 2 attempts)"
        );
        assert_eq!(gave_up(std::slice::from_ref(&answered)), answered);
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5 s");
    }
}
