//! Reporting: Configure Reporting (0x06) and response (0x07), Read Reporting Configuration
//! (0x08) and response (0x09), Report Attributes (0x0a); ZCL rev 6+ 2.5.7-2.5.11.

use super::{AttributeValue, Status};
use crate::error::Result;
use crate::wire::{Reader, Wire, Writer};
use crate::zcl::field::{Field, payload, wire_field};
use crate::zcl::types::{DataType, ZclValue};

/// What a reporting configuration says, by its direction byte.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Reporting {
    /// Direction 0: how this device reports the attribute.
    Reported {
        /// Attribute data type.
        data_type: DataType,
        /// Minimum reporting interval, seconds.
        min_interval: u16,
        /// Maximum reporting interval, seconds.
        max_interval: u16,
        /// Reportable change, present exactly for analog types, of `data_type`.
        change: Option<ZclValue>,
    },
    /// Any other direction (1): how long to wait for reports from the peer.
    Received {
        /// Timeout period, seconds.
        timeout: u16,
    },
}

impl Reporting {
    /// The attribute type, for a reported configuration.
    pub fn data_type(&self) -> Option<DataType> {
        match self {
            Reporting::Reported { data_type, .. } => Some(*data_type),
            Reporting::Received { .. } => None,
        }
    }

    fn parse(direction: u8, r: &mut Reader<'_>) -> Result<Self> {
        if direction != 0 {
            return Ok(Reporting::Received {
                timeout: r.u16("timeout period")?,
            });
        }
        let data_type = DataType(r.u8("attribute data type")?);
        let min_interval = r.u16("minimum reporting interval")?;
        let max_interval = r.u16("maximum reporting interval")?;
        let change = if data_type.is_analog() {
            Some(ZclValue::parse_as(data_type, r)?)
        } else {
            None
        };
        Ok(Reporting::Reported {
            data_type,
            min_interval,
            max_interval,
            change,
        })
    }

    fn emit(&self, w: &mut Writer) {
        match self {
            Reporting::Reported {
                data_type,
                min_interval,
                max_interval,
                change,
            } => {
                w.u8(data_type.0);
                w.u16(*min_interval);
                w.u16(*max_interval);
                if let Some(c) = change {
                    c.emit_value(w);
                }
            }
            Reporting::Received { timeout } => w.u16(*timeout),
        }
    }
}

/// One attribute reporting configuration record (Configure Reporting).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportingConfig {
    /// Direction byte (0 = reported by the receiver, 1 = received by it).
    pub direction: u8,
    /// Attribute id.
    pub id: u16,
    /// The configuration; its kind follows `direction`.
    pub reporting: Reporting,
}

impl Wire for ReportingConfig {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let direction = r.u8("reporting direction")?;
        let id = r.u16("attribute id")?;
        let reporting = Reporting::parse(direction, r)?;
        Ok(ReportingConfig {
            direction,
            id,
            reporting,
        })
    }
    fn emit(&self, w: &mut Writer) {
        w.u8(self.direction);
        w.u16(self.id);
        self.reporting.emit(w);
    }
}
wire_field!(ReportingConfig);

payload! {
    /// Configure Reporting.
    ConfigureReporting { records: Vec<ReportingConfig> }
}

/// One Configure Reporting Response record; a lone SUCCESS carries nothing else.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConfigureReportingStatus {
    /// Status.
    pub status: Status,
    /// Direction and attribute id, present exactly when the status is not SUCCESS.
    pub attribute: Option<(u8, u16)>,
}

impl Wire for ConfigureReportingStatus {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let status = Status::read(r)?;
        let attribute = if status.is_success() {
            None
        } else {
            Some((r.u8("reporting direction")?, r.u16("attribute id")?))
        };
        Ok(ConfigureReportingStatus { status, attribute })
    }
    fn emit(&self, w: &mut Writer) {
        self.status.write(w);
        if let Some((d, id)) = self.attribute {
            w.u8(d);
            w.u16(id);
        }
    }
}
wire_field!(ConfigureReportingStatus);

payload! {
    /// Configure Reporting Response.
    ConfigureReportingResponse { records: Vec<ConfigureReportingStatus> }
}

payload! {
    /// A direction and attribute id (Read Reporting Configuration record).
    ReportingAttribute { direction: u8, id: u16 }
}

payload! {
    /// Read Reporting Configuration.
    ReadReportingConfiguration { records: Vec<ReportingAttribute> }
}

/// One Read Reporting Configuration Response record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportingConfigStatus {
    /// Status.
    pub status: Status,
    /// Direction byte.
    pub direction: u8,
    /// Attribute id.
    pub id: u16,
    /// The configuration, present exactly when the status is SUCCESS.
    pub reporting: Option<Reporting>,
}

impl Wire for ReportingConfigStatus {
    fn parse(r: &mut Reader<'_>) -> Result<Self> {
        let status = Status::read(r)?;
        let direction = r.u8("reporting direction")?;
        let id = r.u16("attribute id")?;
        let reporting = if status.is_success() {
            Some(Reporting::parse(direction, r)?)
        } else {
            None
        };
        Ok(ReportingConfigStatus {
            status,
            direction,
            id,
            reporting,
        })
    }
    fn emit(&self, w: &mut Writer) {
        self.status.write(w);
        w.u8(self.direction);
        w.u16(self.id);
        if let Some(c) = &self.reporting {
            c.emit(w);
        }
    }
}
wire_field!(ReportingConfigStatus);

payload! {
    /// Read Reporting Configuration Response.
    ReadReportingConfigurationResponse { records: Vec<ReportingConfigStatus> }
}

payload! {
    /// Report Attributes.
    ReportAttributes { records: Vec<AttributeValue> }
}
