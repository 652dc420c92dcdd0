//! Forms for every entity a caseworker records: what each form asks, how typed text is
//! checked field by field, and the change set a valid form becomes. Plain logic over the
//! typed strings, so it is tested without a terminal; the TUI only draws and routes keys.

pub mod dates;
pub mod specs;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::enums::OrgKind;
use crate::domain::id_number::{IdNumber, IdNumberError};
use crate::i18n::Lang;
use crate::store::rows::Choice;
use crate::store::{ChangeSet, Result as StoreResult, Store};

pub use specs::FormKind;

/// Where a picker's options come from.
#[derive(Debug, Clone, Copy)]
pub enum Choices {
    /// Fixed codes with their labels.
    Enum(&'static [&'static str], fn(&str, Lang) -> Option<&'static str>),
    /// Organisations of these kinds (all kinds when empty).
    Orgs(&'static [OrgKind]),
    /// Contact people.
    Contacts,
    /// The client's needs.
    Needs,
    /// The client's plans.
    Plans,
}

/// The child rows behind a field that picks several values (consent scope, participants).
#[derive(Debug, Clone, Copy)]
pub struct Child {
    /// Child table.
    pub table: &'static str,
    /// Its column pointing at the form's row.
    pub parent: &'static str,
    /// Its column holding the picked value.
    pub value: &'static str,
    /// A yes/no column set to yes on each child (the eligibility checklist's `met`).
    pub flag: Option<&'static str>,
}

/// What a field takes and how it is typed.
#[derive(Debug, Clone, Copy)]
pub enum Input {
    /// One line of text up to this many characters.
    Text(usize),
    /// Several lines up to this many characters.
    Long(usize),
    /// A whole number in an inclusive range.
    Int(i64, i64),
    /// Yes or no, toggled with Space.
    Bool,
    /// A date, typed freely (see [`dates`]).
    Date,
    /// A date and a time.
    DateTime,
    /// A personnummer or samordningsnummer.
    IdNumber,
    /// A phone number: digits, with spaces, dashes, brackets, a slash or a leading +.
    Phone,
    /// An email address.
    Email,
    /// One value from a picker.
    One(Choices),
    /// Any number of values from a picker, stored as child rows.
    Many(Choices, Child),
}

/// One field of a form.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    /// Column (or, for [`Input::Many`], a name for the child rows).
    pub key: &'static str,
    /// Swedish label.
    pub sv: &'static str,
    /// English label.
    pub en: &'static str,
    /// What it takes.
    pub input: Input,
    /// Whether saving needs a value.
    pub required: bool,
    /// Text a new form starts with (a code, `idag`, …).
    pub default: &'static str,
}

impl FieldSpec {
    /// The label in the user's language.
    pub fn label(&self, lang: Lang) -> &'static str {
        if lang == Lang::Sv { self.sv } else { self.en }
    }

    /// Whether the field is filled from a picker.
    pub fn is_choice(&self) -> bool {
        matches!(self.input, Input::One(_) | Input::Many(..))
    }
}

/// A check across fields.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// The second date must not be before the first.
    Order(&'static str, &'static str),
    /// When the first field holds the code, the third field is required.
    RequiredWhen(&'static str, &'static str, &'static str),
    /// When the first yes/no field is yes, the second field is required.
    RequiredIfSet(&'static str, &'static str),
    /// The date has happened: it cannot be after today (a check made, a need identified).
    NotFuture(&'static str),
}

/// A form being filled in: one typed string per field, so nothing typed is ever lost to
/// validation and a draft is simply these strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Form {
    /// Which form.
    pub kind: FormKind,
    /// The row being edited; `None` for a new one.
    pub target: Option<String>,
    /// The client the row belongs to.
    pub client_id: Option<String>,
    /// The row the new one hangs under (a meeting for minutes, a need for a status update).
    pub parent_id: Option<String>,
    /// Typed text per field.
    pub values: Vec<String>,
    /// Text per field when the form was opened.
    pub original: Vec<String>,
    /// Child rows per field as loaded: (child row id, value).
    pub children: Vec<Vec<(String, String)>>,
    /// Action items taken from the minutes being written.
    pub actions: Vec<String>,
    /// Id under which the form's draft is kept.
    pub draft_id: String,
}

