//! The scopes hubtix needs, by feature, against those token info lists (API-NOTES §8: any one
//! scope of a need's list satisfies it).

use super::Check;
use crate::hubspot::{ApiError, TokenInfo};

/// One feature and the scopes of which it needs one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    pub feature: &'static str,
    pub any_of: &'static [&'static str],
}

/// Every need, in the order the README lists the scopes.
pub const NEEDS: &[Need] = &[
    Need {
        feature: "read tickets",
        any_of: &["tickets", "crm.objects.tickets.read"],
    },
    Need {
        feature: "edit tickets",
        any_of: &["tickets", "crm.objects.tickets.write"],
    },
    Need {
        feature: "ticket properties and pipelines",
        any_of: &["tickets", "crm.schemas.tickets.read"],
    },
    Need {
        feature: "contacts, notes, calls, tasks and meetings",
        any_of: &["crm.objects.contacts.read"],
    },
    Need {
        feature: "companies",
        any_of: &["crm.objects.companies.read"],
    },
    Need {
        feature: "deals",
        any_of: &["crm.objects.deals.read"],
    },
    Need {
        feature: "writing contact associations and activities",
        any_of: &["crm.objects.contacts.write"],
    },
    Need {
        feature: "writing company associations",
        any_of: &["crm.objects.companies.write"],
    },
    Need {
        feature: "writing deal associations",
        any_of: &["crm.objects.deals.write"],
    },
    Need {
        feature: "owner names",
        any_of: &["crm.objects.owners.read"],
    },
    Need {
        feature: "email bodies",
        any_of: &["sales-email-read", "crm.objects.contacts.read"],
    },
];

/// The needs `granted` does not cover.
pub fn missing_needs(granted: &[String]) -> Vec<Need> {
    NEEDS
        .iter()
        .filter(|n| !n.any_of.iter().any(|s| granted.iter().any(|g| g == s)))
        .copied()
        .collect()
}

/// The scopes line: every need covered, or which are not and the scope to add.
pub(super) fn check(info: &Result<TokenInfo, ApiError>) -> Check {
    let Ok(info) = info else {
        // Service keys and OAuth tokens: no private-app token info (UNCONFIRMED for service
        // keys); a missing scope is named by HubSpot's 403 when a feature needs it.
        return Check::ok(
            "scopes",
            "not listed for this kind of credential: a missing one is named when it is needed",
        );
    };
    let missing = missing_needs(&info.scopes);
    if missing.is_empty() {
        return Check::ok(
            "scopes",
            format!(
                "all {} needs covered ({} scopes)",
                NEEDS.len(),
                info.scopes.len()
            ),
        );
    }
    let named: Vec<String> = missing
        .iter()
        .map(|n| format!("{} ({})", n.any_of[0], n.feature))
        .collect();
    Check::fail(
        "scopes",
        format!(
            "missing {}: add them to the key in HubSpot, then run hubtix again",
            named.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_need_is_met_by_any_of_its_scopes() {
        let all: Vec<String> = crate::sandbox::DEFAULT_SCOPES
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert!(missing_needs(&all).is_empty());
        let only_granular: Vec<String> = all.iter().filter(|s| *s != "tickets").cloned().collect();
        assert!(missing_needs(&only_granular).is_empty());
        let no_owners: Vec<String> = all
            .iter()
            .filter(|s| *s != "crm.objects.owners.read")
            .cloned()
            .collect();
        let missing = missing_needs(&no_owners);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].feature, "owner names");
    }
}
