package dev.qubix.manifest.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qubix.ManifestException;
import dev.qubix.ManifestException.Violation;
import dev.qubix.manifest.Cidr;
import dev.qubix.manifest.Egress;
import dev.qubix.manifest.EgressMode;
import dev.qubix.manifest.HomeDisk;
import dev.qubix.manifest.HyperVSettings;
import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.ImageRef;
import dev.qubix.manifest.Ipv4;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.Memory;
import dev.qubix.manifest.Mode;
import dev.qubix.manifest.Network;
import dev.qubix.manifest.Rdp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns one schemaVersion 3 machine object into a {@link MachineManifest}, checking every field.
 * All violations are collected, so a user fixes a manifest in one pass.
 */
public final class MachineValidator {
  /** Names of machines, hosts, VMs and flake outputs: safe as a file name, a Hyper-V VM name and a Nix attribute. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final Pattern IMAGE_KEY = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9._-]{1,16}");
  private static final Pattern DNS_NAME = Pattern.compile(
      "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
  private static final Pattern WINDOWS_ABSOLUTE = Pattern.compile("([A-Za-z]:\\\\|\\\\\\\\[^\\\\/]+\\\\[^\\\\/]+).*");
  private static final Pattern STORE_PATH = Pattern.compile("/nix/store/[0-9a-z]{32}-[A-Za-z0-9+._?=-]+");
  private static final String WINDOWS_FORBIDDEN = "<>\"|?*";
  static final long MIN_MEMORY = 256 * Memory.MIB;
  static final long MAX_MEMORY = 1024 * Memory.GIB;
  static final long MAX_HOME_MIB = 16L * 1024 * 1024;

  private final List<Violation> violations = new ArrayList<>();
  private final String base;

  private MachineValidator(String base) {
    this.base = base;
  }

  public static MachineManifest validate(String machine, JsonNode m, String pointer) {
    MachineValidator v = new MachineValidator(pointer);
    if (!NAME.matcher(machine).matches()) {
      v.fail("", "machine name '" + machine + "' is not allowed: use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    MachineManifest result = v.machine(machine, m);
    if (!v.violations.isEmpty()) {
      throw new ManifestException(v.violations);
    }
    return result;
  }

  private MachineManifest machine(String name, JsonNode m) {
    String hostName = name(m, "/hostName");
    String vmName = name(m, "/vmName");
    Mode mode = optionalText(m, "/mode").map(s -> enumValue(Mode.class, s, "/mode", "prod or debug")).orElse(Mode.PROD);
    int cpu = integer(m, "/cpuCount", 1, 64, null);
    Long startup = longValue(m, "/memoryStartupBytes", MIN_MEMORY, MAX_MEMORY, null, "at least 256 MiB (268435456)");
    Long max = longValue(m, "/maxMemoryBytes", MIN_MEMORY, MAX_MEMORY, null, "at least 256 MiB (268435456)");
    if (startup != null && max != null && startup > max) {
      fail("/memoryStartupBytes", new Memory(startup) + " is more than maxMemoryBytes " + new Memory(max)
          + ": lower memoryStartupBytes or raise maxMemoryBytes");
    }
    if (m.has("hyperv")) {
      // Hyper-V allocates guest memory in 2 MiB pages: New-VM/Set-VMMemory refuse other values, and
      // recreate reaches them only after the old VM is gone (kubernetes/minikube#6973)
      hyperVAligned("/memoryStartupBytes", startup);
      hyperVAligned("/maxMemoryBytes", max);
    }
    Network network = network(m.path("network"));
    if (m.path("network").isObject()) {
      network = network.withEgress(egress(m.path("network").path("egress")));
    }
    HomeDisk home = homeDisk(m.path("homeDisk"));
    Rdp rdp = rdp(m.path("rdp"));
    String mdns = optionalText(m, "/mdnsName").filter(s -> check(DNS_NAME.matcher(s).matches(), "/mdnsName",
        "'" + s + "' is not a DNS name like spotibox.local")).orElse(null);
    Map<String, ImageRef> images = images(m.path("images"));
    HyperVSettings hyperv = m.has("hyperv") ? hyperv(m.get("hyperv")) : null;
    return new MachineManifest(name, hostName, vmName, mode, cpu, startup == null ? null : new Memory(startup),
        max == null ? null : new Memory(max), network, home, rdp, mdns, images, hyperv);
  }

  static final long HYPERV_MEMORY_ALIGNMENT = 2 * Memory.MIB;

  private void hyperVAligned(String field, Long bytes) {
    if (bytes != null && bytes % HYPERV_MEMORY_ALIGNMENT != 0) {
      long down = bytes / HYPERV_MEMORY_ALIGNMENT * HYPERV_MEMORY_ALIGNMENT;
      fail(field, bytes + " is not a multiple of 2 MiB (2097152), which Hyper-V requires: use " + down + " or "
          + (down + HYPERV_MEMORY_ALIGNMENT));
    }
  }

  private Network network(JsonNode n) {
    if (n.isMissingNode()) {
      fail("/network", "missing: set {\"mode\": \"dhcp\"} or a static network");
      return Network.dhcp();
    }
    if (!n.isObject()) {
      fail("/network", "must be an object");
      return Network.dhcp();
    }
    String mode = text(n, "/network/mode", "/mode");
    if ("dhcp".equals(mode)) {
      for (String f : List.of("staticIp", "prefixLength", "gateway", "natSwitchSubnet", "nameservers")) {
        if (n.hasNonNull(f)) {
          fail("/network/" + f, "not allowed when network.mode is dhcp: remove it, or set mode to static");
        }
      }
      return Network.dhcp();
    }
    if (mode != null && !"static".equals(mode)) {
      fail("/network/mode", "'" + mode + "' is not a network mode: use dhcp or static");
      return Network.dhcp();
    }
    if (mode == null) {
      return Network.dhcp();
    }
    Ipv4 ip = ipv4(n, "/network/staticIp", "/staticIp", true);
    Integer prefix = integerAt(n, "/network/prefixLength", "/prefixLength", 1, 30, 24);
    Ipv4 gateway = ipv4(n, "/network/gateway", "/gateway", true);
    Cidr subnet = null;
    Optional<String> subnetText = optionalTextAt(n, "/network/natSwitchSubnet", "/natSwitchSubnet");
    if (subnetText.isPresent()) {
      subnet = Cidr.parse(subnetText.get()).orElse(null);
      if (subnet == null) {
        fail("/network/natSwitchSubnet", "'" + subnetText.get() + "' is not a network like 192.168.250.0/24 (host bits must be zero)");
      } else if (prefix != null && subnet.prefixLength() != prefix) {
        fail("/network/natSwitchSubnet", subnet + " does not match prefixLength " + prefix);
        subnet = null;   // one mistake, one message: do not also report every address as outside it
      }
    } else if (ip != null && prefix != null) {
      subnet = Cidr.containing(ip, prefix);
    }
    if (subnet != null) {
      if (ip != null) {
        if (!subnet.contains(ip)) {
          fail("/network/staticIp", ip + " is outside natSwitchSubnet " + subnet);
        } else if (ip.equals(subnet.network()) || ip.equals(subnet.broadcast())) {
          fail("/network/staticIp", ip + " is the network or broadcast address of " + subnet + ": pick a host address");
        }
      }
      if (gateway != null) {
        if (!subnet.contains(gateway)) {
          fail("/network/gateway", gateway + " is outside natSwitchSubnet " + subnet);
        } else if (gateway.equals(ip)) {
          fail("/network/gateway", gateway + " is also the staticIp: the gateway is the host side of the NAT switch");
        }
      }
    }
    List<Ipv4> nameservers = new ArrayList<>();
    JsonNode ns = n.path("nameservers");
    if (!ns.isMissingNode() && !ns.isNull()) {
      if (!ns.isArray()) {
        fail("/network/nameservers", "must be a list of IPv4 addresses");
      } else {
        for (int i = 0; i < ns.size(); i++) {
          String p = "/network/nameservers/" + i;
          Optional<Ipv4> a = ns.get(i).isTextual() ? Ipv4.parse(ns.get(i).asText()) : Optional.empty();
          if (a.isEmpty()) {
            fail(p, describe(ns.get(i)) + " is not an IPv4 address like 1.1.1.1");
          } else {
            nameservers.add(a.get());
          }
        }
      }
    }
    return new Network(Network.Kind.STATIC, ip, prefix == null ? 0 : prefix, gateway, subnet, nameservers);
  }

  /** Missing means open: manifests from before the field was added. */
  private Egress egress(JsonNode e) {
    if (e.isMissingNode() || e.isNull()) {
      return Egress.open();
    }
    if (!e.isObject()) {
      fail("/network/egress", "must be an object like {\"mode\": \"open\"}");
      return Egress.open();
    }
    String modeText = text(e, "/network/egress/mode", "/mode");
    EgressMode mode = modeText == null ? null
        : enumValue(EgressMode.class, modeText, "/network/egress/mode", "open or allowlist");
    List<String> domains = new ArrayList<>();
    JsonNode d = e.path("domains");
    if (!d.isMissingNode() && !d.isNull()) {
      if (!d.isArray()) {
        fail("/network/egress/domains", "must be a list of domain names like spotify.com");
      } else {
        for (int i = 0; i < d.size(); i++) {
          String p = "/network/egress/domains/" + i;
          if (d.get(i).isTextual() && DNS_NAME.matcher(d.get(i).asText()).matches()) {
            domains.add(d.get(i).asText());
          } else {
            fail(p, describe(d.get(i)) + " is not a domain name like spotify.com");
          }
        }
      }
    }
    if (mode == EgressMode.ALLOWLIST && d.size() == 0) {
      fail("/network/egress/domains", "allowlist mode needs at least one domain");
    }
    return mode == null ? Egress.open() : new Egress(mode, domains);
  }

