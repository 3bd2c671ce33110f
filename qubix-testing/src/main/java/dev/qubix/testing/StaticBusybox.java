package dev.qubix.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * The builder of every test flake: Nix's sandbox (on by default) has no {@code /bin/sh} and no host
 * libraries, so a derivation may only run what the store holds. A statically linked busybox copied
 * into the flake becomes a store path; {@code builder = "${./tools}/busybox"; args = [ "sh" "-c" … ]}
 * then runs anywhere, and its sh runs busybox applets (mkdir, cp, …) without PATH.
 */
public final class StaticBusybox {
  /** Where in a flake the busybox goes: the folder's name keeps the binary's basename "busybox". */
  public static final String FLAKE_PATH = "tools/busybox";
  /** The Nix expression of the builder, for {@code derivation { builder = …; }}. */
  public static final String BUILDER = "\"${./tools}/busybox\"";

  private StaticBusybox() {}

  /** Copies a static busybox to {@code flake/tools/busybox}; skips locally, fails under CI, without one. */
  public static Path copyInto(Path flake) throws IOException {
    Path source = find().orElseGet(() -> {
      Requires.missing("a statically linked busybox (apt-get install busybox-static)");
      throw new IllegalStateException("unreachable");
    });
    Path target = flake.resolve(FLAKE_PATH);
    Files.createDirectories(target.getParent());
    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
    return target;
  }

  static Optional<Path> find() {
    return List.of(Path.of("/bin/busybox"), Path.of("/usr/bin/busybox")).stream()
        .filter(Files::isExecutable).filter(StaticBusybox::isStatic).findFirst()
        .or(() -> Requires.which("busybox").filter(StaticBusybox::isStatic));
  }

  /** An ELF64 executable without a PT_INTERP program header needs no dynamic loader. */
  static boolean isStatic(Path file) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      byte[] header = new byte[64];
      f.readFully(header);
      ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
      if (h.getInt(0) != 0x464c457f || header[4] != 2) {   // "\x7fELF", ELFCLASS64
        return false;
      }
      long phoff = h.getLong(0x20);
      int phentsize = Short.toUnsignedInt(h.getShort(0x36));
      int phnum = Short.toUnsignedInt(h.getShort(0x38));
      byte[] entry = new byte[4];
      for (int i = 0; i < phnum; i++) {
        f.seek(phoff + (long) i * phentsize);
        f.readFully(entry);
        if (ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN).getInt() == 3) {   // PT_INTERP
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
