package dev.qubix.microvm.internal;

import dev.qubix.spi.HostInfo;
import java.nio.file.Path;
import java.util.Optional;

/** Where the QEMU binaries are: {@code $QUBIX_QEMU} or {@code qemu-system-x86_64}, and {@code qemu-img} beside it or on PATH. */
public record QemuTools(String qemu, String qemuImg, boolean qemuFound, boolean qemuImgFound) {

  public static QemuTools of(HostInfo host) {
    String qemu = Optional.ofNullable(System.getProperty("qubix.qemu")).or(() -> host.getenv("QUBIX_QEMU"))
        .orElse("qemu-system-x86_64");
    Optional<Path> q = host.which(qemu);
    Optional<Path> img = q.map(p -> p.resolveSibling("qemu-img")).filter(p -> p.toFile().canExecute())
        .or(() -> host.which("qemu-img"));
    return new QemuTools(q.map(Path::toString).orElse(qemu), img.map(Path::toString).orElse("qemu-img"),
        q.isPresent(), img.isPresent());
  }

  public Optional<String> missing() {
    if (!qemuFound) {
      return Optional.of(qemu);
    }
    return qemuImgFound ? Optional.empty() : Optional.of("qemu-img");
  }
}
