package dev.qubix.spi;

import dev.qubix.Endpoint;
import dev.qubix.Instance;
import dev.qubix.InstanceStatus;
import dev.qubix.Operation;
import dev.qubix.Plan;
import dev.qubix.Purge;
import dev.qubix.manifest.MachineManifest;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * One hypervisor, opened for one state directory. Qubix serialises mutating calls per VM with a
 * file lock, so implementations need not guard against a second process themselves.
 */
public interface Backend {

  /** Name of the provider that opened it. */
  String name();

  /** Which manifest images it needs, e.g. {@code ["hyperv", "home"]}; missing optional ones are fine. */
  Set<String> imageKeys();

  /** What {@code op} would do; pure: reads state, never changes it. */
  Plan plan(Operation op, MachineManifest m, ImageSet images);

  /** Replaces the VM's system disk with a fresh one from {@code images}, keeps the home disk, starts it. */
  Instance recreate(MachineManifest m, ImageSet images);

  /** The VM's state, or empty when it does not exist. */
  Optional<dev.qubix.InstanceStatus> status(MachineManifest m);

  void start(MachineManifest m);

  /** Graceful shutdown, forced after {@code grace}. */
  void stop(MachineManifest m, Duration grace);

  /** Removes the VM; the home disk stays unless {@code purge} is {@link Purge#EVERYTHING}. */
  void destroy(MachineManifest m, Purge purge);

  /** Where the guest's RDP endpoint is reachable from this host. */
  Endpoint endpoint(MachineManifest m);

  /** Starts the RDP client for this host; empty when there is none (headless). */
  default Optional<Process> openClient(MachineManifest m, Endpoint endpoint) {
    return RdpClients.launchDefault(m, endpoint, context(), rdpPassword(m));
  }

  /**
   * The VM's own RDP password, which the backend generated and handed to the guest; empty for a
   * backend without per-VM secrets (the guest then locks RDP login). Never log or print it.
   */
  default Optional<String> rdpPassword(MachineManifest m) {
    return Optional.empty();
  }

  /** Replaces the VM's RDP password with a new random one; it reaches the guest at its next boot. */
  default void rotateSecret(MachineManifest m) {
    throw new dev.qubix.QubixException("the " + name() + " backend keeps no per-VM secret to rotate");
  }

  /**
   * Removes cached base images no VM uses (in the place {@code m}'s settings name, e.g. its Hyper-V
   * vmRoot); returns what was removed. Backends that never copy images have nothing to collect.
   */
  default java.util.List<String> gc(MachineManifest m) {
    return java.util.List.of();
  }

  /**
   * Every VM this backend has where its context points (the state directory), for listings; no
   * manifest needed. Details may name {@code machine}, {@code mode}, {@code home} and
   * {@code imageVersion}. Backends that cannot enumerate their VMs say so.
   */
  default java.util.List<InstanceStatus> list() {
    throw new dev.qubix.QubixException("the " + name() + " backend cannot list its VMs yet; "
        + "'status MACHINE' shows one");
  }

  /** The context it was opened with. */
  BackendContext context();

  /** Helper for implementations: the public handle on a VM this backend runs. */
  default Instance instance(MachineManifest m) {
    return new Instance(this, m);
  }

  /** Convenience for status checks. */
  default boolean isRunning(MachineManifest m) {
    return status(m).map(InstanceStatus::isRunning).orElse(false);
  }
}
