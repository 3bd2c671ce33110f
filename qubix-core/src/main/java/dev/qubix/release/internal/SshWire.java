package dev.qubix.release.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;

/** The SSH wire encoding (RFC 4251 section 5): {@code uint32} big-endian, {@code string} = uint32 length + bytes. */
public final class SshWire {
  private SshWire() {}

  /** Reads SSH wire values; a value that runs past the end is a {@link MalformedException}. */
  public static final class Reader {
    private final ByteBuffer b;

    public Reader(byte[] data) {
      this.b = ByteBuffer.wrap(data);
    }

    public byte[] raw(int n) {
      if (n < 0 || n > b.remaining()) {
        throw new MalformedException("a field of " + n + " bytes runs past the end (" + b.remaining() + " left)");
      }
      byte[] out = new byte[n];
      b.get(out);
      return out;
    }

    public int uint32() {
      try {
        return b.getInt();
      } catch (BufferUnderflowException e) {
        throw new MalformedException("truncated: a 4-byte number is missing");
      }
    }

    public byte[] bytes() {
      return raw(uint32());
    }

    public String string() {
      return new String(bytes(), StandardCharsets.UTF_8);
    }

    public boolean atEnd() {
      return !b.hasRemaining();
    }
  }

  /** Builds SSH wire values. */
  public static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public Writer raw(byte[] data) {
      out.writeBytes(data);
      return this;
    }

    public Writer bytes(byte[] data) {
      out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
      out.writeBytes(data);
      return this;
    }

    public Writer string(String s) {
      return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] toByteArray() {
      return out.toByteArray();
    }
  }

  /** The bytes are not the SSH structure they should be. */
  public static final class MalformedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedException(String message) {
      super(message);
    }
  }
}
