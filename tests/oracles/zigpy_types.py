"""zigpy oracle for ZCL data types, used by han-stack/tests/zigpy_types.rs.

Modes:
  decode  read typed ZCL values as hex lines on stdin; print "ok <re-encoded hex> <rest hex or ->"
          or "err <exception>" per line.
  general read "<command id hex> <payload hex>" lines; print "ok <re-encoded hex> <rest hex or ->"
          or "err <exception>" using zigpy.zcl.foundation's schema for that general command.
  encode  print "<type id hex> <kind> <value> <hex>" for values zigpy builds and encodes itself;
          kind is int, float, text (value = utf-8 hex) or bytes (value = hex).
"""

import sys

import zigpy.types as t
from zigpy.zcl import foundation as f


def decode():
    for line in sys.stdin:
        h = line.strip()
        if not h:
            continue
        try:
            tv, rest = f.TypeValue.deserialize(bytes.fromhex(h))
            print("ok", tv.serialize().hex(), rest.hex() or "-")
        except Exception as e:  # noqa: BLE001 - any failure is a disagreement to report
            print("err", type(e).__name__)


def general():
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        cmd, data = int(parts[0], 16), bytes.fromhex(parts[1] if len(parts) > 1 else "")
        try:
            schema = f.GENERAL_COMMANDS[f.GeneralCommand(cmd)].schema
            obj, rest = schema.deserialize(data)
            print("ok", obj.serialize().hex() or "-", rest.hex() or "-")
        except Exception as e:  # noqa: BLE001
            print("err", type(e).__name__)


def cases():
    for n in range(1, 9):
        bits = 8 * n
        for v in (0, 1, 0x5A, (1 << bits) - 2, (1 << bits) - 1):
            yield 0x1F + n, "int", v
        for v in (0, -1, 1, -(1 << (bits - 1)), (1 << (bits - 1)) - 1):
            yield 0x27 + n, "int", v
        yield 0x17 + n, "int", (1 << bits) - 1 & 0x5A5A5A5A5A5A5A5A
    for v in (0, 1):
        yield 0x10, "int", v
    for v in (0, 3, 0xFF):
        yield 0x30, "int", v
    for v in (0, 0x1234, 0xFFFF):
        yield 0x31, "int", v
    for v in (1.0, -2.5, 0.0):
        yield 0x38, "float", v
        yield 0x39, "float", v
        yield 0x3A, "float", v
    # Only ASCII: zigpy 0.x writes a character count, not the octet count ZCL 2.6.2.11
    # asks for, so non-ASCII text is a known zigpy divergence.
    for s in ("", "abc", "Smart Energy"):
        yield 0x42, "text", s
        yield 0x44, "text", s
    for b in (b"", b"\x00\xff\x10"):
        yield 0x41, "bytes", b
        yield 0x43, "bytes", b
    for v in (0, 0x2A3B4C5D, 0xFFFFFFFE):
        yield 0xE2, "int", v
    for v in (0x0702, 0xFFFF):
        yield 0xE8, "int", v
        yield 0xE9, "int", v
    yield 0xEA, "int", 0x12345678


def build(tid, kind, v):
    pt = f.DataType.from_type_id(tid).python_type
    if kind == "text":
        return pt(v)
    if kind == "bytes":
        return pt(v)
    return pt(v)


def encode():
    for tid, kind, v in cases():
        try:
            data = bytes([tid]) + build(tid, kind, v).serialize()
        except Exception as e:  # noqa: BLE001
            print(f"{tid:02x} skip {type(e).__name__} -")
            continue
        if kind == "text":
            shown = v.encode().hex() or "-"
        elif kind == "bytes":
            shown = v.hex() or "-"
        else:
            shown = repr(v)
        print(f"{tid:02x} {kind} {shown} {data.hex()}")
    # Composite and named types zigpy builds from parts.
    named = [
        (0xE0, t.TimeOfDay(hours=13, minutes=40, seconds=45, hundredths=7)),
        (0xE1, t.Date(years_since_1900=126, month=11, day=29, day_of_week=7)),
        (0xF0, t.EUI64.convert("00:0d:6f:00:0a:90:1b:42")),
        (0xF1, t.KeyData(bytes(range(16)))),
    ]
    for tid, v in named:
        print(f"{tid:02x} bytes {v.serialize().hex()} {bytes([tid]).hex()}{v.serialize().hex()}")


if __name__ == "__main__":
    {"decode": decode, "encode": encode, "general": general}[sys.argv[1]]()