  private HomeDisk homeDisk(JsonNode h) {
    if (h.isMissingNode() || h.isNull()) {
      return new HomeDisk(false, "qubix-home", 0);
    }
    if (!h.isObject()) {
      fail("/homeDisk", "must be an object");
      return new HomeDisk(false, "qubix-home", 0);
    }
    boolean enable = bool(h, "/homeDisk/enable", "/enable", true);
    String label = optionalTextAt(h, "/homeDisk/label", "/label").orElse("qubix-home");
    check(LABEL.matcher(label).matches(), "/homeDisk/label",
        "'" + label + "' is not a filesystem label: 1-16 letters, digits, '.', '_' or '-'");
    Long size = longAt(h, "/homeDisk/sizeMiB", "/sizeMiB", 64, MAX_HOME_MIB, enable ? null : 0L, "64 MiB to 16 TiB");
    return new HomeDisk(enable, label, size == null ? 0 : size);
  }

  private Rdp rdp(JsonNode r) {
    if (!r.isObject()) {
      fail("/rdp", r.isMissingNode() ? "missing: set at least {\"user\": \"rdp\"}" : "must be an object");
      return new Rdp("rdp", 3389, 1280, 800);
    }
    String user = text(r, "/rdp/user", "/user");
    if (user != null) {
      check(USER.matcher(user).matches(), "/rdp/user", "'" + user + "' is not a Linux user name (lower case, digits, '_' or '-')");
    }
    Integer port = integerAt(r, "/rdp/port", "/port", 1, 65535, 3389);
    Integer width = integerAt(r, "/rdp/width", "/width", 640, 8192, 1280);
    Integer height = integerAt(r, "/rdp/height", "/height", 480, 8192, 800);
    return new Rdp(user, port == null ? 3389 : port, width == null ? 1280 : width, height == null ? 800 : height);
  }

