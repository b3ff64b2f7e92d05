//! References to workspace constants inside option values: `{{constants.NAME}}` for a
//! GLOBAL constant, `{{secrets.NAME}}` for a SECRET one, alone or inside a longer
//! string (`https://{{constants.API_HOST}}/v1`), spaces allowed inside the braces.
//! Other `{{...}}` text is left alone. The one parser every rule uses.

/// Which kind of constant a reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Namespace {
    /// `{{constants.NAME}}`: a GLOBAL constant.
    Constants,
    /// `{{secrets.NAME}}`: a SECRET constant.
    Secrets,
}

impl Namespace {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Constants => "constants",
            Self::Secrets => "secrets",
        }
    }

    /// `constants.NAME` or `secrets.NAME`: how references are stored and reported.
    pub fn qualify(self, name: &str) -> String {
        format!("{}.{name}", self.as_str())
    }
}

/// One reference found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference<'a> {
    pub namespace: Namespace,
    pub name: &'a str,
    /// Where `{{` starts and `}}` ends, in bytes.
    pub span: std::ops::Range<usize>,
}

impl Reference<'_> {
    /// `constants.NAME` or `secrets.NAME`: how references are stored and reported.
    pub fn qualified(&self) -> String {
        self.namespace.qualify(self.name)
    }
}

/// Whether `name` is a valid constant name: `[A-Za-z_][A-Za-z0-9_]{0,63}`.
pub fn is_valid_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && name.len() <= 64
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Every reference in `text`, in order. A `{{constants.` or `{{secrets.` that does not
/// close, or names no valid constant name, is an error saying what is wrong.
pub fn parse(text: &str) -> Result<Vec<Reference<'_>>, String> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(open) = text[at..].find("{{").map(|i| at + i) {
        let inner_start = open + 2;
        let Some(close) = text[inner_start..].find("}}").map(|i| inner_start + i) else {
            // An unclosed `{{` is a reference error only when it starts like one.
            let rest = text[inner_start..].trim_start();
            if rest.starts_with("constants.") || rest.starts_with("secrets.") {
                return Err(format!("`{}` is not closed with `}}}}`", &text[open..]));
            }
            break;
        };
        let inner = text[inner_start..close].trim();
        let namespace = match inner.split_once('.') {
            Some(("constants", _)) => Some(Namespace::Constants),
            Some(("secrets", _)) => Some(Namespace::Secrets),
            _ => None,
        };
        if let Some(namespace) = namespace {
            let name = &inner[namespace.as_str().len() + 1..];
            if !is_valid_name(name) {
                return Err(format!(
                    "`{}` does not name a constant: names are letters, digits and `_`, not starting with a digit, at most 64",
                    &text[open..close + 2]
                ));
            }
            found.push(Reference {
                namespace,
                name,
                span: open..close + 2,
            });
        }
        at = close + 2;
    }
    Ok(found)
}

/// `text` with every reference replaced by `value(reference)`; the first reference
/// without a value is returned as the error (qualified).
pub fn substitute(
    text: &str,
    mut value: impl FnMut(&Reference<'_>) -> Option<String>,
) -> Result<String, String> {
    let references = parse(text)?;
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for reference in &references {
        out.push_str(&text[at..reference.span.start]);
        out.push_str(&value(reference).ok_or_else(|| reference.qualified())?);
        at = reference.span.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_found_alone_inside_text_and_with_spaces() {
        let found = parse("https://{{constants.API_HOST}}/v1?k={{ secrets.KEY_1 }}").unwrap();
        let names: Vec<_> = found.iter().map(Reference::qualified).collect();
        assert_eq!(names, ["constants.API_HOST", "secrets.KEY_1"]);
        assert_eq!(parse("{{secrets.PW}}").unwrap()[0].span, 0..14);
        // Other templates and plain braces are text.
        assert!(parse("{{ query.limit }} {{}} {x} }}").unwrap().is_empty());
        assert!(parse("no references").unwrap().is_empty());
        assert!(parse("{{ unclosed").unwrap().is_empty());
    }

    #[test]
    fn malformed_references_are_errors() {
        for bad in [
            "{{constants.}}",
            "{{constants.1ABC}}",
            "{{secrets.a-b}}",
            "{{constants.A.B}}",
            "x {{constants.HOST",
            &format!("{{{{constants.{}}}}}", "A".repeat(65)),
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn substitution_replaces_each_reference_and_names_the_first_missing() {
        let value = |r: &Reference<'_>| match (r.namespace, r.name) {
            (Namespace::Constants, "HOST") => Some("db.example".to_owned()),
            (Namespace::Secrets, "PW") => Some("s3cr3t".to_owned()),
            _ => None,
        };
        assert_eq!(
            substitute(
                "postgres://{{constants.HOST}}:5432/{{ secrets.PW }}!",
                value
            )
            .unwrap(),
            "postgres://db.example:5432/s3cr3t!"
        );
        assert_eq!(
            substitute("{{constants.HOST}} {{constants.PORT}}", value).unwrap_err(),
            "constants.PORT"
        );
        assert_eq!(substitute("plain", value).unwrap(), "plain");
    }

    #[test]
    fn names_follow_the_rule() {
        for good in ["A", "_x", "DB_HOST_2", &"a".repeat(64)] {
            assert!(is_valid_name(good), "{good}");
        }
        for bad in ["", "1A", "a-b", "é", &"a".repeat(65)] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }
}
