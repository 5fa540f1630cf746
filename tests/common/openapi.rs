//! Validates JSON against a named schema of one of HubSpot's OpenAPI specs in
//! `../shared/hubspot/openapi/` (OpenAPI 3.0.1, validated as JSON Schema draft 4).
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};

fn spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/hubspot/openapi")
}

/// Removes OpenAPI-only keywords the validator should not see (`example` values such as
/// `"{invalidPropertyName=[propertyValue]}"`, `nullable`, `discriminator`, `xml`, `x-*`).
fn strip(v: &mut Value) {
    match v {
        Value::Object(m) => {
            let nullable = m.get("nullable").and_then(Value::as_bool).unwrap_or(false);
            m.retain(|k, _| {
                !matches!(
                    k.as_str(),
                    "example" | "examples" | "nullable" | "discriminator" | "xml"
                ) && !k.starts_with("x-")
            });
            if nullable && let Some(Value::String(t)) = m.get("type").cloned() {
                m.insert("type".into(), json!([t, "null"]));
            }
            m.values_mut().for_each(strip);
        }
        Value::Array(a) => a.iter_mut().for_each(strip),
        _ => {}
    }
}

/// HubSpot answers `null` where the specs say string, and the API notes document it: a
/// requested property without a value (`properties.<name>: null`, API-NOTES §1) and the
/// label of an unlabeled association type (`label: null`, §2.2, §2.3). The sandbox answers
/// as HubSpot does, so the schemas are widened exactly there and nowhere else.
fn allow_documented_nulls(schemas: &mut Value) {
    let Some(schemas) = schemas.as_object_mut() else {
        return;
    };
    for (name, schema) in schemas.iter_mut() {
        let values = schema.pointer_mut("/properties/properties/additionalProperties/type");
        if let Some(t) = values.filter(|t| *t == "string") {
            *t = json!(["string", "null"]);
        }
        if name == "AssociationSpecWithLabel"
            && let Some(t) = schema.pointer_mut("/properties/label/type")
        {
            *t = json!(["string", "null"]);
        }
    }
}

type Cache = Mutex<HashMap<(String, String), Arc<jsonschema::Validator>>>;

fn validator(file: &str, name: &str) -> Arc<jsonschema::Validator> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let key = (file.to_owned(), name.to_owned());
    if let Some(v) = cache.lock().unwrap().get(&key) {
        return v.clone();
    }
    let path = spec_dir().join(file);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let spec: Value = serde_json::from_str(&text).expect("spec is JSON");
    let mut components = spec["components"].clone();
    assert!(
        components["schemas"].get(name).is_some(),
        "{file} has no schema {name}"
    );
    strip(&mut components);
    allow_documented_nulls(&mut components["schemas"]);
    let root = json!({"$ref": format!("#/components/schemas/{name}"), "components": components});
    let v = Arc::new(
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .build(&root)
            .unwrap_or_else(|e| panic!("schema {file}#{name}: {e}")),
    );
    cache.lock().unwrap().insert(key, v.clone());
    v
}

/// Every violation of `file`'s schema `name` by `value` (empty when it matches).
pub fn schema_errors(file: &str, name: &str, value: &Value) -> Vec<String> {
    validator(file, name)
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// The spec file `file` as JSON.
pub fn spec(file: &str) -> Value {
    let path = spec_dir().join(file);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("spec is JSON")
}

/// Panics with every violation when `value` does not match `file`'s schema `name`.
pub fn assert_schema(file: &str, name: &str, value: &Value) {
    let errors = schema_errors(file, name, value);
    assert!(
        errors.is_empty(),
        "response does not match {file}#/components/schemas/{name}:\n{}\nvalue: {}",
        errors.join("\n"),
        serde_json::to_string_pretty(value)
            .unwrap_or_default()
            .chars()
            .take(3000)
            .collect::<String>()
    );
}
