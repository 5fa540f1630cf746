//! Wire types (DTOs) of HubSpot's CRM APIs, shaped after the official OpenAPI specs in
//! `shared/hubspot/openapi/` (schema names in each type's doc).
//!
//! Owns: serde shapes only, `camelCase`, tolerant of unknown fields, which are kept in `extra`
//! so a record re-serializes as HubSpot sent it (`--output json`). Must not: do I/O, hold
//! app or UI concepts, or be shared with the sandbox (which builds its own JSON on purpose).

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::error::StandardError;

/// A property map as sent by HubSpot: values are strings on the wire, or `null` for a
/// requested-but-empty property (API-NOTES §1; the sandbox answers the same). `null` and
/// absent both mean "no value": read values with [`SimplePublicObject::property`].
pub type Properties = BTreeMap<String, Option<String>>;

/// Property values to write. `""` clears a value (API-NOTES §1 "Update").
pub type PropertyValues = BTreeMap<String, String>;

/// A CRM record (`SimplePublicObject` / `SimplePublicObjectWithAssociations`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimplePublicObject {
    /// Record id (string on the wire).
    pub id: String,
    /// Current property values.
    #[serde(default)]
    pub properties: Properties,
    /// Value history per requested property, newest first [O] (API-NOTES §5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties_with_history: Option<BTreeMap<String, Vec<ValueWithTimestamp>>>,
    /// Creation time.
    #[serde(with = "ts")]
    pub created_at: Timestamp,
    /// Last update time.
    #[serde(with = "ts")]
    pub updated_at: Timestamp,
    /// Whether the record is in the recycle bin.
    #[serde(default)]
    pub archived: bool,
    /// When it was archived.
    #[serde(default, with = "opt_ts", skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<Timestamp>,
    /// v3 association ids per object type (`associations=` on list/get only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associations: Option<BTreeMap<String, AssociatedIds>>,
    /// The `objectWriteTraceId` of the batch input that wrote this record, echoed in batch
    /// create/update answers (`SimplePublicObject.objectWriteTraceId` in the specs) so each
    /// result maps back to its input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_write_trace_id: Option<String>,
    /// Fields not modelled above, kept for lossless re-serialization.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SimplePublicObject {
    /// A property's value; `None` when absent **or** `null` (both mean "no value").
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.get(name).and_then(Option::as_deref)
    }
}

/// One historical value (`ValueWithTimestamp`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValueWithTimestamp {
    /// The value at that time (`""` when cleared). Spec says required string; `null` tolerated.
    #[serde(default, deserialize_with = "null_to_empty")]
    pub value: String,
    /// When it was set.
    #[serde(with = "ts")]
    pub timestamp: Timestamp,
    /// Who/what set it: `CRM_UI`, `API`, `CALCULATED`, ... (full enum UNCONFIRMED, §5).
    #[serde(default, deserialize_with = "null_to_empty")]
    pub source_type: String,
    /// e.g. `userId:9586504`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// e.g. the integration's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_label: Option<String>,
    /// HubSpot user id of the editor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by_user_id: Option<i64>,
    /// Unmodelled fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `CollectionResponseAssociatedId`: v3-style associations embedded in a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociatedIds {
    /// Associated ids with v3 type names (`ticket_to_contact`, ...).
    #[serde(default)]
    pub results: Vec<AssociatedId>,
    /// Present when there are more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
}

/// `AssociatedId`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociatedId {
    /// Associated record id.
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
    /// v3 type name, e.g. `ticket_to_company_unlabeled`.
    #[serde(default, rename = "type", deserialize_with = "null_to_empty")]
    pub type_: String,
}

/// `Paging` / `ForwardPaging`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paging {
    /// The next page, absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<NextPage>,
    /// Unmodelled fields (`prev`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `NextPage`. `after` is an opaque cursor (record id for lists, offset for search).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NextPage {
    /// Cursor for the next request.
    #[serde(deserialize_with = "string_or_number")]
    pub after: String,
    /// Deprecated link (relative or absolute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// One page of a list (`CollectionResponse...ForwardPaging`). `T` is [`SimplePublicObject`]
