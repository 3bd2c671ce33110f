#!/usr/bin/env python3
"""Make a VHDX written by `qemu-img convert` bit-reproducible.

    vhdx-fixed-ids.py FILE SEED

qemu-img draws random identifiers into every VHDX: FileWriteGuid and DataWriteGuid in
both headers (with a random starting sequence number), the virtual disk's Page 83 id in
the metadata region, and it leaves stale log entries stamped with a random LogGuid. Per
the VHDX format (MS-VHDX 2.2.2, 2.3): a header with LogGuid zero has no log to replay,
so the log region is cleared; the headers get identifiers derived from SEED and their
CRC-32C recomputed; the Page 83 id is derived from SEED too. The disk's content is not
touched. Refuses files that do not look like a clean qemu-img VHDX (LogGuid not zero).
"""
import hashlib
import struct
import sys

KIB64 = 64 * 1024
PAGE83 = bytes.fromhex("ab12cabee6b2234593efc309e000c746")  # BECA12AB-B2E6-4523-93EF-C309E000C746


def crc32c(data):
    table = crc32c.table
    crc = 0xFFFFFFFF
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


crc32c.table = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    crc32c.table.append(c)


def guid(seed, what):
    return hashlib.sha256(f"{seed}:{what}".encode()).digest()[:16]


def main(path, seed):
    with open(path, "r+b") as f:
        if f.read(8) != b"vhdxfile":
            sys.exit(f"{path}: not a VHDX file")
        headers = []
        for off in (KIB64, 2 * KIB64):
            f.seek(off)
            h = bytearray(f.read(4096))
            if h[:4] != b"head":
                sys.exit(f"{path}: no VHDX header at {off}")
            if any(h[48:64]):
                sys.exit(f"{path}: the header has a log to replay (LogGuid set)")
            headers.append((off, h))
        # Keep which header is current (the higher sequence number), fix the numbers.
        seqs = [struct.unpack_from("<Q", h, 8)[0] for _, h in headers]
        order = sorted(range(2), key=lambda i: seqs[i])
        for rank, i in enumerate(order):
            off, h = headers[i]
            struct.pack_into("<Q", h, 8, rank + 1)
            h[16:32] = guid(seed, "file-write")
            h[32:48] = guid(seed, "data-write")
            struct.pack_into("<I", h, 4, 0)
            struct.pack_into("<I", h, 4, crc32c(bytes(h)))
            f.seek(off)
            f.write(h)
        current = headers[order[1]][1]
        log_length, log_offset = struct.unpack_from("<IQ", current, 68)
        f.seek(log_offset)
        f.write(bytes(log_length))
        # Region table (first copy at 192 KiB, second at 256 KiB): find the metadata region.
        f.seek(3 * KIB64)
        rt = f.read(KIB64)
        if rt[:4] != b"regi":
            sys.exit(f"{path}: no region table")
        count = struct.unpack_from("<I", rt, 8)[0]
        meta = None
        for i in range(count):
            e = rt[16 + 32 * i : 48 + 32 * i]
            if e[:16] == bytes.fromhex("06a27c8b90479a4bb8fe575f050f886e"):  # metadata region
                meta = struct.unpack_from("<Q", e, 16)[0]
        if meta is None:
            sys.exit(f"{path}: no metadata region")
        f.seek(meta)
        mt = f.read(KIB64)
        if mt[:8] != b"metadata":
            sys.exit(f"{path}: no metadata table")
        entries = struct.unpack_from("<H", mt, 10)[0]
        for i in range(entries):
            e = mt[32 + 32 * i : 64 + 32 * i]
            if e[:16] == PAGE83:
                item_offset, item_length = struct.unpack_from("<II", e, 16)
                f.seek(meta + item_offset)
                f.write(guid(seed, "page83")[:item_length])
                break
        else:
            sys.exit(f"{path}: no Page 83 metadata item")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: vhdx-fixed-ids.py FILE SEED")
    main(sys.argv[1], sys.argv[2])