  private Map<String, ImageRef> images(JsonNode i) {
    Map<String, ImageRef> out = new LinkedHashMap<>();
    if (!i.isObject()) {
      fail("/images", i.isMissingNode() ? "missing: name the flake outputs that build this machine's images"
          : "must be an object (image key → {package, format})");
      return out;
    }
    i.fields().forEachRemaining(e -> {
      String key = e.getKey();
      String p = "/images/" + Pointers.escape(key);
      if (!IMAGE_KEY.matcher(key).matches()) {
        fail(p, "'" + key + "' is not an image key like hyperv, microvm or home");
        return;
      }
      JsonNode img = e.getValue();
      if (!img.isObject()) {
        fail(p, "must be an object {package, format}");
        return;
      }
      String pkg = text(img, p + "/package", "/package");
      if (pkg != null) {
        check(NAME.matcher(pkg).matches(), p + "/package", "'" + pkg + "' is not a flake output name");
      }
      String fmtText = text(img, p + "/format", "/format");
      ImageFormat fmt = fmtText == null ? null : ImageFormat.fromJson(fmtText).orElse(null);
      if (fmtText != null && fmt == null) {
        fail(p + "/format", "'" + fmtText + "' is not an image format: use vhdx, qcow2, raw or direct");
      }
      String file = optionalTextAt(img, p + "/file", "/file").orElse(null);
      if (file != null) {
        check(isRelativePath(file), p + "/file", "'" + file + "' must be a relative path inside the image's store path, without '..'");
      }
      String storePath = optionalTextAt(img, p + "/storePath", "/storePath").orElse(null);
      if (storePath != null) {
        check(STORE_PATH.matcher(storePath).matches(), p + "/storePath", "'" + printable(storePath)
            + "' is not a Nix store path like /nix/store/<32 characters>-name");
      }
      String path = optionalTextAt(img, p + "/path", "/path").orElse(null);
      if (path != null) {
        check(isAbsoluteAnyOs(path), p + "/path", "'" + path + "' must be an absolute path to the built image");
      }
      out.put(key, new ImageRef(key, pkg, fmt, file, storePath, path));
    });
    return out;
  }

