"""Print MAC/NWK/APS header fields of every frame in a pcap as scapy sees them.

One JSON object per line, with the same names and formatting as `han decode
--format jsonl`, so a test can compare the two. Used as a second oracle beside
tshark. Usage: scapy_headers.py CAPTURE.pcap
"""
import json
import sys

from scapy.config import conf

conf.dot15d4_protocol = "zigbee"

from scapy.layers.dot15d4 import Dot15d4, Dot15d4Data, Dot15d4Cmd, Dot15d4Beacon  # noqa: E402
from scapy.layers.zigbee import ZigbeeNWK, ZigbeeAppDataPayload, ZigbeeSecurityHeader  # noqa: E402
from scapy.utils import PcapReader  # noqa: E402

MAC_TYPES = ["Beacon", "Data", "Ack", "Command"]
NWK_TYPES = ["Data", "Command", "Reserved", "Inter-PAN"]
APS_TYPES = ["Data", "Command", "Ack", "Inter-PAN"]


def short(v):
    return None if v is None else "0x%04x" % v


def addr(v, mode):
    if v is None or mode == 0:
        return None
    if mode == 3:
        b = v.to_bytes(8, "big")
        return ":".join("%02x" % x for x in b)
    return short(v)


def main(path):
    for pkt in PcapReader(path):
        out = {}
        mac = pkt.getlayer(Dot15d4)
        if mac is not None:
            m = {"type": MAC_TYPES[mac.fcf_frametype] if mac.fcf_frametype < 4 else "Other",
                 "seq": mac.seqnum}
            for layer in (Dot15d4Data, Dot15d4Cmd, Dot15d4Beacon):
                l = pkt.getlayer(layer)
                if l is None:
                    continue
                if hasattr(l, "dest_panid") and mac.fcf_destaddrmode:
                    m["dst_pan"] = short(l.dest_panid)
                    m["dst"] = addr(l.dest_addr, mac.fcf_destaddrmode)
                if mac.fcf_srcaddrmode:
                    m["src"] = addr(l.src_addr, mac.fcf_srcaddrmode)
                break
            out["mac"] = m
        nwk = pkt.getlayer(ZigbeeNWK)
        if nwk is not None:
            out["nwk"] = {
                "type": NWK_TYPES[nwk.frametype],
                "src": short(nwk.source),
                "dst": short(nwk.destination),
                "seq": nwk.seqnum,
                "radius": nwk.radius,
                "security": bool(nwk.flags & 0x02),
            }
        aps = pkt.getlayer(ZigbeeAppDataPayload)
        if aps is not None and not (nwk is not None and nwk.flags & 0x02):
            a = {"type": APS_TYPES[aps.aps_frametype], "counter": aps.counter}
            if aps.aps_frametype in (0, 2) and not (aps.aps_frametype == 2 and aps.frame_control & 0x01):
                if aps.delivery_mode != 3:
                    a["dst_ep"] = aps.dst_endpoint
                a["cluster"] = short(aps.cluster)
                a["profile"] = short(aps.profile)
                a["src_ep"] = aps.src_endpoint
            out["aps"] = a
        print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
