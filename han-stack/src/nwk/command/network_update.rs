//! Network update, NWK command 0x0a (Zigbee PRO R22 3.4.10).
//!
//! `| options 1 (count bits 0–4, update type bits 5–7) | extended PAN ID 8 | update id 1 | update information |`

use crate::error::Result;
use crate::nwk::command::pan_id_list::PanIdList;
use crate::wire::{ExtAddr, Reader, Wire, Writer};

/// A network update (type 0: PAN identifier update).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NetworkUpdate {
    /// Extended PAN ID of the network.
    pub epid: ExtAddr,
    /// New nwkUpdateId.
    pub update_id: u8,
    /// Update information.
    pub update: PanIdList,
}

impl Wire for NetworkUpdate {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let options = r.u8("network update options")?;
        let epid = ExtAddr::parse(r)?;
        let update_id = r.u8("update id")?;
        Ok(NetworkUpdate {
            epid,
            update_id,
            update: PanIdList::parse(r, options)?,
        })
    }

    fn emit(&self, w: &mut Writer) {
        w.u8(self.update.options());
        self.epid.emit(w);
        w.u8(self.update_id);
        self.update.emit(w);
    }
}
