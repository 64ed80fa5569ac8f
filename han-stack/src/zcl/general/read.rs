//! Read Attributes (0x00) and Read Attributes Response (0x01), ZCL rev 6+ 2.5.1-2.5.2.

use super::Status;
use crate::error::Result;
use crate::wire::{Reader, Wire, Writer};
use crate::zcl::field::{Field, payload, wire_field};
use crate::zcl::types::ZclValue;

payload! {
    /// Read Attributes: the attribute ids asked for.
    ReadAttributes { attributes: Vec<u16> }
}

/// One record of a Read Attributes Response.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReadAttributeStatus {
    /// Attribute id.
    pub id: u16,
    /// Status of the read.
    pub status: Status,
    /// The typed value, present exactly when the status is SUCCESS.
    pub value: Option<ZclValue>,
}

impl Wire for ReadAttributeStatus {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let id = r.u16("attribute id")?;
        let status = Status::read(r)?;
        let value = if status.is_success() {
            Some(ZclValue::parse(r)?)
        } else {
            None
        };
        Ok(ReadAttributeStatus { id, status, value })
    }
    fn emit(&self, w: &mut Writer) {
        w.u16(self.id);
        self.status.write(w);
        if let Some(v) = &self.value {
            v.emit(w);
        }
    }
}
wire_field!(ReadAttributeStatus);

payload! {
    /// Read Attributes Response: one record per attribute asked for.
    ReadAttributesResponse { records: Vec<ReadAttributeStatus> }
}
