package dev.qubix.release.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip (RFC 1952) with a header that never varies: no file name, modification time 0, OS 255
 * ("unknown"). The JDK's {@code GZIPOutputStream} header differs between JDK versions; this one does
 * not, so the same image gives the same {@code .gz} on every machine with the same zlib.
 */
final class FixedGzip {
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

  private FixedGzip() {}

  static void compress(Path from, Path to, ReleaseSource.Progress progress) throws IOException {
    long total = Files.size(from);
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    CRC32 crc = new CRC32();
    try (InputStream in = Files.newInputStream(from); OutputStream out = Files.newOutputStream(to)) {
      out.write(HEADER);
      byte[] buf = new byte[1 << 16];
      byte[] deflated = new byte[1 << 16];
      long done = 0;
      for (int n; (n = in.read(buf)) >= 0; ) {
        crc.update(buf, 0, n);
        deflater.setInput(buf, 0, n);
        while (!deflater.needsInput()) {
          out.write(deflated, 0, deflater.deflate(deflated));
        }
        done += n;
        progress.bytes(done, total);
      }
      deflater.finish();
      while (!deflater.finished()) {
        out.write(deflated, 0, deflater.deflate(deflated));
      }
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue())
          .putInt((int) deflater.getBytesRead()).array());
    } finally {
      deflater.end();
    }
  }
}
