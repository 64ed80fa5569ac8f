"""pyspinel oracle for Spinel frames in HDLC-lite, used by tests/pyspinel_agrees.rs.

Modes:
  decode  read han's HDLC-lite streams as hex lines on stdin, unframe each with
          pyspinel's Hdlc and decode it with pyspinel's SpinelCodec field parsers;
          print one JSON object per line ({"rejected": true} when the FCS fails).
  encode  build every command and property with pyspinel's encoders and Hdlc;
          print "<hdlc hex> <JSON of the values used>" per line, the last line
          with a corrupted FCS.
"""

import io
import json
import struct
import sys

from spinel.codec import SpinelCodec as C
from spinel.const import SPINEL as S
from spinel.hdlc import Hdlc

# Property formats (OpenThread spinel.h); STREAM_RAW differs by direction.
FORMATS = {
    0x00: "i", 0x01: "ii", 0x02: "U", 0x03: "i", 0x05: "A(i)", 0x08: "E",
    0x20: "b", 0x21: "C", 0x24: "c", 0x25: "c", 0x26: "c", 0x27: "c", 0x34: "E", 0x35: "S",
    0x30: "C", 0x36: "S", 0x37: "b", 0x38: "C", 0x3B: "b", 0x1303: "b", 0x1304: "A(S)", 0x1305: "A(E)",
}
RX_RAW = "dccSt(CCX)t(i)"
TX_RAW = "dCCCb"


class Bytes:
    """A byte source for Hdlc.collect."""

    def __init__(self, data):
        self.data = io.BytesIO(data)

    def read(self, _size=None):
        b = self.data.read(1)
        if not b:
            raise EOFError
        return b[0]


def fields(payload, fmt):
    out = []
    i = 0
    while i < len(fmt):
        code = fmt[i]
        if code in "At":
            end = C.index_of_ending_brace(fmt, i + 1)
            inner = fmt[i + 2:end]
            if code == "t":
                n = C.parse_S(payload)
                out.append(fields(payload[2:2 + n], inner))
                payload = payload[2 + n:]
            else:
                items = []
                while payload:
                    items.append(fields(payload, inner)[0])
                    payload = payload[C.get_payload_size(payload, inner):]
                out.append(items)
            i = end + 1
            continue
        v = C.parse_field(payload, code)
        if code == "i":
            v = v[0]
        if isinstance(v, (bytes, bytearray)):
            v = v.hex()
        out.append(v)
        payload = payload[C.get_payload_size(payload, code):]
        i += 1
    return out


def describe(pkt):
    header = pkt[0]
    cmd, n = C.parse_i(pkt[1:])
    rest = pkt[1 + n:]
    d = {"tid": header & 0xF, "iid": (header >> 4) & 3, "cmd": cmd}
    if cmd in (S.CMD_PROP_VALUE_GET, S.CMD_PROP_VALUE_SET, S.CMD_PROP_VALUE_INSERT,
               S.CMD_PROP_VALUE_REMOVE, S.RSP_PROP_VALUE_IS, S.RSP_PROP_VALUE_INSERTED,
               S.RSP_PROP_VALUE_REMOVED):
        prop, n = C.parse_i(rest)
        rest = rest[n:]
        d["prop"] = prop
        if cmd != S.CMD_PROP_VALUE_GET:
            if prop == S.PROP_STREAM_RAW:
                fmt = RX_RAW if cmd >= S.RSP_PROP_VALUE_IS else TX_RAW
            else:
                fmt = FORMATS[prop]
            d["fields"] = fields(rest, fmt) if rest or "A" in fmt else []
    return d


def decode():
    for line in sys.stdin:
        h = line.strip()
        if not h:
            continue
        pkt = Hdlc(Bytes(bytes.fromhex(h))).collect()
        print(json.dumps({"rejected": True} if pkt is None else describe(pkt)))


def i(v):
    return C.encode_i(v) if v else b"\x00"


def c(v):
    return C.encode_C(v & 0xFF)


def t(b):
    return C.encode_S(len(b)) + b


def packet(cmd, payload, header):
    # pyspinel's encode_i(0) is empty, so NOOP's command byte is added here.
    if cmd == S.CMD_NOOP:
        return bytes([header, 0]) + payload
    return C().encode_packet(cmd, payload, tid=header)


