//! Label selectors: `metav1.LabelSelector` matching and formatting, and the query-string
//! selector language of `?labelSelector=` (apimachinery `labels.Parse`).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::BTreeMap;
use std::fmt;

/// Why a selector could not be built or parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    /// A `matchExpressions` entry used an operator other than In, NotIn, Exists, DoesNotExist.
    #[error("{} is not a valid label selector operator", go_quote(.operator))]
    InvalidOperator {
        /// The operator as given.
        operator: String,
    },
    /// A requirement had a bad key, bad values or the wrong number of values
    /// (apimachinery `labels.NewRequirement`); the message lists every problem.
    #[error("{message}")]
    InvalidRequirement {
        /// The aggregated field errors, as the apiserver prints them.
        message: String,
    },
    /// A query-string selector did not parse (apimachinery `labels.Parse`).
    #[error("unable to parse requirement: {message}")]
    Syntax {
        /// What was found and what was expected.
        message: String,
    },
}

/// A requirement operator of the selector language (apimachinery `selection.Operator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `k=v`
    Equals,
    /// `k==v`
    DoubleEquals,
    /// `k!=v`
    NotEquals,
    /// `k in (a,b)`
    In,
    /// `k notin (a,b)`
    NotIn,
    /// `k`
    Exists,
    /// `!k`
    DoesNotExist,
    /// `k>1` (integer comparison)
    GreaterThan,
    /// `k<1` (integer comparison)
    LessThan,
}

/// One requirement: a key, an operator and (for most operators) values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    key: String,
    operator: Operator,
    values: Vec<String>,
}

impl Requirement {
    /// Builds a requirement, validating it as `labels.NewRequirement` does.
    ///
    /// # Errors
    /// [`SelectorError::InvalidRequirement`] when the key is not a qualified name, a value is
    /// not a valid label value, or the number of values does not fit the operator.
    pub fn new(
        key: &str,
        operator: Operator,
        values: Vec<String>,
    ) -> Result<Requirement, SelectorError> {
        let mut errors: Vec<String> = Vec::new();
        let key_errors = qualified_name_errors(key);
        if !key_errors.is_empty() {
            errors.push(format!(
                "key: Invalid value: {}: {}",
                go_quote(key),
                key_errors.join("; ")
            ));
        }
        match operator {
            Operator::In | Operator::NotIn => {
                if values.is_empty() {
                    errors.push(format!(
                        "values: Invalid value: {}: for 'in', 'notin' operators, values set can't be empty",
                        json_string_list(&values)
                    ));
                }
            }
            Operator::Equals | Operator::DoubleEquals | Operator::NotEquals => {
                if values.len() != 1 {
                    errors.push(format!(
                        "values: Invalid value: {}: exact-match compatibility requires one single value",
                        json_string_list(&values)
                    ));
                }
            }
            Operator::Exists | Operator::DoesNotExist => {
                if !values.is_empty() {
                    errors.push(format!(
                        "values: Invalid value: {}: values set must be empty for exists and does not exist",
                        json_string_list(&values)
                    ));
                }
            }
            Operator::GreaterThan | Operator::LessThan => {
                if values.len() != 1 {
                    errors.push(format!(
                        "values: Invalid value: {}: for 'Gt', 'Lt' operators, exactly one value is required",
                        json_string_list(&values)
                    ));
                }
                for (i, v) in values.iter().enumerate() {
                    if v.parse::<i64>().is_err() {
                        errors.push(format!(
                            "values[{i}]: Invalid value: {}: for 'Gt', 'Lt' operators, the value must be an integer",
                            go_quote(v)
                        ));
                    }
                }
            }
        }
        for (i, v) in values.iter().enumerate() {
            let value_errors = label_value_errors(v);
            if !value_errors.is_empty() {
                errors.push(format!(
                    "values[{i}][{key}]: Invalid value: {}: {}",
                    go_quote(v),
                    value_errors.join("; ")
                ));
            }
        }
        if errors.is_empty() {
            Ok(Requirement {
                key: key.to_string(),
                operator,
                values,
            })
        } else {
            Err(SelectorError::InvalidRequirement {
                message: aggregate(&errors),
            })
        }
    }

