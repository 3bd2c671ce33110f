package dev.qubix.hyperv.internal;

import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.Image;

/** Windows paths of one VM under the manifest's vmRoot; pure string work, testable anywhere. */
public record HyperVPaths(String vmRoot, String vmName) {
  /** The folder under vmRoot that holds the cached base images; no VM may take its name. */
  public static final String IMAGES = "images";

  public static HyperVPaths of(MachineManifest m) {
    return new HyperVPaths(trim(HyperVSettings.require(m).vmRoot()), m.vmName());
  }

  public String vmDir() {
    return vmRoot + "\\" + vmName;
  }

  public String systemDisk() {
    return vmDir() + "\\" + vmName + "-system.vhdx";
  }

  public String homeDisk() {
    return vmDir() + "\\" + vmName + "-home.vhdx";
  }

  /** Where the home's backups live: {@code <name>.vhdx} and its description {@code <name>.json}. */
  public String backupsDir() {
    return vmDir() + "\\backups";
  }

  public String backup(String name) {
    return backupsDir() + "\\" + name + ".vhdx";
  }

  /** Where restore and import write the new home before it replaces the current one. */
  public String newHomeDisk() {
    return vmDir() + "\\" + vmName + "-home.new.vhdx";
  }

  /** A disposable home's overlay: a differencing VHDX over the home disk, made at each start. */
  public String homeOverlay() {
    return vmDir() + "\\" + vmName + "-home-disposable.vhdx";
  }

  /** Present while the VM runs a disposable home (recreate writes it, a persistent recreate removes it). */
  public String disposableMark() {
    return vmDir() + "\\" + DISPOSABLE_MARK;
  }

  public static final String DISPOSABLE_MARK = ".qubix-home-disposable";

  public String rdpFile() {
    return vmDir() + "\\" + vmName + ".rdp";
  }

  public String imagesDir() {
    return vmRoot + "\\" + IMAGES;
  }

  /** The cached base: one copy per image version (store hash), shared by every VM built from it. */
  public String baseImage(Image image) {
    return imagesDir() + "\\" + image.version() + ".vhdx";
  }

  private static String trim(String root) {
    return root.endsWith("\\") && root.length() > 3 ? root.substring(0, root.length() - 1) : root;
  }
}
