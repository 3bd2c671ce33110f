package dev.qubix.spi;

import dev.qubix.Endpoint;
import dev.qubix.OperationTimeoutException;
import dev.qubix.event.ProgressListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Tells whether an RDP server really answers: sends an X.224 Connection Request in a TPKT and
 * expects an X.224 Connection Confirm (code 0xD0). An open port alone can be a half-started xrdp,
 * or QEMU's user-mode forwarder that accepts before the guest listens.
 */
public final class X224Probe {
  /** TPKT v3, length 19; X.224 CR (0xE0); RDP negotiation request asking for TLS | CredSSP. */
  private static final byte[] CONNECTION_REQUEST = {
    0x03, 0x00, 0x00, 0x13, 0x0e, (byte) 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00
  };

  private static final Duration ATTEMPT = Duration.ofSeconds(1);
  private static final Duration POLL = Duration.ofMillis(200);

  private X224Probe() {}

  /** The request bytes, for tests and guests that answer them. */
  public static byte[] connectionRequest() {
    return CONNECTION_REQUEST.clone();
  }

  /** One attempt: true when the endpoint answers with a Connection Confirm. */
  public static boolean answers(Endpoint endpoint, Duration timeout) {
    int ms = (int) Math.max(1, timeout.toMillis());
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), ms);
      s.setSoTimeout(ms);
      OutputStream out = s.getOutputStream();
      out.write(CONNECTION_REQUEST);
      out.flush();
      return isConnectionConfirm(readTpkt(s.getInputStream()));
    } catch (IOException e) {
      return false;
    }
  }

  /** Polls until the endpoint answers; throws {@link OperationTimeoutException} after {@code limit}. */
  public static void awaitReady(Endpoint endpoint, Duration limit, ProgressListener listener) {
    String what = "RDP (X.224) at " + endpoint;
    // QEMU's user-mode forwarder accepts at once and then holds a connection the guest does not
    // take yet: short attempts, often, or readiness is seen seconds late
    boolean ready = new dev.qubix.internal.Await(listener).until(what, limit, POLL,
        () -> answers(endpoint, ATTEMPT) ? java.util.Optional.of(Boolean.TRUE) : java.util.Optional.empty()).isPresent();
    if (!ready) {
      throw new OperationTimeoutException(what + " did not answer within " + limit.toSeconds()
          + " s: is the VM running and xrdp started? (check the guest's console or serial log)");
    }
  }

  /** True for a TPKT whose X.224 TPDU code is Connection Confirm. */
  public static boolean isConnectionConfirm(byte[] tpkt) {
    return tpkt != null && tpkt.length >= 6 && tpkt[0] == 0x03 && (tpkt[5] & 0xF0) == 0xD0;
  }

  private static byte[] readTpkt(InputStream in) throws IOException {
    byte[] header = in.readNBytes(4);
    if (header.length < 4 || header[0] != 0x03) {
      return null;
    }
    int length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
    if (length < 6 || length > 4096) {
      return null;
    }
    byte[] rest = in.readNBytes(length - 4);
    byte[] all = new byte[4 + rest.length];
    System.arraycopy(header, 0, all, 0, 4);
    System.arraycopy(rest, 0, all, 4, rest.length);
    return all;
  }
}