  private HyperVSettings hyperv(JsonNode h) {
    if (!h.isObject()) {
      fail("/hyperv", "must be an object");
      return null;
    }
    String vmRoot = text(h, "/hyperv/vmRoot", "/vmRoot");
    if (vmRoot != null) {
      checkWindowsPath(vmRoot, "/hyperv/vmRoot");
    }
    String switchName = optionalTextAt(h, "/hyperv/switchName", "/switchName").orElse("Default Switch");
    check(!switchName.isBlank() && switchName.length() <= 100 && switchName.chars().noneMatch(Character::isISOControl)
            && switchName.chars().noneMatch(c -> WINDOWS_FORBIDDEN.indexOf(c) >= 0),
        "/hyperv/switchName", "'" + printable(switchName) + "' is not a switch name: 1-100 characters without control characters or " + WINDOWS_FORBIDDEN);
    Integer generation = integerAt(h, "/hyperv/generation", "/generation", 1, 2, 2);
    boolean secureBoot = bool(h, "/hyperv/secureBoot", "/secureBoot", false);
    String distro = optionalTextAt(h, "/hyperv/wslDistro", "/wslDistro").orElse("NixOS");
    check(NAME.matcher(distro).matches(), "/hyperv/wslDistro", "'" + printable(distro) + "' is not a WSL distribution name");
    return new HyperVSettings(vmRoot, switchName, generation == null ? 2 : generation, secureBoot, distro);
  }

  // ---- field helpers: each records a violation and returns null (or a default) on failure ----

