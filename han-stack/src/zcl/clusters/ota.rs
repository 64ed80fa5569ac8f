//! OTA Upgrade cluster 0x0019 (ZCL rev 6+ 11.13).

use crate::error::Result;
use crate::wire::{Reader, Wire, Writer};
use crate::zcl::field::{Eui64, Field, OctetStr, payload, wire_field};
use crate::zcl::general::Status;
use crate::zcl::registry::{Attribute, Cluster, R, attr};
use serde::Serialize;

/// Query Next Image Request (client-to-server 0x01).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct QueryNextImageRequest {
    /// Field control; bit 0 says the hardware version is present.
    pub field_control: u8,
    /// Manufacturer code.
    pub manufacturer_code: u16,
    /// Image type.
    pub image_type: u16,
    /// Current file version.
    pub current_file_version: u32,
    /// Hardware version, present exactly when field control bit 0 is set.
    pub hardware_version: Option<u16>,
}

impl Wire for QueryNextImageRequest {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let field_control = r.u8("field control")?;
        Ok(QueryNextImageRequest {
            field_control,
            manufacturer_code: r.u16("manufacturer code")?,
            image_type: r.u16("image type")?,
            current_file_version: r.u32("file version")?,
            hardware_version: if field_control & 1 != 0 {
                Some(r.u16("hardware version")?)
            } else {
                None
            },
        })
    }
    fn emit(&self, w: &mut Writer) {
        w.u8(self.field_control);
        w.u16(self.manufacturer_code);
        w.u16(self.image_type);
        w.u32(self.current_file_version);
        if self.field_control & 1 != 0 {
            w.u16(self.hardware_version.unwrap_or(0));
        }
    }
}

payload! {
    /// The image offered in a Query Next Image Response.
    ImageOffer { manufacturer_code: u16, image_type: u16, file_version: u32, image_size: u32 }
}

/// Query Next Image Response (server-to-client 0x02).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct QueryNextImageResponse {
    /// Status.
    pub status: Status,
    /// The image, present exactly when the status is SUCCESS.
    pub image: Option<ImageOffer>,
}

impl Wire for QueryNextImageResponse {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let status = Status::read(r)?;
        let image = if status.is_success() {
            Some(ImageOffer::parse(r)?)
        } else {
            None
        };
        Ok(QueryNextImageResponse { status, image })
    }
    fn emit(&self, w: &mut Writer) {
        self.status.write(w);
        if let Some(i) = &self.image {
            i.emit(w);
        }
    }
}

/// Image Block Request (client-to-server 0x03).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ImageBlockRequest {
    /// Field control: bit 0 request node address present, bit 1 minimum block period present.
    pub field_control: u8,
    /// Manufacturer code.
    pub manufacturer_code: u16,
    /// Image type.
    pub image_type: u16,
    /// File version.
    pub file_version: u32,
    /// Offset in the file.
    pub file_offset: u32,
    /// Largest block the client accepts.
    pub maximum_data_size: u8,
    /// Requesting node, present exactly when bit 0 is set.
    pub request_node_address: Option<Eui64>,
    /// Minimum block period (ms), present exactly when bit 1 is set.
    pub minimum_block_period: Option<u16>,
}

impl Wire for ImageBlockRequest {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let field_control = r.u8("field control")?;
        Ok(ImageBlockRequest {
            field_control,
            manufacturer_code: r.u16("manufacturer code")?,
            image_type: r.u16("image type")?,
            file_version: r.u32("file version")?,
            file_offset: r.u32("file offset")?,
            maximum_data_size: r.u8("maximum data size")?,
            request_node_address: if field_control & 1 != 0 {
                Some(Eui64::read(r)?)
            } else {
                None
            },
            minimum_block_period: if field_control & 2 != 0 {
                Some(r.u16("minimum block period")?)
            } else {
                None
            },
        })
    }
    fn emit(&self, w: &mut Writer) {
        w.u8(self.field_control);
        w.u16(self.manufacturer_code);
        w.u16(self.image_type);
        w.u32(self.file_version);
        w.u32(self.file_offset);
        w.u8(self.maximum_data_size);
        if self.field_control & 1 != 0 {
            self.request_node_address.unwrap_or_default().write(w);
        }
        if self.field_control & 2 != 0 {
            w.u16(self.minimum_block_period.unwrap_or(0));
        }
    }
}

payload! {
    /// A block of image data.
    ImageBlock { manufacturer_code: u16, image_type: u16, file_version: u32, file_offset: u32, data: OctetStr }
}

payload! {
    /// When to ask again (WAIT_FOR_DATA).
    ImageBlockWait { current_time: u32, request_time: u32, minimum_block_period: Option<u16> }
}

/// What an Image Block Response carries, by status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ImageBlockBody {
    /// SUCCESS: the data.
    Block(ImageBlock),
    /// WAIT_FOR_DATA (0x97): retry later.
    Wait(ImageBlockWait),
    /// Any other status: nothing.
    None,
}

/// Image Block Response (server-to-client 0x05).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageBlockResponse {
    /// Status.
    pub status: Status,
    /// The body its status calls for.
    pub body: ImageBlockBody,
}

impl Wire for ImageBlockResponse {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let status = Status::read(r)?;
        let body = match status.0 {
            0x00 => ImageBlockBody::Block(ImageBlock::parse(r)?),
            0x97 => ImageBlockBody::Wait(ImageBlockWait::parse(r)?),
            _ => ImageBlockBody::None,
        };
        Ok(ImageBlockResponse { status, body })
    }
    fn emit(&self, w: &mut Writer) {
        self.status.write(w);
        match &self.body {
            ImageBlockBody::Block(b) => b.emit(w),
            ImageBlockBody::Wait(b) => b.emit(w),
            ImageBlockBody::None => {}
        }
    }
}

wire_field!(
    QueryNextImageRequest,
    QueryNextImageResponse,
    ImageBlockRequest,
    ImageBlockResponse
);

static CLIENT: [Attribute; 11] = [
    attr(0x0000, "UpgradeServerID", 0xf0, R),
    attr(0x0001, "FileOffset", 0x23, R),
    attr(0x0002, "CurrentFileVersion", 0x23, R),
    attr(0x0003, "CurrentZigBeeStackVersion", 0x21, R),
    attr(0x0004, "DownloadedFileVersion", 0x23, R),
    attr(0x0005, "DownloadedZigBeeStackVersion", 0x21, R),
    attr(0x0006, "ImageUpgradeStatus", 0x30, R),
    attr(0x0007, "ManufacturerID", 0x21, R),
    attr(0x0008, "ImageTypeID", 0x21, R),
    attr(0x0009, "MinimumBlockPeriod", 0x21, R),
    attr(0x000a, "ImageStamp", 0x23, R),
];

/// Registry entry.
pub static CLUSTER: Cluster = Cluster {
    id: 0x0019,
    name: "OTA Upgrade",
    server_attributes: &[],
    client_attributes: &CLIENT,
    numbered: None,
    received: &[
        (0x01, "Query Next Image Request"),
        (0x03, "Image Block Request"),
        (0x04, "Image Page Request"),
        (0x06, "Upgrade End Request"),
        (0x08, "Query Device Specific File Request"),
    ],
    generated: &[
        (0x00, "Image Notify"),
        (0x02, "Query Next Image Response"),
        (0x05, "Image Block Response"),
        (0x07, "Upgrade End Response"),
        (0x09, "Query Device Specific File Response"),
    ],
};
