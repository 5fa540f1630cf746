//! Pipelines (`GET /crm/v3/pipelines/{objectType}`, API-NOTES §4.3).
//!
//! Owns: reading pipelines and their stages. Must not: hard-code stage ids (they differ per
//! portal) or cache (the caller decides).

use super::client::{Client, Request, seg};
use super::dto::{Pipeline, Results};
use super::error::ApiError;

impl Client {
    /// All pipelines of an object type with their stages (not paged).
    pub async fn pipelines(&self, object_type: &str) -> Result<Vec<Pipeline>, ApiError> {
        let r: Results<Pipeline> = self
            .json(Request::get(format!(
                "/crm/v3/pipelines/{}",
                seg(object_type)
            )))
            .await?;
        Ok(r.results)
    }

    /// One pipeline.
    pub async fn pipeline(
        &self,
        object_type: &str,
        pipeline_id: &str,
    ) -> Result<Pipeline, ApiError> {
        self.json(Request::get(format!(
            "/crm/v3/pipelines/{}/{}",
            seg(object_type),
            seg(pipeline_id)
        )))
        .await
    }
}
