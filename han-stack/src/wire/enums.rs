//! [`wire_enum!`]: fieldless wire enums with explicit values and an `Unknown`
//! arm, so every value round-trips (`from(to(x)) == x`).

/// Declares a wire enum with explicit values, an `Unknown($ty)` arm, a
/// constructor from the wire value and the wire value back.
///
/// - `enum E: u8 { A = 0 => "A name", .. }` gives `from_value`, `value` and
///   `name` (the name tshark prints).
/// - `enum E: u8 as from_u8 / to_u8 { .. }` names the two methods; the
///   variants may then leave out the names (no `name` method).
/// - `as from_bits / bits & 0x03` reads a bit field: only the masked bits are
///   looked at, and an `Unknown` value is masked on the way out.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $ty:ty {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal => $label:literal, )*
        }
    ) => {
        $crate::wire::wire_enum! { @codec [$(#[$meta])*] $vis $name $ty, from_value, value, [];
            $( [$(#[$vmeta])*] $variant = $value, )* }
        $crate::wire::wire_enum! { @names $name; $( $variant => $label, )* }
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $ty:ty as $from:ident / $to:ident $(& $mask:literal)? {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal => $label:literal, )*
        }
    ) => {
        $crate::wire::wire_enum! { @codec [$(#[$meta])*] $vis $name $ty, $from, $to, [$($mask)?];
            $( [$(#[$vmeta])*] $variant = $value, )* }
        $crate::wire::wire_enum! { @names $name; $( $variant => $label, )* }
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $ty:ty as $from:ident / $to:ident $(& $mask:literal)? {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )*
        }
    ) => {
        $crate::wire::wire_enum! { @codec [$(#[$meta])*] $vis $name $ty, $from, $to, [$($mask)?];
            $( [$(#[$vmeta])*] $variant = $value, )* }
    };
    (
        @codec [$(#[$meta:meta])*] $vis:vis $name:ident $ty:ty, $from:ident, $to:ident, [$($mask:literal)?];
        $( [$(#[$vmeta:meta])*] $variant:ident = $value:literal, )*
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value without a name here, kept as is.
            Unknown($ty),
        }

        impl $name {
            /// The enum for a wire value.
            pub fn $from(v: $ty) -> Self {
                match v $(& $mask)? {
                    $( $value => $name::$variant, )*
                    other => $name::Unknown(other),
                }
            }

            /// The wire value.
            pub fn $to(self) -> $ty {
                match self {
                    $( $name::$variant => $value, )*
                    $name::Unknown(v) => v $(& $mask)?,
                }
            }
        }
    };
    (@names $name:ident; $( $variant:ident => $label:literal, )*) => {
        impl $name {
            /// The name tshark prints.
            pub fn name(self) -> &'static str {
                match self {
                    $( $name::$variant => $label, )*
                    $name::Unknown(_) => "Unknown",
                }
            }
        }
    };
}
pub(crate) use wire_enum;
