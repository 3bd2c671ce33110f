package dev.qubix.microvm.internal;

import dev.qubix.QubixException;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.PrivateFiles;
import dev.qubix.spi.RdpSecret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VM's RDP password ({@link RdpSecret}: 192 random bits), made on first create, kept until
 * {@code destroy --purge} or a rotation, in one of two stores; this class alone decides which:
 * <ul>
 *   <li>a VM that has the 0600 file {@code <vmDir>/rdp-password} keeps using it: VMs made before
 *       Qubix used the Secret Service, and VMs made where it failed, go on working unchanged;</li>
 *   <li>otherwise the Secret Service ({@link SecretServiceStore}), where a session bus exists and
 *       {@code secret-tool} is on PATH;</li>
 *   <li>otherwise, or when the Secret Service fails, the 0600 file, said once at info level.</li>
 * </ul>
 * QEMU gets the secret from a 0600 hand-over file in the VM folder ({@link VmFiles#secretHandOver()},
 * as a systemd credential over fw_cfg), deleted once QEMU has started, so the value is never in an
 * argument, the environment or a log. The URL-safe Base64 alphabet has no ':' (chpasswd's separator),
 * no quote and no whitespace.
 */
public final class VmSecret {
  /** The systemd credential name the guest reads, as a fw_cfg file name (at most 55 bytes). */
  public static final String FW_CFG_NAME = "opt/io.systemd.credentials/qubix.rdp-password";
  private static final Logger LOG = LoggerFactory.getLogger(VmSecret.class);
  private static final AtomicBoolean FALLBACK_SAID = new AtomicBoolean();

  private final SecretStore file;
  private final Optional<SecretStore> service;
  private final String noServiceReason;

  VmSecret(SecretStore file, Optional<SecretStore> service, String noServiceReason) {
    this.file = file;
    this.service = service;
    this.noServiceReason = noServiceReason;
  }

  /** The one place the store is chosen. */
  public static VmSecret of(BackendContext context) {
    Optional<SecretStore> service = SecretServiceStore.of(context).map(SecretStore.class::cast);
    return new VmSecret(new FileSecretStore(), service, service.isPresent() ? "" : SecretServiceStore.whyNot(context));
  }

  /** The stored secret, made now if the VM has none yet. */
  public String ensure(VmFiles f) {
    return read(f).orElseGet(() -> store(f, RdpSecret.generate()));
  }

  /** A new secret replaces the stored one, in the store that holds it. */
  public void rotate(VmFiles f) {
    store(f, RdpSecret.generate());
  }

  public Optional<String> read(VmFiles f) {
    Optional<String> inFile = file.read(f);
    if (inFile.isPresent() || service.isEmpty()) {
      return inFile;
    }
    try {
      return service.get().read(f);
    } catch (SecretStore.Unavailable e) {
      fallingBack(e.getMessage());
      return Optional.empty();
    }
  }

  /** Purge: the secret goes from both stores (a VM may have fallen back to the file after using the service). */
  public void forget(VmFiles f) {
    file.delete(f);
    service.ifPresent(s -> {
      try {
        s.delete(f);
      } catch (SecretStore.Unavailable e) {
        LOG.warn("cannot remove the RDP secret of {} from the Secret Service ({}): remove it with "
            + "secret-tool clear {} {}", f.dir(), e.getMessage(), SecretServiceStore.ATTRIBUTE, SecretServiceStore.id(f));
      }
    });
  }

  /** Where a VM without a secret file gets its secret, for plans. */
  public Optional<String> service(VmFiles f) {
    return service.map(s -> s.describe(f));
  }

  /**
   * Writes the VM's secret (made now if it has none) to the 0600 file QEMU reads at start; the caller
   * deletes it with {@link #dropHandOver} once QEMU has started or failed.
   */
  public Path handOver(VmFiles f) {
    String secret = ensure(f);
    try {
      PrivateFiles.writeString(f.secretHandOver(), secret);
      return f.secretHandOver();
    } catch (IOException e) {
      dropHandOver(f);
      throw new QubixException("cannot write " + f.secretHandOver() + " for QEMU: " + e.getMessage(), e);
    }
  }

  public static void dropHandOver(VmFiles f) {
    try {
      Files.deleteIfExists(f.secretHandOver());
    } catch (IOException e) {
      throw new QubixException("cannot delete " + f.secretHandOver() + " (it holds the VM's RDP secret): "
          + "delete it by hand", e);
    }
  }

  /** The file if it holds the secret; else the service; the file when the service fails or is absent. */
  private String store(VmFiles f, String secret) {
    if (service.isPresent() && !Files.exists(f.secret())) {
      try {
        service.get().write(f, secret);
        return secret;
      } catch (SecretStore.Unavailable e) {
        fallingBack(e.getMessage());
      }
    } else if (service.isEmpty()) {
      fallingBack(noServiceReason);
    }
    file.write(f, secret);
    return secret;
  }

  private static void fallingBack(String why) {
    if (FALLBACK_SAID.compareAndSet(false, true)) {
      LOG.info("the Secret Service is not used ({}): VM RDP secrets are kept in 0600 files in their VM folders", why);
    }
  }
}
