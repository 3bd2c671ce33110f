package dev.qubix.spi;

import dev.qubix.Endpoint;
import dev.qubix.HomeBackup;
import dev.qubix.InstanceStatus;
import dev.qubix.QubixException;
import dev.qubix.manifest.MachineManifest;
import java.util.List;
import java.util.Optional;

/**
 * One hypervisor, opened for one state directory. A backend only plans and acts: Qubix's engine
 * owns the lifecycle around it — the VM's lock, the availability check, what "up" means, running
 * the planned steps with their events, readiness waits, and the public {@code Instance} handle.
 *
 * <p>What a backend author implements: {@link #images()}, {@link #plan} (each step carrying its
 * action), {@link #inspect} and {@link #endpoint}; the rest is optional.
 */
public interface Backend {

  /** Name of the provider that opened it. */
  String name();

  /** The manifest images it boots from, e.g. {@code hyperv} (required) and {@code home} (optional). */
  ImageNeeds images();

  /**
   * What {@code request.operation()} (RECREATE, START, STOP, DESTROY, PURGE, and the home operations
   * the backend declares in {@link #homeSupport()}) would do, as steps that carry their actions.
   * Pure: reads state, never changes it; nothing runs until the engine
   * runs the plan. Works on an unavailable backend too, for {@code plan} output.
   */
  BackendPlan plan(PlanRequest request);

  /** The VM's state, or empty when it does not exist. */
  Optional<InstanceStatus> inspect(MachineManifest m);

  /** Where the guest's RDP endpoint is reachable from this host. */
  Endpoint endpoint(MachineManifest m);

  /** Starts the RDP client for this host; empty when there is none (headless). */
  default Optional<Process> openClient(MachineManifest m, Endpoint endpoint, Optional<String> password) {
    return RdpClients.launchDefault(m, endpoint, context(), password);
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
    throw new QubixException("the " + name() + " backend keeps no per-VM secret to rotate");
  }

  /**
   * Removes cached base images no VM uses (in the place {@code m}'s settings name, e.g. its Hyper-V
   * vmRoot); returns what was removed, and what was kept as lines starting with {@code "kept "}.
   */
  default List<String> gc(MachineManifest m) {
    return List.of();
  }

  /**
   * Every VM this backend has where its context points (the state directory), for listings; no
   * manifest needed. Details may name {@code machine}, {@code mode}, {@code home} and
   * {@code imageVersion}. Backends that cannot enumerate their VMs say so.
   */
  default List<InstanceStatus> list() {
    throw new QubixException("the " + name() + " backend cannot list its VMs yet; 'status MACHINE' shows one");
  }

  /**
   * The home operations it implements and whether it runs disposable homes; the engine refuses the
   * rest before planning (so a backend that declares none never sees them). A backend that declares
   * some plans them in {@link #plan}, reports {@code home=disposable|persistent} in its status
   * details ({@link dev.qubix.HomeMode#DETAIL}), and lists its backups in {@link #homeBackups}.
   */
  default HomeSupport homeSupport() {
    return HomeSupport.NONE;
  }

  /** The backups of the VM's home disk, oldest first; a read (no lock). Kept by destroy, removed by purge. */
  default List<HomeBackup> homeBackups(MachineManifest m) {
    throw new QubixException("the " + name() + " backend keeps no home backups");
  }

  /** The context it was opened with. */
  BackendContext context();
}
