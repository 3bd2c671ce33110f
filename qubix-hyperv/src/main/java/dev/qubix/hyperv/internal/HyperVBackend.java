package dev.qubix.hyperv.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qubix.BackendUnavailableException;
import dev.qubix.Endpoint;
import dev.qubix.Instance;
import dev.qubix.InstanceStatus;
import dev.qubix.ManifestException;
import dev.qubix.Operation;
import dev.qubix.Plan;
import dev.qubix.Purge;
import dev.qubix.QubixException;
import dev.qubix.Step;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.HostInfo;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageSet;
import dev.qubix.spi.RdpClients;
import dev.qubix.spi.WslPaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Hyper-V through static PowerShell scripts: one powershell.exe per operation, parameters as
 * base64(JSON). Plans are pure ({@link HyperVPlanner}); the host snapshot they need comes from
 * state.ps1, or is "unknown" where no Hyper-V host is reachable (planning on Linux).
 */
public final class HyperVBackend implements Backend {
  private final BackendContext context;
  private final PowerShell powershell;

  public HyperVBackend(BackendContext context) {
    this.context = context;
    this.powershell = new PowerShell(context.runner(), context.listener(), context.stateDir(), context.host(), context.timeout());
  }

  @Override
  public String name() {
    return "hyperv";
  }

  @Override
  public BackendContext context() {
    return context;
  }

  @Override
  public Set<String> imageKeys() {
    return Set.of("hyperv", "home");
  }

  private boolean hostReachable() {
    HostInfo h = context.host();
    return h.os() == HostInfo.Os.WINDOWS || (h.os() == HostInfo.Os.LINUX && h.wsl());
  }

  private void requireHost() {
    if (!hostReachable()) {
      throw new BackendUnavailableException("Hyper-V needs Windows (or WSL with interop): use the microvm backend on Linux");
    }
  }

  /** Mutating cmdlets need elevation or Hyper-V Administrators; say so before anything runs. */
  private void requireRights() {
    requireHost();
    if (context.host().os() == HostInfo.Os.WINDOWS && !WindowsHost.mayManageHyperV()) {
      throw new BackendUnavailableException("changing Hyper-V VMs needs an elevated shell or membership in Hyper-V "
          + "Administrators: run as administrator, or Add-LocalGroupMember -SID S-1-5-32-578 -Member $env:USERNAME "
          + "(then sign out and in)");
    }
  }

  // ---- plans ----

  @Override
  public Plan plan(Operation op, MachineManifest m, ImageSet images) {
    return switch (op) {
      case RECREATE, UP -> HyperVPlanner.recreate(m, images, hostReachable() ? hostState(m, images) : HostState.unknown(),
          sourceImage(images.get("hyperv")), sourceImage(images.get("home")));
      case DESTROY -> HyperVPlanner.destroy(m, false);
      case PURGE -> HyperVPlanner.destroy(m, true);
      case START, STOP -> new Plan(op, name(), m.name(), List.of(new Step(op.name().toLowerCase(java.util.Locale.ROOT),
          op == Operation.START ? "start " + m.vmName() : "shut " + m.vmName() + " down (forced off after the grace period)",
          Map.of("script", HyperVPlanner.POWER_SCRIPT, "params",
              HyperVPlanner.powerParams(m, op.name().toLowerCase(java.util.Locale.ROOT), 60)))));
    };
  }

  HostState hostState(MachineManifest m, ImageSet images) {
    HyperVPlanner.requireHyperV(m);
    Map<String, Object> p = new LinkedHashMap<>();
    HyperVPaths paths = HyperVPaths.of(m);
    p.put("vmName", m.vmName());
    p.put("vmRoot", paths.vmRoot());
    p.put("switchName", m.hyperv().switchName());
    p.put("gateway", m.network().isStatic() ? m.network().gateway().toString() : null);
    p.put("baseImage", images.get("hyperv").map(paths::baseImage).orElse(paths.imagesDir() + "\\none.vhdx"));
    p.put("homeDisk", paths.homeDisk());
    return HostState.fromJson(powershell.run("state.ps1", p));
  }

  // ---- operations ----

  @Override
  public Instance recreate(MachineManifest m, ImageSet images) {
    requireRights();
    if (images.get("hyperv").isEmpty()) {
      throw new ManifestException(m.pointer() + "/images/hyperv", "missing: the hyperv backend needs a vhdx image with key hyperv");
    }
    Plan plan = plan(Operation.RECREATE, m, images);
    Optional<Step> blocked = plan.steps().stream().filter(s -> s.id().equals(HyperVPlanner.BLOCKED)).findFirst();
    if (blocked.isPresent()) {
      throw new QubixException(blocked.get().description());
    }
    Map<String, Object> params = HyperVPlanner.recreateParams(m, images, sourceImage(images.get("hyperv")),
        sourceImage(images.get("home")));
    List<String> steps = new ArrayList<>();
    plan.steps().stream().map(Step::id).filter(id -> !id.endsWith("-cached") && !id.endsWith("-kept")).forEach(steps::add);
    params.put("steps", steps);
    powershell.run(HyperVPlanner.RECREATE_SCRIPT, params);
    return instance(m);
  }

