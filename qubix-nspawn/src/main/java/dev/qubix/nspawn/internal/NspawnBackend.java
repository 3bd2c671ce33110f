package dev.qubix.nspawn.internal;

import dev.qubix.Endpoint;
import dev.qubix.HomeBackup;
import dev.qubix.InstanceStatus;
import dev.qubix.QubixException;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.nspawn.NspawnBackendProvider;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendPlan;
import dev.qubix.spi.HomeSupport;
import dev.qubix.spi.ImageNeeds;
import dev.qubix.spi.PlanRequest;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * systemd-nspawn containers under {@code <stateDir>/<vmName>/}: {@link NspawnPlanner} plans,
 * {@link ContainerSteps} acts on the container's {@link SystemLayer} and {@link ContainerProcess},
 * {@link ContainerStatus} reads what runs.
 */
public final class NspawnBackend implements Backend {
  private final BackendContext context;
  private final NspawnTools tools;

  public NspawnBackend(BackendContext context) {
    this.context = context;
    this.tools = NspawnTools.of(context.host());
  }

  @Override
  public String name() {
    return NspawnBackendProvider.NAME;
  }

  @Override
  public BackendContext context() {
    return context;
  }

  /** The container image only: a home seed image is a disk, and a container's home is a folder. */
  @Override
  public ImageNeeds images() {
    return new ImageNeeds(Set.of(SystemLayer.IMAGE_KEY), Set.of());
  }

  ContainerFiles files(MachineManifest m) {
    return new ContainerFiles(context.vmDir(m.vmName()));
  }

  @Override
  public BackendPlan plan(PlanRequest r) {
    ContainerFiles f = files(r.manifest());
    boolean running = new ContainerProcess(context, tools, f).running().isPresent();
    return NspawnPlanner.plan(r, NspawnPlanner.ContainerView.of(f, context.ports(r.manifest().vmName()).rdp(),
        tools.systemdIsPid1(), running, context.clock().instant()), new ContainerSteps(context, tools, r, f));
  }

  /** Every home operation on the home folder, and disposable homes (an overlay over it). */
  @Override
  public HomeSupport homeSupport() {
    return HomeSupport.all();
  }

  @Override
  public List<HomeBackup> homeBackups(MachineManifest m) {
    return new HomeFolders(context, files(m)).list();
  }

  @Override
  public Optional<InstanceStatus> inspect(MachineManifest m) {
    return new ContainerStatus(context, tools, name()).of(files(m), m.vmName(), false);
  }

  @Override
  public List<InstanceStatus> list() {
    return new ContainerStatus(context, tools, name()).all();
  }

  /**
   * Only while this container runs: then its slirp4netns holds the forwarded port, so whatever answers
   * there is the guest. With it stopped another local process could listen and collect the password.
   */
  @Override
  public Optional<String> rdpPassword(MachineManifest m) {
    ContainerFiles f = files(m);
    return new ContainerProcess(context, tools, f).running().isPresent() ? ContainerSecret.read(f) : Optional.empty();
  }

  /** The guest read its credential at boot and keeps it until it boots again: rotate only while stopped. */
  @Override
  public void rotateSecret(MachineManifest m) {
    ContainerFiles f = files(m);
    if (!Files.exists(f.imageVersion())) {
      throw new QubixException(m.vmName() + " does not exist: its secret is made by the first up or recreate");
    }
    if (new ContainerProcess(context, tools, f).running().isPresent()) {
      throw new QubixException(m.vmName() + " is running, and its guest keeps the current password until it boots "
          + "again: stop it, rotate, then start it");
    }
    ContainerSecret.rotate(f);
  }

  @Override
  public Endpoint endpoint(MachineManifest m) {
    return context.ports(m.vmName()).rdp().map(p -> new Endpoint("127.0.0.1", p))
        .orElseThrow(() -> new QubixException(m.vmName() + " has no forwarded RDP port yet: create it with up or recreate"));
  }
}