def encode():
    psdu = bytes.fromhex("41887e7d11fffe0000003412")
    cases = [
        (S.CMD_NOOP, None, b"", None),
        (S.CMD_RESET, None, b"", None),
        (S.CMD_PROP_VALUE_GET, S.PROP_PROTOCOL_VERSION, b"", None),
        (S.CMD_PROP_VALUE_GET, S.PROP_CAPS, b"", None),
        (S.RSP_PROP_VALUE_IS, 0x00, i(0), [0]),
        (S.RSP_PROP_VALUE_IS, 0x00, i(112), [112]),
        (S.RSP_PROP_VALUE_IS, 0x01, i(4) + i(3), [4, 3]),
        (S.RSP_PROP_VALUE_IS, 0x02, b"OPENTHREAD/han-rcp; HAN\0", ["OPENTHREAD/han-rcp; HAN"]),
        (S.RSP_PROP_VALUE_IS, 0x03, i(3), [3]),
        (S.RSP_PROP_VALUE_IS, 0x05, i(5) + i(6) + i(512) + i(0x1303), [[5, 6, 512, 0x1303]]),
        (S.RSP_PROP_VALUE_IS, 0x08, bytes.fromhex("000d6f000a901b42"), ["000d6f000a901b42"]),
        (S.CMD_PROP_VALUE_SET, 0x20, C.encode_b(1), [1]),
        (S.CMD_PROP_VALUE_SET, 0x21, c(15), [15]),
        (S.CMD_PROP_VALUE_SET, S.PROP_PHY_CCA_THRESHOLD, c(-75), [-75]),
        (S.RSP_PROP_VALUE_IS, 0x25, c(-3), [-3]),
        (S.RSP_PROP_VALUE_IS, 0x26, c(-94), [-94]),
        (S.RSP_PROP_VALUE_IS, 0x27, c(-100), [-100]),
        (S.CMD_PROP_VALUE_SET, S.PROP_MAC_SCAN_STATE, c(0), [0]),
        (S.CMD_PROP_VALUE_SET, 0x3B, C.encode_b(1), [1]),  # MAC_RX_ON_WHEN_IDLE_MODE (newer pyspinel)
        (S.CMD_PROP_VALUE_SET, 0x34, bytes.fromhex("7e7d000000000011"), ["7e7d000000000011"]),
        (S.CMD_PROP_VALUE_SET, 0x35, C.encode_S(0x7E7D), [0x7E7D]),
        (S.CMD_PROP_VALUE_SET, 0x36, C.encode_S(0x1234), [0x1234]),
        (S.CMD_PROP_VALUE_SET, 0x37, C.encode_b(1), [1]),
        (S.CMD_PROP_VALUE_SET, 0x38, c(2), [2]),
        (S.CMD_PROP_VALUE_SET, 0x1303, C.encode_b(1), [1]),
        (S.CMD_PROP_VALUE_SET, 0x1304, C.encode_S(1) + C.encode_S(0x7E00), [[1, 0x7E00]]),
        (S.CMD_PROP_VALUE_INSERT, 0x1304, C.encode_S(0xABCD), [[0xABCD]]),
        (S.CMD_PROP_VALUE_REMOVE, 0x1304, C.encode_S(0xABCD), [[0xABCD]]),
        (S.RSP_PROP_VALUE_INSERTED, 0x1305, bytes.fromhex("0102030405060708"), [["0102030405060708"]]),
        (S.RSP_PROP_VALUE_REMOVED, 0x1305, bytes.fromhex("0102030405060708"), [["0102030405060708"]]),
        (S.CMD_PROP_VALUE_SET, S.PROP_STREAM_RAW,
         C.encode_d(psdu) + c(15) + c(4) + c(3) + C.encode_b(1), [psdu.hex(), 15, 4, 3, 1]),
        (S.RSP_PROP_VALUE_IS, S.PROP_STREAM_RAW,
         C.encode_d(psdu) + c(-61) + c(-100) + C.encode_S(0)
         + t(c(15) + c(200) + struct.pack("<Q", 123456789)) + t(i(0)),
         [psdu.hex(), -61, -100, 0, [15, 200, 123456789], [0]]),
    ]
    hdlc = Hdlc(None)
    for n, (cmd, prop, value, expect) in enumerate(cases):
        payload = (i(prop) if prop is not None else b"") + value
        tid = n % 16
        pkt = packet(cmd, payload, 0x80 | tid)
        d = {"tid": tid, "iid": 0, "cmd": cmd}
        if prop is not None:
            d["prop"] = prop
        if expect is not None:
            d["fields"] = expect
        elif cmd != S.CMD_PROP_VALUE_GET and prop is not None:
            d["fields"] = []
        print(hdlc.encode(pkt).hex(), json.dumps(d))
    bad = bytearray(hdlc.encode(packet(S.CMD_NOOP, b"", 0x81)))
    bad[-2] ^= 0x01
    print(bad.hex(), json.dumps({"rejected": True}))


if __name__ == "__main__":
    {"decode": decode, "encode": encode}[sys.argv[1]]()