/// or `serde_json::Value` for lossless output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The records of this page.
    #[serde(default = "Vec::new")]
    pub results: Vec<T>,
    /// Absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
}

impl<T> Page<T> {
    /// Cursor of the next page, `None` on the last page.
    pub fn next_after(&self) -> Option<&str> {
        self.paging
            .as_ref()
            .and_then(|p| p.next.as_ref())
            .map(|n| n.after.as_str())
    }
}

/// A search answer (`CollectionResponseWithTotalSimplePublicObject`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchPage<T> {
    /// Total matches (search stops paging at 10,000).
    #[serde(default)]
    pub total: u64,
    /// This page.
    #[serde(default = "Vec::new")]
    pub results: Vec<T>,
    /// Absent on the last page; `after` is an offset string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
}

impl<T> SearchPage<T> {
    /// Cursor of the next page, `None` on the last page.
    pub fn next_after(&self) -> Option<&str> {
        self.paging
            .as_ref()
            .and_then(|p| p.next.as_ref())
            .map(|n| n.after.as_str())
    }
}

/// A batch answer (`BatchResponse...` and `...WithErrors` for 207).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchResponse<T> {
    /// `PENDING | PROCESSING | CANCELED | COMPLETE`.
    #[serde(default, deserialize_with = "null_to_empty")]
    pub status: String,
    /// Records that succeeded.
    #[serde(default = "Vec::new")]
    pub results: Vec<T>,
    /// Number of errors (207 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_errors: Option<u32>,
    /// Errors (207 only), e.g. `OBJECT_NOT_FOUND` with `context.ids`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<StandardError>,
    /// Unmodelled fields (`startedAt`, `completedAt`, `requestedAt`, `links`), kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `PublicObjectId`: `{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectId {
    /// Record id.
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
}

impl ObjectId {
    /// `{id}` from anything string-like.
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into() }
    }
}

/// Association category (`AssociationSpec.associationCategory`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AssociationCategory {
    /// HubSpot's built-in types (API-NOTES §3).
    HubspotDefined,
    /// Types defined by an app.
    IntegratorDefined,
    /// Custom labels defined in the portal.
    UserDefined,
    /// Added in the v4 spec.
    Work,
}

/// `AssociationSpec`: one association type to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociationSpec {
    /// Category.
    pub association_category: AssociationCategory,
    /// Type id within the category.
    pub association_type_id: u32,
}

impl AssociationSpec {
    /// A `HUBSPOT_DEFINED` spec, e.g. `AssociationSpec::hubspot(TICKET_TO_CONTACT)`.
    pub const fn hubspot(type_id: u32) -> Self {
        Self {
            association_category: AssociationCategory::HubspotDefined,
            association_type_id: type_id,
        }
    }
}

/// `AssociationSpecWithLabel` (labels endpoint, v4 association reads): a type and its label
/// (`null` for unlabeled types).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociationType {
    /// Category.
    pub category: AssociationCategory,
    /// Type id.
    pub type_id: u32,
    /// Label, `None` for unlabeled types (HubSpot sends `null`, the spec a string; omitted
    /// when re-serialized so the output matches the spec).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Unmodelled fields (`fromObjectTypeId`, `toObjectTypeId` in the current spec).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AssociationType {
    /// The spec to pass back to write this type.
    pub fn spec(&self) -> AssociationSpec {
        AssociationSpec {
            association_category: self.category,
            association_type_id: self.type_id,
        }
    }
}

/// `MultiAssociatedObjectWithLabel`: an associated record with all types to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociatedObject {
    /// Associated record id. A number in HubSpot's docs, a string in the spec: both accepted.
    #[serde(deserialize_with = "string_or_number")]
    pub to_object_id: String,
    /// Every type between the pair.
    #[serde(default)]
    pub association_types: Vec<AssociationType>,
}

/// `LabelsBetweenObjectPair`: answer of a labelled association PUT.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelsBetweenObjectPair {
    /// e.g. `0-5`.
    #[serde(default, deserialize_with = "string_or_number")]
    pub from_object_type_id: String,
    /// From record id.
    #[serde(deserialize_with = "string_or_number")]
    pub from_object_id: String,
    /// e.g. `0-1`.
    #[serde(default, deserialize_with = "string_or_number")]
    pub to_object_type_id: String,
    /// To record id.
    #[serde(deserialize_with = "string_or_number")]
    pub to_object_id: String,
    /// Labels now between the pair (unlabeled types contribute none).
    #[serde(default, deserialize_with = "labels")]
    pub labels: Vec<String>,
}