/// A field's problem, for the message under it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// Index of the field.
    pub field: usize,
    /// What is wrong and how to fix it, naming the field.
    pub message: String,
}

/// Text as stored: control characters other than line breaks and tabs removed (a pasted
/// escape sequence must not reach other people's terminals), ends trimmed.
pub fn clean_text(text: &str) -> String {
    text.chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect::<String>().trim().to_owned()
}

fn many(raw: &str) -> Vec<&str> {
    raw.split(',').map(str::trim).filter(|s| !s.is_empty()).collect()
}

impl Form {
    /// A new, empty form with its defaults, in the user's words (`idag` or `today`).
    pub fn new(kind: FormKind, client_id: Option<String>, parent_id: Option<String>, lang: Lang) -> Form {
        let values: Vec<String> = kind
            .fields()
            .iter()
            .map(|f| match (f.default, lang) {
                ("idag", Lang::En) => "today".to_owned(),
                (d, _) => d.to_owned(),
            })
            .collect();
        Form {
            kind,
            target: None,
            client_id,
            parent_id,
            // Defaults are not changes: an untouched new form closes without asking.
            original: values.clone(),
            children: vec![Vec::new(); values.len()],
            values,
            actions: Vec::new(),
            draft_id: crate::store::new_id(),
        }
    }

    /// A form over an existing row, filled with what is stored.
    pub fn edit(store: &Store, kind: FormKind, id: &str, client_id: Option<String>) -> StoreResult<Option<Form>> {
        let Some(row) = store.row_values(kind.entity(), id)? else { return Ok(None) };
        let mut form = Form::new(kind, client_id, None, Lang::Sv);
        form.target = Some(id.to_owned());
        for (i, spec) in kind.fields().iter().enumerate() {
            form.values[i] = match spec.input {
                Input::Many(_, child) => {
                    form.children[i] = store.child_values(child.table, child.parent, id, child.value)?;
                    form.children[i].iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(",")
                }
                _ => raw_text(row.get(spec.key).unwrap_or(&Value::Null), spec.input),
            };
        }
        form.original = form.values.clone();
        Ok(Some(form))
    }

