package dev.qubix.hyperv.internal;

import dev.qubix.ManifestException;
import dev.qubix.Operation;
import dev.qubix.Plan;
import dev.qubix.Step;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.Network;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Plans Hyper-V operations as pure functions of the manifest, the built images and a snapshot of the
 * host. Each step names the script that runs it and the parameters it gets (as decoded JSON), so
 * {@code qubixctl plan --json} shows exactly what would run.
 */
public final class HyperVPlanner {
  public static final String RECREATE_SCRIPT = "recreate.ps1";
  public static final String DESTROY_SCRIPT = "destroy.ps1";
  public static final String POWER_SCRIPT = "power.ps1";
  /** A step that must not run: the plan explains why; recreate refuses before changing anything. */
  public static final String BLOCKED = "blocked";
  private static final long GIB = 1L << 30;

  private HyperVPlanner() {}

  /** The parameters of recreate.ps1 (steps excluded). */
  public static Map<String, Object> recreateParams(MachineManifest m, ImageSet images, String sourceImage, String homeImage) {
    HyperVPaths paths = HyperVPaths.of(m);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("vmName", m.vmName());
    p.put("vmRoot", paths.vmRoot());
    p.put("switchName", m.hyperv().switchName());
    Network n = m.network();
    if (n.isStatic()) {
      p.put("gateway", n.gateway().toString());
      p.put("prefixLength", n.prefixLength());
      p.put("subnet", n.natSwitchSubnet().toString());
    }
    Optional<Image> system = images.get("hyperv");
    p.put("sourceImage", sourceImage);
    p.put("baseImage", system.map(paths::baseImage).orElse(paths.imagesDir() + "\\<store hash>.vhdx"));
    p.put("homeDisk", m.homeDisk().enable());
    p.put("homeImage", homeImage);
    p.put("homeSizeBytes", m.homeDisk().sizeMiB() << 20);
    p.put("generation", m.hyperv().generation());
    p.put("secureBoot", m.hyperv().secureBoot());
    p.put("cpuCount", m.cpuCount());
    p.put("memoryStartupBytes", m.memoryStartup().bytes());
    p.put("memoryMinimumBytes", Math.min(GIB, m.memoryStartup().bytes()));
    p.put("maxMemoryBytes", m.maxMemory().bytes());
    return p;
  }

