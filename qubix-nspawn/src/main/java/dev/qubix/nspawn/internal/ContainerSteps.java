package dev.qubix.nspawn.internal;

import dev.qubix.BackendUnavailableException;
import dev.qubix.QubixException;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendPlan.Action;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageSet;
import dev.qubix.spi.PlanRequest;
import java.nio.file.Files;
import java.time.Duration;

/** The actions of one planned operation on one container: each step of {@link NspawnPlanner}'s plan, done. */
final class ContainerSteps implements NspawnPlanner.Actions {
  private final BackendContext context;
  private final NspawnTools tools;
  private final MachineManifest m;
  private final ImageSet images;
  private final ContainerFiles f;
  private final SystemLayer layer;
  private final ContainerProcess process;

  ContainerSteps(BackendContext context, NspawnTools tools, PlanRequest r, ContainerFiles f) {
    this.context = context;
    this.tools = tools;
    this.m = r.manifest();
    this.images = r.images();
    this.f = f;
    this.layer = new SystemLayer(context, f);
    this.process = new ContainerProcess(context, tools, f);
  }

  private Image image() {
    return SystemLayer.systemImage(m, images);
  }

  private NspawnArgs.Boot boot() {
    return SystemLayer.bootOf(m, image());
  }

  /** Everything that would fail half-way, refused before the running container is stopped. */
  @Override
  public Action preflight() {
    return () -> {
      requireTools();
      SystemLayer.checkImage(boot());
      layer.checkFolder(m);
      if (process.running().isEmpty()) {
        context.ports(m.vmName()).rdp().ifPresent(port -> context.ports(m.vmName()).requireFree(m.vmName(), port));
      }
    };
  }

  @Override
  public Action stopOld() {
    return () -> process.stopIfRunning(m.vmName(), NspawnPlanner.RECREATE_GRACE);
  }

  @Override
  public Action clean() {
    return () -> {
      context.privateVmDir(m.vmName());
      // a crash can leave a container running that no plan knows about yet: never make a new root under it
      process.stopIfRunning(m.vmName(), NspawnPlanner.RECREATE_GRACE);
      process.clean();
    };
  }

  @Override
  public Action systemLayer() {
    return () -> {
      layer.pinImage(images, image());
      layer.writeMachine(m);
      layer.newRoot(boot());
    };
  }

  @Override
  public Action home() {
    return () -> {
      layer.checkFolder(m);
      layer.ensureHome(m);
    };
  }

  @Override
  public Action secret() {
    return () -> ContainerSecret.ensure(f);
  }

  @Override
  public Action port() {
    return () -> context.ports(m.vmName()).ensureRdp();
  }

  @Override
  public Action start() {
    return () -> process.launch(m, boot());
  }

  @Override
  public Action waitRunning() {
    return () -> process.awaitRunning(m.vmName());
  }

  @Override
  public Action startExisting() {
    return () -> {
      requireTools();
      if (!Files.exists(f.imageVersion())) {
        throw new QubixException(m.vmName() + " does not exist: create it with recreate or up");
      }
      if (process.running().isPresent()) {
        return;
      }
      NspawnArgs.Boot boot = layer.recordedBoot(m);
      layer.checkFolder(m);
      process.clean();
      process.launch(m, boot);
      process.awaitRunning(m.vmName());
    };
  }

  @Override
  public Action stop(Duration grace) {
    return () -> process.stop(m.vmName(), grace);
  }

  @Override
  public Action remove(boolean purge) {
    return () -> layer.remove(m, purge);
  }

  private void requireTools() {
    tools.missing().ifPresent(t -> {
      throw new BackendUnavailableException(t);
    });
  }
}
