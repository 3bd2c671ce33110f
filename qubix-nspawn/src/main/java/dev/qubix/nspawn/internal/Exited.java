package dev.qubix.nspawn.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a detached process has ended. systemd-nspawn and slirp4netns are reparented to the host's
 * PID 1 once the shell that started them exits, and a PID 1 that is not systemd may reap its
 * orphans only every few seconds: until then the process is a zombie, which ProcessHandle still
 * calls alive although it has released everything it held.
 */
final class Exited {
  private Exited() {}

  static boolean test(ProcessHandle p) {
    if (!p.isAlive()) {
      return true;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
      // "pid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ')'
      int close = stat.lastIndexOf(')');
      return close > 0 && close + 2 < stat.length() && (stat.charAt(close + 2) == 'Z' || stat.charAt(close + 2) == 'X');
    } catch (IOException e) {
      return true;   // gone from /proc
    }
  }
}