    /// The label key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The operator.
    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// The values, as given (empty for Exists / DoesNotExist).
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// Whether `labels` satisfy this requirement (apimachinery `Requirement.Matches`).
    pub fn matches(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        self.matches_value(labels.and_then(|l| l.get(&self.key)).map(String::as_str))
    }

    /// Whether `value`, the value of this requirement's key (None: no such label),
    /// satisfies the requirement.
    pub fn matches_value(&self, value: Option<&str>) -> bool {
        match self.operator {
            Operator::Equals | Operator::DoubleEquals | Operator::In => {
                value.is_some_and(|v| self.values.iter().any(|x| x == v))
            }
            Operator::NotEquals | Operator::NotIn => {
                value.is_none_or(|v| !self.values.iter().any(|x| x == v))
            }
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                let (Some(have), Some(want)) = (
                    value.and_then(|v| v.parse::<i64>().ok()),
                    self.values.first().and_then(|v| v.parse::<i64>().ok()),
                ) else {
                    return false;
                };
                if self.operator == Operator::GreaterThan {
                    have > want
                } else {
                    have < want
                }
            }
        }
    }
}

impl fmt::Display for Requirement {
    /// apimachinery `Requirement.String`: values of set operators are printed sorted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let joined = || {
            let mut v = self.values.clone();
            v.sort();
            v.dedup();
            v.join(",")
        };
        match self.operator {
            Operator::Exists => write!(f, "{}", self.key),
            Operator::DoesNotExist => write!(f, "!{}", self.key),
            Operator::Equals => write!(f, "{}={}", self.key, joined()),
            Operator::DoubleEquals => write!(f, "{}=={}", self.key, joined()),
            Operator::NotEquals => write!(f, "{}!={}", self.key, joined()),
            Operator::GreaterThan => write!(f, "{}>{}", self.key, joined()),
            Operator::LessThan => write!(f, "{}<{}", self.key, joined()),
            Operator::In => write!(f, "{} in ({})", self.key, joined()),
            Operator::NotIn => write!(f, "{} notin ({})", self.key, joined()),
        }
    }
}

/// A parsed selector: the conjunction of its requirements, kept sorted by key as upstream does.
///
/// An empty `LabelQuery` matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LabelQuery {
    requirements: Vec<Requirement>,
}

impl LabelQuery {
    /// The selector that matches everything.
    pub fn everything() -> LabelQuery {
        LabelQuery::default()
    }

    /// Builds a query from requirements, sorting them by key (stable) as `Selector.Add` does.
    pub fn from_requirements(mut requirements: Vec<Requirement>) -> LabelQuery {
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        LabelQuery { requirements }
    }

    /// Parses the query-string selector language: `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
    /// `k notin (a,b)`, `k`, `!k`, `k>1`, `k<1`, comma-separated, whitespace tolerant.
    ///
    /// # Errors
    /// [`SelectorError::Syntax`] with the apiserver's "found '…', expected: …" wording, or
    /// [`SelectorError::InvalidRequirement`] for a bad key or value.
    pub fn parse(s: &str) -> Result<LabelQuery, SelectorError> {
        let tokens = lex(s).map_err(|message| SelectorError::Syntax { message })?;
        let mut parser = Parser { tokens, pos: 0 };
        let requirements = parser.parse()?;
        Ok(LabelQuery::from_requirements(requirements))
    }