/// `PublicDefaultAssociation`: one result of a default-association PUT.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefaultAssociation {
    /// From record.
    pub from: ObjectId,
    /// To record.
    pub to: ObjectId,
    /// The type that was created.
    pub association_spec: AssociationSpec,
}

/// `PublicAssociationMultiWithLabel`: batch-read result for one source record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociationsOf {
    /// The source record.
    pub from: ObjectId,
    /// Its associated records.
    #[serde(default)]
    pub to: Vec<AssociatedObject>,
    /// Present when this record has more associations (re-read with `after`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
}

/// `PublicAssociationMultiPost`: input of `batch/labels/archive` (and batch create).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssociationLabelsInput {
    /// From record.
    pub from: ObjectId,
    /// To record.
    pub to: ObjectId,
    /// Types to remove (or create).
    pub types: Vec<AssociationSpec>,
}

/// `PublicAssociationsForObject`: an association given while creating a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssociationInput {
    /// The record to associate with.
    pub to: ObjectId,
    /// Types to create.
    pub types: Vec<AssociationSpec>,
}

/// `SimplePublicObjectInputForCreate` (also one input of batch create).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateInput {
    /// Property values; for tickets at least `subject`, `hs_pipeline_stage` (and
    /// `hs_pipeline` when there are several pipelines) (API-NOTES §1).
    pub properties: PropertyValues,
    /// Associations to create with the record. Always sent (the spec marks it required).
    #[serde(default)]
    pub associations: Vec<AssociationInput>,
    /// Opt-in multi-status for batch create: failures come back as 207 with
    /// `errors[].context.objectWriteTraceId` (API-NOTES §1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_write_trace_id: Option<String>,
}

/// `SimplePublicObjectBatchInput`: one input of batch update.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInput {
    /// Record id (or `id_property` value).
    pub id: String,
    /// Values to write; `""` clears.
    pub properties: PropertyValues,
    /// A unique-value property `id` refers to, instead of the record id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_property: Option<String>,
    /// Trace id echoed in errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_write_trace_id: Option<String>,
}

/// Search sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SortDirection {
    /// Oldest / smallest first.
    Ascending,
    /// Newest / largest first.
    Descending,
}

/// One sort rule. The spec types `sorts` as `string[]`, but objects are what HubSpot accepts
/// (API-NOTES §9, SDK issues); only one rule is honoured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sort {
    /// Property to sort by.
    pub property_name: String,
    /// Direction.
    pub direction: SortDirection,
}

/// `Filter.operator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum FilterOperator {
    Eq,
    Neq,
    Lt,
    Lte,
    Gt,
    Gte,
    Between,
    In,
    NotIn,
    HasProperty,
    NotHasProperty,
    ContainsToken,
    NotContainsToken,
}

/// A search filter (`Filter`). `BETWEEN` uses `value` + `high_value`; `IN`/`NOT_IN` use
/// `values` (lowercase strings, API-NOTES §9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    /// Property (or `associations.contact` pseudo-property).
    pub property_name: String,
    /// Operator.
    pub operator: FilterOperator,
    /// Single value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Upper bound for `BETWEEN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high_value: Option<String>,
    /// Values for `IN` / `NOT_IN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
}

impl Filter {
    /// `property OP value`.
    pub fn new(
        property: impl Into<String>,
        operator: FilterOperator,
        value: impl Into<String>,
    ) -> Self {
        Self {
            property_name: property.into(),
            operator,
            value: Some(value.into()),
            high_value: None,
            values: None,
        }
    }

    /// `property = value`.
    pub fn eq(property: impl Into<String>, value: impl Into<String>) -> Self {
        Self::new(property, FilterOperator::Eq, value)
    }

    /// `property IN (values)`.
    pub fn in_values(property: impl Into<String>, values: Vec<String>) -> Self {
        Self {
            property_name: property.into(),
            operator: FilterOperator::In,
            value: None,
            high_value: None,
            values: Some(values),
        }
    }

