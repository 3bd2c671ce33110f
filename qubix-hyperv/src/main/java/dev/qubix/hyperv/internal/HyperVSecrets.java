package dev.qubix.hyperv.internal;

import dev.qubix.QubixException;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.RdpSecret;
import java.util.Locale;
import java.util.Optional;

/**
 * A Hyper-V VM's own RDP password, kept in a {@link CredentialStore}: made on first create (or the
 * first start of a VM made before Qubix had secrets), kept by recreate and destroy, replaced by
 * {@code secret rotate}, removed by {@code destroy --purge}. Two kinds of credential:
 * <ul>
 *   <li>{@code Qubix/rdp-password/<vmDir>}: Qubix's own copy, which it reads to hand the secret to
 *       the guest; {@code <vmDir>} keeps two vmRoots with the same VM name apart;</li>
 *   <li>{@code TERMSRV/<address>}: what mstsc looks up for the address in the {@code .rdp} file, so
 *       {@code connect} logs in with no prompt. Written at connect time, because a DHCP guest's
 *       address changes; its comment names the VM, and that is how Qubix finds its own again
 *       (a stale address is removed, a credential the user wrote for another host is never touched).</li>
 * </ul>
 * No method returns or throws the secret in a message.
 */
public final class HyperVSecrets {
  static final String OWN_PREFIX = "Qubix/rdp-password/";
  static final String LOGIN_PREFIX = "TERMSRV/";
  private final CredentialStore store;

  public HyperVSecrets(CredentialStore store) {
    this.store = store;
  }

  public CredentialStore store() {
    return store;
  }

  /** Qubix's own credential for the VM. */
  public static String target(MachineManifest m) {
    return OWN_PREFIX + HyperVPaths.of(m).vmDir();
  }

  /** The comment that marks the VM's TERMSRV credentials as Qubix's. */
  static String mark(MachineManifest m) {
    return "Qubix: RDP login of the VM " + HyperVPaths.of(m).vmDir();
  }

  public Optional<String> read(MachineManifest m) {
    Optional<String> s = store.read(target(m));
    if (s.isPresent() && !RdpSecret.wellFormed(s.get())) {
      // a hand-edited or foreign value would reach chpasswd in the guest: refuse, without echoing it
      throw new QubixException("the credential " + target(m) + " in " + store.describe() + " is not a secret Qubix "
          + "made: remove it, or run qubixctl secret rotate " + m.name());
    }
    return s;
  }

  /** The stored secret, made now if the VM has none yet. */
  public String ensure(MachineManifest m) {
    return read(m).orElseGet(() -> {
      String s = RdpSecret.generate();
      store.write(target(m), m.rdp().user(), s, "Qubix: RDP secret of the VM " + HyperVPaths.of(m).vmDir());
      return s;
    });
  }

  /** A new secret replaces the stored one; logins that carry the old one go with it. */
  public void rotate(MachineManifest m) {
    store.write(target(m), m.rdp().user(), RdpSecret.generate(), "Qubix: RDP secret of the VM " + HyperVPaths.of(m).vmDir());
    forgetLogins(m, null);
  }

  /** Purge: the secret and every TERMSRV credential Qubix wrote for the VM. */
  public void forget(MachineManifest m) {
    forgetLogins(m, null);
    store.delete(target(m));
  }

  /**
   * Lets mstsc log in to {@code address} with the VM's secret: writes {@code TERMSRV/<address>} and
   * removes the VM's credentials for addresses it no longer has. Returns false when the store is
   * not one mstsc reads (Java inside WSL): mstsc then asks for the password.
   */
  public boolean login(MachineManifest m, String address, String secret) {
    if (!store.servesMstsc()) {
      return false;
    }
    String target = LOGIN_PREFIX + address;
    forgetLogins(m, target);
    // the domain part is the guest's host name, which xrdp ignores (RdpClients does the same for xfreerdp)
    store.write(target, m.hostName() + "\\" + m.rdp().user(), secret, mark(m));
    return true;
  }

  private void forgetLogins(MachineManifest m, String keep) {
    for (CredentialStore.Entry e : store.list(LOGIN_PREFIX)) {
      boolean ours = mark(m).equals(e.comment());
      if (ours && (keep == null || !e.target().toLowerCase(Locale.ROOT).equals(keep.toLowerCase(Locale.ROOT)))) {
        store.delete(e.target());
      }
    }
  }
}
