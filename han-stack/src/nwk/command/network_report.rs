//! Network report, NWK command 0x09 (Zigbee PRO R22 3.4.9).
//!
//! `| options 1 (count bits 0–4, report type bits 5–7) | extended PAN ID 8 | report information |`

use crate::error::Result;
use crate::nwk::command::pan_id_list::PanIdList;
use crate::wire::{ExtAddr, Reader, Wire, Writer};

/// A network report (type 0: PAN identifier conflict).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NetworkReport {
    /// Extended PAN ID of the reporting network.
    pub epid: ExtAddr,
    /// Report information.
    pub report: PanIdList,
}

impl Wire for NetworkReport {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let options = r.u8("network report options")?;
        let epid = ExtAddr::parse(r)?;
        Ok(NetworkReport {
            epid,
            report: PanIdList::parse(r, options)?,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.report.options());
        self.epid.emit(w);
        self.report.emit(w);
    }
}