    /// `HAS_PROPERTY` / `NOT_HAS_PROPERTY`.
    pub fn has_property(property: impl Into<String>, has: bool) -> Self {
        Self {
            property_name: property.into(),
            operator: if has {
                FilterOperator::HasProperty
            } else {
                FilterOperator::NotHasProperty
            },
            value: None,
            high_value: None,
            values: None,
        }
    }
}

/// `FilterGroup`: filters ANDed; groups are ORed. HubSpot allows 5 groups, 6 filters per
/// group, 18 in total (API-NOTES §9).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FilterGroup {
    /// ANDed filters.
    pub filters: Vec<Filter>,
}

/// `PublicObjectSearchRequest`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    /// ORed groups.
    #[serde(default)]
    pub filter_groups: Vec<FilterGroup>,
    /// At most one rule is honoured.
    #[serde(default)]
    pub sorts: Vec<Sort>,
    /// Free text over default text properties (≤ 3,000 chars).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Properties to return (default set when empty).
    #[serde(default)]
    pub properties: Vec<String>,
    /// Page size; clamped to 200 by the client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Offset cursor from `paging.next.after`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// `Pipeline`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pipeline {
    /// Pipeline id (`"0"` for the default ticket pipeline).
    pub id: String,
    /// Label.
    pub label: String,
    /// Order in the UI.
    #[serde(default)]
    pub display_order: i64,
    /// Stages.
    #[serde(default)]
    pub stages: Vec<PipelineStage>,
    /// Creation time; **epoch 0 for default pipelines** (spec `Pipeline.createdAt`).
    #[serde(with = "ts")]
    pub created_at: Timestamp,
    /// Update time.
    #[serde(with = "ts")]
    pub updated_at: Timestamp,
    /// Archived.
    #[serde(default)]
    pub archived: bool,
    /// When archived.
    #[serde(default, with = "opt_ts", skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<Timestamp>,
    /// Unmodelled fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `PipelineStage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineStage {
    /// Stage id (value of `hs_pipeline_stage`).
    pub id: String,
    /// Label.
    pub label: String,
    /// Order.
    #[serde(default)]
    pub display_order: i64,
    /// `ticketState` (`OPEN`/`CLOSED`), `isClosed` [O], deals' `probability`.
    #[serde(default, deserialize_with = "string_map")]
    pub metadata: BTreeMap<String, String>,
    /// Creation time (epoch 0 tolerated).
    #[serde(with = "ts")]
    pub created_at: Timestamp,
    /// Update time.
    #[serde(with = "ts")]
    pub updated_at: Timestamp,
    /// Archived.
    #[serde(default)]
    pub archived: bool,
    /// When archived.
    #[serde(default, with = "opt_ts", skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<Timestamp>,
    /// `CRM_PERMISSIONS_ENFORCEMENT | READ_ONLY | INTERNAL_ONLY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_permissions: Option<String>,
    /// Unmodelled fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl PipelineStage {
    /// Closed stage: `metadata.ticketState == "CLOSED"` or `metadata.isClosed == "true"`.
    pub fn is_closed(&self) -> bool {
        self.metadata.get("ticketState").map(String::as_str) == Some("CLOSED")
            || self.metadata.get("isClosed").map(String::as_str) == Some("true")
    }
}