    /// The fields of this form.
    pub fn fields(&self) -> &'static [FieldSpec] {
        self.kind.fields()
    }

    /// Whether anything was typed since the form opened.
    pub fn is_dirty(&self) -> bool {
        self.values != self.original || !self.actions.is_empty()
    }

    /// What a date field resolves to, shown beside what was typed (`+14d` → `2026-12-07`).
    pub fn resolved(&self, i: usize, today: NaiveDate, lang: Lang) -> Option<String> {
        let raw = self.values.get(i)?.trim();
        if raw.is_empty() {
            return None;
        }
        match self.fields()[i].input {
            Input::Date => {
                let d = dates::parse_date(raw, today)?;
                (d.to_string() != raw).then(|| format!("{} {}", d.format("%Y-%m-%d"), dates::weekday(d, lang)))
            }
            Input::DateTime => {
                let t = dates::parse_datetime(raw, today).ok()?;
                let shown = t.format("%Y-%m-%d %H:%M").to_string();
                (shown != raw).then(|| format!("{shown} {}", dates::weekday(t.date(), lang)))
            }
            _ => None,
        }
    }

    /// Whether field `i` of a row being edited still holds what was loaded.
    fn unchanged(&self, i: usize) -> bool {
        self.target.is_some() && self.original.get(i).is_some_and(|o| clean_text(o) == clean_text(&self.values[i]))
    }

    /// The value of one field as it would be stored, or what is wrong with it.
    pub fn parse_field(&self, i: usize, today: NaiveDate, lang: Lang) -> Result<Value, String> {
        let spec = &self.fields()[i];
        let raw = clean_text(&self.values[i]);
        let label = spec.label(lang);
        let msg = |sv: &str, en: &str| format!("{label}: {}", if lang == Lang::Sv { sv } else { en });
        if raw.is_empty() {
            return if spec.required {
                Err(msg("måste fyllas i", "is required"))
            } else if matches!(spec.input, Input::Bool) {
                Ok(Value::Bool(false))
            } else {
                Ok(Value::Null)
            };
        }
        match spec.input {
            Input::Text(max) | Input::Long(max) => {
                let n = raw.chars().count();
                if n > max {
                    let (sv, en) = (
                        format!("är {n} tecken, högst {max} får plats: korta texten"),
                        format!("is {n} characters, at most {max} fit: shorten it"),
                    );
                    return Err(msg(&sv, &en));
                }
                if matches!(spec.input, Input::Text(_)) && raw.contains('\n') {
                    return Err(msg("ska vara en rad", "must be one line"));
                }
                Ok(Value::String(raw))
            }
            Input::Int(min, max) => match raw.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(Value::from(n)),
                _ => Err(msg(&format!("skriv ett heltal {min}–{max}"), &format!("type a whole number {min}–{max}"))),
            },
            Input::Bool => Ok(Value::Bool(raw == "1")),
            // A row saved before these checks keeps what it holds until that field is edited:
            // an unrelated edit is not refused for it.
            Input::Phone | Input::Email if self.unchanged(i) => Ok(Value::String(raw)),
            Input::Phone => {
                let digits = raw.chars().filter(char::is_ascii_digit).count();
                let allowed =
                    raw.char_indices().all(|(i, c)| c.is_ascii_digit() || " -()/".contains(c) || (c == '+' && i == 0));
                // Service numbers such as 1177 and 112 are short.
                if allowed && (3..=20).contains(&digits) {
                    Ok(Value::String(raw))
                } else {
                    Err(msg(
                        "skriv numret med siffror, t.ex. 08-123 456 78 eller +46 8 123 456 78",
                        "type the number in digits, e.g. 08-123 456 78 or +46 8 123 456 78",
                    ))
                }
            }
            Input::Email if email_address::EmailAddress::is_valid(&raw) && raw.contains('.') => Ok(Value::String(raw)),
            Input::Email => {
                Err(msg("skriv en e-postadress, t.ex. namn@kommun.se", "type an email address, e.g. name@example.se"))
            }
            Input::Date => match dates::parse_date(&raw, today) {
                Some(d) => Ok(Value::String(d.format("%Y-%m-%d").to_string())),
                None => Err(format!("{label}: ”{raw}” — {}", dates::date_problem(&raw, lang))),
            },
            Input::DateTime => match dates::parse_datetime(&raw, today) {
                Ok(t) => Ok(Value::String(t.format("%Y-%m-%dT%H:%M").to_string())),
                Err(dates::DateTimeError::Date) => {
                    Err(format!("{label}: ”{raw}” — {}", dates::datetime_problem(&raw, lang)))
                }
                Err(dates::DateTimeError::Time) => Err(format!("{label}: {}", dates::time_hint(lang))),
            },
            Input::IdNumber => match IdNumber::parse(&raw) {
                Ok(id) => Ok(Value::String(id.digits().to_owned())),
                Err(e) => Err(format!("{label}: {}", id_number_message(e, lang))),
            },
            Input::One(Choices::Enum(codes, _)) => {
                if codes.contains(&raw.as_str()) {
                    Ok(Value::String(raw))
                } else {
                    Err(msg("välj i listan med Enter", "pick from the list with Enter"))
                }
            }
            Input::One(_) => Ok(Value::String(raw)),
            Input::Many(..) => Ok(Value::Array(many(&raw).into_iter().map(|v| Value::String(v.to_owned())).collect())),
        }
    }

    /// Every problem in the form: each field, then the checks across fields.
    pub fn errors(&self, today: NaiveDate, lang: Lang) -> Vec<FieldError> {
        let fields = self.fields();
        let mut errors = Vec::new();
        let mut parsed = Vec::with_capacity(fields.len());
        for i in 0..fields.len() {
            match self.parse_field(i, today, lang) {
                Ok(v) => parsed.push(v),
                Err(message) => {
                    errors.push(FieldError { field: i, message });
                    parsed.push(Value::Null);
                }
            }
        }
        let index = |key: &str| fields.iter().position(|f| f.key == key);
        let value = |key: &str| index(key).map(|i| &parsed[i]).filter(|v| !v.is_null());
        for rule in self.kind.rules() {
            match *rule {
                Rule::Order(first, second) => {
                    let (Some(a), Some(b), Some(j)) = (value(first), value(second), index(second)) else { continue };
                    if b.as_str() < a.as_str() {
                        let first_label = fields[index(first).unwrap_or(0)].label(lang);
                        let message = match lang {
                            Lang::Sv => {
                                format!("{}: kan inte vara före {}", fields[j].label(lang), first_label.to_lowercase())
                            }
                            Lang::En => {
                                format!("{}: cannot be before {}", fields[j].label(lang), first_label.to_lowercase())
                            }
                        };
                        errors.push(FieldError { field: j, message });
                    }
                }
                Rule::RequiredWhen(field, code, needed) => {
                    let (Some(j), true) = (index(needed), value(field).and_then(Value::as_str) == Some(code)) else {
                        continue;
                    };
                    if value(needed).is_none() && !errors.iter().any(|e| e.field == j) {
                        errors.push(FieldError {
                            field: j,
                            message: required_because(fields, field, Some(code), j, lang),
                        });
                    }
                }
                Rule::NotFuture(field) => {
                    let (Some(when), Some(j)) = (value(field).and_then(Value::as_str), index(field)) else { continue };
                    if !self.unchanged(j) && when > today.format("%Y-%m-%d").to_string().as_str() {
                        let message = match lang {
                            Lang::Sv => format!("{}: kan inte vara efter idag ({today})", fields[j].label(lang)),
                            Lang::En => format!("{}: cannot be after today ({today})", fields[j].label(lang)),
                        };
                        errors.push(FieldError { field: j, message });
                    }
                }
                Rule::RequiredIfSet(flag, needed) => {
                    let (Some(j), true) = (index(needed), value(flag) == Some(&Value::Bool(true))) else { continue };
                    if value(needed).is_none() && !errors.iter().any(|e| e.field == j) {
                        errors.push(FieldError { field: j, message: required_because(fields, flag, None, j, lang) });
                    }
                }
            }
        }
        if self.kind == FormKind::Minutes && errors.is_empty() && value("text").is_none() && self.actions.is_empty() {
            let message = match lang {
                Lang::Sv => "Protokoll: skriv en rad eller gör en rad till åtgärd med Ctrl-t".to_owned(),
                Lang::En => "Minutes: write a line or turn a line into an action item with Ctrl-t".to_owned(),
            };
            errors.push(FieldError { field: 0, message });
        }
        errors.sort_by_key(|e| e.field);
        errors
    }

    /// The change set a valid form becomes, or its problems. `now` stamps notes and minutes.
    pub fn changeset(
        &self,
        author: &str,
        now: NaiveDateTime,
        today: NaiveDate,
        lang: Lang,
    ) -> Result<(ChangeSet, String), Vec<FieldError>> {
        let errors = self.errors(today, lang);
        if !errors.is_empty() {
            return Err(errors);
        }
        let parsed: Vec<Value> =
            (0..self.values.len()).map(|i| self.parse_field(i, today, lang).unwrap_or_default()).collect();
        Ok(specs::build(self, &parsed, author, now, today))
    }
}

