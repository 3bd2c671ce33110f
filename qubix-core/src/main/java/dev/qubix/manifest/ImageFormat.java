package dev.qubix.manifest;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** How a built image is laid out in its store path. */
public enum ImageFormat {
  VHDX(".vhdx"),
  QCOW2(".qcow2"),
  RAW(".img", ".raw"),
  /** A folder with {@code kernel}, {@code initrd} and optionally {@code kernel-params}; booted without a disk. */
  DIRECT(),
  /** A container's root folder with {@code /sbin/init} (nspawn): the read-only base of a per-VM copy. */
  ROOTFS(),
  /** A NixOS system toplevel built with {@code boot.isContainer = true} (nspawn): boots its {@code init}. */
  NIXOS_SYSTEM();

  private final List<String> extensions;

  ImageFormat(String... extensions) {
    this.extensions = List.of(extensions);
  }

  /** File name endings that identify an image of this format inside a store folder. */
  public List<String> extensions() {
    return extensions;
  }

  /** Whether the image is the built folder itself (no file inside it to find). */
  public boolean isFolder() {
    return extensions.isEmpty();
  }

  /** The manifest's spelling: {@code vhdx}, …, {@code nixos-system}. */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Optional<ImageFormat> fromJson(String s) {
    for (ImageFormat f : values()) {
      if (f.jsonName().equals(s)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