/// `Property`: a property definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Property {
    /// Internal name.
    pub name: String,
    /// Label.
    #[serde(default, deserialize_with = "null_to_empty")]
    pub label: String,
    /// `bool, date, datetime, enumeration, number, phone_number, string`.
    #[serde(rename = "type", default, deserialize_with = "null_to_empty")]
    pub type_: String,
    /// `select, checkbox, text, textarea, ...`.
    #[serde(default, deserialize_with = "null_to_empty")]
    pub field_type: String,
    /// Group.
    #[serde(default, deserialize_with = "null_to_empty")]
    pub group_name: String,
    /// Description.
    #[serde(default, deserialize_with = "null_to_empty")]
    pub description: String,
    /// Enumeration options.
    #[serde(default)]
    pub options: Vec<PropertyOption>,
    /// Order in the UI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_order: Option<i64>,
    /// Hidden in the UI.
    #[serde(default)]
    pub hidden: bool,
    /// Usable in forms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_field: Option<bool>,
    /// Calculated (read-only).
    #[serde(default)]
    pub calculated: bool,
    /// Options come from elsewhere (e.g. owners for `hubspot_owner_id`).
    #[serde(default)]
    pub external_options: bool,
    /// Unique values.
    #[serde(default)]
    pub has_unique_value: bool,
    /// Built-in.
    #[serde(default)]
    pub hubspot_defined: bool,
    /// e.g. `OWNER` for `hubspot_owner_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referenced_object_type: Option<String>,
    /// What may be changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modification_metadata: Option<ModificationMetadata>,
    /// Archived.
    #[serde(default)]
    pub archived: bool,
    /// Unmodelled fields (hints, sensitivity, timestamps, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Property {
    /// Whether values of this property can be written (not calculated, not read-only).
    pub fn is_writable(&self) -> bool {
        !self.calculated
            && !self
                .modification_metadata
                .as_ref()
                .is_some_and(|m| m.read_only_value)
    }
}

/// `Option` of a property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyOption {
    /// Label.
    pub label: String,
    /// Stored value.
    pub value: String,
    /// Hidden.
    #[serde(default)]
    pub hidden: bool,
    /// Order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_order: Option<i64>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `PropertyModificationMetadata`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModificationMetadata {
    /// Can be archived.
    #[serde(default)]
    pub archivable: bool,
    /// Definition read-only.
    #[serde(default)]
    pub read_only_definition: bool,
    /// Value read-only.
    #[serde(default)]
    pub read_only_value: bool,
    /// Options read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_options: Option<bool>,
}

/// `PropertyGroup`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyGroup {
    /// Internal name.
    pub name: String,
    /// Label.
    #[serde(default, deserialize_with = "null_to_empty")]
    pub label: String,
    /// Order.
    #[serde(default)]
    pub display_order: i64,
    /// Archived.
    #[serde(default)]
    pub archived: bool,
}

/// `PublicOwner`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicOwner {
    /// Owner id: the value of `hubspot_owner_id` (not `user_id`).
    pub id: String,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// User id; `null` for archived owners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// User id even when inactive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id_including_inactive: Option<i64>,
    /// `PERSON` or `QUEUE`.
    #[serde(rename = "type", default, deserialize_with = "null_to_empty")]
    pub type_: String,
    /// Teams.
    #[serde(default)]
    pub teams: Vec<PublicTeam>,
    /// Archived.
    #[serde(default)]
    pub archived: bool,
    /// Unmodelled fields (`createdAt`, `updatedAt`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl PublicOwner {
    /// "First Last", falling back to the email, then the id.
    pub fn display_name(&self) -> String {
        let name = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if !name.is_empty() {
            name
        } else if let Some(e) = self.email.as_deref().filter(|e| !e.is_empty()) {
            e.to_owned()
        } else {
            self.id.clone()
        }
    }
}

/// `PublicTeam`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicTeam {
    /// Team id.
    pub id: String,
    /// Name.
    #[serde(default, deserialize_with = "null_to_empty")]
    pub name: String,
    /// Primary team of the owner.
    #[serde(default)]
    pub primary: bool,
}

/// A `{results: [...]}` wrapper without paging (properties, groups, pipelines, labels).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct Results<T> {
    #[serde(default = "Vec::new")]
    pub results: Vec<T>,
}

/// Accepts a JSON string or number (ids and cursors: HubSpot's docs show numbers where the
/// spec says strings, e.g. v4 `toObjectId`, API-NOTES §2.2).
pub(crate) fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or number, got {other}"
        ))),
    }
}

fn null_to_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

fn labels<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let raw: Option<Vec<Option<String>>> = Option::deserialize(d)?;
    Ok(raw.unwrap_or_default().into_iter().flatten().collect())
}

/// Stage metadata is string → string in the spec; tolerate numbers/bools.
fn string_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let raw: Option<Map<String, Value>> = Option::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| match v {
            Value::Null => None,
            Value::String(s) => Some((k, s)),
            other => Some((k, other.to_string())),
        })
        .collect())
}

