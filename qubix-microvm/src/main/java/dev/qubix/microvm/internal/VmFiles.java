package dev.qubix.microvm.internal;

import java.nio.file.Path;
import java.util.List;

/**
 * One VM's folder, {@code <stateDir>/<vmName>/}. {@code home.qcow2} is the user's data; everything
 * else is disposable and rebuilt by recreate.
 */
public record VmFiles(Path dir) {
  public Path system() { return dir.resolve("system.qcow2"); }
  public Path home() { return dir.resolve("home.qcow2"); }
  public Path pid() { return dir.resolve("qemu.pid"); }
  public Path qmp() { return dir.resolve("qmp.sock"); }
  public Path serialLog() { return dir.resolve("serial.log"); }
  public Path ports() { return dir.resolve("ports.json"); }
  public Path imageVersion() { return dir.resolve("image-version"); }
  /** Indirect GC roots of the store paths the VM boots from (links made by nix). */
  public Path gcroots() { return dir.resolve("gcroots"); }

  /** Files recreate and destroy may delete; never the home disk. */
  public List<Path> disposable() {
    return List.of(system(), pid(), qmp(), serialLog(), dir.resolve("serial.log.1"), ports(), imageVersion(),
        dir.resolve("system.qcow2.tmp"), dir.resolve("home.qcow2.tmp"));
  }
}
