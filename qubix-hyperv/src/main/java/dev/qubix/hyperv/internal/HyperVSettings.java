package dev.qubix.hyperv.internal;

import dev.qubix.ManifestException;
import dev.qubix.manifest.FieldCursor;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestSection;
import java.util.Optional;
import java.util.regex.Pattern;

/** The machine's {@code hyperv} section: where its VMs live, the switch, and the VM's generation and firmware. */
public record HyperVSettings(String vmRoot, String switchName, int generation, boolean secureBoot, String wslDistro) {
  public static final String SECTION = "hyperv";
  /** Same rule as Qubix's own names (and nix/lib/manifest.nix): it becomes a {@code wsl.exe -d} argument and a path segment. */
  private static final Pattern WSL_DISTRO = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final String FORBIDDEN = "<>\"|?*";

  /**
   * The section read with {@code section}'s cursor, each broken rule recorded in that cursor;
   * null when it is not even an object.
   */
  static HyperVSettings read(FieldCursor section) {
    if (!section.check(section.isObject(), "must be an object")) {
      return null;
    }
    String vmRoot = section.get("vmRoot").windowsPath();
    String switchName = section.get("switchName").optionalText(HyperVSettings::isSwitchName,
        "is not a switch name: 1-100 characters without control characters or " + FORBIDDEN).orElse(HyperVPlanner.DEFAULT_SWITCH);
    Integer generation = section.get("generation").integer(1, 2, 2);
    boolean secureBoot = section.get("secureBoot").bool(false);
    String distro = section.get("wslDistro").optionalText(WSL_DISTRO.asMatchPredicate(), "is not a WSL distribution name")
        .orElse("NixOS");
    return new HyperVSettings(vmRoot, switchName, generation == null ? 2 : generation, secureBoot, distro);
  }

  /**
   * The machine's settings, or empty when it has no {@code hyperv} section. A section that breaks a
   * rule throws (a manifest read without this backend's rules meets them here, before anything runs).
   */
  public static Optional<HyperVSettings> of(MachineManifest m) {
    Optional<ManifestSection> section = m.section(SECTION);
    if (section.isEmpty()) {
      return Optional.empty();
    }
    FieldCursor cursor = section.get().cursor();
    HyperVSettings settings = read(cursor);
    cursor.throwIfInvalid();
    return Optional.of(settings);
  }

  /** The machine's settings; a machine without a {@code hyperv} section cannot run on Hyper-V. */
  public static HyperVSettings require(MachineManifest m) {
    return of(m).orElseThrow(() -> new ManifestException(m.pointer() + "/" + SECTION, "missing: the hyperv backend "
        + "needs vmRoot, switchName, generation, secureBoot and wslDistro"));
  }

  private static boolean isSwitchName(String s) {
    return !s.isBlank() && s.length() <= 100 && s.chars().noneMatch(Character::isISOControl)
        && s.chars().noneMatch(c -> FORBIDDEN.indexOf(c) >= 0);
  }
}
