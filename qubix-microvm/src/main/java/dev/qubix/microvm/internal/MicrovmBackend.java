package dev.qubix.microvm.internal;

import dev.qubix.Endpoint;
import dev.qubix.HomeBackup;
import dev.qubix.InstanceStatus;
import dev.qubix.QubixException;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.microvm.MicrovmBackendProvider;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendPlan;
import dev.qubix.spi.HomeSupport;
import dev.qubix.spi.HostPorts;
import dev.qubix.spi.ImageNeeds;
import dev.qubix.spi.PlanRequest;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * QEMU VMs under {@code <stateDir>/<vmName>/}: {@link MicrovmPlanner} plans, {@link VmSteps} acts on
 * the VM's {@link VmDisks} and {@link QemuProcess}, {@link VmStatus} reads what runs.
 */
public final class MicrovmBackend implements Backend {
  private final BackendContext context;
  private final QemuTools tools;

  public MicrovmBackend(BackendContext context) {
    this.context = context;
    this.tools = QemuTools.of(context.host());
  }

  @Override
  public String name() {
    return MicrovmBackendProvider.NAME;
  }

  @Override
  public BackendContext context() {
    return context;
  }

  @Override
  public ImageNeeds images() {
    return new ImageNeeds(Set.of("microvm"), Set.of("home"));
  }

  VmFiles files(MachineManifest m) {
    return new VmFiles(context.vmDir(m.vmName()));
  }

  private QemuProcess qemu(VmFiles f) {
    return new QemuProcess(context, tools, f);
  }

  @Override
  public BackendPlan plan(PlanRequest r) {
    VmFiles f = files(r.manifest());
    HostPorts ports = context.ports(r.manifest().vmName());
    MicrovmPlanner.VmView view = MicrovmPlanner.VmView.of(f, ports.rdp(), qemu(f).running().isPresent(),
        new VmDisks(context, tools, f).homeMode(), context.clock().instant(), VmSecret.of(context).service(f));
    return MicrovmPlanner.plan(r, view, new VmSteps(context, tools, r, f));
  }

  /** Every home operation, and disposable homes (a qcow2 overlay over the home). */
  @Override
  public HomeSupport homeSupport() {
    return HomeSupport.all();
  }

  @Override
  public List<HomeBackup> homeBackups(MachineManifest m) {
    return new HomeDisks(context, tools, files(m)).list();
  }

  @Override
  public Optional<InstanceStatus> inspect(MachineManifest m) {
    return new VmStatus(context, name()).of(files(m), m.vmName(), false);
  }

  @Override
  public List<InstanceStatus> list() {
    return new VmStatus(context, name()).all();
  }

  /**
   * A microvm VM never copies its image, so there is nothing to delete; gc says which store paths
   * each VM keeps alive (its GC roots), so a user knows what nix-collect-garbage will leave.
   */
  @Override
  public List<String> gc(MachineManifest m) {
    return new VmStatus(context, name()).gcRoots();
  }

  /**
   * Only while this VM's QEMU runs: then QEMU itself holds the forwarded port, so whatever answers
   * on it is the guest. With the VM stopped another local process could listen there and collect
   * the password from the client.
   */
  @Override
  public Optional<String> rdpPassword(MachineManifest m) {
    VmFiles f = files(m);
    return qemu(f).running().isPresent() ? VmSecret.of(context).read(f) : Optional.empty();
  }

  /**
   * A running guest set its password from the credential at boot and keeps it until it boots again:
   * rotating under it would leave {@code connect} with a password the guest does not know.
   */
  @Override
  public void rotateSecret(MachineManifest m) {
    VmFiles f = files(m);
    if (!Files.exists(f.imageVersion())) {
      throw new QubixException(m.vmName() + " does not exist: its secret is made by the first up or recreate");
    }
    if (qemu(f).running().isPresent()) {
      throw new QubixException(m.vmName() + " is running, and its guest keeps the current password until it boots "
          + "again: stop it, rotate, then start it");
    }
    VmSecret.of(context).rotate(f);
  }

  @Override
  public Endpoint endpoint(MachineManifest m) {
    return context.ports(m.vmName()).rdp().map(p -> new Endpoint("127.0.0.1", p))
        .orElseThrow(() -> new QubixException(m.vmName() + " has no forwarded RDP port yet: create it with up or recreate"));
  }

}