  @Override
  public Optional<InstanceStatus> status(MachineManifest m) {
    requireHost();
    HyperVPlanner.requireHyperV(m);
    Optional<InstanceStatus.State> fast = Optional.empty();
    if (context.host().os() == HostInfo.Os.WINDOWS) {
      // WMI answers in milliseconds; PowerShell needs 0.3-1 s just to start
      fast = WindowsHost.enabledState(m.vmName()).map(VmStates::fromEnabledState);
    }
    HostState s = hostState(m, ImageSet.empty());
    if (!s.vmExists()) {
      return Optional.empty();
    }
    InstanceStatus.State state = fast.orElse(VmStates.fromName(s.vmState()));
    return Optional.of(new InstanceStatus(m.vmName(), name(), state, s.ipAddresses(),
        s.uptimeSeconds() > 0 ? Optional.of(Duration.ofSeconds(s.uptimeSeconds())) : Optional.empty(),
        Map.of("vmDir", HyperVPaths.of(m).vmDir())));
  }

  @Override
  public void start(MachineManifest m) {
    requireRights();
    powershell.run(HyperVPlanner.POWER_SCRIPT, HyperVPlanner.powerParams(m, "start", 0));
  }

  @Override
  public void stop(MachineManifest m, Duration grace) {
    requireRights();
    powershell.run(HyperVPlanner.POWER_SCRIPT, HyperVPlanner.powerParams(m, "stop", Math.max(1, grace.toSeconds())));
  }

  @Override
  public void destroy(MachineManifest m, Purge purge) {
    requireRights();
    powershell.run(HyperVPlanner.DESTROY_SCRIPT, HyperVPlanner.destroyParams(m, purge == Purge.EVERYTHING));
  }

  /** Address: static IP > the guest's KVP-reported IPv4 > the mDNS name (explicit addresses are handled by core). */
  @Override
  public Endpoint endpoint(MachineManifest m) {
    int port = m.rdp().port();
    if (m.network().isStatic()) {
      return new Endpoint(m.network().staticIp().toString(), port);
    }
    HostState s = hostState(m, ImageSet.empty());
    if (!s.ipAddresses().isEmpty()) {
      return new Endpoint(s.ipAddresses().get(0), port);
    }
    return m.mdns().map(n -> new Endpoint(n, port)).orElseThrow(() -> new QubixException(m.vmName()
        + " reports no IPv4 address yet (hv_kvp_daemon in the guest) and has no mdnsName: wait for it to boot, "
        + "or connect with an explicit address"));
  }

  /** Writes {@code <vmDir>\<vmName>.rdp} (never a password) and opens it with mstsc. */
  @Override
  public Optional<Process> openClient(MachineManifest m, Endpoint endpoint) {
    String rdp = HyperVPaths.of(m).rdpFile();
    Path local = context.host().os() == HostInfo.Os.WINDOWS ? Path.of(rdp)
        : Path.of(WslPaths.toLinux(rdp, WslPaths.DEFAULT_DISTRO).linuxPath());
    RdpClients.writeRdpFile(local, m, endpoint);
    try {
      return Optional.of(new ProcessBuilder(List.of("mstsc.exe", rdp)).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    } catch (java.io.IOException e) {
      throw new QubixException("cannot start mstsc.exe: " + e.getMessage(), e);
    }
  }

  /** The built image as Windows opens it: store paths live in the WSL distribution. */
  private String sourceImage(Optional<Image> image) {
    return image.map(i -> i.storePath().startsWith("/nix/store/")
        ? WslPaths.toWindows(context.host().getenv("QUBIX_WSL_DISTRO").orElse(WslPaths.DEFAULT_DISTRO), i.storePath())
        : i.file().toString()).orElse(null);
  }

  /** Removes cached base images no VM uses, under this machine's vmRoot. */
  @Override
  public List<String> gc(MachineManifest m) {
    requireRights();
    JsonNode r = powershell.run("gc.ps1", Map.of("vmRoot", HyperVPaths.of(m).vmRoot()));
    List<String> removed = new ArrayList<>();
    r.path("removed").forEach(n -> removed.add(n.asText()));
    return removed;
  }
}
