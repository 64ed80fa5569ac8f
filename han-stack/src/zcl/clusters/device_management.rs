//! Device Management cluster 0x0708 (SE 1.4 D.10); payloads are kept raw.

use crate::zcl::registry::{Attribute, Cluster, R, attr};

static SERVER: [Attribute; 12] = [
    attr(0x0100, "ProviderID", 0x23, R),
    attr(0x0101, "ProviderName", 0x41, R),
    attr(0x0102, "ProviderContactDetails", 0x41, R),
    attr(0x0110, "ProposedProviderID", 0x23, R),
    attr(0x0111, "ProposedProviderName", 0x41, R),
    attr(0x0112, "ProposedProviderChangeDate", 0xe2, R),
    attr(0x0113, "ProposedProviderChangeControl", 0x1b, R),
    attr(0x0200, "ChangeOfTenancyUpdateDateTime", 0xe2, R),
    attr(0x0201, "ProposedTenancyChangeControl", 0x1b, R),
    attr(0x0300, "WANStatus", 0x30, R),
    attr(0x0400, "LowMediumThreshold", 0x23, R),
    attr(0x0401, "MediumHighThreshold", 0x23, R),
];

/// Registry entry.
pub static CLUSTER: Cluster = Cluster {
    id: 0x0708,
    name: "Device Management",
    server_attributes: &SERVER,
    client_attributes: &[],
    numbered: None,
    received: &[
        (0x00, "Get Change of Tenancy"),
        (0x01, "Get Change of Supplier"),
        (0x02, "Request New Password"),
        (0x03, "Get Site ID"),
        (0x04, "Report Event Configuration"),
        (0x05, "Get CIN"),
    ],
    generated: &[
        (0x00, "Publish Change of Tenancy"),
        (0x01, "Publish Change of Supplier"),
        (0x02, "Request New Password Response"),
        (0x03, "Update Site ID"),
        (0x04, "Set Event Configuration"),
        (0x05, "Get Event Configuration"),
        (0x06, "Update CIN"),
    ],
};