  private String name(JsonNode m, String field) {
    String s = text(m, field, field);
    if (s != null && !NAME.matcher(s).matches()) {
      fail(field, "'" + printable(s) + "' is not allowed: use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
      return null;
    }
    return s;
  }

  private String text(JsonNode parent, String pointer, String local) {
    JsonNode n = parent.at(local);
    if (n.isMissingNode() || n.isNull()) {
      fail(pointer, "missing (required)");
      return null;
    }
    if (!n.isTextual()) {
      fail(pointer, describe(n) + " must be a string");
      return null;
    }
    return checkedString(n.asText(), pointer);
  }

  private Optional<String> optionalText(JsonNode parent, String field) {
    return optionalTextAt(parent, field, field);
  }

  private Optional<String> optionalTextAt(JsonNode parent, String pointer, String local) {
    JsonNode n = parent.at(local);
    if (n.isMissingNode() || n.isNull()) {
      return Optional.empty();
    }
    if (!n.isTextual()) {
      fail(pointer, describe(n) + " must be a string");
      return Optional.empty();
    }
    return Optional.ofNullable(checkedString(n.asText(), pointer));
  }

  private String checkedString(String s, String pointer) {
    if (s.indexOf('\0') >= 0) {
      fail(pointer, "contains a NUL character");
      return null;
    }
    if (s.length() > 4096) {
      fail(pointer, "is " + s.length() + " characters long; at most 4096 are allowed");
      return null;
    }
    return s;
  }

  private int integer(JsonNode m, String field, int min, int max, Integer dflt) {
    Integer v = integerAt(m, field, field, min, max, dflt);
    return v == null ? 0 : v;
  }

  private Integer integerAt(JsonNode parent, String pointer, String local, int min, int max, Integer dflt) {
    Long v = longAt(parent, pointer, local, min, max, dflt == null ? null : dflt.longValue(), min + ".." + max);
    return v == null ? null : v.intValue();
  }

  private Long longValue(JsonNode m, String field, long min, long max, Long dflt, String range) {
    return longAt(m, field, field, min, max, dflt, range);
  }

  private Long longAt(JsonNode parent, String pointer, String local, long min, long max, Long dflt, String range) {
    JsonNode n = parent.at(local);
    if (n.isMissingNode() || n.isNull()) {
      if (dflt == null) {
        fail(pointer, "missing (required, " + range + ")");
      }
      return dflt;
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
      fail(pointer, describe(n) + " must be a whole number (" + range + ")");
      return null;
    }
    long v = n.longValue();
    if (v < min || v > max) {
      fail(pointer, v + " is out of range: " + range);
      return null;
    }
    return v;
  }

  private boolean bool(JsonNode parent, String pointer, String local, boolean dflt) {
    JsonNode n = parent.at(local);
    if (n.isMissingNode() || n.isNull()) {
      return dflt;
    }
    if (!n.isBoolean()) {
      fail(pointer, describe(n) + " must be true or false");
      return dflt;
    }
    return n.booleanValue();
  }

  private Ipv4 ipv4(JsonNode parent, String pointer, String local, boolean required) {
    JsonNode n = parent.at(local);
    if (n.isMissingNode() || n.isNull()) {
      if (required) {
        fail(pointer, "missing (required when network.mode is static)");
      }
      return null;
    }
    Optional<Ipv4> ip = n.isTextual() ? Ipv4.parse(n.asText()) : Optional.empty();
    if (ip.isEmpty()) {
      fail(pointer, describe(n) + " is not an IPv4 address in dotted-quad form like 192.168.250.10");
      return null;
    }
    return ip.get();
  }

  private <E extends Enum<E>> E enumValue(Class<E> type, String s, String pointer, String allowed) {
    try {
      return Enum.valueOf(type, s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      fail(pointer, "'" + printable(s) + "' is not allowed: use " + allowed);
      return null;
    }
  }

  private void checkWindowsPath(String path, String pointer) {
    if (!WINDOWS_ABSOLUTE.matcher(path).matches()) {
      fail(pointer, "'" + printable(path) + "' must be an absolute Windows path like C:\\HyperV\\Qubix or \\\\server\\share\\Qubix");
      return;
    }
    for (String segment : path.split("[\\\\/]")) {
      if (segment.equals("..") || segment.equals(".")) {
        fail(pointer, "'" + printable(path) + "' must not contain '.' or '..' segments");
        return;
      }
    }
    String rest = path.length() > 2 && path.charAt(1) == ':' ? path.substring(2) : path;
    if (rest.chars().anyMatch(c -> c < 32 || WINDOWS_FORBIDDEN.indexOf(c) >= 0 || c == ':')) {
      fail(pointer, "'" + printable(path) + "' contains a character Windows paths cannot hold (" + WINDOWS_FORBIDDEN + ": or a control character)");
    }
  }

  static boolean isRelativePath(String p) {
    if (p.isEmpty() || p.startsWith("/") || p.startsWith("\\") || p.contains(":")) {
      return false;
    }
    for (String segment : p.split("[\\\\/]")) {
      if (segment.equals("..")) {
        return false;
      }
    }
    return p.chars().noneMatch(Character::isISOControl);
  }

  static boolean isAbsoluteAnyOs(String p) {
    return (p.startsWith("/") || WINDOWS_ABSOLUTE.matcher(p).matches()) && p.chars().noneMatch(Character::isISOControl);
  }

  private boolean check(boolean ok, String field, String message) {
    if (!ok) {
      fail(field, message);
    }
    return ok;
  }

  private void fail(String field, String message) {
    violations.add(new Violation(base + field, message));
  }

  private static String describe(JsonNode n) {
    return n.isTextual() ? "'" + printable(n.asText()) + "'" : n.toString().length() > 60 ? n.getNodeType().toString().toLowerCase(Locale.ROOT) : n.toString();
  }

  public static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    s.codePoints().limit(60).forEach(c -> {
      if (Character.isISOControl(c)) {
        sb.append(String.format("\\u%04x", c));
      } else {
        sb.appendCodePoint(c);
      }
    });
    return s.length() > 60 ? sb + "…" : sb.toString();
  }
}
