// zigbee-on-host as a coordinator / Trust Centre on an RCP behind a serial device (a pty
// made by `han rcp --pty`): start the driver, form a network with the given parameters,
// permit joining, and wait until the expected device is in zoh's device table.
//
//   node coordinator.mjs --port /dev/pts/N --channel 15 --pan 0x1a2b --epid HEX16
//        --eui64 HEX16 --tc-key HEX32 --expect HEX16 [--timeout 120] [--save-dir DIR]
//
// Prints one JSON object a line on stdout (what happened, for tests/zigbee_on_host.rs);
// zoh's own log goes to stderr. Exit 0: the expected device joined and is in the device
// table; 1: it did not within the timeout; 2: bad arguments or the RCP did not start.

import { openSync, writeSync, closeSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventEmitter } from "node:events";
import tty from "node:tty";
import { OTRCPDriver } from "zigbee-on-host";
import { setLogger } from "zigbee-on-host/dist/utils/logger.js";

function parseArgs(argv) {
    const out = {};
    for (let i = 0; i < argv.length; i += 2) {
        const k = argv[i];
        const v = argv[i + 1];
        if (!k?.startsWith("--") || v === undefined) {
            throw new Error(`expected --name value pairs, got ${JSON.stringify(argv.slice(i))}`);
        }
        out[k.slice(2)] = v;
    }
    for (const need of ["port", "channel", "pan", "epid", "eui64", "tc-key", "expect"]) {
        if (out[need] === undefined) {
            throw new Error(`missing --${need}`);
        }
    }
    return out;
}

const hex64 = (s) => BigInt(`0x${s.replace(/^0x/, "")}`);
const show64 = (v) => v.toString(16).padStart(16, "0");
const emit = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

/** The serial side: a tty in raw mode (HDLC-lite bytes must pass untouched). */
class PtyTransport extends EventEmitter {
    constructor(path) {
        super();
        this.fd = openSync(path, "r+");
        this.input = new tty.ReadStream(this.fd);
        this.input.setRawMode(true);
        this.input.on("data", (d) => this.emit("data", d));
    }
    write(buffer) {
        let done = 0;
        while (done < buffer.length) {
            done += writeSync(this.fd, buffer, done);
        }
        return true;
    }
    close() {
        this.input.destroy();
        try {
            closeSync(this.fd);
        } catch {
            // already closed with the stream
        }
    }
}

let args;
try {
    args = parseArgs(process.argv.slice(2));
} catch (e) {
    process.stderr.write(`coordinator.mjs: ${e.message}\n`);
    process.exit(2);
}

setLogger({
    debug: () => {},
    info: (m, ns) => process.stderr.write(`${ns}: ${typeof m === "function" ? m() : m}\n`),
    warning: (m, ns) => process.stderr.write(`${ns}: WARNING ${typeof m === "function" ? m() : m}\n`),
    error: (m, ns) => process.stderr.write(`${ns}: ERROR ${m}\n`),
});

const expect64 = hex64(args.expect);
const timeoutS = Number(args.timeout ?? 120);
const saveDir = args["save-dir"] ?? mkdtempSync(join(tmpdir(), "han-zoh-"));
const channel = Number(args.channel);
const transport = new PtyTransport(args.port);
const deviceTable = (driver) =>
    [...driver.context.deviceTable.entries()].map(([eui64, d]) => ({
        eui64: show64(eui64),
        nwk: d.address16,
        authorized: d.authorized,
        rx_on_when_idle: d.capabilities?.rxOnWhenIdle,
        device_type: d.capabilities?.deviceType,
    }));

let joined = false;
let finish;
const done = new Promise((resolve) => {
    finish = resolve;
});
const driver = new OTRCPDriver(
    transport,
    {
        onFatalError: (message) => {
            emit({ event: "fatal", message });
            finish(2);
        },
        onFrame: (sender16, sender64, apsHeader) => {
            emit({ event: "aps", nwk: sender16, eui64: sender64 === undefined ? null : show64(sender64), cluster: apsHeader.clusterId, profile: apsHeader.profileId });
        },
        onGPFrame: () => {},
        onDeviceJoined: (source16, source64) => {
            emit({ event: "device_joined", nwk: source16, eui64: show64(source64) });
            if (source64 === expect64) {
                joined = true;
            }
        },
        onDeviceRejoined: (source16, source64) => {
            emit({ event: "device_rejoined", nwk: source16, eui64: show64(source64) });
        },
        onDeviceLeft: (source16, source64) => {
            emit({ event: "device_left", nwk: source16, eui64: show64(source64) });
        },
        onDeviceAuthorized: (source16, source64) => {
            emit({ event: "device_authorized", nwk: source16, eui64: show64(source64) });
        },
    },
    {
        txChannel: channel,
        ccaBackoffAttempts: 1,
        ccaRetries: 4,
        enableCSMACA: true,
        headerUpdated: true,
        reTx: false,
        securityProcessed: true,
        txDelay: 0,
        txDelayBaseTime: 0,
        rxChannelAfterTxDone: channel,
    },
    {
        eui64: hex64(args.eui64),
        panId: Number(args.pan),
        extendedPanId: hex64(args.epid),
        channel,
        nwkUpdateId: 0,
        txPower: 5,
        // A fixed network key: the test decrypts its capture with it.
        networkKey: Buffer.from(args["network-key"] ?? "01030507090b0d0f00020406080a0c0d", "hex"),
        networkKeyFrameCounter: 0,
        networkKeySequenceNumber: 0,
        // The joining device's preconfigured link key (from its install code): zoh secures
        // the Transport Key with the key-transport key derived from it.
        tcKey: Buffer.from(args["tc-key"], "hex"),
        tcKeyFrameCounter: 0,
    },
    saveDir,
);

const timer = setTimeout(() => finish(1), timeoutS * 1000);
try {
    await driver.resetNetwork();
    await driver.start();
    emit({
        event: "rcp",
        protocol: `${driver.protocolVersionMajor}.${driver.protocolVersionMinor}`,
        ncp_version: driver.ncpVersion,
        interface_type: driver.interfaceType,
        rcp_api: driver.rcpAPIVersion,
        rcp_min_host_api: driver.rcpMinHostAPIVersion,
    });
    await driver.formNetwork();
    emit({ event: "network_up", channel, pan: Number(args.pan), epid: show64(hex64(args.epid)) });
    driver.context.allowJoins(0xfe, true);
    emit({ event: "permit_join", seconds: 0xfe });
} catch (e) {
    emit({ event: "fatal", message: String(e?.message ?? e) });
    finish(2);
}
const poll = setInterval(() => {
    const entry = driver.context.deviceTable.get(expect64);
    if (joined && entry !== undefined) {
        finish(0);
    }
}, 200);
const code = await done;
clearInterval(poll);
clearTimeout(timer);
emit({ event: "device_table", devices: deviceTable(driver) });
try {
    if (driver.isNetworkUp) {
        await Promise.race([driver.stop(), new Promise((r) => setTimeout(r, 2000))]);
    }
} catch {
    // the RCP may be gone already
}
transport.close();
process.exit(code);
