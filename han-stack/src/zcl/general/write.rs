//! Write Attributes (0x02, undivided 0x03, no response 0x05) and Write Attributes Response (0x04), ZCL rev 6+ 2.5.3-2.5.6.

use super::Status;
use crate::error::Result;
use crate::wire::{Reader, Wire, Writer};
use crate::zcl::field::{Field, payload, wire_field};
use crate::zcl::types::ZclValue;

payload! {
    /// An attribute id with a typed value (write and report records).
    AttributeValue { id: u16, value: ZclValue }
}

payload! {
    /// Write Attributes (also the undivided and no-response forms).
    WriteAttributes { records: Vec<AttributeValue> }
}

/// One status record of a Write Attributes Response; a lone SUCCESS has no attribute id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WriteAttributeStatus {
    /// Status.
    pub status: Status,
    /// Attribute id, present exactly when the status is not SUCCESS.
    pub id: Option<u16>,
}

impl Wire for WriteAttributeStatus {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let status = Status::read(r)?;
        let id = if status.is_success() {
            None
        } else {
            Some(r.u16("attribute id")?)
        };
        Ok(WriteAttributeStatus { status, id })
    }
    fn emit(&self, w: &mut Writer) {
        self.status.write(w);
        if let Some(id) = self.id {
            w.u16(id);
        }
    }
}
wire_field!(WriteAttributeStatus);

payload! {
    /// Write Attributes Response.
    WriteAttributesResponse { records: Vec<WriteAttributeStatus> }
}