/// Parses a date-time that HubSpot may send as ISO 8601 or, for default pipelines
/// (`createdAt` = 0), possibly as epoch milliseconds. Serializes as ISO 8601.
fn parse_ts(v: Value) -> Result<Timestamp, String> {
    match v {
        Value::String(s) => {
            if let Ok(ms) = s.parse::<i64>() {
                Timestamp::from_millisecond(ms).map_err(|e| e.to_string())
            } else {
                s.parse::<Timestamp>()
                    .map_err(|e| format!("bad timestamp {s:?}: {e}"))
            }
        }
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| format!("bad timestamp {n}"))
            .and_then(|ms| Timestamp::from_millisecond(ms).map_err(|e| e.to_string())),
        other => Err(format!("expected a timestamp, got {other}")),
    }
}

mod ts {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};
    use serde_json::Value;

    pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(t)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        super::parse_ts(Value::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

mod opt_ts {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};
    use serde_json::Value;

    pub fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.collect_str(t),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            v => super::parse_ts(v)
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TICKET: &str = r#"{
      "id": "1145814089",
      "properties": {
        "createdate": "2024-08-15T17:09:13.648Z",
        "hs_pipeline": "0",
        "hs_pipeline_stage": "1",
        "subject": "Printer on fire",
        "content": null,
        "hs_ticket_priority": "HIGH"
      },
      "propertiesWithHistory": {
        "hs_pipeline_stage": [
          {"value":"4","timestamp":"2026-02-03T10:00:00.000Z","sourceType":"CRM_UI","sourceId":"userId:9586504","updatedByUserId":9586504},
          {"value":"1","timestamp":"2026-02-01T09:00:00.000Z","sourceType":"API","sourceId":"sample-app","sourceLabel":"My Integration"}
        ]
      },
      "createdAt": "2024-08-15T17:09:13.648Z",
      "updatedAt": "2024-08-15T17:09:13.648Z",
      "archived": false,
      "url": "https://app.hubspot.com/contacts/1/record/0-5/1145814089",
      "someFutureField": {"x": 1},
      "associations": {
        "contacts":  { "results": [ { "id": "201", "type": "ticket_to_contact" } ] },
        "companies": { "results": [ { "id": "301", "type": "ticket_to_company" },
                                    { "id": "301", "type": "ticket_to_company_unlabeled" } ] }
      }
    }"#;

    #[test]
    fn ticket_with_nulls_history_and_unknown_fields() {
        let t: SimplePublicObject = serde_json::from_str(TICKET).expect("parse");
        assert_eq!(t.property("subject"), Some("Printer on fire"));
        assert_eq!(t.property("content"), None);
        assert!(t.properties.contains_key("content"));
        assert_eq!(t.property("missing"), None);
        let h = &t.properties_with_history.as_ref().expect("history")["hs_pipeline_stage"];
        assert_eq!(h[0].value, "4");
        assert_eq!(h[0].updated_by_user_id, Some(9_586_504));
        assert_eq!(h[1].source_label.as_deref(), Some("My Integration"));
        assert_eq!(
            t.created_at,
            "2024-08-15T17:09:13.648Z".parse::<Timestamp>().expect("ts")
        );
        let assoc = t.associations.as_ref().expect("assoc");
        assert_eq!(
            assoc["companies"].results[1].type_,
            "ticket_to_company_unlabeled"
        );
        assert!(t.extra.contains_key("url"));
        // Round trip keeps unknown fields and nulls.
        let back = serde_json::to_value(&t).expect("ser");
        assert_eq!(back["someFutureField"]["x"], 1);
        assert!(back["properties"]["content"].is_null());
        assert_eq!(back["createdAt"], "2024-08-15T17:09:13.648Z");
        let again: SimplePublicObject = serde_json::from_value(back).expect("reparse");
        assert_eq!(again, t);
    }

    #[test]
    fn ticket_without_an_empty_property() {
        let t: SimplePublicObject = serde_json::from_str(
            r#"{"id":"1","properties":{"subject":"x"},"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z","archived":true,"archivedAt":"2026-02-01T00:00:00Z"}"#,
        )
        .expect("parse");
        assert_eq!(t.property("content"), None);
        assert!(t.archived);
        assert!(t.archived_at.is_some());
        assert!(t.properties_with_history.is_none());
    }

    #[test]
    fn page_and_search_paging() {
        let p: Page<SimplePublicObject> = serde_json::from_str(
            r#"{"results":[],"paging":{"next":{"after":"NTI1Cg%3D%3D","link":"?after=NTI1Cg%3D%3D"}}}"#,
        )
        .expect("parse");
        assert_eq!(p.next_after(), Some("NTI1Cg%3D%3D"));
        let s: SearchPage<Value> = serde_json::from_str(
            r#"{"total":231,"results":[{"id":"1"}],"paging":{"next":{"after":100}}}"#,
        )
        .expect("parse");
        assert_eq!(s.total, 231);
        assert_eq!(s.next_after(), Some("100"));
        let last: Page<Value> = serde_json::from_str(r#"{"results":[]}"#).expect("parse");
        assert_eq!(last.next_after(), None);
    }

    #[test]
    fn v4_association_to_object_id_number_or_string() {
        let page: Page<AssociatedObject> = serde_json::from_str(
            r#"{"results":[
              {"toObjectId": 5790939450, "associationTypes": [{"category":"HUBSPOT_DEFINED","typeId":1,"label":"Primary"},{"category":"HUBSPOT_DEFINED","typeId":279,"label":null}]},
              {"toObjectId": "42", "associationTypes": [{"category":"USER_DEFINED","typeId":7}]}
            ]}"#,
        )
        .expect("parse");
        assert_eq!(page.results[0].to_object_id, "5790939450");
        assert_eq!(
            page.results[0].association_types[0].label.as_deref(),
            Some("Primary")
        );
        assert_eq!(page.results[0].association_types[1].label, None);
        assert_eq!(page.results[1].to_object_id, "42");
        assert_eq!(
            page.results[1].association_types[0].spec(),
            AssociationSpec {
                association_category: AssociationCategory::UserDefined,
                association_type_id: 7
            }
        );
    }

    #[test]
    fn labels_between_pair() {
        let l: LabelsBetweenObjectPair = serde_json::from_str(
            r#"{"fromObjectTypeId":"0-5","fromObjectId":1,"toObjectTypeId":"0-1","toObjectId":"2","labels":["Primary",null]}"#,
        )
        .expect("parse");
        assert_eq!(l.from_object_id, "1");
        assert_eq!(l.labels, vec!["Primary".to_owned()]);
    }

    #[test]
    fn pipeline_with_epoch_zero_created_at() {
        for created in [r#""1970-01-01T00:00:00Z""#, "0", r#""0""#] {
            let json = format!(
                r#"{{"id":"0","label":"Support Pipeline","displayOrder":0,"createdAt":{created},"updatedAt":"2026-01-01T00:00:00Z","archived":false,
                 "stages":[{{"id":"4","label":"Closed","displayOrder":3,"metadata":{{"ticketState":"CLOSED","isClosed":"true"}},"createdAt":{created},"updatedAt":"2026-01-01T00:00:00Z","archived":false}}]}}"#
            );
            let p: Pipeline = serde_json::from_str(&json).expect("parse");
            assert_eq!(p.created_at, Timestamp::UNIX_EPOCH);
            assert!(p.stages[0].is_closed());
            assert_eq!(
                serde_json::to_value(&p).expect("ser")["createdAt"],
                "1970-01-01T00:00:00Z"
            );
        }
    }

    #[test]
    fn property_definition() {
        let p: Property = serde_json::from_str(
            r#"{"name":"hs_ticket_priority","label":"Priority","type":"enumeration","fieldType":"select",
             "groupName":"ticketinformation","description":"","displayOrder":-1,"hidden":false,
             "hubspotDefined":true,"calculated":false,"externalOptions":false,"hasUniqueValue":false,
             "formField":true,"options":[{"label":"Low","value":"LOW","displayOrder":0,"hidden":false},
             {"label":"High","value":"HIGH","displayOrder":2,"hidden":false}],
             "modificationMetadata":{"archivable":false,"readOnlyDefinition":true,"readOnlyValue":false},
             "createdAt":"2020-01-01T00:00:00Z"}"#,
        )
        .expect("parse");
        assert_eq!(p.type_, "enumeration");
        assert_eq!(p.options[1].value, "HIGH");
        assert!(p.is_writable());
        assert!(p.extra.contains_key("createdAt"));
    }

    /// Strings HubSpot may leave out may also come as `null` (as requested-but-empty
    /// property values do): both read as "".
    #[test]
    fn property_definition_with_null_strings() {
        let p: Property = serde_json::from_str(
            r#"{"name":"ticket_code","label":null,"type":"string","fieldType":null,"groupName":null,
             "description":null,"options":[]}"#,
        )
        .expect("null strings parse");
        assert_eq!(
            (
                p.label.as_str(),
                p.field_type.as_str(),
                p.group_name.as_str()
            ),
            ("", "", "")
        );
        assert_eq!(p.description, "");
        let v: ValueWithTimestamp = serde_json::from_str(
            r#"{"value":null,"timestamp":"2026-01-01T00:00:00Z","sourceType":null}"#,
        )
        .expect("history with nulls parses");
        assert_eq!((v.value.as_str(), v.source_type.as_str()), ("", ""));
    }

    #[test]
    fn owner() {
        let o: PublicOwner = serde_json::from_str(
            r#"{"id":"7","email":"a@b.c","firstName":"Ada","lastName":"L","userId":null,"userIdIncludingInactive":9,"type":"PERSON","teams":[{"id":"1","name":"Support","primary":true}],"createdAt":"2020-01-01T00:00:00Z","updatedAt":"2020-01-01T00:00:00Z","archived":true}"#,
        )
        .expect("parse");
        assert_eq!(o.display_name(), "Ada L");
        assert_eq!(o.user_id, None);
        assert!(o.teams[0].primary);
    }

    #[test]
    fn batch_response_with_errors() {
        let b: BatchResponse<SimplePublicObject> = serde_json::from_str(
            r#"{"status":"COMPLETE","results":[],"numErrors":1,"errors":[{"status":"error","category":"OBJECT_NOT_FOUND","message":"Could not get some TICKET objects","context":{"ids":["9"]},"errors":[],"links":{}}],"startedAt":"2026-01-01T00:00:00Z","completedAt":"2026-01-01T00:00:01Z"}"#,
        )
        .expect("parse");
        assert_eq!(b.num_errors, Some(1));
        assert_eq!(b.errors[0].ids(), ["9"]);
    }

    #[test]
    fn search_request_shape() {
        let r = SearchRequest {
            filter_groups: vec![FilterGroup {
                filters: vec![
                    Filter::eq("hs_pipeline", "0"),
                    Filter::in_values("hs_pipeline_stage", vec!["1".into(), "2".into()]),
                ],
            }],
            sorts: vec![Sort {
                property_name: "hs_lastmodifieddate".into(),
                direction: SortDirection::Descending,
            }],
            properties: vec!["subject".into()],
            limit: Some(100),
            after: Some("0".into()),
            query: None,
        };
        let v = serde_json::to_value(&r).expect("ser");
        assert_eq!(
            v,
            serde_json::json!({"filterGroups":[{"filters":[
                {"propertyName":"hs_pipeline","operator":"EQ","value":"0"},
                {"propertyName":"hs_pipeline_stage","operator":"IN","values":["1","2"]}]}],
              "sorts":[{"propertyName":"hs_lastmodifieddate","direction":"DESCENDING"}],
              "properties":["subject"],"limit":100,"after":"0"})
        );
    }

    #[test]
    fn create_input_always_sends_associations() {
        let mut props = PropertyValues::new();
        props.insert("subject".into(), "x".into());
        let c = CreateInput {
            properties: props,
            associations: vec![AssociationInput {
                to: ObjectId::new("201"),
                types: vec![AssociationSpec::hubspot(16)],
            }],
            object_write_trace_id: None,
        };
        assert_eq!(
            serde_json::to_value(&c).expect("ser"),
            serde_json::json!({"properties":{"subject":"x"},"associations":[{"to":{"id":"201"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":16}]}]})
        );
    }
}