    /// The requirements, sorted by key.
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// Whether the query has no requirements (and so matches everything).
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Whether `labels` satisfy every requirement. `None` behaves as no labels.
    pub fn matches(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// Whether labels read through `label` (a key's value) satisfy every requirement.
    pub fn matches_with<'a>(&self, label: impl Fn(&str) -> Option<&'a str>) -> bool {
        self.requirements
            .iter()
            .all(|r| r.matches_value(label(&r.key)))
    }
}

impl fmt::Display for LabelQuery {
    /// apimachinery `Selector.String`: requirements joined by `,`; "" for everything.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

/// Converts a `metav1.LabelSelector` to a query, as `metav1.LabelSelectorAsSelector`.
///
/// A selector with neither `matchLabels` nor `matchExpressions` (or both empty) matches
/// everything.
///
/// # Errors
/// [`SelectorError::InvalidOperator`] for an unknown operator, and
/// [`SelectorError::InvalidRequirement`] for bad keys or values.
pub fn label_query_from_selector(selector: &LabelSelector) -> Result<LabelQuery, SelectorError> {
    let mut requirements = Vec::new();
    for (k, v) in selector.match_labels.iter().flatten() {
        requirements.push(Requirement::new(k, Operator::Equals, vec![v.clone()])?);
    }
    for expr in selector.match_expressions.iter().flatten() {
        let operator = match expr.operator.as_str() {
            "In" => Operator::In,
            "NotIn" => Operator::NotIn,
            "Exists" => Operator::Exists,
            "DoesNotExist" => Operator::DoesNotExist,
            other => {
                return Err(SelectorError::InvalidOperator {
                    operator: other.to_string(),
                });
            }
        };
        requirements.push(Requirement::new(
            &expr.key,
            operator,
            expr.values.clone().unwrap_or_default(),
        )?);
    }
    Ok(LabelQuery::from_requirements(requirements))
}

/// Whether `labels` match `selector` with `LabelSelectorAsSelector` semantics: the empty
/// selector `{}` matches everything; `None` labels behave as no labels.
///
/// # Errors
/// As [`label_query_from_selector`]: an invalid operator, key or value.
pub fn selector_matches(
    selector: &LabelSelector,
    labels: Option<&BTreeMap<String, String>>,
) -> Result<bool, SelectorError> {
    Ok(label_query_from_selector(selector)?.matches(labels))
}

/// The selector's string form as `LabelSelectorAsSelector(s).String()` — what
/// `scaleFromStatefulSet` puts in `Scale.status.selector` (e.g. `app=nginx`; "" for `{}`).
///
/// # Errors
/// As [`label_query_from_selector`].
pub fn selector_string(selector: &LabelSelector) -> Result<String, SelectorError> {
    Ok(label_query_from_selector(selector)?.to_string())
}

/// `metav1.FormatLabelSelector`: the string form, `<none>` when it is empty, `<error>` when
/// the selector is invalid.
pub fn format_label_selector(selector: &LabelSelector) -> String {
    match label_query_from_selector(selector) {
        Err(_) => "<error>".to_string(),
        Ok(q) if q.is_empty() => "<none>".to_string(),
        Ok(q) => q.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Syntax checks shared with validation (apimachinery util/validation).

const QUALIFIED_NAME_ERR_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_VALUE_ERR_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const DNS1123_LABEL_ERR_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_ERR_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT: &str =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

/// apimachinery `RegexError`: the message, examples and the regex.
pub(crate) fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{fmt}')");
    }
    let mut out = format!("{msg} (e.g. ");
    for (i, e) in examples.iter().enumerate() {
        if i > 0 {
            out.push_str(" or ");
        }
        out.push('\'');
        out.push_str(e);
        out.push_str("', ");
    }
    out.push_str("regex used for validation is '");
    out.push_str(fmt);
    out.push_str("')");
    out
}

/// apimachinery `MaxLenError`.
pub(crate) fn max_len_error(n: usize) -> String {
    format!("must be no more than {n} characters")
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
fn matches_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) => {
            is_alnum(f)
                && is_alnum(l)
                && b.iter()
                    .all(|&c| is_alnum(c) || matches!(c, b'-' | b'_' | b'.'))
        }
        _ => false,
    }
}