/// "Reason: required when status is Declined": names the field, and the choice (`code`) or
/// ticked box (`None`) that makes it needed.
fn required_because(fields: &[FieldSpec], because: &str, code: Option<&str>, j: usize, lang: Lang) -> String {
    let spec = fields.iter().find(|f| f.key == because);
    let cause = spec.map(|f| f.label(lang)).unwrap_or(because).to_lowercase();
    let value = match (spec.map(|f| f.input), code) {
        (Some(Input::One(Choices::Enum(_, label))), Some(c)) => label(c, lang).unwrap_or(c).to_owned(),
        (_, Some(c)) => c.to_owned(),
        (_, None) => lang.pick("markerat", "ticked").to_owned(),
    };
    match lang {
        Lang::Sv => format!("{}: fyll i när {cause} är {value}", fields[j].label(lang)),
        Lang::En => format!("{}: required when {cause} is {value}", fields[j].label(lang)),
    }
}

fn id_number_message(e: IdNumberError, lang: Lang) -> &'static str {
    match (e, lang) {
        (IdNumberError::Format, Lang::Sv) => "skriv 12 siffror, ÅÅÅÅMMDD-NNNN",
        (IdNumberError::Format, Lang::En) => "type 12 digits, YYYYMMDD-NNNN",
        (IdNumberError::Date, Lang::Sv) => "datumdelen är inget riktigt datum",
        (IdNumberError::Date, Lang::En) => "the date part is not a real date",
        (IdNumberError::CheckDigit, Lang::Sv) => "kontrollsiffran stämmer inte: kontrollera de fyra sista siffrorna",
        (IdNumberError::CheckDigit, Lang::En) => "the check digit is wrong: check the last four digits",
    }
}

