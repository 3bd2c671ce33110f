package dev.qubix.nspawn.internal;

import dev.qubix.spi.RdpSecret;
import java.util.Optional;

/**
 * The container's RDP password: 192 random bits, made on first create and kept in a 0600 file in its
 * folder until {@code destroy --purge} or a rotation. systemd-nspawn hands the file to the container
 * as the credential {@code qubix.rdp-password} ({@code --load-credential}: only its path is on the
 * command line), which the guest reads from {@code $CREDENTIALS_DIRECTORY}, the way microvm's guest
 * reads its fw_cfg credential. Made and kept as every backend does ({@link RdpSecret}).
 */
final class ContainerSecret {
  private ContainerSecret() {}

  static String ensure(ContainerFiles f) {
    Optional<String> stored = read(f);
    if (stored.isPresent()) {
      return stored.get();
    }
    String secret = RdpSecret.generate();
    RdpSecret.writeFile(f.secret(), secret);
    return secret;
  }

  static void rotate(ContainerFiles f) {
    RdpSecret.writeFile(f.secret(), RdpSecret.generate());
  }

  static Optional<String> read(ContainerFiles f) {
    return RdpSecret.readFile(f.secret());
  }
}
