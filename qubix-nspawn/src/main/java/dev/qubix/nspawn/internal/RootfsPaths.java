package dev.qubix.nspawn.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Paths inside a root folder as the container will see them: a symbolic link is resolved against
 * the root, never against the host ({@code /sbin/init -> /bin/busybox} means the rootfs's busybox,
 * even when the host has none).
 */
final class RootfsPaths {
  private static final int MAX_LINKS = 40;

  private RootfsPaths() {}

  /** The host path of {@code path} (absolute, as in the container) inside {@code root}, links followed within it. */
  static Optional<Path> resolve(Path root, String path) {
    Path at = root;
    String rest = path;
    int links = 0;
    try {
      while (true) {
        rest = rest.replaceAll("^/+", "");
        if (rest.isEmpty()) {
          return Optional.of(at);
        }
        int slash = rest.indexOf('/');
        String name = slash < 0 ? rest : rest.substring(0, slash);
        rest = slash < 0 ? "" : rest.substring(slash);
        if (name.equals(".")) {
          continue;
        }
        if (name.equals("..")) {
          at = at.equals(root) ? root : at.getParent();
          continue;
        }
        Path next = at.resolve(name);
        if (Files.isSymbolicLink(next)) {
          if (++links > MAX_LINKS) {
            return Optional.empty();
          }
          String target = Files.readSymbolicLink(next).toString();
          if (target.startsWith("/")) {
            at = root;
          }
          rest = target + rest;
          continue;
        }
        if (!Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
          return Optional.empty();
        }
        at = next;
      }
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