  public static Plan recreate(MachineManifest m, ImageSet images, HostState host, String sourceImage, String homeImage) {
    requireHyperV(m);
    Map<String, Object> params = recreateParams(m, images, sourceImage, homeImage);
    String unknown = host.known() ? "" : " (host state unknown: planned as if nothing exists)";
    List<Step> steps = new ArrayList<>();
    Network n = m.network();
    if (!n.isStatic()) {
      steps.add(step("switch-default", "use the switch '" + m.hyperv().switchName() + "' (NAT, DHCP)" + unknown, params));
    } else {
      String subnet = n.natSwitchSubnet().toString();
      Optional<HostState.NetNat> other = host.netNats().stream().filter(x -> !x.prefix().equals(subnet)).findFirst();
      boolean ours = host.netNats().stream().anyMatch(x -> x.prefix().equals(subnet));
      if (!host.switchExists()) {
        steps.add(step("switch-create", "create the internal switch '" + m.hyperv().switchName() + "'" + unknown, params));
      }
      if (!host.hostIpExists()) {
        steps.add(step("host-ip", "give the host adapter vEthernet (" + m.hyperv().switchName() + ") " + n.gateway() + "/"
            + n.prefixLength(), params));
      }
      if (!ours && other.isPresent()) {
        steps.add(step(BLOCKED, "refuse: the NetNat '" + other.get().name() + "' owns " + other.get().prefix()
            + " and Windows allows one NetNat per host; remove it (Remove-NetNat -Name '" + other.get().name()
            + "') or set the static network inside " + other.get().prefix(), params));
      } else if (!ours) {
        steps.add(step("netnat", "create the NetNat for " + subnet, params));
      }
    }
    if (host.vmExists() || !host.known()) {
      steps.add(step("remove-old-vm", "turn off and remove the VM " + m.vmName() + " if it exists (its folder stays)", params));
    }
    String base = (String) params.get("baseImage");
    if (host.baseImageCached()) {
      steps.add(step("base-image-cached", "base image already cached at " + base + " (no copy)", params));
    } else {
      steps.add(step("base-image", "copy the base image once to " + base + " (read-only; shared by later recreates)", params));
    }
    HyperVPaths paths = HyperVPaths.of(m);
    steps.add(step("system-disk", "new differencing system disk " + paths.systemDisk() + " over the base image", params));
    if (m.homeDisk().enable()) {
      if (host.homeDiskExists()) {
        steps.add(step("home-disk-kept", "keep the home disk " + paths.homeDisk(), params));
      } else if (homeImage != null) {
        steps.add(step("home-disk-seed", "create the home disk " + paths.homeDisk() + " from the home image", params));
      } else {
        steps.add(step("home-disk-create", "create a blank home disk " + paths.homeDisk() + " of "
            + m.homeDisk().sizeMiB() + " MiB", params));
      }
    }
    steps.add(step("create-vm", "create VM " + m.vmName() + ": generation " + m.hyperv().generation() + ", " + m.cpuCount()
        + " CPU, dynamic memory " + m.memoryStartup() + " to " + m.maxMemory() + ", Secure Boot "
        + (m.hyperv().secureBoot() ? "on" : "off") + ", checkpoints off" + (m.homeDisk().enable() ? ", home disk on SCSI 0:1" : ""), params));
    steps.add(step("start", "start " + m.vmName(), params));
    steps.add(step("wait-running", "wait until " + m.vmName() + " is Running", params));
    return new Plan(Operation.RECREATE, "hyperv", m.name(), steps);
  }

  public static Map<String, Object> destroyParams(MachineManifest m, boolean purge) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("vmName", m.vmName());
    p.put("vmRoot", HyperVPaths.of(m).vmRoot());
    p.put("purge", purge);
    return p;
  }

  public static Plan destroy(MachineManifest m, boolean purge) {
    requireHyperV(m);
    Map<String, Object> params = destroyParams(m, purge);
    HyperVPaths paths = HyperVPaths.of(m);
    List<Step> steps = new ArrayList<>();
    steps.add(new Step("remove-vm", "turn off and remove the VM " + m.vmName(), details(DESTROY_SCRIPT, "remove-vm", params)));
    steps.add(new Step("remove-system-disk", "delete " + paths.systemDisk(), details(DESTROY_SCRIPT, "remove-system-disk", params)));
    if (purge) {
      steps.add(new Step("remove-home-disk", "delete the home disk and " + paths.vmDir(), details(DESTROY_SCRIPT, "remove-home-disk", params)));
    } else {
      steps.add(Step.of("keep-home-disk", "keep the home disk " + paths.homeDisk() + " (cached base images stay for gc)"));
    }
    return new Plan(purge ? Operation.PURGE : Operation.DESTROY, "hyperv", m.name(), steps);
  }

  public static Map<String, Object> powerParams(MachineManifest m, String action, long graceSeconds) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("vmName", m.vmName());
    p.put("action", action);
    p.put("graceSeconds", graceSeconds);
    return p;
  }

  static void requireHyperV(MachineManifest m) {
    if (m.hyperv() == null) {
      throw new ManifestException(m.pointer() + "/hyperv", "missing: the hyperv backend needs vmRoot, switchName, "
          + "generation, secureBoot and wslDistro");
    }
    if (m.hyperv().vmRoot() == null) {
      throw new ManifestException(m.pointer() + "/hyperv/vmRoot", "missing (required for the hyperv backend)");
    }
  }

  private static Step step(String id, String description, Map<String, Object> params) {
    return new Step(id, description, details(RECREATE_SCRIPT, id, params));
  }

  private static Map<String, Object> details(String script, String action, Map<String, Object> params) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("script", script);
    d.put("action", action);
    d.put("params", params);
    return d;
  }
}