fn is_dns_label_char(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
fn matches_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) => {
            is_dns_label_char(f)
                && is_dns_label_char(l)
                && b.iter().all(|&c| is_dns_label_char(c) || c == b'-')
        }
        _ => false,
    }
}

fn matches_dns1123_subdomain(s: &str) -> bool {
    s.split('.').all(matches_dns1123_label)
}

/// apimachinery `IsQualifiedName`: the error messages, empty when valid.
pub(crate) fn qualified_name_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                for msg in dns1123_subdomain_errors(prefix) {
                    errs.push(format!("prefix part {msg}"));
                }
            }
            *name
        }
        _ => {
            errs.push(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(QUALIFIED_NAME_ERR_MSG, QUALIFIED_NAME_FMT, &["MyName", "my.name", "123-abc"])
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        errs.push(format!("name part {}", max_len_error(63)));
    }
    if !matches_qualified_name_part(name) {
        errs.push(format!(
            "name part {}",
            regex_error(
                QUALIFIED_NAME_ERR_MSG,
                QUALIFIED_NAME_FMT,
                &["MyName", "my.name", "123-abc"]
            )
        ));
    }
    errs
}

/// apimachinery `IsValidLabelValue`.
pub(crate) fn label_value_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !value.is_empty() && !matches_qualified_name_part(value) {
        errs.push(regex_error(
            LABEL_VALUE_ERR_MSG,
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// apimachinery `IsDNS1123Label`.
pub(crate) fn dns1123_label_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !matches_dns1123_label(value) {
        if matches_dns1123_subdomain(value) {
            errs.push("must not contain dots".to_string());
        } else {
            errs.push(regex_error(
                DNS1123_LABEL_ERR_MSG,
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errs
}

/// apimachinery `IsDNS1123Subdomain`.
pub(crate) fn dns1123_subdomain_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 253 {
        errs.push(max_len_error(253));
    }
    if !matches_dns1123_subdomain(value) {
        errs.push(regex_error(
            DNS1123_SUBDOMAIN_ERR_MSG,
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// Go's `strconv.Quote` (`%q`) for a string: printable characters kept, controls escaped.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A string list rendered as Go's `json.Marshal` would (`null` for an empty list, as a nil
/// Go slice prints).
fn json_string_list(values: &[String]) -> String {
    if values.is_empty() {
        return "null".to_string();
    }
    serde_json::to_string(values).unwrap_or_else(|_| "null".to_string())
}

/// `utilerrors.Aggregate.Error()`: one message alone, several as `[a, b]`, duplicates dropped.
pub(crate) fn aggregate(messages: &[String]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for m in messages {
        if !seen.contains(&m.as_str()) {
            seen.push(m);
        }
    }
    match seen.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        many => format!("[{}]", many.join(", ")),
    }
}

// ---------------------------------------------------------------------------------------------
// Query-string lexer and parser, after apimachinery labels/selector.go.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Identifier,
    DoesNotExist,
    Equals,
    DoubleEquals,
    NotEquals,
    GreaterThan,
    LessThan,
    In,
    NotIn,
    OpenPar,
    ClosedPar,
    Comma,
    End,
}

fn is_special(c: char) -> bool {
    matches!(c, '=' | '!' | '(' | ')' | ',' | '>' | '<')
}

fn special_token(s: &str) -> Option<Tok> {
    Some(match s {
        "!" => Tok::DoesNotExist,
        "!=" => Tok::NotEquals,
        "(" => Tok::OpenPar,
        ")" => Tok::ClosedPar,
        "," => Tok::Comma,
        "=" => Tok::Equals,
        "==" => Tok::DoubleEquals,
        ">" => Tok::GreaterThan,
        "<" => Tok::LessThan,
        _ => return None,
    })
}

fn lex(s: &str) -> Result<Vec<(Tok, String)>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if is_special(c) {
            // Longest run of special characters that is still a known token.
            let mut buf = String::new();
            let mut tok = None;
            while i < chars.len() && is_special(chars[i]) {
                let mut next = buf.clone();
                next.push(chars[i]);
                match special_token(&next) {
                    Some(t) => {
                        buf = next;
                        tok = Some(t);
                        i += 1;
                    }
                    None => break,
                }
            }
            match tok {
                Some(t) => out.push((t, buf)),
                None => return Err(format!("error expected: keyword found '{c}'")),
            }
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && !is_special(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let tok = match word.as_str() {
                "in" => Tok::In,
                "notin" => Tok::NotIn,
                _ => Tok::Identifier,
            };
            out.push((tok, word));
        }
    }
    Ok(out)
}

/// Whether `in`/`notin` are keywords (operator position) or plain identifiers (values).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    KeyAndOperator,
    Values,
}

struct Parser {
    tokens: Vec<(Tok, String)>,
    pos: usize,
}

fn syntax(message: String) -> SelectorError {
    SelectorError::Syntax { message }
}

impl Parser {
    fn lookahead(&self, mode: Mode) -> (Tok, String) {
        let (tok, lit) = self
            .tokens
            .get(self.pos)
            .cloned()
            .unwrap_or((Tok::End, String::new()));
        if mode == Mode::Values && matches!(tok, Tok::In | Tok::NotIn) {
            (Tok::Identifier, lit)
        } else {
            (tok, lit)
        }
    }

    fn consume(&mut self, mode: Mode) -> (Tok, String) {
        let out = self.lookahead(mode);
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        out
    }

    fn parse(&mut self) -> Result<Vec<Requirement>, SelectorError> {
        let mut requirements = Vec::new();
        loop {
            let (tok, lit) = self.lookahead(Mode::Values);
            match tok {
                Tok::Identifier | Tok::DoesNotExist => {
                    requirements.push(self.parse_requirement()?);
                    let (t, l) = self.consume(Mode::Values);
                    match t {
                        Tok::End => return Ok(requirements),
                        Tok::Comma => {
                            let (t2, l2) = self.lookahead(Mode::Values);
                            if !matches!(t2, Tok::Identifier | Tok::DoesNotExist) {
                                return Err(syntax(format!(
                                    "found '{l2}', expected: identifier after ','"
                                )));
                            }
                        }
                        _ => {
                            return Err(syntax(format!(
                                "found '{l}', expected: ',' or 'end of string'"
                            )));
                        }
                    }
                }
                Tok::End => return Ok(requirements),
                _ => {
                    return Err(syntax(format!(
                        "found '{lit}', expected: !, identifier, or 'end of string'"
                    )));
                }
            }
        }
    }

    fn parse_requirement(&mut self) -> Result<Requirement, SelectorError> {
        let (key, inferred) = self.parse_key_and_infer_operator()?;
        if let Some(op) = inferred {
            return Requirement::new(&key, op, Vec::new()).map_err(wrap_requirement);
        }
        let op = self.parse_operator()?;
        let values = match op {
            Operator::In | Operator::NotIn => self.parse_values()?,
            _ => self.parse_exact_value()?,
        };
        Requirement::new(&key, op, values).map_err(wrap_requirement)
    }

    fn parse_key_and_infer_operator(
        &mut self,
    ) -> Result<(String, Option<Operator>), SelectorError> {
        let mut operator = None;
        let (mut tok, mut lit) = self.consume(Mode::Values);
        if tok == Tok::DoesNotExist {
            operator = Some(Operator::DoesNotExist);
            (tok, lit) = self.consume(Mode::Values);
        }
        if tok != Tok::Identifier {
            return Err(syntax(format!("found '{lit}', expected: identifier")));
        }
        let key_errors = qualified_name_errors(&lit);
        if !key_errors.is_empty() {
            return Err(syntax(format!(
                "key: Invalid value: {}: {}",
                go_quote(&lit),
                key_errors.join("; ")
            )));
        }
        let (next, _) = self.lookahead(Mode::Values);
        if matches!(next, Tok::End | Tok::Comma) && operator.is_none() {
            operator = Some(Operator::Exists);
        }
        Ok((lit, operator))
    }

    fn parse_operator(&mut self) -> Result<Operator, SelectorError> {
        let (tok, lit) = self.consume(Mode::KeyAndOperator);
        Ok(match tok {
            Tok::In => Operator::In,
            Tok::Equals => Operator::Equals,
            Tok::DoubleEquals => Operator::DoubleEquals,
            Tok::GreaterThan => Operator::GreaterThan,
            Tok::LessThan => Operator::LessThan,
            Tok::NotIn => Operator::NotIn,
            Tok::NotEquals => Operator::NotEquals,
            _ => {
                return Err(syntax(format!(
                    "found '{lit}', expected: in, notin, =, ==, !=, gt, lt"
                )));
            }
        })
    }

    fn parse_values(&mut self) -> Result<Vec<String>, SelectorError> {
        let (tok, lit) = self.consume(Mode::Values);
        if tok != Tok::OpenPar {
            return Err(syntax(format!("found '{lit}' expected: '('")));
        }
        let (tok, lit) = self.lookahead(Mode::Values);
        match tok {
            Tok::Identifier | Tok::Comma => {
                let set = self.parse_identifiers_list()?;
                let (tok, _) = self.consume(Mode::Values);
                if tok != Tok::ClosedPar {
                    return Err(syntax(format!("found '{lit}', expected: ')'")));
                }
                Ok(set)
            }
            Tok::ClosedPar => {
                self.consume(Mode::Values);
                Ok(vec![String::new()])
            }
            _ => Err(syntax(format!(
                "found '{lit}', expected: ',', ')' or identifier"
            ))),
        }
    }

    fn parse_identifiers_list(&mut self) -> Result<Vec<String>, SelectorError> {
        let mut set: Vec<String> = Vec::new();
        let insert = |set: &mut Vec<String>, v: String| {
            if !set.contains(&v) {
                set.push(v);
            }
        };
        loop {
            let (tok, lit) = self.consume(Mode::Values);
            match tok {
                Tok::Identifier => {
                    insert(&mut set, lit);
                    let (t2, l2) = self.lookahead(Mode::Values);
                    match t2 {
                        Tok::Comma => continue,
                        Tok::ClosedPar => break,
                        _ => return Err(syntax(format!("found '{l2}', expected: ',' or ')'"))),
                    }
                }
                Tok::Comma => {
                    if set.is_empty() {
                        insert(&mut set, String::new());
                    }
                    let (t2, _) = self.lookahead(Mode::Values);
                    if t2 == Tok::ClosedPar {
                        insert(&mut set, String::new());
                        break;
                    }
                    if t2 == Tok::Comma {
                        self.consume(Mode::Values);
                        insert(&mut set, String::new());
                    }
                }
                _ => return Err(syntax(format!("found '{lit}', expected: ',' or ')'"))),
            }
        }
        set.sort();
        Ok(set)
    }

    fn parse_exact_value(&mut self) -> Result<Vec<String>, SelectorError> {
        let (tok, _) = self.lookahead(Mode::Values);
        if matches!(tok, Tok::End | Tok::Comma) {
            return Ok(vec![String::new()]);
        }
        let (tok, lit) = self.consume(Mode::Values);
        if tok == Tok::Identifier {
            Ok(vec![lit])
        } else {
            Err(syntax(format!("found '{lit}', expected: identifier")))
        }
    }
}

/// Requirement errors met while parsing a query are reported with the parse prefix.
fn wrap_requirement(e: SelectorError) -> SelectorError {
    match e {
        SelectorError::InvalidRequirement { message } => SelectorError::Syntax { message },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn match_labels(pairs: &[(&str, &str)]) -> LabelSelector {
        LabelSelector {
            match_labels: Some(labels(pairs)),
            match_expressions: None,
        }
    }

    fn expr(key: &str, op: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.to_string(),
            operator: op.to_string(),
            values: if values.is_empty() {
                None
            } else {
                Some(values.iter().map(|v| v.to_string()).collect())
            },
        }
    }

    #[test]
    fn empty_selector_matches_everything() {
        let sel = LabelSelector::default();
        assert_eq!(selector_matches(&sel, None), Ok(true));
        assert_eq!(
            selector_matches(&sel, Some(&labels(&[("a", "b")]))),
            Ok(true)
        );
        let sel = match_labels(&[]);
        assert_eq!(selector_matches(&sel, None), Ok(true));
    }

    #[test]
    fn val_02_match_labels_require_equal_values() {
        let sel = match_labels(&[("app", "nginx")]);
        assert_eq!(
            selector_matches(&sel, Some(&labels(&[("app", "nginx"), ("x", "y")]))),
            Ok(true)
        );
        assert_eq!(
            selector_matches(&sel, Some(&labels(&[("app", "web")]))),
            Ok(false)
        );
        assert_eq!(selector_matches(&sel, None), Ok(false));
    }

    #[test]
    fn match_expressions_operators() {
        let l = labels(&[("tier", "web"), ("env", "prod")]);
        let check = |e: LabelSelectorRequirement| {
            selector_matches(
                &LabelSelector {
                    match_labels: None,
                    match_expressions: Some(vec![e]),
                },
                Some(&l),
            )
        };
        assert_eq!(check(expr("tier", "In", &["web", "db"])), Ok(true));
        assert_eq!(check(expr("tier", "In", &["db"])), Ok(false));
        assert_eq!(check(expr("tier", "NotIn", &["db"])), Ok(true));
        assert_eq!(check(expr("missing", "NotIn", &["db"])), Ok(true));
        assert_eq!(check(expr("env", "Exists", &[])), Ok(true));
        assert_eq!(check(expr("env", "DoesNotExist", &[])), Ok(false));
        assert_eq!(check(expr("gone", "DoesNotExist", &[])), Ok(true));
    }

    #[test]
    fn invalid_operator_and_values_are_errors() {
        let sel = LabelSelector {
            match_labels: None,
            match_expressions: Some(vec![expr("a", "Foo", &["x"])]),
        };
        let err = selector_matches(&sel, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"Foo\" is not a valid label selector operator"
        );

        let sel = LabelSelector {
            match_labels: None,
            match_expressions: Some(vec![expr("a", "In", &[])]),
        };
        let err = selector_matches(&sel, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"
        );

        let sel = match_labels(&[("app", "a b")]);
        let err = selector_matches(&sel, None).unwrap_err().to_string();
        assert!(
            err.starts_with("values[0][app]: Invalid value: \"a b\": a valid label must be"),
            "{err}"
        );
    }

    #[test]
    fn sc_01_format_label_selector_sorts_by_key() {
        let sel = LabelSelector {
            match_labels: Some(labels(&[("app", "nginx"), ("tier", "web")])),
            match_expressions: Some(vec![
                expr("env", "In", &["qa", "prod"]),
                expr("zone", "DoesNotExist", &[]),
            ]),
        };
        assert_eq!(
            format_label_selector(&sel),
            "app=nginx,env in (prod,qa),tier=web,!zone"
        );
        assert_eq!(
            format_label_selector(&match_labels(&[("app", "nginx")])),
            "app=nginx"
        );
        assert_eq!(format_label_selector(&LabelSelector::default()), "<none>");
        assert_eq!(
            selector_string(&LabelSelector::default()),
            Ok(String::new())
        );
        let bad = LabelSelector {
            match_labels: None,
            match_expressions: Some(vec![expr("a", "Foo", &[])]),
        };
        assert_eq!(format_label_selector(&bad), "<error>");
    }

    #[test]
    fn sc_02_query_parser_accepts_the_selector_language() {
        let l = labels(&[("app", "nginx"), ("tier", "web")]);
        for (q, want) in [
            ("app=nginx", true),
            ("app==nginx", true),
            ("app!=nginx", false),
            ("app = nginx , tier", true),
            ("app in (nginx, db)", true),
            ("app notin (nginx)", false),
            ("!zone", true),
            ("!app", false),
            ("zone", false),
            ("", true),
            ("app in (db),tier", false),
            ("missing!=x", true),
        ] {
            let parsed = LabelQuery::parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
            assert_eq!(parsed.matches(Some(&l)), want, "{q}");
        }
        assert_eq!(
            LabelQuery::parse("tier,app in (web, nginx)").map(|q| q.to_string()),
            Ok("app in (nginx,web),tier".to_string())
        );
    }

    #[test]
    fn query_parser_integer_comparisons() {
        let l = labels(&[("n", "5")]);
        assert!(LabelQuery::parse("n>3").is_ok_and(|q| q.matches(Some(&l))));
        assert!(LabelQuery::parse("n<3").is_ok_and(|q| !q.matches(Some(&l))));
        assert!(LabelQuery::parse("n>x").is_err());
    }

    #[test]
    fn query_parser_errors_read_like_the_apiserver() {
        let e = LabelQuery::parse("a b").unwrap_err().to_string();
        assert_eq!(
            e,
            "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"
        );
        let e = LabelQuery::parse("a=b c").unwrap_err().to_string();
        assert_eq!(
            e,
            "unable to parse requirement: found 'c', expected: ',' or 'end of string'"
        );
        let e = LabelQuery::parse("a=b,").unwrap_err().to_string();
        assert_eq!(
            e,
            "unable to parse requirement: found '', expected: identifier after ','"
        );
        let e = LabelQuery::parse("a in b").unwrap_err().to_string();
        assert_eq!(e, "unable to parse requirement: found 'b' expected: '('");
        let e = LabelQuery::parse("=x").unwrap_err().to_string();
        assert_eq!(
            e,
            "unable to parse requirement: found '=', expected: !, identifier, or 'end of string'"
        );
        assert!(LabelQuery::parse("a/b/c=d").is_err());
    }

    #[test]
    fn in_and_notin_are_identifiers_in_value_position() {
        let l = labels(&[("k", "in")]);
        assert!(LabelQuery::parse("k=in").is_ok_and(|q| q.matches(Some(&l))));
        assert!(LabelQuery::parse("k in (in,notin)").is_ok_and(|q| q.matches(Some(&l))));
    }

    #[test]
    fn syntax_helpers_match_apimachinery() {
        assert!(dns1123_label_errors("web-0").is_empty());
        assert_eq!(
            dns1123_label_errors("a.b"),
            vec!["must not contain dots".to_string()]
        );
        assert_eq!(
            dns1123_label_errors("Web")[0],
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        );
        assert_eq!(
            dns1123_label_errors(&"a".repeat(64))[0],
            "must be no more than 63 characters"
        );
        assert!(dns1123_subdomain_errors("a.b-c").is_empty());
        assert!(qualified_name_errors("app.kubernetes.io/name").is_empty());
        assert!(!qualified_name_errors("-a").is_empty());
        assert!(label_value_errors("").is_empty());
        assert_eq!(label_value_errors(&"a".repeat(64)), vec![max_len_error(63)]);
        assert_eq!(go_quote("a\"b\n"), "\"a\\\"b\\n\"");
        assert_eq!(aggregate(&["x".into(), "x".into()]), "x");
        assert_eq!(aggregate(&["x".into(), "y".into()]), "[x, y]");
    }
}
