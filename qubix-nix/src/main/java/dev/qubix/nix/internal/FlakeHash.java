package dev.qubix.nix.internal;

import dev.qubix.QubixException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The manifest cache key: SHA-256 over every file under the flake directory (relative path and
 * content, in sorted order). {@code .git} and {@code result*} links are left out: they change
 * without changing what the flake evaluates to. {@code flake.lock} is a file like any other, so a
 * lock update invalidates the cache too.
 */
public final class FlakeHash {
  private FlakeHash() {}

  public static String of(Path flakeDir) {
    try {
      List<Path> files = new ArrayList<>();
      Files.walkFileTree(flakeDir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          return !dir.equals(flakeDir) && excluded(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (!excluded(file) && (attrs.isRegularFile() || attrs.isSymbolicLink())) {
            files.add(file);
          }
          return FileVisitResult.CONTINUE;
        }
      });
      files.sort((a, b) -> flakeDir.relativize(a).toString().replace('\\', '/')
          .compareTo(flakeDir.relativize(b).toString().replace('\\', '/')));
      MessageDigest total = sha256();
      byte[] buffer = new byte[64 * 1024];
      for (Path f : files) {
        String rel = flakeDir.relativize(f).toString().replace('\\', '/');
        total.update(rel.getBytes(StandardCharsets.UTF_8));
        total.update((byte) 0);
        if (Files.isSymbolicLink(f)) {
          total.update(("link:" + Files.readSymbolicLink(f)).getBytes(StandardCharsets.UTF_8));
        } else {
          try (InputStream in = new DigestInputStream(Files.newInputStream(f), total)) {
            while (in.read(buffer) >= 0) {
              // the digest stream hashes what is read
            }
          }
        }
        total.update((byte) 0);
      }
      return HexFormat.of().formatHex(total.digest());
    } catch (IOException e) {
      throw new QubixException("cannot read the flake directory " + flakeDir + ": " + e.getMessage(), e);
    }
  }

  private static boolean excluded(Path p) {
    String name = p.getFileName().toString();
    return name.equals(".git") || name.startsWith("result");
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
