//! ZEP v1/v2: filled in by its module owner.