/// A stored value as the text a form shows for it.
fn raw_text(v: &Value, input: Input) -> String {
    match (v, input) {
        (Value::Null, _) => String::new(),
        (Value::Bool(b), _) => if *b { "1" } else { "" }.to_owned(),
        (Value::String(s), Input::DateTime) => s.replacen('T', " ", 1),
        (Value::String(s), _) => s.clone(),
        (other, _) => other.to_string(),
    }
}

/// What a form calls a field of a table ("Språk" for `client.language`), with the form's
/// title; `None` for a column no form shows.
pub fn field_label(entity: &str, field: &str, lang: Lang) -> Option<(&'static str, &'static str)> {
    FormKind::ALL
        .iter()
        .filter(|k| k.entity() == entity)
        .find_map(|k| k.fields().iter().find(|f| f.key == field).map(|f| (k.title(lang), f.label(lang))))
}

/// The options of a picker, labelled in the user's language.
pub fn options(store: &Store, choices: Choices, client_id: Option<&str>, lang: Lang) -> StoreResult<Vec<Choice>> {
    use crate::domain::enums::{LifeArea, PlanKind};
    Ok(match choices {
        Choices::Enum(codes, label) => codes
            .iter()
            .map(|c| Choice { value: (*c).to_owned(), label: label(c, lang).unwrap_or(c).to_owned() })
            .collect(),
        Choices::Orgs(kinds) => store
            .organisations()?
            .into_iter()
            .filter(|o| kinds.is_empty() || OrgKind::from_code(&o.kind).is_some_and(|k| kinds.contains(&k)))
            .map(|o| Choice { value: o.id, label: o.name })
            .collect(),
        Choices::Contacts => store.contact_choices()?,
        Choices::Needs => relabel(store.need_choices(client_id.unwrap_or_default())?, |c| {
            LifeArea::label_of(c, lang).map(str::to_owned)
        }),
        Choices::Plans => relabel(store.plan_choices(client_id.unwrap_or_default())?, |c| {
            let (kind, date) = c.split_once(' ').unwrap_or((c, ""));
            PlanKind::label_of(kind, lang).map(|k| format!("{k} {date}").trim_end().to_owned())
        }),
    })
}

fn relabel(mut rows: Vec<Choice>, label: impl Fn(&str) -> Option<String>) -> Vec<Choice> {
    for row in &mut rows {
        if let Some(l) = label(&row.label) {
            row.label = l;
        }
    }
    rows
}

#[cfg(test)]
mod tests;
